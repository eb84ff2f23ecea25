from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funding.models import Budget, BudgetLine
from funding.selectors import (
    AllocationUnit,
    allocation_propose,
    budget_audit_entries,
    budget_fairness,
    budget_in_force,
    budget_scenario,
    budget_totals,
    budget_vs_actual,
    split_whole_kroner,
)
from funding.services import (
    budget_approve,
    budget_draft,
    budget_line_delete,
    budget_line_set,
    budget_rebalance,
    budget_return,
    budget_revise,
    budget_submit,
)
from funding.tests.conftest import PERSONAS, board_approves
from funding.tests.factories import BudgetFactory, BudgetLineFactory, costed_activity
from governance.models import AuditEntry, CooperationArea

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
D = Decimal


def _amounts(budget, kind):
    return {line.label: line.amount for line in budget.lines.filter(kind=kind)}


def _snapshot(budget):
    budget = Budget.objects.get(pk=budget.pk)
    lines = list(budget.lines.order_by("pk").values_list("kind", "label", "amount"))
    return (budget.status, budget.submitted_by_id, budget.decided_by_id, lines, AuditEntry.objects.count())


# -- the draft: income from the formula, expenses from the assumptions --------------------------


def test_budget_draft_income_from_tiers_and_index(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)

    assert _amounts(budget, BudgetLine.Kind.COUNTY_GRANT) == {"Fylkeskommunalt tilskudd, Viken": D("1030000.00")}
    assert sorted(_amounts(budget, BudgetLine.Kind.MUNICIPAL_CONTRIBUTION).values()) == [
        D("60000.00"),
        D("80000.00"),
        D("100000.00"),
    ]
    assert _amounts(budget, BudgetLine.Kind.PARTNER_CASH) == {"NMH: Kontantbidrag": D("100000.00")}
    assert _amounts(budget, BudgetLine.Kind.IN_KIND) == {"NMH: Lokaler": D("50000.00")}


def test_budget_draft_expenses_balance_with_reserve(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)
    totals = budget_totals(budget=budget)

    assert (totals.income, totals.expense, totals.in_kind, totals.balance) == (
        D("1370000.00"),
        D("1370000.00"),
        D("50000.00"),
        D("0.00"),
    )
    assert _amounts(budget, BudgetLine.Kind.CENTRAL_MANAGEMENT) == {
        "Sentral ledelse, stilling 1 (70 %)": D("280000.00"),
        "Sentral ledelse, stilling 2 (30 %)": D("120000.00"),
        "Koordinator Follo (25 %)": D("100000.00"),
        "Koordinator Romerike (25 %)": D("100000.00"),
    }
    assert _amounts(budget, BudgetLine.Kind.SCHOOL_ALLOCATION) == {
        "Tildeling Skole A": D("38500.00"),
        "Tildeling Skole A2": D("115500.00"),
        "Tildeling Skole B": D("231000.00"),
    }
    assert _amounts(budget, BudgetLine.Kind.REGION_POOL) == {
        "Regional pott Follo": D("92400.00"),
        "Regional pott Romerike": D("138600.00"),
    }
    assert _amounts(budget, BudgetLine.Kind.AREA_EARMARK) == {"Øremerket Unge dirigenter": D("77000.00")}
    assert _amounts(budget, BudgetLine.Kind.RESERVE) == {"Reserve": D("77000.00")}
    assert (budget.status, budget.revision, budget.created_by) == ("draft", 1, daily_leader)


def test_budget_draft_indexes_county_grant_when_year_missing(network, daily_leader):
    from funding.models import BudgetAssumptions, CountyGrant
    from funding.services import county_grant_set
    from schools.tests.factories import CountyFactory, PopulationFactory

    for school in (network.school_a, network.school_a2, network.school_b):
        PopulationFactory(municipality=school.municipality, year=2021, population=30_000)
    county_grant_set(year=2020, county=CountyFactory(), amount=D("2500000"))
    BudgetAssumptions.objects.create(year=2021, county_index_factor=D("1.0310"))

    budget_draft(year=2021, user=daily_leader)

    assert CountyGrant.objects.get(year=2021).amount == D("2577500.00")


