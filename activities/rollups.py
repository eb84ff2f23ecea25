"""The nightly enrolment rollup: activity participation summed per school year × school ×
cooperation area × activity kind × month, the per-school-year totals, and each named pupil's
load per term. Set-based: every figure comes from an aggregation query whose rows are upserted
by the database (INSERT … SELECT … ON CONFLICT), never by looping over rows in Python.

A run replaces a year's figures in one transaction (readers see the old figures or the new),
takes a lock so that two runs never overlap (PostgreSQL advisory lock; a second run is
recorded as skipped), and is recorded as a RollupRun.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, models
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from core.models import RollupRun
from core.periods import AUTUMN, SPRING, calendar_year_bounds, school_year_bounds, school_year_of, term_expression
from core.rollups import execute, insert_from_select, run_rollup, upsert_from_select
from core.schedules import ENROLMENT
from schools.ages import age_band_sql
from schools.models import Enrolment

from .models import (
    Activity,
    ActivityMonthRollup,
    AreaMonthRollup,
    EnrolmentRollup,
    NmhTeacherRollup,
    Participation,
    ParticipationMonthRollup,
    PupilCountRollup,
    PupilLoadRollup,
    RollupDirty,
    SchoolYearRollup,
)
from .selectors import activity_counted_q, nmh_teacher_names

logger = logging.getLogger(__name__)
NamedLink = Participation.named_pupils.through


# --- Change tracking for the incremental mode ---------------------------------------------------


def rollup_mark_dirty(*, pairs: Iterable[tuple[int, int]]) -> None:
    """Mark (school id, school year) pairs as changed since the last rollup."""
    now = timezone.now()
    rows = [RollupDirty(school_id=school_id, school_year=year, marked_at=now) for school_id, year in set(pairs)]
    if rows:
        RollupDirty.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["school", "school_year"], update_fields=["marked_at"]
        )


def rollup_mark_activity_dirty(*, activity_ids: Iterable[int]) -> None:
    pairs = {
        (school_id, school_year_of(timezone.localtime(starts_at).date()))
        for school_id, starts_at in Participation.objects.filter(activity_id__in=list(activity_ids)).values_list(
            "school_id", "activity__starts_at"
        )
    }
    rollup_mark_dirty(pairs=pairs)


# --- The enrolment rollup -------------------------------------------------------------------


def _participation_figures(*names: str) -> dict:
    """The named participation-level figures of a group of participation rows: the distinct
    activities, the pupil participations (Participation.pupils summed) and the teachers."""
    figures = {
        "n_activities": Count("activity_id", distinct=True),
        "n_pupils": Sum("pupils"),
        "n_teachers": Sum("teachers"),
    }
    return {name: figures[name] for name in names}


def _participations(year: int, schools: set[int] | None, until: datetime) -> models.QuerySet:
    start, end = school_year_bounds(year)
    rows = Participation.objects.filter(
        activity_counted_q("activity__", until=until), activity__starts_at__gte=start, activity__starts_at__lt=end
    )
    return (rows.filter(school_id__in=schools) if schools is not None else rows).order_by()


def _links(year: int, until: datetime) -> models.QuerySet:
    start, end = school_year_bounds(year)
    return NamedLink.objects.filter(
        activity_counted_q("participation__activity__", until=until),
        participation__activity__starts_at__gte=start,
        participation__activity__starts_at__lt=end,
    ).order_by()


LINKS_TABLE = "rollup_named_links"


def _stage_links(year: int, schools: set[int] | None, until: datetime) -> None:
    """One pass over the year's named-pupil links into a narrow temporary table (pupil,
    school, activity, kind, month, term, the pupil's birth year); every pupil figure is then aggregated from it
    without joining the big tables again. The month and term come from Django's time-zone
    aware functions, so the same SQL works on PostgreSQL and SQLite."""
    links = _links(year, until)
    if schools is not None:
        # The pupils named at the changed schools, with all their links: a pupil's load counts
        # at every school they attend.
        links = links.filter(
            pupil_id__in=_links(year, until).filter(participation__school_id__in=schools).values("pupil_id")
        )
    select = (
        links.annotate(
            school=F("participation__school_id"),
            activity=F("participation__activity_id"),
            kind=F("participation__activity__kind"),
            month=ExtractMonth("participation__activity__starts_at"),
            born=F("pupil__birth_year"),
        )
        .annotate(term=term_expression())
        .values_list("pupil_id", "school", "activity", "kind", "month", "term", "born")
    )
    sql, params = select.query.sql_with_params()
    execute(f"DROP TABLE IF EXISTS {LINKS_TABLE}")
    execute(f"CREATE TEMPORARY TABLE {LINKS_TABLE} AS {sql}", params)
    if connection.vendor == "postgresql":
        execute(f"ANALYZE {LINKS_TABLE}")


def _rollup_year(year: int, run: RollupRun, schools: set[int] | None) -> int:
    """Recompute one school year (all schools, or the given ones) in the current transaction.
    Leaves the year's links staged in LINKS_TABLE for the pupil counts (the caller drops it)."""
    constants = {"sy": Value(year), "run_ref": Value(run.pk)}
    qn = connection.ops.quote_name
    school_filter = ""
    if schools is not None:
        school_filter = f"WHERE l.school IN ({', '.join(str(int(pk)) for pk in schools)})"
    # Only what has started by the time the run started counts ("figures as of" the run).
    until = run.started_at
    _stage_links(year, schools, until)
    written = 0

    # 1. Each named pupil's load per term, across all the pupil's schools.
    written += execute(
        f"""INSERT INTO {qn(PupilLoadRollup._meta.db_table)} (school_year, term, pupil_id, activities, run_id)
        SELECT %s, l.term, l.pupil_id, COUNT(DISTINCT l.activity), %s FROM {LINKS_TABLE} l
        WHERE true GROUP BY l.pupil_id, l.term
        ON CONFLICT (school_year, term, pupil_id) DO UPDATE SET activities = excluded.activities,
            run_id = excluded.run_id""",
        [year, run.pk],
    )
    stale = PupilLoadRollup.objects.filter(school_year=year).exclude(run=run)
    if schools is not None:
        stale = stale.filter(
            pupil_id__in=_links(year, until).filter(participation__school_id__in=schools).values("pupil_id")
        )
    stale.delete()

    # 2. The cells: the activities and pupil participations per area, from the participation rows.
    dims = ["sy", "school_id", "area", "kind_", "month"]
    columns = ["school_year", "school_id", "cooperation_area_id", "kind", "month"]
    cell_figures = ["activities", "pupils"]
    participation_cells = (
        _participations(year, schools, until)
        .filter(activity__cooperation_areas__isnull=False)
        .annotate(
            area=F("activity__cooperation_areas"), kind_=F("activity__kind"), month=ExtractMonth("activity__starts_at")
        )
        .values("school_id", "area", "kind_", "month")
        .annotate(**_participation_figures("n_activities", "n_pupils"))
        .annotate(**constants)
        .values_list(*dims, "n_activities", "n_pupils", "run_ref")
    )
    written += upsert_from_select(
        EnrolmentRollup,
        participation_cells,
        columns=[*columns, *cell_figures, "run_id"],
        conflict=columns,
        update=[*cell_figures, "run_id"],
    )
    stale_cells = EnrolmentRollup.objects.filter(school_year=year).exclude(run=run)
    (stale_cells.filter(school_id__in=schools) if schools is not None else stale_cells).delete()

    # 2b. The same participation figures without the area dimension (an activity counts once).
    month_cells = (
        _participations(year, schools, until)
        .annotate(kind_=F("activity__kind"), month=ExtractMonth("activity__starts_at"))
        .values("school_id", "kind_", "month")
        .annotate(**_participation_figures("n_activities", "n_pupils", "n_teachers"))
        .annotate(**constants)
        .values_list("sy", "school_id", "kind_", "month", "n_activities", "n_pupils", "n_teachers", "run_ref")
    )
    month_columns = ["school_year", "school_id", "kind", "month"]
    written += upsert_from_select(
        ParticipationMonthRollup,
        month_cells,
        columns=[*month_columns, "activities", "pupils", "teachers", "run_id"],
        conflict=month_columns,
        update=["activities", "pupils", "teachers", "run_id"],
    )
    stale_months = ParticipationMonthRollup.objects.filter(school_year=year).exclude(run=run)
    (stale_months.filter(school_id__in=schools) if schools is not None else stale_months).delete()

    # 3. Per school: the year's totals from the participation rows (unique_pupils reset to 0),
    #    then the named pupils counted once over the year from the staged links (every named
    #    pupil belongs to a participation, so the row is already there: only unique_pupils is set).
    year_columns = ["school_year", "school_id"]
    totals = (
        _participations(year, schools, until)
        .values("school_id")
        .annotate(**_participation_figures("n_activities", "n_pupils", "n_teachers"), zero=Value(0))
        .annotate(**constants)
        .values_list("sy", "school_id", "n_activities", "n_pupils", "n_teachers", "zero", "run_ref")
    )
    year_figures = ["activities", "pupils", "teachers", "unique_pupils"]
    written += upsert_from_select(
        SchoolYearRollup,
        totals,
        columns=[*year_columns, *year_figures, "run_id"],
        conflict=year_columns,
        update=[*year_figures, "run_id"],
    )
    execute(
        f"""INSERT INTO {qn(SchoolYearRollup._meta.db_table)} (school_year, school_id, activities, pupils, teachers,
            unique_pupils, run_id)
        SELECT %s, l.school, 0, 0, 0, COUNT(DISTINCT l.pupil_id), %s
        FROM {LINKS_TABLE} l {school_filter}
        GROUP BY l.school
        ON CONFLICT (school_year, school_id) DO UPDATE SET unique_pupils = excluded.unique_pupils""",
        [year, run.pk],
    )
    stale_years = SchoolYearRollup.objects.filter(school_year=year).exclude(run=run)
    (stale_years.filter(school_id__in=schools) if schools is not None else stale_years).delete()
    return written


