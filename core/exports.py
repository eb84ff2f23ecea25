"""Files people open in a spreadsheet (the CSV exports of activities, dashboards and the
network overview)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
