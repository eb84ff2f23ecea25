"""What the activities app tells others, and the one write of a lower app it follows.

The activities services mark the school years they change for the incremental rollup
themselves (activities.services) and enqueue it after commit; no signal watches their own
models. Two signals remain:

- `activities_changed`, sent by the services inside the transaction that changed activities
  (their fields, participation or costs): a higher app connects to it to follow (funding
  refreshes the activities' money per school, funding/signals.py), since activities may not
  import it.
- Enrolment (schools, a lower app, which may not import activities): a changed enrolment marks
  its school year and enqueues the incremental rollup after commit.

Bulk writes (bulk_create, QuerySet.update, raw SQL) mark with
activities.rollups.rollup_mark_dirty; the nightly full rollup catches anything missed."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from schools.models import Enrolment

from .rollups import rollup_mark_dirty
from .tasks import rollup_enrolment_after_commit

# Sent with `activity_ids` (a list of the changed activities' ids), sender Activity.
activities_changed = Signal()


@receiver(post_save, sender=Enrolment)
@receiver(post_delete, sender=Enrolment)
def _enrolment_changed(sender, instance: Enrolment, raw=False, **kwargs):
    if not raw:
        rollup_mark_dirty(pairs=[(instance.school_id, instance.school_year)])
        rollup_enrolment_after_commit()