def _rollup_network_year(year: int, run: RollupRun) -> int:
    """The network's activity figures of one school year, replaced whole (the year's rows
    deleted and written again in the run's transaction): ActivityMonthRollup,
    AreaMonthRollup and NmhTeacherRollup. A year holds a few thousand activities even at
    national scale, so an incremental run recomputes the whole year of the schools it touches."""
    start, end = school_year_bounds(year)
    until = run.started_at
    for model in (ActivityMonthRollup, AreaMonthRollup, NmhTeacherRollup):
        model.objects.filter(school_year=year).delete()
    constants = {"sy": Value(year), "run_ref": Value(run.pk)}
    activities = Activity.objects.filter(
        activity_counted_q(until=until), starts_at__gte=start, starts_at__lt=end
    ).order_by()
    written = insert_from_select(
        ActivityMonthRollup,
        activities.annotate(
            month_=ExtractMonth("starts_at"),
            held_in=Coalesce("venue__municipality_id", "host_school__municipality_id"),
        )
        .values("month_", "region_id", "held_in", "kind", "level")
        .annotate(
            n_activities=Count("id", distinct=True),
            n_schools=Count("participations"),
            n_pupils=Coalesce(Sum("participations__pupils"), 0),
            n_teachers=Coalesce(Sum("participations__teachers"), 0),
        )
        .annotate(**constants)
        .values_list(
            "sy",
            "month_",
            "region_id",
            "held_in",
            "kind",
            "level",
            "n_activities",
            "n_schools",
            "n_pupils",
            "n_teachers",
            "run_ref",
        ),
        columns=[
            "school_year",
            "month",
            "region_id",
            "municipality_id",
            "kind",
            "level",
            "activities",
            "schools",
            "pupils",
            "teachers",
            "run_id",
        ],
    )
    written += insert_from_select(
        AreaMonthRollup,
        activities.filter(cooperation_areas__isnull=False)
        .annotate(month_=ExtractMonth("starts_at"), area=F("cooperation_areas"))
        .values("month_", "region_id", "area")
        .annotate(n_activities=Count("id", distinct=True), n_pupils=Coalesce(Sum("participations__pupils"), 0))
        .annotate(**constants)
        .values_list("sy", "month_", "region_id", "area", "n_activities", "n_pupils", "run_ref"),
        columns=["school_year", "month", "region_id", "cooperation_area_id", "activities", "pupils", "run_id"],
    )
    teachers: dict[tuple[int, int, str], str] = {}  # (month, region, the name case-folded) -> the name
    for starts_at, region_id, text in (
        activities.exclude(nmh_teachers="")
        .order_by("starts_at", "pk")
        .values_list("starts_at", "region_id", "nmh_teachers")
    ):
        month = timezone.localtime(starts_at).month
        for name in nmh_teacher_names(text):
            teachers.setdefault((month, region_id, name.casefold()), name[:300])
    NmhTeacherRollup.objects.bulk_create(
        NmhTeacherRollup(school_year=year, month=month, region_id=region_id, name=name, run=run)
        for (month, region_id, _key), name in sorted(teachers.items())
    )
    return written + len(teachers)


