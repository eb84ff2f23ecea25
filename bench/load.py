"""Load test: gunicorn with the production settings on 127.0.0.1, PostgreSQL and Redis, the
national data, and Locust (headless) with 50 simulated people for 60 s. One command:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale16 .venv/bin/python bench/load.py \\
      [--users 50] [--measure 60] [--workers N] [--redis redis://127.0.0.1:6379/11]

It creates the bench users when missing (rectors of the busiest schools, coordinators of
several regions, daily leaders; password «bench-load-password-1»), starts gunicorn (DEBUG=0,
the plain-HTTP switches of `make stack`; 2 × cores + 1 workers) on a free port of 127.0.0.1,
runs bench/load/locustfile.py headless with CSV output (in --out), stops gunicorn and prints
p50, p95 and p99 per page, the throughput and the errors, with the machine's CPU use and load
during the measured window. Everyone logs in first (once each; the password hashing of 50
logins would otherwise fill the first minute on two cores); the measured --measure seconds
start when the last has, and the test stops itself then (Locust's --run-time is the hard stop
after --login-limit more).
Writes: the bench users and their roles, and the coordinators' saves of a few activities of
their own region each (the «notes» field; bench/load/locustfile.py). Goal: p95 ≤ 300 ms for
every page, 0 errors.
"""

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "bench-load-password-1"  # noqa: S105
# The production settings with the plain-HTTP switches of `make stack` (Makefile STACK_HTTP).
SERVER_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
}


