"""A rector reads their dashboard in a real browser (Playwright on the system Chromium,
headless, on the demo network); the steering group sees the network map offline."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Draws a blank canvas of the same size as the chart's and compares the pixels.
CANVAS_IS_DRAWN = """canvas => {
    const blank = document.createElement('canvas');
    blank.width = canvas.width;
    blank.height = canvas.height;
    return canvas.width > 0 && canvas.height > 0 && canvas.toDataURL() !== blank.toDataURL();
}"""


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False


def password() -> str:
    return os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT


def only_local(page, live_server):
    """Fail any request that leaves the test server: the pages must work offline."""
    outside = []

    def route(route_obj):
        if route_obj.request.url.startswith(live_server.url):
            route_obj.continue_()
        else:
            outside.append(route_obj.request.url)
            route_obj.abort()

    page.route("**/*", route)
    return outside


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password())
    page.get_by_role("button", name="Logg inn").click()


def test_rector_reads_the_dashboard_with_charts_and_is_refused_another_school(page, live_server, output_path, demo):
    outside = only_local(page, live_server)
    log_in(page, live_server, "rektor-kulturskolen-i-as")

    page.wait_for_url(f"{live_server.url}{reverse('schools:dashboard', args=['kulturskolen-i-as'])}")
    assert page.locator("h1").inner_text() == "Kulturskolen i Ås"
    # The demo's first page runs the rollups it has never had: figures as of now.
    assert page.locator("#figures-as-of").inner_text().startswith("Tall per ")
    charts = page.locator("canvas[data-chart]")
    assert charts.count() == 5
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn=true]').length === 5")
    for index in range(charts.count()):
        canvas = charts.nth(index)
        assert canvas.evaluate(CANVAS_IS_DRAWN), canvas.get_attribute("data-chart")
    # The numbers are beside the charts for screen readers and print.
    assert page.locator("#table-years caption").inner_text() == "Deltakelse per skoleår"
    screenshots = Path(output_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "rector-dashboard.png"), full_page=True)

    response = page.goto(f"{live_server.url}{reverse('schools:dashboard', args=['asker-kulturskole'])}")
    assert response.status == 404
    assert outside == []


def test_steering_member_sees_the_network_map_offline(page, live_server, output_path, demo):
    outside = only_local(page, live_server)
    log_in(page, live_server, "styre")

    page.wait_for_url(f"{live_server.url}{reverse('schools:network')}")
    page.wait_for_selector("#network-map[data-drawn=true]")
    municipalities = page.locator("#table-municipalities tbody tr").count()
    assert municipalities > 20
    assert page.locator("#network-map path.leaflet-interactive").count() == municipalities
    assert page.locator("#map-legend li").all_inner_texts()[0].strip().startswith("Fast tilknyttet (")
    screenshots = Path(output_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "network-overview.png"), full_page=True)
    assert outside == []


# Elements reaching past the window's right edge, outside the boxes that scroll a wide table.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-responsive'))
    .map(el => el.tagName + (el.id ? '#' + el.id : ''))"""


def test_rector_follows_the_dashboard_to_the_pupil_pages_on_a_phone(page, live_server, output_path, demo):
    """From the dashboard's links to the pages of named pupils and pupil load (issue 17), 390 px
    wide: nothing but a table's own box is wider than the screen."""
    outside = only_local(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "rektor-kulturskolen-i-as")
    page.wait_for_url(f"{live_server.url}{reverse('schools:dashboard', args=['kulturskolen-i-as'])}")
    assert page.evaluate(OVERFLOWING) == []
    screenshots = Path(output_path)
    screenshots.mkdir(parents=True, exist_ok=True)

    page.locator("#named-pupils-link").click()
    assert page.locator("h1").inner_text() == "Navngitte elever"
    assert page.locator("#table-named tbody tr").count() > 0
    assert page.evaluate(OVERFLOWING) == []
    page.screenshot(path=str(screenshots / "rector-named-pupils-390.png"), full_page=True)

    page.go_back()
    page.locator("#pupil-load-link").click()
    assert page.locator("h1").inner_text() == "Elevbelastning"
    assert page.locator("#terms .nav-link.active").inner_text().startswith("Høsten ")
    page.locator("#terms .nav-link").nth(1).click()
    assert page.locator("#terms .nav-link.active").inner_text().startswith("Våren ")
    assert page.evaluate(OVERFLOWING) == []
    page.screenshot(path=str(screenshots / "rector-pupil-load-390.png"), full_page=True)
    assert outside == []
