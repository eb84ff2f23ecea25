"""Issue 12: what a school "pays in" depends on its kind (funding.figures.school_paid_in).
A culture school pays its municipality's contribution; an upper-secondary school (vgs) or a
folk high school (fhs) takes part through the county's grant («gjennom fylket»), so the
municipality's contribution is not shown as its money, and is counted once. On the demo
network, where Ski videregående skole and Nordre Follo kulturskole share a municipality."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from activities.rollups import rollup_enrolment
from funding import figures
from funding.models import Budget, MunicipalContribution
from funding.rollups import rollup_budget
from funding.selectors import budget_fairness
from schools.models import School
from ungmusikk.dashboards.network import network_table
from ungmusikk.dashboards.school import school_dashboard

pytestmark = pytest.mark.django_db

YEAR = 2020
SKI_VGS = "Ski videregående skole"
NORDRE_FOLLO = "Nordre Follo kulturskole"


@pytest.fixture
def demo(demo_network):
    # The pages read the summary tables: what the rollups write after a day's saves.
    rollup_enrolment()
    rollup_budget()


def contribution_of(school_name: str) -> Decimal:
    school = School.objects.get(name=school_name)
    return MunicipalContribution.objects.get(municipality=school.municipality, year=YEAR).amount


def overview_rows() -> dict[str, dict]:
    table, _as_of = network_table(
        schools=School.objects.all(), school_year=YEAR - 1, money_year=YEAR, day=date(YEAR, 7, 31)
    )
    return {row["name"]: row for row in table.rows}


def test_ski_vgs_and_nordre_follo_share_a_municipality_that_pays(demo):
    ski, nordre_follo = School.objects.get(name=SKI_VGS), School.objects.get(name=NORDRE_FOLLO)

    assert (ski.kind, nordre_follo.kind) == (School.Kind.VGS, School.Kind.KULTURSKOLE)
    assert ski.municipality_id == nordre_follo.municipality_id
    assert contribution_of(NORDRE_FOLLO) == Decimal("100000.00")


def test_dashboard_vgs_pays_in_through_the_county(demo):
    money = school_dashboard(
        school=School.objects.get(name=SKI_VGS), show_names=False, school_year=YEAR - 1, money_year=YEAR
    ).money

    assert money.contribution is None
    assert money.paid_in == figures.PaidIn(None, through_county=True)
    assert money.paid_in.label == "gjennom fylket"


def test_dashboard_culture_school_pays_in_its_municipalitys_contribution(demo):
    money = school_dashboard(
        school=School.objects.get(name=NORDRE_FOLLO), show_names=False, school_year=YEAR - 1, money_year=YEAR
    ).money

    assert money.contribution["amount"] == contribution_of(NORDRE_FOLLO)
    assert money.paid_in == figures.PaidIn(contribution_of(NORDRE_FOLLO))


def test_dashboard_page_and_csv_of_ski_vgs(client, demo):
    client.force_login(get_user_model().objects.get(username="leder"))
    ski = School.objects.get(name=SKI_VGS)
    params = {"skoleaar": YEAR - 1, "pengeaar": YEAR}

    html = client.get(reverse("schools:dashboard", args=[ski.slug]), params).content.decode()
    csv = client.get(reverse("schools:dashboard-csv", args=[ski.slug, "okonomi"]), params).content.decode()

    assert '<p id="paid-in">Gjennom fylket</p>' in html
    assert 'id="contribution-amount"' not in html
    assert "Lagt inn: gjennom fylket;;;" in csv.splitlines()
    assert "Kommunens tilskudd" not in csv


def test_dashboard_csv_of_nordre_follo_kulturskole(client, demo):
    client.force_login(get_user_model().objects.get(username="leder"))
    school = School.objects.get(name=NORDRE_FOLLO)

    csv = client.get(
        reverse("schools:dashboard-csv", args=[school.slug, "okonomi"]), {"skoleaar": YEAR - 1, "pengeaar": YEAR}
    ).content.decode()

    assert "Kommunens tilskudd (lagt inn);100000;;" in csv.splitlines()


def test_overview_rows(demo):
    rows = overview_rows()

    assert (rows[SKI_VGS]["paid_in"], rows[SKI_VGS]["paid_in_how"], rows[SKI_VGS]["contribution_paid_on"]) == (
        None,
        "gjennom fylket",
        None,
    )
    assert (rows[NORDRE_FOLLO]["paid_in"], rows[NORDRE_FOLLO]["paid_in_how"]) == (
        contribution_of(NORDRE_FOLLO),
        "kommunens tilskudd",
    )
    # Every vgs and fhs of the network: no kroner of their own.
    county_paid = [row for row in rows.values() if row["school"].kind != School.Kind.KULTURSKOLE]
    assert len(county_paid) == 6
    assert {(row["paid_in"], row["paid_in_how"]) for row in county_paid} == {(None, "gjennom fylket")}


def test_overview_paid_in_adds_up_to_the_years_contributions(demo):
    rows = overview_rows()

    paid_in = sum((row["paid_in"] for row in rows.values() if row["paid_in"] is not None), Decimal(0))

    contributions = MunicipalContribution.objects.filter(year=YEAR)
    assert paid_in == sum((c.amount for c in contributions), Decimal(0)) == Decimal("1460000.00")


def test_overview_csv(client, demo):
    client.force_login(get_user_model().objects.get(username="leder"))

    lines = (
        client.get(reverse("schools:network-csv"), {"skoleaar": YEAR - 1, "pengeaar": YEAR})
        .content.decode()
        .lstrip("\ufeff")
        .splitlines()
    )
    header = lines[0].split(";")
    by_name = {line.split(";")[0]: dict(zip(header, line.split(";"), strict=True)) for line in lines[1:]}

    assert "Kommunens tilskudd (kr)" not in header
    assert (by_name[SKI_VGS]["Lagt inn (kr)"], by_name[SKI_VGS]["Finansiering"]) == ("", "gjennom fylket")
    assert (by_name[NORDRE_FOLLO]["Lagt inn (kr)"], by_name[NORDRE_FOLLO]["Finansiering"]) == (
        "100000",
        "kommunens tilskudd",
    )


def test_fairness_table_agrees_with_the_overview(demo):
    fairness = budget_fairness(budget=Budget.objects.get(year=YEAR))
    units = {row.unit.name: row.unit for row in fairness.schools}
    overview = overview_rows()

    assert (units[SKI_VGS].pays_in, units[SKI_VGS].paid_in.label) == (Decimal(0), "gjennom fylket")
    assert units[NORDRE_FOLLO].pays_in == contribution_of(NORDRE_FOLLO)
    for name, unit in units.items():
        row = overview[name]
        assert (unit.paid_in.amount, unit.paid_in.through_county) == (
            row["paid_in"],
            row["paid_in_how"] == "gjennom fylket",
        )
    total = sum((unit.pays_in for unit in units.values()), Decimal(0))
    assert total == sum((row.unit.pays_in for row in fairness.regions), Decimal(0)) == Decimal("1460000.00")


def test_two_culture_schools_in_one_municipality_split_its_contribution():
    """Not in the demo (one culture school per municipality): split equally to the øre, the
    shares adding up; a culture school that does not take part gets nothing while another does."""
    kulturskole, vgs = School.Kind.KULTURSKOLE, School.Kind.VGS
    schools = [
        {"pk": 3, "kind": kulturskole, "municipality_id": 1, "participating": True},
        {"pk": 1, "kind": kulturskole, "municipality_id": 1, "participating": True},
        {"pk": 2, "kind": kulturskole, "municipality_id": 1, "participating": False},
        {"pk": 4, "kind": vgs, "municipality_id": 1, "participating": True},
        {"pk": 5, "kind": kulturskole, "municipality_id": 2, "participating": False},
    ]

    paid_in = figures.school_paid_in(schools, {1: Decimal("100000.01"), 2: Decimal("60000")})

    assert paid_in == {
        1: figures.PaidIn(Decimal("50000.01"), shared_by=2),
        3: figures.PaidIn(Decimal("50000.00"), shared_by=2),
        2: figures.PaidIn(None),
        4: figures.PaidIn(None, through_county=True),
        5: figures.PaidIn(Decimal("60000.00")),
    }


def test_budget_page_fairness_table_says_through_the_county(demo, client):
    """The budget page's fairness table: Ski vgs pays in «gjennom fylket», not 0 kr."""
    budget = Budget.objects.filter(year=2020).order_by("-revision").first()
    client.force_login(get_user_model().objects.get(username="leder"))

    html = client.get(reverse("admin:funding_budget_change", args=[budget.pk])).content.decode()

    row = html[html.index("<td>Ski videregående skole</td>") :].split("</tr>", 1)[0]
    assert '<td class="num">gjennom fylket</td>' in row