SPRING_TABLE = "rollup_named_spring"


def _insert_pupil_counts(period: str, year: int, run: RollupRun, schools: set[int] | None, source: str, params=()):
    """Upsert the named pupils per school and age band (schools.ages; ages on 1 October of
    `year`) of a school year or a calendar year (`period`, PupilCountRollup.Period) from
    `source`, an SQL select of (school, pupil_id, born) rows (a pupil may repeat); then delete
    the period's rows (of the given schools) this run did not write."""
    qn = connection.ops.quote_name
    band = age_band_sql("src.born", str(int(year)))  # an int: no placeholder to repeat
    written = execute(
        f"""INSERT INTO {qn(PupilCountRollup._meta.db_table)} (period, year, school_id, age_band, pupils, run_id)
        SELECT %s, %s, src.school, {band}, COUNT(DISTINCT src.pupil_id), %s FROM ({source}) AS src
        WHERE true GROUP BY src.school, {band}
        ON CONFLICT (period, year, school_id, age_band) DO UPDATE SET pupils = excluded.pupils,
            run_id = excluded.run_id""",
        [period, year, run.pk, *params],
    )
    stale = PupilCountRollup.objects.filter(period=period, year=year).exclude(run=run)
    (stale.filter(school_id__in=schools) if schools is not None else stale).delete()
    return written


