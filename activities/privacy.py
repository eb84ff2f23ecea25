"""A pupil's privacy (issue 13: pupils are minors): erasure on request, the retention period,
and the access report.

Erasing a pupil pseudonymises them: the record stays (its id, its schools, its birth year and
every participation), so every figure the portal shows is the same before and after, but the
name and the main instrument are replaced, and every trace of the name that refers to this
pupil is removed from every text column of the database (the audit log's values, comments and
object names, the admin's history, notes): the portal's «Name (year)» everywhere, the bare name
where no other pupil and no user account has it. Activities sit above schools and governance,
so this module may read them all."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

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


def _name_history(pupil: Pupil) -> list[tuple[str, str, int | None]]:
    """Every (first name, last name, birth year) the pupil's record has held: the record now,
    and, walking their own audit entries back from the newest, each earlier state."""
    state = (pupil.first_name, pupil.last_name, pupil.birth_year)
    history = [state]
    keys = ("first_name", "last_name", "birth_year")
    for changes in _pupil_entries(pupil).order_by("-at", "-id").values_list("changes", flat=True):
        older = list(state)
        for index, key in enumerate(keys):
            value = (changes or {}).get(key)
            if isinstance(value, list) and value and value[0] not in (None, ""):
                older[index] = value[0]
        state = tuple(older)
        if state not in history:
            history.append(state)
    return history


def pupil_label(first: str, last: str, birth_year) -> str:
    """A pupil as the portal writes them wherever it names one (Pupil.__str__, the activity
    history's participation values): «Kari Nordmann (2008)»."""
    return f"{first} {last} ({birth_year})"


@dataclass
class PupilNames:
    """How a pupil has been written: `labels` in the portal's own form «Name (year)», which
    points at this pupil; `bare` names without the year, which may be someone else's."""

    labels: list[str]
    bare: list[str]
    instruments: list[str]


def _names_of(pupil: Pupil) -> PupilNames:
    """Every name the pupil has had (the record now, and the values of their own audit
    entries), longest first, and every main instrument. The code writes a pupil only as
    «First Last (year)» (never «Last, First»), so that is the form looked for."""
    history = _name_history(pupil)
    instruments = {pupil.main_instrument}
    for changes in _pupil_entries(pupil).values_list("changes", flat=True):
        for value in (changes or {}).get("main_instrument") or []:
            if isinstance(value, str) and value.strip():
                instruments.add(value)
    labels = {pupil_label(first, last, year) for first, last, year in history if year is not None}
    bare = {f"{first} {last}".strip() for first, last, _year in history}
    return PupilNames(
        labels=sorted(labels, key=len, reverse=True),
        bare=sorted((name for name in bare if name), key=len, reverse=True),
        instruments=sorted(i for i in instruments if i and i != ERASED_INSTRUMENT),
    )


def _name_pattern(names: list[str], *, ignore_case: bool) -> re.Pattern | None:
    """The names as whole words: «Emil Moe» is not found inside «Emil Moen»."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE if ignore_case else 0)


def _replacer(patterns: list[re.Pattern | None], pseudonym: str):
    """Replace each name by the pseudonym; a «Name (year)» keeps its year: «Elev 4F7Q (2008)»."""
    patterns = [pattern for pattern in patterns if pattern is not None]

    def pseudonymised(match: re.Match) -> str:
        year = re.search(r" \(\w+\)$", match.group(0))
        return pseudonym + (year.group(0) if year else "")

    def replace(value):
        if isinstance(value, str):
            for pattern in patterns:
                value = pattern.sub(pseudonymised, value)
            return value
        if isinstance(value, list):
            return [replace(item) for item in value]
        if isinstance(value, dict):
            return {replace(key): replace(item) for key, item in value.items()}
        return value

    return replace


def _full_names_elsewhere(pupil: Pupil) -> set[str]:
    """The full names («First Last», case folded) of every other pupil and every user account:
    a bare name found among them is not only this pupil's. Compared in Python, as SQLite folds
    the case of ASCII letters only."""
    from django.contrib.auth import get_user_model

    names = set()
    for queryset in (Pupil.objects.exclude(pk=pupil.pk), get_user_model()._base_manager.all()):
        for first, last in queryset.values_list("first_name", "last_name").iterator():
            names.add(" ".join(f"{first} {last}".split()).casefold())
    return names


def _labels_elsewhere(pupil: Pupil, labels: list[str]) -> bool:
    """Whether another pupil is written the same «Name (year)» (same name, same birth year)."""
    wanted = {label.casefold() for label in labels}
    others = Pupil.objects.exclude(pk=pupil.pk).values_list("first_name", "last_name", "birth_year")
    return any(pupil_label(*row).casefold() in wanted for row in others.iterator())


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


def _scrub_database(names: list[str], replace, *, within: Q | None = None) -> int:
    """Rewrite, with `replace`, every text and JSON value that contains one of `names` (a
    case-blind pre-selection; `replace` decides) in every table but the pupils' own, or only in
    the audit entries `within` selects. Rows are updated through the queryset, so the
    append-only audit log is rewritten without being "saved". Returns the number of rows
    changed."""
    changed = 0
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.managed or opts.proxy or model is Pupil:
            continue
        if within is not None and model is not AuditEntry:
            continue
        for text_field in _text_fields(model):
            is_json = isinstance(text_field, models.JSONField)
            rows = model._base_manager.filter(_contains_q(text_field.name, is_json, names))
            if within is not None:
                rows = rows.filter(within)
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
    erased and nothing was left to change.

    Only what refers to this pupil is replaced: the portal's form «First Last (year)» as a
    whole word everywhere (only in the log of the pupil's own activities when another pupil is
    written the same); the bare «First Last» in the pupil's own audit entries and in the
    reason, and elsewhere only when no other pupil and no user account has that full name."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    names = _names_of(pupil)
    code = pupil_pseudonym(pupil)
    pseudonym = f"{PSEUDONYM_FIRST_NAME} {code}"
    labels = [label for label in names.labels if not label.startswith(f"{pseudonym} (")]
    bare = [name for name in names.bare if name.casefold() != pseudonym.casefold()]
    if pupil_is_erased(pupil) and pupil.main_instrument == ERASED_INSTRUMENT and not labels and not bare:
        return False
    label_pattern = _name_pattern(labels, ignore_case=False)
    bare_pattern = _name_pattern(bare, ignore_case=True)
    elsewhere = _full_names_elsewhere(pupil)
    unique_bare = [name for name in bare if " ".join(name.split()).casefold() not in elsewhere]
    labels_shared = _labels_elsewhere(pupil, labels)
    # The pupil's own entries: their name and instrument as field values, the object's name,
    # and any trace of the name in them.
    erased_values = {"first_name": PSEUDONYM_FIRST_NAME, "last_name": code, "main_instrument": ERASED_INSTRUMENT}
    Pupil.objects.filter(pk=pupil.pk).update(**erased_values)
    pupil.refresh_from_db()
    own_replace = _replacer([label_pattern, bare_pattern], pseudonym)
    for entry_id, changes, comment in _pupil_entries(pupil).values_list("id", "changes", "comment"):
        rewritten = dict(changes or {})
        for key, value in erased_values.items():
            if isinstance(rewritten.get(key), list):
                rewritten[key] = [None if old is None else value for old in rewritten[key]]
        AuditEntry.objects.filter(pk=entry_id).update(
            changes=own_replace(rewritten), object_repr=str(pupil)[:250], comment=own_replace(comment)
        )
    label_replace = _replacer([label_pattern], pseudonym)
    if labels and labels_shared:
        activity_ids = [str(pk) for pk in pupil.participations.values_list("activity_id", flat=True)]
        within = Q(object_type=Activity._meta.label_lower, object_id__in=activity_ids)
        _scrub_database(labels, label_replace, within=within)
    elif labels:
        _scrub_database(labels, label_replace)
    if unique_bare:
        _scrub_database(unique_bare, _replacer([_name_pattern(unique_bare, ignore_case=True)], pseudonym))
    # The reason is kept in the log, without the name.
    audit_record(actor=actor, action=action, obj=pupil, comment=own_replace(reason))
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


ABOUT_NAMED = gettext_lazy("navngitt på aktiviteten")
ABOUT_REMOVED = gettext_lazy("fjernet fra aktiviteten")
ABOUT_STILL_NAMED = gettext_lazy("fortsatt navngitt på aktiviteten")
ABOUT_MENTIONED = gettext_lazy("nevnt i opplysningene om aktiviteten")
ABOUT_COMMENT = gettext_lazy("nevnt i kommentaren til aktiviteten")


def _entry_head(entry: AuditEntry) -> dict:
    """What the access report says of every log entry: when (UTC), who, what, about what."""
    return {
        "at": _utc(entry.at),
        "actor": _actor_name(entry),
        "action": entry.action,
        "action_label": str(entry.get_action_display()),
        "object_type": entry.object_type,
        "object_id": entry.object_id,
    }


def _utc(moment) -> str:
    """A time for the JSON: ISO 8601 in UTC, with its offset («2019-10-12T08:00:00+00:00»)."""
    return moment.astimezone(UTC).isoformat()


def _actor_name(entry: AuditEntry) -> str | None:
    """Who acted (staff, not pupils: their name may be shown); None for the system."""
    if not entry.actor_id:
        return None
    return entry.actor.get_full_name() or entry.actor.get_username()


def _about_pupil(entry: AuditEntry, labels: re.Pattern | None, bare: re.Pattern | None) -> list[str]:
    """What an activity's audit entry says about this pupil, and nothing about anyone else:
    named on, removed from or still named on the activity (their «Name (year)» in the
    participations' new and/or old value), mentioned in another field or in the comment."""

    def found(value, pattern) -> bool:
        return pattern is not None and isinstance(value, str) and pattern.search(value) is not None

    about = []
    for key, pair in (entry.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if key == "participations":
            was, now = found(old, labels), found(new, labels)
            if now and not was:
                about.append(str(ABOUT_NAMED))
            elif was and not now:
                about.append(str(ABOUT_REMOVED))
            elif was and now:
                about.append(str(ABOUT_STILL_NAMED))
        elif any(found(value, pattern) for value in (old, new) for pattern in (labels, bare)):
            about.append(str(ABOUT_MENTIONED))
    if found(entry.comment, labels) or found(entry.comment, bare):
        about.append(str(ABOUT_COMMENT))
    return list(dict.fromkeys(about))


def pupil_access_report(*, pupil: Pupil, user) -> dict:
    """Everything the portal stores about one pupil (for the same people who may erase them;
    it is handed to the pupil's guardians, so it holds this pupil's data only): the record,
    their schools, every participation with its activity, the load per term, and every audit
    entry that concerns them — their own record's in full, and of the activities' entries
    only the time, who acted, the action, the activity and what the entry says about this
    pupil, never the other values (they name other pupils). Times are ISO 8601 in UTC with
    their offset."""
    require_perm(user, "schools.erase_pupil", pupil)
    participations = list(
        Participation.objects.filter(named_pupils=pupil)
        .select_related("activity__venue", "school")
        .order_by("activity__starts_at", "pk")
    )
    names = _names_of(pupil)
    labels = _name_pattern(names.labels, ignore_case=False)
    # A bare name may be a namesake's: it counts only on the activities the pupil is named on.
    bare = _name_pattern(names.bare, ignore_case=True)
    activity_ids = {str(p.activity_id) for p in participations}
    on_their_activities = Q(object_id__in=activity_ids) & (
        _contains_q("changes", True, names.bare) | _contains_q("comment", False, names.bare)
    )
    mention = _contains_q("changes", True, names.labels) | _contains_q("comment", False, names.labels)
    mention |= on_their_activities
    activity_entries = []
    for entry in (
        AuditEntry.objects.filter(Q(object_type=Activity._meta.label_lower) & mention)
        .select_related("actor")
        .order_by("at", "id")
    ):
        about = _about_pupil(entry, labels, bare if entry.object_id in activity_ids else None)
        if about:
            activity_entries.append((entry, about))
    activities = Activity.objects.in_bulk([int(e.object_id) for e, _about in activity_entries if e.object_id.isdigit()])
    rows = [
        (
            e.at,
            e.pk,
            {
                **_entry_head(e),
                "object": str(pupil),
                "changes": e.changes,
                "comment": e.comment,
            },
        )
        for e in _pupil_entries(pupil).select_related("actor")
    ]
    for e, about in activity_entries:
        activity = activities.get(int(e.object_id)) if e.object_id.isdigit() else None
        rows.append(
            (
                e.at,
                e.pk,
                {
                    **_entry_head(e),
                    "activity": {
                        "title": activity.title if activity else e.object_repr,
                        "starts_at": _utc(activity.starts_at) if activity else None,
                    },
                    "about_pupil": about,
                },
            )
        )
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
                "starts_at": _utc(p.activity.starts_at),
                "ends_at": _utc(p.activity.ends_at),
                "status": p.activity.status,
                "venue": p.activity.venue.name if p.activity.venue_id else None,
                "school": p.school.name,
            }
            for p in participations
        ],
        "load_warnings": _loads(pupil),
        "audit_entries": [row for _at, _pk, row in sorted(rows, key=lambda row: row[:2])],
        "generated_at": _utc(timezone.now()),
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
