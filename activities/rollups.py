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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from core.models import RollupRun
from core.periods import AUTUMN, SPRING, calendar_year_bounds, school_year_bounds, school_year_of, term_expression
from core.rollups import execute, insert_from_select, run_rollup, upsert_from_select
from core.schedules import ENROLMENT
from schools.ages import age_band_sql
from schools.models import Enrolment, Pupil

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


def _links_between(start: datetime, end: datetime, until: datetime) -> models.QuerySet:
    """The named-pupil links of the activities counted (started before `until`, not cancelled)
    that start in [start, end)."""
    return NamedLink.objects.filter(
        activity_counted_q("participation__activity__", until=until),
        participation__activity__starts_at__gte=start,
        participation__activity__starts_at__lt=end,
    ).order_by()


def _links(year: int, until: datetime) -> models.QuerySet:
    return _links_between(*school_year_bounds(year), until)


def _school_condition(schools: set[int] | None, column: str = "school") -> str:
    """An SQL condition on a school id column: the given schools (ids as integers), or all."""
    return f"{column} IN ({', '.join(str(int(pk)) for pk in schools)})" if schools is not None else "true"


LINKS_TABLE = "rollup_named_links"
ACTIVITIES_TABLE = "rollup_activities"


def _stage_links(year: int, schools: set[int] | None, until: datetime) -> None:
    """One pass over the year's named-pupil links into a narrow temporary table (pupil,
    school, activity, kind, month, term); every pupil figure is then aggregated from it without
    joining the big tables again (the birth years are joined to the distinct pupils later).
    The year's counted activities are staged first with their kind, month and term (Django's
    time-zone aware functions, so the same SQL works on PostgreSQL and SQLite): computed once
    an activity, not once a link."""
    start, end = school_year_bounds(year)
    activities = (
        Activity.objects.filter(activity_counted_q(until=until), starts_at__gte=start, starts_at__lt=end)
        .annotate(month=ExtractMonth("starts_at"))
        .annotate(term=term_expression())
        .values_list("id", "kind", "month", "term")
        .order_by()
    )
    sql, params = activities.query.sql_with_params()
    execute(f"DROP TABLE IF EXISTS {ACTIVITIES_TABLE}")
    execute(f"CREATE TEMPORARY TABLE {ACTIVITIES_TABLE} AS {sql}", params)
    if connection.vendor == "postgresql":
        execute(f"ANALYZE {ACTIVITIES_TABLE}")
    qn = connection.ops.quote_name
    participation, link = qn(Participation._meta.db_table), qn(NamedLink._meta.db_table)
    joined = (
        f"{ACTIVITIES_TABLE} a JOIN {participation} p ON p.activity_id = a.id "
        f"JOIN {link} np ON np.participation_id = p.id"
    )
    where = ""
    if schools is not None:
        # The pupils named at the changed schools, with all their links: a pupil's load counts
        # at every school they attend.
        where = (
            f"WHERE np.pupil_id IN (SELECT np.pupil_id FROM {joined} WHERE {_school_condition(schools, 'p.school_id')})"
        )
    execute(f"DROP TABLE IF EXISTS {LINKS_TABLE}")
    execute(
        f"CREATE TEMPORARY TABLE {LINKS_TABLE} AS SELECT np.pupil_id AS pupil_id, p.school_id AS school, "
        f"a.id AS activity, a.kind AS kind, a.month AS month, a.term AS term FROM {joined} {where}"
    )
    execute(f"DROP TABLE {ACTIVITIES_TABLE}")
    if connection.vendor == "postgresql":
        execute(f"ANALYZE {LINKS_TABLE}")


def _rollup_year(year: int, run: RollupRun, schools: set[int] | None) -> int:
    """Recompute one school year (all schools, or the given ones) in the current transaction.
    Leaves the year's links staged in LINKS_TABLE for the pupil counts (the caller drops it)."""
    constants = {"sy": Value(year), "run_ref": Value(run.pk)}
    qn = connection.ops.quote_name
    school_filter = f"WHERE {_school_condition(schools, 'l.school')}"
    # Only what has started by the time the run started counts ("figures as of" the run).
    until = run.started_at
    _stage_links(year, schools, until)
    written = 0

    # 1. Each named pupil's load per term, across all the pupil's schools. A whole year is
    #    deleted and inserted (cheaper than updating its 240,000 rows at national scale).
    load = f"""INSERT INTO {qn(PupilLoadRollup._meta.db_table)} (school_year, term, pupil_id, activities, run_id)
        SELECT %s, l.term, l.pupil_id, COUNT(DISTINCT l.activity), %s FROM {LINKS_TABLE} l
        WHERE true GROUP BY l.pupil_id, l.term"""
    if schools is None:
        PupilLoadRollup.objects.filter(school_year=year).delete()
    else:
        load += """ ON CONFLICT (school_year, term, pupil_id) DO UPDATE SET activities = excluded.activities,
            run_id = excluded.run_id"""
    written += execute(load, [year, run.pk])
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


