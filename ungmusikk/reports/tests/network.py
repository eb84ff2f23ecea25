"""A small network whose every report figure is computed by hand (issue 16): two regions
(Follo: school A, a culture school, and A2, an upper-secondary pilot, both in the municipality
«Kárášjohka»; Romerike: school B, a culture school in «Ås»), a shared activity, a practice
placement, a local lesson, a cancelled activity, money of 2019 and 2020 and an in-kind
contribution. The figures the tests expect are written beside what makes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from activities.models import Activity, Participation
from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory
from core.periods import OSLO
from funding.models import Budget, BudgetLine, ContributionTier, CountyGrant, MunicipalContribution, PartnerContribution
from funding.tests.factories import BudgetFactory, BudgetLineFactory
from governance.models import CooperationArea, Partner
from schools.models import Enrolment, Membership, School
from schools.tests.factories import CountyFactory, MunicipalityFactory, PupilFactory


@dataclass
class ReportNetwork:
    network: object
    karasjok: object
    aas: object
    shared: Activity
    placement: Activity
    lesson: Activity
    cancelled: Activity
    last_year: Activity


def at(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def build_report_network(network) -> ReportNetwork:
    """The hand-computed network on top of conftest's `network` (Follo: A, A2; Romerike: B)."""
    n = network
    karasjok = MunicipalityFactory(name="Kárášjohka", number="5610", valid_from=date(2000, 1, 1))
    aas = MunicipalityFactory(name="Ås", number="3021", valid_from=date(2000, 1, 1))
    School.objects.filter(pk__in=[n.school_a.pk, n.school_a2.pk]).update(municipality=karasjok)
    School.objects.filter(pk=n.school_b.pk).update(municipality=aas)
    School.objects.filter(pk=n.school_a2.pk).update(kind=School.Kind.VGS, name="Guovdageainnu vidaregående skuvla")
    Membership.objects.filter(school=n.school_a2).update(status=Membership.Status.PILOT)
    for school in (n.school_a, n.school_a2, n.school_b):
        school.refresh_from_db()
    # Enrolment (GSI, 1 October): 2020 A 100 + A2 50 + B 200 = 350; 2019 only A: 90.
    Enrolment.objects.create(school=n.school_a, school_year=2020, pupils=100)
    Enrolment.objects.create(school=n.school_a2, school_year=2020, pupils=50)
    Enrolment.objects.create(school=n.school_b, school_year=2020, pupils=200)
    Enrolment.objects.create(school=n.school_a, school_year=2019, pupils=90)
    # Pupils: six at A born 2005 (15 on 1 October 2020: primary-school age), one at A2 born
    # 2016 (4: under), two at B born 2003 (17: over).
    a_pupils = [
        PupilFactory(first_name=f"Máret{i}", last_name="Sára", birth_year=2005, schools=[n.school_a]) for i in range(6)
    ]
    a2_pupil = PupilFactory(first_name="Áilu", last_name="Ŋuolja", birth_year=2016, schools=[n.school_a2])
    b_pupils = [
        PupilFactory(first_name=f"Kari{i}", last_name="Nordmann", birth_year=2003, schools=[n.school_b])
        for i in range(2)
    ]
    area = {number: CooperationArea.objects.get(number=number) for number in (1, 2, 5)}

    def participation(activity, school, pupils, teachers, named=()):
        row = ParticipationFactory(activity=activity, school=school, pupils=pupils, teachers=teachers)
        row.named_pupils.set(named)
        return row

    # The shared masterclass (Follo, regional, areas 1 and 2, held at A): A 6 pupils, B 2;
    # costs 12 000 shared by pupils: A 9 000, B 3 000.
    shared = ActivityFactory(
        title="Mesterklasse for alle",
        kind=Activity.Kind.MASTERCLASS,
        level=Activity.Level.REGIONAL,
        region=n.follo,
        host_school=n.school_a,
        starts_at=at(2020, 3, 10, 17),
        ends_at=at(2020, 3, 10, 20),
        nmh_teachers="Ingrid Haugland",
        areas=[area[1], area[2]],
    )
    participation(shared, n.school_a, 6, 1, a_pupils)
    participation(shared, n.school_b, 2, 1, b_pupils)
    ActivityCostFactory(activity=shared, amount=Decimal("12000.00"))
    # A practice placement (Romerike, local, area 5, at B): B 3 pupils; costs 2 000 (B).
    placement = ActivityFactory(
        title="Praksis",
        kind=Activity.Kind.PRACTICE_PLACEMENT,
        level=Activity.Level.LOCAL,
        region=n.romerike,
        host_school=n.school_b,
        starts_at=at(2020, 10, 5, 9),
        ends_at=at(2020, 10, 5, 15),
        areas=[area[5]],
    )
    participation(placement, n.school_b, 3, 0)
    ActivityCostFactory(activity=placement, amount=Decimal("2000.00"))
    # A local lesson at A2 (Follo, area 2) naming the under-age pupil; costs 1 000 (A2).
    lesson = ActivityFactory(
        title="Time",
        kind=Activity.Kind.INDIVIDUAL_TEACHING,
        level=Activity.Level.LOCAL,
        region=n.follo,
        host_school=n.school_a2,
        starts_at=at(2020, 11, 1, 12),
        ends_at=at(2020, 11, 1, 13),
        nmh_teachers="Ingrid Haugland og Áilu Ŋuolja",
        areas=[area[2]],
    )
    participation(lesson, n.school_a2, 1, 0, [a2_pupil])
    ActivityCostFactory(activity=lesson, amount=Decimal("1000.00"))
    # Cancelled: counts for nothing.
    cancelled = ActivityFactory(
        title="Avlyst",
        status=Activity.Status.CANCELLED,
        region=n.follo,
        starts_at=at(2020, 5, 1, 10),
        ends_at=at(2020, 5, 1, 12),
        areas=[area[2]],
    )
    participation(cancelled, n.school_a, 10, 2, a_pupils[:2])
    ActivityCostFactory(activity=cancelled, amount=Decimal("50000.00"))
    # Last year: one concert in Romerike, B 5 pupils, nobody named.
    last_year = ActivityFactory(
        title="Konsert",
        kind=Activity.Kind.CONCERT,
        level=Activity.Level.REGIONAL,
        region=n.romerike,
        starts_at=at(2019, 10, 12, 18),
        ends_at=at(2019, 10, 12, 20),
        areas=[area[1]],
    )
    participation(last_year, n.school_b, 5, 1)

    # Money. County grant 2019 2 500 000; 2020 × 1.031 = 2 577 500.
    county = CountyFactory(name="Viken", number="30", valid_from=date(2020, 1, 1))
    CountyGrant.objects.create(year=2019, county=county, amount=Decimal("2500000.00"))
    CountyGrant.objects.create(year=2020, county=county, index_factor=Decimal("1.0310"), amount=Decimal("2577500.00"))
    tier_80 = ContributionTier.objects.valid_on(date(2020, 1, 1)).get(amount=Decimal("80000.00"))
    tier_60 = ContributionTier.objects.valid_on(date(2020, 1, 1)).get(amount=Decimal("60000.00"))
    # 2020: Kárášjohka 80 000 (20 000 inhabitants), Ås 60 000 (10 000): 140 000.
    MunicipalContribution.objects.create(
        municipality=karasjok,
        year=2020,
        population=20000,
        tier=tier_80,
        computed_amount=Decimal("80000.00"),
        amount=Decimal("80000.00"),
    )
    MunicipalContribution.objects.create(
        municipality=aas,
        year=2020,
        population=10000,
        tier=tier_60,
        computed_amount=Decimal("60000.00"),
        amount=Decimal("60000.00"),
    )
    nmh, _created = Partner.objects.get_or_create(name="Norges musikkhøgskole", defaults={"kind": Partner.Kind.NMH})
    PartnerContribution.objects.create(
        partner=nmh, year=2020, form="cash", category="cash", amount=Decimal("150000.00")
    )
    PartnerContribution.objects.create(
        partner=nmh,
        year=2020,
        form="in_kind",
        category="premises",
        description="Lokaler i Oslo",
        amount=Decimal("300000.00"),
    )
    # The approved 2020 budget: A's allocation 10 000, Follo's pool 50 000, central 100 000.
    budget = BudgetFactory(year=2020, revision=1, status=Budget.Status.APPROVED)
    BudgetLineFactory(
        budget=budget,
        kind=BudgetLine.Kind.SCHOOL_ALLOCATION,
        school=n.school_a,
        amount=Decimal("10000.00"),
        label="Skole A",
    )
    BudgetLineFactory(
        budget=budget, kind=BudgetLine.Kind.REGION_POOL, region=n.follo, amount=Decimal("50000.00"), label="Follo"
    )
    BudgetLineFactory(
        budget=budget, kind=BudgetLine.Kind.CENTRAL_MANAGEMENT, amount=Decimal("100000.00"), label="Ledelse"
    )
    return ReportNetwork(n, karasjok, aas, shared, placement, lesson, cancelled, last_year)


__all__ = ["build_report_network", "ReportNetwork", "Participation"]
