"""Funding follows the activities it cannot be told about directly (activities sits below it):
when activities' costs or participation change, the money per school they make (the budget
rollup's SchoolMoneyRollup: each activity's costs shared by its schools) is refreshed by the
incremental budget rollup once the transaction commits."""

from django.dispatch import receiver

from activities.signals import activities_changed
from core.enqueue import enqueue_after_commit

from .tasks import rollup_budget_task


@receiver(activities_changed)
def _activities_changed(sender, activity_ids, **kwargs):
    enqueue_after_commit(rollup_budget_task, incremental=True)
