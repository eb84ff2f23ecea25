"""The participation import's preview forms: the "Erstatt navngitte elever" choice, and
registering a pupil the file names who is not in the register."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import FormTokenField
from schools.models import Pupil, School

from .matching import normalise


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


class RegisterTokenForm(forms.Form):
    """The one-time token of the preview's «Registrer eleven» buttons: a double click
    registers the pupil once."""

    form_token = FormTokenField()


class RegisterPupilForm(forms.ModelForm):
    """A pupil the file names, registered at the row's school (fixed: not a field): first
    name, last name, birth year and instrument, nothing more. The model's bounds (length,
    birth year) apply; names are trimmed. One pupil of the same name and birth year at the
    school is enough: a second is refused."""

    class Meta:
        model = Pupil
        fields = ["first_name", "last_name", "birth_year", "main_instrument"]

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean(self):
        cleaned = super().clean()
        first_name, last_name = cleaned.get("first_name"), cleaned.get("last_name")
        birth_year = cleaned.get("birth_year")
        if first_name and last_name and birth_year is not None:
            existing = duplicate_pupil(
                school=self.school, first_name=first_name, last_name=last_name, birth_year=birth_year
            )
            if existing is not None:
                self.add_error("first_name", duplicate_message(school=self.school, pupil=existing))
        return cleaned


def duplicate_pupil(*, school: School, first_name: str, last_name: str, birth_year: int) -> Pupil | None:
    """A pupil of the school with this name (written as the import matches names:
    activities.matching.normalise) and birth year, if there is one."""
    first, last = normalise(first_name), normalise(last_name)
    return next(
        (
            pupil
            for pupil in school.pupils.filter(birth_year=birth_year)
            if normalise(pupil.first_name) == first and normalise(pupil.last_name) == last
        ),
        None,
    )


def duplicate_message(*, school: School, pupil: Pupil) -> str:
    return _("%(school)s har allerede eleven %(pupil)s.") % {"school": school, "pupil": pupil}
