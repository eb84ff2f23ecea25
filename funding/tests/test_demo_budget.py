from decimal import Decimal

import pytest
from django.core import serializers
from django.core.management import call_command

from funding.models import Budget, BudgetLine
from funding.selectors import budget_scenario, budget_totals
from governance.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)


def test_demo_2020_budget_submitted_by_leder_about_4_mnok(demo):
    budget = Budget.objects.get(year=2020)
    totals = budget_totals(budget=budget)

    assert (budget.revision, budget.status, budget.submitted_by.username) == (1, "submitted", "leder")
    assert (totals.income, totals.expense, totals.in_kind) == (
        Decimal("4187500.00"),
        Decimal("4187500.00"),
        Decimal("1000000.00"),
    )
    assert {kind: totals.by_kind[kind] for kind in BudgetLine.EXPENSE} == {
        "central_management": Decimal("1912500.00"),
        "region_pool": Decimal("682500.00"),
        "school_allocation": Decimal("1023750.00"),
        "area_earmark": Decimal("341250.00"),
        "reserve": Decimal("227500.00"),
    }
    assert budget.lines.filter(kind="municipal_contribution").count() == 17
    assert budget.lines.filter(kind="school_allocation").count() == 23
    assert budget.lines.filter(kind="region_pool").count() == 5


def test_demo_scenario_whole_county_needs_about_40_percent_more(demo):
    scenario = budget_scenario(budget=Budget.objects.get(year=2020))

    assert (scenario.pupils_now, scenario.pupils_then, scenario.increase_percent) == (12155, 17000, Decimal("39.9"))
    assert scenario.required_total == Decimal("5094318.00")


def test_demo_twice_leaves_the_budget_alone(demo):
    def snapshot():
        return [serializers.serialize("json", m.objects.order_by("pk")) for m in (Budget, BudgetLine, AuditEntry)]

    before = snapshot()
    call_command("load_demo", verbosity=0)

    assert snapshot() == before
