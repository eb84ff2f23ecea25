from decimal import Decimal

import pytest
from django.urls import reverse

from core.forms import form_token_new
from funding.models import Budget, BudgetLine
from funding.services import budget_draft, budget_submit
from funding.tests.conftest import PERSONAS, board_approves
from governance.models import AuditEntry

pytestmark = pytest.mark.django_db

SUBMITTERS = {"daily_leader", "nmh_coordinator"}
DECIDERS = {"steering_member", "steering_leader"}
VIEWERS = {"daily_leader", "nmh_coordinator", "steering_member", "steering_leader", "superuser"}


def _url(name, budget):
    return reverse(f"admin:funding_budget_{name}", args=[budget.pk])


def _state(budget):
    budget = Budget.objects.get(pk=budget.pk)
    return budget.status, list(budget.lines.order_by("pk").values_list("amount", flat=True)), AuditEntry.objects.count()


@pytest.mark.parametrize("who", PERSONAS)
def test_admin_submit_matrix(client, draft, persona, who):
    user = persona(who)
    client.force_login(user)
    before = _state(draft)

    response = client.post(_url("submit", draft), {"confirmed": "1"})

    if who in SUBMITTERS:
        assert (response.status_code, Budget.objects.get(pk=draft.pk).status) == (302, "submitted")
    else:
        assert response.status_code == 403
        assert _state(draft) == before


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize(("view", "status"), [("approve", "submitted"), ("return", "returned")])
def test_admin_decide_matrix(client, submitted, persona, who, view, status):
    """A steering-group seat votes (after the confirmation page): one vote to approve is
    recorded and waits for the rule; one vote to return returns the budget."""
    user = persona(who)
    client.force_login(user)
    before = _state(submitted)

    response = client.post(_url(view, submitted), {"comment": "Behandlet i møtet", "confirmed": "1"})

    if who in DECIDERS:
        assert (response.status_code, Budget.objects.get(pk=submitted.pk).status) == (302, status)
        assert list(submitted.votes.values_list("voter", "comment")) == [(user.pk, "Behandlet i møtet")]
    else:
        assert response.status_code == 403
        assert _state(submitted) == before


def test_admin_self_approval_answers_403(client, funded, case_preparer_on_board):
    budget = budget_submit(budget=budget_draft(year=2020, user=case_preparer_on_board), user=case_preparer_on_board)
    client.force_login(case_preparer_on_board)
    before = _state(budget)

    response = client.post(_url("approve", budget), {"confirmed": "1"})

    assert response.status_code == 403
    assert _state(budget) == before


def test_admin_vote_asks_for_confirmation_before_it_counts(client, submitted, steering_member):
    """ "Stem for å vedta" and "Send tilbake" open a confirmation page (GET, or a POST without
    `confirmed`): the figures, the votes so far and the comment; nothing is recorded until the
    person confirms."""
    client.force_login(steering_member)
    before = _state(submitted)

    page = client.get(_url("approve", submitted))
    unconfirmed = client.post(_url("return", submitted), {"comment": "Mer til Romerike"})

    assert page.status_code == 200
    assert 'id="confirm-approve"' in page.content.decode()
    assert "Lederen og minst ett annet medlem" in page.content.decode()
    assert unconfirmed.status_code == 200
    assert "Mer til Romerike" in unconfirmed.content.decode()  # the comment is kept
    assert _state(submitted) == before
    assert not submitted.votes.exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_admin_edit_after_approval_answers_403(client, submitted, steering_leader, steering_member, persona, who):
    board_approves(submitted, steering_leader, steering_member)
    line = submitted.lines.get(kind=BudgetLine.Kind.RESERVE)
    client.force_login(persona(who))
    before = _state(submitted)

    response = client.post(
        reverse("admin:funding_budget_change", args=[submitted.pk]),
        {
            "notes": "endret",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-id": str(line.pk),
            "lines-0-budget": str(submitted.pk),
            "lines-0-kind": "reserve",
            "lines-0-label": "Reserve",
            "lines-0-amount": "1",
        },
    )

    assert response.status_code == 403
    assert _state(submitted) == before
    assert client.post(_url("revise", submitted)).status_code == (302 if who in VIEWERS - DECIDERS else 403)


