"""The nightly budget rollup: per year × budget line × region × school × cooperation area,
what was budgeted, committed (planned activities' costs), spent (held activities' costs), and
the municipal contributions invoiced and paid. Computed by one set-based statement per year,
upserted on (year, key) in the same transaction that removes the year's stale rows, under the
rollup lock, and recorded as a RollupRun (core/rollups.py).

The booking rule is the budget page's (funding.selectors.budget_vs_actual): an activity's
costs go where its ActivityBooking says, else on its host school's allocation when it is a
local activity at a school with an allocation, else on its region's pool.
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

from .models import ActivityBooking, Budget, BudgetLine, BudgetRollup, MunicipalContribution, SchoolMoneyRollup
from .selectors import budget_in_force


def _budget_for(year: int) -> Budget | None:
    """The approved budget in force, or else the newest revision (a draft or submitted budget
    still has figures worth following)."""
    return budget_in_force(year=year) or Budget.objects.filter(year=year).order_by("-revision").first()


def budget_years_with_data() -> list[int]:
    years = set(Budget.objects.values_list("year", flat=True).distinct())
    years |= set(MunicipalContribution.objects.values_list("year", flat=True).distinct())
    bounds = Activity.objects.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    if bounds["first"]:
        first, last = (timezone.localtime(bounds[end]).year for end in ("first", "last"))
        years |= set(range(first, last + 1))
    return sorted(years)


def _rollup_year(year: int, run: RollupRun) -> int:
    budget = _budget_for(year)
    qn = connection.ops.quote_name
    tables = {
        "activity": qn(Activity._meta.db_table),
        "cost": qn(ActivityCost._meta.db_table),
        "booking": qn(ActivityBooking._meta.db_table),
        "line": qn(BudgetLine._meta.db_table),
        "school": qn("schools_school"),
        "contribution": qn(MunicipalContribution._meta.db_table),
        "rollup": qn(BudgetRollup._meta.db_table),
        "participation": qn(Participation._meta.db_table),
    }
    start, end = calendar_year_bounds(year)
    budget_id = budget.pk if budget else None
    written = 0
    statement = f"""
    INSERT INTO {tables["rollup"]} (year, key, budget_id, line_id, kind, region_id, school_id, cooperation_area_id,
                                    municipality_id, budgeted, committed, spent, invoiced, paid, run_id)
    WITH acts AS (
        SELECT a.id, a.status, a.level, a.region_id, a.host_school_id,
               COALESCE((SELECT SUM(c.amount) FROM {tables["cost"]} c WHERE c.activity_id = a.id), 0) AS cost
        FROM {tables["activity"]} a
        WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s AND a.status <> 'cancelled'
    ), allocated AS (
        SELECT school_id FROM {tables["line"]} WHERE budget_id = %(budget)s AND kind = 'school_allocation'
    ), booked AS (
        SELECT acts.status, acts.cost,
               CASE WHEN b.id IS NOT NULL THEN b.kind
                    WHEN acts.level = 'local' AND acts.host_school_id IN (SELECT school_id FROM allocated)
                        THEN 'school_allocation'
                    ELSE 'region_pool' END AS t_kind,
               CASE WHEN b.id IS NOT NULL THEN COALESCE(b.region_id, b.school_id, b.cooperation_area_id)
                    WHEN acts.level = 'local' AND acts.host_school_id IN (SELECT school_id FROM allocated)
                        THEN acts.host_school_id
                    ELSE acts.region_id END AS t_id
        FROM acts LEFT JOIN {tables["booking"]} b ON b.activity_id = acts.id
    ), actual AS (
        SELECT t_kind, t_id,
               SUM(CASE WHEN status = 'planned' THEN cost ELSE 0 END) AS committed,
               SUM(CASE WHEN status = 'held' THEN cost ELSE 0 END) AS spent
        FROM booked GROUP BY t_kind, t_id
    ), lines AS (
        SELECT l.*, CASE l.kind WHEN 'region_pool' THEN l.region_id WHEN 'school_allocation' THEN l.school_id
                                WHEN 'area_earmark' THEN l.cooperation_area_id END AS t_id
        FROM {tables["line"]} l WHERE l.budget_id = %(budget)s
    ), first_lines AS (
        -- Two lines on one target share its actual figures: they are shown on the first.
        SELECT kind, t_id, MIN(id) AS id FROM lines WHERE t_id IS NOT NULL GROUP BY kind, t_id
    )
    SELECT %(year)s, 'line:' || CAST(l.id AS VARCHAR(20)), CAST(%(budget)s AS BIGINT), l.id, l.kind,
           COALESCE(l.region_id, s.region_id), l.school_id, l.cooperation_area_id, l.municipality_id, l.amount,
           COALESCE(CASE WHEN f.id IS NOT NULL THEN act.committed END, 0),
           COALESCE(CASE WHEN f.id IS NOT NULL THEN act.spent END, 0),
           COALESCE(CASE WHEN mc.invoiced_on IS NOT NULL THEN mc.amount END, 0),
           COALESCE(CASE WHEN mc.paid_on IS NOT NULL THEN mc.amount END, 0),
           %(run)s
    FROM lines l
    LEFT JOIN {tables["school"]} s ON s.id = l.school_id
    LEFT JOIN first_lines f ON f.id = l.id
    LEFT JOIN actual act ON act.t_kind = l.kind AND act.t_id = l.t_id
    LEFT JOIN {tables["contribution"]} mc
        ON l.kind = 'municipal_contribution' AND mc.municipality_id = l.municipality_id AND mc.year = %(year)s
    UNION ALL
    -- Costs booked on a target without a line: unbudgeted, so over budget by their whole amount.
    SELECT %(year)s, act.t_kind || ':' || CAST(act.t_id AS VARCHAR(20)), CAST(%(budget)s AS BIGINT), NULL, act.t_kind,
           CASE act.t_kind WHEN 'region_pool' THEN act.t_id WHEN 'school_allocation' THEN us.region_id END,
           CASE act.t_kind WHEN 'school_allocation' THEN act.t_id END,
           CASE act.t_kind WHEN 'area_earmark' THEN act.t_id END,
           NULL, 0, act.committed, act.spent, 0, 0, %(run)s
    FROM actual act
    LEFT JOIN {tables["school"]} us ON act.t_kind = 'school_allocation' AND us.id = act.t_id
    WHERE NOT EXISTS (SELECT 1 FROM first_lines f WHERE f.kind = act.t_kind AND f.t_id = act.t_id)
    UNION ALL
    -- Contributions of the year that no budget line names (e.g. a year without a budget).
    SELECT %(year)s, 'contribution:' || CAST(mc.municipality_id AS VARCHAR(20)), CAST(%(budget)s AS BIGINT), NULL,
           'municipal_contribution', NULL, NULL, NULL, mc.municipality_id, 0, 0, 0,
           CASE WHEN mc.invoiced_on IS NOT NULL THEN mc.amount ELSE 0 END,
           CASE WHEN mc.paid_on IS NOT NULL THEN mc.amount ELSE 0 END, %(run)s
    FROM {tables["contribution"]} mc
    WHERE mc.year = %(year)s AND NOT EXISTS (
        SELECT 1 FROM lines l WHERE l.kind = 'municipal_contribution' AND l.municipality_id = mc.municipality_id)
    ON CONFLICT (year, key) DO UPDATE SET budget_id = excluded.budget_id, line_id = excluded.line_id,
        kind = excluded.kind, region_id = excluded.region_id, school_id = excluded.school_id,
        cooperation_area_id = excluded.cooperation_area_id, municipality_id = excluded.municipality_id,
        budgeted = excluded.budgeted, committed = excluded.committed, spent = excluded.spent,
        invoiced = excluded.invoiced, paid = excluded.paid, run_id = excluded.run_id
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, {"start": start, "end": end, "budget": budget_id, "year": year, "run": run.pk})
        written += max(cursor.rowcount, 0)
    BudgetRollup.objects.filter(year=year).exclude(run=run).delete()
    written += _school_values(year, run, start, end, tables)
    return written


