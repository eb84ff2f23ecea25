"""The annual report's pages in Chromium under the Content-Security-Policy: the files page
reloads itself while the files are made (a <meta> refresh, no script) and shows the links when
they are done; the report's page with its SVG charts at a phone's width (390 px), with no
policy violation and no page wider than the screen."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ungmusikk.reports.models import AnnualReportFile

from .task_helpers import PERIOD, kept_files, network_with_figures

ARGS = {"kind": PERIOD.kind, "year": PERIOD.year}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def logged_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_the_files_page_reloads_itself_until_the_files_are_done(page, live_server, daily_leader):
    row = AnnualReportFile.objects.create(
        kind=PERIOD.kind, year=PERIOD.year, language="nb", status="running", progress=40, step="Lager PDF-en"
    )
    logged_in(page, live_server, daily_leader)

    response = page.goto(f"{live_server.url}{reverse('reports:annual-report-files', kwargs=ARGS)}")
    assert response.status == 200
    assert "unsafe" not in response.headers["content-security-policy"]
    assert page.locator("#files-progress-bar").get_attribute("value") == "40"

    row.delete()
    kept_files()  # the worker has finished: the next reload shows the files
    page.locator("#kept-files").wait_for(timeout=10_000)
    assert page.locator("#files-progress").count() == 0
    assert page.get_by_role("link", name="Last ned PDF").get_attribute("href") == reverse(
        "reports:annual-report-pdf", kwargs={**ARGS, "name": "arsrapport-2020"}
    )


def test_the_report_page_fits_a_phone_and_draws_its_charts(page, live_server, network, daily_leader):
    network_with_figures(network)
    logged_in(page, live_server, daily_leader)
    page.set_viewport_size({"width": 390, "height": 844})

    response = page.goto(f"{live_server.url}{reverse('reports:annual-report', kwargs=ARGS)}")

    assert response.status == 200
    charts = page.locator("svg.report-chart")
    assert charts.count() >= 1
    box = charts.first.bounding_box()
    assert 0 < box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("meta[http-equiv=refresh]").count() == 0
