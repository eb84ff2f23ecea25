"""The figures of a school's dashboard and of the steering group's network overview.

Every function here is a read (a selector) that the dashboard views compose. Each runs a
fixed number of set-based, aggregating queries whatever the size of the data, so a school's
page costs the same on the demo network as on a national one.

The figures are computed live from the activity, enrolment and budget tables. When the
nightly rollups (issue 5) exist, the functions marked "rollup candidate" are the ones to
switch to the summary tables, and `figures_as_of()` is the one place that says which
figures the page shows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from activities.models import (
    Activity,
    ActivityCost,
    EnrolmentRollup,
    Participation,
    ParticipationMonthRollup,
    PupilLoadRollup,
    SchoolYearRollup,
)
from activities.selectors import activity_counted_q, rollup_last_success_by_kind
from core.periods import (
    OSLO,
    SCHOOL_YEAR_MONTHS,
    calendar_year_bounds,
    school_year_bounds,
    school_year_expression,
    school_year_label,
    school_year_month,
    school_year_of,
    term_expression,
)
from core.schedules import BUDGET, ENROLMENT
from funding.models import BudgetLine, MunicipalContribution, SchoolMoneyRollup
from funding.selectors import budget_list_approved
from governance.models import PortalSetting, Role
from governance.selectors import (
    portal_settings_get,
    role_list_current_for_user,
    user_is_central_staff,
    user_is_steering_member,
)
from schools.models import Enrolment, Membership, Pupil, School

NamedPupil = Participation.named_pupils.through
MONEY = DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# The activity kinds whose pupils the rector sees by name: NMH's masterclasses and teaching.
NAMED_KINDS = (Activity.Kind.MASTERCLASS, Activity.Kind.INDIVIDUAL_TEACHING)
UPCOMING_LIMIT = 25
LOAD_TOP = 10

COST_SHARING_RULE = gettext_lazy(
    "Hver aktivitets samlede kostnader deles mellom skolene som deltok, i forhold til hvor mange "
    "elever hver skole hadde med. En aktivitet uten elever (for eksempel et lærerkurs) deles likt "
    "mellom de deltakende skolene. Avlyste aktiviteter og aktiviteter som ikke har startet, er ikke med."
)


# --- "Figures as of" ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FiguresAsOf:
    live: bool
    label: str
    at: datetime | None = None
    money_live: bool = True


def figures_as_of() -> FiguresAsOf:
    """Which figures the dashboards show: the nightly rollups', as of the end of the last
    successful enrolment run, or the live computation when no rollup has run yet (and the
    money's live value of activities until the budget rollup has run). One query."""
    finished = rollup_last_success_by_kind()
    money_live = BUDGET not in finished
    if ENROLMENT not in finished:
        label = _("Levende tall (ingen nattlig oppsummering er kjørt ennå)")
        return FiguresAsOf(live=True, label=label, money_live=money_live)
    at = timezone.localtime(finished[ENROLMENT], OSLO)
    label = _("Tall per %(when)s") % {"when": at.strftime("%d.%m.%Y %H:%M")}
    return FiguresAsOf(live=False, label=label, at=at, money_live=money_live)


# --- Periods -----------------------------------------------------------------------------------


def default_money_year(school_year: int, *, today: date | None = None) -> int:
    """The calendar year whose money goes with a school year: the one it ends in, but never
    a year that has not started."""
    today = today or timezone.localdate()
    return min(school_year + 1, today.year)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6371 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _money(value) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Participation (rollup candidates: the enrolment rollup's dimensions) ---------------------


@dataclass
class ParticipationCell:
    activities: int = 0
    pupils: int = 0  # pupil participations (a pupil in two activities counts twice)
    teachers: int = 0

    def add(self, activities: int, pupils: int, teachers: int) -> None:
        self.activities += activities
        self.pupils += pupils
        self.teachers += teachers


def school_participation_by_month_and_kind(*, school: School, rolled: bool = False) -> list[dict]:
    """For every month × activity kind with participation of the school (all years):
    activities, pupil participations, teachers. One query, on the rollup when `rolled`."""
    if rolled:
        cells = ParticipationMonthRollup.objects.filter(school=school).order_by("school_year", "month", "kind")
        return sorted(
            (
                {
                    "month": school_year_month(cell.school_year, cell.month),
                    "kind": cell.kind,
                    "activities": cell.activities,
                    "pupils": cell.pupils,
                    "teachers": cell.teachers,
                }
                for cell in cells
            ),
            key=lambda row: (row["month"], row["kind"]),
        )
    rows = (
        Participation.objects.filter(activity_counted_q("activity__"), school=school)
        .annotate(month=TruncMonth("activity__starts_at", tzinfo=OSLO))
        .values("month", "activity__kind")
        .annotate(activities=Count("id"), pupils=Coalesce(Sum("pupils"), 0), teachers=Coalesce(Sum("teachers"), 0))
        .order_by("month", "activity__kind")
    )
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):
            month = timezone.localtime(month, OSLO).date() if timezone.is_aware(month) else month.date()
        result.append(
            {
                "month": month,
                "kind": row["activity__kind"],
                "activities": row["activities"],
                "pupils": row["pupils"],
                "teachers": row["teachers"],
            }
        )
    return result


def school_unique_pupils_by_year(*, school: School, rolled: bool = False) -> dict[int, int]:
    """School year → unique pupils named on the school's participations. One query, on the
    rollup when `rolled`."""
    if rolled:
        return dict(
            SchoolYearRollup.objects.filter(school=school, unique_pupils__gt=0)
            .order_by("school_year")
            .values_list("school_year", "unique_pupils")
        )
    rows = (
        NamedPupil.objects.filter(activity_counted_q("participation__activity__"), participation__school=school)
        .annotate(school_year=school_year_expression("participation__activity__starts_at"))
        .values("school_year")
        .annotate(pupils=Count("pupil", distinct=True))
        .order_by("school_year")
    )
    return {row["school_year"]: row["pupils"] for row in rows}


def school_participation_by_area(*, school: School, school_year: int, rolled: bool = False) -> list[dict]:
    """Cooperation area → activities and pupil participations of the school in a school year
    (an activity may serve several areas and then counts in each). One query, on the rollup
    when `rolled`."""
    if rolled:
        rows = (
            EnrolmentRollup.objects.filter(school=school, school_year=school_year)
            .values(
                activity__cooperation_areas__number=F("cooperation_area__number"),
                activity__cooperation_areas__name_nb=F("cooperation_area__name_nb"),
                activity__cooperation_areas__name_en=F("cooperation_area__name_en"),
            )
            .annotate(activities=Sum("activities"), pupils=Sum("pupils"))
            .order_by("cooperation_area__number")
        )
    else:
        start, end = school_year_bounds(school_year)
        rows = (
            Participation.objects.filter(
                activity_counted_q("activity__"),
                school=school,
                activity__starts_at__gte=start,
                activity__starts_at__lt=end,
            )
            .values(
                "activity__cooperation_areas__number",
                "activity__cooperation_areas__name_nb",
                "activity__cooperation_areas__name_en",
            )
            .annotate(activities=Count("id"), pupils=Coalesce(Sum("pupils"), 0))
            .order_by("activity__cooperation_areas__number")
        )
    english = (get_language() or "nb").startswith("en")
    result = []
    for row in rows:
        number = row["activity__cooperation_areas__number"]
        if number is None:
            name = _("Uten samarbeidsområde")
        else:
            name_en, name_nb = row["activity__cooperation_areas__name_en"], row["activity__cooperation_areas__name_nb"]
            name = f"{number}. {name_en if english else name_nb}"
        result.append({"number": number, "name": name, "activities": row["activities"], "pupils": row["pupils"]})
    return result


def school_named_pupils(*, school: School, school_year: int) -> list[dict]:
    """The school's pupils named on masterclasses and NMH teaching in a school year, with
    the activities each took part in. One query."""
    start, end = school_year_bounds(school_year)
    rows = (
        NamedPupil.objects.filter(
            activity_counted_q("participation__activity__"),
            participation__school=school,
            participation__activity__kind__in=NAMED_KINDS,
            participation__activity__starts_at__gte=start,
            participation__activity__starts_at__lt=end,
        )
        .values(
            "pupil_id",
            "pupil__first_name",
            "pupil__last_name",
            "pupil__main_instrument",
            "participation__activity__title",
            "participation__activity__kind",
            "participation__activity__starts_at",
        )
        .order_by("pupil__last_name", "pupil__first_name", "pupil_id", "participation__activity__starts_at")
    )
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


def school_pupil_load(*, school: School, school_year: int, threshold: int, rolled: bool = False) -> list[dict]:
    """The school's pupils (Pupil.schools) in the most activities per term
    of a school year (autumn August–December, spring January–July), counting every activity
    they are named on whichever school registered them; those at or above the portal's
    warning threshold are marked. One query, on the rollup when `rolled`."""
    pupils = Pupil.objects.filter(schools=school).values("pk")
    order = ("term", "-activities", "pupil__last_name", "pupil__first_name", "pupil_id")
    if rolled:
        rows = (
            PupilLoadRollup.objects.filter(school_year=school_year, pupil__in=pupils)
            .values("term", "pupil_id", "pupil__first_name", "pupil__last_name", "pupil__main_instrument", "activities")
            .order_by(*order)
        )
    else:
        start, end = school_year_bounds(school_year)
        rows = (
            NamedPupil.objects.filter(
                activity_counted_q("participation__activity__"),
                pupil__in=pupils,
                participation__activity__starts_at__gte=start,
                participation__activity__starts_at__lt=end,
            )
            .annotate(term=term_expression("participation__activity__starts_at"))
            .values("term", "pupil_id", "pupil__first_name", "pupil__last_name", "pupil__main_instrument")
            .annotate(activities=Count("participation__activity", distinct=True))
            .order_by(*order)
        )
    terms = {
        "autumn": {"key": "autumn", "label": _("Høsten %(year)s") % {"year": school_year}, "pupils": [], "over": 0},
        "spring": {"key": "spring", "label": _("Våren %(year)s") % {"year": school_year + 1}, "pupils": [], "over": 0},
    }
    for row in rows:
        term = terms[row["term"]]
        over = row["activities"] >= threshold
        term["over"] += int(over)
        if over or len(term["pupils"]) < LOAD_TOP:
            term["pupils"].append(
                {
                    "name": f"{row['pupil__first_name']} {row['pupil__last_name']}",
                    "instrument": row["pupil__main_instrument"],
                    "activities": row["activities"],
                    "over": over,
                }
            )
    return [terms["autumn"], terms["spring"]]


def school_enrolment(*, school: School) -> dict[int, int]:
    """School year → pupils in music (GSI). One query."""
    return dict(Enrolment.objects.filter(school=school).order_by("school_year").values_list("school_year", "pupils"))


def school_upcoming_activities(*, school: School, now: datetime | None = None) -> list[dict]:
    """Planned activities open to the school's pupils (central ones, its region's, those it
    hosts or is registered for), soonest first, with the distance in km from the school's
    municipality centre to the venue. One query."""
    now = now or timezone.now()
    activities = (
        Activity.objects.filter(status=Activity.Status.PLANNED, starts_at__gte=now)
        .filter(
            Q(level=Activity.Level.CENTRAL)
            | Q(region_id=school.region_id)
            | Q(host_school=school)
            | Q(pk__in=Participation.objects.filter(school=school).values("activity"))
        )
        .select_related("venue__municipality", "region")
        .order_by("starts_at", "title")[:UPCOMING_LIMIT]
    )
    home = school.municipality
    result = []
    for activity in activities:
        venue = activity.venue
        distance = None
        if venue is not None:
            distance = round(
                haversine_km(
                    float(home.latitude), float(home.longitude), float(venue.latitude), float(venue.longitude)
                ),
                1,
            )
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


# --- Money (rollup candidate: the budget rollup) -----------------------------------------------


def _activity_value_expression():
    """One participation's share of its activity's costs, in SQL: the activity's total cost
    times the school's pupils over all participating pupils; shared equally when the
    activity had no pupils."""
    activity_cost = Subquery(
        ActivityCost.objects.filter(activity=OuterRef("activity"))
        .values("activity")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )
    activity_pupils = Subquery(
        Participation.objects.filter(activity=OuterRef("activity"))
        .values("activity")
        .annotate(total=Sum("pupils"))
        .values("total"),
        output_field=IntegerField(),
    )
    activity_schools = Subquery(
        Participation.objects.filter(activity=OuterRef("activity"))
        .values("activity")
        .annotate(total=Count("id"))
        .values("total"),
        output_field=IntegerField(),
    )
    return Case(
        When(GreaterThan(activity_pupils, 0), then=activity_cost * F("pupils") / activity_pupils),
        default=activity_cost / activity_schools,
        output_field=MONEY,
    )


def school_money_list(*, year: int, rolled: bool = False) -> list[dict]:
    """Per school, for a calendar year: whether it was a member or pilot some time in the
    year, its allocation and its region's pool in the year's approved budget (the latest
    approved revision), the value of the activities its pupils took part in (see
    COST_SHARING_RULE; from the nightly budget rollup when `rolled`), and its municipality's
    contribution. One query."""
    start, end = calendar_year_bounds(year)
    budget = budget_list_approved(year=year)

    def budget_line_total(**filters):
        return (
            BudgetLine.objects.filter(budget=Subquery(budget.values("pk")[:1]), **filters)
            .values("budget")
            .annotate(total=Sum("amount"))
            .values("total")
        )

    values = (
        SchoolMoneyRollup.objects.filter(year=year, school=OuterRef("pk")).values("activity_value")[:1]
        if rolled
        else Participation.objects.filter(
            activity_counted_q("activity__"),
            school=OuterRef("pk"),
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .values("school")
        .annotate(total=Sum(_activity_value_expression()))
        .values("total")
    )
    contribution = MunicipalContribution.objects.filter(municipality=OuterRef("municipality"), year=year)
    participating = Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=date(year, 1, 1)),
        school=OuterRef("pk"),
        status__in=Membership.PARTICIPATING,
        valid_from__lte=date(year, 12, 31),
    )
    rows = (
        School.objects.annotate(
            participating=Exists(participating),
            budget_revision=Subquery(budget.values("revision")[:1]),
            budget_decided_at=Subquery(budget.values("decided_at")[:1]),
            allocation=Subquery(
                budget_line_total(kind=BudgetLine.Kind.SCHOOL_ALLOCATION, school=OuterRef("pk")),
                output_field=MONEY,
            ),
            region_pool=Subquery(
                budget_line_total(kind=BudgetLine.Kind.REGION_POOL, region=OuterRef("region")),
                output_field=MONEY,
            ),
            activity_value=Subquery(values, output_field=MONEY),
            contribution_amount=Subquery(contribution.values("amount")[:1], output_field=MONEY),
            contribution_population=Subquery(contribution.values("population")[:1]),
            contribution_tier_from=Subquery(contribution.values("tier__min_population")[:1]),
            contribution_tier_below=Subquery(contribution.values("tier__max_population_below")[:1]),
            contribution_invoiced_on=Subquery(contribution.values("invoiced_on")[:1]),
            contribution_paid_on=Subquery(contribution.values("paid_on")[:1]),
        )
        .values(
            "pk",
            "region_id",
            "kind",
            "participating",
            "budget_revision",
            "budget_decided_at",
            "allocation",
            "region_pool",
            "activity_value",
            "contribution_amount",
            "contribution_population",
            "contribution_tier_from",
            "contribution_tier_below",
            "contribution_invoiced_on",
            "contribution_paid_on",
        )
        .order_by("pk")
    )
    result = []
    for row in rows:
        row["allocation"] = _money(row["allocation"])
        row["region_pool"] = _money(row["region_pool"])
        row["activity_value"] = _money(row["activity_value"])
        if row["contribution_amount"] is not None:
            row["contribution_amount"] = _money(row["contribution_amount"])
        result.append(row)
    return result


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, ZERO) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class MoneyComparison:
    label: str
    school: Decimal
    region_average: Decimal | None
    kind_average: Decimal | None


