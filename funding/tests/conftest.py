"""A small funded network for the budget tests: two regions, three schools with their
municipalities, populations and pupils, the county grant, NMH's cash and in kind, and the
people of the budget workflow. Figures are chosen so the draft can be computed by hand:

- income: county grant 1,000,000 (2019) x 1.03 = 1,030,000; municipalities 60,000 (A, 10,000
  inhabitants) + 80,000 (A2, 20,000) + 100,000 (B, 60,000) = 240,000; NMH cash 100,000:
  1,370,000 in all; NMH in kind 50,000 beside it;
- central management: a position costs 400,000; 70 % + 30 % = 400,000; two region
  coordinators at 25 % = 200,000; 600,000 in all, leaving 770,000;
- schools 50 % = 385,000, region pools 30 % = 231,000, one earmark 10 % = 77,000, and the
  reserve takes the rest, 77,000; key: per pupil (A 100, A2 300, B 600 pupils).
"""

from datetime import date
from decimal import Decimal

import pytest

from conftest import make_persona
from funding.models import BudgetAssumptions
from funding.services import county_grant_set, partner_contribution_set
from governance.models import CooperationArea, Partner, Role
from governance.tests.factories import RoleFactory
from schools.tests.factories import CountyFactory, EnrolmentFactory, PopulationFactory


@pytest.fixture
def funded(network):
    county = CountyFactory()
    county_grant_set(year=2019, county=county, amount=Decimal("1000000"))
    county_grant_set(year=2020, county=county, index_factor=Decimal("1.03"), reason="Indeks")
    for school, population, pupils in (
        (network.school_a, 10_000, 100),
        (network.school_a2, 20_000, 300),
        (network.school_b, 60_000, 600),
    ):
        PopulationFactory(municipality=school.municipality, year=2020, population=population)
        EnrolmentFactory(school=school, school_year=2019, pupils=pupils)
    nmh = Partner.objects.create(name="NMH", kind=Partner.Kind.NMH)
    partner_contribution_set(partner=nmh, year=2020, category="cash", amount=Decimal("100000"))
    partner_contribution_set(partner=nmh, year=2020, category="premises", amount=Decimal("50000"))
    assumptions = BudgetAssumptions.objects.create(
        year=2020,
        position_cost=Decimal("400000"),
        central_shares="70/30",
        coordinator_percent=25,
        school_share=50,
        region_share=30,
        earmark_share=10,
        allocation_key=BudgetAssumptions.AllocationKey.PUPILS,
    )
    assumptions.earmarked_areas.set([CooperationArea.objects.get(number=4)])
    return network


@pytest.fixture
def draft(funded, daily_leader):
    """The 2020 budget as the daily leader drafts it from the funding formula."""
    from funding.services import budget_draft

    return budget_draft(year=2020, user=daily_leader)


@pytest.fixture
def submitted(draft, daily_leader):
    """The 2020 draft laid before the steering group by the daily leader."""
    from funding.services import budget_submit

    return budget_submit(budget=draft, user=daily_leader)


def _staff(username, **role):
    """The budget is kept in the admin: its people have staff accounts."""
    return make_persona(username, is_staff=True, **role)


@pytest.fixture
def case_preparer_on_board(network):
    """A daily leader who also holds a steering-group seat: may submit and may decide, but
    never decide what they submitted."""
    user = _staff("leder-og-styre", kind=Role.Kind.DAILY_LEADER)
    RoleFactory(user=user, kind=Role.Kind.LEADER, body=network.steering_group, valid_from=date(2013, 1, 1))
    return user


@pytest.fixture
def staff_rector(rector_a):
    """The root conftest's rector of school A, given a staff account: the admin must still
    show them no budget."""
    rector_a.is_staff = True
    rector_a.save(update_fields=["is_staff"])
    return rector_a


@pytest.fixture
def staff_coordinator(coord_follo):
    """The root conftest's coordinator of Follo, given a staff account."""
    coord_follo.is_staff = True
    coord_follo.save(update_fields=["is_staff"])
    return coord_follo


PERSONAS = [
    "daily_leader",
    "nmh_coordinator",
    "steering_member",
    "steering_leader",
    "staff_rector",
    "staff_coordinator",
    "superuser",
]


@pytest.fixture
def persona(request):
    """persona('daily_leader') -> that persona's user."""

    def get(name):
        return request.getfixturevalue(name)

    return get


@pytest.fixture
def booked_budget(network, daily_leader):
    """A 2020 budget (pools for Follo 20,000 and Romerike 8,000, school A 5,000, earmark for
    area 4 4,000) and 2020 activities booked on it: Follo 10,000 held and 3,000 planned on its
    pool, 7,000 cancelled, 9,000 in 2019; school A 2,000 (a local activity it hosts); Romerike
    6,000 held and 5,000 planned; 2,500 in areas 4 and 9 booked on the earmark; 1,500 booked
    on school B, which has no line."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from activities.models import Activity
    from funding.services import activity_booking_set
    from funding.tests.factories import BudgetFactory, BudgetLineFactory, costed_activity

    area = CooperationArea.objects.get(number=4)
    budget = BudgetFactory(year=2020)
    for kind, label, amount, target in (
        ("region_pool", "Pott Follo", "20000", {"region": network.follo}),
        ("region_pool", "Pott Romerike", "8000", {"region": network.romerike}),
        ("school_allocation", "Skole A", "5000", {"school": network.school_a}),
        ("area_earmark", "Unge dirigenter", "4000", {"cooperation_area": area}),
    ):
        BudgetLineFactory(budget=budget, kind=kind, label=label, amount=Decimal(amount), **target)
    costed_activity(network.follo, "10000")  # held, Follo pool by default
    costed_activity(network.follo, "3000", status=Activity.Status.PLANNED)  # committed on the Follo pool
    costed_activity(network.follo, "7000", status=Activity.Status.CANCELLED)  # counts for nothing
    new_year_eve = datetime(2019, 12, 31, 23, 30, tzinfo=ZoneInfo("Europe/Oslo"))
    costed_activity(network.follo, "9000", when=new_year_eve)  # another year
    costed_activity(network.follo, "2000", level=Activity.Level.LOCAL, host_school=network.school_a)  # school A
    costed_activity(network.romerike, "6000")
    costed_activity(network.romerike, "5000", status=Activity.Status.PLANNED)  # Romerike over by 3,000
    booked = costed_activity(network.romerike, "2500", areas=(4, 9))
    activity_booking_set(activity=booked, user=daily_leader, kind="area_earmark", cooperation_area=area)
    elsewhere = costed_activity(network.follo, "1500")
    activity_booking_set(activity=elsewhere, user=daily_leader, kind="school_allocation", school=network.school_b)
    return budget


def board_approves(budget, *members, comment=""):
    """The steering group approves `budget`: each member votes to approve in turn, and the last
    vote must complete the decision (by the default rule: the leader and another member)."""
    from funding.services import budget_approve

    for member in members:
        assert budget.status == "submitted", f"decided before {member.username} voted"
        budget = budget_approve(budget=budget, user=member, comment=comment)
    assert budget.status == "approved"
    return budget


@pytest.fixture
def approved(submitted, steering_leader, steering_member):
    """The 2020 budget approved by the steering group's leader and a member."""
    return board_approves(submitted, steering_leader, steering_member, comment="Vedtatt")
