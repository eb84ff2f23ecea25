"""RollupRun now lives in core: the rollup tables point there, and activities forgets the
model (state only; the table keeps its name)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0009_rollup_run_in_core"),
        ("activities", "0005_activity_version"),
        ("core", "0002_rolluprun"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is (activities_rolluprun); only Django's idea of which
            # app owns the model moves.
            state_operations=[
                migrations.AlterField(
                    model_name="enrolmentrollup",
                    name="run",
                    field=models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.rolluprun"
                    ),
                ),
                migrations.AlterField(
                    model_name="pupilloadrollup",
                    name="run",
                    field=models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.rolluprun"
                    ),
                ),
                migrations.AlterField(
                    model_name="schoolyearrollup",
                    name="run",
                    field=models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.rolluprun"
                    ),
                ),
                migrations.AlterField(
                    model_name="participationmonthrollup",
                    name="run",
                    field=models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.rolluprun"
                    ),
                ),
                migrations.DeleteModel(
                    name="RollupRun",
                ),
            ],
            database_operations=[],
        ),
    ]
