"""Runs the nightly rollups synchronously, the same services the Celery tasks call: the
embedded default needs no Redis."""

from django.core.management.base import BaseCommand

from activities.rollups import rollup_enrolment
from core.models import RollupRun
from core.schedules import BUDGET, ENROLMENT
from funding.rollups import rollup_budget

ROLLUPS = {ENROLMENT: rollup_enrolment, BUDGET: rollup_budget}


class Command(BaseCommand):
    help = "Bygger oppsummeringstabellene (deltakelse og økonomi) på nytt, uten Celery."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Bare dette året (skoleåret som starter dette året).")
        parser.add_argument("--incremental", action="store_true", help="Bare skoler med endrede data.")
        parser.add_argument(
            "--nightly",
            action="store_true",
            help="Som om natten: inneværende skoleår, og skoler med endrede data i andre år (deltakelse).",
        )
        parser.add_argument("--kind", choices=["all", *ROLLUPS], default="all")

    def handle(self, *args, year=None, incremental=False, nightly=False, kind="all", **options):
        chosen = ROLLUPS if kind == "all" else {kind: ROLLUPS[kind]}
        for name, rollup in chosen.items():
            if name == ENROLMENT:
                run = rollup(year=year, incremental=incremental, nightly=nightly)
            else:  # the money rollup is small: nightly it runs in full
                run = rollup(year=year, incremental=incremental)
            duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
            style = self.style.SUCCESS if run.status == RollupRun.Status.SUCCEEDED else self.style.WARNING
            self.stdout.write(
                style(f"{name}: {run.get_status_display()}, {run.rows_written} rader, {duration:.1f} s {run.error}")
            )
