"""Form fields that refuse what the database cannot hold, as field errors, on SQLite and
PostgreSQL alike: ids beyond 64 bits or not made of digits, dates outside the portal's years
(whose time-zone conversion would overflow), and the one-time token that stops a form from
being submitted twice."""

from __future__ import annotations

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .params import FIRST_YEAR, LAST_YEAR, MAX_ID

_ID = re.compile(r"[0-9]{1,19}")


def _is_id(value) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return 0 <= value <= MAX_ID
    text = str(value).strip()
    return bool(_ID.fullmatch(text)) and int(text) <= MAX_ID


def _uses_integer_key(field: forms.ModelChoiceField) -> bool:
    key = field.to_field_name or "pk"
    model_field = field.queryset.model._meta.pk if key == "pk" else field.queryset.model._meta.get_field(key)
    return model_field.get_internal_type() in {
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


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time within the portal's years (2000–2100): year 1 or 9999 would overflow
    when converted between Oslo time and UTC. A time that does not exist in Oslo (the hour
    skipped in March) is refused by Django with its own message."""

    default_error_messages = {
        "out_of_range": _("Skriv en dato mellom år %(first)s og %(last)s."),
    }

    def to_python(self, value):
        result = super().to_python(value)
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

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and not (FIRST_YEAR <= result.year <= LAST_YEAR):
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return result


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
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error
