"""How numbers, money, percentages, dates and times read, in Norwegian and in English
(core/formatting.py; the Norwegian date formats are ungmusikk/formats/nb/formats.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.formatting import date_text, datetime_text, money_text, number_text, percent_text
from core.tests.hostile import hostile_settings

NBSP = "\xa0"
WHEN = datetime(2020, 3, 5, 9, 0, tzinfo=UTC)  # 10.00 in Oslo (winter time)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nb",
            [
                f"1{NBSP}234{NBSP}567{NBSP}kr",
                f"10{NBSP}497,19{NBSP}kr",
                f"2,7{NBSP}%",
                "01.01.2014",
                "05.03.2020 kl. 10.00",
            ],
        ),
        ("en", [f"NOK{NBSP}1,234,567", f"NOK{NBSP}10,497.19", "2.7%", "Jan. 1, 2014", "March 5, 2020, 10 a.m."]),
    ],
)
def test_each_kind_reads_as_the_language_writes_it(language, expected):
    with translation.override(language):
        assert [
            money_text(Decimal("1234567")),
            money_text(Decimal("10497.19")),
            percent_text(Decimal("2.7")),
            date_text(date(2014, 1, 1)),
            datetime_text(WHEN),
        ] == expected


def test_template_filters_and_named_date_formats():
    template = Template(
        "{% load formatting %}{{ amount|kr }}|{{ share|percent }}|{{ count|number }}|{{ day|date }}|"
        '{{ moment|date:"DATETIME_FORMAT" }}|{{ nothing|kr }}'
    )
    context = Context(
        {
            "amount": Decimal("80000"),
            "share": 2.7,
            "count": 12000,
            "day": date(2014, 1, 1),
            "moment": WHEN,
            "nothing": None,
        }
    )
    with translation.override("nb"):
        assert template.render(context) == (
            f"80{NBSP}000{NBSP}kr|2,7{NBSP}%|12{NBSP}000|01.01.2014|05.03.2020 kl. 10.00|–"
        )


@hostile_settings(50)
@given(amount=st.decimals(min_value=0, max_value=10**9, places=2), language=st.sampled_from(["nb", "en"]))
def test_money_reads_back_as_the_same_amount(amount, language):
    """Whatever the amount, its text holds the same number: only grouping, the decimal mark and
    the unit are added."""
    with translation.override(language):
        text = money_text(amount)
    digits = text.replace("kr", "").replace("NOK", "").replace(NBSP, "").replace(",", "." if language == "nb" else "")
    assert Decimal(digits.replace(" ", "")) == amount
    assert number_text(0) == "0"


def test_a_bound_groups_thousands_the_same_way_in_both_languages():
    """The bounds' messages are part of the migrations: their numbers read alike in every
    language ("100 000", SI style), and the words are translated."""
    from schools.models import Enrolment

    field = Enrolment._meta.get_field("pupils")
    messages = {validator.message for validator in field.validators}
    with translation.override("en"):
        assert {str(message) for message in messages} == {f"Pupils must be from 0 to 100{NBSP}000."}
    with translation.override("nb"):
        assert {str(message) for message in messages} == {f"Elever må være fra 0 til 100{NBSP}000."}
