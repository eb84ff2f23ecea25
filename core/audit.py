"""The names of what the audit log records (AuditEntry.action), with the label a person reads.
Services write `AuditAction.ACTIVITY_UPDATE`, never a free string; pages show the label."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Activities (activities.services)
    ACTIVITY_CREATE = "activity_create", _("opprettet")
    ACTIVITY_UPDATE = "activity_update", _("endret")
    ACTIVITY_CANCEL = "activity_cancel", _("avlyst")
    PARTICIPATION_IMPORT = "participation_import", _("importerte deltakelse")
    # Budgets and money (funding.services)
    ACTIVITY_BOOKING_SET = "activity_booking_set", _("førte aktiviteten")
    ACTIVITY_BOOKING_CLEAR = "activity_booking_clear", _("fjernet føringen av aktiviteten")
    BUDGET_DRAFT = "budget_draft", _("laget budsjettutkast")
    BUDGET_UPDATE = "budget_update", _("endret budsjettet")
    BUDGET_SUBMIT = "budget_submit", _("la fram budsjettet")
    BUDGET_APPROVE = "budget_approve", _("vedtok budsjettet")
    BUDGET_RETURN = "budget_return", _("sendte budsjettet tilbake")
    BUDGET_REVISE = "budget_revise", _("laget ny revisjon")
    BUDGET_SUPERSEDED = "budget_superseded", _("budsjettet ble erstattet")
    BUDGET_LINE_ADD = "budget_line_add", _("la til budsjettlinje")
    BUDGET_LINE_CHANGE = "budget_line_change", _("endret budsjettlinje")
    BUDGET_LINE_DELETE = "budget_line_delete", _("slettet budsjettlinje")
    CONTRIBUTION_COMPUTE = "contribution_compute", _("beregnet kommunens tilskudd")
    CONTRIBUTION_OVERRIDE = "contribution_override", _("overstyrte kommunens tilskudd")
    COUNTY_GRANT_SET = "county_grant_set", _("satte fylkets tilskudd")
    # Governance (governance.services)
    ROLE_ASSIGN = "role_assign", _("ga en rolle")
