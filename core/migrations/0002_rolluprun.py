"""RollupRun moves from activities to the ground floor (core): state only, same table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_activity_version"),
        ("core", "0001_submission_token"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is (activities_rolluprun); only Django's idea of which
            # app owns the model moves.
            state_operations=[
                migrations.CreateModel(
                    name="RollupRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("enrolment", "Deltakelse og elevtall"), ("budget", "Budsjett og regnskap")],
                                max_length=20,
                                verbose_name="type",
                            ),
                        ),
                        (
                            "mode",
                            models.CharField(
                                choices=[("full", "Full"), ("incremental", "Inkrementell")],
                                default="full",
                                max_length=20,
                                verbose_name="modus",
                            ),
                        ),
                        (
                            "year",
                            models.PositiveSmallIntegerField(
                                blank=True, help_text="Tom betyr alle år.", null=True, verbose_name="år"
                            ),
                        ),
                        ("started_at", models.DateTimeField(verbose_name="startet")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="ferdig")),
                        ("rows_written", models.PositiveIntegerField(default=0, verbose_name="rader skrevet")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("running", "Kjører"),
                                    ("succeeded", "Fullført"),
                                    ("skipped", "Hoppet over"),
                                    ("failed", "Feilet"),
                                ],
                                default="running",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="feil")),
                        ("task_id", models.CharField(blank=True, max_length=100, verbose_name="oppgave-id")),
                    ],
                    options={
                        "verbose_name": "oppsummeringskjøring",
                        "verbose_name_plural": "oppsummeringskjøringer",
                        "db_table": "activities_rolluprun",
                        "ordering": ["-started_at", "-id"],
                        "indexes": [
                            models.Index(fields=["kind", "status", "-started_at"], name="rollup_run_latest_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
