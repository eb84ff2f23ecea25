"""Separation of duties in people's roles: the one home of the rules that keep power from
gathering in one person (issue 14).

- **Who grants roles.** Only a superuser or a person holding the role «Tilgangsforvalter»
  (access manager) grants, changes or ends roles (`governance.add_role`, `change_role`,
  `delete_role`; the predicate `governance.rules.manages_access`). Central staff prepare the
  budget; they do not decide who sits where.
- **Nobody grants themselves power.** Nobody grants, changes or ends a role of their own, a
  superuser neither (`role_self_refusal`).
- **Those who prepare a budget do not decide it.** The same person cannot hold a seat that
  decides the budget (leader or member of the steering group) and a position or seat that
  prepares it (daily leader, NMH's coordinator, the steering group's case preparer) in
  overlapping periods (`role_conflicts`). The rule follows the steering group's mandate: the
  secretariat prepares the cases, the members decide them.
- **An access manager holds no other role** in an overlapping period, so that the person who
  hands out access cannot use it.
- **A superuser holds no deciding seat** (`role_superuser_refusal`): a superuser prepares the
  budget as central staff do.
- **A body's kind is part of it**: making a body the steering group (or changing it from one)
  turns its seats into deciding seats, so the same rules are asked of every role in it
  (`governance.services.body_duties_check`), and only superusers and access managers change it.

The services (`governance.services.role_assign`, `role_save`, `role_delete`) ask these before
writing, so the admin and the demo loader are held to them alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import Body, Role

#: The seats that decide the budget: leader and members of the steering group.
DECIDING_KINDS = frozenset({Role.Kind.LEADER, Role.Kind.MEMBER})
#: The positions and seats that prepare it: central staff and the steering group's case preparer.
PREPARING_KINDS = frozenset({Role.Kind.DAILY_LEADER, Role.Kind.NMH_COORDINATOR, Role.Kind.CASE_PREPARER})


def decides_budget(role: Role) -> bool:
    """A leader's or member's seat in the steering group."""
    return role.kind in DECIDING_KINDS and _in_steering_group(role)


def prepares_budget(role: Role) -> bool:
    """The daily leader, NMH's coordinator, or a case preparer of the steering group."""
    if role.kind == Role.Kind.CASE_PREPARER:
        return _in_steering_group(role)
    return role.kind in PREPARING_KINDS


def _in_steering_group(role: Role) -> bool:
    body: Body | None = role.body if role.body_id else None
    return body is not None and body.kind == Body.Kind.STEERING_GROUP


def _period_text(role: Role) -> str:
    start = role.valid_from.strftime("%d.%m.%Y")
    end = role.valid_to.strftime("%d.%m.%Y") if role.valid_to else _("uten sluttdato")
    return f"{start}–{end}"


def role_conflicts(*, role: Role, others: Iterable[Role]) -> list[str]:
    """The reasons `role` may not be held beside the person's `others` (their other roles, the
    role itself left out), as sentences naming the other role and its period; empty when none.

    Two roles conflict when their periods overlap (both days included, an open end open) and
    one decides the budget while the other prepares it, or when either is an access
    manager's."""
    reasons = []
    for other in others:
        if other.pk is not None and other.pk == role.pk:
            continue
        if not (role.valid_from and role.overlaps(other)):
            continue
        if Role.Kind.ACCESS_MANAGER in (role.kind, other.kind):
            reasons.append(
                _(
                    "En tilgangsforvalter kan ikke ha andre roller i samme periode: personen er også "
                    "%(other)s (%(period)s)."
                )
                % {"other": other.get_kind_display().lower(), "period": _period_text(other)}
            )
        elif (decides_budget(role) and prepares_budget(other)) or (prepares_budget(role) and decides_budget(other)):
            reasons.append(
                _(
                    "Den som forbereder budsjettet, kan ikke vedta det: personen er også %(other)s "
                    "(%(period)s) i en overlappende periode. Avslutt den ene rollen før den andre begynner."
                )
                % {"other": str(other).split(": ", 1)[-1].lower(), "period": _period_text(other)}
            )
    return reasons


def role_superuser_refusal(*, role: Role, holder) -> str | None:
    """Why `holder` (the role's person) may not hold `role`, being a superuser: a superuser
    keeps the whole network and prepares the budget (drafts, edits, revises it), so they hold
    no seat that decides it."""
    if getattr(holder, "is_superuser", False) and decides_budget(role):
        return _(
            "En superbruker forbereder budsjettet og kan ikke ha et sete som vedtar det. Gi setet til en "
            "personlig bruker uten superbrukertilgang."
        )
    return None


def role_duplicate_refusal(*, role: Role, others: Iterable[Role]) -> str | None:
    """Why `role` may not be stored: the person already holds the same role (kind, body,
    region, school) from the same day (a form sent twice)."""

    def key(item: Role) -> tuple:
        return (item.kind, item.body_id, item.region_id, item.school_id, item.valid_from)

    for other in others:
        if other.pk != role.pk and key(other) == key(role):
            return _("Personen har allerede denne rollen fra samme dag.")
    return None


def role_self_refusal(*, role: Role, actor) -> str | None:
    """Why `actor` may not write `role` (a sentence), or None: nobody grants, changes or ends
    their own role. A system job (no actor, the demo loader) is not a person."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if role.user_id == actor.pk:
        return _("Du kan ikke gi, endre eller avslutte dine egne roller. Be en annen tilgangsforvalter.")
    return None
