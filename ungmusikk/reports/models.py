"""The reports' one table: the annual report's generated files (PDF and .xlsx) for each period
and language, with the state of their generation, which a Celery task writes as it goes and
the report's page reads (ungmusikk/reports/services.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from core.bounds import year_validators

from .shapes import CALENDAR_YEAR, PERIOD_KINDS, ReportPeriod

# The folder under MEDIA_ROOT that holds the kept files.
REPORT_FOLDER = "rapporter"


@deconstructible
class ReportStorage(FileSystemStorage):
    """MEDIA_ROOT on the file system, read when a file is opened (so a changed setting, a test's
    temporary folder, takes effect), and without a public URL: the files are sent only by the
    permission-checked download view, never as media."""

    def __init__(self):
        super().__init__(base_url=None)

    def url(self, name):
        raise ValueError("The annual report's files have no public URL; use the download view.")


report_storage = ReportStorage()


def _file_name(instance: AnnualReportFile, filename: str) -> str:
    # The generation's own name (the service passes one with a fresh token), kept as given.
    return f"{REPORT_FOLDER}/{filename}"


class AnnualReportFile(models.Model):
    """The kept PDF and workbook of the annual report of one period (calendar or school year)
    in one language, and how their latest generation went.

    - `status`: queued (asked for, not started), running (a worker has claimed it: `task_id`,
      `started_at`; `progress` 0–100 and `step` as it goes), done, failed (`error`, a sentence
      for the person; the files of the previous success are kept).
    - `pdf`, `xlsx`, `built_at`, `figures_as_of`: the files of the latest success, when they
      were made, and the time of the summary tables they were made from (the later of the
      enrolment and the money rollups' last success; None when none had run). A request
      regenerates them when a newer rollup exists.
    - `updated_at`: the last sign of life of a generation (every progress write); a queued or
      running row silent for longer than a task can live is stale and may be asked for again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Lages")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feilet")

    class Language(models.TextChoices):
        NB = "nb", _("Norsk bokmål")
        EN = "en", _("Engelsk")

    kind = models.CharField(_("periode"), max_length=20, choices=list(PERIOD_KINDS.items()), default=CALENDAR_YEAR)
    year = models.PositiveSmallIntegerField(_("år"), validators=year_validators(_("år")))
    language = models.CharField(_("språk"), max_length=2, choices=Language.choices, default=Language.NB)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("framdrift (prosent)"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("steg"), max_length=200, blank=True)
    figures_as_of = models.DateTimeField(_("tall per"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), storage=report_storage, upload_to=_file_name, max_length=200, blank=True)
    xlsx = models.FileField(_("regneark"), storage=report_storage, upload_to=_file_name, max_length=200, blank=True)
    built_at = models.DateTimeField(_("filene laget"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bestilt av"),
    )
    requested_at = models.DateTimeField(_("bestilt"), default=timezone.now)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)
    error = models.TextField(_("feil"), blank=True)
    task_id = models.CharField(_("oppgave-id"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    class Meta:
        verbose_name = _("årsrapportfil")
        verbose_name_plural = _("årsrapportfiler")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "language"], name="annual_report_file_unique"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="annual_report_file_progress_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.period.label} ({self.language}): {self.get_status_display()}"

    @property
    def period(self) -> ReportPeriod:
        return ReportPeriod(self.kind, self.year)

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def has_files(self) -> bool:
        return bool(self.pdf.name and self.xlsx.name)

    def is_stale(self, *, now=None) -> bool:
        """A queued or running generation nobody is doing any more: silent (no progress
        written) for longer than `stale_after()`. Such a row may be asked for again."""
        if not self.in_progress:
            return False
        return (now or timezone.now()) - self.updated_at > stale_after()


def stale_after() -> timedelta:
    """How long a queued or running generation may be silent before it is taken as lost: the
    broker's visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS), after which Redis
    redelivers a task a dead worker had taken, and which is longer than the hard time limit
    (CELERY_TASK_TIME_LIMIT), beyond which no task lives."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    seconds = options.get("visibility_timeout") or settings.CELERY_TASK_TIME_LIMIT
    return timedelta(seconds=max(int(seconds), int(settings.CELERY_TASK_TIME_LIMIT)))
