"""Forms that create something are submitted once: a double click, a browser's "resend" or a
retry after a slow answer must not make two activities, two budgets or two imports."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

from .forms import TOKEN
from .models import SubmissionToken

T = TypeVar("T", bound=models.Model)


class AlreadySubmitted(Exception):  # noqa: N818 - it is a state, not an error
    """The form with this token was submitted before; `object_type`/`object_id` say what it
    made (label_lower and primary key as text)."""

    def __init__(self, submission: SubmissionToken):
        super().__init__(submission.token)
        self.object_type = submission.object_type
        self.object_id = submission.object_id


def submission_check(*, token: str | None) -> None:
    """Raise AlreadySubmitted when a form with this token has been submitted before (check it
    first, so that a second submission leads to the first one's result instead of meeting
    the warnings the first one already answered)."""
    if not token or not TOKEN.fullmatch(token):  # not one of ours (FormTokenField refuses it too)
        return
    earlier = SubmissionToken.objects.filter(token=token).first()
    if earlier is not None:
        raise AlreadySubmitted(earlier)


def submit_once(*, token: str, user, create: Callable[[], T]) -> T:
    """Run `create()` once per token, in one transaction with the token's record.

    Returns what `create()` returned. Raises AlreadySubmitted when the token was used before,
    also when the first submission is still running in another request: on PostgreSQL the
    second insert of the token waits for the first transaction and then fails on the unique
    token; on SQLite writers wait for each other anyway. Exceptions of `create()` propagate
    and leave no token behind, so the corrected form can be sent again."""
    submission_check(token=token)
    actor = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            claim = SubmissionToken.objects.create(token=token, user=actor)
            made = create()
            claim.object_type = made._meta.label_lower
            claim.object_id = str(made.pk)
            claim.save(update_fields=["object_type", "object_id"])
            return made
    except IntegrityError:
        earlier = SubmissionToken.objects.filter(token=token).first()
        if earlier is None:
            raise
        raise AlreadySubmitted(earlier) from None
