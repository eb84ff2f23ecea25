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

from funding.models import BudgetAssumptions
from funding.services import county_grant_set, partner_contribution_set
from governance.models import CooperationArea, Partner, Role
from governance.tests.factories import RoleFactory, UserFactory
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


def _staff(username, **role):
    user = UserFactory(username=username, is_staff=True)
    if role:
        RoleFactory(user=user, valid_from=date(2013, 1, 1), **role)
    return user


@pytest.fixture
def leader(network):
    """The daily leader (central staff, submits)."""
    return _staff("leder-staff", kind=Role.Kind.DAILY_LEADER)


@pytest.fixture
def nmh_coordinator(network):
    return _staff("nmh-staff", kind=Role.Kind.NMH_COORDINATOR)


@pytest.fixture
def board_member(network):
    return _staff("styre-staff", kind=Role.Kind.MEMBER, body=network.steering_group)


@pytest.fixture
def board_chair(network):
    return _staff("styreleder-staff", kind=Role.Kind.LEADER, body=network.steering_group)


@pytest.fixture
def case_preparer_on_board(network):
    """A daily leader who also holds a steering-group seat: may submit and may decide, but
    never decide what they submitted."""
    user = _staff("leder-og-styre", kind=Role.Kind.DAILY_LEADER)
    RoleFactory(user=user, kind=Role.Kind.LEADER, body=network.steering_group, valid_from=date(2013, 1, 1))
    return user


@pytest.fixture
def staff_rector(network):
    return _staff("rektor-staff", kind=Role.Kind.RECTOR, school=network.school_a)


@pytest.fixture
def staff_coordinator(network):
    return _staff("koord-staff", kind=Role.Kind.COORDINATOR, region=network.follo)


@pytest.fixture
def staff_superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("super", "super@example.org", "pw-for-tests-1")


PERSONAS = [
    "leader",
    "nmh_coordinator",
    "board_member",
    "board_chair",
    "staff_rector",
    "staff_coordinator",
    "staff_superuser",
]


@pytest.fixture
def persona(request):
    """persona('leader') -> that persona's user."""

    def get(name):
        return request.getfixturevalue(name)

    return get
