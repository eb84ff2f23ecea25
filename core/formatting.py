"""How the portal writes numbers, money, percentages, dates and times for people to read, in
the language of the request — one home for every page, table, PDF and message:

- Norwegian bokmål: 1 234 567 kr, 10 497,19 kr, 2,7 %, 01.01.2014, 05.03.2020 kl. 10.00
  (the date formats are ungmusikk/formats/nb/formats.py);
- English: NOK 1,234,567, NOK 10,497.19, 2.7%, Jan. 1, 2014, March 5, 2020, 10 a.m.

Templates use the filters of core/templatetags/formatting.py (`kr`, `percent`, `number`) and
Django's `date` filter with the named formats ("DATE_FORMAT", "DATETIME_FORMAT"). Times are
stored in UTC and written in Europe/Oslo."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language

NBSP = "\xa0"


NORWEGIAN_LANGUAGES = ("nb", "no", "nn")


def is_norwegian(language: str | None = None) -> bool:
    """Whether `language` (default: the request's; the site's LANGUAGE_CODE when none is
    active) is Norwegian: bokmål, or no/nn should they come."""
    return (language or get_language() or settings.LANGUAGE_CODE).lower().startswith(NORWEGIAN_LANGUAGES)


def number_text(value: int | float | Decimal, places: int = 0) -> str:
    """A number grouped by thousands with `places` decimals: "1 234 567", "2,7"."""
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def money_places(value: Decimal | int) -> int:
    """0 for whole kroner, else 2 (øre)."""
    amount = Decimal(value)
    return 0 if amount == amount.to_integral() else 2


def money_text(value: Decimal | int | None, *, places: int | None = None, unit: bool = True) -> str:
    """An amount in NOK: "1 234 567 kr", "10 497,19 kr" (English "NOK 1,234,567"); two
    decimals when it has øre unless `places` says otherwise (a table gives one number of
    places for a whole column); "–" for no amount."""
    if value is None:
        return "–"
    text = number_text(Decimal(value), money_places(value) if places is None else places)
    if not unit:
        return text
    return f"{text}{NBSP}kr" if is_norwegian() else f"NOK{NBSP}{text}"


def percent_text(value: Decimal | float | None, places: int = 1) -> str:
    """A percentage: "2,7 %" (English "2.7%"); "–" for none."""
    if value is None:
        return "–"
    text = number_text(value, places)
    return f"{text}{NBSP}%" if is_norwegian() else f"{text}%"


def date_text(value: date | None) -> str:
    """A day: "01.01.2014" (English "Jan. 1, 2014")."""
    return "–" if value is None else date_format(value, "DATE_FORMAT")


def datetime_text(value: datetime | None) -> str:
    """A time in Oslo: "05.03.2020 kl. 10.00" (English "March 5, 2020, 10 a.m."). The
    Norwegian form is written directly: a long table calls this for every row."""
    if value is None:
        return "–"
    local = timezone.localtime(value)
    if is_norwegian():
        return f"{local:%d.%m.%Y} kl. {local:%H.%M}"
    return date_format(local, "DATETIME_FORMAT")