def _school_filter(schools: set[int] | None) -> str:
    return f"WHERE school IN ({', '.join(str(int(pk)) for pk in schools)})" if schools is not None else ""


def _calendar_pupil_counts_direct(year: int, run: RollupRun, schools: set[int] | None) -> int:
    """A calendar year's named pupils per school and age band, read from the links themselves
    (for a calendar year whose two halves were not both staged in this run)."""
    start, end = calendar_year_bounds(year)
    links = NamedLink.objects.filter(
        activity_counted_q("participation__activity__", until=run.started_at),
        participation__activity__starts_at__gte=start,
        participation__activity__starts_at__lt=end,
    ).order_by()
    if schools is not None:
        links = links.filter(participation__school_id__in=schools)
    rows = links.annotate(school=F("participation__school_id"), born=F("pupil__birth_year")).values_list(
        "school", "pupil_id", "born"
    )
    sql, params = rows.query.sql_with_params()
    return _insert_pupil_counts(
        PupilCountRollup.Period.CALENDAR_YEAR,
        year,
        run,
        schools,
        f"SELECT d.school, d.pupil_id, d.born FROM ({sql}) AS d",
        params,
    )


def _calendar_years(plan: dict[int, set[int] | None]) -> dict[int, set[int] | None]:
    """The calendar years a plan of school years touches (a school year spans two), with the
    schools to recompute in each (None: all)."""
    calendar: dict[int, set[int] | None] = {}
    for school_year, schools in plan.items():
        for year in (school_year, school_year + 1):
            if schools is None or (year in calendar and calendar[year] is None):
                calendar[year] = None
            else:
                calendar[year] = calendar.get(year, set()) | schools
    return calendar


