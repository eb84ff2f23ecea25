from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The reports for readers outside the portal (issue 16): the annual report (årsrapport)
    of the network for a calendar year or a school year, and the one-page municipality sheet
    (kommuneark). On the top floor: they compose the figures of every data app, read from the
    summary tables the nightly rollups write. Its one table keeps the generated files of the
    annual report (PDF, .xlsx) and the progress of their generation."""

    name = "ungmusikk.reports"
    label = "reports"
    verbose_name = _("Rapporter")
