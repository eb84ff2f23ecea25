"""The bounds of what a person can mean, defined once for the whole portal.

The models carry them as field validators (see the `*_validators` helpers below), so the
admin's ModelForms, the services (every service saves through `core.services.validated_save`,
which runs `full_clean`) and the portal's forms refuse the same values the same way: on the
field, with a Norwegian message naming it ("Elever må være fra 0 til 100 000."). A value
outside them is a typing error (a year of 0 or 99999, two billion pupils), refused long before
the database's integer range is reached.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# The years the portal's figures and dates fall in: the network's history (it began in 2013,
# its reference data starts there) and its future. The query strings (core/params.py) and the
# date fields of the forms (core/forms.py) take these too.
FIRST_YEAR = 2000
LAST_YEAR = 2100

# A pupil's birth year: the pupils of the kulturskoler, the upper secondary schools and the
# folk high schools of the network were born from 1990 on (the model's bound since the start);
# a child born after 2030 is not a pupil in the portal's lifetime of data.
FIRST_BIRTH_YEAR = 1990
LAST_BIRTH_YEAR = 2030

# The largest number of pupils (or teachers) one count may hold: the portal's participation
# form caps a school's pupils and teachers in one activity at this (activities/forms.py,
# MAX_COUNT), and no school, county scenario or year's enrolment in the network comes near it
# (the county's whole music education, GSI 2018–19, is about 17 000 pupils).
MAX_COUNT = 100_000

# The largest population of a municipality: Oslo, Norway's largest, has about 720 000
# inhabitants; the contribution tiers (funding/migrations/0002_contribution_tiers.py) top out
# at 50 000.
MAX_POPULATION = 2_000_000

# The largest amount of money (NOK) one figure may hold: a year's whole budget of the network
# is a few million kroner (the county grant was 2.5 MNOK in 2019), so a billion is far above
# any grant, contribution, budget line, position cost or activity cost anyone could mean.
# No amount is negative: income and expense are told apart by the line's kind, not the sign.
MIN_AMOUNT = Decimal("0")
MAX_AMOUNT = Decimal("1000000000")

# The pupil-load warning (governance.PortalSetting): warn when a pupil takes part in this many
# activities or more in one term. 0 would warn about every pupil; a pupil in more than a
# hundred activities a term is not a threshold anyone sets (the default is 6).
MIN_PUPIL_LOAD = 1
MAX_PUPIL_LOAD = 100


def _number(value: int | Decimal) -> str:
    """10000 and above grouped by thousands with no-break spaces ("100 000", as Norwegian and
    SI write it, the same in every language: the message is part of the migrations); years stay
    as they are ("2100")."""
    value = int(value)
    return f"{value:,}".replace(",", "\xa0") if abs(value) >= 10_000 else str(value)


def _message(label, low: int | Decimal, high: int | Decimal) -> str:
    text = _("{field} må være fra {low} til {high}.").format(
        field=capfirst(str(label)), low=_number(low), high=_number(high)
    )
    # A validator's message is %-formatted with its limit: a label's own "%" ("100 % stilling")
    # is a literal one.
    return text.replace("%", "%%")


_lazy_message = lazy(_message, str)


def between_validators(label, low: int | Decimal, high: int | Decimal) -> list:
    """A field's bounds as validators, low and high included, both with one message naming the
    field by its label (the verbose name), in the language of the request: "Skoleår må være fra
    2000 til 2100."."""
    message = _lazy_message(label, low, high)
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


def year_validators(label) -> list:
    """A year of the portal's figures: FIRST_YEAR–LAST_YEAR."""
    return between_validators(label, FIRST_YEAR, LAST_YEAR)


def birth_year_validators(label) -> list:
    """A pupil's birth year: FIRST_BIRTH_YEAR–LAST_BIRTH_YEAR."""
    return between_validators(label, FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR)


def count_validators(label) -> list:
    """A number of pupils or teachers: 0–MAX_COUNT."""
    return between_validators(label, 0, MAX_COUNT)


def population_validators(label) -> list:
    """A municipality's inhabitants: 0–MAX_POPULATION."""
    return between_validators(label, 0, MAX_POPULATION)


def amount_validators(label) -> list:
    """An amount of money in NOK: MIN_AMOUNT–MAX_AMOUNT."""
    return between_validators(label, MIN_AMOUNT, MAX_AMOUNT)


def pupil_load_validators(label) -> list:
    """The pupil-load warning's threshold: MIN_PUPIL_LOAD–MAX_PUPIL_LOAD activities a term."""
    return between_validators(label, MIN_PUPIL_LOAD, MAX_PUPIL_LOAD)
