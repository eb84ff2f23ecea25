"""Reads of the funding app."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from schools.models import Municipality
from schools.selectors import population_of

from .models import Budget, ContributionTier, MunicipalContribution


def tier_for(*, population: int, year: int) -> ContributionTier | None:
    """The tier in force on 1 January of `year` whose band covers `population`."""
    for tier in ContributionTier.objects.valid_on(date(year, 1, 1)).order_by("min_population"):
        if tier.covers(population):
            return tier
    return None


def contribution_list(*, year: int | None = None) -> QuerySet[MunicipalContribution]:
    contributions = MunicipalContribution.objects.select_related("municipality", "tier")
    return contributions.filter(year=year) if year else contributions


def contribution_due(*, municipality: Municipality, year: int) -> tuple[int, ContributionTier] | None:
    """(population, tier) that the formula gives a municipality for a year, or None when
    the population of that year is unknown."""
    population = population_of(municipality=municipality, year=year)
    if population is None:
        return None
    tier = tier_for(population=population, year=year)
    return (population, tier) if tier else None


def budget_list() -> QuerySet[Budget]:
    return Budget.objects.select_related("created_by", "submitted_by", "decided_by", "replaces")
