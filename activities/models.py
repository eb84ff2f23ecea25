"""What happens in the network: activities (masterclasses, teaching, seminars, concerts,
courses, projects, gatherings, practice placements), the schools and pupils taking part,
and what each activity costs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin

from core.bounds import amount_validators, count_validators
from core.models import RollupRun
from governance.models import CooperationArea
from schools.models import Municipality, Pupil, Region, School

from .rules import can_create_activity, can_edit_activity, can_view_activities


class Venue(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    name = models.CharField(_("navn"), max_length=150, unique=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="venues", verbose_name=_("kommune")
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("breddegrad"), max_digits=8, decimal_places=5, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.DecimalField(
        _("lengdegrad"), max_digits=8, decimal_places=5, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    class Meta:
        verbose_name = _("arena")
        verbose_name_plural = _("arenaer")
        ordering = ["name"]
        rules_permissions = {"view": can_view_activities}

    def __str__(self) -> str:
        return self.name


class Activity(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    class Kind(models.TextChoices):
        MASTERCLASS = "masterclass", _("Mesterklasse")
        INDIVIDUAL_TEACHING = "individual_teaching", _("Individuell undervisning")
        SEMINAR = "seminar", _("Fagseminar")
        CONCERT = "concert", _("Konsert")
        COURSE = "course", _("Kurs")
        CONTINUING_EDUCATION = "continuing_education", _("Etter- og videreutdanning")
        PROJECT = "project", _("Prosjekt")
        GATHERING = "gathering", _("Samling")
        PRACTICE_PLACEMENT = "practice_placement", _("Praksisplass")

    class Level(models.TextChoices):
        LOCAL = "local", _("Lokal")
        REGIONAL = "regional", _("Regional")
        CENTRAL = "central", _("Sentral")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        HELD = "held", _("Gjennomført")
        CANCELLED = "cancelled", _("Avlyst")

    title = models.CharField(_("tittel"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    level = models.CharField(_("nivå"), max_length=20, choices=Level.choices)
    cooperation_areas = models.ManyToManyField(
        CooperationArea, related_name="activities", verbose_name=_("samarbeidsområder")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("delregion"),
        help_text=_("Delregionen som eier aktiviteten. Sentrale aktiviteter føres på arrangørens region."),
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="activities", verbose_name=_("sted")
    )
    host_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_activities",
        verbose_name=_("vertsskole"),
    )
    starts_at = models.DateTimeField(_("starter"), db_index=True)
    ends_at = models.DateTimeField(_("slutter"))
    instrument = models.CharField(_("instrument/instrumentgruppe"), max_length=100, blank=True)
    nmh_teachers = models.CharField(_("NMH-lærere"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(_("notater"), blank=True)
    version = models.PositiveIntegerField(
        _("versjon"),
        default=1,
        editable=False,
        help_text=_("Øker ved hver endring; skjemaet bærer versjonen det ble åpnet med, så ingen endring går tapt."),
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opprettet av"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sist endret av"),
    )

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["-starts_at", "title"]
        # Written with its participation and costs (the activity's page, the import).
        rules_permissions = {"view": can_view_activities, "add": can_create_activity, "change": can_edit_activity}
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message=_("Slutt kan ikke være før start."),
            ),
        ]
        indexes = [
            models.Index(fields=["region", "starts_at"], name="activity_region_start_idx"),
            # The planned activities by start (a dashboard's «Kommende aktiviteter», the digest):
            # few rows, read soonest first (issue 17).
            models.Index(fields=["starts_at"], condition=Q(status="planned"), name="activity_planned_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("Slutt kan ikke være før start.")})


class Participation(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A school's part in an activity: how many of its pupils and teachers took part, and
    optionally which pupils by name."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="participations", verbose_name=_("aktivitet")
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="participations", verbose_name=_("skole"))
    pupils = models.PositiveIntegerField(_("elever"), default=0, validators=count_validators(_("elever")))
    teachers = models.PositiveIntegerField(_("lærere"), default=0, validators=count_validators(_("lærere")))
    named_pupils = models.ManyToManyField(
        Pupil, blank=True, related_name="participations", verbose_name=_("navngitte elever")
    )

    class Meta:
        verbose_name = _("deltakelse")
        verbose_name_plural = _("deltakelser")
        ordering = ["activity", "school__name"]
        rules_permissions = {"view": can_view_activities}
        constraints = [
            models.UniqueConstraint(fields=["activity", "school"], name="participation_one_per_school"),
            models.CheckConstraint(condition=Q(pupils__gte=0), name="participation_pupils_not_negative"),
            models.CheckConstraint(condition=Q(teachers__gte=0), name="participation_teachers_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} – {self.activity.title}"


class ActivityCost(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    class Category(models.TextChoices):
        FEES = "fees", _("Honorarer")
        TRAVEL = "travel", _("Reise")
        VENUE = "venue", _("Lokaler")
        OTHER = "other", _("Annet")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="costs", verbose_name=_("aktivitet"))
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    description = models.CharField(_("beskrivelse"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("beløp (NOK)"), max_digits=12, decimal_places=2, validators=amount_validators(_("beløp (NOK)"))
    )

    class Meta:
        verbose_name = _("kostnad")
        verbose_name_plural = _("kostnader")
        ordering = ["activity", "category", "id"]
        rules_permissions = {"view": can_view_activities}
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="activity_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.amount} kr"


# --- Nightly summaries (rebuilt by activities/rollups.py; read by the dashboards) -----------


class RollupDirty(models.Model):
    """A school's school year whose activity data changed since the last rollup; the
    incremental rollup recomputes exactly these."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("skole"))
    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    marked_at = models.DateTimeField(_("markert"), auto_now=True)

    class Meta:
        verbose_name = _("endret skoleår")
        verbose_name_plural = _("endrede skoleår")
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="rollup_dirty_unique")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}"


