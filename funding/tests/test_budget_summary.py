"""Issue 12: the budget in four figures at the top of its page, against the previous year's
approved budget. Figures made by hand:

- 2019, in force (revision 2, approved): income 4,000,000 + 57,598 = 4,057,598; expenses
  3,000,000 + 1,057,598 = 4,057,598; in kind 50,000; balance 0. (Revision 1, also approved
  but superseded, has other figures and must not count.)
- 2020 (draft): income 4,100,000 + 87,500 = 4,187,500; expenses 4,200,000; in kind 50,000;
  balance -12,500.
- change: income +129,902 (129,902 / 4,057,598 = 3.20 %), expenses +142,402 (3.51 %), in
  kind 0 (0.0 %), balance -12,500 (no percent: the previous balance is 0).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Budget
from funding.selectors import SummaryRow, budget_summary
from funding.tests.factories import BudgetFactory, BudgetLineFactory

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
APPROVED = Budget.Status.APPROVED


def _budget(year, revision, status, lines):
    budget = BudgetFactory(year=year, revision=revision, status=status)
    for kind, amount in lines:
        BudgetLineFactory(budget=budget, kind=kind, amount=Decimal(amount))
    return budget


@pytest.fixture
def previous():
    _budget(2019, 1, APPROVED, [("county_grant", "1"), ("reserve", "1000000")])
    return _budget(
        2019,
        2,
        APPROVED,
        [
            ("county_grant", "4000000"),
            ("other_income", "57598"),
            ("central_management", "3000000"),
            ("reserve", "1057598"),
            ("in_kind", "50000"),
        ],
    )


@pytest.fixture
def current():
    return _budget(
        2020,
        1,
        Budget.Status.DRAFT,
        [
            ("county_grant", "4100000"),
            ("other_income", "87500"),
            ("central_management", "3100000"),
            ("reserve", "1100000"),
            ("in_kind", "50000"),
        ],
    )


def test_summary_against_previous_approved_budget(previous, current):
    assert budget_summary(budget=current) == [
        SummaryRow("Inntekter", Decimal(4187500), Decimal(4057598), Decimal(129902), Decimal("3.2")),
        SummaryRow("Utgifter", Decimal(4200000), Decimal(4057598), Decimal(142402), Decimal("3.5")),
        SummaryRow("Naturalytelser", Decimal(50000), Decimal(50000), Decimal(0), Decimal("0.0")),
        SummaryRow("Balanse", Decimal(-12500), Decimal(0), Decimal(-12500), None),
    ]


def test_summary_without_previous_approved_budget(current):
    _budget(2019, 1, Budget.Status.SUBMITTED, [("county_grant", "4000000")])  # laid before, not approved

    rows = budget_summary(budget=current)

    assert [(r.label, r.amount) for r in rows] == [
        ("Inntekter", Decimal(4187500)),
        ("Utgifter", Decimal(4200000)),
        ("Naturalytelser", Decimal(50000)),
        ("Balanse", Decimal(-12500)),
    ]
    assert {(r.previous, r.change_kr, r.change_percent) for r in rows} == {(None, None, None)}


def test_summary_previous_zero_has_no_percent(current):
    _budget(2019, 1, APPROVED, [("county_grant", "100000"), ("reserve", "100000")])  # nothing in kind

    in_kind = budget_summary(budget=current)[2]

    assert (in_kind.previous, in_kind.change_kr, in_kind.change_percent) == (Decimal(0), Decimal(50000), None)


def _page(client_as, user, budget):
    response = client_as(user).get(reverse("admin:funding_budget_change", args=[budget.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["daily_leader", "steering_member"])
def test_page_shows_summary(client_as, request, who, previous, current):
    content = _page(client_as, request.getfixturevalue(who), current)

    assert 'id="budget-summary"' in content
    assert content.index('id="budget-summary"') < content.index('id="budget-workflow"')  # at the top
    assert "Budsjettet i tall, mot vedtatt budsjett 2019" in content
    for text in (
        f"4{NBSP}187{NBSP}500{NBSP}kr",
        f"4{NBSP}057{NBSP}598{NBSP}kr",
        f"+129{NBSP}902{NBSP}kr (+3,2{NBSP}%)",
        f"+142{NBSP}402{NBSP}kr (+3,5{NBSP}%)",
        f"0{NBSP}kr (0,0{NBSP}%)",
        f"-12{NBSP}500{NBSP}kr</td>",
    ):
        assert text in content, text
    assert f"-12{NBSP}500{NBSP}kr (" not in content  # no percent against a balance of 0
    assert "Ingen vedtatt budsjett" not in content


def test_page_says_when_nothing_to_compare_with(client_as, daily_leader, current):
    content = _page(client_as, daily_leader, current)

    assert 'id="budget-summary"' in content
    assert "Ingen vedtatt budsjett for 2019 å sammenligne med." in content
    assert f"4{NBSP}187{NBSP}500{NBSP}kr" in content