@dataclass
class SchoolMoney:
    year: int
    budget_revision: int | None
    budget_decided_at: datetime | None
    contribution: dict | None
    region_pool: Decimal
    comparisons: list[MoneyComparison] = field(default_factory=list)
    region_schools: int = 0
    kind_schools: int = 0


def school_money(*, school: School, year: int, rows: list[dict] | None = None, rolled: bool = False) -> SchoolMoney:
    """What the school (its municipality) put in and what it got in a calendar year, against
    the average of the member and pilot schools of its region and of its kind. Uses
    `school_money_list` (one query) unless its rows are given."""
    rows = school_money_list(year=year, rolled=rolled) if rows is None else rows
    own = next((row for row in rows if row["pk"] == school.pk), None)
    if own is None:  # the school was deleted meanwhile: show nothing rather than fail
        own = {"allocation": ZERO, "activity_value": ZERO, "region_pool": ZERO, "contribution_amount": None}
    region = [row for row in rows if row["participating"] and row["region_id"] == school.region_id]
    kind = [row for row in rows if row["participating"] and row["kind"] == school.kind]
    contribution = None
    if own.get("contribution_amount") is not None:
        contribution = {
            "amount": own["contribution_amount"],
            "population": own["contribution_population"],
            "tier_from": own["contribution_tier_from"],
            "tier_below": own["contribution_tier_below"],
            "invoiced_on": own["contribution_invoiced_on"],
            "paid_on": own["contribution_paid_on"],
        }
    comparisons = [
        MoneyComparison(
            label=_("Tildeling til skolen i vedtatt budsjett"),
            school=own["allocation"],
            region_average=_average([row["allocation"] for row in region]),
            kind_average=_average([row["allocation"] for row in kind]),
        ),
        MoneyComparison(
            label=_("Verdien av aktivitetene elevene deltok i"),
            school=own["activity_value"],
            region_average=_average([row["activity_value"] for row in region]),
            kind_average=_average([row["activity_value"] for row in kind]),
        ),
    ]
    first = rows[0] if rows else {}
    return SchoolMoney(
        year=year,
        budget_revision=first.get("budget_revision"),
        budget_decided_at=first.get("budget_decided_at"),
        contribution=contribution,
        region_pool=own["region_pool"],
        comparisons=comparisons,
        region_schools=len(region),
        kind_schools=len(kind),
    )


