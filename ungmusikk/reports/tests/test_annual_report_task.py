"""The annual report's files made outside the web request (issue 16): the request, the Celery
task's states and progress, one generation for two requests, a newer rollup regenerating the
files, a failure keeping the old ones, the claim two workers cannot both win, and the task in
a real Celery worker (with REDIS_URL and PostgreSQL)."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.tests.helpers import celery_eager
from core.enqueue import BATCH_ATTRIBUTE
from core.models import RollupRun
from core.periods import school_year_of
from core.schedules import BUDGET, ENROLMENT
from ungmusikk.reports.models import AnnualReportFile, stale_after
from ungmusikk.reports.period import figures_latest_as_of
from ungmusikk.reports.services import (
    Superseded,
    _Progress,
    annual_report_generate,
    annual_report_request,
)
from ungmusikk.reports.tasks import annual_report_generate_task

from .task_helpers import PERIOD, network_with_figures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The kept files go to a folder of this test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def figures(network):
    return network_with_figures(network)


def request(user, *, language="nb"):
    return annual_report_request(kind=PERIOD.kind, year=PERIOD.year, language=language, user=user)


def newer_rollup(kind=ENROLMENT) -> RollupRun:
    """A successful rollup that finished after everything so far."""
    now = timezone.now() + timedelta(seconds=1)
    return RollupRun.objects.create(
        kind=kind, status=RollupRun.Status.SUCCEEDED, started_at=now, finished_at=now, task_id="test"
    )


def queued_tasks() -> list[tuple[str, dict]]:
    """The tasks the test's transaction will send when it commits (core.enqueue's batch)."""
    batch = getattr(connection, BATCH_ATTRIBUTE, None)
    return [(task.name, kwargs) for task, kwargs in batch.tasks.values()] if batch is not None else []


def generated(user, capture) -> AnnualReportFile:
    """Ask for the files and run what the request enqueued (in-process, as without Redis,
    also in a run against Redis)."""
    with celery_eager(), capture(execute=True):
        row = request(user)
    row.refresh_from_db()
    return row


# --- The request (no figures needed: the task is captured, not run) ---------------------------


def test_request_creates_a_queued_row_and_enqueues_one_task(figures, daily_leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = request(daily_leader)
        second = request(daily_leader)

    row = AnnualReportFile.objects.get()
    assert (first.pk, second.pk) == (row.pk, row.pk)
    assert (first.enqueued, second.enqueued) == (True, False)
    assert (row.status, row.progress, row.requested_by, row.task_id) == ("queued", 0, daily_leader, "")
    assert len(callbacks) == 1  # one batch, sending one task
    assert queued_tasks() == [("reports.annual_report_generate", {"file_id": row.pk})]


def test_request_per_language_is_a_row_of_its_own(figures, daily_leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        request(daily_leader, language="nb")
        request(daily_leader, language="en")

    assert sorted(AnnualReportFile.objects.values_list("language", flat=True)) == ["en", "nb"]


@pytest.mark.parametrize(
    ("kind", "year", "language", "field"),
    [
        ("maaned", 2020, "nb", "kind"),
        ("kalenderaar", 1999, "nb", "year"),
        ("kalenderaar", 2020, "se", "language"),
        ("kalenderaar", timezone.localdate().year + 1, "nb", "year"),
        ("skoleaar", school_year_of(timezone.localdate()) + 1, "nb", "year"),
        ("skoleaar", 2100, "en", "year"),
    ],
)
def test_request_refuses_an_unknown_kind_year_or_language(daily_leader, kind, year, language, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        annual_report_request(kind=kind, year=year, language=language, user=daily_leader)

    assert set(refused.value.message_dict) == {field}
    assert AnnualReportFile.objects.count() == 0


def test_a_stale_queued_row_is_asked_for_again(figures, daily_leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        row = request(daily_leader)
    long_ago = timezone.now() - stale_after() - timedelta(minutes=1)
    AnnualReportFile.objects.filter(pk=row.pk).update(status="running", task_id="lost", updated_at=long_ago)

    again = request(daily_leader)

    row.refresh_from_db()
    assert again.enqueued is True
    assert (row.status, row.task_id) == ("queued", "")
    assert queued_tasks() == [("reports.annual_report_generate", {"file_id": row.pk})]


def test_a_running_row_not_stale_is_left_alone(figures, daily_leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        row = request(daily_leader)
    AnnualReportFile.objects.filter(pk=row.pk).update(status="running", task_id="busy", progress=40)

    again = request(daily_leader)

    row.refresh_from_db()
    assert again.enqueued is False
    assert (row.status, row.task_id, row.progress) == ("running", "busy", 40)


# --- The claim --------------------------------------------------------------------------------


def test_a_task_cannot_claim_a_row_another_task_is_running(figures, daily_leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        row = request(daily_leader)
    AnnualReportFile.objects.filter(pk=row.pk).update(status="running", task_id="first", progress=30)

    assert annual_report_generate(file_id=row.pk, task_id="second") is None

    row.refresh_from_db()
    assert (row.status, row.task_id, row.progress) == ("running", "first", 30)


def test_a_task_cannot_claim_a_done_or_missing_row(figures, daily_leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        row = request(daily_leader)
    AnnualReportFile.objects.filter(pk=row.pk).update(status="done", task_id="earlier")

    assert annual_report_generate(file_id=row.pk, task_id="late") is None
    assert annual_report_generate(file_id=row.pk + 1000, task_id="late") is None
    row.refresh_from_db()
    assert (row.status, row.task_id) == ("done", "earlier")


def test_a_generation_that_lost_its_claim_writes_nothing_more(
    figures, daily_leader, django_capture_on_commit_callbacks
):
    """A generation taken as lost and asked for again: the old task's next progress write
    finds the row no longer its own and stops (Superseded)."""
    with django_capture_on_commit_callbacks():
        row = request(daily_leader)
    AnnualReportFile.objects.filter(pk=row.pk).update(status="running", task_id="old", progress=10)
    progress = _Progress(file_id=row.pk, task_id="old")
    progress.write(20, "Lager PDF-en", force=True)
    AnnualReportFile.objects.filter(pk=row.pk).update(status="queued", task_id="")  # asked for again

    with pytest.raises(Superseded):
        progress.write(50, "Lager PDF-en", force=True)

    row.refresh_from_db()
    assert (row.status, row.progress) == ("queued", 20)


def test_the_task_is_registered_with_the_house_options():
    assert annual_report_generate_task.name == "reports.annual_report_generate"
    assert annual_report_generate_task.acks_late is True
    assert annual_report_generate_task.reject_on_worker_lost is True


def test_figures_latest_as_of_is_the_later_rollup():
    enrolment, budget = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=1)

    assert figures_latest_as_of(finished={}) is None
    assert figures_latest_as_of(finished={ENROLMENT: enrolment}) == enrolment
    assert figures_latest_as_of(finished={ENROLMENT: enrolment, BUDGET: budget}) == budget


# --- The generation (needs the figures and the renderings) ------------------------------------


def progress_writes(queries) -> list[int]:
    """The progress values the generation wrote, in order, read from the UPDATEs it sent."""
    table = AnnualReportFile._meta.db_table
    values = []
    for query in queries:
        sql = query["sql"]
        if sql.startswith("UPDATE") and table in sql:
            match = re.search(r'"progress" = (\d+)', sql)
            if match:
                values.append(int(match.group(1)))
    return values


def test_generation_runs_through_its_states_and_writes_progress(
    figures, daily_leader, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        row = request(daily_leader)
    assert row.status == "queued"

    with CaptureQueriesContext(connection) as queries:
        done = annual_report_generate(file_id=row.pk, task_id="task-1")

    written = progress_writes(queries.captured_queries)
    assert written[0] == 0  # the claim
    assert written == sorted(written)  # it only goes forward
    assert written[-1] == 100
    assert len(set(written)) >= 4  # figures, PDF, workbook, storing, done
    assert (done.status, done.progress, done.task_id, done.error) == ("done", 100, "task-1", "")
    assert done.started_at <= done.built_at == done.finished_at
    assert done.figures_as_of == figures_latest_as_of()
    pdf = Path(media) / done.pdf.name
    xlsx = Path(media) / done.xlsx.name
    assert pdf.read_bytes().startswith(b"%PDF")
    assert xlsx.read_bytes().startswith(b"PK")  # a zip: the workbook
    assert done.pdf.name.startswith("rapporter/arsrapport-2020-nb-")


def test_two_requests_make_one_generation(figures, daily_leader, steering_member, django_capture_on_commit_callbacks):
    first = generated(daily_leader, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as callbacks:
        again = request(steering_member)

    assert first.status == "done"
    assert again.enqueued is False
    assert callbacks == []
    again.refresh_from_db()
    assert (again.pdf.name, again.built_at, again.requested_by) == (first.pdf.name, first.built_at, daily_leader)


def test_a_newer_rollup_makes_a_request_regenerate(figures, daily_leader, media, django_capture_on_commit_callbacks):
    first = generated(daily_leader, django_capture_on_commit_callbacks)
    run = newer_rollup(BUDGET)

    second = generated(daily_leader, django_capture_on_commit_callbacks)

    assert second.status == "done"
    assert second.figures_as_of == run.finished_at > first.figures_as_of
    assert second.pdf.name != first.pdf.name
    assert (Path(media) / second.pdf.name).exists()
    assert not (Path(media) / first.pdf.name).exists()  # the replaced files are deleted


def test_a_failure_keeps_the_old_files(figures, daily_leader, media, settings, django_capture_on_commit_callbacks):
    """The files can no longer be written (MEDIA_ROOT is not a folder): the row is failed with
    the error's message, no traceback, and still names the files of the previous success."""
    first = generated(daily_leader, django_capture_on_commit_callbacks)
    kept = (Path(media) / first.pdf.name).read_bytes()
    newer_rollup()
    blocked = Path(media).parent / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    settings.MEDIA_ROOT = blocked

    failed = generated(daily_leader, django_capture_on_commit_callbacks)

    assert failed.status == "failed"
    assert failed.error != ""
    assert "Traceback" not in failed.error
    assert (failed.pdf.name, failed.xlsx.name) == (first.pdf.name, first.xlsx.name)
    assert (failed.built_at, failed.figures_as_of) == (first.built_at, first.figures_as_of)
    assert (Path(media) / first.pdf.name).read_bytes() == kept