def test_budget_draft_twice_for_a_year_refused(funded, daily_leader):
    budget_draft(year=2020, user=daily_leader)

    with pytest.raises(ValidationError) as excinfo:
        budget_draft(year=2020, user=daily_leader)

    assert list(excinfo.value.message_dict) == ["year"]
    assert Budget.objects.count() == 1


def test_budget_draft_refused_for_steering_member(funded, steering_member):
    with pytest.raises(PermissionDenied):
        budget_draft(year=2020, user=steering_member)

    assert Budget.objects.count() == 0


# -- allocation keys and fairness ---------------------------------------------------------------


def test_split_whole_kroner_adds_up_exactly():
    assert split_whole_kroner(D("100"), [D(1), D(1), D(1)]) == [D(34), D(33), D(33)]
    assert split_whole_kroner(D("10"), [D(0), D(0)]) == [D(5), D(5)]


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({"equal": D(1)}, [D(128334), D(128333), D(128333)]),
        ({"pupils": D(1)}, [D(38500), D(115500), D(231000)]),
        ({"contribution": D(1)}, [D(96250), D(128333), D(160417)]),
        ({"equal": D("0.4"), "pupils": D("0.4"), "contribution": D("0.2")}, [D(85983), D(123200), D(175817)]),
    ],
    ids=["equal", "pupils", "contribution", "mixed"],
)
def test_allocation_propose_keys(network, weights, expected):
    units = [
        AllocationUnit("A", network.follo, network.school_a, 100, D("60000")),
        AllocationUnit("A2", network.follo, network.school_a2, 300, D("80000")),
        AllocationUnit("B", network.romerike, network.school_b, 600, D("100000")),
    ]

    assert allocation_propose(units=units, total=D("385000"), weights=weights) == expected


def test_budget_fairness_shows_pays_in_against_gets(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)

    fairness = budget_fairness(budget=budget)
    rows = {
        row.unit.name: (row.unit.pupils, row.unit.pays_in, row.gets, row.per_pupil, row.net) for row in fairness.schools
    }

    assert rows == {
        "Skole A": (100, D("60000"), D("38500.00"), D("385"), D("-21500.00")),
        "Skole A2": (300, D("80000"), D("115500.00"), D("385"), D("35500.00")),
        "Skole B": (600, D("100000"), D("231000.00"), D("385"), D("131000.00")),
    }
    assert fairness.schools[0].by_key == {
        "equal": D(128334),
        "pupils": D(38500),
        "contribution": D(96250),
        "mixed": D(85983),
    }
    assert [(r.unit.name, r.gets) for r in fairness.regions] == [
        ("Follo", D("246400.00")),
        ("Romerike", D("369600.00")),
    ]


def test_budget_scenario_whole_county_joins(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)

    scenario = budget_scenario(budget=budget, pupils=1400)

    # 770,000 reaches schools, regions, earmarks and reserve: 770 kr per pupil for 1,000 pupils.
    assert (scenario.pupils_now, scenario.per_pupil, scenario.increase_percent) == (1000, D("770"), D("40.0"))
    assert (scenario.required_total, scenario.gap) == (D("1678000.00"), D("308000.00"))


# -- balance ------------------------------------------------------------------------------------


def test_budget_submit_unbalanced_refused(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)
    reserve = budget.lines.get(kind=BudgetLine.Kind.RESERVE)
    budget_line_set(budget=budget, user=daily_leader, line=reserve, kind="reserve", label="Reserve", amount=D("1"))
    before = _snapshot(budget)

    with pytest.raises(ValidationError):
        budget_submit(budget=budget, user=daily_leader)

    assert _snapshot(budget) == before


def test_budget_rebalance_reserve_takes_difference(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)
    pool = budget.lines.get(label="Regional pott Follo")
    budget_line_set(
        budget=budget,
        user=daily_leader,
        line=pool,
        kind="region_pool",
        label=pool.label,
        amount=D("100000"),
        region=funded.follo,
    )

    budget_rebalance(budget=budget, user=daily_leader)

    assert budget.lines.get(kind="reserve").amount == D("69400.00")
    assert budget_totals(budget=budget).is_balanced


