"""Benchmark of the nightly enrolment rollup on the national-scale data of `generate_scale`.

    createdb/psql: CREATE DATABASE um_scale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_scale SECRET_KEY=bench DEBUG=0
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_scale --schools 400 --pupils 120000 --years 5 --first-year 2022
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/rollup.py
    .venv/bin/python bench/rollup.py --only-incremental

Prints: one school year's unit; the full rebuild of every year unit after unit in this
process, then fanned out (Celery chord) to one and to two real Celery workers (REDIS_URL); the
nightly run (the current school year and the schools marked changed) after a day's changes, in
this process and with two workers; the incremental run after a day's changes; the same
aggregation as bare SQL; and the peak memory of a worker. `--first-year 2022` makes the
current school year (2026/27 in late 2026) one with data, as in production.
"""

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungmusikk.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.models import Activity, Participation  # noqa: E402
from activities.rollups import rollup_enrolment, rollup_mark_dirty, school_years_with_data  # noqa: E402
from core.models import RollupRun  # noqa: E402
from core.periods import school_year_of  # noqa: E402

# The aggregation the rollup computes, as one hand-written read-only statement: each pupil's
# load per term, the unique named pupils per school, and per school × area × kind × month the
# activities, participations, pupils and teachers.
BARE_SQL = """
WITH links AS (
  SELECT np.pupil_id, p.school_id, p.activity_id, a.kind,
         extract(month FROM a.starts_at AT TIME ZONE 'Europe/Oslo') AS month,
         CASE WHEN extract(month FROM a.starts_at AT TIME ZONE 'Europe/Oslo') >= 8 THEN 'autumn' ELSE 'spring' END
           AS term
  FROM activities_participation_named_pupils np
  JOIN activities_participation p ON p.id = np.participation_id
  JOIN activities_activity a ON a.id = p.activity_id
  WHERE a.status <> 'cancelled' {year_filter}
), loads AS (
  SELECT pupil_id, term, count(DISTINCT activity_id) AS n FROM links GROUP BY pupil_id, term
), pupil_years AS (
  SELECT l.school_id, count(DISTINCT l.pupil_id) AS unique_pupils FROM links l GROUP BY 1
), participation_cells AS (
  SELECT p.school_id, ac.cooperationarea_id, a.kind,
         extract(month FROM a.starts_at AT TIME ZONE 'Europe/Oslo') AS month,
         count(DISTINCT p.activity_id), count(*), sum(p.pupils), sum(p.teachers)
  FROM activities_participation p
  JOIN activities_activity a ON a.id = p.activity_id
  JOIN activities_activity_cooperation_areas ac ON ac.activity_id = a.id
  WHERE a.status <> 'cancelled' {year_filter}
  GROUP BY 1, 2, 3, 4
)
SELECT (SELECT count(*) FROM loads), (SELECT count(*) FROM pupil_years), (SELECT count(*) FROM participation_cells)
"""


def timed(label, fn, repeat=1):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"{label:<58} {median:8.2f} s" + (f"  (median of {repeat})" if repeat > 1 else ""))
    return median, result


def bare_sql(year=None):
    year_filter = ""
    if year is not None:
        year_filter = (
            f"AND a.starts_at >= make_timestamptz({year}, 8, 1, 0, 0, 0, 'Europe/Oslo') "
            f"AND a.starts_at < make_timestamptz({year + 1}, 8, 1, 0, 0, 0, 'Europe/Oslo')"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        # The same memory for sorting as the rollup's transaction gets.
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.ROLLUP_WORK_MEM])
        cursor.execute(BARE_SQL.format(year_filter=year_filter))
        return cursor.fetchone()


