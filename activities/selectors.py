"""Reads of the activities app. Views fetch activities only through these, scoped to the
user, so an activity a user may not see is a 404."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from core.geo import haversine_km
from core.periods import OSLO, school_year_bounds, term_bounds, term_label
from governance.models import AuditEntry
from governance.selectors import (
    UserLike,
    portal_settings_get,
    region_list_coordinated_by,
    role_facts,
    user_has_any_role,
    user_is_central_staff,
)
from schools.models import Pupil, Region, School

from .models import Activity, Participation


def activity_list_visible_to(*, user: UserLike) -> QuerySet[Activity]:
    """Every activity for anyone with a role in the network; nothing for anyone else."""
    if not user_has_any_role(user=user):
        return Activity.objects.none()
    return Activity.objects.select_related("region", "host_school", "venue")


def activity_list_for_listing(*, user: UserLike) -> QuerySet[Activity]:
    """The visible activities with what a list row shows loaded (areas, participations with
    their school). Paginate before evaluating: the prefetches then cover one page."""
    return activity_list_visible_to(user=user).prefetch_related(
        "cooperation_areas",
        Prefetch("participations", queryset=Participation.objects.select_related("school").order_by("school__name")),
    )


def activity_get(*, user: UserLike, pk: int) -> Activity:
    """One visible activity with its areas, participations (schools, named pupils) and costs;
    raises Activity.DoesNotExist when the user may not see it."""
    return (
        activity_list_visible_to(user=user)
        .select_related("created_by", "updated_by")
        .prefetch_related(
            "cooperation_areas",
            "costs",
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("school").prefetch_related("named_pupils"),
            ),
        )
        .get(pk=pk)
    )


def activity_list_alike(
    *, user: UserLike, title: str, region: Region, starts_at: datetime, exclude_activity_id: int | None = None
) -> QuerySet[Activity]:
    """Visible activities (not cancelled) with the same title (ignoring case and surrounding
    spaces), region and start as the one being saved: almost surely the same activity."""
    alike = (
        activity_list_visible_to(user=user)
        .filter(title__iexact=title.strip(), region=region, starts_at=starts_at)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("pk")
    )
    return alike.exclude(pk=exclude_activity_id) if exclude_activity_id else alike


def region_ids_editable_by(*, user: UserLike) -> set[int] | None:
    """The regions whose activities a user may create and edit: None means all (central
    staff), an empty set none. Cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    if user_is_central_staff(user=user):
        return None
    # The regions a coordinator covers, from the roles the request has read already.
    return set(role_facts(user=user).coordinator_region_ids)


def region_list_editable_by(*, user: UserLike) -> QuerySet[Region]:
    ids = region_ids_editable_by(user=user)
    regions = Region.objects.order_by("name")
    return regions if ids is None else regions.filter(pk__in=ids)


def activity_list_editable_by(*, user: UserLike) -> QuerySet[Activity]:
    ids = region_ids_editable_by(user=user)
    activities = activity_list_visible_to(user=user)
    return activities if ids is None else activities.filter(region_id__in=ids)


def school_list_for_participation() -> QuerySet[School]:
    """Schools offered in the participation rows: every school that has ever been a member,
    pilot or interested (the service refuses those not taking part on the activity's date)."""
    return School.objects.filter(memberships__isnull=False).distinct().select_related("region").order_by("name")


def activity_counted_q(prefix: str = "", *, until: datetime | None = None) -> Q:
    """Activities that count as taken part in: not cancelled, and started (before `until`,
    by default now). The dashboards' live figures and the nightly rollups both count by this
    rule; `prefix` reaches the activity from another model ("activity__")."""
    until = until or timezone.now()
    return ~Q(**{f"{prefix}status": Activity.Status.CANCELLED}) & Q(**{f"{prefix}starts_at__lt": until})


NMH_TEACHER_SEPARATORS = re.compile(r"\s*(?:[,;/&+\n]|\bog\b|\band\b)\s*", re.IGNORECASE)


def nmh_teacher_names(text: str) -> list[str]:
    """The NMH teachers an activity's «NMH-lærere» names, each once, as people type the field:
    "Ingrid Haugland, Per Vik og Kari Nordmann" → three names. Names are separated by a comma,
    semicolon, slash, «&», «+», a line break, «og» or «and»; spaces are tidied and a name that
    differs only in letter case is the same person. The one home of the rule (the rollup counts
    the teachers involved with it)."""
    names: dict[str, str] = {}
    for part in NMH_TEACHER_SEPARATORS.split(text or ""):
        name = " ".join(part.split())
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def pupil_load_threshold() -> int:
    return portal_settings_get().pupil_load_threshold


@dataclass(frozen=True)
class PupilLoad:
    pupil: Pupil
    count: int
    term: str


