"""Who may do what with the network's money (django-rules; the permissions are declared in
the models' Meta). The budget's workflow:

- prepare (draft, edit the notes and lines of a draft or returned budget, revise an approved
  one, book activities, keep contributions, grants and assumptions): central staff, i.e. the
  daily leader, the NMH coordinator (and a superuser);
- submit: the daily leader or the NMH coordinator by their role, the steering group's case
  preparers (not a superuser);
- vote to approve or to return (`decide`): a steering-group member (leader or member seat)
  who has not voted on this submission, never the person who submitted that budget; the
  budget is approved when the votes meet the decision rule (governance/decisions.py). A
  superuser is not a steering-group member and cannot vote.
- view: central staff and the steering group.

Asked without a budget, a permission says whether the person may ever do it (the services
check this first: PermissionDenied); asked with one, whether they may do it to this budget
now, in its state (the buttons; the services check the state as a ValidationError, then the
submitter). Nothing is deleted: a wrong budget is returned, or revised once approved.
"""

from __future__ import annotations

import rules

from governance.rules import holds_central_staff_role, is_central_staff, is_steering_member

may_prepare_budget = is_central_staff
may_submit_budget = holds_central_staff_role
may_view_budget = is_central_staff | is_steering_member


@rules.predicate
def did_not_submit(user, budget) -> bool:
    return budget is None or user.pk != budget.submitted_by_id


@rules.predicate
def has_not_voted(user, budget) -> bool:
    """No vote of this person on the budget's current submission yet: one vote per member."""
    return budget is None or not budget.votes.filter(submission=budget.submission, voter_id=user.pk).exists()


may_decide_budget = is_steering_member & did_not_submit & has_not_voted


@rules.predicate
def is_editable(user, budget) -> bool:
    """A draft or a returned budget."""
    return budget is None or budget.is_editable


@rules.predicate
def is_submitted(user, budget) -> bool:
    return budget is None or budget.status == budget.Status.SUBMITTED


@rules.predicate
def is_revisable(user, budget) -> bool:
    """An approved budget that is not already being revised."""
    if budget is None:
        return True
    return budget.status == budget.Status.APPROVED and not type(budget).objects.filter(replaces=budget).exists()


BUDGET_PERMISSIONS = {
    "view": may_view_budget,
    "add": may_prepare_budget,
    "change": may_prepare_budget & is_editable,
    "submit": may_submit_budget & is_editable,
    "decide": may_decide_budget & is_submitted,
    "revise": may_prepare_budget & is_revisable,
}
# The figures and settings the budget is made from, kept by central staff.
KEPT_BY_PREPARERS = {"view": may_view_budget, "add": may_prepare_budget, "change": may_prepare_budget}