def _insert_pupil_counts(period: str, year: int, run: RollupRun, schools: set[int] | None, source: str, params=()):
    """Upsert the named pupils per school and age band (schools.ages; ages on 1 October of
    `year`) of a school year or a calendar year (`period`, PupilCountRollup.Period) from
    `source`, an SQL select of (school, pupil_id) rows (a pair may repeat); then delete the
    period's rows (of the given schools) this run did not write. The pupils' birth years are
    joined to the distinct pairs, not to every link."""
    qn = connection.ops.quote_name
    band = age_band_sql("pupil.birth_year", str(int(year)))  # an int: no placeholder to repeat
    written = execute(
        f"""INSERT INTO {qn(PupilCountRollup._meta.db_table)} (period, year, school_id, age_band, pupils, run_id)
        SELECT %s, %s, src.school, {band}, COUNT(*), %s
        FROM (SELECT DISTINCT d.school, d.pupil_id FROM ({source}) AS d) AS src
        JOIN {qn(Pupil._meta.db_table)} pupil ON pupil.id = src.pupil_id
        WHERE true GROUP BY src.school, {band}
        ON CONFLICT (period, year, school_id, age_band) DO UPDATE SET pupils = excluded.pupils,
            run_id = excluded.run_id""",
        [period, year, run.pk, *params],
    )
    stale = PupilCountRollup.objects.filter(period=period, year=year).exclude(run=run)
    (stale.filter(school_id__in=schools) if schools is not None else stale).delete()
    return written


def _spring_links_sql(year: int, run: RollupRun, schools: set[int] | None) -> tuple[str, list]:
    """SQL and parameters of the (school, pupil_id) rows of the named-pupil links of
    January–July of `year` (the spring of the school year before), of the given schools."""
    links = _links_between(calendar_year_bounds(year)[0], school_year_bounds(year)[0], run.started_at)
    if schools is not None:
        links = links.filter(participation__school_id__in=schools)
    rows = links.annotate(school=F("participation__school_id")).values_list("school", "pupil_id")
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _rollup_unit(year: int, run: RollupRun, schools: set[int] | None, *, last: bool) -> int:
    """One unit of the enrolment rollup, school year `year` (all schools, or the given ones),
    in the current transaction: the year's cells from its staged links, its named pupils per
    age band, the calendar year `year` (its January–July read from the links, its autumn from
    the stage), when `last` (no later school year has data) the calendar year after too (its
    spring from the stage), and the network's activity figures of the year. A unit touches no
    row another unit writes, so units run side by side."""
    written = _rollup_year(year, run, schools)
    condition = _school_condition(schools)
    staged = f"SELECT school, pupil_id FROM {LINKS_TABLE} WHERE {condition}"
    written += _insert_pupil_counts(PupilCountRollup.Period.SCHOOL_YEAR, year, run, schools, staged)
    spring_sql, spring_params = _spring_links_sql(year, run, schools)
    written += _insert_pupil_counts(
        PupilCountRollup.Period.CALENDAR_YEAR,
        year,
        run,
        schools,
        f"SELECT s.school, s.pupil_id FROM ({spring_sql}) AS s UNION ALL {staged} AND term = %s",
        [*spring_params, AUTUMN],
    )
    if last:
        written += _insert_pupil_counts(
            PupilCountRollup.Period.CALENDAR_YEAR, year + 1, run, schools, f"{staged} AND term = %s", [SPRING]
        )
    execute(f"DROP TABLE IF EXISTS {LINKS_TABLE}")
    return written + _rollup_network_year(year, run)


def school_years_with_data() -> list[int]:
    bounds = Activity.objects.aggregate(first=models.Min("starts_at"), last=models.Max("starts_at"))
    years = set(Enrolment.objects.values_list("school_year", flat=True).distinct())
    if bounds["first"]:
        first = school_year_of(timezone.localtime(bounds["first"]).date())
        last = school_year_of(timezone.localtime(bounds["last"]).date())
        years |= set(range(first, last + 1))
    return sorted(years)


