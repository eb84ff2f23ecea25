"""Total, bounded parsers for what a URL or a query string says.

Every value a person (or a crawler) can type into an address bar goes through one of these:
each returns the parsed value or None, never raises, and never hands the database a number it
cannot store. Only ASCII digits count as digits ("²" or "١" are not numbers here, although
`str.isdigit()` says they are)."""

from __future__ import annotations

import re
from datetime import date, datetime

from .bounds import FIRST_YEAR, LAST_YEAR

# The largest value a 64-bit signed integer column (SQLite INTEGER, PostgreSQL bigint) holds.
MAX_ID = 2**63 - 1

# At most 19 significant digits; leading zeros add nothing («0002» is 2).
_DIGITS = re.compile(r"0*([0-9]{1,19})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def int_param(raw: str | None, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number from ASCII digits within [minimum, maximum], or None.

    >>> int_param("12", maximum=20), int_param("²"), int_param("99999999999999999999999")
    (12, None, None)
    >>> int_param("00000000000000000000002")
    2
    """
    match = _DIGITS.fullmatch(raw) if raw is not None else None
    if match is None:
        return None
    value = int(match.group(1))
    return value if minimum <= value <= maximum else None


def id_param(raw: str | None) -> int | None:
    """A database id (1 … 2⁶³−1) or None."""
    return int_param(raw, minimum=1)


def year_param(raw: str | None, *, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> int | None:
    """A year within [first, last] (by default the portal's 2000–2100), or None."""
    return int_param(raw, minimum=first, maximum=last)


def month_param(raw: str | None, *, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> date | None:
    """The first day of a month written `YYYY-MM` (the calendar's `?maaned=`), or None when
    the value is not a month of the years first–last."""
    match = _MONTH.fullmatch(raw or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (first <= year <= last and 1 <= month <= 12):
        return None
    return date(year, month, 1)


_WEEK = re.compile(r"([0-9]{4})-W([0-9]{1,2})")


def week_param(raw: str | None, *, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> date | None:
    """The Monday of an ISO 8601 week written `YYYY-Www` (the calendar's `?uke=`, as
    `<input type="week">` sends it), or None when it is no week of the years first–last.

    >>> week_param("2020-W07"), week_param("2020-W53"), week_param("2021-W53")
    (datetime.date(2020, 2, 10), datetime.date(2020, 12, 28), None)
    """
    match = _WEEK.fullmatch(raw or "")
    if not match:
        return None
    year, week = int(match[1]), int(match[2])
    if not first <= year <= last:
        return None
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        return None


def choice_param(raw: str | None, choices: list[str] | tuple[str, ...], default: str) -> str:
    """One of `choices`, or `default` when the value is anything else."""
    return raw if raw in choices else default


def datetime_param(raw: str | None) -> datetime | None:
    """An ISO 8601 time with its offset (as the forms' hidden `opened_at` carries it) within
    the portal's years, or None."""
    if not raw or len(raw) > 40:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if value.tzinfo is None or not (FIRST_YEAR <= value.year <= LAST_YEAR):
        return None
    return value
