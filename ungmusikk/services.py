"""Writes that compose several apps."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from activities.tasks import rollup_enrolment_task
from funding.tasks import rollup_budget_task
from governance.selectors import user_is_central_staff


def rollups_enqueue(*, user, incremental: bool = False) -> None:
    """Queue both nightly rollups now (central staff). They start once the request's
    transaction has committed; without Redis they run in-process before this returns."""
    if not user_is_central_staff(user=user):
        raise PermissionDenied
    kwargs = {"incremental": incremental}
    transaction.on_commit(lambda: rollup_budget_task.apply_async(kwargs=kwargs))
    transaction.on_commit(lambda: rollup_enrolment_task.apply_async(kwargs=kwargs))
