"""Cost grows with the work, not the history (issue 17): the server time of a rector's dashboard
and of a coordinator's activity list on the same school and region, the same school year and
the same rows, with 1, 2 and 5 school years of data behind them.

    export SECRET_KEY=bench DEBUG=0
    # once, from the national data of generate_scale (--years 5 --first-year 2022), quiet server:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_scale .venv/bin/python bench/history.py --prepare
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_scale .venv/bin/python bench/history.py [--requests 30]

`--prepare` copies the database twice (`<name>_h1`, `<name>_h2`; CREATE DATABASE … TEMPLATE,
so nothing may be connected to it), keeps only the latest one and two school years with data
in the copies (the same rows of those years as the original), and rebuilds their rollups.
Without it, each of the three databases is measured in a process of its own: the dashboard of
the busiest school for the latest school year, and the activity list of that school's
sub-region's coordinator (its first page and the school year's filter), each N times with
Django's test Client. Prints the median and p95 server time and the query count per
database, and how much the five-year figures differ from the one-year ones.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungmusikk.settings")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test Client speaks plain HTTP

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from activities.models import Participation  # noqa: E402
from activities.rollups import school_years_with_data  # noqa: E402
from governance.models import Role  # noqa: E402
from governance.services import role_assign, user_upsert  # noqa: E402
from schools.models import School  # noqa: E402

# The rows of the years dropped from a copy, children first (the database has no ON DELETE
# CASCADE: Django emulates it); %(first_year)s is the first school year kept.
TRIM = """
CREATE TEMP TABLE gone AS SELECT id FROM activities_activity
    WHERE starts_at < make_timestamptz(%(first_year)s, 8, 1, 0, 0, 0, 'Europe/Oslo');
CREATE TEMP TABLE gone_p AS SELECT id FROM activities_participation WHERE activity_id IN (SELECT id FROM gone);
DELETE FROM activities_participation_named_pupils WHERE participation_id IN (SELECT id FROM gone_p);
DELETE FROM activities_participation WHERE id IN (SELECT id FROM gone_p);
DELETE FROM activities_activity_cooperation_areas WHERE activity_id IN (SELECT id FROM gone);
DELETE FROM activities_activitycost WHERE activity_id IN (SELECT id FROM gone);
DELETE FROM activities_activity WHERE id IN (SELECT id FROM gone);
DELETE FROM schools_enrolment WHERE school_year < %(first_year)s;
"""


def database_url(name: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def _autocommit(url: str):
    import psycopg2

    db = psycopg2.connect(url)
    db.autocommit = True
    return db


def prepare(source: str, years: list[int]) -> None:
    connection.close()
    for keep in (1, 2):
        name = f"{source}_h{keep}"
        started = time.perf_counter()
        admin = _autocommit(database_url("postgres"))
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        admin.close()
        first_year = years[-keep]
        db = _autocommit(database_url(name))
        with db.cursor() as cursor:
            cursor.execute("BEGIN")
            for statement in filter(None, (part.strip() for part in TRIM.split(";"))):
                cursor.execute(statement, {"first_year": first_year})
            cursor.execute("COMMIT")
            cursor.execute("VACUUM ANALYZE")
        db.close()
        subprocess.run(
            [sys.executable, "manage.py", "rollup"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url(name)},
            check=True,
            capture_output=True,
        )
        print(f"{name}: school years {first_year}–{years[-1]}, ready in {time.perf_counter() - started:.0f} s")


def timed_get(client: Client, url: str, requests: int) -> dict:
    client.get(url)  # warm up
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[max(0, int(len(times) * 0.95) - 1)],
        "queries": len(queries),
        "bytes": len(response.content),
    }


def measure(requests: int, school_slug: str | None) -> dict:
    years = school_years_with_data()
    if school_slug:
        school = School.objects.get(slug=school_slug)
    else:
        busiest = Participation.objects.values("school").annotate(n=Count("id")).order_by("-n", "school")
        school = School.objects.get(pk=busiest.first()["school"])
    rector = user_upsert(username=f"bench-rektor-{school.pk}", password="bench-password-1")
    if not Role.objects.filter(user=rector, kind=Role.Kind.RECTOR, school=school).exists():
        role_assign(user=rector, kind=Role.Kind.RECTOR, school=school, valid_from=date(2000, 1, 1))
    coordinator = user_upsert(username=f"bench-koordinator-{school.region_id}", password="bench-password-1")
    if not Role.objects.filter(user=coordinator, kind=Role.Kind.COORDINATOR, region=school.region).exists():
        role_assign(user=coordinator, kind=Role.Kind.COORDINATOR, region=school.region, valid_from=date(2000, 1, 1))
    latest = max(year for year in years if year <= date.today().year)
    as_rector, as_coordinator = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    as_rector.force_login(rector)
    as_coordinator.force_login(coordinator)
    dashboard = reverse("schools:dashboard", args=[school.slug]) + f"?skoleaar={latest}"
    activity_list = reverse("activities:list")
    return {
        "database": connection.settings_dict["NAME"],
        "years": f"{years[0]}–{years[-1]}",
        "school": school.slug,
        "participations": Participation.objects.count(),
        "dashboard": timed_get(as_rector, dashboard, requests),
        "list": timed_get(as_coordinator, activity_list, requests),
        "list_year": timed_get(as_coordinator, f"{activity_list}?skoleaar={latest}", requests),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--school")
    parser.add_argument("--measure-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…) after generate_scale.")
    if args.measure_here:
        print(json.dumps(measure(args.requests, args.school)))
        return
    source = connection.settings_dict["NAME"]
    if args.prepare:
        prepare(source, school_years_with_data())
        return
    results = []
    school = args.school
    for name in (f"{source}_h1", f"{source}_h2", source):
        output = subprocess.run(
            [sys.executable, __file__, "--measure-here", "--requests", str(args.requests)]
            + (["--school", school] if school else []),
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url(name)},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        school = result["school"]  # the same school in every database
        results.append(result)
    header = f"{'database':<16} {'years':<10} {'participations':>14}  {'page':<28}"
    print(f"{header} {'median':>8} {'p95':>8} {'queries':>7}")
    for result in results:
        for key, label in (
            ("dashboard", "dashboard (latest year)"),
            ("list", "activity list"),
            ("list_year", "activity list, year filter"),
        ):
            figures = result[key]
            print(
                f"{result['database']:<16} {result['years']:<10} {result['participations']:>14,}  {label:<28} "
                f"{figures['median']:>6.1f}ms {figures['p95']:>6.1f}ms {figures['queries']:>7}"
            )
    for key in ("dashboard", "list", "list_year"):
        one, five = results[0][key]["median"], results[-1][key]["median"]
        print(f"{key}: five years / one year = {five / one:.2f}x (flat: within 1.25x)")


if __name__ == "__main__":
    main()
