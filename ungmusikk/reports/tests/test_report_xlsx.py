"""The annual report's workbook (issue 16), opened again with openpyxl: «Om rapporten» first,
one sheet per table, typed cells, «<5» as text and no formula."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from activities.rollups import rollup_enrolment
from core.exports import sheet_titles, spreadsheet_cell
from core.privacy import HIDDEN, SUPPRESSED
from funding.rollups import rollup_budget
from ungmusikk.dashboards.tables import INT, MONEY, TEXT, Column, Table
from ungmusikk.reports.figures import annual_report
from ungmusikk.reports.shapes import CALENDAR_YEAR, ReportPeriod
from ungmusikk.reports.xlsx import annual_report_xlsx

from .builders import FORMULA_TEXT, SAMI_NAMES, sample_report
from .network import build_report_network


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(io.BytesIO(annual_report_xlsx(sample_report())))


def rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_xlsx_has_an_about_sheet_then_one_sheet_per_table(workbook):
    assert workbook.sheetnames == ["Om rapporten", "Skoler etter kommune", "Aktiviteter i perioden", "Lærere fra NMH"]
    assert rows(workbook["Om rapporten"]) == [
        ["Årsrapport for UngMusikk", None, None],
        ["Periode", "Kalenderår 2020", None],
        ["Tall per", "05.03.2021 kl. 10.00", None],  # 09:00 UTC in Oslo
        [None, None, None],
        ["Ark", "Tabell", "Del"],
        ["Skoler etter kommune", "Skoler etter kommune", "Nettverket i tall"],
        ["Aktiviteter i perioden", "Aktiviteter i perioden", "Aktivitetene"],
        ["Lærere fra NMH", "Lærere fra NMH", "Folk og lærere"],
    ]


def test_xlsx_without_summed_figures_says_so():
    report = replace(sample_report(long_rows=1), figures_as_of=None)
    sheet = load_workbook(io.BytesIO(annual_report_xlsx(report)))["Om rapporten"]
    assert sheet["B3"].value == "Tallene er ikke oppsummert ennå."


def test_xlsx_cells_are_typed_by_their_column(workbook):
    sheet = workbook["Skoler etter kommune"]
    assert rows(sheet) == [
        ["Kommune", "Elever som deltok", "Elevtall", "Andel (%)", "Verdi (kr)"],
        ["Ås", 1234567, 2345678, 52.6, 80000],
        ["Kautokeino", SUPPRESSED, 412, SUPPRESSED, 10497.19],
        ["Nordre Follo", 38, 1200, 3.2, 112000],
    ]
    assert [cell.font.b for cell in sheet[1]] == [True] * 5
    assert sheet.freeze_panes == "A2"
    ås = sheet[2]
    assert [cell.data_type for cell in ås] == ["s", "n", "n", "n", "n"]
    assert [cell.number_format for cell in ås[1:]] == ["0", "0", "0.0", "#,##0.00"]
    assert isinstance(ås[1].value, int)
    kautokeino = sheet[3]
    assert (kautokeino[1].data_type, kautokeino[3].data_type) == ("s", "s")  # «<5» is text
    assert Decimal(str(kautokeino[4].value)) == Decimal("10497.19")


def test_xlsx_writes_sami_names_and_never_a_formula(workbook):
    sheet = workbook["Lærere fra NMH"]
    assert rows(sheet) == [
        ["Navn", "Aktiviteter"],
        [SAMI_NAMES[0], 7],
        [SAMI_NAMES[1], 3],
        ["'" + FORMULA_TEXT, 0],
    ]
    assert sheet["A4"].data_type == "s"


def test_xlsx_columns_are_as_wide_as_their_text(workbook):
    sheet = workbook["Lærere fra NMH"]
    # the widest text as the page writes it, and a little room
    assert sheet.column_dimensions["A"].width == len(FORMULA_TEXT) + 2
    assert sheet.column_dimensions["B"].width == len("Aktiviteter") + 2


def test_xlsx_long_table_keeps_every_row(workbook):
    sheet = workbook["Aktiviteter i perioden"]
    assert sheet.max_row == 121
    assert rows(sheet)[-1] == ["Aktivitet nummer 120", 1200, 120000]
    assert sheet["C121"].number_format == "#,##0.00"


def test_xlsx_sheet_names_are_valid_and_unique():
    """Titles Excel would refuse (too long, with []:*?/\\) or that repeat another's."""
    columns = [Column("name", "Navn", TEXT), Column("count", "Antall", INT)]
    report = sample_report(long_rows=1)
    report.sections[0].tables = [
        Table("a", "Elever: per skole/kommune [2020]?", columns, [{"name": "A", "count": 1}]),
        Table("b", "elever: per skole/kommune [2020]", columns, [{"name": "B", "count": 2}]),
        Table("c", "Et svært langt navn på en tabell som ikke får plass", columns, []),
        Table("d", "Om rapporten", columns, []),
    ]
    report.sections[1].tables = []
    report.sections[2].tables = []
    workbook = load_workbook(io.BytesIO(annual_report_xlsx(report)))
    assert workbook.sheetnames == [
        "Om rapporten",
        "Elever per skolekommune 2020",
        "elever per skolekommune 202 (2)",  # 31 characters with its number
        "Et svært langt navn på en tabel",
        "Om rapporten (2)",
    ]
    assert rows(workbook["elever per skolekommune 202 (2)"]) == [["Navn", "Antall"], ["B", 2]]
    assert sheet_titles(workbook.sheetnames) == workbook.sheetnames  # valid and unique as they are


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=300))
@example(text="=1+1\x00\x1b")
@example(text="'")
def test_xlsx_takes_any_text_in_a_cell_or_title(text):
    """A text cell keeps its text (less the control characters XML cannot carry), never as a
    formula; any table title gives a valid sheet name."""
    report = sample_report(long_rows=1)
    report.sections[2].tables[0].rows[0]["name"] = text
    report.sections[2].tables[0].title = text
    workbook = load_workbook(io.BytesIO(annual_report_xlsx(report)))
    sheet = workbook.worksheets[-1]
    cell = sheet["A2"]
    kept = ILLEGAL_CHARACTERS_RE.sub("", spreadsheet_cell(text))
    assert cell.value == (kept or None)
    assert cell.data_type != "f"  # never a formula
    assert len(workbook.sheetnames) == 4


@pytest.mark.django_db
def test_the_figures_report_gives_a_sheet_per_table(network):
    build_report_network(network)
    rollup_enrolment()
    rollup_budget()
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    workbook = load_workbook(io.BytesIO(annual_report_xlsx(report)))
    assert len(workbook.sheetnames) == 1 + len(report.tables)
    for table, sheet in zip(report.tables, workbook.worksheets[1:], strict=True):
        assert [cell.value for cell in sheet[1]] == table.header
        assert sheet.max_row == 1 + len(table.rows)
        for index, column in enumerate(table.columns):
            values = [row[index].value for row in sheet.iter_rows(min_row=2)]
            if column.kind == INT:  # a count, or the mark of one hidden
                assert all(isinstance(value, int) or value in (SUPPRESSED, HIDDEN, None) for value in values)
            if column.kind == MONEY:
                assert all(isinstance(value, int | float) or value is None for value in values)
