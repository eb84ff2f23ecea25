"""Writes of the activities app. Every user action is one transaction: a failed save leaves
the database as it was."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import CooperationArea
from schools.models import Enrolment, Membership, Pupil, Region, School, school_year_of

from .models import Activity, ActivityCost, Participation, Venue


@dataclass
class ParticipationData:
    school: School
    pupils: int = 0
    teachers: int = 0
    named_pupils: Sequence[Pupil] = field(default_factory=list)


@dataclass
class CostData:
    category: str
    amount: Decimal
    description: str = ""


def _save(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def venue_upsert(*, name: str, municipality, latitude: Decimal, longitude: Decimal, address: str = "") -> Venue:
    venue = Venue.objects.filter(name=name).first() or Venue()
    return _save(venue, name=name, municipality=municipality, latitude=latitude, longitude=longitude, address=address)


def participation_errors(*, starts_at: datetime, participations: Iterable[ParticipationData]) -> dict[int, dict]:
    """Problems with each participation row (by position), keyed by field: a school that is
    not a member or pilot on the activity's date, more pupils than the school's enrolment
    that school year, fewer pupils than named, named pupils from another school, or the
    same school twice."""
    rows = list(participations)
    day = timezone.localtime(starts_at).date()
    schools = [row.school for row in rows]
    taking_part = set(
        Membership.objects.valid_on(day)
        .filter(school__in=schools, status__in=Membership.PARTICIPATING)
        .values_list("school_id", flat=True)
    )
    enrolment = dict(
        Enrolment.objects.filter(school__in=schools, school_year=school_year_of(day)).values_list("school_id", "pupils")
    )
    errors: dict[int, dict] = {}
    seen: set[int] = set()
    for index, row in enumerate(rows):
        row_errors: dict[str, str] = {}
        if row.school.pk in seen:
            row_errors["school"] = _("%(school)s står oppført mer enn én gang.") % {"school": row.school}
        seen.add(row.school.pk)
        if row.school.pk not in taking_part:
            row_errors["school"] = _(
                "%(school)s er ikke medlem eller pilot i UngMusikk på aktivitetens dato (%(day)s)."
            ) % {"school": row.school, "day": day.strftime("%d.%m.%Y")}
        if row.pupils is None or row.pupils < 0:
            row_errors["pupils"] = _("Antall elever må være et helt tall, 0 eller mer.")
        elif row.school.pk in enrolment and row.pupils > enrolment[row.school.pk]:
            row_errors["pupils"] = _("%(school)s har bare %(count)s elever dette skoleåret.") % {
                "school": row.school,
                "count": enrolment[row.school.pk],
            }
        elif len(row.named_pupils) > row.pupils:
            row_errors["pupils"] = _("Flere navngitte elever (%(named)s) enn elever (%(count)s).") % {
                "named": len(row.named_pupils),
                "count": row.pupils,
            }
        if row.teachers is None or row.teachers < 0:
            row_errors["teachers"] = _("Antall lærere må være et helt tall, 0 eller mer.")
        if row.named_pupils:
            attends = set(
                Pupil.schools.through.objects.filter(pupil__in=row.named_pupils, school=row.school).values_list(
                    "pupil_id", flat=True
                )
            )
            strangers = [str(p) for p in row.named_pupils if p.pk not in attends]
            if strangers:
                row_errors["named_pupils"] = _("Går ikke på %(school)s: %(pupils)s.") % {
                    "school": row.school,
                    "pupils": ", ".join(strangers),
                }
        if row_errors:
            errors[index] = row_errors
    return errors


@transaction.atomic
def activity_create(
    *,
    user,
    title: str,
    kind: str,
    level: str,
    region: Region,
    starts_at: datetime,
    ends_at: datetime,
    cooperation_areas: Iterable[CooperationArea],
    venue: Venue | None = None,
    host_school: School | None = None,
    instrument: str = "",
    nmh_teachers: str = "",
    status: str = Activity.Status.PLANNED,
    notes: str = "",
    participations: Iterable[ParticipationData] = (),
    costs: Iterable[CostData] = (),
) -> Activity:
    """Create an activity with its areas, participations and costs, all or nothing."""
    areas = list(cooperation_areas)
    if not areas:
        raise ValidationError({"cooperation_areas": _("Velg minst ett samarbeidsområde.")})
    actor = user if getattr(user, "is_authenticated", False) else None
    activity = _save(
        Activity(created_by=actor, updated_by=actor),
        title=title,
        kind=kind,
        level=level,
        region=region,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        host_school=host_school,
        instrument=instrument,
        nmh_teachers=nmh_teachers,
        status=status,
        notes=notes,
    )
    activity.cooperation_areas.set(areas)
    participations = list(participations)
    errors = participation_errors(starts_at=starts_at, participations=participations)
    if errors:
        first = errors[min(errors)]
        raise ValidationError(first)
    for row in participations:
        participation = _save(
            Participation(activity=activity), school=row.school, pupils=row.pupils, teachers=row.teachers
        )
        participation.named_pupils.set(row.named_pupils)
    for cost in costs:
        _save(ActivityCost(activity=activity), category=cost.category, amount=cost.amount, description=cost.description)
    return activity
