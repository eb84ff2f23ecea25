"""Celery tasks of the funding app: thin, they take plain values and call one service."""

from celery import shared_task

from core.rollups import ROLLUP_TASK_OPTIONS

from .notices import budget_decided_send, budget_submitted_send
from .rollups import rollup_budget


@shared_task(name="funding.rollup_budget", **ROLLUP_TASK_OPTIONS)
def rollup_budget_task(self, year: int | None = None, incremental: bool = False) -> dict:
    run = rollup_budget(year=year, incremental=incremental, task_id=self.request.id or "")
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}


# The notices are not retried: a send that failed half-way would mail some people twice.
@shared_task(name="funding.notify_budget_submitted")
def notify_budget_submitted_task(budget_id: int) -> int:
    return budget_submitted_send(budget_id=budget_id)


@shared_task(name="funding.notify_budget_decided")
def notify_budget_decided_task(budget_id: int, status: str, comment: str = "", submission: int | None = None) -> int:
    return budget_decided_send(budget_id=budget_id, status=status, comment=comment, submission=submission)