def add_a_days_changes(count=1000):
    """A day's changes in one sub-region: 100 new activities of the latest year, each with the
    region's ten schools taking part (1,000 new participations, five named pupils each)."""
    latest = Activity.objects.filter(starts_at__lt=timezone.now()).order_by("-starts_at").first()
    year = school_year_of(timezone.localtime(latest.starts_at).date())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH new AS (
              INSERT INTO activities_activity (title, kind, level, region_id, host_school_id, starts_at, ends_at,
                  instrument, nmh_teachers, status, notes, created_at, updated_at, version)
              SELECT 'Ny aktivitet ' || g || ' ' || now(), src.kind, src.level, src.region_id, src.host_school_id,
                     src.starts_at - interval '1 day', src.ends_at - interval '1 day', '', '', 'held', '',
                     now(), now(), 1
              FROM (SELECT * FROM activities_activity WHERE id = %s) src CROSS JOIN generate_series(1, %s) g
              RETURNING id
            ), numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM new)
            INSERT INTO activities_activity_cooperation_areas (activity_id, cooperationarea_id)
            SELECT n.id, (SELECT id FROM governance_cooperationarea WHERE number = 1 + n.rn %% 10) FROM numbered n
            """,
            [latest.pk, count // 10],
        )
        cursor.execute(
            """
            INSERT INTO activities_participation (activity_id, school_id, pupils, teachers)
            SELECT a.id, s.id, 12, 1
            FROM (SELECT id FROM activities_activity
                  WHERE title LIKE 'Ny aktivitet %%' AND id NOT IN (SELECT activity_id FROM activities_participation)) a
            CROSS JOIN (
              -- the ten schools of the region of the latest activity's host school
              SELECT id FROM schools_school
              WHERE region_id = (SELECT region_id FROM activities_activity WHERE id = %s)
              ORDER BY id LIMIT 10
            ) s
            RETURNING school_id
            """,
            [latest.pk],
        )
        schools = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            """
            INSERT INTO activities_participation_named_pupils (participation_id, pupil_id)
            SELECT p.id, ps.pupil_id
            FROM activities_participation p
            JOIN activities_activity a ON a.id = p.activity_id AND a.title LIKE 'Ny aktivitet %%'
            CROSS JOIN LATERAL (SELECT pupil_id FROM schools_pupil_schools WHERE school_id = p.school_id
                                ORDER BY pupil_id LIMIT 5) ps
            WHERE NOT EXISTS (SELECT 1 FROM activities_participation_named_pupils x WHERE x.participation_id = p.id)
            """,
            [],
        )
    rollup_mark_dirty(pairs=[(school, year) for school in schools])
    return len(schools)


class Workers:
    """`count` real Celery worker processes (prefork, concurrency 1 each) on a queue of their
    own; the rollup task is sent there and the whole run waited for (its chord ends it)."""

    def __init__(self, count: int):
        self.queue = f"bench-{os.getpid()}-{count}"
        self.processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "ungmusikk",
                    "worker",
                    "-Q",
                    self.queue,
                    "--concurrency=1",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=WARNING",
                    "-n",
                    f"{self.queue}-{n}@%h",
                ],
                cwd=ROOT,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for n in range(count)
        ]
        time.sleep(4)  # the workers connect

    def run(self, **kwargs) -> RollupRun:
        from activities.tasks import rollup_enrolment_task

        outcome = rollup_enrolment_task.apply_async(kwargs=kwargs, queue=self.queue).get(timeout=1800)
        while True:
            run = RollupRun.objects.get(pk=outcome["run"])
            if run.status != RollupRun.Status.RUNNING:
                return run
            time.sleep(0.05)

    def peak_mb(self) -> float:
        """The largest peak resident memory among the workers' processes (their pool children)."""
        peak = 0
        for process in self.processes:
            for pid in [process.pid, *children(process.pid)]:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except FileNotFoundError:
                    continue
                peak = max(peak, int(next(x for x in status.splitlines() if x.startswith("VmHWM")).split()[1]))
        return peak / 1024

    def stop(self):
        for process in self.processes:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def main():
    only_incremental = "--only-incremental" in sys.argv
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…) after generate_scale.")
    participations = Participation.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM activities_participation_named_pupils")
        named = cursor.fetchone()[0]
    years = school_years_with_data()
    current = school_year_of(timezone.localdate())
    print(
        f"data: {participations:,} school participations, {named:,} named-pupil participations, "
        f"school years {years[0]}–{years[-1]}, current {current}; {os.cpu_count()} cores"
    )
    if only_incremental:
        rollup_enrolment()  # start from figures that are up to date
        changed = add_a_days_changes()
        timed(
            f"incremental rollup after 1,000 new participations ({changed} schools)",
            lambda: rollup_enrolment(incremental=True),
        )
        return
    results = {}
    full_year = max(year for year in years if year < current)
    results["unit"], _ = timed(f"one school year's unit ({full_year}), full", lambda: rollup_enrolment(year=full_year))
    results["current"], _ = timed(f"the current school year's unit ({current})", lambda: rollup_enrolment(year=current))
    results["full"], run = timed("full rebuild, every year, units one after the other", rollup_enrolment)
    assert run.status == RollupRun.Status.SUCCEEDED, run.error
    if os.environ.get("REDIS_URL"):
        for count in (1, 2):
            workers = Workers(count)
            try:
                results[f"full{count}"], run = timed(
                    f"full rebuild fanned out to {count} Celery worker{'s' if count > 1 else ''}",
                    lambda workers=workers: workers.run(full=True),
                )
                assert run.status == RollupRun.Status.SUCCEEDED, run.error
                if count == 2:
                    changed = add_a_days_changes()
                    results["nightly2"], run = timed(
                        f"nightly run after a day's changes ({changed} schools), 2 workers",
                        lambda workers=workers: workers.run(),
                    )
                    assert run.status == RollupRun.Status.SUCCEEDED, run.error
                results[f"peak{count}"] = workers.peak_mb()
                print(f"{'peak memory of a worker process':<58} {results[f'peak{count}']:8.0f} MB")
            finally:
                workers.stop()
    changed = add_a_days_changes()
    results["nightly"], run = timed(
        f"nightly run after a day's changes ({changed} schools), this process",
        lambda: rollup_enrolment(nightly=True),
    )
    assert run.status == RollupRun.Status.SUCCEEDED, run.error
    changed = add_a_days_changes()
    results["incremental"], run = timed(
        f"incremental run after 1,000 new participations ({changed} schools)",
        lambda: rollup_enrolment(incremental=True),
    )
    bare_all, _ = timed("bare SQL aggregation, all years (for comparison)", bare_sql)
    nightly = min(results["nightly"], results.get("nightly2", results["nightly"]))
    full = min(results["full"], results.get("full2", results["full"]))
    print(f"full rebuild / bare SQL: {results['full'] / bare_all:.1f}x")
    print(
        f"goals: nightly <= 20 s ({'met' if nightly <= 20 else 'NOT met'}: {nightly:.1f} s), "
        f"full rebuild <= 60 s ({'met' if full <= 60 else 'NOT met'}: {full:.1f} s), "
        f"two workers faster than one ("
        + (
            f"{'met' if results['full2'] < results['full1'] else 'NOT met'}: "
            f"{results['full1']:.1f} s -> {results['full2']:.1f} s)"
            if "full2" in results
            else "not measured: set REDIS_URL)"
        )
    )


if __name__ == "__main__":
    main()
