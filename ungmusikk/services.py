"""Writes that compose several apps."""

from __future__ import annotations

from django.db import transaction

from activities.tasks import rollup_enrolment_task
from core.permissions import require_perm
from funding.tasks import rollup_budget_task


def rollups_enqueue(*, user, incremental: bool = False) -> None:
    """Queue both nightly rollups now (central staff). They start once the request's
    transaction has committed; without Redis they run in-process before this returns."""
    require_perm(user, "core.add_rolluprun")
    kwargs = {"incremental": incremental}
    transaction.on_commit(lambda: rollup_budget_task.apply_async(kwargs=kwargs))
    # Not incremental: every school year (the nightly schedule does the current one and what changed).
    enrolment = {"incremental": True} if incremental else {"full": True}
    transaction.on_commit(lambda: rollup_enrolment_task.apply_async(kwargs=enrolment))
