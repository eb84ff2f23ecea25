"""Files people open in a spreadsheet (the CSV exports of activities, dashboards and the
network overview, and the activity list as an Excel workbook): text a spreadsheet would run
as a formula stays text, a CSV is written as the person's language expects (`csv_format`),
and a workbook has typed cells (`xlsx_workbook`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.formatting import is_norwegian, money_places
from core.periods import OSLO
from core.privacy import is_suppressed

# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"): Excel and
# LibreOffice evaluate a cell that begins with one of these, also in a CSV file.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A cell as a CSV should carry it to Excel or LibreOffice: text that begins with = + - @,
    a tab or a carriage return gets a leading apostrophe, which the spreadsheet shows as
    text instead of running it as a formula (`=HYPERLINK(…)` in an activity's title). Numbers
    and every other value pass unchanged; so does text written by the portal's own number
    formatting (call it only for text a person typed)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    """`spreadsheet_cell` for every value of a row."""
    return [spreadsheet_cell(value) for value in values]


# --- How a CSV is written for the person's language -------------------------------------


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV is written for the person reading it. Norwegian Excel expects `;` between
    cells, a byte-order mark (else it reads UTF-8 as Latin-1), CRLF and a decimal comma;
    everywhere else a standard CSV (RFC 4180): `,`, plain UTF-8, CRLF and a decimal point."""

    delimiter: str
    bom: str
    decimal: str
    datetime_format: str
    date_format: str = "%Y-%m-%d"
    lineterminator: str = "\r\n"

    def writer(self, file):
        """A csv.writer for this format (`file` needs only a `write`)."""
        return csv.writer(file, delimiter=self.delimiter, lineterminator=self.lineterminator)

    def decimal_text(self, value: Any, places: int) -> str:
        """A number with `places` decimals, no grouping, this language's decimal separator."""
        return f"{Decimal(str(value)):.{places}f}".replace(".", self.decimal)

    def money_text(self, value: Any) -> str:
        """Kroner: whole kroner without decimals, else two ("8500,50" / "8500.50")."""
        value = Decimal(str(value))
        return self.decimal_text(value, money_places(value))

    def datetime_text(self, value: datetime) -> str:
        """A time in Oslo ("12.10.2019 10:00"; in English "2019-10-12 10:00")."""
        return timezone.localtime(value, OSLO).strftime(self.datetime_format)

    def date_text(self, value: date | None) -> str:
        """A day ("01.03.2020"; in English "2020-03-01"); nothing for no day."""
        return value.strftime(self.date_format) if value else ""


NORWEGIAN_CSV = CsvFormat(
    delimiter=";", bom="\ufeff", decimal=",", datetime_format="%d.%m.%Y %H:%M", date_format="%d.%m.%Y"
)
STANDARD_CSV = CsvFormat(delimiter=",", bom="", decimal=".", datetime_format="%Y-%m-%d %H:%M")


def csv_format(language: str | None = None) -> CsvFormat:
    """The CSV format for `language` (default: the active language, which LocaleMiddleware
    takes from the `django_language` cookie or Accept-Language): Norwegian for nb/no/nn,
    the standard CSV for any other; Norwegian when no language is active (LANGUAGE_CODE)."""
    return NORWEGIAN_CSV if is_norwegian(language) else STANDARD_CSV


# --- Excel workbooks with typed cells ------------------------------------------------------

# What a workbook column holds; the cell gets the matching type and number format.
# ONE_DECIMAL: a per cent (45.3, not 0.453) or a distance, shown with one decimal.
TEXT, INT, MONEY, DATETIME, DATE, ONE_DECIMAL = "text", "int", "money", "datetime", "date", "one_decimal"
XLSX_FORMATS = {
    INT: "0",
    MONEY: "#,##0.00",
    DATETIME: "dd.mm.yyyy hh:mm",
    DATE: "dd.mm.yyyy",
    ONE_DECIMAL: "0.0",
}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class XlsxSheet:
    """One sheet of a workbook: its title (made a valid, unique sheet name by `xlsx_sheets`),
    its header, what each column holds (TEXT, INT, MONEY, ONE_DECIMAL, DATE, DATETIME) and its
    rows; `widths` the columns' widths in characters (None: the spreadsheet's default)."""

    title: str
    header: Sequence[str]
    kinds: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[float] | None = None


