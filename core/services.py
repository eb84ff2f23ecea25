"""Writing a model instance the one way every service of the project writes it."""

from __future__ import annotations

from django.db import models


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
