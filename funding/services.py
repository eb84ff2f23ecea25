"""Writes of the funding app: contributions from the tier formula, the county grant,
partner contributions, and the budget workflow (draft, lines, submit, approve, return,
revise) with an audit entry for every transition and every line change. Refusals raise
PermissionDenied (wrong person: the permissions of funding/rules.py, asked through
`user.has_perm`'s rules) or ValidationError (wrong state, unbalanced) and change nothing:
every service is one transaction and checks before it writes."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import AuditAction
from core.concurrency import version_check
from core.formatting import money_text, number_text
from core.permissions import require_perm
from core.services import audited_delete, audited_save, validated_save
from governance.models import CooperationArea, Partner
from governance.selectors import portal_settings_get
from governance.services import actor_of, audit_record
from schools.models import County, Municipality, Region, School

from . import notices
from .models import (
    ActivityBooking,
    Budget,
    BudgetAssumptions,
    BudgetLine,
    BudgetVote,
    ContributionTier,
    CountyGrant,
    MunicipalContribution,
    PartnerContribution,
)
from .selectors import (
    allocation_propose,
    allocation_units,
    allocation_units_by_region,
    budget_decision,
    budget_totals,
    contribution_due,
    municipality_list_paying,
    split_whole_kroner,
)

CENT = Decimal("0.01")
PREPARERS_ONLY = gettext_lazy("Bare daglig leder og NMH-koordinatoren endrer budsjettlinjer.")
BOOKERS_ONLY = gettext_lazy("Bare daglig leder og NMH-koordinatoren fører aktiviteter.")
# The steering group's comment on a decision: a few paragraphs at most.
COMMENT_MAX_LENGTH = 2000


@transaction.atomic
def tier_upsert(
    *,
    valid_from: date,
    min_population: int,
    max_population_below: int | None,
    amount: Decimal,
    valid_to: date | None = None,
) -> ContributionTier:
    tier = ContributionTier.objects.filter(valid_from=valid_from, min_population=min_population).first()
    return validated_save(
        tier or ContributionTier(),
        valid_from=valid_from,
        valid_to=valid_to,
        min_population=min_population,
        max_population_below=max_population_below,
        amount=amount,
    )


@transaction.atomic
def contribution_compute(*, municipality: Municipality, year: int, user=None) -> MunicipalContribution:
    """Set a municipality's contribution for a year from the tier table and that year's
    population. An amount overridden with a reason is kept; the computed amount is refreshed.
    `user` None: the loader or the budget draft's own computation."""
    due = contribution_due(municipality=municipality, year=year)
    if due is None:
        raise ValidationError(
            {
                "population": _("Folketallet for %(name)s i %(year)s mangler.")
                % {"name": municipality.name, "year": year}
            }
        )
    population, tier = due
    contribution = (
        MunicipalContribution.objects.select_for_update().filter(municipality=municipality, year=year).first()
    )
    if user is not None:
        require_perm(user, f"funding.{'add' if contribution is None else 'change'}_municipalcontribution")
    if contribution is None:
        contribution = MunicipalContribution(municipality=municipality, year=year, amount=tier.amount)
        before = None
    else:
        before = contribution.amount
        if not contribution.override_reason:
            contribution.amount = tier.amount
    validated_save(contribution, population=population, tier=tier, computed_amount=tier.amount)
    if before != contribution.amount:
        audit_record(
            actor=user,
            action=AuditAction.CONTRIBUTION_COMPUTE,
            obj=contribution,
            changes={"amount": [_money(before), _money(contribution.amount)]},
        )
    return contribution


@transaction.atomic
def contribution_override(
    *, contribution: MunicipalContribution, amount: Decimal, reason: str, user
) -> MunicipalContribution:
    """Set the amount a municipality pays to another than its tier's, with the reason."""
    require_perm(user, "funding.change_municipalcontribution", contribution)
    before = contribution.amount
    validated_save(contribution, amount=amount, override_reason=reason)
    audit_record(
        actor=user,
        action=AuditAction.CONTRIBUTION_OVERRIDE,
        obj=contribution,
        changes={"amount": [_money(before), _money(amount)]},
        comment=reason,
    )
    return contribution


@transaction.atomic
def contribution_payment_set(
    *, contribution: MunicipalContribution, user, invoiced_on: date | None, paid_on: date | None
) -> MunicipalContribution:
    """Record when a municipality's contribution was invoiced and paid."""
    require_perm(user, "funding.change_municipalcontribution", contribution)
    before = {"invoiced_on": contribution.invoiced_on, "paid_on": contribution.paid_on}
    validated_save(contribution, invoiced_on=invoiced_on, paid_on=paid_on)
    changes = {
        name: [_day(old), _day(getattr(contribution, name))]
        for name, old in before.items()
        if old != getattr(contribution, name)
    }
    if changes:
        audit_record(actor=user, action=AuditAction.CONTRIBUTION_PAYMENT, obj=contribution, changes=changes)
    return contribution


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def contributions_mark_invoiced(
    *, contributions: Iterable[MunicipalContribution], user, invoiced_on: date
) -> list[MunicipalContribution]:
    """The finance office's list: the contributions invoiced on one day, all or none (see
    `_contributions_mark`)."""
    return _contributions_mark(
        contributions, user, lambda contribution: {"invoiced_on": invoiced_on, "paid_on": contribution.paid_on}
    )


