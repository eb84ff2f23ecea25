"""Reads of the schools app. Views and other apps read schools through these."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .models import Enrolment, Membership, Municipality, MunicipalityMerger, Region, School


def school_list(*, on: date | None = None) -> QuerySet[School]:
    """All schools with municipality, region and memberships loaded."""
    return School.objects.select_related("municipality", "region").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.order_by("valid_from"))
    )


def school_list_participating(*, on: date) -> QuerySet[School]:
    """Schools that are members or pilots on a day: the ones that may take part."""
    return school_list().filter(
        memberships__in=Membership.objects.valid_on(on).filter(status__in=Membership.PARTICIPATING)
    )


def membership_status_on(*, school: School, day: date) -> str | None:
    """The school's membership status on a day, or None when it had none."""
    for membership in school.memberships.all():
        if membership.is_valid_on(day):
            return membership.status
    return None


def region_list(*, on: date | None = None) -> QuerySet[Region]:
    regions = Region.objects.all()
    return regions.valid_on(on) if on else regions


def population_of(*, municipality: Municipality, year: int) -> int | None:
    """Inhabitants of a municipality on 1 January of `year`. For a year before the
    municipality existed, the sum of its predecessors' populations (mergers and
    renumberings are followed back), so that history before a merger still adds up."""
    return population_history(municipality=municipality).get(year)


def population_history(*, municipality: Municipality) -> dict[int, int]:
    """Year → inhabitants (1 January) of the municipality's territory. For the years before
    a merger or renumbering formed it, the sum of its predecessors' figures."""
    history = dict(municipality.populations.values_list("year", "population"))
    for merger in MunicipalityMerger.objects.filter(successor=municipality).prefetch_related("predecessors"):
        before: dict[int, int] = defaultdict(int)
        for predecessor in merger.predecessors.all():
            for year, population in population_history(municipality=predecessor).items():
                if date(year, 1, 1) < merger.date:
                    before[year] += population
        for year, population in before.items():
            history.setdefault(year, population)
    return dict(sorted(history.items()))


def network_summary(*, on: date | None = None) -> dict:
    """Key figures of the network on a day, for the home page: schools by status and kind,
    regions and pupils (the latest enrolment year)."""
    on = on or timezone.localdate()
    memberships = Membership.objects.valid_on(on).select_related("school")
    by_status: dict[str, int] = defaultdict(int)
    by_kind: dict[str, int] = defaultdict(int)
    for membership in memberships:
        by_status[membership.status] += 1
        if membership.status in Membership.PARTICIPATING:
            by_kind[membership.school.kind] += 1
    latest = Enrolment.objects.order_by("-school_year").values_list("school_year", flat=True).first()
    pupils = sum(Enrolment.objects.filter(school_year=latest).values_list("pupils", flat=True)) if latest else 0
    return {
        "on": on,
        "participating": by_status[Membership.Status.MEMBER] + by_status[Membership.Status.PILOT],
        "members": by_status[Membership.Status.MEMBER],
        "pilots": by_status[Membership.Status.PILOT],
        "interested": by_status[Membership.Status.INTERESTED],
        "by_kind": {kind: by_kind[kind] for kind in School.Kind.values},
        "regions": Region.objects.valid_on(on).count(),
        "pupils": pupils,
        "pupils_year": latest,
    }


def school_list_in_period(*, start: date, end: date) -> list[dict]:
    """The schools that were members or pilots some day from `start` to `end` (excluded), by
    name, as rows of {pk, name, kind, region_id, region, municipality_id, municipality,
    municipality_number, status} — `status` that of the school's latest membership as member
    or pilot in the period (a pilot that became a member counts as a member). One query."""
    memberships = (
        Membership.objects.filter(status__in=Membership.PARTICIPATING, valid_from__lt=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("school__name", "school_id", "valid_from")
        .values(
            "school_id",
            "school__name",
            "school__kind",
            "school__region_id",
            "school__region__name",
            "school__municipality_id",
            "school__municipality__name",
            "school__municipality__number",
            "status",
        )
    )
    schools: dict[int, dict] = {}
    for row in memberships:
        schools[row["school_id"]] = {
            "pk": row["school_id"],
            "name": row["school__name"],
            "kind": row["school__kind"],
            "region_id": row["school__region_id"],
            "region": row["school__region__name"],
            "municipality_id": row["school__municipality_id"],
            "municipality": row["school__municipality__name"],
            "municipality_number": row["school__municipality__number"],
            "status": row["status"],
        }
    return list(schools.values())