def pupil_load_warnings(
    *,
    pupils: Sequence[Pupil],
    starts_at: datetime,
    exclude_activity_id: int | None = None,
    threshold: int | None = None,
) -> list[PupilLoad]:
    """Named pupils who already take part in the threshold's number of activities or more in
    the term of `starts_at` (cancelled activities don't count; the activity being edited is
    left out), in the order of `pupils`. `threshold` None: the portal's setting."""
    if not pupils:
        return []
    threshold = pupil_load_threshold() if threshold is None else threshold
    start, end = term_bounds(timezone.localtime(starts_at, OSLO).date())
    links = Participation.named_pupils.through.objects.filter(
        pupil__in=pupils, participation__activity__starts_at__gte=start, participation__activity__starts_at__lt=end
    ).exclude(participation__activity__status=Activity.Status.CANCELLED)
    if exclude_activity_id:
        links = links.exclude(participation__activity_id=exclude_activity_id)
    counts = dict(
        links.values("pupil_id")
        .annotate(activities=Count("participation__activity", distinct=True))
        .values_list("pupil_id", "activities")
    )
    label = term_label(timezone.localtime(starts_at, OSLO).date())
    return [
        PupilLoad(pupil=pupil, count=counts[pupil.pk], term=label)
        for pupil in pupils
        if counts.get(pupil.pk, 0) >= threshold
    ]


def activity_ids_with_pupil_load(*, activities: Sequence[Activity]) -> set[int]:
    """Of these activities, those with a named pupil who takes part in more than the
    threshold's number of activities in the same term (so the pupil already had the
    threshold's number besides this one). One query for the threshold, one for the links."""
    active = [a for a in activities if a.status != Activity.Status.CANCELLED]
    if not active:
        return set()
    bounds = [term_bounds(timezone.localtime(a.starts_at, OSLO).date()) for a in active]
    window_start, window_end = min(b[0] for b in bounds), max(b[1] for b in bounds)
    through = Participation.named_pupils.through.objects
    # Two small queries rather than one with a subquery: the planner then walks the pupil
    # index instead of joining every participation of the window.
    page_links = list(
        through.filter(participation__activity_id__in=[a.pk for a in active]).values_list(
            "participation__activity_id", "pupil_id"
        )
    )
    if not page_links:
        return set()
    # Per pupil and month the distinct activities, counted by the database (an activity starts in
    # one month, so a term's count is the sum of its months): a few rows per pupil, not one per link.
    rows = (
        through.filter(
            pupil_id__in={pupil_id for _activity_id, pupil_id in page_links},
            participation__activity__starts_at__gte=window_start,
            participation__activity__starts_at__lt=window_end,
        )
        .exclude(participation__activity__status=Activity.Status.CANCELLED)
        .annotate(
            year=ExtractYear("participation__activity__starts_at", tzinfo=OSLO),
            month=ExtractMonth("participation__activity__starts_at", tzinfo=OSLO),
        )
        .values("pupil_id", "year", "month")
        .annotate(activities=Count("participation__activity_id", distinct=True))
        .values_list("pupil_id", "year", "month", "activities")
        .order_by()
    )
    threshold = pupil_load_threshold()
    per_pupil_term: dict[tuple[int, datetime], int] = defaultdict(int)
    pupils_of: dict[int, set[int]] = defaultdict(set)
    for activity_id, pupil_id in page_links:
        pupils_of[activity_id].add(pupil_id)
    for pupil_id, year, month, count in rows:
        per_pupil_term[(pupil_id, term_bounds(date(year, month, 1))[0])] += count
    marked = set()
    for activity, (term, _end) in zip(active, bounds, strict=True):
        if any(per_pupil_term[(pupil_id, term)] > threshold for pupil_id in pupils_of[activity.pk]):
            marked.add(activity.pk)
    return marked


def pupil_names_visible(*, user: UserLike, school: School | None) -> bool:
    """Whether the user may see the names of pupils named at `school` (the one rule,
    schools.view_pupil_names: the school's rector, its region's coordinator, central staff)."""
    return school is not None and user.has_perm("schools.view_pupil_names", school)


def participations_with_names_shown(*, user: UserLike, activity: Activity) -> list[Participation]:
    """The activity's participations, each marked `names_shown`: whether the user may see the
    names of the pupils named there (else a page shows how many)."""
    participations = list(activity.participations.all())
    for participation in participations:
        participation.names_shown = pupil_names_visible(user=user, school=participation.school)
    return participations


def activity_history_names_shown(*, user: UserLike, participations: Sequence[Participation]) -> bool:
    """Whether the activity's history may show values that can hold pupils' names (its
    participation): to central staff, and to whoever may see names at every school of the
    activity. An activity without participation now may have named pupils in its history at
    schools it no longer has: central staff only."""
    if user.has_perm("schools.view_pupil_names"):
        return True
    return bool(participations) and all(p.names_shown for p in participations)