@transaction.atomic
def contributions_mark_paid(
    *, contributions: Iterable[MunicipalContribution], user, paid_on: date
) -> list[MunicipalContribution]:
    """The contributions paid on one day, all or none (see `_contributions_mark`)."""
    return _contributions_mark(
        contributions, user, lambda contribution: {"invoiced_on": contribution.invoiced_on, "paid_on": paid_on}
    )


def _contributions_mark(contributions, user, dates) -> list[MunicipalContribution]:
    """Each contribution through `contribution_payment_set` (its permission, its rules, its
    audit entry), in the caller's one transaction: a row the rules refuse (paid before it was
    invoiced) raises ValidationError naming its municipality, and nothing of the batch is
    saved. The rows are locked and read again, so a date saved meanwhile is the one checked."""
    require_perm(user, "funding.change_municipalcontribution")
    ids = sorted({contribution.pk for contribution in contributions})
    locked = list(
        MunicipalContribution.objects.select_for_update()
        .select_related("municipality")
        .filter(pk__in=ids)
        .order_by("municipality__name", "year", "pk")
    )
    for contribution in locked:
        try:
            contribution_payment_set(contribution=contribution, user=user, **dates(contribution))
        except ValidationError as error:
            raise ValidationError(
                _("%(municipality)s (%(year)s): %(error)s")
                % {
                    "municipality": contribution.municipality.name,
                    "year": contribution.year,
                    "error": " ".join(error.messages),
                }
            ) from error
    return locked


@transaction.atomic
def county_grant_set(
    *,
    year: int,
    county: County,
    amount: Decimal | None = None,
    index_factor: Decimal = Decimal("1"),
    reason: str = "",
    user=None,
) -> CountyGrant:
    """Set the county grant for a year. Without an amount it is last year's grant times the
    index factor, rounded to whole kroner. `user` None: the loader, or the budget draft's own
    indexing."""
    if amount is None:
        previous = CountyGrant.objects.filter(year=year - 1).first()
        if previous is None:
            raise ValidationError(
                {
                    "amount": _("Oppgi beløpet: det finnes ikke noe tilskudd for %(year)s å indeksregulere.")
                    % {"year": year - 1}
                }
            )
        amount = (previous.amount * index_factor).quantize(Decimal("1"))
    grant = CountyGrant.objects.filter(year=year).first() or CountyGrant()
    if user is not None:
        require_perm(user, f"funding.{'add' if grant.pk is None else 'change'}_countygrant", grant)
    before = {name: getattr(grant, name, None) for name in ("county", "index_factor", "amount")}
    if grant.pk is None:
        before = dict.fromkeys(before)
    validated_save(grant, year=year, county=county, amount=amount, index_factor=index_factor, reason=reason)
    changes = {
        name: [None if old is None else str(old), str(getattr(grant, name))]
        for name, old in before.items()
        if old != getattr(grant, name)
    }
    if changes:
        audit_record(actor=user, action=AuditAction.COUNTY_GRANT_SET, obj=grant, changes=changes, comment=reason)
    return grant


def _contribution_form(category: str) -> str:
    """Cash is the cash category; every other category is in kind."""
    if category == PartnerContribution.Category.CASH:
        return PartnerContribution.Form.CASH
    return PartnerContribution.Form.IN_KIND


@transaction.atomic
def partner_contribution_set(
    *, partner: Partner, year: int, category: str, amount: Decimal, description: str = ""
) -> PartnerContribution:
    """A partner's contribution of a category in a year, made or changed by the loader (a
    person's change goes through partner_contribution_save)."""
    row = PartnerContribution.objects.filter(partner=partner, year=year, category=category).first()
    return validated_save(
        row or PartnerContribution(),
        partner=partner,
        year=year,
        category=category,
        form=_contribution_form(category),
        amount=amount,
        description=description,
    )


@transaction.atomic
def partner_contribution_save(*, contribution: PartnerContribution, user) -> PartnerContribution:
    """A partner's contribution as a person entered it (the admin): cash or in kind follows the
    category; audited."""
    contribution.form = _contribution_form(contribution.category)
    return audited_save(
        contribution,
        user=user,
        created=AuditAction.PARTNER_CONTRIBUTION_SET,
        updated=AuditAction.PARTNER_CONTRIBUTION_SET,
    )


@transaction.atomic
def partner_contribution_delete(*, contribution: PartnerContribution, user) -> None:
    audited_delete(contribution, user=user, action=AuditAction.PARTNER_CONTRIBUTION_DELETE)


# ---------------------------------------------------------------------------------------------
# The budget workflow: draft -> submitted -> approved | returned (-> submitted again);
# approved -> a new revision (draft) that replaces it once approved.
# ---------------------------------------------------------------------------------------------

KRONE = Decimal("1")
AREA_DEFAULT_EARMARKS = Q(initiated_by__gt="")


