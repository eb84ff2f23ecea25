"""The audit log as people read it: minutes, not rows.

An `AuditEntry` keeps what happened in the codes the program uses (UTC, a user, `budget_approve`,
`{"status": ["submitted", "approved"]}`, `"4187500.00"`). `audit_minute` turns one entry into
what a reader sees: the time in Oslo, the person's full name, the action's label, and each change
as «Status: Lagt fram → Vedtatt», the field's verbose name and its values written as the portal
writes them (choice labels, money, dates, the object a stored id names). The codes stay in the
database.

A field is looked up in `fields` (names an entry records that are no field of a model, such as a
budget's totals), then on the entry's model (its `object_type`), then on the models in `also` (where an entry
records changes to something that belongs to its object, such as a budget's lines). An app says
these once for its models, `register_audit_fields` in its `AppConfig.ready()`, and every page that
shows the log (a budget's page, the admin's central log) reads the entries by them: governance
never imports the apps above it. A field found nowhere shows its name and values as stored: old
entries hold free text, and a page that shows the log never fails on what it finds there.

A change whose old and new value read the same is context (which budget line a change was to),
shown as «Budsjettlinje: Reserve», without an arrow. A comment is shown whole, as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.audit import AuditAction
from core.formatting import date_text, datetime_text, money_text
from core.templatetags.people import person

NONE_TEXT = "–"
# A stored value longer than this is cut (a notes field changed in full, or odd data). Never a
# comment: it is shown whole.
MAX_VALUE_LENGTH = 500


@dataclass(frozen=True)
class AuditFields:
    """What an app says about the audit entries on one of its models: the keys they record that
    are no field of the model (`fields`: name → an unsaved field giving the label and how values
    read), and the models whose fields they record too (`also`: a budget's lines)."""

    fields: Mapping[str, models.Field] = field(default_factory=dict)
    also: tuple[type[models.Model], ...] = ()


_AUDIT_FIELDS: dict[str, AuditFields] = {}


def register_audit_fields(
    model_label: str, fields: Mapping[str, models.Field], *, also: Sequence[type[models.Model]] = ()
) -> None:
    """Register how the entries on `model_label` ("funding.budget", an entry's `object_type`)
    read; call it from the app's `AppConfig.ready()`. `fields` is kept as given (the app's one
    definition), not copied. Registering a label again replaces what it had."""
    _AUDIT_FIELDS[model_label.lower()] = AuditFields(fields=fields, also=tuple(also))


def registered_audit_fields(object_type: Any) -> AuditFields:
    """What is registered for an entry's `object_type`; nothing for a type no app registered."""
    return _AUDIT_FIELDS.get(str(object_type).lower(), AuditFields())


@dataclass(frozen=True)
class ChangeMinute:
    """One change as read: «<label>: <old> → <new>»; a value that did not change (context, such
    as which line a change was to) as «<label>: <value>»."""

    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def __str__(self) -> str:
        if not self.changed:
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class AuditMinute:
    """One audit entry as read."""

    at: str
    who: str
    what: str
    changes: list[ChangeMinute] = field(default_factory=list)
    comment: str = ""
    object_type: str = ""


def action_label(action: Any) -> str:
    """The label of an action code (`budget_approve` → «vedtok budsjettet»); an unknown code as given."""
    try:
        return str(AuditAction(action).label)
    except (ValueError, TypeError):
        return _plain(action)


def person_text(user) -> str:
    """A person's full name, else their username; «systemet» for none."""
    try:
        return person(user)
    except Exception:  # noqa: BLE001 - a user-like object without names: show what it is
        return _plain(user)


def audit_minute(
    entry,
    *,
    fields: Mapping[str, models.Field] | None = None,
    also: Sequence[type[models.Model]] | None = None,
    cache: dict | None = None,
) -> AuditMinute:
    """What a reader sees of `entry` (an AuditEntry): when (Oslo), who, what, on what kind of
    object, each change, the comment (whole). Never raises on what the entry holds. `fields` and
    `also` default to what the entry's app registered for its `object_type`. `cache` (shared
    across the entries of one page) keeps the objects looked up by id."""
    cache = {} if cache is None else cache
    at = getattr(entry, "at", None)
    object_type = getattr(entry, "object_type", "")
    registered = registered_audit_fields(object_type)
    return AuditMinute(
        at=datetime_text(at) if isinstance(at, datetime) else NONE_TEXT,
        who=person_text(getattr(entry, "actor", None)),
        what=action_label(getattr(entry, "action", "")),
        changes=change_minutes(
            getattr(entry, "changes", None),
            fields=_fields_of(
                object_type,
                registered.fields if fields is None else fields,
                registered.also if also is None else also,
            ),
            cache=cache,
        ),
        comment=comment_text(getattr(entry, "comment", "")),
        object_type=object_type_text(object_type),
    )


def audit_minutes(entries: Iterable, **kwargs) -> list[AuditMinute]:
    """`audit_minute` for each entry, sharing one cache of looked-up objects; each entry read by
    what is registered for its `object_type` unless `fields`/`also` are given."""
    cache: dict = {}
    return [audit_minute(entry, cache=cache, **kwargs) for entry in entries]


def object_type_text(object_type: Any) -> str:
    """The kind of object an entry's `object_type` names, as the portal calls it ("funding.budget"
    → «budsjett»); as stored when no model has that name."""
    model = _model_of(object_type)
    return _plain(object_type) if model is None else str(model._meta.verbose_name)


def comment_text(comment: Any) -> str:
    """An entry's comment, whole (the portal accepts long ones), as written (its line breaks
    too: a page shows them)."""
    if comment is None or comment == "":
        return NONE_TEXT
    try:
        return comment if isinstance(comment, str) else str(comment)
    except Exception:  # noqa: BLE001 - anything at all in an old entry
        return "?"


def change_minutes(changes: Any, *, fields: Mapping[str, Any], cache: dict | None = None) -> list[ChangeMinute]:
    """The changes of an entry, `{field: [old, new]}`, as read. Anything else an entry holds (a
    list, a text, a value that is no pair) is shown as given."""
    cache = {} if cache is None else cache
    if changes in (None, "", {}, []):
        return []
    if not isinstance(changes, Mapping):
        return [ChangeMinute(label=_("Endringer"), old=NONE_TEXT, new=_plain(changes))]
    minutes = []
    for name, change in changes.items():
        model_field = fields.get(name) if isinstance(name, str) else None
        label = capfirst(str(model_field.verbose_name)) if model_field is not None else _plain(name)
        if isinstance(change, list | tuple) and len(change) == 2:  # noqa: PLR2004 - [old, new]
            old, new = change
        else:
            old, new = None, change
        minutes.append(
            ChangeMinute(
                label=label,
                old=value_text(old, model_field, cache=cache),
                new=value_text(new, model_field, cache=cache),
            )
        )
    return minutes


def value_text(value: Any, model_field: models.Field | None, *, cache: dict | None = None) -> str:
    """A stored value as read, written as `model_field` says (its choice's label, an amount, a
    day, a time in Oslo, the object an id names); as given when it is none of those."""
    if value is None or value == "":
        return NONE_TEXT
    if model_field is None:
        return _plain(value)
    try:
        text = _field_value_text(value, model_field, {} if cache is None else cache)
    except Exception:  # noqa: BLE001 - odd data in an old entry is shown, never fails the page
        text = None
    return _plain(value) if text is None else text


def _field_value_text(value: Any, model_field: models.Field, cache: dict) -> str | None:
    if isinstance(value, list | dict | tuple):
        return None
    if model_field.choices:
        labels = {str(code): label for code, label in model_field.flatchoices}
        label = labels.get(str(value))
        return None if label is None else str(label)
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    if isinstance(model_field, models.DecimalField) and model_field.decimal_places == 2:  # noqa: PLR2004 - kroner and øre
        amount = _decimal(value)
        return None if amount is None else money_text(amount)
    if isinstance(model_field, models.DateTimeField):
        moment = value if isinstance(value, datetime) else parse_datetime(str(value))
        if moment is None:
            return None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_fixed_timezone(0))
        return datetime_text(moment)
    if isinstance(model_field, models.DateField):
        day = value if isinstance(value, date) else parse_date(str(value))
        return None if day is None else date_text(day)
    if isinstance(model_field, models.BooleanField):
        return {"true": _("ja"), "false": _("nei")}.get(str(value).lower())
    if isinstance(model_field, models.ForeignKey):
        return _related_text(value, model_field, cache)
    return None


