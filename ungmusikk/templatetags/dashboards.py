"""Drawing the dashboards' declared tables in templates."""

from django import template

register = template.Library()


@register.filter
def cell(column, value) -> str:
    """A value as its column shows it on the page (ungmusikk/dashboards/tables.py)."""
    return column.display(value)
