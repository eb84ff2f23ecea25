"""The budget rollup's tables point at RollupRun in core: state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_rolluprun"),
        ("funding", "0008_budget_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is (activities_rolluprun); only Django's idea of which
            # app owns the model moves.
            state_operations=[
                migrations.AlterField(
                    model_name="budgetrollup",
                    name="run",
                    field=models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.rolluprun"
                    ),
                ),
                migrations.AlterField(
                    model_name="schoolmoneyrollup",
                    name="run",
                    field=models.ForeignKey(
                        null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.rolluprun"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