def _with_other_schools_of_their_pupils(year: int, schools: set[int], until: datetime) -> set[int]:
    """The schools, and the other schools of the pupils named there in the school year (a
    pupil's load counts at every school they attend)."""
    pupils = _links(year, until).filter(participation__school_id__in=schools).values("pupil_id")
    return schools | set(
        _links(year, until).filter(pupil_id__in=pupils).values_list("participation__school_id", flat=True).distinct()
    )


@dataclass(frozen=True)
class RollupUnit:
    """One unit of work of the enrolment rollup: a school year, all its schools (None) or the
    given ones; `last` when no later school year has data (the unit then also counts the next
    calendar year, whose spring it holds)."""

    year: int
    schools: tuple[int, ...] | None
    last: bool


def _last_whole_run_started(*, before: datetime) -> datetime | None:
    """When the last whole enrolment run that did the current school year in full (nightly or
    full, succeeded) started, before `before`: what started after it is not counted yet."""
    return RollupRun.objects.filter(
        kind=ENROLMENT,
        year__isnull=True,
        status=RollupRun.Status.SUCCEEDED,
        mode__in=[RollupRun.Mode.FULL, RollupRun.Mode.NIGHTLY],
        started_at__lt=before,
    ).aggregate(last=models.Max("started_at"))["last"]


def rollup_enrolment_plan(*, mode: str, before: datetime, year: int | None = None) -> list[RollupUnit]:
    """The units of a run (`mode`, core.models.RollupRun.Mode), in school-year order:
    - FULL: every school year with data (or `year`), all schools;
    - NIGHTLY: the current school year, all schools (and, in full, the years since the last
      nightly or full run began: on 1 August the school year that just ended), and the
      schools marked changed (RollupDirty, marked before `before`) in other years;
    - INCREMENTAL: only the schools marked changed.
    A change in a school year's spring also changes the next calendar year, which the next
    school year's unit counts: those schools join that unit."""
    with_data = school_years_with_data()
    plan: dict[int, set[int] | None] = {}
    if mode == RollupRun.Mode.FULL:
        plan = dict.fromkeys([year] if year is not None else with_data)
    else:
        marked = RollupDirty.objects.filter(marked_at__lte=before)
        if year is not None:
            marked = marked.filter(school_year=year)
        for school_id, school_year in marked.values_list("school_id", "school_year"):
            plan.setdefault(school_year, set()).add(school_id)
        if mode == RollupRun.Mode.NIGHTLY and year is None:
            current = school_year_of(timezone.localdate())
            plan[current] = None
            # What started after the last run that did the current year in full counts now, also
            # in an earlier school year: the first night of a school year does the one before
            # too (its last evening started after the night before's run), as do nights after
            # missed ones; with no such run, every year.
            since = _last_whole_run_started(before=before)
            first = school_year_of(timezone.localtime(since).date()) if since else min(with_data, default=current)
            for school_year in with_data:
                if first <= school_year < current:
                    plan[school_year] = None
        if year is None:
            for school_year, schools in sorted(plan.items()):
                following = school_year + 1
                if following in with_data and schools is not None and plan.get(following, set()) is not None:
                    plan[following] = plan.get(following, set()) | schools
                elif following in with_data:
                    plan[following] = None
    years = set(with_data)
    return [
        RollupUnit(
            year=school_year,
            schools=None if schools is None else tuple(sorted(schools)),
            last=school_year + 1 not in years,
        )
        for school_year, schools in sorted(plan.items())
    ]


def rollup_enrolment_unit(
    *, year: int, schools: Iterable[int] | None, last: bool, mode: str, before: datetime, task_id: str = ""
) -> RollupRun:
    """Run one unit (see RollupUnit) in its own transaction under its own lock (the kind's lock
    of the school year: a unit whose lock another run holds is recorded as skipped and leaves
    the year as it was). Claims the unit's change marks made before `before`. A RollupRun with
    the year set."""

    def work(run: RollupRun) -> int:
        chosen = None if schools is None else _with_other_schools_of_their_pupils(year, set(schools), run.started_at)
        marks = RollupDirty.objects.filter(school_year=year, marked_at__lte=before)
        (marks if chosen is None else marks.filter(school_id__in=chosen)).delete()
        if chosen is not None and not chosen:
            return 0  # nothing marked changed in the year
        return _rollup_unit(year, run, chosen, last=last)

    return run_rollup(
        kind=ENROLMENT,
        year=year,
        unit=year,
        mode=mode,
        task_id=task_id,
        work=work,
    )