def _related_text(value: Any, model_field: models.ForeignKey, cache: dict) -> str | None:
    """The object a stored id names (one query per id and page); other values (the object's
    text, as most entries store it) as given."""
    text = str(value).strip()
    if isinstance(value, float) or not text.isascii() or not text.isdigit() or len(text) > 18:  # noqa: PLR2004 - bigint
        return None
    related = model_field.related_model
    key = (related._meta.label_lower, int(text))
    if key not in cache:
        obj = related._default_manager.filter(pk=int(text)).first()
        if obj is None:
            cache[key] = None
        elif related._meta.label_lower == settings.AUTH_USER_MODEL.lower():
            cache[key] = person_text(obj)
        else:
            cache[key] = str(obj)
    return cache[key]


def _fields_of(
    object_type: Any, extra: Mapping[str, models.Field], more: Sequence[type[models.Model]]
) -> dict[str, models.Field]:
    found: dict[str, models.Field] = {}
    for model in reversed([_model_of(object_type), *more]):
        if model is None:
            continue
        for model_field in model._meta.concrete_fields:
            found[model_field.name] = model_field
            if model_field.is_relation:
                found.setdefault(model_field.attname, model_field)
    found.update({name: model_field for name, model_field in extra.items() if model_field is not None})
    return found


def _model_of(object_type: Any) -> type[models.Model] | None:
    """The model an entry's `object_type` ("funding.budget") names, if any."""
    try:
        return apps.get_model(str(object_type))
    except (LookupError, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool | float):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and abs(amount) < Decimal("1e15") else None


def _plain(value: Any) -> str:
    """A stored value shown as given (cut when long)."""
    if value is None or value == "":
        return NONE_TEXT
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 - anything at all in a JSON field
        return "?"
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"
