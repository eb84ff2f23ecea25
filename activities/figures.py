"""The participation figures people read, from the summary tables the enrolment rollup writes
(activities/rollups.py, beside this file): per school and school year, month, activity kind,
cooperation area, and each named pupil's load per term. These are the only read path: a page
never computes a participation figure from the activity tables itself.

A fresh installation has no summary yet: `enrolment_figures_ensure()` runs the rollup once,
in the request, so the first page shows real figures; after that, saves enqueue the
incremental rollup (activities.services) and the nightly run is the safety net. Every figure
is "as of" the last successful run (`core.rollups.figures_as_of`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.periods import AUTUMN, SCHOOL_YEAR_MONTHS, SPRING, school_year_label, school_year_month, school_year_of
from core.rollups import rollup_last_success_by_kind
from core.schedules import ENROLMENT
from schools.models import Enrolment, Pupil, School

from .models import (
    Activity,
    ActivityMonthRollup,
    AreaMonthRollup,
    EnrolmentRollup,
    NmhTeacherRollup,
    ParticipationMonthRollup,
    PupilCountRollup,
    PupilLoadRollup,
    SchoolYearRollup,
)

# How many of a term's most loaded pupils the dashboard lists; the whole list has a page of its
# own (schools:dashboard-load) and a CSV.
LOAD_TOP = 10


def enrolment_figures_ensure(*, finished: dict | None = None) -> None:
    """Run the enrolment rollup now when it has never finished (a fresh installation): the
    summary tables are the only source of the figures. `finished` is
    core.rollups.rollup_last_success_by_kind(), when the caller has it; a successful run here
    is recorded in it, so the page says "as of" now."""
    finished = rollup_last_success_by_kind() if finished is None else finished
    if ENROLMENT not in finished:
        from .rollups import rollup_enrolment  # the rollup imports the selectors; read paths don't

        run = rollup_enrolment()
        if run.finished_at and run.status == run.Status.SUCCEEDED:
            finished[ENROLMENT] = run.finished_at


@dataclass
class ParticipationCell:
    activities: int = 0
    pupils: int = 0  # pupil participations (a pupil in two activities counts twice)
    teachers: int = 0

    def add(self, activities: int, pupils: int, teachers: int) -> None:
        self.activities += activities
        self.pupils += pupils
        self.teachers += teachers


def school_participation_by_month_and_kind(*, school: School, school_year: int) -> list[dict]:
    """Every month × activity kind with participation of the school in one school year, as rows
    of {month (its first day), kind, activities, pupils, teachers}. One query
    (ParticipationMonthRollup: an activity in two areas counts once); the school's other years
    are not read (the years table comes from `school_year_rows`)."""
    cells = ParticipationMonthRollup.objects.filter(school=school, school_year=school_year).values_list(
        "month", "kind", "activities", "pupils", "teachers"
    )
    return sorted(
        (
            {
                "month": school_year_month(school_year, month),
                "kind": kind,
                "activities": activities,
                "pupils": pupils,
                "teachers": teachers,
            }
            for month, kind, activities, pupils, teachers in cells
        ),
        key=lambda row: (row["month"], row["kind"]),
    )


def school_year_rows(*, school: School) -> list[dict]:
    """The school's figures per school year, one row a year (SchoolYearRollup), oldest first:
    {school_year, activities (the distinct activities the school took part in), pupils (pupil
    participations), teachers, unique_pupils (named pupils, each once)}. One query: its size
    grows by one row a year, not with the school's activities."""
    return list(
        SchoolYearRollup.objects.filter(school=school)
        .order_by("school_year")
        .values("school_year", "activities", "pupils", "teachers", "unique_pupils")
    )


def school_enrolment(*, school: School) -> dict[int, int]:
    """School year → pupils in music (GSI). One query."""
    return dict(Enrolment.objects.filter(school=school).order_by("school_year").values_list("school_year", "pupils"))


def _area_name(row: dict) -> str:
    """A cooperation area's name as the pages show it, «2. Talentutvikling …», in the request's
    language, from a row of `cooperation_area__number`, `__name_nb` and `__name_en`."""
    english = (get_language() or "nb").startswith("en")
    name = row["cooperation_area__name_en"] if english else row["cooperation_area__name_nb"]
    return f"{row['cooperation_area__number']}. {name}"


