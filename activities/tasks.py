"""Celery tasks of the activities app: thin, they take plain values and call one service."""

from celery import shared_task

from core.rollups import ROLLUP_TASK_OPTIONS

from .rollups import rollup_enrolment


@shared_task(name="activities.rollup_enrolment", **ROLLUP_TASK_OPTIONS)
def rollup_enrolment_task(self, year: int | None = None, incremental: bool = False) -> dict:
    run = rollup_enrolment(year=year, incremental=incremental, task_id=self.request.id or "")
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}