def _lock(budget: Budget) -> Budget:
    """The budget's row, locked for the rest of the transaction, with its current values."""
    return Budget.objects.select_for_update().get(pk=budget.pk)


def _copy_into(target: Budget, source: Budget) -> Budget:
    """Give the caller's instance the saved values (only after a transition succeeded)."""
    for field in Budget._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _recorded_name(obj) -> str:
    """An object's name as the audit log keeps it: in the portal's language (bokmål), whatever
    language the person acting uses, so the record reads the same for everyone."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(obj)


def _money(value) -> str:
    return None if value is None else str(Decimal(value).quantize(CENT))


def _require_editable(budget: Budget) -> None:
    if not budget.is_editable:
        raise ValidationError(
            _("%(budget)s er %(status)s og kan ikke endres. Lag en ny revisjon for å endre et vedtatt budsjett.")
            % {"budget": budget, "status": budget.get_status_display().lower()}
        )


@transaction.atomic
def budget_assumptions_ensure(*, year: int, defaults: dict | None = None) -> BudgetAssumptions:
    """The assumptions for a year: the existing row, else a copy of last year's, else the
    report's figures with the county-initiated areas earmarked. `defaults` only apply to a
    new row."""
    existing = BudgetAssumptions.objects.filter(year=year).first()
    if existing:
        return existing
    previous = BudgetAssumptions.objects.filter(year__lt=year).order_by("-year").first()
    assumptions = BudgetAssumptions(year=year)
    areas = list(CooperationArea.objects.filter(AREA_DEFAULT_EARMARKS))
    if previous:
        for field in BudgetAssumptions._meta.concrete_fields:
            if field.name not in ("id", "year"):
                setattr(assumptions, field.attname, getattr(previous, field.attname))
        areas = list(previous.earmarked_areas.all())
    for name, value in (defaults or {}).items():
        setattr(assumptions, name, value)
    assumptions.full_clean()
    assumptions.save()
    assumptions.earmarked_areas.set(areas)
    return assumptions


@transaction.atomic
def budget_assumptions_save(
    *, assumptions: BudgetAssumptions, user, earmarked_areas: Iterable[CooperationArea]
) -> BudgetAssumptions:
    """A year's budget assumptions as a person entered them (the admin): central staff;
    audited, field by field."""
    return audited_save(
        assumptions,
        user=user,
        created=AuditAction.BUDGET_ASSUMPTIONS_CREATE,
        updated=AuditAction.BUDGET_ASSUMPTIONS_UPDATE,
        m2m={"earmarked_areas": list(earmarked_areas)},
    )


def _income_lines(*, year: int, assumptions: BudgetAssumptions, user) -> list[BudgetLine]:
    """Income computed, not typed: the county grant (last year's times the index factor
    unless set for the year), each paying municipality's contribution by tier and population,
    partners' cash; in-kind contributions listed beside them."""
    lines = []
    grant = CountyGrant.objects.filter(year=year).select_related("county").first()
    if grant is None:
        previous = CountyGrant.objects.filter(year=year - 1).select_related("county").first()
        if previous is None:
            raise ValidationError(
                {
                    "year": _("Fylkestilskuddet for %(year)s mangler, og det er ikke noe å indeksregulere.")
                    % {"year": year}
                }
            )
        grant = county_grant_set(
            year=year,
            county=previous.county,
            index_factor=assumptions.county_index_factor,
            reason=_("Fjorårets tilskudd ganget med indeksfaktoren i budsjettforutsetningene"),
            user=user,
        )
    lines.append(
        BudgetLine(
            kind=BudgetLine.Kind.COUNTY_GRANT,
            label=_("Fylkeskommunalt tilskudd, %(county)s") % {"county": grant.county.name},
            amount=grant.amount,
            note=_("Indeksfaktor %(factor)s") % {"factor": number_text(grant.index_factor, 4)},
        )
    )
    for municipality in municipality_list_paying(year=year):
        contribution = contribution_compute(municipality=municipality, year=year, user=user)
        lines.append(
            BudgetLine(
                kind=BudgetLine.Kind.MUNICIPAL_CONTRIBUTION,
                label=_("Tilskudd %(municipality)s kommune") % {"municipality": municipality.name},
                amount=contribution.amount,
                municipality=municipality,
                note=_("%(population)s innbyggere: %(tier)s")
                % {"population": number_text(contribution.population), "tier": contribution.tier},
            )
        )
    for contribution in PartnerContribution.objects.filter(year=year).select_related("partner"):
        cash = contribution.form == PartnerContribution.Form.CASH
        lines.append(
            BudgetLine(
                kind=BudgetLine.Kind.PARTNER_CASH if cash else BudgetLine.Kind.IN_KIND,
                label=f"{contribution.partner.name}: {contribution.description or contribution.get_category_display()}",
                amount=contribution.amount,
                partner=contribution.partner,
            )
        )
    return lines