# -- the transition matrix ------------------------------------------------------------------------

SUBMITTERS = {"daily_leader", "nmh_coordinator"}
DECIDERS = {"steering_member", "steering_leader"}


@pytest.mark.parametrize("who", PERSONAS)
def test_budget_submit_matrix(funded, daily_leader, persona, who):
    budget = budget_draft(year=2020, user=daily_leader)
    user = persona(who)
    before = _snapshot(budget)

    if who in SUBMITTERS:
        budget_submit(budget=budget, user=user)
        assert (budget.status, budget.submitted_by) == ("submitted", user)
    else:
        with pytest.raises(PermissionDenied):
            budget_submit(budget=budget, user=user)
        assert _snapshot(budget) == before


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("decision", ["approve", "return"])
def test_budget_decide_matrix(funded, daily_leader, persona, who, decision):
    """Who may vote: a steering-group seat. A vote to approve is recorded (alone it does not
    meet the default rule); a vote to return returns the budget at once."""
    budget = budget_submit(budget=budget_draft(year=2020, user=daily_leader), user=daily_leader)
    user = persona(who)
    before = _snapshot(budget)

    def decide():
        if decision == "approve":
            return budget_approve(budget=budget, user=user, comment="Godkjent")
        return budget_return(budget=budget, user=user, comment="Mer til Romerike")

    if who in DECIDERS:
        decide()
        expected = {"approve": ("submitted", None), "return": ("returned", user)}[decision]
        assert (Budget.objects.get(pk=budget.pk).status, budget.decided_by) == expected
        assert list(budget.votes.values_list("voter", "choice", "submission")) == [(user.pk, decision, 1)]
    else:
        with pytest.raises(PermissionDenied):
            decide()
        assert _snapshot(budget) == before
        assert not budget.votes.exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_budget_edit_after_approval_refused(funded, daily_leader, steering_leader, steering_member, persona, who):
    budget = budget_submit(budget=budget_draft(year=2020, user=daily_leader), user=daily_leader)
    board_approves(budget, steering_leader, steering_member)
    line = budget.lines.get(kind="reserve")
    before = _snapshot(budget)
    user = persona(who)

    with pytest.raises((PermissionDenied, ValidationError)):
        budget_line_set(budget=budget, user=user, line=line, kind="reserve", label="Reserve", amount=D("0"))
    with pytest.raises((PermissionDenied, ValidationError)):
        budget_line_delete(line=line, user=user)
    with pytest.raises((PermissionDenied, ValidationError)):
        budget_submit(budget=budget, user=user)

    assert _snapshot(budget) == before


def test_budget_self_approval_refused(funded, case_preparer_on_board, steering_leader, steering_member):
    budget = budget_submit(budget=budget_draft(year=2020, user=case_preparer_on_board), user=case_preparer_on_board)
    before = _snapshot(budget)

    with pytest.raises(PermissionDenied):
        budget_approve(budget=budget, user=case_preparer_on_board)
    with pytest.raises(PermissionDenied):
        budget_return(budget=budget, user=case_preparer_on_board, comment="Selv")
    assert _snapshot(budget) == before

    board_approves(budget, steering_leader, steering_member)


def test_budget_approve_draft_refused_as_wrong_state(funded, daily_leader, steering_member):
    budget = budget_draft(year=2020, user=daily_leader)

    with pytest.raises(ValidationError):
        budget_approve(budget=budget, user=steering_member)

    assert Budget.objects.get(pk=budget.pk).status == "draft"


def test_budget_return_needs_comment_then_resubmit(funded, daily_leader, steering_member):
    budget = budget_submit(budget=budget_draft(year=2020, user=daily_leader), user=daily_leader)

    with pytest.raises(ValidationError):
        budget_return(budget=budget, user=steering_member, comment=" ")
    budget_return(budget=budget, user=steering_member, comment="Flytt 10 000 til Romerike")
    pool = budget.lines.get(label="Regional pott Romerike")
    budget_line_set(
        budget=budget,
        user=daily_leader,
        line=pool,
        kind="region_pool",
        label=pool.label,
        amount=D("148600"),
        region=funded.romerike,
    )
    budget_rebalance(budget=budget, user=daily_leader)
    budget_submit(budget=budget, user=daily_leader)

    assert (budget.status, budget.decided_by) == ("submitted", None)


