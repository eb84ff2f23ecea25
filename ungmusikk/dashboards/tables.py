"""One declaration per table, rendered four ways: the page's HTML table, the CSV download
(in Norwegian: semicolon, decimal comma, UTF-8 with BOM, as Norwegian spreadsheets expect; in
English a standard CSV), the PDF, and the
charts, whose numbers are a table's columns. A column says what it shows (`kind`), so each
rendering formats it the same way wherever it appears."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.exports import CsvFormat, csv_format, spreadsheet_cell
from core.formatting import date_text, datetime_text, money_places, money_text, number_text
from core.privacy import SUPPRESSED_SORT_VALUE, is_suppressed

# What a column shows; how the page, the CSV and the PDF write it.
TEXT, INT, MONEY, PERCENT, BOOL, DATE, DATETIME, KM = (
    "text",
    "int",
    "money",
    "percent",
    "bool",
    "date",
    "datetime",
    "km",
)
NUMERIC = {INT, MONEY, PERCENT, KM}


@dataclass(frozen=True)
class Column:
    """A column: its key in a row (a dict or an object), its heading, what it shows, and
    optionally how to get its value and how to sort by it."""

    key: str
    label: Any  # a (lazy) translated string
    kind: str = TEXT
    get: Callable[[Any], Any] | None = None
    sort_key: Callable[[Any], Any] | None = None

    def value(self, row) -> Any:
        if self.get is not None:
            return self.get(row)
        return row[self.key] if isinstance(row, dict) else getattr(row, self.key)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    def sort_value(self, row):
        """What the table sorts by: the column's own sort key, else its value (empty last
        when ascending: numbers sort with None as below every value)."""
        if self.sort_key is not None:
            return self.sort_key(row)
        value = self.value(row)
        if self.numeric:
            if is_suppressed(value):  # a small count hidden by core.privacy: sorts as one
                return SUPPRESSED_SORT_VALUE
            return Decimal(-1) if value is None else value
        return str(value or "").lower()

    def display(self, value, *, money_places: int | None = None) -> str:
        """As the page and the PDF show it, in the request's language (core/formatting.py):
        grouped thousands, the decimal comma in Norwegian, "01.01.2014", "05.03.2020 kl.
        10.00". Money with `money_places` decimals when given (a table gives one for the
        whole column), else two only when the amount has øre."""
        if value is None or value == "":
            return "–"
        if is_suppressed(value):
            return value
        if self.kind == BOOL:
            return _("ja") if value else _("nei")
        if self.kind == INT:
            return number_text(value)
        if self.kind == MONEY:
            return money_text(value, places=money_places, unit=False)
        if self.kind in (PERCENT, KM):
            return number_text(value, 1)
        if self.kind == DATETIME:
            return datetime_text(value)
        if self.kind == DATE:
            return date_text(value)
        return str(value)

    def csv(self, value, csv_text: CsvFormat | None = None) -> str:
        """As the CSV writes it: no grouping, the decimal separator of the language (a comma
        in Norwegian, a point in English; `csv_format`), nothing for no value."""
        if value is None:
            return ""
        if is_suppressed(value):
            return value
        csv_text = csv_text or csv_format()
        if self.kind == BOOL:
            return _("ja") if value else _("nei")
        if self.kind == MONEY:
            return csv_text.money_text(value)
        if self.kind in (PERCENT, KM):
            return csv_text.decimal_text(value, 1)
        if self.kind == DATETIME:
            return csv_text.datetime_text(value)
        if isinstance(value, date | datetime):
            return value.isoformat()
        return str(value)


@dataclass
class Table:
    """A table: its name (in URLs: /tabell/<name>.csv), title, columns and rows."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: list = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def values(self, row) -> list:
        return [column.value(row) for column in self.columns]

    @property
    def display_rows(self) -> list[list[str]]:
        """The rows as the page shows them; a money column has the same number of decimals in
        every row (two when any amount in it has øre)."""
        places = {
            column.key: max(
                (money_places(value) for row in self.rows if (value := column.value(row)) is not None), default=0
            )
            for column in self.columns
            if column.kind == MONEY
        }
        return [
            [column.display(column.value(row), money_places=places.get(column.key)) for column in self.columns]
            for row in self.rows
        ]

    @property
    def body_html(self) -> str:
        """The table's body rows as the page shows them, escaped: the first cell a row header,
        numbers aligned right. Built in one pass rather than by the template engine: a long
        table (a school's named pupils) renders in a fraction of the time."""
        opening = ['<th scope="row">'] + [
            '<td class="text-end">' if column.numeric else "<td>" for column in self.columns[1:]
        ]
        closing = ["</th>"] + ["</td>"] * (len(self.columns) - 1)
        parts = []
        for cells in self.display_rows:
            parts.append("<tr>")
            for start, text, end in zip(opening, cells, closing, strict=True):
                parts += (start, escape(text), end)
            parts.append("</tr>\n")
        return mark_safe("".join(parts))  # noqa: S308 - every cell is escaped above

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def sorted(self, key: str, *, descending: bool = False) -> Table:
        column = self.column(key)
        rows = sorted(self.rows, key=column.sort_value, reverse=descending)
        return Table(self.name, self.title, self.columns, rows)


def table_csv(table: Table) -> str:
    """The table as a CSV for the person's language (core.exports.csv_format): in Norwegian
    `;`, decimal comma, BOM, CRLF; in English a standard CSV (`,`, decimal point). A text
    cell that a spreadsheet would run as a formula is written as text (core.exports)."""
    csv_text = csv_format()
    buffer = io.StringIO()
    buffer.write(csv_text.bom)
    writer = csv_text.writer(buffer)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(
            [
                column.csv(column.value(row), csv_text)
                if column.numeric
                else spreadsheet_cell(column.csv(column.value(row), csv_text))
                for column in table.columns
            ]
        )
    return buffer.getvalue()


@dataclass(frozen=True)
class Chart:
    """A chart drawn from a table: one label column and one dataset per value column,
    optionally over the rows that `include` keeps."""

    key: str
    table: str
    label: str  # the key of the column that labels the x axis
    values: tuple[str, ...]
    include: Callable[[Any], bool] | None = None

    def data(self, tables: dict[str, Table]) -> dict:
        table = tables[self.table]
        rows = [row for row in table.rows if self.include is None or self.include(row)]
        label = table.column(self.label)
        return {
            "labels": [str(label.value(row)) for row in rows],
            "datasets": [
                {
                    "label": str(table.column(key).label),
                    # a count hidden by core.privacy is no bar: null, and the table says "<5"
                    "data": [None if is_suppressed(value := table.column(key).value(row)) else value for row in rows],
                }
                for key in self.values
            ],
        }
