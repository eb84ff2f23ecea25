"""Values no person could mean are refused, on the field, with a message naming it: a year of 0
or 99999, two billion pupils, a budget line of a trillion kroner, a pupil-load threshold of
40 000. The bounds are the models' field validators (core/bounds.py), so the admin's
ModelForms, the services (full_clean through core.services.validated_save) and the portal's
forms refuse them alike. Here: the inputs found by probing the admin as central staff, each
refused with nothing written; and, for every bounded field, that full_clean refuses exactly
the values outside its bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import capfirst
from hypothesis import given
from hypothesis import strategies as st

from core.bounds import (
    FIRST_BIRTH_YEAR,
    FIRST_YEAR,
    LAST_BIRTH_YEAR,
    LAST_YEAR,
    MAX_AMOUNT,
    MAX_COUNT,
    MAX_POPULATION,
    MAX_PUPIL_LOAD,
    MIN_AMOUNT,
    MIN_PUPIL_LOAD,
)
from core.tests.hostile import changed_tables, hostile_settings, snapshot
from core.tests.test_admin_forms import _page_data
from governance.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, daily_leader):
    """The admin as the daily leader (central staff, a staff account)."""
    client.force_login(daily_leader)
    return client


@pytest.fixture
def county(db):
    from schools.tests.factories import CountyFactory

    return CountyFactory()


@pytest.fixture
def partner(db):
    from governance.models import Partner

    return Partner.objects.create(name="NMH", kind=Partner.Kind.NMH)


def _post_refused(client, url: str, data: dict, tables: list) -> tuple:
    """Posts `data` over the page's own values; returns the response after checking that it
    answered the form again (200) and wrote nothing, audit log included."""
    page = client.get(url)
    assert page.status_code == 200
    before = snapshot(*tables, AuditEntry)
    response = client.post(url, _page_data(page.context)[0] | data)
    assert response.status_code == 200
    assert changed_tables(before, snapshot(*tables, AuditEntry)) == []
    return response


def _shown(response, message: str) -> bool:
    return message in response.content.decode()


# -- the admin's add forms -----------------------------------------------------------------------


@dataclass(frozen=True)
class AddCase:
    label: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}.{self.field}={self.value}"


YEARS = f"År må være fra {FIRST_YEAR} til {LAST_YEAR}."
ADD_CASES = [
    AddCase("schools.Enrolment", "pupils", "2000000000", "Elever må være fra 0 til 100\xa0000."),
    AddCase("funding.CountyGrant", "year", "0", YEARS),
    AddCase("funding.CountyGrant", "year", "32767", YEARS),
    AddCase("funding.PartnerContribution", "year", "99999", YEARS),
]


def _add_data(case: AddCase, network, county, partner) -> dict:
    valid = {
        "schools.Enrolment": {"school": network.school_a.pk, "school_year": "2021", "pupils": "10"},
        "funding.CountyGrant": {"county": county.pk, "year": "2021", "amount": "5", "index_factor": "1"},
        "funding.PartnerContribution": {"partner": partner.pk, "year": "2021", "category": "cash", "amount": "5"},
    }[case.label]
    return valid | {case.field: case.value}


@pytest.mark.parametrize("case", ADD_CASES, ids=str)
def test_admin_add_refuses_a_value_out_of_bounds_on_its_field(staff_client, network, county, partner, case):
    model = apps.get_model(case.label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")

    response = _post_refused(staff_client, url, _add_data(case, network, county, partner), [model])

    errors = response.context["adminform"].form.errors
    assert set(errors) == {case.field}
    assert case.message in errors[case.field]
    assert _shown(response, case.message)


@pytest.mark.parametrize("case", ADD_CASES, ids=str)
def test_admin_add_takes_the_same_form_within_bounds(staff_client, network, county, partner, case):
    """The refusals above are the bounds, not something else wrong with the form."""
    model = apps.get_model(case.label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    within = {"pupils": "100000", "year": str(LAST_YEAR)}[case.field]
    page = staff_client.get(url)
    data = _page_data(page.context)[0] | _add_data(case, network, county, partner) | {case.field: within}

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert model._default_manager.filter(**{case.field: int(within)}).count() == 1


# -- a budget line and the portal's settings -------------------------------------------------------


def test_admin_budget_line_of_a_trillion_refused_on_the_line(staff_client, network, daily_leader):
    from funding.models import Budget, BudgetLine

    budget = Budget.objects.create(year=2020, created_by=daily_leader)
    BudgetLine.objects.create(budget=budget, kind=BudgetLine.Kind.RESERVE, label="Reserve", amount=Decimal("1000"))
    url = reverse("admin:funding_budget_change", args=[budget.pk])

    response = _post_refused(staff_client, url, {"lines-0-amount": "999999999999.99"}, [Budget, BudgetLine])

    formset = response.context["inline_admin_formsets"][0].formset
    message = "Beløp (NOK) må være fra 0 til 1\xa0000\xa0000\xa0000."
    assert [form.errors for form in formset.forms] == [{"amount": [message]}]
    assert _shown(response, message)
    assert BudgetLine.objects.get().amount == Decimal("1000")


@pytest.mark.parametrize("value", ["40000", "0", "101"])
def test_admin_pupil_load_threshold_out_of_bounds_refused(staff_client, network, value):
    from governance.models import PortalSetting

    url = reverse("admin:governance_portalsetting_change", args=[PortalSetting.objects.get().pk])

    response = _post_refused(staff_client, url, {"pupil_load_threshold": value}, [PortalSetting])

    message = "Varselgrense for elevbelastning må være fra 1 til 100."
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"pupil_load_threshold"}
    assert message in errors["pupil_load_threshold"]
    assert _shown(response, message)


def test_service_refuses_two_billion_pupils_on_the_field(network):
    """The services validate the same way (validated_save runs full_clean)."""
    from schools.models import Enrolment
    from schools.services import enrolment_set

    with pytest.raises(ValidationError) as refused:
        enrolment_set(school=network.school_a, school_year=2021, pupils=2_000_000_000)

    assert refused.value.message_dict == {"pupils": ["Elever må være fra 0 til 100\xa0000."]}
    assert not Enrolment.objects.exists()


# -- every bounded field: full_clean refuses exactly what lies outside ---------------------------------


def _activity(network):
    from activities.models import Activity
    from activities.tests.factories import ActivityFactory

    return Activity.objects.first() or ActivityFactory(region=network.follo)


def _valid(label: str, network):
    """An unsaved row of the model that full_clean accepts."""
    from activities.models import ActivityCost, Participation
    from funding.models import (
        Budget,
        BudgetAssumptions,
        BudgetLine,
        ContributionTier,
        CountyGrant,
        MunicipalContribution,
        PartnerContribution,
    )
    from governance.models import CooperationArea, Partner, PortalSetting
    from schools.models import County, Enrolment, MunicipalityPopulation, Pupil
    from schools.tests.factories import CountyFactory
    from ungmusikk.reports.models import AnnualReportFile

    school = network.school_a
    return {
        "schools.Enrolment": lambda: Enrolment(school=school, school_year=2021, pupils=10),
        "schools.MunicipalityPopulation": lambda: MunicipalityPopulation(
            municipality=school.municipality, year=2021, population=5000
        ),
        "schools.Pupil": lambda: Pupil(first_name="Ny", last_name="Elev", birth_year=2008, main_instrument="fiolin"),
        "governance.CooperationArea": lambda: CooperationArea(
            number=50, name_nb="Nytt område", name_en="New area", since_year=2013
        ),
        "governance.PortalSetting": lambda: PortalSetting(pupil_load_threshold=6),
        "reports.AnnualReportFile": lambda: AnnualReportFile(kind="kalenderaar", year=2021, language="nb"),
        "activities.Participation": lambda: Participation(activity=_activity(network), school=school, pupils=3),
        "activities.ActivityCost": lambda: ActivityCost(activity=_activity(network), category="fees", amount=1000),
        "funding.ContributionTier": lambda: ContributionTier(
            valid_from=date(2030, 1, 1), min_population=0, max_population_below=None, amount=Decimal("60000")
        ),
        "funding.MunicipalContribution": lambda: MunicipalContribution(
            municipality=school.municipality,
            year=2021,
            population=5000,
            tier=ContributionTier.objects.order_by("min_population").first(),
            computed_amount=Decimal("60000"),
            amount=Decimal("60000"),
            override_reason="Avtalt",
        ),
        "funding.CountyGrant": lambda: CountyGrant(
            year=2021, county=County.objects.first() or CountyFactory(), amount=Decimal("1000")
        ),
        "funding.PartnerContribution": lambda: PartnerContribution(
            partner=Partner.objects.get_or_create(name="NMH", kind=Partner.Kind.NMH)[0],
            year=2021,
            form="cash",
            category="cash",
            amount=Decimal("5"),
        ),
        "funding.Budget": lambda: Budget(year=2021),
        "funding.BudgetLine": lambda: BudgetLine(
            budget=Budget.objects.get_or_create(year=2021)[0], kind="reserve", label="Reserve", amount=Decimal("1000")
        ),
        "funding.BudgetAssumptions": lambda: BudgetAssumptions(year=2031),
    }[label]()


# (model, field, lowest, highest). ContributionTier.max_population_below is bounded as
# min_population is, but no row has a valid band whatever it holds (0 is never above the
# band's start): it is left out here. SchoolMoneyRollup.year is bounded too; its rows are the
# nightly rollup's, never validated one by one.
BOUNDED = [
    ("schools.Enrolment", "school_year", FIRST_YEAR, LAST_YEAR),
    ("schools.Enrolment", "pupils", 0, MAX_COUNT),
    ("schools.MunicipalityPopulation", "year", FIRST_YEAR, LAST_YEAR),
    ("schools.MunicipalityPopulation", "population", 0, MAX_POPULATION),
    ("schools.Pupil", "birth_year", FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR),
    ("governance.CooperationArea", "since_year", FIRST_YEAR, LAST_YEAR),
    ("governance.PortalSetting", "pupil_load_threshold", MIN_PUPIL_LOAD, MAX_PUPIL_LOAD),
    ("governance.PortalSetting", "large_amount_warning", MIN_AMOUNT, MAX_AMOUNT),
    ("governance.PortalSetting", "clash_days_same_instrument", 0, 60),
    ("governance.PortalSetting", "max_activities_per_school_month", 1, 100),
    ("governance.PortalSetting", "max_travel_km", 1, 2000),
    ("activities.Participation", "pupils", 0, MAX_COUNT),
    ("activities.Participation", "teachers", 0, MAX_COUNT),
    ("activities.ActivityCost", "amount", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.ContributionTier", "min_population", 0, MAX_POPULATION),
    ("funding.ContributionTier", "amount", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.MunicipalContribution", "year", FIRST_YEAR, LAST_YEAR),
    ("funding.MunicipalContribution", "population", 0, MAX_POPULATION),
    ("funding.MunicipalContribution", "computed_amount", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.MunicipalContribution", "amount", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.CountyGrant", "year", FIRST_YEAR, LAST_YEAR),
    ("funding.CountyGrant", "amount", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.PartnerContribution", "year", FIRST_YEAR, LAST_YEAR),
    ("funding.PartnerContribution", "amount", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.Budget", "year", FIRST_YEAR, LAST_YEAR),
    ("funding.BudgetLine", "amount", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.BudgetAssumptions", "year", FIRST_YEAR, LAST_YEAR),
    ("funding.BudgetAssumptions", "position_cost", MIN_AMOUNT, MAX_AMOUNT),
    ("funding.BudgetAssumptions", "scenario_pupils", 0, MAX_COUNT),
    ("reports.AnnualReportFile", "year", FIRST_YEAR, LAST_YEAR),
]


def _near(low, high) -> st.SearchStrategy[int]:
    """Integers at and around both bounds, and anywhere in a wide range."""
    low, high = int(low), int(high)
    return st.one_of(
        st.integers(min_value=low - 3, max_value=low + 3),
        st.integers(min_value=high - 3, max_value=high + 3),
        st.integers(min_value=-(10**12), max_value=10**12),
    )


def _errors(instance) -> dict[str, list[str]]:
    try:
        instance.full_clean()
    except ValidationError as error:
        return error.message_dict
    return {}


@pytest.mark.parametrize(("label", "field", "low", "high"), BOUNDED, ids=[f"{m}.{f}" for m, f, _l, _h in BOUNDED])
@hostile_settings(25)
@given(data=st.data())
def test_full_clean_refuses_exactly_the_values_out_of_bounds(network, label, field, low, high, data):
    value = data.draw(_near(low, high), label=field)
    instance = _valid(label, network)
    model_field = instance._meta.get_field(field)
    setattr(instance, field, Decimal(value) if model_field.get_internal_type() == "DecimalField" else value)

    errors = _errors(instance)

    if low <= value <= high:
        assert errors == {}
    else:
        assert set(errors) == {field}
        assert f"{capfirst(model_field.verbose_name)} må være fra" in " ".join(errors[field])


def test_every_bounded_field_is_tried():
    """A bounded field added to a model is added to BOUNDED (or said here why not)."""
    bounded = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if any(" må være fra " in str(getattr(validator, "message", "")) for validator in field.validators)
    }
    left_out = {("funding.ContributionTier", "max_population_below"), ("funding.SchoolMoneyRollup", "year")}
    assert bounded - left_out == {(label, field) for label, field, _low, _high in BOUNDED}