def _rollup_plan(plan: dict[int, set[int] | None], run: RollupRun) -> int:
    """Recompute the school years of a plan (year → the schools changed, None: all): each
    year's cells from its staged links, its named pupils per age band from the same stage, and
    the network's activity figures; then the calendar years the plan touches. A calendar year
    is January–July of one school year and August–December of the next: when a full run has
    staged both (consecutive years), it is counted from the two stages (the earlier spring
    kept in SPRING_TABLE) without reading the links again; otherwise from the links."""
    written = 0
    calendar_done: set[int] = set()
    spring_of: int | None = None  # the school year whose spring (January–July) SPRING_TABLE holds
    for year, schools in sorted(plan.items()):
        written += _rollup_year(year, run, schools)
        links = f"SELECT school, pupil_id, born FROM {LINKS_TABLE} {_school_filter(schools)}"
        written += _insert_pupil_counts(PupilCountRollup.Period.SCHOOL_YEAR, year, run, schools, links)
        if schools is None:
            if spring_of == year - 1:
                both_halves = (
                    f"SELECT school, pupil_id, born FROM {SPRING_TABLE} UNION ALL "
                    f"SELECT school, pupil_id, born FROM {LINKS_TABLE} WHERE term = %s"
                )
                written += _insert_pupil_counts(
                    PupilCountRollup.Period.CALENDAR_YEAR, year, run, None, both_halves, [AUTUMN]
                )
                calendar_done.add(year)
            execute(f"DROP TABLE IF EXISTS {SPRING_TABLE}")
            execute(
                f"CREATE TEMPORARY TABLE {SPRING_TABLE} AS "
                f"SELECT DISTINCT school, pupil_id, born FROM {LINKS_TABLE} WHERE term = %s",
                [SPRING],
            )
            spring_of = year
        else:
            spring_of = None
        execute(f"DROP TABLE IF EXISTS {LINKS_TABLE}")
        written += _rollup_network_year(year, run)
    execute(f"DROP TABLE IF EXISTS {SPRING_TABLE}")
    for year, schools in sorted(_calendar_years(plan).items()):
        if year not in calendar_done:
            written += _calendar_pupil_counts_direct(year, run, schools)
    return written


def school_years_with_data() -> list[int]:
    bounds = Activity.objects.aggregate(first=models.Min("starts_at"), last=models.Max("starts_at"))
    years = set(Enrolment.objects.values_list("school_year", flat=True).distinct())
    if bounds["first"]:
        first = school_year_of(timezone.localtime(bounds["first"]).date())
        last = school_year_of(timezone.localtime(bounds["last"]).date())
        years |= set(range(first, last + 1))
    return sorted(years)


def _dirty_schools(*, before: datetime, year: int | None) -> dict[int, set[int]]:
    """Claim the changed (school, year) pairs marked before the run started, with the other
    schools of the pupils named there (a pupil's load counts at every school they attend)."""
    marked = RollupDirty.objects.filter(marked_at__lte=before)
    if year is not None:
        marked = marked.filter(school_year=year)
    by_year: dict[int, set[int]] = defaultdict(set)
    for school_id, school_year in marked.values_list("school_id", "school_year"):
        by_year[school_year].add(school_id)
    for school_year, schools in by_year.items():
        pupils = _links(school_year, before).filter(participation__school_id__in=schools).values("pupil_id")
        schools |= set(
            _links(school_year, before)
            .filter(pupil_id__in=pupils)
            .values_list("participation__school_id", flat=True)
            .distinct()
        )
    marked.delete()
    return by_year


def rollup_enrolment(*, year: int | None = None, incremental: bool = False, task_id: str = "") -> RollupRun:
    """Rebuild the enrolment summaries: one school year or all of them; in incremental mode
    only the schools whose data changed since the last run."""

    def work(run: RollupRun) -> int:
        if incremental:
            return _rollup_plan(_dirty_schools(before=run.started_at, year=year), run)
        years = [year] if year is not None else school_years_with_data()
        if year is None:
            RollupDirty.objects.filter(marked_at__lte=run.started_at).delete()
            # Years that no longer have data lose their figures too.
            for model in (
                EnrolmentRollup,
                ParticipationMonthRollup,
                SchoolYearRollup,
                PupilLoadRollup,
                ActivityMonthRollup,
                AreaMonthRollup,
                NmhTeacherRollup,
            ):
                model.objects.exclude(school_year__in=years).delete()
            PupilCountRollup.objects.filter(period=PupilCountRollup.Period.SCHOOL_YEAR).exclude(year__in=years).delete()
            PupilCountRollup.objects.filter(period=PupilCountRollup.Period.CALENDAR_YEAR).exclude(
                year__in=set(years) | {y + 1 for y in years}
            ).delete()
        else:
            RollupDirty.objects.filter(marked_at__lte=run.started_at, school_year=year).delete()
        return _rollup_plan(dict.fromkeys(years), run)

    return run_rollup(kind=ENROLMENT, year=year, incremental=incremental, task_id=task_id, work=work)
