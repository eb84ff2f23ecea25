"""Making the annual report's files (PDF and .xlsx) outside the web request (issue 16).

`annual_report_request` is what the page's button calls: it creates or reuses the row of the
period and language and, when the kept files are missing, failed or made from older figures
than the latest rollup, queues one generation (a Celery task sent after the transaction
commits; in-process without Redis). Two requests make one generation: while one is queued or
running (and not stale) a request adds nothing.

`annual_report_generate` is the task's work. It claims the row with a compare-and-swap on its
status (queued → running, with the task's id), so two workers never make the same files at
once; every later write (progress, the files, the end) is made only while the row is still
claimed by this task's id, so a generation that was taken as lost and asked for again cannot
overwrite the newer one. Progress is written in short transactions of its own as it goes, so
the page sees it; the work itself holds no transaction open. On an error the row is marked
failed with the error's message (the traceback goes to the log) and the files of the previous
success are kept.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.enqueue import enqueue_after_commit
from core.periods import school_year_of
from core.services import validated_save

from .figures import annual_report
from .models import REPORT_FOLDER, AnnualReportFile, report_storage
from .pdf import annual_report_pdf
from .period import figures_latest_as_of
from .shapes import CALENDAR_YEAR, PERIOD_KINDS, ReportPeriod
from .xlsx import annual_report_xlsx

logger = logging.getLogger(__name__)

# The share of the progress bar each part of the work fills (percent at its start).
FIGURES_AT, PDF_AT, XLSX_AT, STORE_AT = 2, 25, 85, 95
# A progress write at most this often (seconds) within a part, besides every new part.
PROGRESS_INTERVAL = 0.5


class Superseded(Exception):  # noqa: N818 - it is a state, not an error
    """This generation's claim is gone: the row was taken as lost and asked for again (a newer
    task owns it now). The work stops and writes nothing more."""


# --- Reading ----------------------------------------------------------------------------------


def annual_report_language(language: str | None = None) -> str:
    """The language of the files a reader gets: "en" for an English page, else "nb"."""
    language = language if language is not None else translation.get_language() or ""
    return AnnualReportFile.Language.EN if language.lower().startswith("en") else AnnualReportFile.Language.NB


def annual_report_file_get(*, period: ReportPeriod, language: str) -> AnnualReportFile | None:
    """The kept files and generation state of a period in a language, or None (never asked)."""
    return AnnualReportFile.objects.filter(kind=period.kind, year=period.year, language=language).first()


def annual_report_outdated(row: AnnualReportFile, *, latest: datetime | None) -> bool:
    """Whether the kept files should be made (again): none kept, the last generation failed,
    or they were made from figures older than `latest` (figures_latest_as_of)."""
    if row.status == AnnualReportFile.Status.FAILED or not row.has_files:
        return True
    return latest is not None and (row.figures_as_of is None or row.figures_as_of < latest)


# --- Asking for the files ---------------------------------------------------------------------


def report_year_last(kind: str, *, today=None) -> int:
    """The last year an annual report of `kind` may be made for: this calendar year (Oslo) for
    a calendar year, the current school year (core.periods.school_year_of: August to July) for
    a school year. A later year has no figures yet; its report would be zeros."""
    today = today or timezone.localdate()
    return today.year if kind == CALENDAR_YEAR else school_year_of(today)


@transaction.atomic
def annual_report_request(*, kind: str, year: int, language: str, user, force: bool = False) -> AnnualReportFile:
    """Ask for the annual report's files of (kind, year) in `language` ("nb" or "en").

    Creates the row when missing (validated: an unknown kind or language, a year outside
    the portal's years or after `report_year_last(kind)` raises ValidationError). Queues a generation, sent when this
    transaction commits, unless one is already queued or running and not stale
    (AnnualReportFile.is_stale), or the kept files are up to date (annual_report_outdated).
    `force=True` (the «Lag PDF og regneark» button, an explicit request) makes them again even
    when they are up to date, e.g. after a deploy changed the translations; it still never
    queues a second generation while one is queued or running. Returns the row, locked until
    commit; its attribute `enqueued` says whether this request queued a generation."""
    if kind not in PERIOD_KINDS:
        raise ValidationError({"kind": _("Ukjent periode.")})
    if language not in AnnualReportFile.Language.values:
        raise ValidationError({"language": _("Ukjent språk.")})
    if isinstance(year, int) and year > report_year_last(kind):
        raise ValidationError({"year": _("Rapporten kan ikke lages for et år som ikke har begynt.")})
    row, created = _row_locked(kind=kind, year=year, language=language)
    row.enqueued = False
    if not created:
        if row.in_progress and not row.is_stale():
            return row
        if (
            not force
            and row.status == AnnualReportFile.Status.DONE
            and not annual_report_outdated(row, latest=figures_latest_as_of())
        ):
            return row
    now = timezone.now()
    AnnualReportFile.objects.filter(pk=row.pk).update(
        status=AnnualReportFile.Status.QUEUED,
        progress=0,
        step=_("Venter på en ledig arbeider"),
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        requested_at=now,
        started_at=None,
        finished_at=None,
        error="",
        task_id="",
        updated_at=now,
    )
    row.refresh_from_db()
    row.enqueued = True
    from .tasks import annual_report_generate_task  # the task module imports this one

    enqueue_after_commit(annual_report_generate_task, file_id=row.pk)
    return row


def _row_locked(*, kind: str, year: int, language: str) -> tuple[AnnualReportFile, bool]:
    """The row, locked for this transaction, and whether this request made it (two first
    requests at once make one row: the second waits on the unique constraint and then reads
    the first's)."""
    rows = AnnualReportFile.objects.select_for_update()
    row = rows.filter(kind=kind, year=year, language=language).first()
    if row is not None:
        return row, False
    try:
        with transaction.atomic():
            return validated_save(AnnualReportFile(kind=kind, year=year, language=language, step="")), True
    except IntegrityError:
        return rows.get(kind=kind, year=year, language=language), False
    except ValidationError as error:
        if set(error.message_dict) == {"__all__"}:
            # full_clean's unique check saw the row another request has just committed.
            return rows.get(kind=kind, year=year, language=language), False
        raise


# --- Making the files (the Celery task's work) ------------------------------------------------


def annual_report_generate(*, file_id: int, task_id: str) -> AnnualReportFile | None:
    """Make the PDF and the workbook of the row `file_id` as the task `task_id`.

    Returns the row as it ended (done or failed), or None when this task could not claim it
    (another task has it, it is not queued, or it is gone) or lost its claim on the way
    (Superseded). Not one transaction on purpose: the claim, each progress write and the end
    are short transactions of their own, so the page sees the progress and no lock is held
    while the figures and the files are made. Database errors propagate (the task retries
    them: the claim accepts a row already running under the same task id)."""
    task_id = task_id or f"local-{secrets.token_hex(8)}"
    if not _claim(file_id=file_id, task_id=task_id):
        logger.info("annual report file %s: not claimed by task %s", file_id, task_id)
        return None
    row = AnnualReportFile.objects.get(pk=file_id)
    progress = _Progress(file_id=file_id, task_id=task_id)
    saved: list[str] = []
    try:
        with translation.override(row.language):
            progress.write(FIGURES_AT, _("Henter tallene"), force=True)
            # Read before the figures: a rollup finishing while they are read is newer than
            # these files, and the next request makes them again.
            latest = figures_latest_as_of()
            report = annual_report(period=row.period)
            progress.write(PDF_AT, _("Lager PDF-en"), force=True)
            pdf = annual_report_pdf(report, progress=progress.within(PDF_AT, XLSX_AT, _("Lager PDF-en")))
            progress.write(XLSX_AT, _("Lager regnearket"), force=True)
            xlsx = annual_report_xlsx(report)
            progress.write(STORE_AT, _("Lagrer filene"), force=True)
            token = secrets.token_hex(4)
            stem = f"arsrapport-{row.period.slug}-{row.language}-{token}"
            saved.append(report_storage.save(f"{REPORT_FOLDER}/{stem}.pdf", ContentFile(pdf)))
            saved.append(report_storage.save(f"{REPORT_FOLDER}/{stem}.xlsx", ContentFile(xlsx)))
            return _finish(
                file_id=file_id,
                task_id=task_id,
                pdf=saved[0],
                xlsx=saved[1],
                figures_as_of=latest,
                step=_("Ferdig"),
            )
    except Superseded:
        logger.warning("annual report file %s: task %s lost its claim; its files are discarded", file_id, task_id)
        _delete_files(saved)
        return None
    except (OperationalError, InterfaceError):
        _delete_files(saved)
        raise
    except SoftTimeLimitExceeded:
        _delete_files(saved)
        with translation.override(row.language):
            message = _("Det tok for lang tid, og arbeidet ble stoppet.")
        return _fail(file_id=file_id, task_id=task_id, error=message)
    except Exception as exc:
        logger.exception("annual report file %s: generation failed", file_id)
        _delete_files(saved)
        with translation.override(row.language):
            return _fail(file_id=file_id, task_id=task_id, error=_error_text(exc))


def _error_text(exc: Exception) -> str:
    """The error as the page shows it: its message, without a traceback; for a file that could
    not be written, the reason without the server's paths."""
    if isinstance(exc, OSError):
        return _("Filene kunne ikke lagres: %(reason)s.") % {"reason": exc.strerror or type(exc).__name__}
    return (str(exc) or type(exc).__name__)[:2000]


def _claim(*, file_id: int, task_id: str) -> bool:
    """Queued → running under this task id (or running under it already: a retry or a
    redelivery of the same task). A compare-and-swap: of two workers, one wins."""
    now = timezone.now()
    free = Q(status=AnnualReportFile.Status.QUEUED) | Q(status=AnnualReportFile.Status.RUNNING, task_id=task_id)
    with transaction.atomic():
        return bool(
            AnnualReportFile.objects.filter(free, pk=file_id).update(
                status=AnnualReportFile.Status.RUNNING,
                task_id=task_id,
                started_at=now,
                finished_at=None,
                progress=0,
                error="",
                updated_at=now,
            )
        )


def _claimed(file_id: int, task_id: str):
    return AnnualReportFile.objects.filter(pk=file_id, task_id=task_id, status=AnnualReportFile.Status.RUNNING)


class _Progress:
    """The progress of one generation, written to its row (percent and step) in a transaction
    of its own, at most every PROGRESS_INTERVAL seconds unless forced. Raises Superseded when
    the row is no longer this task's."""

    def __init__(self, *, file_id: int, task_id: str):
        self.file_id, self.task_id = file_id, task_id
        self.last: tuple[int, str] | None = None
        self.last_at = 0.0

    def write(self, percent: int, step: str, *, force: bool = False) -> None:
        percent = max(0, min(100, int(percent)))
        if (percent, step) == self.last:
            return
        if not force and time.monotonic() - self.last_at < PROGRESS_INTERVAL:
            return
        with transaction.atomic():
            written = _claimed(self.file_id, self.task_id).update(
                progress=percent, step=str(step)[:200], updated_at=timezone.now()
            )
        if not written:
            raise Superseded
        self.last, self.last_at = (percent, step), time.monotonic()

    def within(self, start: int, end: int, step: str) -> Callable[[int, int], None]:
        """A renderer's callback `progress(done, total)` (pdf.annual_report_pdf calls it per
        section laid out), shown between `start` and `end` percent."""

        def callback(done: int, total: int) -> None:
            if total > 0:
                self.write(start + (end - start) * max(0, min(done, total)) / total, step)

        return callback


def _finish(
    *, file_id: int, task_id: str, pdf: str, xlsx: str, figures_as_of: datetime | None, step: str
) -> AnnualReportFile:
    """Keep the new files and mark the row done, while it is still this task's; the files they
    replace are deleted once that has committed."""
    with transaction.atomic():
        row = _claimed(file_id, task_id).select_for_update().first()
        if row is None:
            raise Superseded
        replaced = [name for name in (row.pdf.name, row.xlsx.name) if name and name not in (pdf, xlsx)]
        now = timezone.now()
        row.pdf.name, row.xlsx.name = pdf, xlsx
        row.status = AnnualReportFile.Status.DONE
        row.progress, row.step, row.error = 100, step, ""
        row.figures_as_of, row.built_at, row.finished_at = figures_as_of, now, now
        row.save(
            update_fields=[
                "pdf",
                "xlsx",
                "status",
                "progress",
                "step",
                "error",
                "figures_as_of",
                "built_at",
                "finished_at",
                "updated_at",
            ]
        )
        transaction.on_commit(lambda: _delete_files(replaced))
    return row


def _fail(*, file_id: int, task_id: str, error: str) -> AnnualReportFile | None:
    """Mark the row failed with `error` (the files of the previous success stay)."""
    now = timezone.now()
    with transaction.atomic():
        failed = _claimed(file_id, task_id).update(
            status=AnnualReportFile.Status.FAILED, error=error, finished_at=now, updated_at=now
        )
    return AnnualReportFile.objects.get(pk=file_id) if failed else None


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            report_storage.delete(name)
        except OSError:
            logger.warning("could not delete the replaced report file %s", name)
