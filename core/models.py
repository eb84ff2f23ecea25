"""The ground floor's tables: the one-time tokens of forms that create something, and the
record of the nightly rollups' runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import school_year_label
from .schedules import ENROLMENT, ROLLUP_KINDS


class SubmissionToken(models.Model):
    """A create form that has been submitted: its one-time token and what it made.

    Written in the same transaction as the object it made, so a token exists exactly when the
    object does; a second submission with the same token finds the row and leads to the
    object instead of making another (see `core.submissions.submit_once`)."""

    token = models.CharField(_("engangsmerke"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    object_type = models.CharField(_("objekttype"), max_length=100, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("sendt"), auto_now_add=True)

    class Meta:
        verbose_name = _("innsendt skjema")
        verbose_name_plural = _("innsendte skjemaer")

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"


class RollupRun(models.Model):
    """One run of a nightly rollup (the kinds are declared in core/schedules.py): what it did,
    how it ended. A run that found another run of its kind in progress is recorded as skipped."""

    class Mode(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Inkrementell")
        # The current school year in full, and the other years' schools marked changed.
        NIGHTLY = "nightly", _("Nattlig")

    class Status(models.TextChoices):
        RUNNING = "running", _("Kjører")
        SUCCEEDED = "succeeded", _("Fullført")
        SKIPPED = "skipped", _("Hoppet over")
        FAILED = "failed", _("Feilet")

    kind = models.CharField(_("type"), max_length=20, choices=ROLLUP_KINDS)
    mode = models.CharField(_("modus"), max_length=20, choices=Mode.choices, default=Mode.FULL)
    year = models.PositiveSmallIntegerField(_("år"), null=True, blank=True, help_text=_("Tom betyr alle år."))
    started_at = models.DateTimeField(_("startet"))
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("rader skrevet"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(_("feil"), blank=True)
    task_id = models.CharField(_("oppgave-id"), max_length=100, blank=True)

    class Meta:
        # The table it has had since the rollups lived in activities.
        db_table = "activities_rolluprun"
        verbose_name = _("oppsummeringskjøring")
        verbose_name_plural = _("oppsummeringskjøringer")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "status", "-started_at"], name="rollup_run_latest_idx")]

    def __str__(self) -> str:
        year = self.year or ""
        return f"{self.get_kind_display()} {year} {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def year_label(self) -> str:
        """The run's year as people read it: a school year («2019/20») for the enrolment
        rollup, whose units are school years; a calendar year for the money rollup; "" for a
        whole run."""
        if self.year is None:
            return ""
        return school_year_label(self.year) if self.kind == ENROLMENT else str(self.year)
