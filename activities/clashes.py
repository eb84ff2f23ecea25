"""Planning warnings (issue 15): the one home of the rules that say an activity is too close
to another, one too many in a month, or too far away for a school.

- **Clash**: another activity (not cancelled) that one of the same schools takes part in on an
  overlapping day (Oslo dates; any instrument), or within
  `PortalSetting.clash_days_same_instrument` days when both have the same instrument (the
  `instrument` field compared trimmed and without regard to case; an empty one never matches).
- **Overload**: more than `PortalSetting.max_activities_per_school_month` activities (not
  cancelled) offered to one school in one calendar month (Oslo time), the activity being saved
  counted.
- **Travel**: the distance as the crow flies (core.geo.haversine_km, as on the school dashboard)
  from a participating school's municipality to the activity's venue above
  `PortalSetting.max_travel_km`.

The form asks before saving (services.ConfirmationNeeded, "Lagre likevel"); the activity list
marks activities that clash (`activity_ids_with_clash`); the school's month view shows the
counts against the limit (`school_month_offers`). A cancelled activity is never warned about."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format

from core.periods import OSLO, SCHOOL_YEAR_MONTHS, school_year_bounds, school_year_month
from governance.models import PortalSetting
from governance.selectors import portal_settings_get
from schools.models import School

from . import selectors
from .models import Activity, Participation, Venue


def instrument_key(instrument: str | None) -> str:
    """The instrument as the clash rule compares it: trimmed, case folded ("" for none)."""
    return " ".join((instrument or "").split()).casefold()


def clash_days() -> int:
    """The setting: how many days apart two activities with the same instrument still clash."""
    return portal_settings_get().clash_days_same_instrument


def oslo_days(starts_at: datetime, ends_at: datetime) -> tuple[date, date]:
    """The first and last Oslo day an activity touches (an end before the start counts as the
    start's day)."""
    first = timezone.localtime(starts_at, OSLO).date()
    return first, max(first, timezone.localtime(ends_at, OSLO).date())


def days_apart(a: tuple[date, date], b: tuple[date, date]) -> int:
    """The days between two day ranges: 0 when they share a day, else the days from the end of
    the earlier to the start of the later (Monday and Thursday: 3)."""
    if a[0] <= b[1] and b[0] <= a[1]:
        return 0
    return (b[0] - a[1]).days if a[1] < b[0] else (a[0] - b[1]).days


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=OSLO)


def clashes_with(
    *, days: tuple[date, date], instrument: str, other_days: tuple[date, date], other_instrument: str, limit: int
) -> bool:
    """The clash rule for two activities that share a school."""
    apart = days_apart(days, other_days)
    if apart == 0:
        return True
    key = instrument_key(instrument)
    return bool(key) and key == instrument_key(other_instrument) and apart <= limit


@dataclass(frozen=True)
class Clash:
    """Another activity that a school of the one being saved also takes part in, too close."""

    activity: Activity
    schools: tuple[School, ...]
    same_day: bool


@dataclass(frozen=True)
class Overload:
    """A school offered more activities in a month than the limit (the saved one counted)."""

    school: School
    month: date  # its first day
    count: int
    limit: int
    others: list[Activity] = field(default_factory=list)  # the month's other activities, by start

    @property
    def month_label(self) -> str:
        return date_format(self.month, "F Y")


@dataclass(frozen=True)
class Travel:
    """A participating school whose municipality is farther from the venue than the limit."""

    school: School
    venue: Venue
    distance_km: float
    limit: int


def _active(status: str) -> bool:
    return status != Activity.Status.CANCELLED