def plan(*, rectors: int, coordinators: int, staff: int, schools: int, regions: int, per_coordinator: int) -> dict:
    """The bench users (created or updated) and what each does: a list per kind of person."""
    import django
    from django.db.models import Count

    django.setup()
    from django.contrib.auth.hashers import make_password

    from activities.models import Activity, Participation
    from governance.models import Role
    from governance.services import role_assign, user_upsert
    from schools.models import Region, School

    busiest = list(Participation.objects.values("school").order_by().annotate(n=Count("id")).order_by("-n")[:schools])
    school_list = list(School.objects.filter(pk__in=[row["school"] for row in busiest]).order_by("slug"))
    region_list = list(Region.objects.order_by("slug")[:regions])

    password_hash = make_password(PASSWORD)  # hashed once: each check costs a fraction of a second

    def person(username: str, kind: str, **seat):
        user = user_upsert(username=username, password_hash=password_hash, first_name="Bench", last_name=username)
        if not Role.objects.filter(user=user, kind=kind, **seat).exists():
            role_assign(user=user, kind=kind, valid_from=date(2000, 1, 1), **seat)
        return user

    result = {"password": PASSWORD, "rectors": [], "coordinators": [], "staff": []}
    for n in range(rectors):
        school = school_list[n % len(school_list)]
        person(f"bench-load-rektor-{n + 1:02}", Role.Kind.RECTOR, school=school)
        result["rectors"].append({"username": f"bench-load-rektor-{n + 1:02}", "school": school.slug})
    taken: set[int] = set()
    for n in range(coordinators):
        region = region_list[n % len(region_list)]
        person(f"bench-load-koordinator-{n + 1:02}", Role.Kind.COORDINATOR, region=region)
        # A few activities of the region each, none shared: held, in the last school year, the
        # fewest schools (the lightest form), the same ones every run.
        mine = list(
            Activity.objects.filter(region=region, status=Activity.Status.HELD, starts_at__year=2025)
            .exclude(pk__in=taken)
            .annotate(schools=Count("participations"))
            .order_by("schools", "pk")
            .values_list("pk", flat=True)[:per_coordinator]
        )
        taken.update(mine)
        result["coordinators"].append(
            {
                "username": f"bench-load-koordinator-{n + 1:02}",
                "region": region.slug,
                "region_id": region.pk,
                "activities": mine,
            }
        )
    for n in range(staff):
        person(f"bench-load-leder-{n + 1:02}", Role.Kind.DAILY_LEADER)
        result["staff"].append({"username": f"bench-load-leder-{n + 1:02}"})
    result["school_years"] = [2023, 2024]
    result["kinds"] = [value for value, _label in Activity.Kind.choices]
    result["words"] = ["konsert", "kor", "band", "verksted"]
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--measure", type=int, default=60, help="seconds measured, after everyone has logged in")
    parser.add_argument("--login-limit", type=int, default=240, help="seconds allowed for the logins")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--wait", default="1,2", help="think time between a person's pages, min,max seconds")
    parser.add_argument("--out", default=None, help="folder for Locust's CSV files (default: a temporary one)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is needed (the national data, e.g. postgres://postgres@127.0.0.1:5432/scale16).")
    os.environ.update(SERVER_ENV)
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["REDIS_URL"] = args.redis
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungmusikk.settings")

    rectors = round(args.users * 0.4)
    coordinators = round(args.users * 0.4)
    staff = args.users - rectors - coordinators
    people = plan(rectors=rectors, coordinators=coordinators, staff=staff, schools=10, regions=5, per_coordinator=3)
    out = Path(args.out or tempfile.mkdtemp(prefix="ungmusikk-load-"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(json.dumps(people, indent=1), encoding="utf-8")

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    collect = [BIN / "python", "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(collect, cwd=ROOT, check=True)
    server = subprocess.Popen(
        [BIN / "gunicorn", "ungmusikk.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
        cwd=ROOT,
        stdout=open(out / "gunicorn.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{host}/helse/", timeout=2)  # noqa: S310 (127.0.0.1 only)
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit(f"gunicorn did not answer on {host} (see {out / 'gunicorn.log'})")
        locust_log = open(out / "locust.log", "w")  # noqa: SIM115
        subprocess.run(
            [
                BIN / "locust",
                "-f",
                ROOT / "bench" / "load" / "locustfile.py",
                "--headless",
                "--host",
                host,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",  # the hard stop; the measured minute ends the test sooner
                f"{args.measure + args.login_limit}s",
                "--stop-timeout",
                "10",
                "--csv",
                out / "load",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_PLAN": str(out / "plan.json"),
                "LOAD_WAIT": args.wait,
                "LOAD_MEASURE": str(args.measure),
                "LOAD_WINDOW": str(out / "window.json"),
                "LOAD_RECTORS": str(rectors),
                "LOAD_COORDINATORS": str(coordinators),
                "LOAD_STAFF": str(staff),
            },
            stdout=locust_log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    report(out)
    print(f"workers {args.workers}; {args.users} users: {rectors} rectors, {coordinators} coordinators, {staff} staff;")
    print(f"think time {args.wait} s; CSV files in {out}")


def report(out: Path) -> None:
    rows = list(csv.DictReader(open(out / "load_stats.csv", encoding="utf-8")))  # noqa: SIM115
    print(f"{'page':46} {'requests':>8} {'fails':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}  ms")
    for row in rows:
        if row["Request Count"] == "0":
            continue
        name = "TOTAL" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{name:46} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):>6.1f} "
            f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} {float(row['Max Response Time']):>7.0f}"
        )
    failures = list(csv.DictReader(open(out / "load_failures.csv", encoding="utf-8")))  # noqa: SIM115
    for row in failures:
        print(f"  error ×{row['Occurrences']}: {row['Method']} {row['Name']}: {row['Error'][:200]}")
    if not (out / "window.json").exists():
        print("The measured window did not start: not everyone logged in within --login-limit.")
        return
    window = json.loads((out / "window.json").read_text(encoding="utf-8"))
    busy = (window["cpu_after"][0] - window["cpu_before"][0]) / max(window["cpu_after"][1] - window["cpu_before"][1], 1)
    logins = window["logins"]
    print(
        f"measured {window['stopped'] - window['started']:.0f} s after {logins['requests']} logins "
        f"({logins['failures']} refused; median {logins['p50']:.0f} ms, max {logins['max']:.0f} ms, not in the table)"
    )
    print(
        f"machine CPU busy {busy:.0%} of {os.cpu_count()} cores during the measured window (every process); "
        f"load average {window['load_before'][0]:.2f} at its start, {window['load_after'][0]:.2f} at its end"
    )


if __name__ == "__main__":
    main()
