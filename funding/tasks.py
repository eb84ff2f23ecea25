"""Celery tasks of the funding app: thin, they take plain values and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .rollups import rollup_budget


@shared_task(
    name="funding.rollup_budget",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def rollup_budget_task(self, year: int | None = None, incremental: bool = False) -> dict:
    run = rollup_budget(year=year, incremental=incremental, task_id=self.request.id or "")
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}
