from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding.models import MunicipalContribution
from funding.selectors import tier_for
from funding.services import contribution_compute, contribution_override, county_grant_set
from governance.models import AuditEntry
from schools.tests.factories import CountyFactory, MunicipalityFactory, PopulationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("population", "amount"),
    [
        (0, Decimal("60000")),
        (14_999, Decimal("60000")),
        (15_000, Decimal("80000")),
        (49_999, Decimal("80000")),
        (50_000, Decimal("100000")),
        (690_000, Decimal("100000")),
    ],
)
def test_tier_for_population_edges(population, amount):
    assert tier_for(population=population, year=2020).amount == amount


def test_contribution_follows_population_of_the_budget_year_across_threshold():
    moss = MunicipalityFactory(name="Moss")
    PopulationFactory(municipality=moss, year=2020, population=49_999)
    PopulationFactory(municipality=moss, year=2021, population=50_000)

    c2020 = contribution_compute(municipality=moss, year=2020)
    c2021 = contribution_compute(municipality=moss, year=2021)

    assert (c2020.population, c2020.amount) == (49_999, Decimal("80000.00"))
    assert (c2021.population, c2021.amount) == (50_000, Decimal("100000.00"))


def test_contribution_without_population_refused():
    municipality = MunicipalityFactory()

    with pytest.raises(ValidationError) as excinfo:
        contribution_compute(municipality=municipality, year=2020)

    assert list(excinfo.value.message_dict) == ["population"]
    assert MunicipalContribution.objects.count() == 0


def test_contribution_override_needs_reason_and_survives_recompute(superuser):
    municipality = MunicipalityFactory()
    PopulationFactory(municipality=municipality, year=2020, population=12_000)
    contribution = contribution_compute(municipality=municipality, year=2020)

    with pytest.raises(ValidationError) as excinfo:
        contribution_override(contribution=contribution, amount=Decimal("30000"), reason=" ", user=superuser)
    assert list(excinfo.value.message_dict) == ["override_reason"]

    contribution.refresh_from_db()
    contribution_override(
        contribution=contribution, amount=Decimal("30000"), reason="Halvt år (fra høsten)", user=superuser
    )
    recomputed = contribution_compute(municipality=municipality, year=2020)

    assert (recomputed.amount, recomputed.computed_amount) == (Decimal("30000.00"), Decimal("60000.00"))
    assert AuditEntry.objects.filter(action="contribution_override").count() == 1
    # A first amount has no old value (not the text "None"); amounts are kept as money.
    assert [entry.changes for entry in AuditEntry.objects.order_by("pk")] == [
        {"amount": [None, "60000.00"]},
        {"amount": ["60000.00", "30000.00"]},
    ]


def test_county_grant_index_regulated_from_last_year():
    county = CountyFactory()
    county_grant_set(year=2019, county=county, amount=Decimal("2500000"))

    grant = county_grant_set(year=2020, county=county, index_factor=Decimal("1.0310"), reason="Kommunal deflator")

    assert grant.amount == Decimal("2577500")


def test_county_grant_without_previous_year_needs_amount():
    with pytest.raises(ValidationError) as excinfo:
        county_grant_set(year=2019, county=CountyFactory(), index_factor=Decimal("1.03"))

    assert list(excinfo.value.message_dict) == ["amount"]


def test_tier_table_effective_dated():
    from funding.services import tier_upsert

    tier_upsert(
        valid_from=date(2013, 1, 1),
        valid_to=date(2020, 12, 31),
        min_population=0,
        max_population_below=15_000,
        amount=Decimal("60000"),
    )
    tier_upsert(valid_from=date(2021, 1, 1), min_population=0, max_population_below=15_000, amount=Decimal("65000"))

    assert tier_for(population=10_000, year=2020).amount == Decimal("60000")
    assert tier_for(population=10_000, year=2021).amount == Decimal("65000")


def test_tier_label_follows_the_language():
    """A tier's label is written in the page's language, numbers and money included
    (core.formatting): Norwegian groups with a no-break space and ends in «kr», English with
    commas and «NOK» first."""
    from django.utils import translation

    top = tier_for(population=50_000, year=2020)
    middle = tier_for(population=15_000, year=2020)
    with translation.override("nb"):
        assert str(top) == "50\xa0000 innbyggere eller flere: 100\xa0000\xa0kr"
        assert str(middle) == "15\xa0000–49\xa0999 innbyggere: 80\xa0000\xa0kr"
    with translation.override("en"):
        assert str(top) == "50,000 inhabitants or more: NOK\xa0100,000"
        assert str(middle) == "15,000–49,999 inhabitants: NOK\xa080,000"
