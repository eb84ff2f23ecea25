"""The names of what the audit log records (AuditEntry.action), with the label a person reads.
Services write `AuditAction.ACTIVITY_UPDATE`, never a free string; pages show the label.

The log itself is governance's table (`AuditEntry`); `audit_record` here lets the apps below
governance (schools) write to it without importing it: governance hands its writer over when
the apps are ready (`governance.apps`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
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
    BUDGET_VOTE = "budget_vote", _("stemte for å vedta budsjettet")
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
    PARTNER_CONTRIBUTION_SET = "partner_contribution_set", _("satte partnerbidrag")
    PARTNER_CONTRIBUTION_DELETE = "partner_contribution_delete", _("slettet partnerbidrag")
    CONTRIBUTION_PAYMENT = "contribution_payment", _("førte fakturering eller betaling")
    BUDGET_ASSUMPTIONS_CREATE = "budget_assumptions_create", _("la til budsjettforutsetninger")
    BUDGET_ASSUMPTIONS_UPDATE = "budget_assumptions_update", _("endret budsjettforutsetningene")
    # Governance (governance.services)
    ROLE_ASSIGN = "role_assign", _("ga en rolle")
    ROLE_UPDATE = "role_update", _("endret en rolle")
    ROLE_DELETE = "role_delete", _("fjernet en rolle")
    PARTNER_CREATE = "partner_create", _("la til samarbeidspart")
    PARTNER_UPDATE = "partner_update", _("endret samarbeidspart")
    AGREEMENT_CREATE = "agreement_create", _("la til avtale")
    AGREEMENT_UPDATE = "agreement_update", _("endret avtale")
    BODY_CREATE = "body_create", _("opprettet organ")
    BODY_UPDATE = "body_update", _("endret organ")
    PORTAL_SETTING_UPDATE = "portal_setting_update", _("endret portalinnstillingene")
    # Schools (schools.services)
    SCHOOL_CREATE = "school_create", _("la til skole")
    SCHOOL_UPDATE = "school_update", _("endret skole")
    MEMBERSHIP_CREATE = "membership_create", _("la til medlemskap")
    MEMBERSHIP_UPDATE = "membership_update", _("endret medlemskap")
    MEMBERSHIP_DELETE = "membership_delete", _("slettet medlemskap")
    ENROLMENT_CREATE = "enrolment_create", _("førte elevtall")
    ENROLMENT_UPDATE = "enrolment_update", _("endret elevtall")
    ENROLMENT_DELETE = "enrolment_delete", _("slettet elevtall")
    POPULATION_CREATE = "population_create", _("førte folketall")
    POPULATION_UPDATE = "population_update", _("endret folketall")
    PUPIL_CREATE = "pupil_create", _("la til elev")
    PUPIL_UPDATE = "pupil_update", _("endret elev")
    PUPIL_DELETE = "pupil_delete", _("slettet elev")
    # Pupils' privacy (activities.privacy)
    PUPIL_ERASE = "pupil_erase", _("slettet elevens personopplysninger")
    PUPILS_RETENTION = "pupils_retention", _("pseudonymiserte elever etter oppbevaringstiden")
    # Logins (governance.services.profile_feide_subject_set)
    FEIDE_SUBJECT_SET = "feide_subject_set", _("koblet til Feide-konto")
    # Reports (ungmusikk.reports.links): a signed link to a municipality's sheet
    SHEET_LINK_SHARE = "sheet_link_share", _("delte en lenke til kommunearket")
    # Two factors for the admin (ungmusikk.two_factor.services)
    TWO_FACTOR_ENABLE = "two_factor_enable", _("tok i bruk tofaktorinnlogging")
    TWO_FACTOR_RECOVERY_CODES = "two_factor_recovery_codes", _("lagde nye gjenopprettingskoder")
    TWO_FACTOR_RECOVERY_CODE_USE = "two_factor_recovery_code_use", _("brukte en gjenopprettingskode")
    TWO_FACTOR_DISABLE = "two_factor_disable", _("fjernet tofaktorinnloggingen")


AuditWriter = Callable[..., Any]
_writer: AuditWriter | None = None


def audit_writer_set(writer: AuditWriter) -> None:
    """Governance hands over the function that appends to its audit log (at start-up)."""
    global _writer  # noqa: PLW0603 - one writer for the process, set once when the apps are ready
    _writer = writer


def audit_record(
    *, actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None, comment: str = ""
) -> Any:
    """Append an audit entry (inside the transaction of the change it records). `changes`
    maps a field to `[old, new]`."""
    if _writer is None:
        raise ImproperlyConfigured("The audit log's writer is not set: is the governance app installed?")
    return _writer(actor=actor, action=action, obj=obj, changes=changes, comment=comment)
