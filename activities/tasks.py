"""Celery tasks of the activities app: thin, they take plain values and call one service."""

from datetime import datetime

from celery import chord, shared_task

from core.enqueue import enqueue_after_commit
from core.models import RollupRun
from core.rollups import ROLLUP_TASK_OPTIONS

from .rollups import (
    enrolment_mode,
    rollup_enrolment,
    rollup_enrolment_finish,
    rollup_enrolment_start,
    rollup_enrolment_unit,
)

# An incremental run that finds another run holding the lock tries again after 5, 10, 20, 40
# and 80 seconds: what a save marked should not wait for the night.
SKIPPED_RETRY_FIRST_DELAY = 5


@shared_task(name="activities.rollup_enrolment", **ROLLUP_TASK_OPTIONS)
def rollup_enrolment_task(
    self, year: int | None = None, incremental: bool = False, full: bool = False, attempt: int = 0
) -> dict:
    """The enrolment rollup: by default (the nightly schedule) the current school year and the
    schools marked changed; `full` every year; `incremental` only what is marked; `year` that
    school year alone. On a worker the school years are fanned out as a Celery chord, one task
    per year (each under its own lock), ended by rollup_enrolment_finish_task; run eagerly
    (no Redis) or for one year, the units run here, one after the other."""
    nightly = not (incremental or full or year is not None)  # the schedule asks with no arguments
    mode = enrolment_mode(incremental=incremental, nightly=nightly)
    task_id = self.request.id or ""
    if year is not None or self.request.is_eager:
        run = rollup_enrolment(year=year, incremental=incremental, nightly=nightly, task_id=task_id)
        if run.status == RollupRun.Status.SKIPPED and incremental and not self.request.is_eager:
            raise self.retry(countdown=SKIPPED_RETRY_FIRST_DELAY * 2**self.request.retries)
        return {"run": run.pk, "status": run.status, "rows": run.rows_written}
    run, units = rollup_enrolment_start(mode=mode, task_id=task_id)
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    finish = rollup_enrolment_finish_task.s(run_id=run.pk, attempt=attempt).set(queue=queue)
    if not units:
        finish.delay([])
    else:
        header = [
            rollup_enrolment_unit_task.s(
                year=unit.year,
                schools=list(unit.schools) if unit.schools is not None else None,
                last=unit.last,
                mode=mode,
                before=run.started_at.isoformat(),
            ).set(queue=queue)
            for unit in units
        ]
        chord(header)(finish.on_error(rollup_enrolment_failed_task.si(run_id=run.pk).set(queue=queue)))
    return {"run": run.pk, "status": run.status, "units": len(units)}


@shared_task(name="activities.rollup_enrolment_unit", **ROLLUP_TASK_OPTIONS)
def rollup_enrolment_unit_task(
    self, *, year: int, schools: list[int] | None, last: bool, mode: str, before: str
) -> int:
    """One school year of a fanned-out enrolment rollup (activities.rollups.rollup_enrolment_unit);
    returns its RollupRun's id."""
    run = rollup_enrolment_unit(
        year=year,
        schools=schools,
        last=last,
        mode=mode,
        before=datetime.fromisoformat(before),
        task_id=self.request.id or "",
    )
    return run.pk


@shared_task(name="activities.rollup_enrolment_finish", **ROLLUP_TASK_OPTIONS)
def rollup_enrolment_finish_task(self, unit_run_ids: list[int], *, run_id: int, attempt: int = 0) -> dict:
    """End a fanned-out run when all its units are done. An incremental run with a year
    another run held tries again after 5, 10, 20, 40 and 80 seconds (its marks are kept)."""
    run = rollup_enrolment_finish(run_id=run_id, unit_run_ids=unit_run_ids)
    if run.status == RollupRun.Status.SKIPPED and run.mode == RollupRun.Mode.INCREMENTAL and attempt < 5:
        rollup_enrolment_task.apply_async(
            kwargs={"incremental": True, "attempt": attempt + 1}, countdown=SKIPPED_RETRY_FIRST_DELAY * 2**attempt
        )
    return {"run": run.pk, "status": run.status, "rows": run.rows_written}


@shared_task(name="activities.rollup_enrolment_failed")
def rollup_enrolment_failed_task(*, run_id: int) -> None:
    """A unit of a fanned-out run failed for good: the whole run is recorded as failed."""
    rollup_enrolment_finish(run_id=run_id, unit_run_ids=[], failure="En del av kjøringen feilet (se skoleårene).")


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
