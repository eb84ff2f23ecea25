"""Notice by e-mail of the budget's workflow (issue 12). The services call the two `_notify`
functions inside their transaction; they ask for a Celery task (funding/tasks.py) that is sent
when the transaction commits (core/enqueue.py), so a refused or rolled-back step sends nothing.
The task calls the matching `_send` function here, which builds and sends the e-mails.

Who hears of what:

- a budget laid before the steering group: each member seated that day (a leader's or
  member's seat in the steering group);
- a budget approved or returned: the person who submitted it and the seated members, with the
  steering group's comment.

A person hears of an event once (two seats, or a submitter who also holds a seat, make one
e-mail), and not at all without an e-mail address, when their account is inactive, or when
they have turned the notices off on their profile page (`governance.models.Profile`). Each
e-mail is written in the person's language (their profile's; Norwegian bokmål by default), in
plain text and HTML, with amounts written by core.formatting and times in Oslo time. A budget
names no pupils, and neither do these e-mails."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.enqueue import enqueue_after_commit
from core.formatting import datetime_text, money_text
from governance.decisions import steering_seats_on
from governance.models import Profile
from governance.presentation import person_text

from .models import Budget, BudgetVote
from .selectors import budget_totals

logger = logging.getLogger(__name__)

# The states a decision leaves a budget in; the decision's e-mail says which.
DECISIONS = (Budget.Status.APPROVED, Budget.Status.RETURNED)


def budget_submitted_notify(*, budget: Budget) -> None:
    """A budget was laid before the steering group: each member seated today hears of it,
    once the transaction commits."""
    from .tasks import notify_budget_submitted_task

    enqueue_after_commit(notify_budget_submitted_task, budget_id=budget.pk)


def budget_decided_notify(*, budget: Budget, comment: str = "") -> None:
    """A budget was approved or returned: the person who submitted it and the members hear of
    it, with the comment, once the transaction commits. The decision (the budget's state now)
    and the comment travel with the task: by the time the worker runs, a returned budget may
    have been submitted again, and the comment is kept nowhere on the budget itself."""
    if budget.status not in DECISIONS:
        return
    from .tasks import notify_budget_decided_task

    enqueue_after_commit(
        notify_budget_decided_task,
        budget_id=budget.pk,
        status=budget.status,
        comment=comment or "",
        submission=budget.submission,
    )


# -- who ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    language: str


def notice_recipients(*, user_ids: Iterable[int]) -> list[Recipient]:
    """The people among `user_ids` who get the budget's notices, each once: active, with an
    e-mail address, not turned off on their profile; in the language of their profile."""
    users = (
        get_user_model()
        .objects.filter(pk__in=set(user_ids), is_active=True)
        .exclude(email="")
        .exclude(profile__receives_notices=False)
        .order_by("pk")
    )
    languages = dict(Profile.objects.filter(user__in=users).values_list("user_id", "language"))
    recipients: dict[str, Recipient] = {}
    for user in users:
        address = user.email.strip()
        if not address:
            continue
        recipients.setdefault(
            address.lower(),
            Recipient(
                name=user.get_full_name() or user.get_username(),
                email=address,
                language=languages.get(user.pk) or settings.LANGUAGE_CODE,
            ),
        )
    return list(recipients.values())


# -- what ---------------------------------------------------------------------------------------


def budget_url(budget: Budget) -> str:
    """The budget's page in the admin, as an absolute link (PORTAL_BASE_URL)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("admin:funding_budget_change", args=[budget.pk])


def _context(budget: Budget, recipient: Recipient) -> dict:
    """What every e-mail of the budget says, in the active language."""
    totals = budget_totals(budget=budget)
    return {
        "recipient": recipient.name,
        "budget": str(budget),
        "url": budget_url(budget),
        "income": money_text(totals.income),
        "expense": money_text(totals.expense),
        "in_kind": money_text(totals.in_kind),
        "submitted_by": person_text(budget.submitted_by),
        "submitted_at": datetime_text(budget.submitted_at),
    }


def _message(*, template: str, subject: str, context: dict, to: str) -> EmailMultiAlternatives:
    text = render_to_string(f"funding/email/{template}.txt", context)
    html = render_to_string(f"funding/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def _send(messages: list[EmailMultiAlternatives]) -> int:
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def _budget(budget_id: int) -> Budget | None:
    budget = Budget.objects.select_related("submitted_by", "decided_by").filter(pk=budget_id).first()
    if budget is None:
        logger.warning("Budget %s is gone; no notice sent", budget_id)
    return budget


def budget_submitted_send(*, budget_id: int) -> int:
    """E-mail each steering-group member seated today that the budget was laid before them.
    Returns the number of e-mails sent."""
    budget = _budget(budget_id)
    if budget is None:
        return 0
    seated = [seat.user_id for seat in steering_seats_on(on=timezone.localdate())]
    messages = []
    for recipient in notice_recipients(user_ids=seated):
        with translation.override(recipient.language), timezone.override(settings.TIME_ZONE):
            context = _context(budget, recipient)
            subject = _("%(budget)s er lagt fram for styringsgruppen") % {"budget": context["budget"]}
            messages.append(_message(template="budget_submitted", subject=subject, context=context, to=recipient.email))
    return _send(messages)


@dataclass(frozen=True)
class VoteLine:
    """One member's vote as an e-mail lists it (in the recipient's language)."""

    name: str
    choice: str
    when: str
    comment: str


def _votes(budget: Budget, submission: int | None) -> list[VoteLine]:
    """The votes on the submission that was decided, oldest first (none for a budget decided
    before votes were kept, or when `submission` is not given)."""
    if submission is None:
        return []
    votes = BudgetVote.objects.filter(budget=budget, submission=submission).select_related("voter")
    return [
        VoteLine(person_text(vote.voter), vote.get_choice_display(), datetime_text(vote.cast_at), vote.comment)
        for vote in votes.order_by("cast_at", "pk")
    ]


def budget_decided_send(*, budget_id: int, status: str, comment: str = "", submission: int | None = None) -> int:
    """E-mail the person who submitted the budget and each steering-group member seated today
    that it was approved or returned (`status`), with every member's vote on that `submission`
    and its comment (`comment` is the deciding vote's, shown when no votes are kept). Returns the
    number sent."""
    budget = _budget(budget_id)
    if budget is None or status not in DECISIONS:
        return 0
    seated = [seat.user_id for seat in steering_seats_on(on=timezone.localdate())]
    people = [*([budget.submitted_by_id] if budget.submitted_by_id else []), *seated]
    approved = status == Budget.Status.APPROVED
    messages = []
    for recipient in notice_recipients(user_ids=people):
        with translation.override(recipient.language), timezone.override(settings.TIME_ZONE):
            context = {
                **_context(budget, recipient),
                "approved": approved,
                "comment": comment,
                "votes": _votes(budget, submission),
                "decided_by": person_text(budget.decided_by),
                "decided_at": datetime_text(budget.decided_at),
            }
            if approved:
                subject = _("%(budget)s er vedtatt") % {"budget": context["budget"]}
            else:
                subject = _("%(budget)s er sendt tilbake") % {"budget": context["budget"]}
            messages.append(_message(template="budget_decided", subject=subject, context=context, to=recipient.email))
    return _send(messages)
