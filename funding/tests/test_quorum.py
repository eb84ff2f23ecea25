"""Issue 12: the steering group decides the budget as a body. A budget is approved when the
votes meet the decision rule (`PortalSetting.budget_decision_rule`; by default the leader and at
least one other member, or a majority of the members seated that day); each vote is recorded
(who, when, comment); the submitter cannot vote; one vote per member; a return by any member
returns it; votes start afresh on a new submission or revision; two votes at the same moment
are counted one after the other."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_persona
from core.audit import AuditAction
from funding.models import Budget, BudgetVote
from funding.selectors import budget_audit_entries, budget_decision
from funding.services import budget_approve, budget_return, budget_revise, budget_submit
from funding.tests.conftest import PERSONAS, board_approves
from governance.decisions import Seat, decision_rule_met, majority_of
from governance.models import AuditEntry, DecisionRule, PortalSetting, Role
from governance.selectors import portal_settings_get
from governance.services import portal_setting_save

pytestmark = pytest.mark.django_db


def _member(network, username):
    return make_persona(username, is_staff=True, kind=Role.Kind.MEMBER, body=network.steering_group)


def _rule(rule):
    PortalSetting.objects.update_or_create(pk=1, defaults={"budget_decision_rule": rule})


def _status(budget):
    return Budget.objects.get(pk=budget.pk).status


# -- the default rule: the leader and at least one other member --------------------------------


def test_leader_and_member_approve(submitted, steering_leader, steering_member):
    budget_approve(budget=submitted, user=steering_leader, comment="For")
    assert _status(submitted) == "submitted"

    budget_approve(budget=submitted, user=steering_member, comment="Enig")

    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_by) == ("approved", steering_member)
    assert list(submitted.votes.values_list("voter", "choice", "comment", "submission")) == [
        (steering_leader.pk, "approve", "For", 1),
        (steering_member.pk, "approve", "Enig", 1),
    ]
    assert budget_audit_entries(budget=submitted).filter(action=AuditAction.BUDGET_APPROVE).count() == 1


def test_two_members_without_the_leader_do_not_approve_by_default(funded, submitted, steering_leader, steering_member):
    second = _member(funded, "styre2")

    budget_approve(budget=submitted, user=steering_member)
    budget_approve(budget=submitted, user=second)

    assert _status(submitted) == "submitted"
    decision = budget_decision(budget=submitted)
    assert (decision.met, decision.needs) == (False, "Mangler: lederens stemme.")
    budget_approve(budget=submitted, user=steering_leader)
    assert _status(submitted) == "approved"


def test_the_leader_alone_does_not_approve(submitted, steering_leader, steering_member):
    budget_approve(budget=submitted, user=steering_leader)

    assert _status(submitted) == "submitted"
    assert budget_decision(budget=submitted).needs == "Mangler: én stemme til fra et annet medlem."


# -- the majority rule ---------------------------------------------------------------------------


def test_majority_of_the_seated_members_approves(funded, draft, daily_leader, steering_leader, steering_member):
    _rule(DecisionRule.MAJORITY)
    submitted = budget_submit(budget=draft, user=daily_leader)  # laid forward under the majority rule
    second, third = _member(funded, "styre2"), _member(funded, "styre3")  # four seats: three is a majority

    budget_approve(budget=submitted, user=steering_member)
    budget_approve(budget=submitted, user=second)
    assert _status(submitted) == "submitted"
    assert budget_decision(budget=submitted).needs == "Mangler 1 stemme for flertall (3 av 4)."

    budget_approve(budget=submitted, user=third)

    assert _status(submitted) == "approved"
    assert submitted.votes.count() == 3  # the leader did not need to vote


def test_the_rule_a_budget_was_laid_forward_with_holds_while_it_is_voted_on(
    funded, submitted, steering_leader, steering_member
):
    """Central staff change the rule while a vote is under way: the budget laid forward is
    still counted by its own rule (no budget that "meets the rule" but stays unapproved), and
    the next submission takes the new one."""
    third = _member(funded, "styre2")
    budget_approve(budget=submitted, user=steering_member)
    budget_approve(budget=submitted, user=third)  # two of three: a majority, but not the leader
    _rule(DecisionRule.MAJORITY)

    decision = budget_decision(budget=submitted)
    assert (submitted.decision_rule, decision.rule, decision.met) == ("leader_and_member", "leader_and_member", False)
    assert decision.needs == "Mangler: lederens stemme."
    budget_approve(budget=submitted, user=steering_leader)
    assert _status(submitted) == "approved"


def test_votes_of_someone_no_longer_seated_do_not_count(funded, submitted, steering_leader, steering_member):
    budget_approve(budget=submitted, user=steering_member)
    Role.objects.filter(user=steering_member).update(valid_to=timezone.localdate() - timedelta(days=1))

    budget_approve(budget=submitted, user=steering_leader)

    decision = budget_decision(budget=submitted)
    assert _status(submitted) == "submitted"
    assert [vote.voter for vote in decision.unseated_votes] == [steering_member]
    assert [row.seat.user_id for row in decision.seats] == [steering_leader.pk]


# -- who votes, and how often ---------------------------------------------------------------------


def test_the_submitter_cannot_vote(funded, case_preparer_on_board, steering_member, steering_leader):
    from funding.services import budget_draft

    budget = budget_submit(budget=budget_draft(year=2020, user=case_preparer_on_board), user=case_preparer_on_board)

    with pytest.raises(PermissionDenied):
        budget_approve(budget=budget, user=case_preparer_on_board)
    with pytest.raises(PermissionDenied):
        budget_return(budget=budget, user=case_preparer_on_board, comment="Selv")

    assert not budget.votes.exists()
    # The submitter holds a leader's seat; the other seated leader and a member decide.
    board_approves(budget, steering_member, steering_leader)


def test_a_second_vote_by_the_same_member_is_refused(submitted, steering_member, steering_leader):
    budget_approve(budget=submitted, user=steering_member, comment="For")

    with pytest.raises(ValidationError, match="Du har allerede stemt"):
        budget_approve(budget=submitted, user=steering_member, comment="For igjen")
    with pytest.raises(ValidationError, match="Du har allerede stemt"):
        budget_return(budget=submitted, user=steering_member, comment="Ombestemt meg")

    assert list(submitted.votes.values_list("comment", flat=True)) == ["For"]
    assert _status(submitted) == "submitted"


def test_a_return_by_one_member_returns_with_the_comment(submitted, steering_leader, steering_member):
    budget_approve(budget=submitted, user=steering_leader, comment="For")

    budget_return(budget=submitted, user=steering_member, comment="Mer til Romerike")

    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_by) == ("returned", steering_member)
    assert submitted.votes.get(voter=steering_member).choice == BudgetVote.Choice.RETURN
    entry = budget_audit_entries(budget=submitted).get(action=AuditAction.BUDGET_RETURN)
    assert (entry.actor, entry.comment) == (steering_member, "Mer til Romerike")


def test_votes_start_afresh_when_submitted_again(submitted, daily_leader, steering_leader, steering_member):
    budget_approve(budget=submitted, user=steering_leader, comment="For")
    budget_return(budget=submitted, user=steering_member, comment="Se over reserven")

    budget_submit(budget=submitted, user=daily_leader)

    assert submitted.submission == 2
    assert list(budget_decision(budget=submitted).approved_by) == []
    budget_approve(budget=submitted, user=steering_member)  # a new submission: a new vote
    assert _status(submitted) == "submitted"  # the leader's vote on the first one does not count
    budget_approve(budget=submitted, user=steering_leader)
    assert _status(submitted) == "approved"
    assert submitted.votes.count() == 4  # every vote kept for the record


def test_a_new_revision_starts_with_no_votes(approved, daily_leader, steering_leader, steering_member):
    revision = budget_revise(budget=approved, user=daily_leader)
    budget_submit(budget=revision, user=daily_leader)

    assert not revision.votes.exists()
    assert budget_decision(budget=revision).approved_by == frozenset()
    board_approves(revision, steering_member, steering_leader)


# -- the rule is a setting, audited ---------------------------------------------------------------


def test_changing_the_rule_is_audited(daily_leader):
    setting = portal_settings_get()
    setting.budget_decision_rule = DecisionRule.MAJORITY

    portal_setting_save(setting=setting, user=daily_leader)

    entry = AuditEntry.objects.get(action=AuditAction.PORTAL_SETTING_UPDATE)
    assert entry.actor == daily_leader
    assert entry.changes["budget_decision_rule"] == ["leader_and_member", "majority"]


def test_central_staff_change_the_rule_in_the_admin_and_members_cannot(
    client, daily_leader, steering_member, steering_leader
):
    setting = portal_settings_get()
    url = reverse("admin:governance_portalsetting_change", args=[setting.pk])
    data = {
        "pupil_load_threshold": setting.pupil_load_threshold,
        "large_amount_warning": "100000",
        "budget_decision_rule": "majority",
        "pupil_retention_school_years": setting.pupil_retention_school_years,
        "clash_days_same_instrument": setting.clash_days_same_instrument,
        "max_activities_per_school_month": setting.max_activities_per_school_month,
        "max_travel_km": setting.max_travel_km,
    }

    client.force_login(steering_member)
    assert client.post(url, data).status_code == 403
    client.force_login(daily_leader)
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert portal_settings_get().budget_decision_rule == "majority"
    assert AuditEntry.objects.filter(action=AuditAction.PORTAL_SETTING_UPDATE, actor=daily_leader).exists()


def test_the_page_shows_each_members_vote_and_what_is_missing(client, submitted, steering_leader, steering_member):
    steering_leader.first_name, steering_leader.last_name = "Anne", "Leder"
    steering_leader.save()
    budget_approve(budget=submitted, user=steering_leader, comment="Godt arbeid")
    client.force_login(steering_member)

    content = client.get(reverse("admin:funding_budget_change", args=[submitted.pk])).content.decode()

    assert "Lederen og minst ett annet medlem" in content
    assert "Anne Leder (leder)" in content and "Godt arbeid" in content
    assert "Mangler: én stemme til fra et annet medlem." in content
    assert 'id="budget-approve"' in content  # the member has not voted yet
    client.force_login(steering_leader)
    assert (
        'id="budget-approve"'
        not in client.get(reverse("admin:funding_budget_change", args=[submitted.pk])).content.decode()
    )


# -- the rule itself --------------------------------------------------------------------------


@given(
    seated=st.integers(min_value=0, max_value=9),
    leader=st.booleans(),
    approvals=st.sets(st.integers(min_value=0, max_value=12), max_size=12),
)
def test_decision_rules_as_written(seated, leader, approvals):
    seats = [Seat(user_id=i, name=f"m{i}", is_leader=leader and i == 0) for i in range(seated)]
    counted = {i for i in approvals if i < seated}

    by_majority = decision_rule_met(rule=DecisionRule.MAJORITY, seats=seats, approved_by=approvals)
    by_leader = decision_rule_met(rule=DecisionRule.LEADER_AND_MEMBER, seats=seats, approved_by=approvals)

    assert by_majority == (seated > 0 and 2 * len(counted) > seated)
    assert by_leader == (leader and 0 in counted and len(counted) >= 2)
    assert majority_of(seated) * 2 > seated >= (majority_of(seated) - 1) * 2


def test_an_unknown_rule_is_an_error():
    with pytest.raises(ValueError):
        decision_rule_met(rule="anyone", seats=[], approved_by=[])


# -- two votes at the same moment (PostgreSQL) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_votes_at_the_same_moment_approve_once_and_both_are_recorded(submitted, steering_leader, steering_member):
    """The leader and a member press "Ja, jeg stemmer for å vedta" at the same moment, on two
    connections: each vote locks the budget's row, so the second waits for the first, counts
    it, and approves. Both votes are recorded; the budget is approved once."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs two connections that wait for each other's row locks (PostgreSQL)")
    start, results = threading.Barrier(2, timeout=20), {}

    def vote(user):
        try:
            start.wait()
            results[user.username] = budget_approve(
                budget=Budget.objects.get(pk=submitted.pk), user=user, comment="For"
            ).status
        except Exception as error:  # reported by the main thread
            results[user.username] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(user,)) for user in (steering_leader, steering_member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(results.values()) == ["approved", "submitted"], results
    assert _status(submitted) == "approved"
    assert submitted.votes.count() == 2
    assert budget_audit_entries(budget=submitted).filter(action=AuditAction.BUDGET_APPROVE).count() == 1
    assert budget_audit_entries(budget=submitted).filter(action=AuditAction.BUDGET_VOTE).count() == 2


# -- the demo ---------------------------------------------------------------------------------------


def test_the_demo_has_a_rule_and_the_2020_budget_waits_for_votes(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)

    budget = Budget.objects.get(year=2020)
    decision = budget_decision(budget=budget, on=date(2020, 3, 1))

    assert portal_settings_get().budget_decision_rule == DecisionRule.LEADER_AND_MEMBER
    assert (budget.status, budget.submission, budget.votes.count()) == ("submitted", 1, 0)
    assert [(row.seat.is_leader, row.vote) for row in decision.seats][:1] == [(True, None)]
    assert len(decision.seats) >= 2 and not decision.met


# -- the confirmation pages, for each persona ------------------------------------------------------

CONFIRM_PAGES = {"submit": {"daily_leader", "nmh_coordinator"}, "approve": {"steering_member", "steering_leader"}}
CONFIRM_PAGES["return"] = CONFIRM_PAGES["approve"]


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("step", sorted(CONFIRM_PAGES))
def test_confirmation_pages_open_only_for_who_may_take_the_step(client, draft, daily_leader, persona, who, step):
    """The confirmation page of laying before the steering group (a draft) and of a vote (a
    submitted budget): 200 for whoever may take the step, 403 for everyone else; nothing is
    written by opening it."""
    budget = draft if step == "submit" else budget_submit(budget=draft, user=daily_leader)
    client.force_login(persona(who))
    before = (Budget.objects.get(pk=budget.pk).status, AuditEntry.objects.count(), BudgetVote.objects.count())

    response = client.get(reverse(f"admin:funding_budget_{step}", args=[budget.pk]))

    assert response.status_code == (200 if who in CONFIRM_PAGES[step] else 403)
    assert (Budget.objects.get(pk=budget.pk).status, AuditEntry.objects.count(), BudgetVote.objects.count()) == before


def test_a_vote_page_for_a_budget_no_longer_waiting_says_why(client, approved, steering_member):
    """A member who opens "Stem for å vedta" after the budget was decided is sent to the budget
    with the reason, not to a page that would fail on confirming."""
    client.force_login(steering_member)

    response = client.get(reverse("admin:funding_budget_approve", args=[approved.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:funding_budget_change", args=[approved.pk])
    assert "Bare et framlagt budsjett kan behandles" in response.content.decode()


def test_a_vote_from_a_page_drawn_for_an_earlier_submission_is_refused(
    client, submitted, daily_leader, steering_leader, steering_member
):
    """The chair opens the vote's confirmation page (submission 1); meanwhile a member returns
    the budget, the daily leader changes it and lays it forward again (submission 2). The
    chair's confirmation of the old page does not count for figures the chair did not see."""
    client.force_login(steering_leader)
    page = client.get(reverse("admin:funding_budget_approve", args=[submitted.pk]))
    assert 'name="submission" value="1"' in page.content.decode()
    budget_return(budget=submitted, user=steering_member, comment="Se over reserven")
    budget_submit(budget=submitted, user=daily_leader)

    response = client.post(
        reverse("admin:funding_budget_approve", args=[submitted.pk]),
        {"confirmed": "1", "submission": "1", "comment": "For"},
        follow=True,
    )

    assert "er lagt fram på nytt siden du åpnet siden" in response.content.decode()
    assert not submitted.votes.filter(voter=steering_leader).exists()
    assert _status(submitted) == "submitted"
    for odd in ("abc", "", "-1", "99999999999999999999"):
        client.post(reverse("admin:funding_budget_approve", args=[submitted.pk]), {"confirmed": "1", "submission": odd})
    assert not submitted.votes.filter(voter=steering_leader).exists()


@pytest.mark.parametrize("char", ["\x1b", "\x01", "\x7f", "\x85"])
def test_a_comment_with_a_control_character_is_refused(submitted, steering_member, char):
    with pytest.raises(ValidationError, match="kontrolltegn"):
        budget_approve(budget=submitted, user=steering_member, comment=f"For{char}")
    assert not submitted.votes.exists()
    budget_approve(budget=submitted, user=steering_member, comment="For.\nLinjeskift og\ttab er tekst.")
    assert submitted.votes.count() == 1


# -- the votes on the page and the confirmation page (issue 12, tester's findings 4 and 5) --------


def test_a_vote_of_someone_no_longer_seated_shows_when_it_was_cast(
    client, funded, submitted, steering_leader, steering_member
):
    from django.utils import translation

    from core.formatting import datetime_text

    budget_approve(budget=submitted, user=steering_member, comment="Før jeg gikk av")
    vote = submitted.votes.get(voter=steering_member)
    Role.objects.filter(user=steering_member).update(valid_to=timezone.localdate() - timedelta(days=1))
    client.force_login(steering_leader)

    content = client.get(
        reverse("admin:funding_budget_change", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="nb"
    ).content.decode()

    row = content[content.index('class="budget-vote-unseated"') :]
    row = row[: row.index("</tr>")]
    with translation.override("nb"):
        assert datetime_text(vote.cast_at) in row
    assert "har ikke lenger sete" in row and "Før jeg gikk av" in row and "<td>–</td>" not in row


def test_the_submitter_holding_a_seat_is_marked_as_not_voting(
    client, funded, case_preparer_on_board, steering_member, steering_leader
):
    from funding.services import budget_draft

    budget = budget_submit(budget=budget_draft(year=2020, user=case_preparer_on_board), user=case_preparer_on_board)
    client.force_login(steering_member)

    content = client.get(
        reverse("admin:funding_budget_change", args=[budget.pk]), HTTP_ACCEPT_LANGUAGE="nb"
    ).content.decode()

    assert content.count("(la fram budsjettet, stemmer ikke)") == 1
    row = content[content.index('class="budget-vote-submitter"') :]
    assert "(la fram budsjettet, stemmer ikke)" in row[: row.index("</tr>")]
    confirm = client.get(reverse("admin:funding_budget_approve", args=[budget.pk]), HTTP_ACCEPT_LANGUAGE="nb")
    assert confirm.content.decode().count("(la fram budsjettet, stemmer ikke)") == 1


def test_the_vote_page_on_a_revision_shows_what_changed_since_the_last(
    client, approved, daily_leader, steering_leader, steering_member
):
    from decimal import Decimal

    from funding.models import BudgetLine
    from funding.services import budget_line_set

    revision = budget_revise(budget=approved, user=daily_leader)
    reserve = revision.lines.get(kind=BudgetLine.Kind.RESERVE)
    budget_line_set(
        budget=revision, user=daily_leader, line=reserve, kind="reserve", label="Reserve", amount=reserve.amount + 5000
    )
    budget_line_set(
        budget=revision, user=daily_leader, kind="other_income", label="Gave fra sparebanken", amount=Decimal("5000")
    )
    revision = budget_submit(budget=revision, user=daily_leader)
    client.force_login(steering_member)

    content = client.get(
        reverse("admin:funding_budget_approve", args=[revision.pk]), HTTP_ACCEPT_LANGUAGE="nb"
    ).content.decode()

    assert 'id="budget-changes"' in content and "Endringer siden revisjon 1" in content
    assert 'id="budget-changes-totals"' in content and "Revisjon 2" in content
    lines = content[content.index('id="budget-changes-lines"') :]
    lines = lines[: lines.index("</table>")]
    assert "Gave fra sparebanken" in lines and "Lagt til" in lines
    assert "Reserve" in lines and "Endret" in lines
    # A first revision has nothing to compare with.
    first = client.get(reverse("admin:funding_budget_change", args=[approved.pk]), HTTP_ACCEPT_LANGUAGE="nb")
    assert 'id="budget-changes"' not in first.content.decode()