def test_a_request_after_a_failure_tries_again(figures, daily_leader, settings, django_capture_on_commit_callbacks):
    media = settings.MEDIA_ROOT
    blocked = Path(media).parent / "not-a-folder"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked
    failed = generated(daily_leader, django_capture_on_commit_callbacks)
    assert (failed.status, failed.pdf.name) == ("failed", "")
    settings.MEDIA_ROOT = media

    done = generated(daily_leader, django_capture_on_commit_callbacks)

    assert (done.status, done.error) == ("done", "")
    assert done.pdf.name != ""


# --- A real Celery worker ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_files_are_made_in_a_real_celery_worker(network, daily_leader, media, celery_worker_process):
    from ungmusikk.celery import app

    network_with_figures(network)
    queue, start = celery_worker_process
    start(MEDIA_ROOT=str(media))
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # the worker of this test consumes its own queue only
    try:
        row = request(daily_leader)  # outside a transaction: sent at once
    finally:
        app.conf.task_default_queue = default_queue
    seen = set()
    deadline = time.monotonic() + 180
    while True:
        row.refresh_from_db()
        seen.add(row.status)
        if row.status in ("done", "failed"):
            break
        assert time.monotonic() < deadline, f"the worker never finished the files ({row.status}, {row.step})"
        time.sleep(0.1)

    assert (row.status, row.progress, row.error) == ("done", 100, "")
    assert row.task_id != ""
    assert (Path(media) / row.pdf.name).read_bytes().startswith(b"%PDF")
    assert seen <= {"queued", "running", "done"}
