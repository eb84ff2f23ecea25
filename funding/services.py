"""Writes of the funding app: contributions from the tier formula, the county grant and
partner contributions. (The budget workflow builds on these.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.models import Partner
from governance.services import audit_record
from schools.models import County, Municipality

from .models import ContributionTier, CountyGrant, MunicipalContribution, PartnerContribution
from .selectors import contribution_due

CENT = Decimal("0.01")


def _save(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


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
    return _save(
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
    population. An amount overridden with a reason is kept; the computed amount is refreshed."""
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
    if contribution is None:
        contribution = MunicipalContribution(municipality=municipality, year=year, amount=tier.amount)
        before = None
    else:
        before = contribution.amount
        if not contribution.override_reason:
            contribution.amount = tier.amount
    _save(contribution, population=population, tier=tier, computed_amount=tier.amount)
    if before != contribution.amount:
        audit_record(
            actor=user,
            action="contribution_compute",
            obj=contribution,
            changes={"amount": [str(before), str(contribution.amount)]},
        )
    return contribution


@transaction.atomic
def contribution_override(
    *, contribution: MunicipalContribution, amount: Decimal, reason: str, user
) -> MunicipalContribution:
    before = contribution.amount
    _save(contribution, amount=amount, override_reason=reason)
    audit_record(
        actor=user,
        action="contribution_override",
        obj=contribution,
        changes={"amount": [str(before), str(amount)]},
        comment=reason,
    )
    return contribution


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
    index factor, rounded to whole kroner."""
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
    before = grant.amount
    _save(grant, year=year, county=county, amount=amount, index_factor=index_factor, reason=reason)
    if before != grant.amount:
        audit_record(
            actor=user,
            action="county_grant_set",
            obj=grant,
            changes={"amount": [str(before), str(amount)]},
            comment=reason,
        )
    return grant


@transaction.atomic
def partner_contribution_set(
    *, partner: Partner, year: int, category: str, amount: Decimal, description: str = ""
) -> PartnerContribution:
    form = (
        PartnerContribution.Form.CASH
        if category == PartnerContribution.Category.CASH
        else PartnerContribution.Form.IN_KIND
    )
    row = PartnerContribution.objects.filter(partner=partner, year=year, category=category).first()
    return _save(
        row or PartnerContribution(),
        partner=partner,
        year=year,
        category=category,
        form=form,
        amount=amount,
        description=description,
    )