def school_participation_by_area(*, school: School, school_year: int) -> list[dict]:
    """Cooperation area → activities and pupil participations of the school in a school year
    (an activity may serve several areas and then counts in each), as rows of {number, name,
    activities, pupils}. One query."""
    rows = (
        EnrolmentRollup.objects.filter(school=school, school_year=school_year)
        .values("cooperation_area__number", "cooperation_area__name_nb", "cooperation_area__name_en")
        .annotate(activities=Sum("activities"), pupils=Sum("pupils"))
        .order_by("cooperation_area__number")
    )
    return [
        {
            "number": row["cooperation_area__number"],
            "name": _area_name(row),
            "activities": row["activities"],
            "pupils": row["pupils"],
        }
        for row in rows
    ]


def pupil_load_term_labels(school_year: int) -> dict[str, str]:
    """The two terms of a school year as the pupil-load tables name them: «Høsten 2019», «Våren 2020»."""
    return {
        AUTUMN: _("Høsten %(year)s") % {"year": school_year},
        SPRING: _("Våren %(year)s") % {"year": school_year + 1},
    }


_LOAD_PUPIL_FIELDS = ("pupil_id", "pupil__first_name", "pupil__last_name", "pupil__main_instrument")
# The most loaded first; pupils with as many activities by name (the same order everywhere).
_LOAD_ORDER = ("-activities", "pupil__last_name", "pupil__first_name", "pupil_id")


def _school_pupil_loads(*, school: School, school_year: int) -> QuerySet[PupilLoadRollup]:
    return PupilLoadRollup.objects.filter(school_year=school_year, pupil__in=Pupil.objects.filter(schools=school))


def school_pupil_load_list(*, school: School, school_year: int, term: str | None = None) -> QuerySet:
    """The school's pupils (Pupil.schools) with how many activities each takes part in per term
    of a school year (every activity they are named on, whichever school registered them), as
    rows of {term, pupil_id, pupil__first_name, pupil__last_name, pupil__main_instrument,
    activities}: autumn first, the most loaded first. One term when `term` is given. A queryset,
    so a page can count and slice it in SQL; `pupil_load_row` shapes a row."""
    rows = _school_pupil_loads(school=school, school_year=school_year)
    if term is not None:
        rows = rows.filter(term=term)
    return rows.values("term", *_LOAD_PUPIL_FIELDS, "activities").order_by("term", *_LOAD_ORDER)


def pupil_load_row(row: dict, *, threshold: int) -> dict:
    """A row of `school_pupil_load_list` as the tables show it: {name, instrument, activities,
    over (at or above the portal's warning threshold)}."""
    return {
        "name": f"{row['pupil__first_name']} {row['pupil__last_name']}",
        "instrument": row["pupil__main_instrument"],
        "activities": row["activities"],
        "over": row["activities"] >= threshold,
    }


def school_pupil_load(*, school: School, school_year: int, threshold: int, top: int = LOAD_TOP) -> list[dict]:
    """The pupil load of a school's pupils in the two terms (autumn, spring) of a school year:
    each term with its key, its label, how many pupils are at or above the warning threshold
    (`over`), and its `top` most loaded pupils (`pupils`, with `over` marked; none when `top`
    is 0: the pupils' names are not read then). One query, whatever the number of pupils: the
    database numbers each term's pupils and counts those over the threshold (window
    functions), and only the first `top` rows of each term come back."""
    ordering = [F(field[1:]).desc() if field.startswith("-") else F(field).asc() for field in _LOAD_ORDER]
    rows = (
        _school_pupil_loads(school=school, school_year=school_year)
        .annotate(
            place=Window(RowNumber(), partition_by=[F("term")], order_by=ordering),
            term_over=Window(Count("pk", filter=Q(activities__gte=threshold)), partition_by=[F("term")]),
        )
        # The first row of a term carries its count, also when no names are read.
        .filter(place__lte=max(top, 1))
        .values("term", "term_over", "activities", *(_LOAD_PUPIL_FIELDS if top else ()))
        .order_by("term", "place")
    )
    labels = pupil_load_term_labels(school_year)
    terms = {key: {"key": key, "label": labels[key], "pupils": [], "over": 0} for key in (AUTUMN, SPRING)}
    for row in rows:
        term = terms[row["term"]]
        term["over"] = row["term_over"]
        if top:
            term["pupils"].append(pupil_load_row(row, threshold=threshold))
    return [terms[AUTUMN], terms[SPRING]]


