"""The portal's settings row (pupil-load threshold 6 by default)."""

from django.db import migrations


def create_settings(apps, schema_editor):
    apps.get_model("governance", "PortalSetting").objects.get_or_create(pk=1, defaults={"pupil_load_threshold": 6})


def noop(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_cooperation_areas")]

    operations = [migrations.RunPython(create_settings, noop)]