def _school_values(year: int, run: RollupRun, start: datetime, end: datetime, tables: dict[str, str]) -> int:
    """Per school, the value of the activities of the calendar year it took part in: each
    activity's costs shared by pupils (equally when it had none), as the dashboards' live
    computation does (ungmusikk.dashboard.COST_SHARING_RULE), counting the activities
    activities.selectors.activity_counted_q counts (not cancelled, started before the run)."""
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
    """Rebuild the budget summaries for one year or all years with a budget or contributions.
    The budget tables are small (a few hundred lines a year even nationally), so the
    incremental mode recomputes the budget years touched by activities changed since the last
    successful run, or all when that can't be told."""

    def work(run: RollupRun) -> int:
        years = [year] if year is not None else budget_years_with_data()
        if incremental and year is None:
            last = (
                RollupRun.objects.filter(kind=BUDGET, status=RollupRun.Status.SUCCEEDED).order_by("-started_at").first()
            )
            if last is not None:
                changed = Activity.objects.filter(updated_at__gte=last.started_at).dates("starts_at", "year")
                years = sorted({d.year for d in changed} & set(years))
        if year is None and not incremental:
            BudgetRollup.objects.exclude(year__in=years).delete()
            SchoolMoneyRollup.objects.exclude(year__in=years).delete()
        return sum(_rollup_year(y, run) for y in years)

    return run_rollup(kind=BUDGET, year=year, incremental=incremental, task_id=task_id, work=work)
