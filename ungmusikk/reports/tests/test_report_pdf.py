"""The reports' PDFs (issue 16), read back with poppler's `pdftotext -layout` (its pages apart,
as laid out) and pypdf (pages, outline, fonts): the figures as the page writes them, Sámi
names, a table of contents whose page numbers are the pages the sections start on, every page
numbered, and a municipality sheet that is one page whatever it holds."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.graphics.shapes import Group, Rect

from activities.rollups import rollup_enrolment
from core.privacy import HIDDEN, SUPPRESSED
from funding.rollups import rollup_budget
from ungmusikk.dashboards.tables import Chart
from ungmusikk.reports import pdf
from ungmusikk.reports.figures import annual_report
from ungmusikk.reports.shapes import CALENDAR_YEAR, AnnualReport, ReportPeriod
from ungmusikk.reports.sheet import municipality_sheet

from .builders import SAMI_NAMES, longest_sheet, sample_report, sample_sheet, sheet_tables
from .network import build_report_network

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(not PDFTOTEXT, reason="poppler's pdftotext reads the PDF")


def pages_text(content: bytes) -> list[str]:
    """Each page's text as laid out, no-break spaces as spaces (pdftotext writes them so)."""
    text = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return text.replace("\xa0", " ").split("\f")[:-1]  # each page ends with a form feed


def squeezed(text: str) -> str:
    """Runs of spaces as one: a table's columns as "Ås 1 234 567 2 345 678"."""
    return re.sub(r"[ \t]+", " ", text)