def school_list_with_dashboard_settings(schools: QuerySet[School]) -> QuerySet[School]:
    """The schools (already scoped to the user) with the portal's pupil-load warning
    threshold on each row, so that the dashboard needs no query of its own for it."""
    default = PortalSetting._meta.get_field("pupil_load_threshold").default
    threshold = PortalSetting.objects.filter(pk=1).values("pupil_load_threshold")[:1]
    return schools.annotate(load_threshold=Coalesce(Subquery(threshold), Value(default)))


# --- Who sees pupils' names ---------------------------------------------------------------------


def user_sees_pupil_names(*, user, school: School) -> bool:
    """Pupils are minors: their names are for the school's rector, its region's coordinator
    and central staff, not for every steering-group member. Rectors and coordinators who can
    see the school at all lead it or coordinate its region; only a steering member who is
    neither costs a query."""
    if user_is_central_staff(user=user):
        return True
    if not user_is_steering_member(user=user):
        return True
    return (
        role_list_current_for_user(user=user)
        .filter(Q(kind=Role.Kind.RECTOR, school=school) | Q(kind=Role.Kind.COORDINATOR, region_id=school.region_id))
        .exists()
    )


# --- The whole dashboard ---------------------------------------------------------------------


@dataclass
class YearRow:
    school_year: int
    label: str
    activities: int
    pupils: int
    unique_pupils: int
    teachers: int
    enrolment: int | None
    share: Decimal | None  # unique pupils / enrolment, in per cent


