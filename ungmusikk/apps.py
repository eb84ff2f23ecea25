from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UngmusikkConfig(AppConfig):
    name = "ungmusikk"
    verbose_name = _("UngMusikk-portalen")