class EnrolmentRollup(models.Model):
    """Per school year × school × cooperation area × activity kind × month: the activities the
    school took part in and its pupil participations (the participations' pupil counts
    summed: a pupil in two activities counts twice). An activity serving several areas counts
    in each. Cancelled activities, and those not started when the run began, are left out.
    The school dashboard's table per cooperation area reads this."""

    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("skole"))
    cooperation_area = models.ForeignKey(
        CooperationArea, on_delete=models.CASCADE, related_name="+", verbose_name=_("samarbeidsområde")
    )
    kind = models.CharField(_("type"), max_length=30, choices=Activity.Kind.choices)
    month = models.PositiveSmallIntegerField(_("måned"))
    activities = models.PositiveIntegerField(_("aktiviteter"), default=0)
    pupils = models.PositiveIntegerField(_("elever (antall)"), default=0)
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("deltakelse (oppsummert)")
        verbose_name_plural = _("deltakelse (oppsummert)")
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "school", "cooperation_area", "kind", "month"], name="enrolment_rollup_cell"
            )
        ]
        indexes = [models.Index(fields=["school", "school_year"], name="enrolment_rollup_school_idx")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.school_id} {self.cooperation_area_id} {self.kind} {self.month}"


class SchoolYearRollup(models.Model):
    """Per school year × school with participation: the activities the school took part in,
    its pupil participations (a pupil in two activities counts twice) and teachers, and the
    named pupils counted once over the whole year (a figure the cells can't be summed into).
    Cancelled activities, and those not started when the run began, are left out. The
    network table reads this, and the school dashboard its named pupils per year; the
    enrolment is read from schools.Enrolment and the share taking part computed from it
    when read, neither is kept here."""

    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("skole"))
    activities = models.PositiveIntegerField(_("aktiviteter"), default=0)
    pupils = models.PositiveIntegerField(_("elever (antall)"), default=0)
    unique_pupils = models.PositiveIntegerField(_("navngitte elever"), default=0)
    teachers = models.PositiveIntegerField(_("lærere"), default=0)
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("skoleår (oppsummert)")
        verbose_name_plural = _("skoleår (oppsummert)")
        constraints = [models.UniqueConstraint(fields=["school_year", "school"], name="school_year_rollup_cell")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.school_id}"