def _expense_lines(*, year: int, assumptions: BudgetAssumptions, income: Decimal) -> list[BudgetLine]:
    """Central management (positions x percentage x cost), then what is left shared between
    the schools, the region pools and the earmarked areas by the assumptions' shares and key.
    The reserve is added by the caller and takes the difference."""
    lines = []
    for number, percent in enumerate(assumptions.central_percents(), start=1):
        lines.append(
            BudgetLine(
                kind=BudgetLine.Kind.CENTRAL_MANAGEMENT,
                label=_("Sentral ledelse, stilling %(number)s (%(percent)s %%)")
                % {"number": number, "percent": percent},
                amount=(assumptions.position_cost * percent / 100).quantize(KRONE),
            )
        )
    units = allocation_units(year=year)
    region_units = allocation_units_by_region(units=units)
    for unit in region_units:
        lines.append(
            BudgetLine(
                kind=BudgetLine.Kind.CENTRAL_MANAGEMENT,
                label=_("Koordinator %(region)s (%(percent)s %%)")
                % {"region": unit.name, "percent": assumptions.coordinator_percent},
                amount=(assumptions.position_cost * assumptions.coordinator_percent / 100).quantize(KRONE),
                region=unit.region,
            )
        )
    left = max(income - sum(line.amount for line in lines), Decimal(0))
    weights = assumptions.weights
    key = assumptions.get_allocation_key_display()
    school_total = (left * assumptions.school_share / 100).quantize(KRONE, rounding=ROUND_FLOOR)
    for unit, amount in zip(units, allocation_propose(units=units, total=school_total, weights=weights), strict=True):
        lines.append(
            BudgetLine(
                kind=BudgetLine.Kind.SCHOOL_ALLOCATION,
                label=_("Tildeling %(school)s") % {"school": unit.name},
                amount=amount,
                school=unit.school,
                note=_("Nøkkel: %(key)s") % {"key": key},
            )
        )
    region_total = (left * assumptions.region_share / 100).quantize(KRONE, rounding=ROUND_FLOOR)
    pools = allocation_propose(units=region_units, total=region_total, weights=weights)
    for unit, amount in zip(region_units, pools, strict=True):
        lines.append(
            BudgetLine(
                kind=BudgetLine.Kind.REGION_POOL,
                label=_("Regional pott %(region)s") % {"region": unit.name},
                amount=amount,
                region=unit.region,
                note=_("Nøkkel: %(key)s") % {"key": key},
            )
        )
    areas = list(assumptions.earmarked_areas.order_by("number"))
    earmark_total = (left * assumptions.earmark_share / 100).quantize(KRONE, rounding=ROUND_FLOOR)
    for area, amount in zip(areas, split_whole_kroner(earmark_total, [Decimal(1)] * len(areas)), strict=True):
        lines.append(
            BudgetLine(
                kind=BudgetLine.Kind.AREA_EARMARK,
                label=_("Øremerket %(area)s") % {"area": area.name_nb},
                amount=amount,
                cooperation_area=area,
            )
        )
    return lines


def _reserve_line(lines: list[BudgetLine]) -> BudgetLine:
    income = sum((line.amount for line in lines if line.is_income), Decimal(0))
    expense = sum((line.amount for line in lines if line.is_expense), Decimal(0))
    return BudgetLine(
        kind=BudgetLine.Kind.RESERVE,
        label=_("Reserve"),
        amount=max(income - expense, Decimal(0)),
        note=_("Differansen mellom inntekter og utgifter"),
    )


@transaction.atomic
def budget_draft(*, year: int, user) -> Budget:
    """Propose the budget for a year, revision 1, as a draft: income from the funding formula
    and the partners' contributions, in kind beside it, expenses from the year's assumptions,
    and a reserve line that takes the difference so the draft balances."""
    require_perm(user, "funding.add_budget", message=_("Bare daglig leder og NMH-koordinatoren lager budsjettutkast."))
    if Budget.objects.filter(year=year).exists():
        raise ValidationError(
            {
                "year": _(
                    "Det finnes allerede et budsjett for %(year)s. Rediger utkastet, eller lag en ny revisjon "
                    "av det vedtatte budsjettet."
                )
                % {"year": year}
            }
        )
    assumptions = budget_assumptions_ensure(year=year)
    lines = _income_lines(year=year, assumptions=assumptions, user=user)
    income = sum((line.amount for line in lines if line.is_income), Decimal(0))
    lines += _expense_lines(year=year, assumptions=assumptions, income=income)
    lines.append(_reserve_line(lines))
    budget = validated_save(Budget(), year=year, revision=1, status=Budget.Status.DRAFT, created_by=actor_of(user))
    for line in lines:
        line.budget = budget
        line.full_clean()
    BudgetLine.objects.bulk_create(lines)
    totals = budget_totals(budget=budget)
    audit_record(
        actor=user,
        action=AuditAction.BUDGET_DRAFT,
        obj=budget,
        changes={
            "status": [None, Budget.Status.DRAFT],
            "income": [None, _money(totals.income)],
            "expense": [None, _money(totals.expense)],
            "in_kind": [None, _money(totals.in_kind)],
        },
    )
    return budget


def _line_values(line: BudgetLine | None) -> dict[str, str | None]:
    if line is None:
        return dict.fromkeys(LINE_FIELDS)
    values = {}
    for name in LINE_FIELDS:
        value = getattr(line, name)
        if name == "amount":
            value = _money(value)
        elif isinstance(value, models.Model):
            value = str(value)
        values[name] = value
    return values