# -- revisions and audit ----------------------------------------------------------------------


def test_budget_revision_chain(funded, daily_leader, nmh_coordinator, steering_member, steering_leader):
    first = budget_submit(budget=budget_draft(year=2020, user=daily_leader), user=daily_leader)
    board_approves(first, steering_member, steering_leader)

    second = budget_revise(budget=first, user=daily_leader)
    assert (second.revision, second.replaces, second.status) == (2, first, "draft")
    assert second.lines.count() == first.lines.count()
    assert budget_in_force(year=2020) == first
    with pytest.raises(ValidationError):
        budget_revise(budget=first, user=daily_leader)

    reserve = second.lines.get(kind="reserve")
    earmark = second.lines.get(kind="area_earmark")
    budget_line_set(
        budget=second,
        user=nmh_coordinator,
        line=earmark,
        kind="area_earmark",
        label=earmark.label,
        amount=D("87000"),
        cooperation_area=earmark.cooperation_area,
        comment="Mer til unge dirigenter",
    )
    budget_line_set(
        budget=second, user=nmh_coordinator, line=reserve, kind="reserve", label="Reserve", amount=D("67000")
    )
    budget_submit(budget=second, user=nmh_coordinator)
    assert not second.votes.exists()  # a new revision starts with no votes
    board_approves(second, steering_leader, steering_member)

    first.refresh_from_db()
    assert (first.status, second.status) == ("approved", "approved")
    assert budget_in_force(year=2020) == second
    assert first.lines.get(kind="area_earmark").amount == D("77000.00")
    assert budget_revise(budget=second, user=daily_leader).revision == 3


def test_budget_audit_entry_for_every_transition(funded, daily_leader, steering_member, steering_leader):
    budget = budget_draft(year=2020, user=daily_leader)
    budget_submit(budget=budget, user=daily_leader)
    budget_return(budget=budget, user=steering_member, comment="Mer til Romerike")
    reserve = budget.lines.get(kind="reserve")
    budget_line_set(
        budget=budget,
        user=daily_leader,
        line=reserve,
        kind="reserve",
        label="Reserve",
        amount=D("77000"),
        note="Uendret",
        comment="Forklart i møtet",
    )
    budget_submit(budget=budget, user=daily_leader)
    budget_approve(budget=budget, user=steering_member, comment="Enig")
    budget_approve(budget=budget, user=steering_leader, comment="Vedtatt i møte 3/2020")

    entries = list(budget_audit_entries(budget=budget).order_by("at", "id"))

    assert [(e.action, e.actor, e.changes.get("status"), e.comment) for e in entries] == [
        ("budget_draft", daily_leader, [None, "draft"], ""),
        ("budget_submit", daily_leader, ["draft", "submitted"], ""),
        ("budget_return", steering_member, ["submitted", "returned"], "Mer til Romerike"),
        ("budget_line_change", daily_leader, None, "Forklart i møtet"),
        ("budget_submit", daily_leader, ["returned", "submitted"], ""),
        ("budget_vote", steering_member, None, "Enig"),
        ("budget_vote", steering_leader, None, "Vedtatt i møte 3/2020"),
        ("budget_approve", steering_leader, ["submitted", "approved"], "Vedtatt i møte 3/2020"),
    ]
    assert entries[-1].changes["approved_by"] == [None, "styreleder, styre"]  # the leader first
    assert entries[3].changes == {
        "note": ["Differansen mellom inntekter og utgifter", "Uendret"],
        "line": ["Reserve", "Reserve"],
    }
    assert entries[0].at.tzinfo is not None and entries[0].at.utcoffset().total_seconds() == 0