class PupilLoadRollup(models.Model):
    """How many activities (not cancelled) a named pupil takes part in per term, across all
    the pupil's schools: the pupil-load warnings and the dashboards read this."""

    class Term(models.TextChoices):
        AUTUMN = "autumn", _("Høst")
        SPRING = "spring", _("Vår")

    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    term = models.CharField(_("semester"), max_length=10, choices=Term.choices)
    # A summary of 240,000 rows a school year at national scale, rewritten whole each night: no
    # database-level foreign keys (their deferred checks at commit took seconds; Django still
    # cascades a pupil's erasure here) and no index of its own on either column (the pupil is
    # found through pupil_load_pupil_idx, stale rows through the school year's cell index).
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("elev"),
        db_constraint=False,
        db_index=False,
    )
    activities = models.PositiveIntegerField(_("aktiviteter"), default=0)
    run = models.ForeignKey(
        RollupRun, on_delete=models.SET_NULL, null=True, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        verbose_name = _("elevbelastning (oppsummert)")
        verbose_name_plural = _("elevbelastning (oppsummert)")
        constraints = [models.UniqueConstraint(fields=["school_year", "term", "pupil"], name="pupil_load_rollup_cell")]
        indexes = [models.Index(fields=["pupil", "school_year"], name="pupil_load_pupil_idx")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.term} {self.pupil_id}: {self.activities}"


class ParticipationMonthRollup(models.Model):
    """Per school year × school × activity kind × month, without the area dimension (an
    activity in two areas counts once): the activities the school took part in, its pupils
    and teachers. The school dashboards' month and kind tables read this."""

    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("skole"))
    kind = models.CharField(_("type"), max_length=30, choices=Activity.Kind.choices)
    month = models.PositiveSmallIntegerField(_("måned"))
    activities = models.PositiveIntegerField(_("aktiviteter"), default=0)
    pupils = models.PositiveIntegerField(_("elever (antall)"), default=0)
    teachers = models.PositiveIntegerField(_("lærere"), default=0)
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("deltakelse per måned (oppsummert)")
        verbose_name_plural = _("deltakelse per måned (oppsummert)")
        constraints = [
            models.UniqueConstraint(
                fields=["school_year", "school", "kind", "month"], name="participation_month_rollup_cell"
            )
        ]
        indexes = [models.Index(fields=["school", "school_year"], name="participation_month_school_idx")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.school_id} {self.kind} {self.month}"


