from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.periods import school_year_label, school_year_of
from schools.models import Membership, MunicipalityPopulation
from schools.selectors import membership_status_on, population_history, population_of
from schools.services import membership_set, municipality_merge, municipality_population_set
from schools.tests.factories import MunicipalityFactory, PopulationFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_membership_overlapping_period_refused():
    school = SchoolFactory(membership=False)
    membership_set(school=school, status="pilot", valid_from=date(2019, 8, 1), valid_to=date(2020, 7, 31))

    with pytest.raises(ValidationError) as excinfo:
        membership_set(school=school, status="member", valid_from=date(2020, 7, 1))

    assert list(excinfo.value.message_dict) == ["valid_from"]
    assert Membership.objects.filter(school=school).count() == 1


def test_membership_adjacent_period_accepted():
    school = SchoolFactory(membership=False)
    membership_set(school=school, status="pilot", valid_from=date(2019, 8, 1), valid_to=date(2020, 7, 31))
    membership_set(school=school, status="member", valid_from=date(2020, 8, 1))

    school.refresh_from_db()
    assert membership_status_on(school=school, day=date(2020, 7, 31)) == "pilot"
    assert membership_status_on(school=school, day=date(2020, 8, 1)) == "member"
    assert membership_status_on(school=school, day=date(2019, 7, 31)) is None


def test_membership_open_period_overlapping_later_period_refused():
    school = SchoolFactory(membership=False)
    membership_set(school=school, status="member", valid_from=date(2021, 1, 1))

    with pytest.raises(ValidationError):
        membership_set(school=school, status="pilot", valid_from=date(2019, 1, 1))


def test_membership_end_before_start_refused_at_the_end_field():
    school = SchoolFactory(membership=False)

    with pytest.raises(ValidationError) as excinfo:
        membership_set(school=school, status="member", valid_from=date(2020, 1, 1), valid_to=date(2019, 12, 31))

    assert excinfo.value.message_dict["valid_to"] == ["Sluttdatoen kan ikke være før startdatoen."]
    assert Membership.objects.filter(school=school).count() == 0


def test_population_negative_refused_and_nothing_saved():
    municipality = MunicipalityFactory()

    with pytest.raises(ValidationError) as excinfo:
        municipality_population_set(municipality=municipality, year=2020, population=-1)

    assert list(excinfo.value.message_dict) == ["population"]
    assert MunicipalityPopulation.objects.count() == 0


def test_merged_municipalities_sum_their_history():
    ski = MunicipalityFactory(name="Ski", number="0213", valid_from=date(1838, 1, 1), valid_to=date(2019, 12, 31))
    oppegard = MunicipalityFactory(
        name="Oppegård", number="0217", valid_from=date(1915, 1, 1), valid_to=date(2019, 12, 31)
    )
    nordre_follo = MunicipalityFactory(name="Nordre Follo", number="3020", valid_from=date(2020, 1, 1))
    PopulationFactory(municipality=ski, year=2019, population=30_898)
    PopulationFactory(municipality=oppegard, year=2019, population=27_394)
    PopulationFactory(municipality=ski, year=2018, population=30_465)
    PopulationFactory(municipality=oppegard, year=2018, population=27_196)
    PopulationFactory(municipality=nordre_follo, year=2020, population=59_288)

    municipality_merge(day=date(2020, 1, 1), predecessors=[ski, oppegard], successor=nordre_follo)

    assert population_history(municipality=nordre_follo) == {2018: 57_661, 2019: 58_292, 2020: 59_288}
    assert population_of(municipality=nordre_follo, year=2019) == 58_292
    assert population_of(municipality=ski, year=2020) is None


def test_merger_follows_renumbering_and_merger_chain():
    old = MunicipalityFactory(number="0229", valid_from=date(1900, 1, 1), valid_to=date(2019, 12, 31))
    renumbered = MunicipalityFactory(number="3028", valid_from=date(2020, 1, 1))
    PopulationFactory(municipality=old, year=2019, population=10_947)
    PopulationFactory(municipality=renumbered, year=2020, population=11_043)

    municipality_merge(day=date(2020, 1, 1), predecessors=[old], successor=renumbered)

    assert population_history(municipality=renumbered) == {2019: 10_947, 2020: 11_043}


def test_merger_refuses_predecessor_still_valid():
    still_valid = MunicipalityFactory(valid_from=date(1900, 1, 1))
    successor = MunicipalityFactory(valid_from=date(2020, 1, 1))

    with pytest.raises(ValidationError) as excinfo:
        municipality_merge(day=date(2020, 1, 1), predecessors=[still_valid], successor=successor)

    assert list(excinfo.value.message_dict) == ["predecessors"]


def test_school_year_of_and_label():
    assert school_year_of(date(2019, 8, 1)) == 2019
    assert school_year_of(date(2020, 7, 31)) == 2019
    assert school_year_label(2019) == "2019/20"
    assert school_year_label(1999) == "1999/00"
