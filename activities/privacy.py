"""A pupil's privacy (issue 13: pupils are minors): erasure on request, the retention period,
and the access report.

Erasing a pupil pseudonymises them: the record stays (its id, its schools, its birth year and
every participation), so every figure the portal shows is the same before and after, but the
name and the main instrument are replaced, and every trace of the name is removed from every
text column of the database (the audit log's values, comments and object names, the admin's
history, notes). Activities sit above schools and governance, so this module may read them
all."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.audit import AuditAction
from core.periods import school_year_of
from core.permissions import require_perm
from core.rollups import rollup_lock
from governance.models import AuditEntry, PortalSetting
from governance.services import audit_record
from schools.models import Membership, Pupil

from .models import Activity, Participation, PupilLoadRollup

PSEUDONYM_FIRST_NAME = "Elev"
ERASED_INSTRUMENT = "–"
PSEUDONYM_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RETENTION_REASON = "oppbevaringstid utløpt"
RETENTION_LOCK = "pupils_retention"
PUPIL_NAME_FIELDS = ("first_name", "last_name")


def pupil_pseudonym(pupil: Pupil) -> str:
    """The code that replaces an erased pupil's last name, e.g. «4F7Q»: the same for the
    same pupil every time (a second erasure changes nothing), telling nothing about them."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:pupil:{pupil.pk}".encode()).digest()
    return "".join(PSEUDONYM_ALPHABET[byte % len(PSEUDONYM_ALPHABET)] for byte in digest[:4])


def pupil_is_erased(pupil: Pupil) -> bool:
    return pupil.first_name == PSEUDONYM_FIRST_NAME and pupil.last_name == pupil_pseudonym(pupil)


def _pupil_entries(pupil: Pupil):
    return AuditEntry.objects.filter(object_type=Pupil._meta.label_lower, object_id=str(pupil.pk))


def _names_of(pupil: Pupil) -> tuple[list[str], list[str]]:
    """Every full name the pupil has had (the record now, and the values of their own audit
    entries), longest first, and every main instrument."""
    firsts, lasts, instruments = {pupil.first_name}, {pupil.last_name}, {pupil.main_instrument}
    for changes in _pupil_entries(pupil).values_list("changes", flat=True):
        for key, bucket in (("first_name", firsts), ("last_name", lasts), ("main_instrument", instruments)):
            for value in (changes or {}).get(key) or []:
                if isinstance(value, str) and value.strip():
                    bucket.add(value)
    names = {f"{first} {last}".strip() for first in firsts for last in lasts} | {
        f"{last}, {first}".strip() for first in firsts for last in lasts
    }
    return sorted(names, key=len, reverse=True), sorted(i for i in instruments if i and i != ERASED_INSTRUMENT)


def _replacer(names: list[str], replacement: str):
    pattern = re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE)

    def replace(value):
        if isinstance(value, str):
            return pattern.sub(replacement, value)
        if isinstance(value, list):
            return [replace(item) for item in value]
        if isinstance(value, dict):
            return {replace(key): replace(item) for key, item in value.items()}
        return value

    return replace


def _text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField)) and not f.primary_key
    ]


def _contains_q(field_name: str, is_json: bool, names: list[str]) -> Q:
    q = Q()
    for name in names:
        q |= Q(**{f"{field_name}__icontains": name})
        if is_json:  # SQLite stores JSON with non-ASCII letters escaped (\u00f8)
            escaped = json.dumps(name)[1:-1]
            if escaped != name:
                q |= Q(**{f"{field_name}__icontains": escaped})
    return q