def _share(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def participation_years(*, month_kind_rows: list[dict], unique_by_year: dict[int, int], enrolment: dict[int, int]):
    """Year rows from the month × kind rows, the unique pupils and the enrolment (no query)."""
    by_year: dict[int, ParticipationCell] = defaultdict(ParticipationCell)
    for row in month_kind_rows:
        by_year[school_year_of(row["month"])].add(row["activities"], row["pupils"], row["teachers"])
    years = sorted(set(by_year) | set(enrolment) | set(unique_by_year))
    return [
        YearRow(
            school_year=year,
            label=school_year_label(year),
            activities=by_year[year].activities,
            pupils=by_year[year].pupils,
            unique_pupils=unique_by_year.get(year, 0),
            teachers=by_year[year].teachers,
            enrolment=enrolment.get(year),
            share=_share(unique_by_year.get(year, 0), enrolment.get(year)),
        )
        for year in years
    ]


def participation_by_kind(*, month_kind_rows: list[dict], school_year: int) -> list[dict]:
    labels = dict(Activity.Kind.choices)
    cells: dict[str, ParticipationCell] = defaultdict(ParticipationCell)
    for row in month_kind_rows:
        if school_year_of(row["month"]) == school_year:
            cells[row["kind"]].add(row["activities"], row["pupils"], row["teachers"])
    return [
        {"kind": kind, "name": str(labels[kind]), **vars(cells[kind])} for kind in Activity.Kind.values if kind in cells
    ]


MONTH_NAMES = [
    gettext_lazy("august"),
    gettext_lazy("september"),
    gettext_lazy("oktober"),
    gettext_lazy("november"),
    gettext_lazy("desember"),
    gettext_lazy("januar"),
    gettext_lazy("februar"),
    gettext_lazy("mars"),
    gettext_lazy("april"),
    gettext_lazy("mai"),
    gettext_lazy("juni"),
    gettext_lazy("juli"),
]


def participation_by_month(*, month_kind_rows: list[dict], school_year: int) -> list[dict]:
    """The twelve months of a school year, August first, zeros included."""
    months = [school_year_month(school_year, m) for m in SCHOOL_YEAR_MONTHS]
    cells: dict[date, ParticipationCell] = defaultdict(ParticipationCell)
    for row in month_kind_rows:
        cells[row["month"]].add(row["activities"], row["pupils"], row["teachers"])
    return [
        {"month": month, "name": f"{MONTH_NAMES[i]} {month.year}", **vars(cells[month])}
        for i, month in enumerate(months)
    ]


def choose_school_year(*, years: list[int], requested: int | None, today: date | None = None) -> int:
    """The requested school year; else the latest with figures that has started; else this one."""
    current = school_year_of(today or timezone.localdate())
    if requested is not None:
        return requested
    started = [year for year in years if year <= current]
    return max(started) if started else current


@dataclass
class SchoolDashboard:
    school: School
    school_year: int
    school_year_label: str
    years: list[YearRow]
    year: YearRow | None
    by_kind: list[dict]
    by_month: list[dict]
    by_area: list[dict]
    named_pupils: list[dict] | None  # None: the user may not see names
    upcoming: list[dict]
    load_threshold: int
    load: list[dict]
    money: SchoolMoney
    as_of: FiguresAsOf
    show_names: bool
    available_years: list[int]
    memberships: list[Membership]

    @property
    def charts(self) -> dict:
        return dashboard_charts(self)


def school_dashboard(
    *,
    school: School,
    show_names: bool,
    school_year: int | None = None,
    money_year: int | None = None,
    today: date | None = None,
) -> SchoolDashboard:
    """Every figure of a school's dashboard: eight queries whatever the data's size, nine
    when the school was not loaded through `school_list_with_dashboard_settings` (the
    school itself, with its memberships, is loaded by the caller)."""
    today = today or timezone.localdate()
    as_of = figures_as_of()
    rolled = not as_of.live
    month_kind_rows = school_participation_by_month_and_kind(school=school, rolled=rolled)
    unique_by_year = school_unique_pupils_by_year(school=school, rolled=rolled)
    enrolment = school_enrolment(school=school)
    years = participation_years(month_kind_rows=month_kind_rows, unique_by_year=unique_by_year, enrolment=enrolment)
    with_figures = sorted({school_year_of(row["month"]) for row in month_kind_rows} | set(unique_by_year))
    chosen = choose_school_year(years=with_figures, requested=school_year, today=today)
    threshold = getattr(school, "load_threshold", None) or portal_settings_get().pupil_load_threshold
    return SchoolDashboard(
        school=school,
        school_year=chosen,
        school_year_label=school_year_label(chosen),
        years=years,
        year=next((row for row in years if row.school_year == chosen), None),
        by_kind=participation_by_kind(month_kind_rows=month_kind_rows, school_year=chosen),
        by_month=participation_by_month(month_kind_rows=month_kind_rows, school_year=chosen),
        by_area=school_participation_by_area(school=school, school_year=chosen, rolled=rolled),
        named_pupils=school_named_pupils(school=school, school_year=chosen) if show_names else None,
        upcoming=school_upcoming_activities(school=school),
        load_threshold=threshold,
        load=school_pupil_load(school=school, school_year=chosen, threshold=threshold, rolled=rolled),
        money=school_money(
            school=school, year=money_year or default_money_year(chosen, today=today), rolled=not as_of.money_live
        ),
        as_of=as_of,
        show_names=show_names,
        available_years=sorted(set(with_figures) | set(enrolment) | {chosen}),
        memberships=list(school.memberships.all()),
    )


def dashboard_charts(dashboard: SchoolDashboard) -> dict:
    """The chart data (labels and datasets) of a dashboard, for Chart.js and the JSON URLs."""
    return {
        "years": {
            "labels": [row.label for row in dashboard.years],
            "datasets": [
                {"label": _("Elevdeltakelser"), "data": [row.pupils for row in dashboard.years]},
                {"label": _("Unike navngitte elever"), "data": [row.unique_pupils for row in dashboard.years]},
                {"label": _("Lærere"), "data": [row.teachers for row in dashboard.years]},
            ],
        },
        "areas": {
            "labels": [row["name"] for row in dashboard.by_area],
            "datasets": [{"label": _("Elevdeltakelser"), "data": [row["pupils"] for row in dashboard.by_area]}],
        },
        "kinds": {
            "labels": [row["name"] for row in dashboard.by_kind],
            "datasets": [{"label": _("Elevdeltakelser"), "data": [row["pupils"] for row in dashboard.by_kind]}],
        },
        "months": {
            "labels": [row["name"] for row in dashboard.by_month],
            "datasets": [
                {"label": _("Elevdeltakelser"), "data": [row["pupils"] for row in dashboard.by_month]},
                {"label": _("Aktiviteter"), "data": [row["activities"] for row in dashboard.by_month]},
            ],
        },
        "enrolment": {
            "labels": [row.label for row in dashboard.years if row.enrolment is not None],
            "datasets": [
                {
                    "label": _("Elever i musikk (GSI)"),
                    "data": [row.enrolment for row in dashboard.years if row.enrolment is not None],
                },
                {
                    "label": _("Unike navngitte elever i UngMusikk"),
                    "data": [row.unique_pupils for row in dashboard.years if row.enrolment is not None],
                },
            ],
        },
    }


CHARTS = ("years", "areas", "kinds", "months", "enrolment")


# --- The network overview ---------------------------------------------------------------------


STATUS_ORDER = {Membership.Status.MEMBER: 0, Membership.Status.PILOT: 1, Membership.Status.INTERESTED: 2}


def network_overview_rows(
    *,
    schools: QuerySet[School],
    school_year: int,
    money_year: int,
    day: date,
    rolled: bool | None = None,
    money_live: bool | None = None,
) -> list[dict]:
    """Every school of `schools` side by side: status on `day`, enrolment, activities, pupil
    participations, unique named pupils and share of enrolment in the school year (from the
    nightly rollup when one has run), and the money of `money_year` (see school_money_list).
    Two or three queries (plus whatever the `schools` queryset prefetches)."""
    if rolled is None or money_live is None:
        as_of = figures_as_of()
        rolled, money_live = not as_of.live, as_of.money_live
    start, end = school_year_bounds(school_year)
    in_year = Participation.objects.filter(
        activity_counted_q("activity__"),
        school=OuterRef("pk"),
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    ).values("school")
    unique = (
        NamedPupil.objects.filter(
            activity_counted_q("participation__activity__"),
            participation__school=OuterRef("pk"),
            participation__activity__starts_at__gte=start,
            participation__activity__starts_at__lt=end,
        )
        .values("participation__school")
        .annotate(total=Count("pupil", distinct=True))
        .values("total")
    )
    if rolled:
        summary = SchoolYearRollup.objects.filter(school=OuterRef("pk"), school_year=school_year)
        figures = {
            name: Subquery(summary.values(column)[:1], output_field=IntegerField())
            for name, column in (
                ("activities", "activities"),
                ("pupil_participations", "pupils"),
                ("teachers", "teachers"),
                ("unique_pupils", "unique_pupils"),
            )
        }
    else:
        figures = {
            "activities": Subquery(in_year.annotate(total=Count("id")).values("total"), output_field=IntegerField()),
            "pupil_participations": Subquery(
                in_year.annotate(total=Sum("pupils")).values("total"), output_field=IntegerField()
            ),
            "teachers": Subquery(in_year.annotate(total=Sum("teachers")).values("total"), output_field=IntegerField()),
            "unique_pupils": Subquery(unique, output_field=IntegerField()),
        }
    schools = schools.annotate(
        status_on_day=Subquery(
            Membership.objects.valid_on(day).filter(school=OuterRef("pk")).order_by("-valid_from").values("status")[:1]
        ),
        enrolment=Subquery(
            Enrolment.objects.filter(school=OuterRef("pk"), school_year=school_year).values("pupils")[:1]
        ),
        **figures,
    ).order_by("name")
    money = {row["pk"]: row for row in school_money_list(year=money_year, rolled=not money_live)}
    statuses = dict(Membership.Status.choices)
    kinds = dict(School.Kind.choices)
    rows = []
    for school in schools:
        own = money.get(school.pk, {})
        unique_pupils = school.unique_pupils or 0
        rows.append(
            {
                "school": school,
                "name": school.name,
                "slug": school.slug,
                "region": school.region.name,
                "kind": str(kinds[school.kind]),
                "municipality": school.municipality,
                "status": school.status_on_day or "",
                "status_label": str(statuses.get(school.status_on_day, _("Ikke med"))),
                "enrolment": school.enrolment,
                "activities": school.activities or 0,
                "pupils": school.pupil_participations or 0,
                "unique_pupils": unique_pupils,
                "teachers": school.teachers or 0,
                "share": _share(unique_pupils, school.enrolment),
                "allocation": own.get("allocation", ZERO),
                "activity_value": own.get("activity_value", ZERO),
                "contribution": own.get("contribution_amount"),
                "contribution_paid_on": own.get("contribution_paid_on"),
            }
        )
    return rows


OVERVIEW_SORTS = {
    "name": lambda row: row["name"].lower(),
    "region": lambda row: (row["region"].lower(), row["name"].lower()),
    "kind": lambda row: (row["kind"], row["name"].lower()),
    "status": lambda row: (STATUS_ORDER.get(row["status"], 9), row["name"].lower()),
    "enrolment": lambda row: row["enrolment"] or 0,
    "activities": lambda row: row["activities"],
    "pupils": lambda row: row["pupils"],
    "unique_pupils": lambda row: row["unique_pupils"],
    "share": lambda row: row["share"] or Decimal(-1),
    "allocation": lambda row: row["allocation"],
    "activity_value": lambda row: row["activity_value"],
    "contribution": lambda row: row["contribution"] or ZERO,
}


def sort_overview(rows: list[dict], *, key: str, descending: bool) -> list[dict]:
    return sorted(rows, key=OVERVIEW_SORTS.get(key, OVERVIEW_SORTS["name"]), reverse=descending)


def network_map_points(rows: list[dict]) -> list[dict]:
    """Municipalities with a member, pilot or interested school, coloured by the best status
    among their schools (member before pilot before interested). No query."""
    points: dict[int, dict] = {}
    for row in rows:
        status = row["status"]
        if status not in STATUS_ORDER:
            continue
        municipality = row["municipality"]
        point = points.setdefault(
            municipality.pk,
            {
                "name": municipality.name,
                "lat": float(municipality.latitude),
                "lon": float(municipality.longitude),
                "status": status,
                "schools": [],
            },
        )
        if STATUS_ORDER[status] < STATUS_ORDER[point["status"]]:
            point["status"] = status
        point["schools"].append(row["name"])
    statuses = dict(Membership.Status.choices)
    result = sorted(points.values(), key=lambda point: (STATUS_ORDER[point["status"]], point["name"]))
    for point in result:
        point["status_label"] = str(statuses[point["status"]])
    return result