def activity_clashes(
    *,
    starts_at: datetime,
    ends_at: datetime,
    schools: Sequence[School],
    instrument: str = "",
    status: str = Activity.Status.PLANNED,
    exclude_activity_id: int | None = None,
    setting: PortalSetting | None = None,
) -> list[Clash]:
    """The other activities (not cancelled) that clash with one on these days for these
    schools, soonest first, each with the schools they share. One query (two without
    `setting`)."""
    if not schools or not _active(status):
        return []
    setting = setting or portal_settings_get()
    days = oslo_days(starts_at, ends_at)
    reach = setting.clash_days_same_instrument if instrument_key(instrument) else 0
    window = (_midnight(days[0] - timedelta(days=reach)), _midnight(days[1] + timedelta(days=reach + 1)))
    rows = (
        Participation.objects.filter(
            school__in=schools, activity__starts_at__lt=window[1], activity__ends_at__gte=window[0]
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .select_related("activity__region", "school")
        .order_by("activity__starts_at", "activity_id", "school__name")
    )
    if exclude_activity_id:
        rows = rows.exclude(activity_id=exclude_activity_id)
    found: dict[int, tuple[Activity, list[School], bool]] = {}
    for row in rows:
        other = row.activity
        other_days = oslo_days(other.starts_at, other.ends_at)
        if not clashes_with(
            days=days,
            instrument=instrument,
            other_days=other_days,
            other_instrument=other.instrument,
            limit=setting.clash_days_same_instrument,
        ):
            continue
        entry = found.setdefault(other.pk, (other, [], days_apart(days, other_days) == 0))
        entry[1].append(row.school)
    return [Clash(activity=a, schools=tuple(s), same_day=same) for a, s, same in found.values()]


def activity_overloads(
    *,
    starts_at: datetime,
    schools: Sequence[School],
    status: str = Activity.Status.PLANNED,
    exclude_activity_id: int | None = None,
    setting: PortalSetting | None = None,
) -> list[Overload]:
    """The schools that, with this activity, are offered more than the limit's number of
    activities in its month (the Oslo month it starts in), each with the month's other
    activities to name. One query, two when a school is over (one more without `setting`)."""
    if not schools or not _active(status):
        return []
    setting = setting or portal_settings_get()
    limit = setting.max_activities_per_school_month
    first = timezone.localtime(starts_at, OSLO).date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    rows = Participation.objects.filter(
        school__in=schools, activity__starts_at__gte=_midnight(first), activity__starts_at__lt=_midnight(following)
    ).exclude(activity__status=Activity.Status.CANCELLED)
    if exclude_activity_id:
        rows = rows.exclude(activity_id=exclude_activity_id)
    counts = dict(
        rows.order_by().values("school_id").annotate(n=Count("activity", distinct=True)).values_list("school_id", "n")
    )
    over = [school for school in schools if counts.get(school.pk, 0) + 1 > limit]
    if not over:
        return []
    # The month's other activities of the schools over the limit, to name them (one query).
    others: dict[int, list[Activity]] = defaultdict(list)
    for row in rows.filter(school__in=over).select_related("activity__region").order_by("activity__starts_at"):
        others[row.school_id].append(row.activity)
    return [
        Overload(school=school, month=first, count=counts.get(school.pk, 0) + 1, limit=limit, others=others[school.pk])
        for school in over
    ]


def activity_travel(
    *,
    venue: Venue | None,
    schools: Sequence[School],
    status: str = Activity.Status.PLANNED,
    setting: PortalSetting | None = None,
) -> list[Travel]:
    """The participating schools farther from the venue than the limit, farthest first. One
    query for the schools' municipalities (two without `setting`); none without a venue."""
    if venue is None or not schools or not _active(status):
        return []
    setting = setting or portal_settings_get()
    limit = setting.max_travel_km
    homes = School.objects.select_related("municipality").in_bulk([school.pk for school in schools])
    far = []
    for school in schools:
        distance = selectors.school_distance_km(school=homes.get(school.pk, school), venue=venue)
        if distance > limit:
            far.append(Travel(school=school, venue=venue, distance_km=distance, limit=limit))
    return sorted(far, key=lambda travel: -travel.distance_km)


@dataclass(frozen=True)
class PlanningWarnings:
    clashes: list[Clash]
    overloads: list[Overload]
    travel: list[Travel]


def planning_warnings(
    *,
    activity: Activity,
    schools: Sequence[School],
) -> PlanningWarnings:
    """The three warnings for an activity about to be saved (its fields set, perhaps not yet
    saved) with these participating schools. Reads only."""
    if not schools or not _active(activity.status):
        return PlanningWarnings([], [], [])
    setting = portal_settings_get()
    return PlanningWarnings(
        clashes=activity_clashes(
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            schools=schools,
            instrument=activity.instrument,
            status=activity.status,
            exclude_activity_id=activity.pk,
            setting=setting,
        ),
        overloads=activity_overloads(
            starts_at=activity.starts_at,
            schools=schools,
            status=activity.status,
            exclude_activity_id=activity.pk,
            setting=setting,
        ),
        travel=activity_travel(venue=activity.venue, schools=schools, status=activity.status, setting=setting),
    )


# --- The activity list's marks ------------------------------------------------------------------


def activity_ids_with_clash(*, activities: Sequence[Activity]) -> set[int]:
    """Of these activities (their participations prefetched), those that clash with another
    activity. Two queries whatever the number of activities (the setting, the participations
    of the window the activities span), none when no activity has a school."""
    active = [a for a in activities if _active(a.status)]
    schools_of = {a.pk: {p.school_id for p in a.participations.all()} for a in active}
    active = [a for a in active if schools_of[a.pk]]
    if not active:
        return set()
    limit = portal_settings_get().clash_days_same_instrument
    spans = {a.pk: oslo_days(a.starts_at, a.ends_at) for a in active}
    window = (
        _midnight(min(span[0] for span in spans.values()) - timedelta(days=limit)),
        _midnight(max(span[1] for span in spans.values()) + timedelta(days=limit + 1)),
    )
    rows = (
        Participation.objects.filter(
            school_id__in=set().union(*schools_of.values()),
            activity__starts_at__lt=window[1],
            activity__ends_at__gte=window[0],
        )
        .exclude(activity__status=Activity.Status.CANCELLED)
        .values_list("school_id", "activity_id", "activity__starts_at", "activity__ends_at", "activity__instrument")
    )
    at_school: dict[int, list[tuple[int, tuple[date, date], str]]] = defaultdict(list)
    for school_id, activity_id, starts_at, ends_at, instrument in rows:
        at_school[school_id].append((activity_id, oslo_days(starts_at, ends_at), instrument))
    marked = set()
    for activity in active:
        for school_id in schools_of[activity.pk]:
            if any(
                other_id != activity.pk
                and clashes_with(
                    days=spans[activity.pk],
                    instrument=activity.instrument,
                    other_days=other_days,
                    other_instrument=other_instrument,
                    limit=limit,
                )
                for other_id, other_days, other_instrument in at_school[school_id]
            ):
                marked.add(activity.pk)
                break
    return marked


# --- The school's month view («Tilbud per måned») ------------------------------------------------


@dataclass(frozen=True)
class MonthOffers:
    month: date  # its first day
    count: int
    limit: int

    @property
    def over(self) -> bool:
        return self.count > self.limit

    @property
    def label(self) -> str:
        return date_format(self.month, "F Y")


def school_month_offers(*, school: School, school_year: int, setting: PortalSetting | None = None) -> list[MonthOffers]:
    """The months of a school year (August first) with the number of activities (not
    cancelled) offered to the school (it takes part) that start in each, Oslo time, against the
    limit. Two queries (one with `setting`)."""
    setting = setting or portal_settings_get()
    start, end = school_year_bounds(school_year)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    starts = (
        Activity.objects.filter(participations__school=school, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Activity.Status.CANCELLED)
        .values_list("pk", "starts_at")
        .distinct()
    )
    for _pk, starts_at in starts:
        local = timezone.localtime(starts_at, OSLO)
        counts[(local.year, local.month)] += 1
    months = [school_year_month(school_year, month) for month in SCHOOL_YEAR_MONTHS]
    return [
        MonthOffers(month=first, count=counts[(first.year, first.month)], limit=setting.max_activities_per_school_month)
        for first in months
    ]
