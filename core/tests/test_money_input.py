"""Money typed the Norwegian way (issue 11): "7500,50" in an activity's cost was stored as
750 050,00 kr by a `type=number` box. core.forms.MoneyField is a text box that reads what
people type ("7 500,50", "7500.50", "7.500,50", "1 234 567,50 kr"), refuses what could mean
two amounts or is not an amount with a message naming the field, and writes the value back
the page's way ("7 500,50" in Norwegian, "7,500.50" in English). The activity form's cost
lines and every amount of money in the admin use it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from activities.models import Activity
from activities.tests.helpers import form_data
from core.bounds import MAX_AMOUNT
from core.forms import MoneyField, MoneyInput, is_money_field
from core.tests.test_admin_forms import _page_data
from governance.models import CooperationArea

NBSP, NNBSP = "\u00a0", "\u202f"

ACCEPTED = [
    ("7 500,50", Decimal("7500.50")),
    ("7500,50", Decimal("7500.50")),
    ("7 500,5", Decimal("7500.50")),
    ("7500.50", Decimal("7500.50")),
    ("7500", Decimal("7500.00")),
    (f"7{NBSP}500,50", Decimal("7500.50")),
    (f"7{NNBSP}500,50", Decimal("7500.50")),
    ("1 234 567,50", Decimal("1234567.50")),
    (f"1{NNBSP}234{NNBSP}567", Decimal("1234567.00")),
    ("7.500,50", Decimal("7500.50")),
    ("1.234.567,5", Decimal("1234567.50")),
    ("7 500 kr", Decimal("7500.00")),
    ("7500,50kr", Decimal("7500.50")),
    ("7 500,50 NOK", Decimal("7500.50")),
    ("  12,5  ", Decimal("12.50")),
    ("0", Decimal("0.00")),
    ("0,05", Decimal("0.05")),
    ("1 000 000 000", MAX_AMOUNT),
]

REFUSED = [
    ("7,500.50", "ambiguous"),
    ("7.500", "ambiguous"),
    ("7,500", "ambiguous"),
    ("1.234.567", "ambiguous"),
    ("1,2,3", "invalid"),
    ("nan", "invalid"),
    ("NaN", "invalid"),
    ("inf", "invalid"),
    ("-inf", "invalid"),
    ("1e3", "invalid"),
    ("75 00", "invalid"),
    ("7 500,5 0", "invalid"),
    (",50", "invalid"),
    ("7500,", "invalid"),
    ("kr", "invalid"),
    ("sju tusen", "invalid"),
    ("0x10", "invalid"),
    ("7500,505", "max_decimal_places"),
    ("7500.505", "max_decimal_places"),
    ("0,001", "max_decimal_places"),
    ("-5", "min_value"),
    ("1 000 000 000,01", "max_value"),
    ("99999999999999999999999999999999", "max_value"),
]


def _field() -> MoneyField:
    return MoneyField(label="Beløp (NOK)", max_digits=12)


@pytest.mark.parametrize(("text", "amount"), ACCEPTED)
def test_money_field_reads_what_people_type(text, amount):
    with translation.override("nb"):
        value = _field().clean(text)
    assert value == amount
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(("text", "code"), REFUSED)
def test_money_field_refuses_ambiguous_or_bad_input_naming_the_field(text, code):
    with translation.override("nb"), pytest.raises(ValidationError) as refused:
        _field().clean(text)
    assert [error.code for error in refused.value.error_list] == [code]
    [message] = refused.value.messages
    assert "Beløp (NOK)" in message


def test_money_field_messages_say_what_to_write():
    with translation.override("nb"):
        field = _field()
        with pytest.raises(ValidationError) as ambiguous:
            field.clean("7.500")
        with pytest.raises(ValidationError) as decimals:
            field.clean("7500,505")
        with pytest.raises(ValidationError) as bounds:
            field.clean("-5")
    assert ambiguous.value.messages == [
        "Beløp (NOK): «7.500» kan leses som to ulike beløp. Skriv mellomrom mellom tusenene og komma før ørene, "
        "for eksempel 7 500 eller 7,50."
    ]
    assert decimals.value.messages == ["Beløp (NOK) kan ha høyst to desimaler (øre): «7500,505»."]
    assert bounds.value.messages == ["Beløp (NOK) må være fra 0 til 1\xa0000\xa0000\xa0000."]


@pytest.mark.parametrize(
    ("text", "amount"),
    [("7,500.50", Decimal("7500.50")), ("7,500", Decimal("7500.00")), ("7 500,50", Decimal("7500.50"))],
)
def test_money_field_in_english_reads_english_thousands(text, amount):
    with translation.override("en"):
        assert _field().clean(text) == amount


def test_money_field_in_english_refuses_norwegian_thousands_dot():
    with translation.override("en"), pytest.raises(ValidationError):
        _field().clean("7.500,50")


def test_money_field_takes_decimals_as_they_are():
    field = _field()
    assert field.clean(Decimal("7500.5")) == Decimal("7500.50")
    assert field.clean(7500) == Decimal("7500.00")
    for bad in (Decimal("NaN"), Decimal("Infinity"), float("inf"), True):
        with pytest.raises(ValidationError):
            field.clean(bad)


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("nb", Decimal("7500.50"), "7 500,50"),
        ("nb", Decimal("7500.00"), "7 500"),
        ("nb", Decimal("1234567.5"), "1 234 567,50"),
        ("nb", Decimal("0.05"), "0,05"),
        ("en", Decimal("7500.50"), "7,500.50"),
        ("en", Decimal("7500"), "7,500"),
    ],
)
def test_money_shown_the_pages_way(language, amount, shown):
    with translation.override(language):
        assert MoneyInput().format_value(amount) == shown


def test_money_widget_is_a_text_box_for_decimals():
    class Form(forms.Form):
        amount = MoneyField(label="Beløp (NOK)")

    with translation.override("nb"):
        html = str(Form(initial={"amount": Decimal("7500.50")})["amount"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'autocomplete="off"' in html
    assert 'value="7 500,50"' in html
    assert 'type="number"' not in html and "step=" not in html


def test_money_typed_is_shown_back_as_typed():
    class Form(forms.Form):
        amount = MoneyField(label="Beløp (NOK)")

    form = Form(data={"amount": "7,500.50"})
    assert not form.is_valid()
    assert 'value="7,500.50"' in str(form["amount"])


AMOUNTS = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)


@settings(deadline=None, max_examples=300)
@given(amount=AMOUNTS, language=st.sampled_from(["nb", "en"]))
def test_money_round_trip(amount, language):
    """value → shown → read is the value, in Norwegian and English (also through the hidden
    copy an admin change page keeps of the loaded value)."""
    field = _field()
    with translation.override(language):
        shown = field.widget.format_value(amount)
        assert field.clean(shown) == amount
        assert field.clean(field.hidden_widget().format_value(amount)) == amount
        assert not field.has_changed(amount, shown)


# -- the activity form -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_activity_form_saves_a_cost_typed_the_norwegian_way(client_as, coord_follo, network):
    client = client_as(coord_follo)
    areas = list(CooperationArea.objects.order_by("number")[:1])
    page = client.get(reverse("activities:create"))
    assert page.status_code == 200
    assert 'inputmode="decimal"' in page.content.decode()

    response = client.post(
        reverse("activities:create"),
        form_data(region=network.follo, areas=areas, costs=[{"category": "fees", "amount": "7500,50"}]),
    )

    assert response.status_code == 302
    activity = Activity.objects.get()
    assert list(activity.costs.values_list("amount", flat=True)) == [Decimal("7500.50")]
    edit = client.get(reverse("activities:update", args=[activity.pk])).content.decode()
    assert 'value="7 500,50"' in edit
    assert 'name="kostnad-0-amount"' in edit


@pytest.mark.django_db
def test_activity_form_refuses_an_english_amount_on_the_cost_line(client_as, coord_follo, network):
    client = client_as(coord_follo)
    areas = list(CooperationArea.objects.order_by("number")[:1])

    response = client.post(
        reverse("activities:create"),
        form_data(region=network.follo, areas=areas, costs=[{"category": "fees", "amount": "7,500.50"}]),
    )

    assert response.status_code == 200
    [row] = response.context["costs"].forms
    assert list(row.errors) == ["amount"]
    assert "kan leses som to ulike beløp" in row.errors["amount"][0]
    assert 'value="7,500.50"' in response.content.decode()
    assert Activity.objects.count() == 0


# -- the admin -------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, daily_leader):
    client.force_login(daily_leader)
    return client


@pytest.mark.django_db
def test_admin_saves_a_partner_contribution_typed_the_norwegian_way(staff_client, network):
    from funding.models import PartnerContribution
    from governance.models import Partner

    partner = Partner.objects.create(name="NMH", kind=Partner.Kind.NMH)
    url = reverse("admin:funding_partnercontribution_add")
    page = staff_client.get(url)
    data = _page_data(page.context)[0] | {
        "partner": partner.pk,
        "year": "2021",
        "category": "cash",
        "amount": "1 234 567,50",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 302
    contribution = PartnerContribution.objects.get()
    assert contribution.amount == Decimal("1234567.50")
    change_url = reverse("admin:funding_partnercontribution_change", args=[contribution.pk])
    change = staff_client.get(change_url)
    html = change.content.decode()
    assert 'value="1 234 567,50"' in html
    assert 'inputmode="decimal"' in html
    # The page saved as it is shown keeps the amount.
    assert staff_client.post(change_url, _page_data(change.context)[0]).status_code == 302
    contribution.refresh_from_db()
    assert contribution.amount == Decimal("1234567.50")


@pytest.mark.django_db
def test_admin_saves_a_county_grant_typed_the_norwegian_way(staff_client, network):
    from funding.models import CountyGrant
    from schools.tests.factories import CountyFactory

    county = CountyFactory()
    url = reverse("admin:funding_countygrant_add")
    page = staff_client.get(url)
    data = _page_data(page.context)[0] | {
        "county": county.pk,
        "year": "2021",
        "index_factor": "1",
        "amount": f"1{NNBSP}234{NNBSP}567,50 kr",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert CountyGrant.objects.get().amount == Decimal("1234567.50")


@pytest.mark.django_db
def test_admin_refuses_an_ambiguous_amount_on_its_field(staff_client, network):
    from funding.models import PartnerContribution
    from governance.models import Partner

    partner = Partner.objects.create(name="NMH", kind=Partner.Kind.NMH)
    url = reverse("admin:funding_partnercontribution_add")
    page = staff_client.get(url)
    data = _page_data(page.context)[0] | {"partner": partner.pk, "year": "2021", "category": "cash", "amount": "7.500"}

    response = staff_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["amount"]
    assert errors["amount"][0].startswith("Beløp/verdi (NOK): «7.500» kan leses som to ulike beløp.")
    assert PartnerContribution.objects.count() == 0


def test_admin_money_fields_are_money_fields_and_factors_are_not(rf, superuser):
    """Every amount of money (a DecimalField bounded by core.bounds.amount_validators) in every
    admin form and inline is a MoneyField; index factors and other decimals are not."""
    request = rf.get("/")
    request.user = superuser
    money, other = set(), set()
    for model, model_admin in admin.site._registry.items():
        forms_ = [(model, model_admin.get_form(request))]
        forms_ += [
            (inline.model, inline.get_formset(request).form) for inline in model_admin.get_inline_instances(request)
        ]
        for form_model, form in forms_:
            for name, field in form.base_fields.items():
                db_field = next((f for f in form_model._meta.get_fields() if f.name == name), None)
                if not isinstance(db_field, models.DecimalField):
                    continue  # not a decimal, or a form's own field
                label = f"{form_model._meta.label}.{name}"
                assert isinstance(field, MoneyField) == is_money_field(db_field), label
                (money if is_money_field(db_field) else other).add(label)
    assert {
        "funding.PartnerContribution.amount",
        "funding.CountyGrant.amount",
        "funding.BudgetLine.amount",
        "funding.BudgetAssumptions.position_cost",
    } <= money
    assert "funding.CountyGrant.index_factor" in other
    assert not any("index_factor" in label for label in money)