def school_list_with_year_figures(schools: QuerySet[School], *, school_year: int) -> QuerySet[School]:
    """The schools annotated with their figures of a school year: activities, pupil
    participations (pupils), teachers, unique named pupils (0 when none). No query of its own:
    subqueries on SchoolYearRollup."""
    summary = SchoolYearRollup.objects.filter(school=OuterRef("pk"), school_year=school_year)
    return schools.annotate(
        **{
            name: Subquery(summary.values(column)[:1], output_field=IntegerField())
            for name, column in (
                ("year_activities", "activities"),
                ("year_pupils", "pupils"),
                ("year_teachers", "teachers"),
                ("year_unique_pupils", "unique_pupils"),
            )
        }
    )


# --- Shaping the rows (no query) -----------------------------------------------------------------


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


def share_percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole in per cent with one decimal, None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def participation_years(*, year_rows: list[dict], enrolment: dict[int, int]) -> list[YearRow]:
    """A YearRow per school year with participation, named pupils or enrolment, from
    `school_year_rows` (an activity has one kind and one start month, so the year's row holds
    what its month × kind cells sum to)."""
    by_year = {row["school_year"]: row for row in year_rows}
    empty = {"activities": 0, "pupils": 0, "teachers": 0, "unique_pupils": 0}
    rows = []
    for year in sorted(set(by_year) | set(enrolment)):
        figures = by_year.get(year, empty)
        rows.append(
            YearRow(
                school_year=year,
                label=school_year_label(year),
                activities=figures["activities"],
                pupils=figures["pupils"],
                unique_pupils=figures["unique_pupils"],
                teachers=figures["teachers"],
                enrolment=enrolment.get(year),
                share=share_percent(figures["unique_pupils"], enrolment.get(year)),
            )
        )
    return rows


def participation_by_kind(*, month_kind_rows: list[dict]) -> list[dict]:
    """A school year's participation (its month × kind rows) per activity kind, in the kinds' order."""
    labels = dict(Activity.Kind.choices)
    cells: dict[str, ParticipationCell] = defaultdict(ParticipationCell)
    for row in month_kind_rows:
        cells[row["kind"]].add(row["activities"], row["pupils"], row["teachers"])
    return [
        {"kind": kind, "name": str(labels[kind]), **vars(cells[kind])} for kind in Activity.Kind.values if kind in cells
    ]


MONTH_NAMES = {
    8: gettext_lazy("august"),
    9: gettext_lazy("september"),
    10: gettext_lazy("oktober"),
    11: gettext_lazy("november"),
    12: gettext_lazy("desember"),
    1: gettext_lazy("januar"),
    2: gettext_lazy("februar"),
    3: gettext_lazy("mars"),
    4: gettext_lazy("april"),
    5: gettext_lazy("mai"),
    6: gettext_lazy("juni"),
    7: gettext_lazy("juli"),
}


def participation_by_month(*, month_kind_rows: list[dict], school_year: int) -> list[dict]:
    """The twelve months of a school year (from its month × kind rows), August first, zeros included."""
    cells: dict[date, ParticipationCell] = defaultdict(ParticipationCell)
    for row in month_kind_rows:
        cells[row["month"]].add(row["activities"], row["pupils"], row["teachers"])
    months = [school_year_month(school_year, month) for month in SCHOOL_YEAR_MONTHS]
    return [
        {"month": month, "name": f"{MONTH_NAMES[month.month]} {month.year}", **vars(cells[month])} for month in months
    ]


def years_with_figures(year_rows: list[dict]) -> list[int]:
    """The school years with participation or named pupils (`school_year_rows`: a year has a
    row when the school took part in an activity that year)."""
    return sorted(row["school_year"] for row in year_rows if row["activities"] or row["unique_pupils"])


# --- The network's figures of a period (the reports, issue 16) ----------------------------------


def period_months_q(*, start: date, end: date) -> Q:
    """The summary rows (school_year, month) of the months from `start` to `end` (first days of
    months; `end` excluded): a calendar year or a school year, read from tables kept per school
    year and month."""
    condition = Q(pk__in=[])
    day = date(start.year, start.month, 1)
    while day < end:
        condition |= Q(school_year=school_year_of(day), month=day.month)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return condition


def network_activity_cells(*, start: date, end: date) -> list[dict]:
    """The network's activities of a period summed over its months, as rows of {region_id,
    municipality_id (where held, None: unknown), kind, level, activities, schools (the schools'
    participations), pupils (pupil participations), teachers}. Each activity counts once. One
    query (ActivityMonthRollup)."""
    return list(
        ActivityMonthRollup.objects.filter(period_months_q(start=start, end=end))
        .values("region_id", "municipality_id", "kind", "level")
        .annotate(activities=Sum("activities"), schools=Sum("schools"), pupils=Sum("pupils"), teachers=Sum("teachers"))
        .order_by("region_id", "municipality_id", "kind", "level")
    )


