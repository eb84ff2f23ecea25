"""The portal's periodic jobs, declared in one place: which Celery task runs when (Europe/Oslo).
A data migration creates each one in django-celery-beat's schedule when it is missing; after
that the admin (*Periodic tasks*) may change or pause it. The nightly rollups are also the
kinds a `RollupRun` records."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The kinds of nightly rollup (RollupRun.kind).
ENROLMENT = "enrolment"
BUDGET = "budget"
ROLLUP_KINDS = ((ENROLMENT, _("Deltakelse og elevtall")), (BUDGET, _("Økonomi: aktivitetenes verdi per skole")))


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # as the admin lists it
    task: str  # the Celery task's registered name
    minute: str
    hour: str
    day_of_week: str = "*"
    description: str = ""


PERIODIC_JOBS = (
    PeriodicJob(
        name="Nattlig oppsummering: deltakelse og elevtall",
        task="activities.rollup_enrolment",
        minute="0",
        hour="2",
        description="Bygger deltakelsestabellene som dashbordene leser.",
    ),
    PeriodicJob(
        name="Nattlig oppsummering: budsjett og regnskap",
        task="funding.rollup_budget",
        minute="0",
        hour="2",
        description="Summerer verdien av aktivitetene per skole og år, som dashbordene leser.",
    ),
    PeriodicJob(
        name="Nattlig oppbevaringstid: pseudonymiser elever",
        task="activities.pupils_retention",
        minute="0",
        hour="3",
        description="Pseudonymiserer elever som har passert oppbevaringstiden i portalinnstillingene.",
    ),
    PeriodicJob(
        name="Ukeoversikt til rektorer",
        task="activities.send_digests",
        minute="0",
        hour="7",
        day_of_week="1",  # Monday (crontab: 0 is Sunday)
        description="Hver mandag: de neste fire ukenes aktiviteter og elever over varselgrensen, til hver rektor.",
    ),
    PeriodicJob(
        name="Påminnelser om deltakertall",
        task="activities.send_figure_reminders",
        minute="30",
        hour="7",
        description="Daglig: minner koordinatorer om aktiviteter uten deltakertall 7 og 21 dager etter slutt.",
    ),
)


def periodic_jobs_create(apps, schema_editor=None) -> None:
    """Create each declared job that django-celery-beat does not have yet (by task name), on
    its crontab in Oslo time. Jobs already there are left as the admin set them. Called by
    data migrations with their historical `apps`, and by the tests' reference data."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for job in PERIODIC_JOBS:
        if PeriodicTask.objects.filter(task=job.task).exists():
            continue
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=job.minute,
            hour=job.hour,
            day_of_week=job.day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/Oslo",
        )
        PeriodicTask.objects.get_or_create(
            name=job.name,
            defaults={
                "task": job.task,
                "crontab": crontab,
                "kwargs": "{}",
                "enabled": True,
                "description": job.description,
            },
        )
