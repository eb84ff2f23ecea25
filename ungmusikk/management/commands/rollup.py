"""Runs the nightly rollups synchronously, the same services the Celery tasks call: the
embedded default needs no Redis."""

from django.core.management.base import BaseCommand, CommandError

from activities.rollups import rollup_enrolment
from core.models import RollupRun

ROLLUPS = {"enrolment": rollup_enrolment}


def _budget_rollup():
    try:
        from funding.rollups import rollup_budget
    except ImportError:  # the budget rollup arrives with the budget workflow
        return None
    return rollup_budget


class Command(BaseCommand):
    help = "Bygger oppsummeringstabellene (budsjett og deltakelse) på nytt, uten Celery."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Bare dette året (skoleåret som starter dette året).")
        parser.add_argument("--incremental", action="store_true", help="Bare skoleår med endrede data.")
        parser.add_argument("--kind", choices=["all", "enrolment", "budget"], default="all")

    def handle(self, *args, year=None, incremental=False, kind="all", **options):
        rollups = dict(ROLLUPS)
        budget = _budget_rollup()
        if budget:
            rollups["budget"] = budget
        chosen = rollups if kind == "all" else {kind: rollups.get(kind)}
        for name, rollup in chosen.items():
            if rollup is None:
                raise CommandError(f"Oppsummeringen {name!r} finnes ikke ennå.")
            run = rollup(year=year, incremental=incremental)
            duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
            style = self.style.SUCCESS if run.status == RollupRun.Status.SUCCEEDED else self.style.WARNING
            self.stdout.write(
                style(f"{name}: {run.get_status_display()}, {run.rows_written} rader, {duration:.1f} s {run.error}")
            )
