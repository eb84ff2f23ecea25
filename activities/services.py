"""Writes of the activities app. Every user action is one transaction: a failed save leaves
the database as it was.

`activity_save` is the one way an activity is written, by the form (create, edit, copy), the
participation import and the demo loader alike: it validates everything once (the activity's
fields, the participation rules, the cost lines), asks before saving what needs a person's
"Lagre likevel" (ConfirmationNeeded), writes the activity with its areas, participation and
costs, records the change in the audit log, and marks the school years it changed for the
incremental rollup, which is enqueued after the transaction commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import AuditAction
from core.concurrency import version_check
from core.formatting import datetime_text, money_text, number_text
from core.periods import school_year_of
from core.services import validated_save
from governance.models import CooperationArea
from governance.selectors import portal_settings_get
from governance.services import actor_of, audit_record
from schools.models import Enrolment, Membership, Pupil, Region, School

from . import clashes as clashes_module
from . import selectors
from .models import Activity, ActivityCost, Participation, Venue
from .rollups import rollup_mark_activity_dirty, rollup_mark_dirty
from .signals import activities_changed
from .tasks import rollup_enrolment_after_commit

NamedLink = Participation.named_pupils.through


@dataclass(frozen=True)
class ActivityData:
    """An activity's own fields, as the form, the copy, the import or a loader gives them to
    `activity_save` (participation rows and cost lines travel beside them)."""

    title: str
    kind: str
    level: str
    region: Region
    starts_at: datetime
    ends_at: datetime
    cooperation_areas: Sequence[CooperationArea]
    venue: Venue | None = None
    host_school: School | None = None
    instrument: str = ""
    nmh_teachers: str = ""
    status: str = Activity.Status.PLANNED
    notes: str = ""

    @classmethod
    def of(cls, activity: Activity) -> ActivityData:
        """What a saved activity says now (one query, for its areas)."""
        return cls(
            **{name: getattr(activity, name) for name in cls.names() if name != "cooperation_areas"},
            cooperation_areas=list(activity.cooperation_areas.all()),
        )

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.names()}


@dataclass
class ParticipationData:
    school: School
    pupils: int = 0
    teachers: int = 0
    named_pupils: Sequence[Pupil] = field(default_factory=list)

    @classmethod
    def of(cls, participation: Participation) -> ParticipationData:
        return cls(
            school=participation.school,
            pupils=participation.pupils,
            teachers=participation.teachers,
            named_pupils=list(participation.named_pupils.all()),
        )


@dataclass
class CostData:
    category: str
    amount: Decimal
    description: str = ""


class ParticipationRowsInvalid(ValidationError):
    """Raised by the services when participation rows break a rule. `rows` maps the row's
    position to its errors by field, so a form can show each error at its field; the message
    dict is the first row's errors."""

    def __init__(self, rows: dict[int, dict]):
        self.rows = rows
        super().__init__(rows[min(rows)])


@dataclass(frozen=True)
class LargeAmount:
    """A new or changed cost line whose amount is above the portal's warning limit
    (governance.PortalSetting.large_amount_warning): a typing error ("250000" for "25000")
    more often than not."""

    line: str  # the line as the person wrote it: its description, or its category
    amount: Decimal
    limit: Decimal

    @property
    def message(self) -> str:
        return _("Beløpet %(amount)s på linjen «%(line)s» er over varselgrensen (%(limit)s). Stemmer det?") % {
            "amount": money_text(self.amount),
            "line": self.line,
            "limit": money_text(self.limit),
        }

    def __str__(self) -> str:
        return self.message


