"""The participation import's preview form: the "Erstatt navngitte elever" choice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportReviewForm(forms.Form):
    """Ticked, the named pupils of each school in the file become exactly those the file
    names; the preview is shown again with who would be removed before anything is imported."""

    erstatt = forms.BooleanField(
        label=_("Erstatt navngitte elever"),
        required=False,
        help_text=_(
            "Skolene i filen får bare elevene filen navngir. Uten avkrysning legges elevene i filen til dem "
            "som står der fra før."
        ),
    )