def network_area_cells(*, start: date, end: date) -> list[dict]:
    """The activities serving each cooperation area in a period (an activity in two areas
    counts in each), per sub-region: rows of {region_id, area_id, number, name (in the
    language of the request), activities, pupils}. One query (AreaMonthRollup)."""
    rows = (
        AreaMonthRollup.objects.filter(period_months_q(start=start, end=end))
        .values(
            "region_id",
            "cooperation_area_id",
            "cooperation_area__number",
            "cooperation_area__name_nb",
            "cooperation_area__name_en",
        )
        .annotate(activities=Sum("activities"), pupils=Sum("pupils"))
        .order_by("cooperation_area__number", "region_id")
    )
    return [
        {
            "region_id": row["region_id"],
            "area_id": row["cooperation_area_id"],
            "number": row["cooperation_area__number"],
            "name": _area_name(row),
            "activities": row["activities"],
            "pupils": row["pupils"],
        }
        for row in rows
    ]


def network_nmh_teachers(*, start: date, end: date) -> dict[int | None, int]:
    """The NMH teachers involved in a period (selectors.nmh_teacher_names), each once: per
    sub-region id, and for the whole network under None (a teacher in two regions counts once
    there). One query (NmhTeacherRollup)."""
    names: dict[int | None, set[str]] = defaultdict(set)
    for region_id, name in NmhTeacherRollup.objects.filter(period_months_q(start=start, end=end)).values_list(
        "region_id", "name"
    ):
        key = name.casefold()
        names[region_id].add(key)
        names[None].add(key)
    return {region_id: len(keys) for region_id, keys in names.items()} | {None: len(names[None])}


def school_pupils_by_age_band(*, calendar_year: bool, year: int) -> dict[int, dict[str, int]]:
    """School id → age band (schools.ages) → the named pupils taking part in a school year
    (`calendar_year` False, `year` its first year) or a calendar year, each pupil once per
    school; bands without pupils are left out. One query (PupilCountRollup)."""
    period = PupilCountRollup.Period.CALENDAR_YEAR if calendar_year else PupilCountRollup.Period.SCHOOL_YEAR
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for school_id, band, pupils in PupilCountRollup.objects.filter(period=period, year=year).values_list(
        "school_id", "age_band", "pupils"
    ):
        result[school_id][band] = pupils
    return dict(result)


def school_participation_in_period(*, start: date, end: date) -> dict[int, dict]:
    """School id → {activities, pupils, teachers} of a period: the activities the school took
    part in, its pupil participations and teachers (ParticipationMonthRollup summed over the
    period's months: an activity spanning no month boundary counts once). One query."""
    return {
        row["school_id"]: row
        for row in ParticipationMonthRollup.objects.filter(period_months_q(start=start, end=end))
        .values("school_id")
        .annotate(activities=Sum("activities"), pupils=Sum("pupils"), teachers=Sum("teachers"))
        .order_by("school_id")
    }


def schools_participation_by_area(*, school_ids, start: date, end: date) -> list[dict]:
    """The given schools' participation per cooperation area in a period, as rows of {number,
    name, activities (summed over the schools), pupils}. One query (EnrolmentRollup)."""
    rows = (
        EnrolmentRollup.objects.filter(period_months_q(start=start, end=end), school_id__in=list(school_ids))
        .values("cooperation_area__number", "cooperation_area__name_nb", "cooperation_area__name_en")
        .annotate(activities=Sum("activities"), pupils=Sum("pupils"))
        .order_by("cooperation_area__number")
    )
    return [
        {
            "number": row["cooperation_area__number"],
            "name": _area_name(row),
            "activities": row["activities"],
            "pupils": row["pupils"],
        }
        for row in rows
    ]


def schools_participation_by_kind(*, school_ids, start: date, end: date) -> list[dict]:
    """The given schools' participation per activity kind in a period, in the kinds' order, as
    rows of {kind, name, activities, pupils, teachers}. One query (ParticipationMonthRollup)."""
    labels = dict(Activity.Kind.choices)
    cells = {
        row["kind"]: row
        for row in ParticipationMonthRollup.objects.filter(
            period_months_q(start=start, end=end), school_id__in=list(school_ids)
        )
        .values("kind")
        .annotate(activities=Sum("activities"), pupils=Sum("pupils"), teachers=Sum("teachers"))
        .order_by("kind")
    }
    return [{**cells[kind], "name": str(labels[kind])} for kind in Activity.Kind.values if kind in cells]
