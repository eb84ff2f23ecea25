"""The nightly enrolment rollup at 02:00 Europe/Oslo in django-celery-beat's schedule
(editable in the admin afterwards; this migration only creates it when missing)."""

from django.db import migrations

TASK = "activities.rollup_enrolment"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Oslo"
    )
    PeriodicTask.objects.get_or_create(
        name="Nattlig oppsummering: deltakelse og elevtall",
        defaults={
            "task": TASK,
            "crontab": crontab,
            "kwargs": "{}",
            "enabled": True,
            "description": "Bygger deltakelsestabellene som dashbordene leser.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_rollups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