LINE_FIELDS = ("kind", "label", "amount", "region", "school", "municipality", "cooperation_area", "partner", "note")


def _audit_line(*, user, action: str, budget: Budget, before: dict, after: dict, comment: str) -> None:
    changes = {name: [before[name], after[name]] for name in LINE_FIELDS if before[name] != after[name]}
    if not changes:
        return
    changes["line"] = [before["label"], after["label"]]
    audit_record(actor=user, action=action, obj=budget, changes=changes, comment=comment)


def budget_line_check_version(*, line: BudgetLine, expected_version: int | None) -> None:
    """Refuse a change made from a form loaded at another version of `line` (the stored row)
    with EditConflict, whose message says what is stored now: someone else saved the line
    in between, and saving would overwrite their change without a word. None skips the
    check (a change that does not come from a form)."""
    amount = number_format(line.amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    version_check(
        locked=line,
        expected=expected_version,
        message=_(
            "Noen andre har endret linjen mens du redigerte. Nå er den lagret som «%(label)s», "
            "%(amount)s kr. Det du skrev, står her fortsatt: lagre igjen for å erstatte det lagrede."
        )
        % {"label": line.label, "amount": amount},
    )


def _locked_line(*, budget: Budget, line: BudgetLine, expected_version: int | None) -> BudgetLine:
    """The stored row of `line`, locked, after checking it belongs to `budget` and is still at
    the version the caller loaded."""
    current = BudgetLine.objects.select_for_update().filter(pk=line.pk, budget=budget).first()
    if current is None:
        raise ValidationError(_("Linjen hører ikke til dette budsjettet."))
    budget_line_check_version(line=current, expected_version=expected_version)
    return current


@transaction.atomic
def budget_line_set(
    *,
    budget: Budget,
    user,
    kind: str,
    label: str,
    amount: Decimal,
    line: BudgetLine | None = None,
    expected_version: int | None = None,
    region: Region | None = None,
    school: School | None = None,
    municipality: Municipality | None = None,
    cooperation_area: CooperationArea | None = None,
    partner: Partner | None = None,
    note: str = "",
    comment: str = "",
) -> BudgetLine:
    """Add a line to a draft or returned budget, or change one (`line`). Refused for anyone
    but central staff and for a budget that is submitted or approved, and with EditConflict
    when `expected_version` (the version the person's form was loaded from) is no longer the
    line's: every write gives the line its next version."""
    locked = _lock(budget)
    require_perm(user, "funding.change_budget", message=PREPARERS_ONLY)
    _require_editable(locked)
    current = None
    if line is not None and line.pk:
        current = _locked_line(budget=locked, line=line, expected_version=expected_version)
    before = _line_values(current)
    saved = validated_save(
        current or BudgetLine(budget=locked),
        kind=kind,
        label=label,
        amount=amount,
        region=region,
        school=school,
        municipality=municipality,
        cooperation_area=cooperation_area,
        partner=partner,
        note=note,
        version=current.version + 1 if current else 1,
    )
    _audit_line(
        user=user,
        action=AuditAction.BUDGET_LINE_CHANGE if current else AuditAction.BUDGET_LINE_ADD,
        budget=locked,
        before=before,
        after=_line_values(saved),
        comment=comment,
    )
    if line is not None:
        line.pk, line.version = saved.pk, saved.version
    return saved


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, user, comment: str = "", expected_version: int | None = None) -> None:
    """Delete a line of a draft or returned budget; refused as budget_line_set is, also when
    the line changed since the person's form was loaded (`expected_version`)."""
    locked = _lock(line.budget)
    require_perm(user, "funding.change_budget", message=PREPARERS_ONLY)
    _require_editable(locked)
    current = _locked_line(budget=locked, line=line, expected_version=expected_version)
    before = _line_values(current)
    current.delete()
    _audit_line(
        user=user,
        action=AuditAction.BUDGET_LINE_DELETE,
        budget=locked,
        before=before,
        after=dict.fromkeys(LINE_FIELDS),
        comment=comment,
    )


@transaction.atomic
def budget_rebalance(*, budget: Budget, user) -> BudgetLine:
    """Let the reserve line take the difference between income and the other expenses."""
    locked = _lock(budget)
    require_perm(user, "funding.change_budget", message=PREPARERS_ONLY)
    _require_editable(locked)
    reserve = locked.lines.filter(kind=BudgetLine.Kind.RESERVE).order_by("pk").first()
    target = budget_totals(budget=locked).balance + (reserve.amount if reserve else Decimal(0))
    if target < 0:
        raise ValidationError(
            _("Utgiftene er %(amount)s kr større enn inntektene, og reserven kan ikke bli negativ. Reduser en linje.")
            % {"amount": _money(-target)}
        )
    return budget_line_set(
        budget=locked,
        user=user,
        line=reserve,
        kind=BudgetLine.Kind.RESERVE,
        label=reserve.label if reserve else _("Reserve"),
        amount=target,
        note=reserve.note if reserve else _("Differansen mellom inntekter og utgifter"),
        comment=_("Reserven tar differansen"),
    )


