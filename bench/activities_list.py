"""Benchmark of the activity list: 20,000 activities and 200,000 participations in
PostgreSQL, the filtered list's server time at the median and its query count.

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE um_bench_activities'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_bench_activities SECRET_KEY=x DEBUG=0 \\
      .venv/bin/python bench/activities_list.py [--requests 50]

It migrates the database, bulk-creates the data once (a second run reuses it), logs in as a
Follo coordinator with Django's test Client and requests each filtered list N times. Prints
the median, the 90th percentile and the query count per filter. Goal: median < 100 ms and a
query count that does not depend on the data.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungmusikk.settings")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")  # the test Client's host; empty by default with DEBUG off

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from activities.models import Activity, Participation  # noqa: E402
from governance.models import CooperationArea, Role  # noqa: E402
from schools.models import Membership, Municipality, Pupil, Region, School  # noqa: E402

OSLO = ZoneInfo("Europe/Oslo")
ACTIVITIES = 20_000
PARTICIPATIONS_PER_ACTIVITY = 10
SCHOOLS = 40
PUPILS = 4_000
PREFIX = "Bench "


def build() -> None:
    """The data set, once: five regions, 40 member schools, 4,000 pupils, 20,000 activities
    over eleven school years with 10 participating schools each and some named pupils."""
    if Activity.objects.filter(title__startswith=PREFIX).count() >= ACTIVITIES:
        return
    rng = random.Random(3)
    started = time.perf_counter()
    with transaction.atomic():
        regions = [
            Region.objects.get_or_create(
                slug=f"bench-{n}", defaults={"name": f"Bench-region {n}", "valid_from": date(2013, 1, 1)}
            )[0]
            for n in range(5)
        ]
        municipality, _ = Municipality.objects.get_or_create(
            number="9999",
            defaults={
                "name": "Benchkommune",
                "latitude": Decimal("59.9"),
                "longitude": Decimal("10.7"),
                "valid_from": date(2013, 1, 1),
            },
        )
        schools = []
        for n in range(SCHOOLS):
            school, created = School.objects.get_or_create(
                slug=f"bench-skole-{n}",
                defaults={
                    "name": f"Bench-skole {n}",
                    "kind": "kulturskole",
                    "municipality": municipality,
                    "region": regions[n % 5],
                },
            )
            if created:
                Membership.objects.create(school=school, status="member", valid_from=date(2013, 1, 1))
            schools.append(school)
        pupils = Pupil.objects.bulk_create(
            Pupil(first_name=f"Elev{n}", last_name="Bench", birth_year=2005, main_instrument="Fiolin")
            for n in range(PUPILS)
        )
        Pupil.schools.through.objects.bulk_create(
            Pupil.schools.through(pupil_id=p.pk, school_id=schools[i % SCHOOLS].pk) for i, p in enumerate(pupils)
        )
        areas = list(CooperationArea.objects.all())
        kinds, levels = Activity.Kind.values, Activity.Level.values
        start = datetime(2013, 8, 1, 10, tzinfo=OSLO)
        activities = []
        for n in range(ACTIVITIES):
            starts_at = start + timedelta(hours=rng.randrange(0, 11 * 365 * 24))
            activities.append(
                Activity(
                    title=f"{PREFIX}{rng.choice(['mesterklasse', 'seminar', 'konsert', 'kurs', 'samling'])} {n}",
                    kind=rng.choice(kinds),
                    level=rng.choice(levels),
                    region=rng.choice(regions),
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=3),
                    status=rng.choice(["held", "held", "held", "planned", "cancelled"]),
                    instrument=rng.choice(["Fiolin", "Cello", "Trompet", "Piano", ""]),
                )
            )
        activities = Activity.objects.bulk_create(activities, batch_size=2000)
        Activity.cooperation_areas.through.objects.bulk_create(
            (
                Activity.cooperation_areas.through(activity_id=a.pk, cooperationarea_id=area.pk)
                for a in activities
                for area in rng.sample(areas, 2)
            ),
            batch_size=5000,
        )
        participations = Participation.objects.bulk_create(
            (
                Participation(activity_id=a.pk, school_id=s.pk, pupils=rng.randint(1, 8), teachers=rng.randint(0, 2))
                for a in activities
                for s in rng.sample(schools, PARTICIPATIONS_PER_ACTIVITY)
            ),
            batch_size=5000,
        )
        pupils_at = {}
        for i, pupil in enumerate(pupils):
            pupils_at.setdefault(schools[i % SCHOOLS].pk, []).append(pupil.pk)
        Participation.named_pupils.through.objects.bulk_create(
            (
                Participation.named_pupils.through(participation_id=p.pk, pupil_id=rng.choice(pupils_at[p.school_id]))
                for p in participations[::4]
            ),
            batch_size=5000,
        )
        user, _ = get_user_model().objects.get_or_create(username="bench-koord")
        Role.objects.get_or_create(
            user=user, kind=Role.Kind.COORDINATOR, region=regions[0], valid_from=date(2013, 1, 1)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    print(f"built {ACTIVITIES:,} activities, {len(participations):,} participations in {seconds:.0f} s")


def measure(requests: int) -> None:
    user = get_user_model().objects.get(username="bench-koord")
    region = Region.objects.get(slug="bench-0")
    area = CooperationArea.objects.get(number=2)
    school = School.objects.get(slug="bench-skole-0")
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(user)
    url = reverse("activities:list")
    cases = {
        "unfiltered, page 1": {},
        "region + school year": {"region": region.pk, "school_year": "2019"},
        "free-text search": {"q": "mesterklasse"},
        "area + kind + status": {"area": area.pk, "kind": "masterclass", "status": "held"},
        "host school (none match) + level": {"host_school": school.pk, "level": "central"},
        "region, page 40": {"region": region.pk, "side": "40"},
    }
    counts = Activity.objects.count(), Participation.objects.count()
    print(f"{counts[0]:,} activities, {counts[1]:,} participations; {requests} requests per case")
    print(f"{'case':36} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for name, query in cases.items():
        client.get(url, query)  # warm up
        times, queries = [], set()
        for _ in range(requests):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url, query)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
            queries.add(len(captured.captured_queries))
        times.sort()
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"{name:36} {statistics.median(times):10.1f} {p90:8.1f} {'/'.join(map(str, sorted(queries))):>8}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL (see the docstring).")
    call_command("migrate", verbosity=0)
    build()
    measure(args.requests)