def page_count(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def font_names(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
    return names


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return pdf.annual_report_pdf(sample_report())


@pytest.fixture(scope="module")
def report_pages(report_pdf) -> list[str]:
    return pages_text(report_pdf)


def contents_entries(pages: list[str]) -> dict[str, int]:
    """The table of contents (page 2) as {section title: page number}."""
    entries = {}
    for line in pages[1].splitlines():
        if match := re.fullmatch(r"\s*(.+?)\s*(?:\. )+\.?\s*(\d+)\s*", line):
            entries[match.group(1)] = int(match.group(2))
    return entries


def pages_with_line(pages: list[str], text: str) -> list[int]:
    """The numbers (from 1) of the pages after the contents with a line that is just `text`."""
    return [
        number
        for number, page in enumerate(pages, start=1)
        if number > 2 and any(line.strip() == text for line in page.splitlines())
    ]


def test_report_pdf_title_page_names_the_report_period_and_figures_time(report_pages):
    title_page = [line.strip() for line in report_pages[0].splitlines() if line.strip()]
    # 2021-03-05 09:00 UTC is 10.00 in Oslo
    assert title_page[:3] == ["Årsrapport for UngMusikk", "Kalenderår 2020", "Tall per 05.03.2021 kl. 10.00"]


def test_report_pdf_without_summed_figures_says_so():
    report = replace(sample_report(long_rows=3), figures_as_of=None)
    title_page = pages_text(pdf.annual_report_pdf(report))[0]
    assert "Tallene er ikke oppsummert ennå." in title_page


def test_report_pdf_contents_give_the_page_each_section_starts_on(report_pages):
    report = sample_report()
    entries = contents_entries(report_pages)
    assert list(entries) == [section.title for section in report.sections]
    for title, page in entries.items():
        assert pages_with_line(report_pages, title)[0] == page
    # the long section starts under the first and runs over two more pages
    assert entries == {"Nettverket i tall": 3, "Aktivitetene": 3, "Folk og lærere": 5}


def test_report_pdf_outline_points_at_each_sections_page(report_pdf, report_pages):
    """The outline (bookmarks) goes to the pages the contents name: NumberedCanvas keeps a
    bookmark with its page until the pages are written."""
    reader = PdfReader(io.BytesIO(report_pdf))
    outline = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline}
    assert outline == contents_entries(report_pages)


def test_report_pdf_numbers_every_page(report_pdf, report_pages):
    total = page_count(report_pdf)
    assert total == len(report_pages) == 5  # the title, the contents, three of sections
    for number, page in enumerate(report_pages, start=1):
        footer = [line for line in page.splitlines() if line.strip()][-1]
        assert footer.split()[-4:] == ["Side", str(number), "av", str(total)]


def test_report_pdf_writes_figures_the_norwegian_way(report_pages):
    text = squeezed("\n".join(report_pages))
    # grouped thousands, a decimal comma, the money column with øre in every row, «<5» kept
    assert "Ås 1 234 567 2 345 678 52,6 80 000,00" in text
    assert f"Kautokeino {SUPPRESSED} 412 {SUPPRESSED} 10 497,19" in text
    assert "Nordre Follo 38 1 200 3,2 112 000,00" in text


def test_report_pdf_prints_sami_names_in_an_embedded_unicode_font(report_pdf, report_pages):
    text = squeezed("\n".join(report_pages))
    assert f"{SAMI_NAMES[0]} 7" in text
    assert f"{SAMI_NAMES[1]} 3" in text
    assert font_names(report_pdf) == {"DejaVuSans", "DejaVuSans-Bold"}


def test_report_pdf_long_table_repeats_its_header_on_each_page(report_pages):
    pages = [
        number
        for number, page in enumerate(report_pages, start=1)
        if re.search(r"^\s*Aktivitet nummer \d+ ", page, re.MULTILINE)
    ]
    assert len(pages) >= 3
    for number in pages:
        assert re.search(r"^\s*Aktivitet\s+Deltakelser\s+Kostnad \(kr\)", report_pages[number - 1], re.MULTILINE)
    text = squeezed("\n".join(report_pages))
    assert "Aktivitet nummer 1 10 1 000" in text
    assert "Aktivitet nummer 120 1 200 120 000" in text


def test_report_pdf_draws_the_chart_under_its_table_with_its_numbers(report_pages):
    page = report_pages[2]
    lines = [line.strip() for line in page.splitlines()]
    table_row = next(i for i, line in enumerate(lines) if line.startswith("Nordre Follo"))
    chart_title = lines.index("Elever som deltok, etter kommune")
    assert chart_title > table_row
    # the chart's bars are labelled as the table writes them: the largest with its figure
    assert squeezed(page).count("1 234 567") == 2


def _rects(node) -> list[Rect]:
    if isinstance(node, Rect):
        return [node]
    if isinstance(node, Group):
        return [rect for child in node.contents for rect in _rects(child)]
    return []


def test_chart_draws_no_bar_for_a_suppressed_count():
    report = sample_report(long_rows=3)
    section = report.sections[0]
    drawing = pdf.chart_drawing(section.charts[0], section, width=400, max_height=600)
    bars = [rect for rect in _rects(drawing.getContents()[0].draw()) if rect.fillColor == pdf.BAR_COLOURS[0]]
    # three municipalities, one of them «<5»: two bars
    assert len(bars) == 2


def test_report_pdf_reports_progress_after_each_section():
    calls = []
    pdf.annual_report_pdf(sample_report(long_rows=3), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (6, 6)  # three sections, laid out twice
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    assert all(done < total for done, total in calls[:-1])
    assert len(calls) >= 4


def test_report_pdf_without_sections_is_a_title_page_and_a_note():
    report = AnnualReport(period=sample_report().period, title="Tom rapport", figures_as_of=None)
    content = pdf.annual_report_pdf(report)
    assert "Rapporten har ingen deler." in "".join(pages_text(content))


# --- The municipality sheet ---------------------------------------------------------------


def test_sheet_pdf_is_one_page_with_its_figures():
    content = pdf.municipality_sheet_pdf(sample_sheet())
    assert page_count(content) == 1
    assert font_names(content) == {"DejaVuSans", "DejaVuSans-Bold"}
    text = " ".join(pages_text(content)[0].split())  # a wrapped line joined
    assert "Ås (3021)" in text
    assert "UngMusikk · kommuneark 2020 · Medlem" in text
    assert "Tall per 05.03.2021 kl. 10.00" in text
    assert "Ås betalte 80 000 kr og fikk aktiviteter verdt 112 000 kr." in text
    assert "80 000 kr (Sats 2 (10 000–29 999 innbyggere), 20 500 innbyggere)" in text
    assert "Elever som deltok / elevtall 38 / 1 234" in text
    assert "Verdi mottatt (tildelinger + aktiviteter) 112 000,50 kr" in text
    assert "Verdi per elev 90,76 kr (nettverket: 75,10 kr)" in text
    assert "Áilu Ŋuolja musikkskole" in text
    assert f"Under grunnskolealder {SUPPRESSED}" in text
    assert text.endswith("Side 1 av 1")


def test_sheet_pdf_with_the_longest_content_is_one_page_and_whole():
    sheet = longest_sheet()
    content = pdf.municipality_sheet_pdf(sheet)
    assert page_count(content) == 1
    text = squeezed(pages_text(content)[0])
    assert "Kommunen med det aller lengste navnet ÅØ (5444)" in text
    assert "Samarbeidsområde for fag 10 120 10" in text
    assert "Aktivitetstype 9 14 9" in text
    assert "Over grunnskolealder 56" in text
    assert "nr. 6" in text  # the sixth school


def test_sheet_pdf_shrinks_rather_than_runs_over_a_page():
    """Far more than a sheet ever holds (sixty areas): still one page, every row on it."""
    sheet = replace(longest_sheet(), tables=sheet_tables(areas=60, kinds=40))
    content = pdf.municipality_sheet_pdf(sheet)
    assert page_count(content) == 1
    text = squeezed(pages_text(content)[0])
    assert "Samarbeidsområde for fag 60 720 60" in text
    assert "Aktivitetstype 40 45 40" in text


def test_chart_marks_each_hidden_value_as_the_table_does():
    """«<5» for a small count, «:» for one hidden only to protect another (core.privacy)."""
    report = sample_report(long_rows=3)
    section = report.sections[0]
    section.tables[0].rows[2]["pupils"] = HIDDEN
    content = pdf.annual_report_pdf(report)
    chart = squeezed(pages_text(content)[2].split("Elever som deltok, etter kommune")[1])
    assert [line.strip() for line in chart.splitlines() if line.strip()][:3] == [
        "Ås 1 234 567",
        f"Kautokeino {SUPPRESSED}",
        f"Nordre Follo {HIDDEN}",
    ]


def test_chart_with_bars_below_zero_leaves_room_for_their_labels():
    """A deviation from the budget can be negative: the axis starts left of the least bar."""
    report = sample_report(long_rows=3)
    section = report.sections[0]
    for row, value in zip(section.tables[0].rows, ("-5000", "250.50", "-12.25"), strict=True):
        row["value"] = Decimal(value)
    chart = Chart("avvik", "skoler", "municipality", ("value",))
    bars = pdf.chart_drawing(chart, section, width=400, max_height=600).contents[0]
    assert bars.valueAxis.valueMin < -5000
    assert bars.barLabelFormat[0](-5000.0) == "-5\xa0000,00"  # as the table: two decimals


def test_report_pdf_prints_markup_in_titles_and_cells_as_text():
    """Text from people (an activity's title, a school's name) is never read as markup."""
    report = sample_report(long_rows=3)
    report.sections[1].key = 'a"b<c>'
    report.sections[1].title = "Kor & korps <i>og</i> band"
    report.sections[1].tables[0].rows[0]["title"] = '<b>Fet</b> & "sitat" </para>'
    pages = pages_text(pdf.annual_report_pdf(report))
    assert contents_entries(pages)["Kor & korps <i>og</i> band"] == 3
    text = squeezed("\n".join(pages))
    assert "Kor & korps <i>og</i> band" in text
    assert '<b>Fet</b> & "sitat" </para> 10 1 000' in text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
@example(text="\x00 & <b> </para> ]]> \u202e")
@example(text="x" * 300)
def test_report_pdf_and_sheet_take_any_text(text):
    """Names and titles come from people (an activity's title, a school's name): any text in a
    section title, a paragraph, a cell, a sentence or a school name gives a PDF (a control
    character or a lone `&` never stops it), the sheet still one page."""
    report = sample_report(long_rows=1)
    report.sections[0].title = text
    report.sections[0].paragraphs = [text]
    report.sections[0].tables[0].rows[0]["municipality"] = text
    report.sections[2].tables[0].rows[0]["name"] = text
    assert pdf.annual_report_pdf(report).startswith(b"%PDF")
    sheet = replace(sample_sheet(), municipality_name=text, sentences=[text], schools=[text])
    assert page_count(pdf.municipality_sheet_pdf(sheet)) == 1


# --- The lead's figures, printed ------------------------------------------------------------


@pytest.fixture
def hand_network(network):
    """The hand-computed network of tests/network.py, its summaries written."""
    built = build_report_network(network)
    rollup_enrolment()
    rollup_budget()
    return built


@pytest.mark.django_db
def test_the_figures_report_prints_every_section_on_the_page_its_contents_give(hand_network):
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    content = pdf.annual_report_pdf(report)
    pages = pages_text(content)
    entries = contents_entries(pages)
    assert list(entries) == [section.title for section in report.sections]
    for title, page in entries.items():
        assert pages_with_line(pages, title)[0] == page
    for number, page in enumerate(pages, start=1):
        footer = [line for line in page.splitlines() if line.strip()][-1]
        assert footer.split()[-4:] == ["Side", str(number), "av", str(len(pages))]
    assert "Kárášjohka" in "".join(pages)
    assert font_names(content) == {"DejaVuSans", "DejaVuSans-Bold"}


@pytest.mark.django_db
def test_the_figures_sheet_is_one_page(hand_network):
    sheet = municipality_sheet(municipality=hand_network.karasjok, year=2020)
    content = pdf.municipality_sheet_pdf(sheet)
    assert page_count(content) == 1
    assert "Kárášjohka (5610)" in pages_text(content)[0]
