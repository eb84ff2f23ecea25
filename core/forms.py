"""Form fields that refuse what the database cannot hold, as field errors, on SQLite and
PostgreSQL alike: ids beyond 64 bits or not made of digits, dates outside the portal's years
(whose time-zone conversion would overflow), and the one-time token that stops a form from
being submitted twice; and money as people in Norway type it (MoneyField: "7 500,50")."""

from __future__ import annotations

import re
import secrets
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator
from django.db import models
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .bounds import FIRST_YEAR, LAST_YEAR, MAX_AMOUNT, amount_validators
from .formatting import money_text
from .params import MAX_ID

_ID = re.compile(r"[0-9]{1,19}")
# A one-time form token as form_token_new makes it (URL-safe base64).
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Calendar dates of the network's geography reach back before the portal's years: the oldest
# Norwegian municipalities date from 1838.
FIRST_HISTORICAL_YEAR = 1800


def _is_id(value) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return 0 <= value <= MAX_ID
    text = str(value).strip()
    return bool(_ID.fullmatch(text)) and int(text) <= MAX_ID


_INTEGER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "SmallIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}


def _uses_integer_key(field: forms.ModelChoiceField) -> bool:
    key = field.to_field_name or "pk"
    model_field = field.queryset.model._meta.pk if key == "pk" else field.queryset.model._meta.get_field(key)
    return model_field.get_internal_type() in _INTEGER_TYPES


def is_valid_key(model_field: models.Field, value) -> bool:
    """Whether `value` can be looked up in `model_field` (a primary key, or the field a
    foreign key points to) without the database raising: an id must be ASCII digits within
    64 bits, any other key what the field itself accepts."""
    while model_field.is_relation:
        model_field = model_field.target_field
    if model_field.get_internal_type() in _INTEGER_TYPES:
        return _is_id(value)
    try:
        model_field.to_python(value)
    except ValidationError:
        return False
    return True


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose value must look like an id before the database is asked:
    `true`, `0x10`, `😀` or `99999999999999999999999` are "not one of the choices", never a
    crash (SQLite raises OverflowError for integers beyond 64 bits)."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and _uses_integer_key(self)
            and not _is_id(value)
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses values that are not ids (see IdChoiceField)."""

    def _check_values(self, value):
        if _uses_integer_key(self):
            for item in value if isinstance(value, list | tuple | set | frozenset) else [value]:
                if not _is_id(item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super()._check_values(value)


def _in_oslo_words(error: ValidationError, messages: dict) -> ValidationError:
    """Django's refusal of a time in the hour the clocks skip or repeat names the zone by its
    code ("Europe/Oslo"); say what it means."""
    return ValidationError(
        messages["ambiguous_timezone"],
        code="ambiguous_timezone",
        params={"time": error.params["datetime"].strftime("%H:%M")},
    )


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time within the portal's years (2000–2100): year 1 or 9999 would overflow
    when converted between Oslo time and UTC. A time that does not exist in Oslo (the hour
    skipped in March) is refused by Django with its own message."""

    default_error_messages = {
        "out_of_range": _("Skriv en dato mellom år %(first)s og %(last)s."),
        "ambiguous_timezone": _(
            "Klokkeslettet %(time)s finnes ikke, eller finnes to ganger, i norsk tid den natten sommertiden begynner "
            "eller slutter. Velg et annet klokkeslett."
        ),
    }

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            raise _in_oslo_words(error, self.error_messages) from error
        if result is not None and not (FIRST_YEAR <= result.year <= LAST_YEAR):
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return result


class BoundedDateField(forms.DateField):
    """A date within the portal's years (2000–2100)."""

    default_error_messages = BoundedDateTimeField.default_error_messages
    first_year = FIRST_YEAR
    last_year = LAST_YEAR

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and not (self.first_year <= result.year <= self.last_year):
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": self.first_year, "last": self.last_year},
            )
        return result


class HistoricalDateField(BoundedDateField):
    """A calendar date that may lie in the network's prehistory: a municipality or a county
    valid from 1838, a merger in 1964, an agreement signed long ago (1800–2100). A date has
    no time zone to convert, so only typing errors such as year 1 or 9999 are refused."""

    first_year = FIRST_HISTORICAL_YEAR


class BoundedSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date-and-time field (a date box and a time box) within the portal's years
    (2000–2100), as BoundedDateTimeField: year 1 or 9999 would overflow when the Oslo time
    is converted to UTC for the database. The year is checked before that conversion."""

    default_error_messages = {
        **forms.SplitDateTimeField.default_error_messages,
        **BoundedDateTimeField.default_error_messages,
    }

    def compress(self, data_list):
        day = data_list[0] if data_list else None
        if day not in self.empty_values and not (FIRST_YEAR <= day.year <= LAST_YEAR):
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        try:
            return super().compress(data_list)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            raise _in_oslo_words(error, self.error_messages) from error


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on a form: each message on the field it names when the form
    has that field, every other message above the form (a service may name a field of a row
    the form does not show, such as a municipality's population behind a draft budget)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_token_new() -> str:
    """A fresh one-time token for a form that creates something (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


class FormTokenField(forms.CharField):
    """The hidden one-time token of a form that creates something. The form is rendered with
    a fresh token; the view hands it to `core.submissions.submit_once`, so that a second
    submission of the same page (a double click, a resubmit after a slow answer) leads to
    what the first one made instead of making it again."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": _("Skjemaet mangler sitt engangsmerke. Last siden på nytt og send det igjen."),
        "invalid": _("Skjemaets engangsmerke er ugyldig. Last siden på nytt og send det igjen."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Engangsmerke"))
        kwargs.setdefault("initial", form_token_new)
        super().__init__(min_length=16, max_length=64, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not TOKEN.fullmatch(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


# Money as people type it in Norway: "7 500,50", "7500,5", "7.500,50" or "7500.50", with
# spaces (also U+00A0 and U+202F, which the portal itself writes) between the thousands and
# "kr"/"NOK" after it.
_GROUP_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"\s*(?:kr\.?|nok)$", re.IGNORECASE)
_MONEY_CHARACTERS = re.compile(r"[0-9 .,]+")
_DIGITS = re.compile(r"[0-9]+")
_THOUSAND = re.compile(r"[1-9][0-9]{0,2}")
# Thousands written in groups of three with one separator ("1 234 567", "1.234.567").
_GROUPED = {mark: re.compile(rf"[0-9]{{1,3}}(?:{re.escape(mark)}[0-9]{{3}})+") for mark in (" ", ".", ",")}


def is_money_field(db_field: models.Field) -> bool:
    """Whether a model field is an amount of money in NOK: a DecimalField with øre (two
    places) bounded by core.bounds.amount_validators. Index factors (four places) and
    percentages are not."""
    return (
        isinstance(db_field, models.DecimalField)
        and db_field.decimal_places == 2
        and any(isinstance(v, MaxValueValidator) and v.limit_value == MAX_AMOUNT for v in db_field.validators)
    )


class MoneyInput(forms.TextInput):
    """A text box for kroner, not `type=number`: a browser's number box in Norwegian reads
    "7500,50" by its own rules (or drops it) and shows "7500.50" back. Its value is written the
    way of the page's language (format_money): "7 500,50" and whole kroner "7 500" in Norwegian,
    "7,500.50" in English; what a person typed is shown back as typed."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return format_money(value)
        return super().format_value(value)


class MoneyHiddenInput(forms.HiddenInput):
    """The value as it was loaded (an admin change page's hidden initial), written plainly
    ("7500.50"), which MoneyField reads in any language."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format(value, "f")
        return super().format_value(value)


def format_money(value) -> str:
    """An amount for a text box, as the page's language writes it: "7 500,50", whole kroner
    "7 500" (English "7,500.50"). Norwegian groups thousands with a no-break space; in a box,
    where nothing wraps, a plain space does the same and survives any client's encoding."""
    amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return _GROUP_SPACES.sub(" ", money_text(amount, unit=False))


class MoneyField(forms.DecimalField):
    """An amount of money in NOK (0–1 000 000 000, core.bounds), typed as people type it.

    Accepted: "7 500,50", "7500,50", "7 500,5", "7500.50", "7500", "7.500,50", with spaces,
    U+00A0 or U+202F between the thousands and "kr" or "NOK" after it; in English also
    "7,500.50". Refused, with a message naming the field: what could mean two amounts
    ("7.500" is 7 500 or 7,5; "7,500.50" is English), more than two decimals, "1,2,3", "nan",
    "inf", "1e3" and anything else that is not an amount. The value is returned with two
    places: Decimal("7500.50")."""

    widget = MoneyInput
    hidden_widget = MoneyHiddenInput
    default_error_messages = {
        "invalid": _("%(field)s: «%(value)s» er ikke et beløp. Skriv kroner og øre, for eksempel 7 500,50."),
        "ambiguous": _(
            "%(field)s: «%(value)s» kan leses som to ulike beløp. Skriv mellomrom mellom tusenene og komma før "
            "ørene, for eksempel 7 500 eller 7,50."
        ),
        "max_decimal_places": _("%(field)s kan ha høyst to desimaler (øre): «%(value)s»."),
    }

    def __init__(self, *, max_value=None, min_value=None, max_digits=None, decimal_places=2, **kwargs):
        # The bounds are the portal's (core.bounds); the form's own bounds only narrow them.
        super().__init__(
            max_value=max_value, min_value=min_value, max_digits=max_digits, decimal_places=decimal_places, **kwargs
        )
        self.validators = [
            *amount_validators(self.label or _("beløp")),
            *(v for v in self.validators if not isinstance(v, DecimalValidator)),
        ]

    def widget_attrs(self, widget):
        # Not Django's `step`/`min`/`max` for a number box: this is a text box.
        return forms.Field.widget_attrs(self, widget)

    def _error(self, code: str, value) -> ValidationError:
        label = capfirst(str(self.label)) if self.label else gettext("Beløpet")
        return ValidationError(
            self.error_messages[code], code=code, params={"field": label, "value": str(value).strip()}
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            raise self._error("invalid", value)
        if isinstance(value, int | float | Decimal):
            amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
            if not amount.is_finite():
                raise self._error("invalid", value)
        else:
            amount = self._parse(str(value), value)
        places = Decimal(1).scaleb(-self.decimal_places)
        if amount.is_finite() and abs(amount) > MAX_AMOUNT * 1000:
            return amount  # refused by the bounds; not worth rounding
        if amount != amount.quantize(places):
            raise self._error("max_decimal_places", value)
        return amount.quantize(places)

    def _parse(self, text: str, value) -> Decimal:
        text = _GROUP_SPACES.sub(" ", text.strip())
        text = _CURRENCY.sub("", text).strip()
        negative = text[:1] in ("-", "\u2212")
        if negative:
            text = text[1:].strip()
        if not text or not _MONEY_CHARACTERS.fullmatch(text) or not text[0].isdigit() or not text[-1].isdigit():
            raise self._error("invalid", value)
        decimal_mark = "." if get_format("DECIMAL_SEPARATOR") == "." else ","
        other_mark = "," if decimal_mark == "." else "."
        # The page's own thousands mark when it is a comma or a dot (English: ","); spaces always.
        own_group = other_mark if get_format("THOUSAND_SEPARATOR") == other_mark else None
        whole, fraction = text, ""
        if decimal_mark in text and other_mark in text:
            # "7.500,50" (nb) or "7,500.50" (en): the other mark between the thousands, the
            # page's own before the øre. The other way round is another language's amount.
            whole, _sep, fraction = text.rpartition(decimal_mark)
            if other_mark in fraction or not _GROUPED[other_mark].fullmatch(whole):
                raise self._error("ambiguous", value)
            whole = whole.replace(other_mark, "")
        elif decimal_mark in text:
            whole, _sep, fraction = text.partition(decimal_mark)
            if decimal_mark in fraction:
                raise self._error("invalid", value)  # "1,2,3"
            if len(fraction) == 3 and _THOUSAND.fullmatch(whole):
                raise self._error("ambiguous", value)  # "7,500" in Norwegian: 7,5 or English 7 500?
        elif other_mark in text:
            if own_group and _GROUPED[own_group].fullmatch(text):
                whole = text.replace(own_group, "")  # "7,500" in English
            else:
                whole, _sep, fraction = text.partition(other_mark)
                if other_mark in fraction:
                    # "1.234.567" (nb) or "1,2,3": not a decimal mark, and as thousands it is
                    # not the page's own way of writing them.
                    raise self._error("ambiguous" if _GROUPED[other_mark].fullmatch(text) else "invalid", value)
                if len(fraction) == 3 and _THOUSAND.fullmatch(whole):
                    raise self._error("ambiguous", value)  # "7.500" in Norwegian: 7 500 or 7,5?
        if " " in fraction:
            raise self._error("invalid", value)
        if " " in whole and not _GROUPED[" "].fullmatch(whole):
            raise self._error("invalid", value)  # "75 00"
        whole = whole.replace(" ", "")
        if not _DIGITS.fullmatch(whole) or (fraction and not _DIGITS.fullmatch(fraction)):
            raise self._error("invalid", value)
        if len(fraction) > self.decimal_places:
            raise self._error("max_decimal_places", value)
        amount = Decimal(f"{whole}.{fraction or '0'}")
        return -amount if negative else amount

    def run_validators(self, value):
        # One message for an amount out of bounds (the bounds' own), not one per validator.
        if value in self.empty_values:
            return
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError as error:
                if hasattr(error, "code") and error.code in self.error_messages:
                    raise ValidationError(self.error_messages[error.code], code=error.code) from error
                raise


def _attrs_html(attrs: dict) -> str:
    """The attributes as Django's django/forms/widgets/attrs.html writes them: False left out,
    True as a bare name, the rest escaped."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class LongSelect(forms.Select):
    """A <select> for long lists (the 400 schools of a national network, on every row of the
    activity form): the same HTML as Django's select.html and select_option.html, written in
    Python rather than one template render per option, which made the activity form's page
    take over a second at national scale (bench/load.py). Only the default templates are
    mirrored: a widget given other templates renders through them as usual."""

    def _render(self, template_name, context, renderer=None):
        if template_name != self.template_name or self.option_template_name != forms.Select.option_template_name:
            return super()._render(template_name, context, renderer)
        widget = context["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(str(group_name))}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                    f"{conditional_escape(str(option['label']))}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
