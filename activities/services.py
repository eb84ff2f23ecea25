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

from core.audit import AuditAction
from core.concurrency import version_check
from core.periods import school_year_of
from core.services import validated_save
from governance.models import CooperationArea
from governance.services import actor_of, audit_record
from schools.models import Enrolment, Membership, Pupil, Region, School

from .models import Activity, ActivityCost, Participation, Venue


@dataclass
class ParticipationData:
    school: School
    pupils: int = 0
    teachers: int = 0
    named_pupils: Sequence[Pupil] = field(default_factory=list)


class ParticipationRowsInvalid(ValidationError):
    """Raised by the services when participation rows break a rule. `rows` maps the row's
    position to its errors by field, so a form can show each error at its field; the message
    dict is the first row's errors."""

    def __init__(self, rows: dict[int, dict]):
        self.rows = rows
        super().__init__(rows[min(rows)])


@dataclass
class CostData:
    category: str
    amount: Decimal
    description: str = ""


@transaction.atomic
def venue_upsert(*, name: str, municipality, latitude: Decimal, longitude: Decimal, address: str = "") -> Venue:
    venue = Venue.objects.filter(name=name).first() or Venue()
    return validated_save(
        venue, name=name, municipality=municipality, latitude=latitude, longitude=longitude, address=address
    )


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
    comment: str = "",
) -> Activity:
    """Create an activity with its areas, participations and costs, all or nothing."""
    actor = actor_of(user)
    activity = _write_activity(
        Activity(created_by=actor),
        user=user,
        cooperation_areas=cooperation_areas,
        participations=participations,
        costs=costs,
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
    audit_record(
        actor=user,
        action=AuditAction.ACTIVITY_CREATE,
        obj=activity,
        changes={name: [None, value] for name, value in activity_snapshot(activity=activity).items() if value},
        comment=comment,
    )
    return activity


def _write_activity(
    activity: Activity,
    *,
    user,
    cooperation_areas: Iterable[CooperationArea],
    participations: Iterable[ParticipationData],
    costs: Iterable[CostData],
    **fields,
) -> Activity:
    """Save an activity's fields, areas, participations and costs (create and update alike)."""
    areas = list(cooperation_areas)
    if not areas:
        raise ValidationError({"cooperation_areas": _("Velg minst ett samarbeidsområde.")})
    validated_save(activity, updated_by=actor_of(user), **fields)
    activity.cooperation_areas.set(areas)
    _replace_participations(activity=activity, participations=participations)
    _replace_costs(activity=activity, costs=costs)
    return activity


def _count_version_up(activity: Activity) -> None:
    """A change was saved: the version goes up by one (the caller holds the row lock). A save
    that changed nothing keeps the version, so nobody else's open form turns stale for it."""
    activity.version += 1
    activity.save(update_fields=["version"])


def _replace_participations(*, activity: Activity, participations: Iterable[ParticipationData]) -> None:
    rows = list(participations)
    errors = participation_errors(starts_at=activity.starts_at, participations=rows)
    if errors:
        raise ParticipationRowsInvalid(errors)
    activity.participations.all().delete()
    for row in rows:
        participation = validated_save(
            Participation(activity=activity), school=row.school, pupils=row.pupils, teachers=row.teachers
        )
        participation.named_pupils.set(row.named_pupils)


def _replace_costs(*, activity: Activity, costs: Iterable[CostData]) -> None:
    activity.costs.all().delete()
    for cost in costs:
        validated_save(
            ActivityCost(activity=activity), category=cost.category, amount=cost.amount, description=cost.description
        )


# Fields recorded in the history, in the order the history shows them.
SNAPSHOT_FIELDS = (
    "title",
    "kind",
    "level",
    "region",
    "venue",
    "host_school",
    "starts_at",
    "ends_at",
    "instrument",
    "nmh_teachers",
    "status",
    "notes",
)


def activity_snapshot(*, activity: Activity) -> dict[str, str]:
    """The activity as readable text per field (for the audit log's old → new): choices by
    their label, times in Oslo time, areas, participations and costs as one line each."""
    values: dict[str, str] = {}
    for name in SNAPSHOT_FIELDS:
        field_value = getattr(activity, name)
        display = getattr(activity, f"get_{name}_display", None)
        if display is not None:
            values[name] = str(display())
        elif isinstance(field_value, datetime):
            values[name] = timezone.localtime(field_value).strftime("%d.%m.%Y %H:%M")
        else:
            values[name] = "" if field_value is None else str(field_value)
    values["cooperation_areas"] = ", ".join(
        str(number) for number in sorted(activity.cooperation_areas.values_list("number", flat=True))
    )
    values["participations"] = "; ".join(
        _("%(school)s: %(pupils)s elever, %(teachers)s lærere%(named)s")
        % {
            "school": p.school.name,
            "pupils": p.pupils,
            "teachers": p.teachers,
            "named": f" ({', '.join(str(pupil) for pupil in p.named_pupils.all())})" if p.named_pupils.all() else "",
        }
        for p in activity.participations.select_related("school")
        .prefetch_related("named_pupils")
        .order_by("school__name")
    )
    values["costs"] = "; ".join(
        f"{cost.get_category_display()}{f' ({cost.description})' if cost.description else ''}: {cost.amount} kr"
        for cost in activity.costs.order_by("category", "id")
    )
    return values


@transaction.atomic
def activity_update(
    *,
    user,
    activity: Activity,
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
    expected_version: int | None = None,
) -> Activity:
    """Change an activity and replace its participations and costs, all or nothing. The
    audit log records each changed field as old → new.

    `expected_version` is the version the edit form was loaded from: when someone else has
    saved the activity since, nothing is saved and `core.concurrency.EditConflict` is raised
    (a ValidationError), so no one's change is overwritten without them seeing it."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    version_check(
        locked=activity,
        expected=expected_version,
        message=_("Noen andre har endret aktiviteten siden du åpnet den."),
    )
    before = activity_snapshot(activity=activity)
    _write_activity(
        activity,
        user=user,
        cooperation_areas=cooperation_areas,
        participations=participations,
        costs=costs,
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
    if _audit_changes(user=user, activity=activity, before=before, action=AuditAction.ACTIVITY_UPDATE):
        _count_version_up(activity)
    return activity


def _audit_changes(*, user, activity: Activity, before: dict[str, str], action: str, comment: str = "") -> bool:
    """Record what changed since `before` (activity_snapshot); whether anything was recorded."""
    after = activity_snapshot(activity=activity)
    changes = {name: [before.get(name, ""), value] for name, value in after.items() if before.get(name, "") != value}
    if changes or comment:
        audit_record(actor=user, action=action, obj=activity, changes=changes, comment=comment)
        return True
    return False


@transaction.atomic
def activity_cancel(*, user, activity: Activity, reason: str = "") -> tuple[Activity, bool]:
    """Mark an activity as cancelled (its participations stay, for the record). Returns the
    activity and whether this call cancelled it (False: it was cancelled already, say by the
    first of two clicks)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status == Activity.Status.CANCELLED:
        return activity, False
    before = activity_snapshot(activity=activity)
    validated_save(activity, status=Activity.Status.CANCELLED, updated_by=actor_of(user))
    _audit_changes(user=user, activity=activity, before=before, action=AuditAction.ACTIVITY_CANCEL, comment=reason)
    _count_version_up(activity)
    return activity, True


@transaction.atomic
def participation_import(
    *, user, activity: Activity, participations: Sequence[ParticipationData], expected_version: int | None = None
) -> Activity:
    """Set the participation of the schools in an imported file (a school's earlier row is
    replaced; schools not in the file keep theirs). All rows or none. `expected_version` is
    the activity's version when the file was previewed: a newer save raises EditConflict."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    version_check(
        locked=activity,
        expected=expected_version,
        message=_("Aktiviteten er endret etter at filen ble forhåndsvist."),
    )
    before = activity_snapshot(activity=activity)
    imported = {row.school.pk for row in participations}
    kept = [
        ParticipationData(
            school=p.school, pupils=p.pupils, teachers=p.teachers, named_pupils=list(p.named_pupils.all())
        )
        for p in activity.participations.select_related("school").prefetch_related("named_pupils")
        if p.school_id not in imported
    ]
    errors = participation_errors(starts_at=activity.starts_at, participations=participations)
    if errors:
        raise ParticipationRowsInvalid(errors)
    _replace_participations(activity=activity, participations=[*kept, *participations])
    validated_save(activity, updated_by=actor_of(user))
    _audit_changes(
        user=user,
        activity=activity,
        before=before,
        action=AuditAction.PARTICIPATION_IMPORT,
        comment=_("Deltakelse importert fra fil (%(rows)s skoler).") % {"rows": len(participations)},
    )
    _count_version_up(activity)
    return activity
