"""The municipality sheet in a real browser (Playwright on the system Chromium): a signed link
opens it without a login, it prints on one A4 page, it reads at 390 px without scrolling
sideways, and no Content-Security-Policy violation (the conftest's `context` watches).

The printed page is tested with the fullest sheet the shapes allow on one page (a hand-made
one: every cooperation area, five kinds, three age bands, three sentences, three schools), so
the print CSS is held to the worst case whatever the figures of the test network are."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from ungmusikk.dashboards.tables import INT, MONEY, Column, Table
from ungmusikk.reports import links, sheet

from .sheet_helpers import SAMI_NAME, YEAR, hand_made_sheet
from .sheet_helpers import sheet_figures as sheet_figures  # noqa: F401 - the fixture, used below

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sheet_figures")]

AREAS = [
    "Talentutvikling",
    "Kompetanseutvikling for lærere",
    "Samspill og ensemble",
    "Fordypningsprogram",
    "Praksis for studenter",
    "Konserter og forestillinger",
    "Komposisjon og musikkteknologi",
    "Kurs og masterklasser",
    "Regionale prosjekter",
    "Forskning og utvikling",
]


def fullest_sheet(*, municipality, year):
    base = hand_made_sheet(municipality=municipality, year=year)
    count, money = Column("pupils", "Elever", INT), Column("value", "Verdi", MONEY)
    base.tables = [
        Table(
            "omrader",
            "Etter samarbeidsområde",
            [Column("label", "Samarbeidsområde"), count, money],
            [{"label": area, "pupils": 10 + n, "value": Decimal(12345 * (n + 1))} for n, area in enumerate(AREAS)],
        ),
        Table(
            "typer",
            "Etter aktivitetstype",
            [Column("label", "Type"), count],
            [{"label": f"Aktivitetstype {n}", "pupils": "<5" if n == 2 else 7 * n} for n in range(5)],
        ),
        Table(
            "alder",
            "Etter alder (GSI)",
            [Column("label", "Alder"), count],
            [
                {"label": label, "pupils": n}
                for n, label in enumerate(["Under grunnskolealder", "I grunnskolealder", "Over"])
            ],
        ),
    ]
    base.schools = ["Kulturskolen i Gáivuotna", "Nord-Troms videregående skole", "Nordreisa folkehøgskole"]
    base.sentences = base.sentences * 3
    return base


def test_shared_sheet_prints_on_one_a4_page_and_reads_at_390px(page, live_server, network, monkeypatch):
    monkeypatch.setattr(sheet, "municipality_sheet", fullest_sheet)
    token = links.sheet_link_make(municipality_id=network.school_a.municipality.pk, year=YEAR).token
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/rapporter/delt/{token}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Kommuneark for {SAMI_NAME} {YEAR}"
    assert page.locator("#shared-note").inner_text().startswith("Delt lenke, gyldig til ")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("button", name="Skriv ut").is_visible()

    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=False)))
    assert len(printed.pages) == 1
    text = printed.pages[0].extract_text()
    assert f"Kommuneark for {SAMI_NAME} {YEAR}" in text  # the heading prints (no <header>: the portal hides it)
    assert "Forskning og utvikling" in text  # the last row of the longest table