# A whole run (year None) still marked running after this long had its worker die (its units
# are each recorded on their own): recorded as failed when the next whole run starts.
STALE_WHOLE_RUN = timedelta(hours=6)


def rollup_enrolment_start(*, mode: str, task_id: str = "") -> tuple[RollupRun, list[RollupUnit]]:
    """Begin a whole run (every school year in the plan of `mode`): record it (a RollupRun with
    no year, running until rollup_enrolment_finish), and, in a full run, drop the figures of
    years that no longer have data. Returns the run and its units."""
    now = timezone.now()
    RollupRun.objects.filter(
        kind=ENROLMENT, year__isnull=True, status=RollupRun.Status.RUNNING, started_at__lt=now - STALE_WHOLE_RUN
    ).update(status=RollupRun.Status.FAILED, error="Avbrutt: kjøringen ble aldri ferdig.", finished_at=now)
    parent = RollupRun.objects.create(kind=ENROLMENT, mode=mode, year=None, started_at=now, task_id=task_id or "")
    units = rollup_enrolment_plan(mode=mode, before=parent.started_at)
    if mode == RollupRun.Mode.FULL:
        years = [unit.year for unit in units]
        with transaction.atomic():
            RollupDirty.objects.filter(marked_at__lte=parent.started_at).exclude(school_year__in=years).delete()
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
    return parent, units


def rollup_enrolment_finish(*, run_id: int, unit_run_ids: Iterable[int], failure: str = "") -> RollupRun:
    """End a whole run from how its units ended: succeeded when every unit did; skipped when a
    unit found its year locked by another run (the years named); failed when one failed (or
    with `failure`, the fan-out's error). Only a succeeded whole run moves the pages' "as of"."""
    run = RollupRun.objects.get(pk=run_id)
    units = list(RollupRun.objects.filter(pk__in=list(unit_run_ids)).order_by("year"))
    run.rows_written = sum(unit.rows_written for unit in units)
    failed = [unit for unit in units if unit.status == RollupRun.Status.FAILED]
    skipped = [unit for unit in units if unit.status == RollupRun.Status.SKIPPED]
    if failure or failed:
        run.status = RollupRun.Status.FAILED
        run.error = (failure or "; ".join(f"{unit.year}: {unit.error}" for unit in failed))[:4000]
    elif skipped:
        run.status = RollupRun.Status.SKIPPED
        years = ", ".join(str(unit.year) for unit in skipped)
        run.error = f"En annen kjøring av samme type pågår (skoleår {years})."
    else:
        run.status = RollupRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "rows_written", "finished_at"])
    return run


def enrolment_mode(*, incremental: bool = False, nightly: bool = False) -> str:
    """The RollupRun.Mode of a run asked for with these flags (rollup_enrolment and its task)."""
    if incremental:
        return RollupRun.Mode.INCREMENTAL
    return RollupRun.Mode.NIGHTLY if nightly else RollupRun.Mode.FULL


def rollup_enrolment(
    *, year: int | None = None, incremental: bool = False, nightly: bool = False, task_id: str = ""
) -> RollupRun:
    """Rebuild the enrolment summaries here and now, unit after unit (the Celery task fans the
    same units out to the workers, activities.tasks): every school year (full), the current
    year and the changed schools (`nightly`), or only the changed schools (`incremental`).
    With `year`, that school year's unit alone (its RollupRun is returned; it does not move
    "as of"); otherwise the whole run's RollupRun. A unit that fails fails the run (raised)."""
    mode = enrolment_mode(incremental=incremental, nightly=nightly)
    if year is not None:
        before = timezone.now()
        units = rollup_enrolment_plan(mode=mode, before=before, year=year) or [RollupUnit(year, (), False)]
        unit = units[0]
        return rollup_enrolment_unit(
            year=year, schools=unit.schools, last=unit.last, mode=mode, before=before, task_id=task_id
        )
    run, units = rollup_enrolment_start(mode=mode, task_id=task_id)
    done: list[int] = []
    try:
        for unit in units:
            done.append(
                rollup_enrolment_unit(
                    year=unit.year, schools=unit.schools, last=unit.last, mode=mode, before=run.started_at
                ).pk
            )
    except Exception as exc:
        rollup_enrolment_finish(run_id=run.pk, unit_run_ids=done, failure=f"{type(exc).__name__}: {exc}")
        raise
    return rollup_enrolment_finish(run_id=run.pk, unit_run_ids=done)
