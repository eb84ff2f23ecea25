"""Benchmark of a rector's school dashboard on the national-scale data of
`generate_scale`, against the same page on the demo network.

    export SECRET_KEY=bench DEBUG=0
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_scale .venv/bin/python manage.py rollup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_scale .venv/bin/python bench/dashboard.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_demo  .venv/bin/python bench/dashboard.py  # demo, for the count

Logs in as the rector of a school (a bench user with a rector role is created when missing),
requests the dashboard N times with Django's test Client and prints the median, 90th and 95th
percentile server time, the query count and the page's size. Goal (issue 17): median ≤ 50 ms
and p95 ≤ 100 ms at national scale, the same query count as on the demo network.
"""

import argparse
import os
import statistics
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from activities.models import Participation  # noqa: E402
from core.models import RollupRun  # noqa: E402
from governance.models import Role  # noqa: E402
from governance.services import role_assign, user_upsert  # noqa: E402
from schools.models import School  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--school", help="slug (default: the school with the most participations)")
    args = parser.parse_args()

    if args.school:
        school = School.objects.get(slug=args.school)
    else:
        busiest = (
            Participation.objects.values("school").order_by().annotate(n=django.db.models.Count("id")).order_by("-n")
        )
        school = School.objects.get(pk=busiest.first()["school"])
    user = user_upsert(username=f"bench-rektor-{school.pk}", password="bench-password-1")
    if not Role.objects.filter(user=user, kind=Role.Kind.RECTOR, school=school).exists():
        role_assign(user=user, kind=Role.Kind.RECTOR, school=school, valid_from=date(2000, 1, 1))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("schools:dashboard", args=[school.slug])

    client.get(url)  # warm up
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    last_run = RollupRun.objects.filter(kind="enrolment", status="succeeded").order_by("-finished_at").first()
    as_of = last_run.finished_at if last_run else "the first request"
    print(
        f"{connection.settings_dict['NAME']}: {School.objects.count()} schools, {Participation.objects.count():,} "
        f"participations; school {school.slug}; figures as of the rollup of {as_of}"
    )
    median, p95 = statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]
    print(
        f"dashboard: median {median:.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, p95 {p95:.1f} ms, "
        f"{len(queries)} queries, {len(response.content) // 1024} KB ({args.requests} requests)"
    )
    print(
        f"goal median <= 50 ms: {'met' if median <= 50 else 'NOT met'}; "
        f"p95 <= 100 ms: {'met' if p95 <= 100 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
