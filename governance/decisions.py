"""How a body decides: who holds a seat in the steering group on a day, and whether the votes
cast meet the decision rule (`PortalSetting.budget_decision_rule`, chosen by central staff in
the admin; a change is audited as every setting is).

The rule lives here, once; funding's budget workflow (funding/services.py `budget_approve`)
and its page ask it. The rules, from the steering group's mandate (the report, section 7:
the steering group holds the budget, the daily leader prepares it):

- `leader_and_member` (the default): the leader (styreleder) and at least one other member
  seated that day have voted to approve;
- `majority`: more than half of the members seated that day (the leader counted as a member)
  have voted to approve.

A vote to return is not counted here: one such vote returns the budget at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Body, DecisionRule, Role


@dataclass(frozen=True)
class Seat:
    """A seat in the steering group: the person (user id, full name) and whether it is the leader's."""

    user_id: int
    name: str
    is_leader: bool


def steering_seats_on(*, on: date) -> list[Seat]:
    """The leader's and members' seats in the steering group on a day (roles valid that day),
    leader first, then by name. A person with two seats counts once (as leader if either is)."""
    roles = (
        Role.objects.valid_on(on)
        .filter(body__kind=Body.Kind.STEERING_GROUP, kind__in=[Role.Kind.LEADER, Role.Kind.MEMBER])
        .select_related("user")
    )
    seats: dict[int, Seat] = {}
    for role in roles:
        is_leader = role.kind == Role.Kind.LEADER or (role.user_id in seats and seats[role.user_id].is_leader)
        seats[role.user_id] = Seat(role.user_id, role.user.get_full_name() or role.user.username, is_leader)
    return sorted(seats.values(), key=lambda seat: (not seat.is_leader, seat.name))


def majority_of(seated: int) -> int:
    """The smallest number of votes that is more than half of `seated` (3 of 4, 3 of 5)."""
    return seated // 2 + 1


def decision_rule_met(*, rule: str, seats: Iterable[Seat], approved_by: Iterable[int]) -> bool:
    """Whether the approvals (user ids) meet `rule` (a DecisionRule value) among `seats`.
    Only votes of people seated count. An unknown rule raises ValueError."""
    seats = list(seats)
    seated = {seat.user_id for seat in seats}
    approvals = set(approved_by) & seated
    if rule == DecisionRule.LEADER_AND_MEMBER:
        leaders = {seat.user_id for seat in seats if seat.is_leader}
        return bool(approvals & leaders) and len(approvals) >= 2
    if rule == DecisionRule.MAJORITY:
        return bool(seated) and len(approvals) >= majority_of(len(seated))
    raise ValueError(rule)


def decision_rule_needs(*, rule: str, seats: Iterable[Seat], approved_by: Iterable[int]) -> str:
    """What is still missing before `rule` is met, in words for the budget page ("" when met)."""
    seats = list(seats)
    approvals = set(approved_by) & {seat.user_id for seat in seats}
    if decision_rule_met(rule=rule, seats=seats, approved_by=approvals):
        return ""
    if rule == DecisionRule.LEADER_AND_MEMBER:
        leaders = [seat for seat in seats if seat.is_leader]
        if not leaders:
            return _(
                "Ingen har lederens sete i dag, så regelen «lederen og minst ett annet medlem» kan ikke oppfylles."
            )
        if len(seats) < 2:
            return _("Bare lederen har sete i dag, så regelen «lederen og minst ett annet medlem» kan ikke oppfylles.")
        missing = []
        if not approvals & {seat.user_id for seat in leaders}:
            missing.append(_("lederens stemme"))
        others = approvals - {seat.user_id for seat in leaders}
        if not others:
            missing.append(_("én stemme til fra et annet medlem"))
        return _("Mangler: %(missing)s.") % {"missing": _(" og ").join(missing)}
    needed = majority_of(len(seats)) - len(approvals)
    return ngettext(
        "Mangler %(count)s stemme for flertall (%(needed)s av %(seated)s).",
        "Mangler %(count)s stemmer for flertall (%(needed)s av %(seated)s).",
        needed,
    ) % {
        "count": needed,
        "needed": majority_of(len(seats)),
        "seated": len(seats),
    }