def _scrub_database(names: list[str], replacement: str) -> int:
    """Replace every occurrence of the names in every text and JSON column of every table
    (the pupils' own table is rewritten by the caller). Rows are updated through the
    queryset, so the append-only audit log is rewritten without being "saved". Returns the
    number of rows changed."""
    replace = _replacer(names, replacement)
    changed = 0
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.managed or opts.proxy or model is Pupil:
            continue
        for text_field in _text_fields(model):
            is_json = isinstance(text_field, models.JSONField)
            rows = model._base_manager.filter(_contains_q(text_field.name, is_json, names))
            for pk, value in rows.values_list("pk", text_field.attname):
                new = replace(value)
                if not is_json and text_field.max_length:
                    new = new[: text_field.max_length]
                if new != value:
                    model._base_manager.filter(pk=pk).update(**{text_field.attname: new})
                    changed += 1
    return changed


def _pseudonymise(*, pupil: Pupil, actor, reason: str, action: str = AuditAction.PUPIL_ERASE) -> bool:
    """The erasure itself (inside the caller's transaction): False when the pupil was already
    erased and nothing was left to change."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    names, instruments = _names_of(pupil)
    code = pupil_pseudonym(pupil)
    pseudonym = f"{PSEUDONYM_FIRST_NAME} {code}"
    own = {pseudonym.casefold(), f"{code}, {PSEUDONYM_FIRST_NAME}".casefold()}
    names = [name for name in names if name.casefold() not in own]
    if pupil_is_erased(pupil) and pupil.main_instrument == ERASED_INSTRUMENT and not names:
        return False
    # The pupil's own entries: their name and instrument as field values, and the object's name.
    erased_values = {"first_name": PSEUDONYM_FIRST_NAME, "last_name": code, "main_instrument": ERASED_INSTRUMENT}
    Pupil.objects.filter(pk=pupil.pk).update(**erased_values)
    pupil.refresh_from_db()
    for entry_id, changes in _pupil_entries(pupil).values_list("id", "changes"):
        rewritten = dict(changes or {})
        for key, value in erased_values.items():
            if isinstance(rewritten.get(key), list):
                rewritten[key] = [None if old is None else value for old in rewritten[key]]
        AuditEntry.objects.filter(pk=entry_id).update(changes=rewritten, object_repr=str(pupil)[:250])
    if names:
        _scrub_database(names, pseudonym)
    # The reason is kept in the log, without the name.
    comment = _replacer(names, pseudonym)(reason) if names else reason
    audit_record(actor=actor, action=action, obj=pupil, comment=comment)
    return True


@transaction.atomic
def pupil_erase(*, pupil: Pupil, user, reason: str) -> Pupil:
    """Erase a pupil's personal data on request (schools.erase_pupil: central staff, or the
    rector of a pupil at their school only), in one transaction: the name becomes a pseudonym
    («Elev 4F7Q»), the main instrument is removed, every trace of the name in the database is
    replaced by the pseudonym, and the erasure is audited without the name. The birth year,
    the schools and the participations stay: every figure is the same before and after."""
    require_perm(user, "schools.erase_pupil", pupil)
    _pseudonymise(pupil=pupil, actor=user, reason=reason)
    return Pupil.objects.get(pk=pupil.pk)


# --- Retention ------------------------------------------------------------------------------


def pupil_last_participation_q():
    return Max("participations__activity__ends_at")


def pupils_past_retention(*, today: date | None = None, school_years: int | None = None):
    """The pupils whose last participation (the activity's end) lies more than N school
    years back (N: the portal setting «oppbevaringstid for elever»), who go to no school that
    is a member or pilot today, and who are not yet erased. A pupil never named on an
    activity has no last participation and is not selected."""
    today = today or timezone.localdate()
    if school_years is None:
        school_years = PortalSetting.objects.get_or_create(pk=1)[0].pupil_retention_school_years
    # The last day of the school year that ended N school years before this one began.
    cutoff_year = school_year_of(today) - school_years
    cutoff = timezone.make_aware(timezone.datetime(cutoff_year, 8, 1))
    participating = Membership.objects.valid_on(today).filter(status__in=Membership.PARTICIPATING)
    return (
        Pupil.objects.annotate(last_participation=pupil_last_participation_q())
        .filter(last_participation__lt=cutoff)
        .exclude(schools__in=participating.values("school_id"))
        .exclude(first_name=PSEUDONYM_FIRST_NAME, main_instrument=ERASED_INSTRUMENT)
        .order_by("pk")
    )


@dataclass
class RetentionResult:
    skipped: bool = False
    pupil_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.pupil_ids)


def pupils_retention(*, today: date | None = None, dry_run: bool = False) -> RetentionResult:
    """Pseudonymise every pupil past the retention period (reason «oppbevaringstid utløpt»,
    no actor), in one transaction under a lock (a second run at the same time is skipped),
    and record how many in the audit log (no names). A second run finds nothing to do."""
    with transaction.atomic(), rollup_lock(RETENTION_LOCK) as locked:
        if not locked:
            return RetentionResult(skipped=True)
        pupils = list(pupils_past_retention(today=today))
        result = RetentionResult(pupil_ids=[p.pk for p in pupils if not pupil_is_erased(p)])
        if dry_run:
            return result
        done = [p.pk for p in pupils if _pseudonymise(pupil=p, actor=None, reason=RETENTION_REASON)]
        result.pupil_ids = done
        if done:
            setting = PortalSetting.objects.get_or_create(pk=1)[0]
            audit_record(
                actor=None,
                action=AuditAction.PUPILS_RETENTION,
                obj=setting,
                changes={"pupils": [None, len(done)]},
                comment=RETENTION_REASON,
            )
        return result


# --- Access report --------------------------------------------------------------------------


def pupil_access_report(*, pupil: Pupil, user) -> dict:
    """Everything the portal stores about one pupil (for the same people who may erase them):
    the record, their schools, every participation with its activity, and every audit entry
    that concerns them (their own record's, and the activities' entries that name them)."""
    require_perm(user, "schools.erase_pupil", pupil)
    participations = (
        Participation.objects.filter(named_pupils=pupil)
        .select_related("activity__venue", "school")
        .order_by("activity__starts_at", "pk")
    )
    names, _instruments = _names_of(pupil)
    entries = _pupil_entries(pupil)
    activity_ids = [str(p.activity_id) for p in participations]
    pupil_str = str(pupil)
    mention = _contains_q("changes", True, [*names, pupil_str]) | _contains_q("comment", False, names)
    activity_entries = AuditEntry.objects.filter(
        Q(object_type=Activity._meta.label_lower) & Q(object_id__in=activity_ids) & mention
    )
    loads = _loads(pupil)
    return {
        "pupil": {
            "id": pupil.pk,
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "birth_year": pupil.birth_year,
            "main_instrument": pupil.main_instrument,
            "erased": pupil_is_erased(pupil),
        },
        "schools": [{"id": s.pk, "name": s.name} for s in pupil.schools.order_by("name")],
        "participations": [
            {
                "activity_id": p.activity_id,
                "title": p.activity.title,
                "starts_at": p.activity.starts_at.isoformat(),
                "ends_at": p.activity.ends_at.isoformat(),
                "status": p.activity.status,
                "venue": p.activity.venue.name if p.activity.venue_id else None,
                "school": p.school.name,
            }
            for p in participations
        ],
        "load_warnings": loads,
        "audit_entries": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor.get_full_name() or e.actor.get_username() if e.actor_id else None,
                "action": e.action,
                "action_label": str(e.get_action_display()),
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object": e.object_repr,
                "changes": e.changes,
                "comment": e.comment,
            }
            for e in (entries | activity_entries).select_related("actor").order_by("at", "id")
        ],
        "generated_at": timezone.now().isoformat(),
    }


def _loads(pupil: Pupil) -> list[dict]:
    """The pupil's activities per term (the pupil-load rollup) and whether each term is at or
    over the portal's warning threshold."""
    threshold = PortalSetting.objects.get_or_create(pk=1)[0].pupil_load_threshold
    return [
        {
            "school_year": row.school_year,
            "term": row.term,
            "activities": row.activities,
            "warning": row.activities >= threshold,
        }
        for row in PupilLoadRollup.objects.filter(pupil=pupil).order_by("school_year", "term")
    ]
