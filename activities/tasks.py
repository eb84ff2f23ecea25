"""Celery tasks of the activities app: thin, they take plain values and call one service."""

from celery import shared_task

from core.enqueue import enqueue_after_commit
from core.models import RollupRun
from core.rollups import ROLLUP_TASK_OPTIONS

from .rollups import rollup_enrolment

# An incremental run that finds another run holding the lock tries again after 5, 10, 20, 40
# and 80 seconds: what a save marked should not wait for the night.
SKIPPED_RETRY_FIRST_DELAY = 5


@shared_task(name="activities.rollup_enrolment", **ROLLUP_TASK_OPTIONS)
def rollup_enrolment_task(self, year: int | None = None, incremental: bool = False) -> dict:
    run = rollup_enrolment(year=year, incremental=incremental, task_id=self.request.id or "")
    if run.status == RollupRun.Status.SKIPPED and incremental and not self.request.is_eager:
        raise self.retry(countdown=SKIPPED_RETRY_FIRST_DELAY * 2**self.request.retries)
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}


def rollup_enrolment_after_commit() -> None:
    """The incremental enrolment rollup of what this transaction marked as changed, enqueued
    once when it commits (activities.services, and the enrolment signal)."""
    enqueue_after_commit(rollup_enrolment_task, incremental=True)


@shared_task(name="activities.pupils_retention", **ROLLUP_TASK_OPTIONS)
def pupils_retention_task(self) -> dict:
    """Pseudonymise the pupils past the retention period (activities.privacy)."""
    from .privacy import pupils_retention

    result = pupils_retention()
    return {"skipped": result.skipped, "pupils": result.count}


# The e-mails are not retried: each recipient's e-mail is recorded (activities.models.ReminderSent)
# in the transaction that sends it, so the next scheduled run sends what a failed one did not.
@shared_task(name="activities.send_digests")
def send_digests_task() -> dict:
    """The rectors' weekly digest (activities.reminders), Monday 07:00 Oslo."""
    from .reminders import digests_send

    result = digests_send()
    return {"sent": result.sent, "planned": len(result.planned)}


@shared_task(name="activities.send_figure_reminders")
def send_figure_reminders_task() -> dict:
    """The coordinators' reminders about missing participation figures, daily 07:30 Oslo."""
    from .reminders import figure_reminders_send

    result = figure_reminders_send()
    return {"sent": result.sent, "planned": len(result.planned)}