def test_admin_approved_budget_is_read_only_and_readable(client, approved, daily_leader):
    submitted = approved
    client.force_login(daily_leader)

    response = client.get(reverse("admin:funding_budget_change", args=[submitted.pk]))
    content = response.content.decode()

    assert response.status_code == 200
    assert (response.context["has_change_permission"], response.context["has_delete_permission"]) == (False, False)
    assert 'name="_save"' not in content
    assert 'id="budget-readonly"' in content
    assert 'id="budget-revise"' in content
    assert "vedtok budsjettet" in content  # the audit trail on the page, as minutes


def test_admin_buttons_only_for_who_may_use_them(client, draft, daily_leader, steering_member):
    def buttons(user, budget):
        client.force_login(user)
        content = client.get(reverse("admin:funding_budget_change", args=[budget.pk])).content.decode()
        return [
            b for b in ("budget-submit", "budget-approve", "budget-return", "budget-revise") if f'id="{b}"' in content
        ]

    assert buttons(daily_leader, draft) == ["budget-submit"]
    assert buttons(steering_member, draft) == []
    budget_submit(budget=draft, user=daily_leader)
    assert buttons(daily_leader, draft) == []
    assert buttons(steering_member, draft) == ["budget-approve", "budget-return"]


def test_admin_actions_only_for_who_may_use_them(client, draft, daily_leader, steering_member, superuser):
    def actions(user):
        client.force_login(user)
        response = client.get(reverse("admin:funding_budget_changelist"))
        form = response.context["action_form"]
        return [name for name, _label in form.fields["action"].choices if name] if form else []

    # Laying forward and voting are done one budget at a time, each after its confirmation
    # page: the changelist offers no bulk action to anyone.
    assert actions(daily_leader) == []
    assert actions(steering_member) == []
    assert actions(superuser) == []


def test_admin_steering_action_not_offered_to_leader_changes_nothing(client, submitted, daily_leader):
    client.force_login(daily_leader)

    client.post(
        reverse("admin:funding_budget_changelist"), {"action": "action_approve", "_selected_action": [submitted.pk]}
    )

    assert Budget.objects.get(pk=submitted.pk).status == "submitted"


def test_admin_inline_line_change_goes_through_service(client, draft, daily_leader):
    line = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    lines = list(draft.lines.order_by("kind", "label"))
    data = {"notes": "", "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": str(len(lines))}
    for index, row in enumerate(lines):
        prefix = f"lines-{index}-"
        data |= {
            prefix + "id": str(row.pk),
            prefix + "budget": str(draft.pk),
            prefix + "kind": row.kind,
            prefix + "label": row.label,
            prefix + "amount": str(Decimal("70000") if row.pk == line.pk else row.amount),
            prefix + "region": str(row.region_id or ""),
            prefix + "school": str(row.school_id or ""),
            prefix + "municipality": str(row.municipality_id or ""),
            prefix + "cooperation_area": str(row.cooperation_area_id or ""),
            prefix + "partner": str(row.partner_id or ""),
            prefix + "note": row.note,
        }
    client.force_login(daily_leader)

    response = client.post(reverse("admin:funding_budget_change", args=[draft.pk]), data)

    assert response.status_code == 302
    assert draft.lines.get(pk=line.pk).amount == Decimal("70000.00")
    assert AuditEntry.objects.filter(action="budget_line_change").get().changes["amount"] == ["77000.00", "70000.00"]


def test_admin_add_creates_draft_for_year(client, funded, daily_leader):
    client.force_login(daily_leader)

    response = client.post(reverse("admin:funding_budget_add"), {"year": 2020, "form_token": form_token_new()})

    budget = Budget.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:funding_budget_change", args=[budget.pk])
    assert (budget.year, budget.status) == (2020, "draft")


def test_admin_add_refused_for_steering_member(client, funded, steering_member):
    client.force_login(steering_member)

    response = client.post(reverse("admin:funding_budget_add"), {"year": 2020})

    assert response.status_code == 403
    assert Budget.objects.count() == 0


@pytest.mark.parametrize("who", ["staff_rector", "staff_coordinator"])
def test_admin_budget_pages_refused_for_rectors_and_coordinators(client, draft, persona, who):
    client.force_login(persona(who))

    assert client.get(reverse("admin:funding_budget_changelist")).status_code == 403
    assert client.get(reverse("admin:funding_budget_change", args=[draft.pk])).status_code == 403


def test_admin_audit_entries_not_editable(client, draft, daily_leader, superuser):
    entry = AuditEntry.objects.get(action="budget_draft")
    client.force_login(superuser)

    response = client.post(reverse("admin:governance_auditentry_delete", args=[entry.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
