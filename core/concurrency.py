"""Optimistic concurrency: a form carries the version of the object it was loaded from, and
the service that saves it refuses a stale version instead of overwriting someone else's
change without a word (a "lost update")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class EditConflict(ValidationError):
    """The object changed since the person opened it. `current_version` is the version now
    stored; the view shows what changed and keeps what the person typed."""

    def __init__(self, message, *, current_version: int):
        super().__init__(message, code="edit_conflict")
        self.current_version = current_version


def version_check(*, locked: models.Model, expected: int | None, message) -> None:
    """Raise EditConflict when `expected` (the version the form was loaded from) is not the
    version of `locked`, a row the caller has locked with select_for_update(). None skips
    the check (a write that does not come from a form, such as the demo loader)."""
    if expected is not None and expected != locked.version:
        raise EditConflict(message, current_version=locked.version)
