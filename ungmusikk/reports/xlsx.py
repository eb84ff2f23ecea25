"""The annual report as an Excel workbook (openpyxl, write-only): a first sheet «Om rapporten»
(the title, the period, when the figures were summed, and which sheet holds which table),
then one sheet per table of the report, in the report's order.

Cells are typed as the table's columns say (core/exports.py): counts as integers, kroner as
numbers with two decimals ("#,##0.00"), per cents as numbers with one ("0.0": 45.3 is 45.3 %,
as the page writes it), text as text with anything a spreadsheet would run as a formula
neutralised (`spreadsheet_cell`), and a suppressed small count as the text "<5"."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import (
    DATE,
    DATETIME,
    INT,
    MONEY,
    ONE_DECIMAL,
    TEXT,
    XlsxSheet,
    sheet_titles,
    spreadsheet_cell,
    xlsx_sheets,
)
from core.formatting import datetime_text
from core.periods import OSLO
from core.privacy import is_suppressed
from ungmusikk.dashboards import tables as report_tables
from ungmusikk.dashboards.tables import Column, Table

from .shapes import PERIOD_KINDS, AnnualReport

# A report column's kind -> the workbook's (core.exports); a yes/no is written as its text.
XLSX_KINDS = {
    report_tables.TEXT: TEXT,
    report_tables.INT: INT,
    report_tables.MONEY: MONEY,
    report_tables.PERCENT: ONE_DECIMAL,
    report_tables.KM: ONE_DECIMAL,
    report_tables.DATE: DATE,
    report_tables.DATETIME: DATETIME,
    report_tables.BOOL: TEXT,
}
MIN_WIDTH, MAX_WIDTH = 8, 60  # a column's width in characters


def _cell(column: Column, value):
    if value is None or is_suppressed(value):
        return value
    if column.kind == report_tables.BOOL:
        return column.display(value)
    if XLSX_KINDS.get(column.kind, TEXT) == TEXT:
        return spreadsheet_cell(str(value))
    return value


def _widths(table: Table) -> list[float]:
    """Each column as wide as its header or its widest cell as the page writes it (grouped
    thousands take room too), within MIN_WIDTH..MAX_WIDTH."""
    rows = table.display_rows
    return [
        min(MAX_WIDTH, max(MIN_WIDTH, len(label) + 2, *(len(row[index]) + 2 for row in rows)))
        for index, label in enumerate(table.header)
    ]


def table_sheet(table: Table, title: str) -> XlsxSheet:
    """One report table as a workbook sheet named `title`."""
    return XlsxSheet(
        title=title,
        header=table.header,
        kinds=[XLSX_KINDS.get(column.kind, TEXT) for column in table.columns],
        rows=([_cell(column, column.value(row)) for column in table.columns] for row in table.rows),
        widths=_widths(table),
    )


def annual_report_xlsx(report: AnnualReport) -> bytes:
    """The annual report as an .xlsx workbook (bytes): «Om rapporten», then one sheet per
    table (`report.tables`), each named after its table's title (at most 31 characters,
    without the characters Excel refuses, numbered when two are alike), a bold frozen header
    row and typed cells."""
    about = _("Om rapporten")
    if report.figures_as_of is None:
        as_of = _("Tallene er ikke oppsummert ennå.")
    else:
        with timezone.override(OSLO):
            as_of = datetime_text(report.figures_as_of)
    names = sheet_titles([about, *(table.title for table in report.tables)])
    sections = [section.title for section in report.sections for _table in section.tables]
    about_rows = [
        [_("Periode"), f"{PERIOD_KINDS[report.period.kind]} {report.period.label}", None],
        [_("Tall per"), as_of, None],
        [None, None, None],
        [_("Ark"), _("Tabell"), _("Del")],
        *(
            [name, table.title, section]
            for name, table, section in zip(names[1:], report.tables, sections, strict=True)
        ),
    ]
    sheets = [
        XlsxSheet(
            title=names[0],
            header=[report.title, "", ""],
            kinds=[TEXT, TEXT, TEXT],
            rows=[[spreadsheet_cell(value) for value in row] for row in about_rows],
            widths=[32, 50, 40],
        ),
        *(table_sheet(table, name) for table, name in zip(report.tables, names[1:], strict=True)),
    ]
    return xlsx_sheets(sheets)
