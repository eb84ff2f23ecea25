"""Notice by e-mail of the budget's workflow (issue 12). The services call these functions
inside their transaction; the e-mails are sent by a Celery task after the transaction
commits, so a refused or rolled-back step sends nothing.

Being built: until the task exists these functions send nothing."""

from __future__ import annotations


def budget_submitted_notify(*, budget) -> None:
    """A budget was laid before the steering group: each member seated today hears of it."""


def budget_decided_notify(*, budget, comment: str = "") -> None:
    """A budget was approved or returned: the person who submitted it and the members hear of it."""
