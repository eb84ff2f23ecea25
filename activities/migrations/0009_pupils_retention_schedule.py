"""The nightly pupil retention job at 03:00 Europe/Oslo in django-celery-beat's schedule
(editable in the admin afterwards; this migration only creates it when missing). The
schedule itself is declared in core/schedules.py."""

from django.db import migrations

from core.schedules import periodic_jobs_create

TASK = "activities.pupils_retention"


def create_schedule(apps, schema_editor):
    # The jobs are declared once, in core/schedules.py.
    periodic_jobs_create(apps, schema_editor)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_bounds"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