class ConfirmationNeeded(ValidationError):
    """Nothing was saved: the save needs a person's "Lagre likevel" first. Raised when a
    warning was found that the caller has not confirmed; it lists every warning found,
    confirmed or not, so that a form shows them together:

    - `pupil_load`: named pupils who already take part in the threshold's number of activities
      or more that term (selectors.PupilLoad),
    - `duplicates`: activities already registered with the same title, region and start (the
      browser's Back and "Lagre" again, or a colleague who registered it already),
    - `large_amounts`: new or changed cost lines above the portal's warning limit for large
      amounts (LargeAmount),
    - `clashes`, `overloads`, `travel`: the planning warnings of activities/clashes.py (another
      activity of the same schools too close, too many activities for a school in the month,
      a school too far from the venue)."""

    def __init__(
        self,
        *,
        pupil_load: Sequence[selectors.PupilLoad],
        duplicates: Sequence[Activity],
        large_amounts: Sequence[LargeAmount] = (),
        clashes: Sequence[clashes_module.Clash] = (),
        overloads: Sequence[clashes_module.Overload] = (),
        travel: Sequence[clashes_module.Travel] = (),
    ):
        self.pupil_load = list(pupil_load)
        self.duplicates = list(duplicates)
        self.large_amounts = list(large_amounts)
        self.clashes = list(clashes)
        self.overloads = list(overloads)
        self.travel = list(travel)
        messages = []
        if self.pupil_load:
            messages.append(
                _("Elevbelastning: %(pupils)s.")
                % {
                    "pupils": "; ".join(
                        _("%(pupil)s: %(count)s aktiviteter %(term)s")
                        % {"pupil": load.pupil, "count": load.count, "term": load.term}
                        for load in self.pupil_load
                    )
                }
            )
        if self.duplicates:
            messages.append(
                _("Aktiviteten ser ut til å være ført allerede: %(activities)s.")
                % {"activities": ", ".join(str(other) for other in self.duplicates)}
            )
        messages.extend(large.message for large in self.large_amounts)
        if self.clashes:
            messages.append(
                _("Kollisjon med: %(activities)s.") % {"activities": ", ".join(str(c.activity) for c in self.clashes)}
            )
        messages.extend(
            _("%(school)s får %(count)s aktiviteter i %(month)s (grensen er %(limit)s).")
            % {"school": o.school, "count": o.count, "month": o.month_label, "limit": o.limit}
            for o in self.overloads
        )
        messages.extend(
            _("%(school)s: %(km)s km til %(venue)s (grensen er %(limit)s km).")
            % {"school": t.school, "km": number_text(t.distance_km, 1), "venue": t.venue, "limit": t.limit}
            for t in self.travel
        )
        super().__init__(messages)

    @property
    def warnings(self) -> frozenset[str]:
        """The names of the warnings found: "pupil_load", "duplicate", "large_amount", "clash",
        "overload", "travel"."""
        found = (
            ("pupil_load", self.pupil_load),
            ("duplicate", self.duplicates),
            ("large_amount", self.large_amounts),
            ("clash", self.clashes),
            ("overload", self.overloads),
            ("travel", self.travel),
        )
        return frozenset(name for name, items in found if items)


@transaction.atomic
def venue_upsert(*, name: str, municipality, latitude: Decimal, longitude: Decimal, address: str = "") -> Venue:
    venue = Venue.objects.filter(name=name).first() or Venue()
    return validated_save(
        venue, name=name, municipality=municipality, latitude=latitude, longitude=longitude, address=address
    )