class ActivityMonthRollup(models.Model):
    """Per school year × month × sub-region × where it was held × activity kind × level: the
    activities (each once: an activity has one of each), the schools' participations in them,
    their pupil participations and teachers. The network's figures (the annual report) read
    this; summed over months it gives a calendar year or a school year. `municipality` is where
    the activity was held: its venue's municipality, else its host school's (None: neither).
    Cancelled activities, and those not started when the run began, are left out."""

    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    month = models.PositiveSmallIntegerField(_("måned"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("delregion"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("kommune")
    )
    kind = models.CharField(_("type"), max_length=30, choices=Activity.Kind.choices)
    level = models.CharField(_("nivå"), max_length=20, choices=Activity.Level.choices)
    activities = models.PositiveIntegerField(_("aktiviteter"), default=0)
    schools = models.PositiveIntegerField(_("skoledeltakelser"), default=0)
    pupils = models.PositiveIntegerField(_("elever (antall)"), default=0)
    teachers = models.PositiveIntegerField(_("lærere"), default=0)
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("aktiviteter per måned (oppsummert)")
        verbose_name_plural = _("aktiviteter per måned (oppsummert)")
        indexes = [models.Index(fields=["school_year", "month"], name="activity_month_rollup_idx")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.month} {self.region_id} {self.kind} {self.level}"


class AreaMonthRollup(models.Model):
    """Per school year × month × sub-region × cooperation area: the activities serving the
    area (an activity in two areas counts in each) and their pupil participations."""

    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    month = models.PositiveSmallIntegerField(_("måned"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("delregion"))
    cooperation_area = models.ForeignKey(
        CooperationArea, on_delete=models.CASCADE, related_name="+", verbose_name=_("samarbeidsområde")
    )
    activities = models.PositiveIntegerField(_("aktiviteter"), default=0)
    pupils = models.PositiveIntegerField(_("elever (antall)"), default=0)
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("samarbeidsområder per måned (oppsummert)")
        verbose_name_plural = _("samarbeidsområder per måned (oppsummert)")
        indexes = [models.Index(fields=["school_year", "month"], name="area_month_rollup_idx")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.month} {self.region_id} {self.cooperation_area_id}"


class NmhTeacherRollup(models.Model):
    """Per school year × month × sub-region: each NMH teacher named on an activity
    (`selectors.nmh_teacher_names`), once. Counted distinct over a period by the reports."""

    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    month = models.PositiveSmallIntegerField(_("måned"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("delregion"))
    name = models.CharField(_("navn"), max_length=300)
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("NMH-lærer (oppsummert)")
        verbose_name_plural = _("NMH-lærere (oppsummert)")
        indexes = [models.Index(fields=["school_year", "month"], name="nmh_teacher_rollup_idx")]

    def __str__(self) -> str:
        return f"{self.school_year} {self.month} {self.region_id} {self.name}"


class PupilCountRollup(models.Model):
    """Per period (a school year, or a calendar year) × school × age band (schools.ages): the
    named pupils taking part, each once. A pupil named at two schools counts at each, as GSI
    counts pupils per school. Ages on 1 October of the school year, or of the calendar year."""

    class Period(models.TextChoices):
        SCHOOL_YEAR = "school_year", _("Skoleår")
        CALENDAR_YEAR = "calendar_year", _("Kalenderår")

    period = models.CharField(_("periode"), max_length=20, choices=Period.choices)
    year = models.PositiveSmallIntegerField(_("år"))
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("skole"))
    age_band = models.CharField(_("aldersgruppe"), max_length=10)
    pupils = models.PositiveIntegerField(_("navngitte elever"), default=0)
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("elever per aldersgruppe (oppsummert)")
        verbose_name_plural = _("elever per aldersgruppe (oppsummert)")
        constraints = [
            models.UniqueConstraint(fields=["period", "year", "school", "age_band"], name="pupil_count_rollup_cell")
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.year} {self.school_id} {self.age_band}: {self.pupils}"


class ReminderSent(models.Model):
    """One e-mail of the reminders and digests (activities/reminders.py) that went out: to
    whom, of which kind, for which period. Written in the same transaction as the decision to
    send, under a unique constraint, so a second run of the same week (the digest) or of the same
    step (7 or 21 days after an activity ended without figures) sends nothing new, even with two
    workers at once. Names no pupils."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Ukeoversikt til rektor")
        FIGURES_7 = "figures_7", _("Påminnelse om deltakertall etter 7 dager")
        FIGURES_21 = "figures_21", _("Påminnelse om deltakertall etter 21 dager")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("mottaker")
    )
    # The digest's ISO week ("2026-W48"), or the reminded activity ("activity-123").
    period_key = models.CharField(_("periode"), max_length=40)
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("aktivitet")
    )
    sent_at = models.DateTimeField(_("sendt"), auto_now_add=True)

    class Meta:
        verbose_name = _("sendt påminnelse")
        verbose_name_plural = _("sendte påminnelser")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "period_key"], name="reminder_sent_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.recipient} – {self.period_key}"
