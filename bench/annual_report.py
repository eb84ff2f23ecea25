"""Benchmark of the national annual report's generation (the Celery task's work, issue 16) on
the national-scale data of `generate_scale`.

    createdb -h 127.0.0.1 -U postgres um_scale
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/um_scale SECRET_KEY=bench DEBUG=0
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate_scale          # 400 schools, 120,000 pupils, five years
    .venv/bin/python manage.py rollup                  # the figures read the summary tables
    .venv/bin/python bench/annual_report.py            # add REDIS_URL=… to run it in a real Celery worker
    .venv/bin/python bench/annual_report.py --kind skoleaar --year 2022 --repeat 3

Times, in this process, each part of what the task does — the figures
(`figures.annual_report`), the PDF (`pdf.annual_report_pdf`), the workbook
(`xlsx.annual_report_xlsx`) — and then the whole task's work through the service
(`services.annual_report_generate`: the claim, the same three parts, the progress writes and
storing the files), and prints the PDF's pages and the files' sizes. With REDIS_URL set it
also runs the task in a real Celery worker (solo pool) and prints the time from the request to
the files being done and the worker's peak memory. The period defaults to the last full
calendar year with data; the files go to a temporary MEDIA_ROOT (deleted afterwards). The
report's row is left as the benchmark made it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungmusikk.settings")
MEDIA = tempfile.TemporaryDirectory(prefix="bench-annual-report-")
os.environ["MEDIA_ROOT"] = MEDIA.name

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from activities.models import Participation  # noqa: E402
from core.models import RollupRun  # noqa: E402
from schools.models import Pupil, School  # noqa: E402
from ungmusikk.reports.figures import annual_report  # noqa: E402
from ungmusikk.reports.models import AnnualReportFile  # noqa: E402
from ungmusikk.reports.pdf import annual_report_pdf  # noqa: E402
from ungmusikk.reports.services import annual_report_generate, annual_report_request  # noqa: E402
from ungmusikk.reports.shapes import CALENDAR_YEAR, PERIOD_KINDS, ReportPeriod  # noqa: E402
from ungmusikk.reports.views import data_years, default_report_period  # noqa: E402
from ungmusikk.reports.xlsx import annual_report_xlsx  # noqa: E402

LANGUAGE = "nb"


def timed(label, fn, repeat=1):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"{label:<58} {median:8.2f} s" + (f"  (median of {repeat})" if repeat > 1 else ""))
    return median, result


def size(data: bytes) -> str:
    return f"{len(data) / 1024:,.0f} KB"


def queued_row(period: ReportPeriod) -> AnnualReportFile:
    """The period's row, queued afresh for a generation (the request's own rules would skip a
    row whose files are up to date)."""
    row, _created = AnnualReportFile.objects.get_or_create(kind=period.kind, year=period.year, language=LANGUAGE)
    queued = {"status": "queued", "task_id": "", "progress": 0, "updated_at": timezone.now()}
    AnnualReportFile.objects.filter(pk=row.pk).update(**queued)
    return row


def in_a_celery_worker(period: ReportPeriod):
    """The request as the page makes it, the task in a real worker (solo pool, a queue of its
    own): seconds from the request to the row being done, and the worker's peak memory (MB)."""
    from ungmusikk.celery import app

    queue = f"bench-report-{os.getpid()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ungmusikk",
            "worker",
            "-Q",
            queue,
            "--concurrency=1",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        time.sleep(3)  # the worker connects
        AnnualReportFile.objects.filter(kind=period.kind, year=period.year, language=LANGUAGE).update(
            status="failed", figures_as_of=None
        )  # so that the request asks for a generation
        app.conf.task_default_queue = queue
        started = time.perf_counter()
        row = annual_report_request(kind=period.kind, year=period.year, language=LANGUAGE, user=None)
        while row.status not in ("done", "failed"):
            time.sleep(0.2)
            row.refresh_from_db()
        seconds = time.perf_counter() - started
        status = Path(f"/proc/{worker.pid}/status").read_text()
        peak_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])
        return row, seconds, peak_kb / 1024
    finally:
        worker.kill()
        worker.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=sorted(PERIOD_KINDS), default=CALENDAR_YEAR)
    parser.add_argument("--year", type=int, help="default: the last full calendar year with data")
    parser.add_argument("--repeat", type=int, default=1, help="times each part is run (the median is printed)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://…) after generate_scale and rollup.")
    period = ReportPeriod(args.kind, args.year or default_report_period(bounds=data_years()).year)
    last = RollupRun.objects.filter(status="succeeded").order_by("-finished_at").first()
    print(
        f"{connection.settings_dict['NAME']}: {School.objects.count()} schools, {Pupil.objects.count():,} pupils, "
        f"{Participation.objects.count():,} school participations; {PERIOD_KINDS[period.kind]} {period.label}; "
        f"figures as of {last.finished_at if last else 'never (run manage.py rollup first)'}"
    )

    figures, report = timed("figures (figures.annual_report)", lambda: annual_report(period=period), args.repeat)
    rows = sum(len(table.rows) for table in report.tables)
    print(f"{'  sections, tables, rows':<58} {len(report.sections)}, {len(report.tables)}, {rows:,}")
    pdf_time, pdf = timed("PDF (pdf.annual_report_pdf)", lambda: annual_report_pdf(report), args.repeat)
    xlsx_time, xlsx = timed("workbook (xlsx.annual_report_xlsx)", lambda: annual_report_xlsx(report), args.repeat)
    pages = len(PdfReader(__import__("io").BytesIO(pdf)).pages)
    print(f"{'  PDF: pages, size':<58} {pages}, {size(pdf)}")
    print(f"{'  workbook: sheets, size':<58} {len(report.tables)}, {size(xlsx)}")
    print(f"{'  the three parts together':<58} {figures + pdf_time + xlsx_time:8.2f} s")

    def the_task():
        row = queued_row(period)
        done = annual_report_generate(file_id=row.pk, task_id=f"bench-{time.time_ns()}")
        assert done is not None and done.status == "done", (done and done.error) or "not claimed"
        return done

    total, done = timed("the task's work (services.annual_report_generate)", the_task, args.repeat)
    print(f"{'  kept files':<58} {done.pdf.name}, {done.xlsx.name}")
    if os.environ.get("REDIS_URL"):
        row, seconds, peak = in_a_celery_worker(period)
        assert row.status == "done", row.error
        print(f"{'request to done in a real Celery worker (solo pool)':<58} {seconds:8.2f} s")
        print(f"{'peak memory of the Celery worker':<58} {peak:8.0f} MB")
    print(f"date: {timezone.now():%Y-%m-%d %H:%M} UTC; one process on this machine ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    try:
        main()
    finally:
        MEDIA.cleanup()
