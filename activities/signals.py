"""What the activities app tells others.

The activities services mark the school years they change for the incremental rollup
themselves (activities.services) and enqueue it after commit; no signal watches their own
models. `activities_changed` is sent by the services inside the transaction that changed
activities (their fields, participation or costs): a higher app connects to it to follow
(funding refreshes the activities' money per school, funding/signals.py), since activities may
not import it.

Bulk writes (bulk_create, QuerySet.update, raw SQL) mark with
activities.rollups.rollup_mark_dirty; the nightly full rollup catches anything missed.
Enrolment is in no summary table: the pages read it where schools keep it."""

from django.dispatch import Signal

# Sent with `activity_ids` (a list of the changed activities' ids), sender Activity.
activities_changed = Signal()
