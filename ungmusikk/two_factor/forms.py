"""The one field of the two-factor pages: a code, as people type it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# What people put between the digits or letters of a code: "123 456", "abcd-efgh".
_SEPARATORS = str.maketrans("", "", " -\u00a0\u202f\t")


def code_normalise(value: str) -> str:
    """The code without spaces and dashes, in lower case. Whether it is a code at all (ASCII
    digits or letters only: Python's int() would also read "١٢٣٤٥٦") the services decide."""
    return value.translate(_SEPARATORS).lower()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Engangskode"),
        max_length=32,
        error_messages={
            "required": _("Engangskode: skriv koden."),
            "max_length": _("Engangskode: koden er for lang. Skriv de seks sifrene appen viser."),
            "null_characters_not_allowed": _("Engangskode: koden kan bare ha sifre og bokstaver."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return code_normalise(self.cleaned_data["code"])


class AppCodeForm(CodeForm):
    """The code that confirms a new authenticator app: six digits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
        self.fields["code"].help_text = _("De seks sifrene appen viser nå.")
