"""The nightly budget rollup at 02:00 Europe/Oslo in django-celery-beat's schedule
(editable in the admin afterwards; this migration only creates it when missing)."""

from django.db import migrations

TASK = "funding.rollup_budget"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/Oslo"
    )
    PeriodicTask.objects.get_or_create(
        name="Nattlig oppsummering: budsjett og regnskap",
        defaults={
            "task": TASK,
            "crontab": crontab,
            "kwargs": "{}",
            "enabled": True,
            "description": "Bygger budsjettoppsummeringen som budsjettsiden og dashbordene leser.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0004_budget_rollup"),
        ("activities", "0003_nightly_rollup_schedule"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
