"""Writing a model instance the one way every service of the project writes it, and, for the
writes people make in the admin, checked against their permission and recorded in the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models

from .audit import audit_record
from .permissions import perm_name, require_perm


def validated_save(instance: models.Model, **fields) -> models.Model:
    """Set fields, validate the whole instance (full_clean) and save it: every service saves
    through this, so nothing invalid reaches the database. Raises ValidationError (nothing
    saved) for a value the model or its constraints refuse."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


def model_update(instance: models.Model, **fields) -> list[str]:
    """Change the given fields of a saved instance, validated, and save only the fields that
    changed (plus an `auto_now` field such as `updated_at`, when the model has one). Returns
    the names of the changed fields; saves nothing when none changed."""
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(instance, name, fields[name])
    instance.full_clean()
    auto_now = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
    instance.save(update_fields=[*changed, *auto_now])
    return changed


def _shown(value) -> str | None:
    """A field's value as the audit log keeps it: text a person reads."""
    if value is None or value == "":
        return None
    return str(value)


def audit_values(instance: models.Model, m2m: Mapping[str, Iterable] | None = None) -> dict[str, str | None]:
    """The instance's fields as the audit log keeps them (a related row by its name, a value as
    text; None when empty), and the given many-to-many values."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        values[field.name] = _shown(
            getattr(instance, field.name) if field.is_relation else field.value_from_object(instance)
        )
    for name, related in (m2m or {}).items():
        values[name] = ", ".join(sorted(str(item) for item in related)) or None
    return values


def audited_save(
    instance: models.Model,
    *,
    user,
    created: str,
    updated: str,
    m2m: Mapping[str, Iterable] | None = None,
    comment: str = "",
) -> models.Model:
    """Save `instance` as a person entered it (the admin's form): refused with PermissionDenied
    unless `user` holds the model's add or change permission on it, validated (full_clean),
    saved with the given many-to-many values, and recorded in the audit log (`created` or
    `updated`, each changed field's old and new value). The entity services of the apps call
    this inside their transaction."""
    adding = instance._state.adding or instance.pk is None
    require_perm(user, perm_name(instance, "add" if adding else "change"), instance)
    stored = None if adding else type(instance)._base_manager.filter(pk=instance.pk).first()
    before = {} if stored is None else audit_values(stored, {name: getattr(stored, name).all() for name in (m2m or {})})
    validated_save(instance)
    for name, related in (m2m or {}).items():
        getattr(instance, name).set(related)
    after = audit_values(instance, m2m)
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    if changes or comment:
        audit_record(
            actor=user, action=created if stored is None else updated, obj=instance, changes=changes, comment=comment
        )
    return instance


def audited_delete(instance: models.Model, *, user, action: str, comment: str = "") -> None:
    """Delete `instance` for a person: refused with PermissionDenied unless `user` holds the
    model's delete permission on it; what it held is kept in the audit log."""
    require_perm(user, perm_name(instance, "delete"), instance)
    audit_record(
        actor=user,
        action=action,
        obj=instance,
        changes={name: [value, None] for name, value in audit_values(instance).items() if value is not None},
        comment=comment,
    )
    instance.delete()
