"""Celery tasks of the activities app: thin, they take plain values and call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .rollups import rollup_enrolment

# The nightly rollups' task options (funding's budget rollup uses them too): acknowledged after
# the work, redelivered if the worker dies, retried with backoff on database errors. Soft and
# hard time limits come from settings (CELERY_TASK_SOFT_TIME_LIMIT / _TIME_LIMIT); the broker's
# visibility timeout is set longer than the hard limit there.
ROLLUP_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="activities.rollup_enrolment", **ROLLUP_TASK_OPTIONS)
def rollup_enrolment_task(self, year: int | None = None, incremental: bool = False) -> dict:
    run = rollup_enrolment(year=year, incremental=incremental, task_id=self.request.id or "")
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}