def test_budget_line_add_and_delete_audited(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)

    line = budget_line_set(budget=budget, user=daily_leader, kind="other_income", label="Gave", amount=D("5000"))
    budget_line_delete(line=line, user=daily_leader, comment="Feilført")

    entries = list(budget_audit_entries(budget=budget).order_by("id").values_list("action", "changes", "comment"))
    assert entries[1:] == [
        (
            "budget_line_add",
            {
                "kind": [None, "other_income"],
                "label": [None, "Gave"],
                "amount": [None, "5000.00"],
                "note": [None, ""],
                "line": [None, "Gave"],
            },
            "",
        ),
        (
            "budget_line_delete",
            {
                "kind": ["other_income", None],
                "label": ["Gave", None],
                "amount": ["5000.00", None],
                "note": ["", None],
                "line": ["Gave", None],
            },
            "Feilført",
        ),
    ]


def test_audit_entries_cannot_be_changed(funded, daily_leader):
    budget = budget_draft(year=2020, user=daily_leader)
    entry = budget_audit_entries(budget=budget).get()

    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


# -- budget against actual ----------------------------------------------------------------------


def test_budget_vs_actual_hand_computed(booked_budget):
    area = CooperationArea.objects.get(number=4)

    actual = budget_vs_actual(budget=booked_budget)

    assert [(r.label, r.budgeted, r.committed, r.spent, r.left, r.over_budget) for r in actual.lines] == [
        ("Pott Follo", D("20000.00"), D("3000.00"), D("10000.00"), D("7000.00"), False),
        ("Pott Romerike", D("8000.00"), D("5000.00"), D("6000.00"), D("-3000.00"), True),
        ("Skole A", D("5000.00"), D("0"), D("2000.00"), D("3000.00"), False),
        ("Skole B (ikke budsjettert)", D("0"), D("0"), D("1500.00"), D("-1500.00"), True),
        ("Unge dirigenter", D("4000.00"), D("0"), D("2500.00"), D("1500.00"), False),
    ]
    assert [(r.label, r.budgeted, r.committed, r.spent, r.left) for r in actual.regions] == [
        ("Follo", D("25000.00"), D("3000.00"), D("12000.00"), D("10000.00")),
        ("Romerike", D("8000.00"), D("5000.00"), D("7500.00"), D("-4500.00")),
    ]
    assert [(r.target.number, r.budgeted, r.spent) for r in actual.areas] == [
        (4, D("4000.00"), D("2500.00")),
        (9, D("0"), D("0")),
    ]
    assert actual.area_costs == {area.pk: D("30000.00"), CooperationArea.objects.get(number=9).pk: D("2500.00")}
    total = actual.total
    assert (total.budgeted, total.committed, total.spent, total.left) == (
        D("37000.00"),
        D("8000.00"),
        D("22000.00"),
        D("7000.00"),
    )


def test_budget_vs_actual_query_count_constant(network, daily_leader, django_assert_num_queries):
    budget = BudgetFactory(year=2020)
    BudgetLineFactory(budget=budget, kind="region_pool", label="Pott Follo", amount=D("20000"), region=network.follo)
    costed_activity(network.romerike, "1000")
    # lines, activities with their costs, bookings, activity areas, areas without an earmark,
    # names of unbudgeted targets (the Romerike pool)
    with django_assert_num_queries(6):
        budget_vs_actual(budget=budget)
    for cost in ("1000", "2000"):
        costed_activity(network.romerike, cost)
        costed_activity(network.follo, cost)
    with django_assert_num_queries(6):
        budget_vs_actual(budget=budget)


def test_mixed_key_weights_not_100_refused_with_message(network):
    from funding.models import BudgetAssumptions

    assumptions = BudgetAssumptions(
        year=2021,
        allocation_key=BudgetAssumptions.AllocationKey.MIXED,
        weight_equal=40,
        weight_pupils=40,
        weight_contribution=10,
    )

    with pytest.raises(ValidationError) as excinfo:
        assumptions.full_clean()

    assert excinfo.value.message_dict["weight_equal"] == [
        "Vektene i en blandet nøkkel må bli 100 % til sammen (nå 90 %)."
    ]
