"""The portal's number formats in templates (core/formatting.py): `{{ amount|kr }}`,
`{{ share|percent }}`, `{{ count|number }}`. Dates use Django's `date` filter with the named
formats: `{{ day|date }}`, `{{ moment|date:"DATETIME_FORMAT" }}`."""

from django import template

from core.formatting import money_text, number_text, percent_text

register = template.Library()


@register.filter
def kr(value) -> str:
    """An amount in NOK: "1 234 567 kr"."""
    return money_text(value) if value not in (None, "") else "–"


@register.filter
def percent(value, places: int = 1) -> str:
    """A percentage: "2,7 %"."""
    return percent_text(value, int(places)) if value not in (None, "") else "–"


@register.filter
def number(value, places: int = 0) -> str:
    """A number grouped by thousands: "12 000"."""
    return number_text(value, int(places)) if value not in (None, "") else "–"