def xlsx_workbook(title: str, header: Sequence[str], kinds: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold header row, then `rows` with typed cells: datetimes as Excel dates in
    Oslo time (Excel has no time zones), days (DATE) as Excel dates without a time, counts
    as integers, kroner as numbers shown with two decimals and grouped thousands (in the
    reader's own separators), text always as text: a
    title like `=HYPERLINK(…)` is a string cell, never a formula. Written in write-only mode,
    so a long list does not hold every cell object in memory."""
    return xlsx_sheets([XlsxSheet(title, header, kinds, rows)])


def xlsx_sheets(sheets: Iterable[XlsxSheet]) -> bytes:
    """A workbook of several sheets, each as `xlsx_workbook` writes its one: a bold, frozen
    header row, then typed cells. Sheet titles are made valid and unique (`sheet_titles`).
    Write-only, like `xlsx_workbook`."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    sheets = list(sheets)
    for spec, title in zip(sheets, sheet_titles(spec.title for spec in sheets), strict=True):
        sheet = workbook.create_sheet(title=title)
        sheet.freeze_panes = "A2"
        for index, width in enumerate(spec.widths or (), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.append([_header_cell(sheet, label, bold) for label in spec.header])
        for values in spec.rows:
            sheet.append([_xlsx_cell(sheet, value, kind) for value, kind in zip(values, spec.kinds, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ILLEGAL_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str) -> str:
    """Excel refuses a sheet name longer than 31 characters or with []:*?/\\ in it; XML, one
    with a control character."""
    return ILLEGAL_SHEET_TITLE.sub("", ILLEGAL_CHARACTERS_RE.sub("", str(title)))[:31] or "Ark1"


def sheet_titles(titles: Iterable[str]) -> list[str]:
    """The sheets' names for `titles`, in order: each valid (`_sheet_title`) and unique, a
    repeated one numbered ("Elever", "Elever (2)"; Excel compares names regardless of case).
    Titles already valid and unique come back unchanged."""
    taken: set[str] = set()
    names = []
    for title in titles:
        base = candidate = _sheet_title(title)
        number = 1
        while candidate.lower() in taken:
            number += 1
            suffix = f" ({number})"
            candidate = base[: 31 - len(suffix)] + suffix
        taken.add(candidate.lower())
        names.append(candidate)
    return names


def _header_cell(sheet, label: str, font) -> WriteOnlyCell:
    cell = _xlsx_cell(sheet, str(label), TEXT)
    cell.font = font
    return cell


def _xlsx_cell(sheet, value: Any, kind: str) -> WriteOnlyCell:
    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    if is_suppressed(value):
        kind = TEXT  # a small count hidden by core.privacy: the text "<5" in any column
    if kind == DATETIME:
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value, OSLO).replace(tzinfo=None))
    elif kind == DATE:
        # A day, never a time: a datetime given here is its day in Oslo.
        day = timezone.localtime(value, OSLO).date() if isinstance(value, datetime) else value
        cell = WriteOnlyCell(sheet, value=day)
    elif kind == INT:
        cell = WriteOnlyCell(sheet, value=int(value))
    elif kind in (MONEY, ONE_DECIMAL):
        cell = WriteOnlyCell(sheet, value=Decimal(str(value)))
    else:
        # Characters XML cannot carry (control characters) are dropped, not a crash; then the
        # cell is a string even when it looks like a formula to openpyxl.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell.data_type = "s"
        return cell
    cell.number_format = XLSX_FORMATS[kind]
    return cell