def activity_history(*, activity: Activity) -> QuerySet[AuditEntry]:
    """The activity's audit entries, oldest first, with who made them."""
    return (
        AuditEntry.objects.filter(object_type=Activity._meta.label_lower, object_id=str(activity.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def activity_history_since(*, activity: Activity, since: datetime | None) -> QuerySet[AuditEntry]:
    """The activity's audit entries made after `since` (what others saved while a person had
    the edit form open); the latest entry alone when `since` is unknown."""
    history = activity_history(activity=activity)
    if since is None:
        latest = history.order_by("-at", "-id").values_list("pk", flat=True)[:1]
        return history.filter(pk__in=list(latest))
    return history.filter(at__gt=since)


def activity_list_lacking_figures(*, activities: QuerySet[Activity], now: datetime | None = None) -> QuerySet[Activity]:
    """Activities that have taken place (not cancelled) but have no participation figures."""
    now = now or timezone.now()
    return (
        activities.filter(starts_at__lt=now)
        .exclude(status=Activity.Status.CANCELLED)
        .filter(
            ~Exists(Participation.objects.filter(activity=OuterRef("pk"), pupils__gt=0))
            & ~Exists(Participation.objects.filter(activity=OuterRef("pk"), teachers__gt=0))
        )
    )


def coordinator_overview(*, user: UserLike, limit: int = 8, now: datetime | None = None) -> dict | None:
    """A coordinator's start page: their regions' upcoming and recent activities and what
    still lacks participation figures. None for someone who coordinates no region."""
    regions = list(region_list_coordinated_by(user=user))
    if not regions:
        return None
    now = now or timezone.now()
    mine = Activity.objects.filter(region__in=regions).select_related("region", "host_school")
    lacking = activity_list_lacking_figures(activities=mine, now=now)
    return {
        "regions": regions,
        "upcoming": list(
            mine.filter(starts_at__gte=now).exclude(status=Activity.Status.CANCELLED).order_by("starts_at")[:limit]
        ),
        "recent": list(
            mine.filter(starts_at__lt=now, starts_at__gte=now - timedelta(days=90)).order_by("-starts_at")[:limit]
        ),
        "lacking": list(lacking.order_by("-starts_at")[:limit]),
        "lacking_count": lacking.count(),
    }


def activity_list_in_month(*, activities: QuerySet[Activity], year: int, month: int) -> list[Activity]:
    """Activities (of an already filtered set) that touch a month, in Oslo time."""
    start = datetime(year, month, 1, tzinfo=OSLO)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=OSLO)
    return list(activities.filter(Q(starts_at__lt=end) & Q(ends_at__gte=start)).order_by("starts_at", "title"))


def activity_list_between(*, activities: QuerySet[Activity], start: datetime, end: datetime) -> list[Activity]:
    """Activities (of an already filtered set) that touch [start, end)."""
    return list(activities.filter(starts_at__lt=end, ends_at__gte=start).order_by("starts_at", "title"))


# --- For a school's dashboard (lists, not figures: they are read live) ------------------------

# The activity kinds whose pupils the rector sees by name: NMH's masterclasses and teaching.
NAMED_KINDS = (Activity.Kind.MASTERCLASS, Activity.Kind.INDIVIDUAL_TEACHING)
UPCOMING_LIMIT = 25


def _school_named_links(*, school: School, school_year: int) -> QuerySet:
    """The links of the school's pupils named on masterclasses and NMH teaching in a school year."""
    start, end = school_year_bounds(school_year)
    return Participation.named_pupils.through.objects.filter(
        activity_counted_q("participation__activity__"),
        participation__school=school,
        participation__activity__kind__in=NAMED_KINDS,
        participation__activity__starts_at__gte=start,
        participation__activity__starts_at__lt=end,
    )


def school_named_pupil_ids(*, school: School, school_year: int) -> QuerySet:
    """The ids of the school's pupils named on masterclasses and NMH teaching in a school year,
    in the named-pupil list's order (by name): a queryset to count or to cut into pages in
    SQL, no query of its own."""
    return (
        Pupil.objects.filter(pk__in=_school_named_links(school=school, school_year=school_year).values("pupil_id"))
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", flat=True)
    )


def school_named_pupils(*, school: School, school_year: int, pupil_ids: Sequence[int] | None = None) -> list[dict]:
    """The school's pupils named on masterclasses and NMH teaching in a school year, with the
    activities each took part in: all of them, or those of `pupil_ids` (a page of
    `school_named_pupil_ids`). One query."""
    links = _school_named_links(school=school, school_year=school_year)
    if pupil_ids is not None:
        links = links.filter(pupil_id__in=list(pupil_ids))
    rows = links.values(
        "pupil_id",
        "pupil__first_name",
        "pupil__last_name",
        "pupil__main_instrument",
        "participation__activity__title",
        "participation__activity__kind",
        "participation__activity__starts_at",
    ).order_by("pupil__last_name", "pupil__first_name", "pupil_id", "participation__activity__starts_at")
    kinds = dict(Activity.Kind.choices)
    pupils: dict[int, dict] = {}
    for row in rows:
        entry = pupils.setdefault(
            row["pupil_id"],
            {
                "name": f"{row['pupil__first_name']} {row['pupil__last_name']}",
                "instrument": row["pupil__main_instrument"],
                "activities": [],
            },
        )
        entry["activities"].append(
            {
                "title": row["participation__activity__title"],
                "kind": str(kinds.get(row["participation__activity__kind"], "")),
                "starts_at": timezone.localtime(row["participation__activity__starts_at"], OSLO),
            }
        )
    return list(pupils.values())


def school_open_activities_q(school: School) -> Q:
    """The activities open to a school's pupils — the one rule, for the school's dashboard,
    its calendar feed and its rector's weekly digest: central ones, its region's, those it
    hosts, and those it takes part in."""
    return (
        Q(level=Activity.Level.CENTRAL)
        | Q(region_id=school.region_id)
        | Q(host_school=school)
        | Q(pk__in=Participation.objects.filter(school=school).values("activity"))
    )


def school_distance_km(*, school: School, venue) -> float | None:
    """From the school's municipality centre to the venue, as the crow flies, in km with one
    decimal (core.geo.haversine_km); None without a venue. The one figure for the dashboard,
    the digest and the travel warning."""
    if venue is None:
        return None
    home = school.municipality
    return round(
        haversine_km(float(home.latitude), float(home.longitude), float(venue.latitude), float(venue.longitude)), 1
    )


def school_upcoming_activities(*, school: School, now: datetime | None = None) -> list[dict]:
    """Planned activities open to the school's pupils (central ones, its region's, those it
    hosts or is registered for), soonest first, with the distance in km from the school's
    municipality centre to the venue. One query."""
    now = now or timezone.now()
    activities = (
        Activity.objects.filter(status=Activity.Status.PLANNED, starts_at__gte=now)
        .filter(school_open_activities_q(school))
        .select_related("venue__municipality", "region")
        .order_by("starts_at", "title")[:UPCOMING_LIMIT]
    )
    result = []
    for activity in activities:
        venue = activity.venue
        distance = school_distance_km(school=school, venue=venue)
        result.append(
            {
                "title": activity.title,
                "kind": activity.get_kind_display(),
                "level": activity.get_level_display(),
                "starts_at": timezone.localtime(activity.starts_at, OSLO),
                "venue": venue.name if venue else "",
                "place": venue.municipality.name if venue else "",
                "distance_km": distance,
            }
        )
    return result


# --- The subscribable calendars (activities/feeds.py, issue 15) -------------------------------


def _feed_activities(activities: QuerySet[Activity], *, now: datetime | None = None) -> QuerySet[Activity]:
    """What a feed writes, from settings.CALENDAR_FEED_DAYS_BACK days back on (every later
    one), with what an event names loaded: the venue, the region, the host school and the
    participating schools (never their named pupils)."""
    from django.conf import settings

    since = (now or timezone.now()) - timedelta(days=settings.CALENDAR_FEED_DAYS_BACK)
    return (
        activities.filter(ends_at__gte=since)
        .select_related("venue", "region", "host_school")
        .prefetch_related(Prefetch("participations", queryset=Participation.objects.select_related("school")))
        .order_by("starts_at", "pk")
    )


def feed_activities_of_region(*, region: Region, now: datetime | None = None) -> QuerySet[Activity]:
    """A region's feed: the activities of that region."""
    return _feed_activities(Activity.objects.filter(region=region), now=now)


def feed_activities_of_school(*, school: School, now: datetime | None = None) -> QuerySet[Activity]:
    """A school's feed: the activities open to its pupils (`school_open_activities_q`, as its
    dashboard and its rector's digest list them)."""
    return _feed_activities(Activity.objects.filter(school_open_activities_q(school)), now=now)


def feed_activities_of_person(*, user: UserLike, now: datetime | None = None) -> QuerySet[Activity]:
    """A person's feed: what they coordinate (their regions' activities) and, for a rector,
    what their schools take part in. Nothing for anyone with neither role."""
    facts = role_facts(user=user)
    return _feed_activities(
        Activity.objects.filter(
            Q(region_id__in=facts.coordinator_region_ids)
            | Q(pk__in=Participation.objects.filter(school_id__in=facts.rector_school_ids).values("activity"))
        ),
        now=now,
    )
