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
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from core.models import RollupRun
from core.periods import school_year_bounds, school_year_of, term_expression
from core.rollups import execute, run_rollup, upsert_from_select
from core.schedules import ENROLMENT
from schools.models import Enrolment

from .models import (
    Activity,
    EnrolmentRollup,
    Participation,
    ParticipationMonthRollup,
    PupilLoadRollup,
    RollupDirty,
    SchoolYearRollup,
)
from .selectors import activity_counted_q

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
    school, activity, kind, month, term); every pupil figure is then aggregated from it
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
        )
        .annotate(term=term_expression())
        .values_list("pupil_id", "school", "activity", "kind", "month", "term")
    )
    sql, params = select.query.sql_with_params()
    execute(f"DROP TABLE IF EXISTS {LINKS_TABLE}")
    execute(f"CREATE TEMPORARY TABLE {LINKS_TABLE} AS {sql}", params)
    if connection.vendor == "postgresql":
        execute(f"ANALYZE {LINKS_TABLE}")


def _rollup_year(year: int, run: RollupRun, schools: set[int] | None) -> int:
    """Recompute one school year (all schools, or the given ones) in the current transaction."""
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
    execute(f"DROP TABLE IF EXISTS {LINKS_TABLE}")
    stale_years = SchoolYearRollup.objects.filter(school_year=year).exclude(run=run)
    (stale_years.filter(school_id__in=schools) if schools is not None else stale_years).delete()
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
            plan = _dirty_schools(before=run.started_at, year=year)
            return sum(_rollup_year(y, run, schools) for y, schools in sorted(plan.items()))
        years = [year] if year is not None else school_years_with_data()
        if year is None:
            RollupDirty.objects.filter(marked_at__lte=run.started_at).delete()
            # Years that no longer have data lose their figures too.
            for model in (EnrolmentRollup, ParticipationMonthRollup, SchoolYearRollup, PupilLoadRollup):
                model.objects.exclude(school_year__in=years).delete()
        else:
            RollupDirty.objects.filter(marked_at__lte=run.started_at, school_year=year).delete()
        return sum(_rollup_year(y, run, None) for y in years)

    return run_rollup(kind=ENROLMENT, year=year, incremental=incremental, task_id=task_id, work=work)