@transaction.atomic
def budget_allocate(*, budget: Budget, user, key: str | None = None) -> Budget:
    """Share the budget's school allocations and region pools again under a key (the year's
    assumptions' key when none is given), keeping their totals; the reserve is untouched.
    Every changed line is audited."""
    locked = _lock(budget)
    require_perm(user, "funding.change_budget", message=PREPARERS_ONLY)
    _require_editable(locked)
    if key is not None and key not in BudgetAssumptions.AllocationKey.values:
        raise ValidationError({"key": _("Velg en av fordelingsnøklene.")})
    assumptions = budget_assumptions_ensure(year=locked.year)
    if key is not None:
        assumptions = BudgetAssumptions(**{**_assumption_values(assumptions), "allocation_key": key})
    weights = assumptions.weights
    units = allocation_units(year=locked.year)
    for kind, unit_list, attr in (
        (BudgetLine.Kind.SCHOOL_ALLOCATION, units, "school"),
        (BudgetLine.Kind.REGION_POOL, allocation_units_by_region(units=units), "region"),
    ):
        existing = {getattr(line, f"{attr}_id"): line for line in locked.lines.filter(kind=kind)}
        total = sum((line.amount for line in existing.values()), Decimal(0))
        for unit, amount in zip(
            unit_list, allocation_propose(units=unit_list, total=total, weights=weights), strict=True
        ):
            target = getattr(unit, attr)
            line = existing.get(target.pk)
            if line and line.amount == amount:
                continue
            budget_line_set(
                budget=locked,
                user=user,
                line=line,
                kind=kind,
                label=line.label if line else unit.name,
                amount=amount,
                **{attr: target},
                note=_("Nøkkel: %(key)s") % {"key": assumptions.get_allocation_key_display()},
                comment=_("Fordelt etter nøkkel: %(key)s") % {"key": assumptions.get_allocation_key_display()},
            )
    return _copy_into(budget, locked)


def _assumption_values(assumptions: BudgetAssumptions) -> dict:
    return {f.attname: getattr(assumptions, f.attname) for f in BudgetAssumptions._meta.concrete_fields}


@transaction.atomic
def budget_update(*, budget: Budget, user, notes: str, expected_version: int | None = None) -> Budget:
    """Change a draft or returned budget's notes. `expected_version` is the version the form
    was drawn from: when someone else saved the notes since, nothing is saved and EditConflict
    says what is stored now."""
    locked = _lock(budget)
    require_perm(user, "funding.change_budget", message=_("Bare daglig leder og NMH-koordinatoren endrer budsjettet."))
    _require_editable(locked)
    if locked.notes != notes:
        version_check(locked=locked, expected=expected_version, message=budget_notes_conflict_message(locked))
        audit_record(actor=user, action=AuditAction.BUDGET_UPDATE, obj=locked, changes={"notes": [locked.notes, notes]})
        validated_save(locked, notes=notes, version=locked.version + 1)
    return _copy_into(budget, locked)


def budget_notes_conflict_message(budget: Budget) -> str:
    """What the notes say now, for a person whose form was drawn before someone else saved."""
    return _(
        "Noen andre har endret notatene mens du redigerte. Nå står det: «%(notes)s». Det du skrev, står her "
        "fortsatt: lagre igjen for å erstatte det lagrede."
    ) % {"notes": budget.notes or "–"}


@transaction.atomic
def budget_submit(*, budget: Budget, user) -> Budget:
    """Lay a draft (or a returned budget) before the steering group. Only the daily leader or
    the NMH coordinator; only a balanced budget. Each submission is numbered (`submission`):
    the votes of an earlier one do not count. The portal's decision rule of the moment is kept
    with the submission (`decision_rule`): the votes on it are counted by that rule, even if
    central staff change the setting meanwhile. The seated members are told by e-mail."""
    locked = _lock(budget)
    budget_submit_check(budget=locked, user=user)
    totals = budget_totals(budget=locked)
    before = locked.status
    validated_save(
        locked,
        status=Budget.Status.SUBMITTED,
        submission=locked.submission + 1,
        decision_rule=portal_settings_get().budget_decision_rule,
        submitted_at=timezone.now(),
        submitted_by=user,
        decided_at=None,
        decided_by=None,
    )
    audit_record(
        actor=user,
        action=AuditAction.BUDGET_SUBMIT,
        obj=locked,
        changes={"status": [before, locked.status], "total": [None, _money(totals.income)]},
    )
    notices.budget_submitted_notify(budget=locked)
    return _copy_into(budget, locked)


def _check_comment(comment: str) -> None:
    """A decision's comment is stored in the audit log: a few paragraphs of text."""
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "comment": _("Kommentaren kan være på høyst %(limit)s tegn; denne har %(length)s.")
                % {"limit": COMMENT_MAX_LENGTH, "length": len(comment)}
            }
        )
    if "\x00" in comment:
        raise ValidationError({"comment": _("Kommentaren inneholder et tegn som ikke kan lagres (nulltegn).")})
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in comment):
        raise ValidationError(
            {"comment": _("Kommentaren inneholder et kontrolltegn som ikke hører hjemme i tekst. Skriv den på nytt.")}
        )


