"""Who may do what with a budget, in one place. The services check these (whatever a request
says); the admin only uses them to decide which buttons to show.

- prepare (draft, edit lines of a draft or returned budget, revise, book activities):
  central staff, i.e. the daily leader, the NMH coordinator (and a superuser);
- submit: the daily leader or the NMH coordinator, the steering group's case preparers;
- approve or return: a steering-group member (leader or member seat), never the person who
  submitted that budget. A superuser is not a steering-group member and cannot decide.
- view: central staff and the steering group.
"""

from __future__ import annotations

import rules

from governance.models import Role
from governance.selectors import role_list_current_for_user, user_is_central_staff, user_is_steering_member

from .models import Budget


@rules.predicate
def may_prepare_budget(user) -> bool:
    return user_is_central_staff(user=user)


@rules.predicate
def may_submit_budget(user) -> bool:
    return bool(
        user.is_authenticated and role_list_current_for_user(user=user).filter(kind__in=Role.CENTRAL_STAFF).exists()
    )


@rules.predicate
def may_decide_budget(user) -> bool:
    return user_is_steering_member(user=user)


@rules.predicate
def may_view_budget(user) -> bool:
    return user_is_central_staff(user=user) or user_is_steering_member(user=user)


def can_submit(user, budget: Budget) -> bool:
    return budget.is_editable and may_submit_budget(user)


def can_decide(user, budget: Budget) -> bool:
    """Approve or return: a steering-group member other than the one who submitted."""
    return (
        budget.status == Budget.Status.SUBMITTED
        and may_decide_budget(user)
        and user.pk is not None
        and user.pk != budget.submitted_by_id
    )


def can_edit(user, budget: Budget) -> bool:
    return budget.is_editable and may_prepare_budget(user)


def can_revise(user, budget: Budget) -> bool:
    return budget.status == Budget.Status.APPROVED and may_prepare_budget(user) and not _has_successor(budget)


def _has_successor(budget: Budget) -> bool:
    return Budget.objects.filter(replaces=budget).exists()


rules.add_perm("funding.prepare_budget", may_prepare_budget)
rules.add_perm("funding.submit_budget", may_submit_budget)
rules.add_perm("funding.decide_budget", may_decide_budget)
rules.add_perm("funding.view_budget_figures", may_view_budget)
