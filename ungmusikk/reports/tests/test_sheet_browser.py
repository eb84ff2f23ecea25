"""The municipality sheet in a real browser (Playwright on the system Chromium): a signed link
opens it without a login, it prints on one A4 page, it reads at 390 px without scrolling
sideways, and with no Content-Security-Policy violation (the conftest's `context` watches).

The printed page is held to the longest plausible sheet (builders.longest_sheet: a
40-character name, six schools, every cooperation area and kind, three long sentences),
whatever the figures of the test network are: the sheet's figures function is replaced by it
for this layout test only."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from ungmusikk.reports import sheet

from .builders import longest_sheet
from .sheet_helpers import YEAR, shared_link
from .sheet_helpers import sheet_network as sheet_network  # noqa: F401 - the fixture, used below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sheet_network")]


def test_shared_sheet_prints_on_one_a4_page_and_reads_at_390px(page, live_server, network, monkeypatch):
    longest = longest_sheet()
    monkeypatch.setattr(sheet, "municipality_sheet", lambda *, municipality, year: longest)
    token = shared_link(network.school_a.municipality).token
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/rapporter/delt/{token}/")
    title = f"Kommuneark for {longest.municipality_name} {longest.year}"
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.locator("#shared-note").inner_text().startswith("Delt lenke, gyldig til ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("button", name="Skriv ut").is_visible()

    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=False)))
    assert len(printed.pages) == 1
    text = " ".join(printed.pages[0].extract_text().split())
    assert title in text  # the heading prints (no <header>: the portal's print CSS hides those)
    last_row = longest.tables[0].rows[-1]
    assert str(longest.tables[0].values(last_row)[0]) in text  # the longest table's last row


def test_a_rector_makes_a_link_in_the_browser_and_it_opens_without_a_login(page, live_server, network, client, browser):
    """The share button posts from the sheet's page: under `Referrer-Policy: no-referrer` the
    browser sent `Origin: null` and Django refused the form (a 403 the test client never sees)."""
    from conftest import make_persona
    from governance.models import Role

    rector = make_persona("rektor-lenke", kind=Role.Kind.RECTOR, school=network.school_a)
    client.force_login(rector)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    municipality = network.school_a.municipality
    page.goto(f"{live_server.url}/rapporter/kommuner/{municipality.number}/{YEAR}/")
    page.get_by_role("button", name="Lag delingslenke").click()
    page.wait_for_load_state()
    assert "Lenken er laget" in page.content()
    link = page.locator("input[readonly]").first.input_value()
    assert "/rapporter/delt/" in link
    anonymous = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 800}).new_page()
    anonymous.goto(live_server.url + link[link.index("/rapporter/delt/") :])
    assert anonymous.locator("#shared-note").inner_text().startswith("Delt lenke, gyldig til ")
    assert anonymous.get_by_role("heading", level=1).inner_text().startswith("Kommuneark for ")
    anonymous.context.close()


def test_anonymous_reader_of_a_shared_link_switches_to_english(page, live_server, network):
    """The shared page's language switch posts to /i18n/setlang/ from a visitor without a
    login: under `Referrer-Policy: no-referrer` Chromium posted `Origin: null` and the CSRF
    check refused it with 403. Under the portal's same-origin policy it switches."""
    token = shared_link(network.school_a.municipality).token
    address = f"{live_server.url}/rapporter/delt/{token}/"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(address)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kommuneark for ")
    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.get_by_role("button", name="Bytt").click()
    assert page.url == address
    assert page.get_by_role("heading", level=1).inner_text().startswith("Municipality sheet for ")
    assert page.locator("#shared-note").inner_text().startswith("Shared link, valid until ")
    assert page.locator("html").get_attribute("lang") == "en"
