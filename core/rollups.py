"""The nightly rollups' shared machinery: every rollup (the enrolment rollup in activities, the
budget rollup in funding) runs through `run_rollup` — recorded as a RollupRun, in one
transaction, under a lock so that two runs of a kind never overlap — writes set-based with
`upsert_from_select`, and is a Celery task with ROLLUP_TASK_OPTIONS. The kinds and their
schedules are declared in core/schedules.py."""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .formatting import datetime_text
from .models import RollupRun

logger = logging.getLogger(__name__)
# First argument of pg_try_advisory_xact_lock(int, int): this project's lock namespace.
LOCK_NAMESPACE = 0x554D  # "UM"

# The rollup tasks' Celery options: acknowledged after the work, redelivered if the worker
# dies, retried with backoff on database errors. Soft and hard time limits come from settings
# (CELERY_TASK_SOFT_TIME_LIMIT / _TIME_LIMIT); the broker's visibility timeout is set longer
# than the hard limit there.
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


def rollup_lock_key(kind: str, unit: int | None = None) -> int:
    """The advisory lock key (second argument, 31 bits) of a rollup kind, or of one unit of it
    (the enrolment rollup's unit is a school year): "enrolment" or "enrolment:2024"."""
    name = kind if unit is None else f"{kind}:{int(unit)}"
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextmanager
def rollup_lock(kind: str, unit: int | None = None):
    """Yield True when this transaction holds the rollup lock of `kind` (of one `unit` of it,
    when given: units of a kind run side by side, each under its own lock), False when another
    run holds it. On PostgreSQL a transaction-level advisory lock, released at commit,
    rollback, or when the holder's connection dies (a killed worker). SQLite, the embedded
    single-process default, serializes writers itself."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = rollup_lock_key(kind, unit)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, key])
        yield bool(cursor.fetchone()[0])


def upsert_from_select(
    model: type[models.Model], queryset: models.QuerySet, *, columns: list[str], conflict: list[str], update: list[str]
) -> int:
    """INSERT INTO model's table (columns) SELECT … (the queryset, whose values_list names the
    same columns in the same order) ON CONFLICT (conflict) DO UPDATE SET update = excluded."""
    # Every name here is a model field's column; the values travel as parameters.
    qn = connection.ops.quote_name
    sql, params = queryset.query.sql_with_params()
    statement = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"SELECT * FROM ({sql}) AS src WHERE true "
        f"ON CONFLICT ({', '.join(qn(c) for c in conflict)}) "
        f"DO UPDATE SET {', '.join(f'{qn(c)} = excluded.{qn(c)}' for c in update)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def insert_from_select(model: type[models.Model], queryset: models.QuerySet, *, columns: list[str]) -> int:
    """INSERT INTO model's table (columns) SELECT … (the queryset, whose values_list names the
    same columns in the same order): for summaries that are replaced whole (their rows deleted
    first, in the same transaction)."""
    qn = connection.ops.quote_name
    sql, params = queryset.query.sql_with_params()
    statement = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) SELECT * FROM ({sql}) AS src"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def run_rollup(
    *,
    kind: str,
    year: int | None,
    task_id: str,
    work: Callable[[RollupRun], int],
    incremental: bool = False,
    unit: int | None = None,
    mode: str | None = None,
) -> RollupRun:
    """Record a run, take the lock (of the kind, or of one `unit` of it), do the work in one
    transaction, record how it ended. `mode` (RollupRun.Mode) when given, else full or
    `incremental`."""
    run = RollupRun.objects.create(
        kind=kind,
        mode=mode or (RollupRun.Mode.INCREMENTAL if incremental else RollupRun.Mode.FULL),
        year=year,
        started_at=timezone.now(),
        task_id=task_id or "",
    )
    started = time.monotonic()
    try:
        with transaction.atomic(), rollup_lock(kind, unit) as locked:
            if not locked:
                run.status, run.error = RollupRun.Status.SKIPPED, "En annen kjøring av samme type pågår."
            else:
                if connection.vendor == "postgresql":
                    # The distinct counts sort millions of rows: let them sort in memory.
                    execute("SELECT set_config('work_mem', %s, true)", [settings.ROLLUP_WORK_MEM])
                # Runs of this lock still marked running hold no lock: their worker died. Say so.
                dead = RollupRun.objects.filter(kind=kind, status=RollupRun.Status.RUNNING).exclude(pk=run.pk)
                if unit is not None:
                    dead = dead.filter(year=unit)
                dead.update(
                    status=RollupRun.Status.FAILED,
                    error="Avbrutt: arbeideren stoppet under kjøringen.",
                    finished_at=timezone.now(),
                )
                run.rows_written = work(run)
                pause = float(getattr(settings, "ROLLUP_FAULT_INJECTION_PAUSE", 0) or 0)
                if pause:  # fault-injection tests kill the worker here, inside the transaction
                    time.sleep(pause)
                run.status = RollupRun.Status.SUCCEEDED
    except Exception as exc:
        run.status, run.error = RollupRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:4000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "rows_written", "finished_at"])
    logger.info(
        "rollup %s year=%s %s: %s rows in %.1f s", kind, year, run.status, run.rows_written, time.monotonic() - started
    )
    return run


def execute(sql: str, params=None) -> int:
    """Run one statement on the default connection; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


# --- Reading the record ------------------------------------------------------------------------


def rollup_run_list() -> models.QuerySet[RollupRun]:
    """Every run, newest first."""
    return RollupRun.objects.order_by("-started_at", "-id")


def rollup_last_success_by_kind() -> dict[str, datetime]:
    """When each kind of rollup last finished a whole run successfully (one query): the pages
    print their figures "as of" these times. A run of one year (`manage.py rollup --year`, or
    one unit of a fanned-out run) does not move "as of": the other years' figures are older;
    nor does an incremental run: it recomputes only the schools marked changed, so what began
    elsewhere since the last full or nightly run is not counted yet."""
    return dict(
        RollupRun.objects.filter(status=RollupRun.Status.SUCCEEDED, year__isnull=True)
        .exclude(mode=RollupRun.Mode.INCREMENTAL)
        .values("kind")
        .annotate(last=Max("finished_at"))
        .order_by()
        .values_list("kind", "last")
    )


@dataclass(frozen=True)
class FiguresAsOf:
    """When the summary tables a page reads were last written (None: never)."""

    at: datetime | None

    @property
    def label(self) -> str:
        if self.at is None:
            return _("Tallene er ikke oppsummert ennå.")
        return _("Tall per %(when)s") % {"when": datetime_text(self.at)}


def figures_as_of(kind: str, *, finished: dict[str, datetime] | None = None) -> FiguresAsOf:
    """As of the last successful run of `kind` (one query unless `finished` is given)."""
    finished = rollup_last_success_by_kind() if finished is None else finished
    return FiguresAsOf(at=finished.get(kind))
