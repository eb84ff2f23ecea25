"""Form fields that refuse what the database cannot hold, as field errors, on SQLite and
PostgreSQL alike: ids beyond 64 bits or not made of digits, dates outside the portal's years
(whose time-zone conversion would overflow), and the one-time token that stops a form from
being submitted twice."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .bounds import FIRST_YEAR, LAST_YEAR
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