def _check_may_decide(*, budget: Budget, user) -> None:
    """The checks before a vote, in this order: who (PermissionDenied), the budget's state
    (ValidationError), never the person who submitted it (PermissionDenied), one vote per member
    and submission (ValidationError). The permission funding.decide_budget is asked without and
    then with the budget (funding/rules.py)."""
    require_perm(
        user,
        "funding.decide_budget",
        message=_("Bare styringsgruppens leder og medlemmer kan stemme over budsjettet."),
    )
    if budget.status != Budget.Status.SUBMITTED:
        raise ValidationError(
            _("Bare et framlagt budsjett kan behandles; %(budget)s er %(status)s.")
            % {"budget": budget, "status": budget.get_status_display().lower()}
        )
    if budget.submitted_by_id == user.pk:
        require_perm(
            user,
            "funding.decide_budget",
            budget,
            message=_(
                "Den som la fram budsjettet, kan ikke selv stemme over det. Styringsgruppens medlemmer behandler det."
            ),
        )
    vote = budget.votes.filter(submission=budget.submission, voter_id=user.pk).first()
    if vote is not None:
        raise ValidationError(
            _("Du har allerede stemt over %(budget)s (%(choice)s). Hvert medlem har én stemme.")
            % {"budget": budget, "choice": vote.get_choice_display().lower()}
        )
    require_perm(user, "funding.decide_budget", budget)


def budget_vote_check(*, budget: Budget, user) -> None:
    """Whether `user` may vote on `budget` now, as `budget_approve` and `budget_return` check
    it, without writing (the confirmation page asks before it shows the vote's form). Raises
    PermissionDenied or ValidationError with the reason."""
    _check_may_decide(budget=budget, user=user)


def budget_submit_check(*, budget: Budget, user) -> None:
    """Whether `user` may lay `budget` before the steering group now, as `budget_submit`
    checks it, without writing. Raises PermissionDenied or ValidationError with the reason."""
    require_perm(
        user, "funding.submit_budget", message=_("Bare daglig leder og NMH-koordinatoren kan legge fram budsjettet.")
    )
    _require_editable(budget)
    totals = budget_totals(budget=budget)
    if not totals.is_balanced:
        raise ValidationError(
            _("Budsjettet er ikke i balanse: inntekter %(income)s, utgifter %(expense)s.")
            % {"income": money_text(totals.income), "expense": money_text(totals.expense)}
        )


def _check_submission(*, budget: Budget, submission: int | None) -> None:
    """A vote is for the submission the member saw: refused when the budget was laid forward
    again since (`submission` None: the caller does not know, e.g. a script)."""
    if submission is not None and submission != budget.submission:
        raise ValidationError(
            _(
                "%(budget)s er lagt fram på nytt siden du åpnet siden, og tallene kan være endret. Stemmen din er "
                "ikke registrert: se over budsjettet og stem på nytt."
            )
            % {"budget": budget}
        )


def _vote(*, budget: Budget, user, choice: str, comment: str) -> BudgetVote:
    """Record a vote on the budget's current submission (the budget row is locked by the caller)."""
    return validated_save(
        BudgetVote(budget=budget, submission=budget.submission, voter=user, choice=choice, comment=comment)
    )


@transaction.atomic
def budget_approve(*, budget: Budget, user, comment: str = "", submission: int | None = None) -> Budget:
    """A steering-group member's vote to approve a submitted budget (one vote per member and
    submission; not the person who submitted it), audited. When the votes meet the decision rule
    (governance/decisions.py; the rule the budget was laid forward with, `Budget.decision_rule`,
    see `funding.selectors.budget_decision`) the budget is
    approved: read-only from then on, `decided_by` is the member whose vote completed it, and the
    submitter and the members are told by e-mail. When it is a revision, the revision it replaces
    stays approved and readable, and is superseded: `budget_in_force` gives the newest approved
    revision.

    The budget's row is locked first, so two members voting at the same moment are counted one
    after the other: both votes are recorded and the budget is approved once. Returns the budget
    (the caller's instance, refreshed): `status` says whether this vote decided it.

    `submission` is the submission the member saw (the confirmation page's): when the budget has
    been returned and laid forward again since, the vote is refused (ValidationError) instead of
    counting for figures the member did not see."""
    locked = _lock(budget)
    _check_may_decide(budget=locked, user=user)
    _check_submission(budget=locked, submission=submission)
    _check_comment(comment)
    if not budget_totals(budget=locked).is_balanced:
        raise ValidationError(_("Budsjettet er ikke i balanse og kan ikke vedtas."))
    _vote(budget=locked, user=user, choice=BudgetVote.Choice.APPROVE, comment=comment)
    audit_record(actor=user, action=AuditAction.BUDGET_VOTE, obj=locked, changes={}, comment=comment)
    decision = budget_decision(budget=locked)
    if not decision.met:
        return _copy_into(budget, locked)
    before = locked.status
    validated_save(locked, status=Budget.Status.APPROVED, decided_at=timezone.now(), decided_by=user)
    audit_record(
        actor=user,
        action=AuditAction.BUDGET_APPROVE,
        obj=locked,
        changes={
            "status": [before, locked.status],
            "rule": [None, decision.rule],
            "approved_by": [
                None,
                ", ".join(row.seat.name for row in decision.seats if row.seat.user_id in decision.approved_by),
            ],
        },
        comment=comment,
    )
    if locked.replaces_id:
        audit_record(
            actor=user,
            action=AuditAction.BUDGET_SUPERSEDED,
            obj=locked.replaces,
            changes={"replaced_by": [None, _recorded_name(locked)]},
            comment=comment,
        )
    notices.budget_decided_notify(budget=locked, comment=comment)
    return _copy_into(budget, locked)


