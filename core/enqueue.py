"""Celery tasks sent once the transaction that asked for them commits, and once per transaction.

A service that changes data the summary tables are built from asks for the incremental rollup
with `enqueue_after_commit(task, **kwargs)`; asking again in the same transaction (one call per
row, or a service calling another) adds nothing. The task is sent when the transaction commits,
so the worker sees what it wrote; a transaction rolled back sends nothing. Outside a transaction
the write has committed already and the task is sent at once. Without Redis (the embedded
default) Celery runs the task in-process, right after the commit.

A task that cannot be sent (the broker is down) is logged and dropped: the change is saved
and the nightly run catches it up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)
# The connection attribute that holds the batch of the transaction in progress.
BATCH_ATTRIBUTE = "_core_enqueue_batch"
_paused: ContextVar[bool] = ContextVar("core_enqueue_paused", default=False)


class _Batch:
    """The tasks one transaction asked for, sent by `send` when it commits."""

    def __init__(self) -> None:
        self.tasks: dict[tuple, tuple[Task, dict]] = {}
        self.sent = False

    def send(self) -> None:
        self.sent = True
        for task, kwargs in self.tasks.values():
            _send(task, kwargs)


def enqueue_after_commit(task: Task, **kwargs) -> None:
    """Send `task` with these keyword arguments when the current transaction commits, once
    however often this transaction asks for it."""
    if _paused.get():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _send(task, kwargs)
        return
    batch = getattr(connection, BATCH_ATTRIBUTE, None)
    if batch is None or batch.sent or not _registered(connection, batch):
        # The first request of this transaction (or the first since a savepoint that held the
        # previous batch was rolled back).
        batch = _Batch()
        setattr(connection, BATCH_ATTRIBUTE, batch)
        transaction.on_commit(batch.send, robust=True)
    batch.tasks.setdefault((task.name, tuple(sorted(kwargs.items()))), (task, kwargs))


def _registered(connection, batch: _Batch) -> bool:
    return any(getattr(callback, "__self__", None) is batch for _ids, callback, _robust in connection.run_on_commit)


def _send(task: Task, kwargs: dict) -> None:
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:  # the broker, or an in-process run; the save itself has committed
        logger.exception("Could not run or enqueue %s(%s) after commit", task.name, kwargs)


@contextmanager
def enqueues_paused() -> Iterator[None]:
    """Ask for nothing while a bulk load runs (the demo loader): its rows are marked as
    changed all the same, and the nightly run or the next save's rollup takes them up."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)
