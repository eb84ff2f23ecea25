from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Økonomi")

    def ready(self) -> None:
        from governance.presentation import register_audit_fields

        from . import signals  # noqa: F401  (follows activities' changes for the money rollup)
        from .models import Budget, BudgetLine
        from .selectors import BUDGET_AUDIT_FIELDS

        # A budget's entries, wherever the log is read (its page, the admin's central log): its
        # totals, rule and voters, and its lines' changes (recorded on the budget).
        register_audit_fields(Budget._meta.label_lower, BUDGET_AUDIT_FIELDS, also=(BudgetLine,))
