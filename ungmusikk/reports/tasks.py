"""Celery tasks of the reports: thin, they take plain values and call one service."""

from celery import shared_task

from core.rollups import ROLLUP_TASK_OPTIONS

from .services import annual_report_generate


# The rollups' options (core/rollups.py): acknowledged after the work and redelivered if the
# worker dies, retried with backoff on database errors (the claim takes a row already running
# under the same task id), under the soft and hard time limits of settings
# (CELERY_TASK_SOFT_TIME_LIMIT: the row is marked failed; CELERY_TASK_TIME_LIMIT).
@shared_task(name="reports.annual_report_generate", **ROLLUP_TASK_OPTIONS)
def annual_report_generate_task(self, file_id: int) -> dict:
    """Make the annual report's PDF and workbook of one AnnualReportFile row."""
    row = annual_report_generate(file_id=file_id, task_id=self.request.id or "")
    return {"file": file_id, "status": row.status if row is not None else "skipped"}
