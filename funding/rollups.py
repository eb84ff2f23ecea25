"""The money rollup: per school and calendar year, the value of the activities its pupils took
part in, each activity's costs shared by COST_SHARING_RULE (funding/figures.py) — computed here
and nowhere else. One set-based statement per year, upserted on (year, school) in the
transaction that removes the year's stale rows, under the rollup lock, recorded as a RollupRun
(core/rollups.py). The kind is "budget" (core/schedules.py). The budget page's budget against
actual is computed live by funding.selectors.budget_vs_actual, the booking rule's one home.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from activities.models import Activity, ActivityCost, Participation
from core.models import RollupRun
from core.periods import calendar_year_bounds
from core.rollups import run_rollup
from core.schedules import BUDGET

from .models import SchoolMoneyRollup


def money_years_with_data() -> list[int]:
    """The calendar years with activities (the years whose value of activities is summed)."""
    bounds = Activity.objects.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    if not bounds["first"]:
        return []
    first, last = (timezone.localtime(bounds[end]).year for end in ("first", "last"))
    return list(range(first, last + 1))


def _rollup_year(year: int, run: RollupRun) -> int:
    qn = connection.ops.quote_name
    tables = {
        "activity": qn(Activity._meta.db_table),
        "cost": qn(ActivityCost._meta.db_table),
        "participation": qn(Participation._meta.db_table),
    }
    start, end = calendar_year_bounds(year)
    return _school_values(year, run, start, end, tables)


def _school_values(year: int, run: RollupRun, start: datetime, end: datetime, tables: dict[str, str]) -> int:
    """Per school, the value of the activities of the calendar year it took part in: each
    activity's costs shared by pupils (equally when it had none; funding.figures.
    COST_SHARING_RULE), counting the activities activities.selectors.activity_counted_q counts
    (not cancelled, started before the run)."""
    qn = connection.ops.quote_name
    statement = f"""
    INSERT INTO {qn(SchoolMoneyRollup._meta.db_table)} (year, school_id, activity_value, run_id)
    WITH acts AS (
        SELECT a.id FROM {tables["activity"]} a
        WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s AND a.starts_at < %(until)s
          AND a.status <> 'cancelled'
    ), costs AS (
        SELECT c.activity_id, SUM(c.amount) AS total FROM {tables["cost"]} c
        WHERE c.activity_id IN (SELECT id FROM acts) GROUP BY c.activity_id
    ), shares AS (
        SELECT p.activity_id, SUM(p.pupils) AS pupils, COUNT(*) AS schools FROM {tables["participation"]} p
        WHERE p.activity_id IN (SELECT id FROM acts) GROUP BY p.activity_id
    )
    SELECT %(year)s, p.school_id,
           COALESCE(SUM(CASE WHEN s.pupils > 0 THEN c.total * p.pupils / s.pupils ELSE c.total / s.schools END), 0),
           %(run)s
    FROM {tables["participation"]} p
    JOIN shares s ON s.activity_id = p.activity_id
    LEFT JOIN costs c ON c.activity_id = p.activity_id
    WHERE true
    GROUP BY p.school_id
    ON CONFLICT (year, school_id) DO UPDATE SET activity_value = excluded.activity_value, run_id = excluded.run_id
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, {"start": start, "end": end, "until": run.started_at, "year": year, "run": run.pk})
        written = max(cursor.rowcount, 0)
    SchoolMoneyRollup.objects.filter(year=year).exclude(run=run).delete()
    return written


def rollup_budget(*, year: int | None = None, incremental: bool = False, task_id: str = "") -> RollupRun:
    """Rebuild the money summary (SchoolMoneyRollup) for one calendar year or all years with
    activities. Incremental: the years of the activities changed since the last successful
    run (all when that can't be told)."""

    def work(run: RollupRun) -> int:
        years = [year] if year is not None else money_years_with_data()
        if incremental and year is None:
            last = (
                RollupRun.objects.filter(kind=BUDGET, status=RollupRun.Status.SUCCEEDED).order_by("-started_at").first()
            )
            if last is not None:
                changed = Activity.objects.filter(updated_at__gte=last.started_at).dates("starts_at", "year")
                years = sorted({d.year for d in changed} & set(years))
        if year is None and not incremental:
            SchoolMoneyRollup.objects.exclude(year__in=years).delete()
        return sum(_rollup_year(y, run) for y in years)

    return run_rollup(kind=BUDGET, year=year, incremental=incremental, task_id=task_id, work=work)
