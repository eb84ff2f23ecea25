from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count

from activities.models import Activity, Participation
from funding.models import CountyGrant, MunicipalContribution, PartnerContribution
from funding.selectors import tier_for
from governance.models import CooperationArea
from schools.models import Enrolment, Membership, Region, School

pytestmark = pytest.mark.django_db

REPORT_FOLLO = {
    "Enebakk kommunale kulturskole",
    "Frogn Kulturskole",
    "Nesodden kulturskole",
    "Nordre Follo kulturskole",
    "Vestby Kulturskole",
    "Kulturskolen i Ås",
    "Ski videregående skole",
    "Follo folkehøgskole",
}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)


def _participating_2020():
    return School.objects.filter(
        memberships__in=Membership.objects.valid_on_year_end(2020).filter(status__in=Membership.PARTICIPATING)
    )


def test_demo_reproduces_the_2020_report(demo):
    schools = _participating_2020()
    by_kind = dict(schools.values_list("kind").annotate(n=Count("id")))
    pilots = Membership.objects.valid_on_year_end(2020).filter(status="pilot")

    assert schools.count() == 23
    assert by_kind == {"kulturskole": 17, "vgs": 4, "folkehogskole": 2}
    assert pilots.count() == 5
    assert set(schools.filter(region__slug="follo").values_list("name", flat=True)) == REPORT_FOLLO
    assert Region.objects.count() == 5
    assert CooperationArea.objects.count() == 10
    assert Membership.objects.valid_on_year_end(2020).filter(status="interested").count() == 6


def test_demo_every_contribution_equals_its_tier(demo):
    contributions = MunicipalContribution.objects.filter(year=2020).select_related("municipality")

    assert contributions.count() == 17
    for contribution in contributions:
        assert contribution.amount == tier_for(population=contribution.population, year=2020).amount
    assert sum(c.amount for c in contributions) == Decimal("1460000.00")


def test_demo_money_adds_up_to_about_4_mnok(demo):
    grant = CountyGrant.objects.get(year=2020).amount
    municipal = sum(MunicipalContribution.objects.filter(year=2020).values_list("amount", flat=True))
    nmh_cash = PartnerContribution.objects.get(year=2020, form="cash").amount

    assert grant == Decimal("2577500.00")
    assert grant + municipal + nmh_cash == Decimal("4187500.00")


def test_demo_pupils_and_activities_plausible(demo):
    enrolment = Enrolment.objects.filter(school_year=2019, school__in=_participating_2020())
    assert 11_000 <= sum(enrolment.values_list("pupils", flat=True)) <= 13_000
    assert set(Activity.objects.values_list("cooperation_areas__number", flat=True)) == set(range(1, 11))
    assert set(Activity.objects.values_list("region__slug", flat=True)) == set(
        Region.objects.values_list("slug", flat=True)
    )
    assert {a.starts_at.year for a in Activity.objects.all()} == {2018, 2019, 2020}
    named = Participation.objects.filter(named_pupils__isnull=False).values_list("activity__kind", flat=True)
    assert {"masterclass", "individual_teaching"} <= set(named)


def test_demo_twice_gives_the_same_database(demo):
    from django.core import serializers

    def snapshot():
        models = [School, Membership, Enrolment, Activity, Participation, MunicipalContribution, PartnerContribution]
        return [serializers.serialize("json", m.objects.order_by("pk")) for m in models]

    before = snapshot()
    call_command("load_demo", verbosity=0)

    assert snapshot() == before


def test_demo_refused_when_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo", verbosity=0)
    assert School.objects.count() == 0
