from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: machinery every data app shares (bounded parsing of what a request
    says, one-time form tokens, template helpers). It imports none of the portal's apps."""

    name = "core"
    verbose_name = _("Felles")
