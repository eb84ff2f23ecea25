"""Mark the school years whose activity data changed, for the incremental rollup. Bulk
writes (bulk_create, QuerySet.update) bypass signals: their callers mark with
activities.rollups.rollup_mark_dirty, and the nightly full rollup catches anything missed."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from core.periods import school_year_of
from schools.models import Enrolment

from .models import Activity, Participation
from .rollups import rollup_mark_activity_dirty, rollup_mark_dirty


def _year(moment) -> int:
    return school_year_of(timezone.localtime(moment).date())


@receiver(pre_save, sender=Activity)
def _activity_moving(sender, instance: Activity, raw=False, **kwargs):
    # An activity moved to another school year leaves its old year's figures behind.
    if raw or instance.pk is None:
        return
    old = Activity.objects.filter(pk=instance.pk).values_list("starts_at", flat=True).first()
    if old and instance.starts_at and _year(old) != _year(instance.starts_at):
        rollup_mark_activity_dirty(activity_ids=[instance.pk])


@receiver(post_save, sender=Activity)
def _activity_saved(sender, instance: Activity, raw=False, **kwargs):
    if not raw:
        rollup_mark_activity_dirty(activity_ids=[instance.pk])


@receiver(m2m_changed, sender=Activity.cooperation_areas.through)
def _activity_areas_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Activity):
        rollup_mark_activity_dirty(activity_ids=[instance.pk])


@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
def _participation_changed(sender, instance: Participation, raw=False, **kwargs):
    if raw:
        return
    starts_at = Activity.objects.filter(pk=instance.activity_id).values_list("starts_at", flat=True).first()
    if starts_at:
        rollup_mark_dirty(pairs=[(instance.school_id, _year(starts_at))])


@receiver(m2m_changed, sender=Participation.named_pupils.through)
def _named_pupils_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Participation):
        _participation_changed(sender, instance)


@receiver(post_save, sender=Enrolment)
@receiver(post_delete, sender=Enrolment)
def _enrolment_changed(sender, instance: Enrolment, raw=False, **kwargs):
    if not raw:
        rollup_mark_dirty(pairs=[(instance.school_id, instance.school_year)])