@transaction.atomic
def budget_return(*, budget: Budget, user, comment: str, submission: int | None = None) -> Budget:
    """A steering-group member's vote to send a submitted budget back to the case preparers,
    with the comment (required): one such vote returns it at once, recorded as the member's
    vote. A returned budget can be edited and submitted again; its votes then start afresh."""
    locked = _lock(budget)
    _check_may_decide(budget=locked, user=user)
    _check_submission(budget=locked, submission=submission)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Skriv hvorfor budsjettet sendes tilbake.")})
    _check_comment(comment)
    _vote(budget=locked, user=user, choice=BudgetVote.Choice.RETURN, comment=comment)
    before = locked.status
    validated_save(locked, status=Budget.Status.RETURNED, decided_at=timezone.now(), decided_by=user)
    audit_record(
        actor=user,
        action=AuditAction.BUDGET_RETURN,
        obj=locked,
        changes={"status": [before, locked.status]},
        comment=comment,
    )
    notices.budget_decided_notify(budget=locked, comment=comment)
    return _copy_into(budget, locked)


@transaction.atomic
def budget_revise(*, budget: Budget, user) -> Budget:
    """Start a new revision of an approved budget: a draft copy of its lines with the next
    revision number that points to it. It goes through submission and approval again; the
    approved one stays as it is until then (and readable after)."""
    locked = _lock(budget)
    require_perm(
        user, "funding.revise_budget", message=_("Bare daglig leder og NMH-koordinatoren lager nye revisjoner.")
    )
    if locked.status != Budget.Status.APPROVED:
        raise ValidationError(_("Bare et vedtatt budsjett kan revideres; rediger heller utkastet."))
    successor = Budget.objects.filter(replaces=locked).first()
    if successor is not None:
        raise ValidationError(
            _("%(budget)s er allerede under revisjon (%(successor)s).") % {"budget": locked, "successor": successor}
        )
    latest = Budget.objects.filter(year=locked.year).order_by("-revision").values_list("revision", flat=True).first()
    revision = validated_save(
        Budget(),
        year=locked.year,
        revision=latest + 1,
        status=Budget.Status.DRAFT,
        replaces=locked,
        notes=locked.notes,
        created_by=actor_of(user),
    )
    copies = []
    for line in locked.lines.order_by("pk"):
        line.pk = None
        line.budget = revision
        line.version = 1
        copies.append(line)
    BudgetLine.objects.bulk_create(copies)
    audit_record(
        actor=user,
        action=AuditAction.BUDGET_REVISE,
        obj=revision,
        changes={"status": [None, Budget.Status.DRAFT], "replaces": [None, _recorded_name(locked)]},
    )
    audit_record(
        actor=user,
        action=AuditAction.BUDGET_REVISE,
        obj=locked,
        changes={"replaced_by": [None, _recorded_name(revision)]},
    )
    return revision


# ---------------------------------------------------------------------------------------------
# Booking activities against the budget
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def activity_booking_set(
    *,
    activity,
    user,
    kind: str,
    region: Region | None = None,
    school: School | None = None,
    cooperation_area: CooperationArea | None = None,
) -> ActivityBooking:
    """Book an activity's costs on a region's pool, a school's allocation or an area's
    earmark (instead of the default rule). Central staff only; audited."""
    booking = ActivityBooking.objects.select_for_update().filter(activity=activity).first()
    require_perm(
        user,
        f"funding.{'add' if booking is None else 'change'}_activitybooking",
        booking,
        message=BOOKERS_ONLY,
    )
    before = str(booking.target) if booking else None
    booking = validated_save(
        booking or ActivityBooking(activity=activity),
        kind=kind,
        region=region,
        school=school,
        cooperation_area=cooperation_area,
        booked_by=actor_of(user),
    )
    if before != str(booking.target):
        audit_record(
            actor=user,
            action=AuditAction.ACTIVITY_BOOKING_SET,
            obj=booking,
            changes={"target": [before, f"{booking.get_kind_display()}: {booking.target}"]},
        )
    return booking


@transaction.atomic
def activity_booking_clear(*, activity, user) -> None:
    """Remove an activity's booking: it is booked by the default rule again."""
    require_perm(user, "funding.delete_activitybooking", message=BOOKERS_ONLY)
    booking = ActivityBooking.objects.select_for_update().filter(activity=activity).first()
    if booking is None:
        return
    audit_record(
        actor=user,
        action=AuditAction.ACTIVITY_BOOKING_CLEAR,
        obj=booking,
        changes={"target": [str(booking.target), None]},
    )
    booking.delete()
