"""How people are named on the portal's pages."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's full name, else their username; "systemet" for what no person did (the demo
    loader, a nightly job) — entries without an actor are normal, never an error."""
    if user is None:
        return _("systemet")
    return user.get_full_name() or user.get_username()