def participation_errors(*, starts_at: datetime, participations: Iterable[ParticipationData]) -> dict[int, dict]:
    """Problems with each participation row (by position), keyed by field: a school that is
    not a member or pilot on the activity's date, more pupils than the school's enrolment
    that school year, fewer pupils than named, named pupils from another school, the same
    school twice, or a count the database cannot hold. Three queries, however many rows."""
    rows = list(participations)
    if not rows:
        return {}
    day = timezone.localtime(starts_at).date()
    schools = {row.school.pk for row in rows}
    taking_part = set(
        Membership.objects.valid_on(day)
        .filter(school__in=schools, status__in=Membership.PARTICIPATING)
        .values_list("school_id", flat=True)
    )
    enrolment = dict(
        Enrolment.objects.filter(school__in=schools, school_year=school_year_of(day)).values_list("school_id", "pupils")
    )
    named = {pupil.pk for row in rows for pupil in row.named_pupils}
    attends = (
        set(
            Pupil.schools.through.objects.filter(pupil__in=named, school__in=schools).values_list(
                "pupil_id", "school_id"
            )
        )
        if named
        else set()
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
        strangers = [str(pupil) for pupil in row.named_pupils if (pupil.pk, row.school.pk) not in attends]
        if strangers:
            row_errors["named_pupils"] = _("Går ikke på %(school)s: %(pupils)s.") % {
                "school": row.school,
                "pupils": ", ".join(strangers),
            }
        # The model's own field checks (the largest number the column holds), without a query.
        try:
            Participation(school=row.school, pupils=row.pupils, teachers=row.teachers).clean_fields(
                exclude={"activity", "school"}
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row_errors.setdefault(name, messages[0])
        if row_errors:
            errors[index] = row_errors
    return errors


@transaction.atomic
def activity_save(
    *,
    user,
    activity: Activity | None = None,
    data: ActivityData,
    participations: Iterable[ParticipationData],
    costs: Iterable[CostData],
    expected_version: int | None = None,
    confirm_pupil_load: bool = False,
    confirm_duplicate: bool = False,
    confirm_large_amount: bool = False,
    confirm_clash: bool = False,
    confirm_overload: bool = False,
    confirm_travel: bool = False,
    comment: str = "",
) -> Activity:
    """Create an activity (`activity` None) or change one, with its cooperation areas, its
    participation rows and its cost lines (both replace what the activity had), all or
    nothing. The audit log records the new activity, or each changed field as old → new.

    Raises ValidationError (ParticipationRowsInvalid for the rows, by position) when a rule is
    broken, and ConfirmationNeeded when a named pupil's load is at the threshold, an activity
    with the same title, region and start exists, or a new or changed cost line's amount is
    above the portal's limit for large amounts (a line the activity already had, saved again
    unchanged, does not ask), or a planning warning is found (activities/clashes.py: a clash, an
    overloaded month, a long journey), unless `confirm_pupil_load` / `confirm_duplicate` /
    `confirm_large_amount` / `confirm_clash` / `confirm_overload` / `confirm_travel` say the
    person has seen it. `expected_version` is the version an edit
    form was loaded from: when someone else has saved the activity since, nothing is saved and
    `core.concurrency.EditConflict` is raised. A change marks its school years for the
    incremental rollup, which runs once the transaction has committed."""
    if activity is None:
        target, action = Activity(created_by=actor_of(user)), AuditAction.ACTIVITY_CREATE
    else:
        target = _locked(
            activity, expected=expected_version, message=_("Noen andre har endret aktiviteten siden du åpnet den.")
        )
        action = AuditAction.ACTIVITY_UPDATE
    return _save(
        target,
        user=user,
        data=data,
        participations=list(participations),
        costs=list(costs),
        confirm_pupil_load=confirm_pupil_load,
        confirm_duplicate=confirm_duplicate,
        confirm_large_amount=confirm_large_amount,
        confirm_clash=confirm_clash,
        confirm_overload=confirm_overload,
        confirm_travel=confirm_travel,
        action=action,
        comment=comment,
    )


@dataclass
class ImportedSchool:
    """What an imported file says about one school: its counts where a per-school row gives
    them (None: the file leaves that figure as it is) and the pupils its per-pupil rows name."""

    school: School
    pupils: int | None = None
    teachers: int | None = None
    named_pupils: Sequence[Pupil] = field(default_factory=list)

    @classmethod
    def of(cls, row: ImportedSchool | ParticipationData) -> ImportedSchool:
        """A full participation row sets every figure of its school."""
        if isinstance(row, ImportedSchool):
            return row
        return cls(school=row.school, pupils=row.pupils, teachers=row.teachers, named_pupils=list(row.named_pupils))


@dataclass
class SchoolChange:
    """One school of an import: its participation before (None: it had none) and after."""

    school: School
    before: ParticipationData | None
    after: ParticipationData

    @property
    def named_before(self) -> list[Pupil]:
        return list(self.before.named_pupils) if self.before else []

    @property
    def added(self) -> list[Pupil]:
        before = {pupil.pk for pupil in self.named_before}
        return [pupil for pupil in self.after.named_pupils if pupil.pk not in before]

    @property
    def removed(self) -> list[Pupil]:
        after = {pupil.pk for pupil in self.after.named_pupils}
        return [pupil for pupil in self.named_before if pupil.pk not in after]

    @property
    def changed(self) -> bool:
        return self.before is None or _totals(self.before) != _totals(self.after) or bool(self.added or self.removed)


def participation_import_changes(
    *,
    current: Sequence[ParticipationData],
    imported: Sequence[ImportedSchool],
    replace: bool = False,
    names_kept_at: frozenset[int] = frozenset(),
) -> tuple[list[SchoolChange], list[ParticipationData]]:
    """What an import makes of an activity's participation: the change of each school in the
    file, and every participation row after it. The one rule, for the preview and the commit:

    - a school not in the file keeps its row as it is;
    - a figure the file gives (a per-school row's `elever`, `lærere`) is set, one it leaves
      empty is kept;
    - pupils the per-pupil rows name are added to the school's named pupils (once each), and
      the pupil count is raised to at least the number named when the file gives none (never
      lowered);
    - `replace` ("Erstatt navngitte elever"): the named pupils of each school in the file are
      exactly those the file names (none, for a school it gives only counts) — except at the
      schools of `names_kept_at` (ids: whose pupils' names the importer may not see), which
      keep theirs, as the activity's form keeps them.

    No queries: `current` comes with its named pupils."""
    by_school = {row.school.pk: row for row in current}
    changes = []
    for row in imported:
        before = by_school.get(row.school.pk)
        keeps = not replace or row.school.pk in names_kept_at
        kept = list(before.named_pupils) if before is not None and keeps else []
        named = list({pupil.pk: pupil for pupil in [*kept, *row.named_pupils]}.values())
        pupils = row.pupils if row.pupils is not None else max(before.pupils if before else 0, len(named))
        teachers = row.teachers if row.teachers is not None else (before.teachers if before else 0)
        after = ParticipationData(school=row.school, pupils=pupils, teachers=teachers, named_pupils=named)
        changes.append(SchoolChange(school=row.school, before=before, after=after))
    after_of = {change.school.pk: change.after for change in changes}
    rows = [after_of.pop(row.school.pk, row) for row in current]
    rows.extend(change.after for change in changes if change.school.pk in after_of)
    return changes, rows


def participation_import_summary(*, changes: Sequence[SchoolChange]) -> str:
    """Each school's totals before → after, for the history ("Skole A: 4 elever, 1 lærer, 0
    navngitte → 6 elever, 1 lærer, 2 navngitte")."""
    return "; ".join(
        f"{change.school.name}: {_totals_text(change.before)} → {_totals_text(change.after)}" for change in changes
    )


def _totals(row: ParticipationData) -> tuple[int, int, int]:
    return row.pupils, row.teachers, len(row.named_pupils)


def _totals_text(row: ParticipationData | None) -> str:
    if row is None:
        return _("ingen deltakelse")
    return _("%(pupils)s, %(teachers)s, %(named)s navngitte") % {
        "pupils": ngettext("%(count)s elev", "%(count)s elever", row.pupils) % {"count": number_text(row.pupils)},
        "teachers": ngettext("%(count)s lærer", "%(count)s lærere", row.teachers)
        % {"count": number_text(row.teachers)},
        "named": number_text(len(row.named_pupils)),
    }


def participation_import_names_refused(*, user, participations: Sequence[ImportedSchool]) -> list[School]:
    """The schools at which an import names pupils whose names the user may not see
    (`selectors.pupil_names_visible`, the one rule): an import names no pupil there, known or
    not. Their counts (per-school rows) import as any other school's."""
    return [
        row.school
        for row in participations
        if row.named_pupils and not selectors.pupil_names_visible(user=user, school=row.school)
    ]


def participation_import_names_kept(*, user, participations: Sequence[ImportedSchool]) -> frozenset[int]:
    """The ids of the file's schools whose pupils' names the user may not see: "Erstatt
    navngitte elever" keeps the pupils named there (the user cannot see whom they remove)."""
    return frozenset(
        row.school.pk for row in participations if not selectors.pupil_names_visible(user=user, school=row.school)
    )


def participation_import_names_refused_message(*, school: School) -> str:
    """The one wording of a refused name, for a known and an unknown pupil alike (the import
    does not look for the pupil at all), so that it confirms nobody's existence."""
    return _(
        "Du kan ikke navngi elever ved %(school)s. Be skolens rektor eller regionens koordinator om å føre dem."
    ) % {"school": school}


@transaction.atomic
def participation_import(
    *,
    user,
    activity: Activity,
    participations: Sequence[ImportedSchool | ParticipationData],
    replace: bool = False,
    expected_version: int | None = None,
    file_name: str = "",
    rows: int | None = None,
) -> Activity:
    """Merge the participation of the schools in an imported file into the activity, as
    `participation_import_changes` says (the preview shows the same function's result), through
    the same save as the form. All rows or none. `expected_version` is the activity's version
    when the file was previewed: a newer save raises EditConflict. The history records the
    file's name, its number of rows and each school's totals before → after. The preview
    showed every row's problem; there is no "Lagre likevel" step, so neither the pupil-load
    warning nor the planning warnings (clash, overload, travel) stop an import. Pupils named
    at a school whose pupils' names the user may not see are refused with ValidationError
    (`participation_import_names_refused`), also in a payload the preview would not have
    signed."""
    imported = [ImportedSchool.of(row) for row in participations]
    refused = participation_import_names_refused(user=user, participations=imported)
    if refused:
        raise ValidationError(
            [participation_import_names_refused_message(school=school) for school in refused],
            code="pupil_names_refused",
        )
    locked = _locked(
        activity, expected=expected_version, message=_("Aktiviteten er endret etter at filen ble forhåndsvist.")
    )
    current = [
        ParticipationData.of(participation)
        for participation in locked.participations.select_related("school").prefetch_related("named_pupils")
    ]
    changes, after = participation_import_changes(
        current=current,
        imported=imported,
        replace=replace,
        names_kept_at=participation_import_names_kept(user=user, participations=imported),
    )
    values = {
        "file": file_name or _("ukjent fil"),
        "rows": ngettext("%(count)s rad", "%(count)s rader", rows if rows is not None else len(imported))
        % {"count": number_text(rows if rows is not None else len(imported))},
        "schools": ngettext("%(count)s skole", "%(count)s skoler", len(imported))
        % {"count": number_text(len(imported))},
        "summary": participation_import_summary(changes=changes),
    }
    if replace:
        comment = _(
            "Deltakelse importert fra «%(file)s» (%(rows)s, %(schools)s; navngitte elever erstattet): %(summary)s."
        )
    else:
        comment = _("Deltakelse importert fra «%(file)s» (%(rows)s, %(schools)s): %(summary)s.")
    return _save(
        locked,
        user=user,
        data=ActivityData.of(locked),
        participations=after,
        costs=None,
        confirm_pupil_load=True,
        confirm_duplicate=True,
        confirm_large_amount=True,
        confirm_clash=True,
        confirm_overload=True,
        confirm_travel=True,
        action=AuditAction.PARTICIPATION_IMPORT,
        comment=comment % values,
    )


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
    rollup_mark_activity_dirty(activity_ids=[activity.pk])
    _rollups_follow(activity=activity)
    return activity, True


# --- The one save -------------------------------------------------------------------------------


def _locked(activity: Activity, *, expected: int | None, message: str) -> Activity:
    """The activity's row, locked until the transaction ends, at the version the caller saw."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    version_check(locked=locked, expected=expected, message=message)
    return locked


def _save(
    activity: Activity,
    *,
    user,
    data: ActivityData,
    participations: list[ParticipationData],
    costs: list[CostData] | None,
    confirm_pupil_load: bool,
    confirm_duplicate: bool,
    confirm_large_amount: bool,
    action: str,
    comment: str,
    confirm_clash: bool | frozenset[int] = False,
    confirm_overload: bool = False,
    confirm_travel: bool = False,
) -> Activity:
    """Validate, ask, write, record, mark. `costs` None keeps the activity's cost lines.
    `confirm_clash` may be the ids of the clashing activities the person was shown."""
    creating = activity.pk is None
    before: dict[str, str] = {}
    touched: set[tuple[int, int]] = set()
    if not creating:
        before = activity_snapshot(activity=activity)
        touched = _school_years(activity.starts_at, activity.participations.values_list("school_id", flat=True))

    # 1. Every rule, once, before anything is written.
    for name, value in data.as_dict().items():
        if name != "cooperation_areas":
            setattr(activity, name, value)
    activity.updated_by = actor_of(user)
    areas = list(data.cooperation_areas)
    cost_lines = None if costs is None else [ActivityCost(activity=activity, **vars(cost)) for cost in costs]
    _validate(activity=activity, areas=areas, participations=participations, cost_lines=cost_lines)

    # 2. What a person must have seen before it is saved.
    confirmed = {
        "pupil_load": confirm_pupil_load,
        "duplicate": confirm_duplicate,
        "large_amount": confirm_large_amount,
        "clash": confirm_clash,
        "overload": confirm_overload,
        "travel": confirm_travel,
    }
    if not all(value is True for value in confirmed.values()):
        _ask_first(
            user=user, activity=activity, participations=participations, cost_lines=cost_lines, confirmed=confirmed
        )

    # 3. The writes: set-based, the rows were validated above.
    activity.save()
    activity.cooperation_areas.set(areas)
    if not creating:
        activity.participations.all().delete()
    made = Participation.objects.bulk_create(
        Participation(activity=activity, school=row.school, pupils=row.pupils, teachers=row.teachers)
        for row in participations
    )
    NamedLink.objects.bulk_create(
        NamedLink(participation_id=participation.pk, pupil_id=pupil_id)
        for participation, row in zip(made, participations, strict=True)
        for pupil_id in dict.fromkeys(pupil.pk for pupil in row.named_pupils)
    )
    if cost_lines is not None:
        if not creating:
            activity.costs.all().delete()
        ActivityCost.objects.bulk_create(cost_lines)

    # 4. The record, the version and the rollups.
    if creating:
        audit_record(
            actor=user,
            action=action,
            obj=activity,
            changes={name: [None, value] for name, value in activity_snapshot(activity=activity).items() if value},
            comment=comment,
        )
    elif _audit_changes(user=user, activity=activity, before=before, action=action, comment=comment):
        _count_version_up(activity)
    else:
        return activity  # nothing changed: no figure to recompute
    touched |= _school_years(activity.starts_at, (row.school.pk for row in participations))
    rollup_mark_dirty(pairs=touched)
    _rollups_follow(activity=activity)
    return activity


def _validate(
    *,
    activity: Activity,
    areas: list[CooperationArea],
    participations: list[ParticipationData],
    cost_lines: list[ActivityCost] | None,
) -> None:
    """The activity's fields (the model's full_clean), then its participation rows, then its
    cost lines: the first that breaks a rule raises ValidationError."""
    errors: dict[str, list] = {}
    if not areas:
        errors["cooperation_areas"] = [_("Velg minst ett samarbeidsområde.")]
    try:
        activity.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    row_errors = participation_errors(starts_at=activity.starts_at, participations=participations)
    if row_errors:
        raise ParticipationRowsInvalid(row_errors)
    for line in cost_lines or []:
        # The activity is not saved yet (nor needed: the line belongs to it); the check that
        # an amount is not negative is the field's validator.
        line.clean_fields(exclude={"activity"})


def _ask_first(
    *,
    user,
    activity: Activity,
    participations: list[ParticipationData],
    cost_lines: list[ActivityCost] | None,
    confirmed: dict[str, bool],
) -> None:
    """Raise ConfirmationNeeded when a warning is found that is not confirmed (`confirmed`:
    by ConfirmationNeeded.warnings' names). Called before anything is written: an activity
    being changed still has its old cost lines and participation."""
    pupil_load = selectors.pupil_load_warnings(
        pupils=[pupil for row in participations for pupil in row.named_pupils],
        starts_at=activity.starts_at,
        exclude_activity_id=activity.pk,
    )
    duplicates = []
    if getattr(user, "is_authenticated", False):  # a system job has no Back button to press twice
        duplicates = list(
            selectors.activity_list_alike(
                user=user,
                title=activity.title,
                region=activity.region,
                starts_at=activity.starts_at,
                exclude_activity_id=activity.pk,
            )
        )
    large_amounts = _large_amounts(activity=activity, cost_lines=cost_lines)
    planning = clashes_module.planning_warnings(activity=activity, schools=[row.school for row in participations])
    warning = ConfirmationNeeded(
        pupil_load=pupil_load,
        duplicates=duplicates,
        large_amounts=large_amounts,
        clashes=planning.clashes,
        overloads=planning.overloads,
        travel=planning.travel,
    )
    if any(not _is_confirmed(confirmed[name], name=name, warning=warning) for name in warning.warnings):
        raise warning


def _is_confirmed(value, *, name: str, warning: ConfirmationNeeded) -> bool:
    """Whether a «Lagre likevel» covers what is found now: True covers anything (the import,
    the demo loader); for a clash the form sends the ids of the activities it showed, and a
    clash with any other activity (the date or schools changed since) is asked again."""
    if value is True:
        return True
    if name == "clash" and isinstance(value, frozenset):
        return bool(value) and {clash.activity.pk for clash in warning.clashes} <= value
    return bool(value) and not isinstance(value, frozenset)


def _large_amounts(*, activity: Activity, cost_lines: list[ActivityCost] | None) -> list[LargeAmount]:
    """The new or changed cost lines above the portal's limit for large amounts, in the
    order given. A line the activity already has (the same category, description and
    amount, as many times as it has it) is not new: saving an activity again does not ask
    about an amount someone confirmed before. `cost_lines` None keeps the lines: nothing to
    ask. No query for an activity without cost lines."""
    if not cost_lines:
        return []
    kept = Counter()
    if activity.pk is not None:
        kept = Counter(
            ActivityCost.objects.filter(activity_id=activity.pk).values_list("category", "description", "amount")
        )
    new = []
    for line in cost_lines:
        key = (line.category, line.description, line.amount)
        if kept[key] > 0:
            kept[key] -= 1
        else:
            new.append(line)
    if not new:
        return []
    limit = portal_settings_get().large_amount_warning
    return [
        LargeAmount(line=line.description or str(line.get_category_display()), amount=line.amount, limit=limit)
        for line in new
        if line.amount > limit
    ]


def _school_years(starts_at: datetime, school_ids: Iterable[int]) -> set[tuple[int, int]]:
    year = school_year_of(timezone.localtime(starts_at).date())
    return {(school_id, year) for school_id in school_ids}


def _rollups_follow(*, activity: Activity) -> None:
    """After the change commits: the incremental enrolment rollup of the school years marked,
    and whatever follows `activities_changed` (funding's money per school). Once per
    transaction however many activities it changed."""
    rollup_enrolment_after_commit()
    activities_changed.send(sender=Activity, activity_ids=[activity.pk])


def _count_version_up(activity: Activity) -> None:
    """A change was saved: the version goes up by one (the caller holds the row lock). A save
    that changed nothing keeps the version, so nobody else's open form turns stale for it."""
    activity.version += 1
    activity.save(update_fields=["version"])


# --- The history --------------------------------------------------------------------------------

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
            values[name] = datetime_text(field_value)
        else:
            values[name] = "" if field_value is None else str(field_value)
    values["cooperation_areas"] = ", ".join(
        str(number) for number in sorted(activity.cooperation_areas.values_list("number", flat=True))
    )
    values["participations"] = "; ".join(
        _("%(school)s: %(pupils)s, %(teachers)s%(named)s")
        % {
            "school": p.school.name,
            "pupils": ngettext("%(count)s elev", "%(count)s elever", p.pupils) % {"count": number_text(p.pupils)},
            "teachers": ngettext("%(count)s lærer", "%(count)s lærere", p.teachers)
            % {"count": number_text(p.teachers)},
            "named": f" ({', '.join(str(pupil) for pupil in p.named_pupils.all())})" if p.named_pupils.all() else "",
        }
        for p in activity.participations.select_related("school")
        .prefetch_related("named_pupils")
        .order_by("school__name")
    )
    values["costs"] = "; ".join(
        "{}{}: {}".format(
            cost.get_category_display(), f" ({cost.description})" if cost.description else "", money_text(cost.amount)
        )
        for cost in activity.costs.order_by("category", "id")
    )
    return values


def _audit_changes(*, user, activity: Activity, before: dict[str, str], action: str, comment: str = "") -> bool:
    """Record what changed since `before` (activity_snapshot); whether anything was recorded."""
    after = activity_snapshot(activity=activity)
    changes = {name: [before.get(name, ""), value] for name, value in after.items() if before.get(name, "") != value}
    if changes or comment:
        audit_record(actor=user, action=action, obj=activity, changes=changes, comment=comment)
        return True
    return False
