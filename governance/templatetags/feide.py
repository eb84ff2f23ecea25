"""The «Logg inn med Feide» button of the login pages: drawn only when Feide login is on
(settings.FEIDE_ENABLED), carrying the page's `next` on to the login."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("registration/feide_button.html", takes_context=True)
def feide_login_button(context, css_class: str = "btn btn-outline-primary w-100"):
    if not getattr(settings, "FEIDE_ENABLED", False):
        return {"feide_url": ""}
    url = reverse("oidc_authentication_init")
    next_url = context.get("next") or ""
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    return {"feide_url": url, "css_class": css_class}
