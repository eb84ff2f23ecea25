"""Forms of the activities pages. They check what a form can check by itself; the rules
that need the database (membership on the day, enrolment, a pupil's school) are the
services' and come back to the form's fields through `attach_service_errors`."""

from __future__ import annotations

import copy

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.bounds import MAX_COUNT
from core.forms import (
    BoundedDateTimeField,
    FormTokenField,
    IdChoiceField,
    IdMultipleChoiceField,
    LongSelect,
    MoneyField,
    add_service_error,
)
from core.params import MAX_ID, id_param
from governance.models import CooperationArea
from schools.models import Pupil, School

from . import picker, selectors
from .imports import MAX_FILE_BYTES
from .models import Activity, ActivityCost, Venue
from .services import ActivityData, CostData, ParticipationData

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# No school in the network (nor in Norway) has this many pupils or teachers in one activity;
# a larger number is a typing error, refused before the database's integer range is reached.
COUNT_ERRORS = {
    "required": _("Skriv et antall (0 eller mer)."),
    "invalid": _("Skriv et helt tall, 0 eller mer."),
    "min_value": _("Antallet kan ikke være negativt."),
    "max_value": _("Antallet er for stort (høyst %(limit_value)s)."),
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


# The activity's own fields as the model describes them (labels, choices, lengths, the
# translated messages of the required ones); the form only reads them. The rules are checked
# once, by services.activity_save, whose errors come back to these fields.
ACTIVITY_FIELD_CLASSES = {
    "cooperation_areas": IdMultipleChoiceField,
    "region": IdChoiceField,
    "venue": IdChoiceField,
    "host_school": IdChoiceField,
    "starts_at": BoundedDateTimeField,
    "ends_at": BoundedDateTimeField,
}
ACTIVITY_WIDGETS = {
    "cooperation_areas": forms.CheckboxSelectMultiple,
    "host_school": LongSelect,
    "starts_at": DateTimeLocalInput,
    "ends_at": DateTimeLocalInput,
    "notes": forms.Textarea(attrs={"rows": 3}),
}
ACTIVITY_ERROR_MESSAGES = {
    "cooperation_areas": {"required": _("Velg minst ett samarbeidsområde.")},
    "title": {"required": _("Skriv en tittel.")},
    "starts_at": {"required": _("Skriv når aktiviteten starter."), "invalid": _("Skriv dato og klokkeslett.")},
    "ends_at": {"required": _("Skriv når aktiviteten slutter."), "invalid": _("Skriv dato og klokkeslett.")},
    "region": {"required": _("Velg delregionen.")},
}


class ActivityForm(forms.Form):
    """The activity's fields (ActivityData), the hidden field that says which form this is,
    and the "Lagre likevel" boxes of the warnings shown."""

    FIELDS = ActivityData.names()
    # Warnings that ask before saving ("Lagre likevel"); a box is on the form only while its
    # warning is shown.
    confirm_pupil_load = forms.BooleanField(
        label=_("Lagre likevel: jeg har sjekket elevbelastningen"),
        required=False,
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Lagre likevel: dette er en annen aktivitet enn den som allerede er ført"),
        required=False,
    )
    confirm_large_amount = forms.BooleanField(
        label=_("Lagre likevel: jeg har sjekket at beløpene stemmer"),
        required=False,
    )
    confirm_clash = forms.BooleanField(
        label=_("Lagre likevel: jeg har sjekket kollisjonene med andre aktiviteter"),
        required=False,
    )
    confirm_overload = forms.BooleanField(
        label=_("Lagre likevel: jeg har sjekket antallet tilbud til skolene denne måneden"),
        required=False,
    )
    confirm_travel = forms.BooleanField(
        label=_("Lagre likevel: jeg har sjekket reiseveien for skolene"),
        required=False,
    )
    CONFIRMATIONS = {
        "pupil_load": "confirm_pupil_load",
        "duplicate": "confirm_duplicate",
        "large_amount": "confirm_large_amount",
        "clash": "confirm_clash",
        "overload": "confirm_overload",
        "travel": "confirm_travel",
    }

    # Hidden fields that say which form this is: the one-time token of a form that creates an
    # activity, or the version (and opening time) of the activity an edit form was loaded from.
    HIDDEN = ("form_token", "version", "opened_at")

    def __init__(
        self, *args, user, editing: Activity | None = None, confirmations: frozenset[str] = frozenset(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields = {
            **forms.fields_for_model(
                Activity,
                fields=self.FIELDS,
                widgets=ACTIVITY_WIDGETS,
                field_classes=ACTIVITY_FIELD_CLASSES,
                error_messages=ACTIVITY_ERROR_MESSAGES,
            ),
            **self.fields,
        }
        if editing is None:
            self.fields["form_token"] = FormTokenField()
        else:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput,
                min_value=1,
                max_value=MAX_ID,
                initial=editing.version,
                error_messages={
                    "required": _("Skjemaet mangler versjonen av aktiviteten. Last siden på nytt."),
                    "invalid": _("Skjemaets versjon av aktiviteten er ugyldig. Last siden på nytt."),
                    "min_value": _("Skjemaets versjon av aktiviteten er ugyldig. Last siden på nytt."),
                    "max_value": _("Skjemaets versjon av aktiviteten er ugyldig. Last siden på nytt."),
                },
            )
            self.fields["opened_at"] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=40, initial=lambda: timezone.now().isoformat()
            )
        self.fields["cooperation_areas"].queryset = CooperationArea.objects.order_by("number")
        self.fields["region"].queryset = selectors.region_list_editable_by(user=user)
        self.fields["venue"].queryset = Venue.objects.order_by("name")
        self.fields["host_school"].queryset = selectors.school_list_for_participation()
        for warning, name in self.CONFIRMATIONS.items():
            if warning not in confirmations:
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "title",
            Div(
                Div("kind", css_class="col-md-4"),
                Div("level", css_class="col-md-4"),
                Div("status", css_class="col-md-4"),
                css_class="row",
            ),
            "cooperation_areas",
            Div(
                Div("region", css_class="col-md-4"),
                Div("venue", css_class="col-md-4"),
                Div("host_school", css_class="col-md-4"),
                css_class="row",
            ),
            Div(Div("starts_at", css_class="col-md-6"), Div("ends_at", css_class="col-md-6"), css_class="row"),
            Div(Div("instrument", css_class="col-md-6"), Div("nmh_teachers", css_class="col-md-6"), css_class="row"),
            "notes",
            *(name for name in self.HIDDEN if name in self.fields),
        )

    def clean(self):
        cleaned = super().clean()
        # A hidden field's error has no place on the page: show it above the form.
        for name in self.HIDDEN:
            for message in self._errors.pop(name, []) if self._errors else []:
                self.add_error(None, message)
        return cleaned

    def activity_data(self) -> ActivityData:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        return ActivityData(**{**data, "cooperation_areas": list(data["cooperation_areas"])})


class ParticipationForm(forms.Form):
    """One school's row. Pupils are minors: the named-pupil field's choices on the page are
    only the pupils already linked to the row (the page's script asks `picker.PupilSearchView`
    for others as the person types); a posted pupil is accepted if they attend the row's
    school and the person may see that school's pupils' names."""

    school = IdChoiceField(
        label=_("Skole"), queryset=None, widget=LongSelect, error_messages={"required": _("Velg skolen.")}
    )
    pupils = forms.IntegerField(
        label=_("Elever"), min_value=0, max_value=MAX_COUNT, initial=0, error_messages=COUNT_ERRORS
    )
    teachers = forms.IntegerField(
        label=_("Lærere"), min_value=0, max_value=MAX_COUNT, initial=0, error_messages=COUNT_ERRORS
    )
    named_pupils = IdMultipleChoiceField(
        label=_("Navngitte elever"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4, "class": "form-select pupil-picker"}),
        help_text=_(
            "Søk etter eleven i feltet over og velg fra listen. Bare elever ved skolen i denne raden. "
            "Uten JavaScript vises bare elevene som allerede er valgt; legg til flere med importen."
        ),
        error_messages={
            "invalid_choice": _(
                "Navngitte elever: eleven med id %(value)s går ikke på skolen i denne raden, "
                "eller du har ikke tilgang til elevene der."
            ),
            "invalid_pk_value": _("Navngitte elever: «%(pk)s» er ikke en elev."),
        },
    )

    def __init__(self, *args, schools=None, school_choices=None, user=None, kept=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else selectors.school_list_for_participation()
        if school_choices is not None:
            # The formset's list, read once for every row (choices shown; the queryset validates).
            self.fields["school"].choices = school_choices
        self.fields["school"].widget.attrs["class"] = "form-select participation-school"
        field = self.fields["named_pupils"]
        # A row of a school whose pupils' names the person may not see (another region's row of
        # an activity they edit) shows how many are named, not who, and keeps them on saving.
        school = self._school()
        self.names_hidden = (
            user is not None and school is not None and not selectors.pupil_names_visible(user=user, school=school)
        )
        self.kept_pupils = list((kept or {}).get(school.pk, [])) if self.names_hidden else []
        if self.names_hidden and not self.is_bound:
            initial = self.get_initial_for_field(field, "named_pupils") or []
            self.kept_pupils = [pupil for pupil in initial if isinstance(pupil, Pupil)]
        if self.is_bound:
            posted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix("named_pupils")) or []
            field.queryset = self._pickable(user) if posted else Pupil.objects.none()
            ids = [id_param(str(value)) for value in posted if isinstance(value, str | int)]
            shown = list(field.queryset.filter(pk__in=[pk for pk in ids if pk is not None])) if posted else []
        else:
            field.queryset = Pupil.objects.none()
            shown = list(self.get_initial_for_field(field, "named_pupils") or [])
        # The page lists only these pupils (the chosen ones); validation asks the queryset.
        field.widget.choices = (
            [] if self.names_hidden else [(pupil.pk, str(pupil)) for pupil in shown if isinstance(pupil, Pupil)]
        )

    def clean_named_pupils(self):
        """The chosen pupils; in a row whose names the person may not see (the page does not
        offer them), the pupils already named there, unchanged."""
        chosen = list(self.cleaned_data.get("named_pupils") or [])
        return self.kept_pupils if self.names_hidden and not chosen else chosen

    def _school(self) -> School | None:
        """The row's school: the posted one on a bound form, else the initial one."""
        if not self.is_bound:
            school = self.get_initial_for_field(self.fields["school"], "school")
            return school if isinstance(school, School) else None
        raw = self.data.get(self.add_prefix("school"))
        school_id = id_param(str(raw)) if isinstance(raw, str | int) else None
        return self.fields["school"].queryset.filter(pk=school_id).first() if school_id else None

    def _pickable(self, user):
        """The pupils this row may name: those of the posted school the user may see."""
        school = self._school()
        if user is None:
            # A formset made without the person (an older caller): the school's pupils; the
            # service still refuses a pupil of another school.
            return picker.pupil_list_at(school=school)
        return picker.pupil_list_pickable(user=user, school=school)


class CostForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Kategori"),
        # An empty first choice, so that an untouched extra row is not a row.
        choices=[("", "---------"), *ActivityCost.Category.choices],
        error_messages={"required": _("Velg kategorien.")},
    )
    description = forms.CharField(label=_("Beskrivelse"), max_length=200, required=False)
    # Typed as people type money ("7 500,50"), in a text box: see core.forms.MoneyField.
    amount = MoneyField(
        label=_("Beløp (NOK)"),
        max_digits=12,
        error_messages={
            "required": _("Skriv beløpet."),
            "min_value": _("Beløpet kan ikke være negativt."),
        },
    )


class BaseRowFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        counts = self.management_form.cleaned_data
        if min(counts.get(TOTAL_FORM_COUNT, 0), counts.get(INITIAL_FORM_COUNT, 0)) < 0:
            # Only a forged request says -1 rows; taken at its word it would delete every row.
            raise ValidationError(_("Skjemaet er ufullstendig. Last siden på nytt og prøv igjen."))

    def rows(self) -> list[forms.Form]:
        """The filled-in rows that are not marked for deletion, in page order."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


class BaseParticipationFormSet(BaseRowFormSet):
    def __init__(self, *args, user=None, editing=None, **kwargs):
        # One queryset for every row; the rows' choices are then one query each. The user
        # decides which pupils a row may name (see ParticipationForm); the pupils already named
        # on the activity being edited are kept in the rows whose names the user may not see.
        self.schools = selectors.school_list_for_participation()
        self.user = user
        self.kept = {p.school_id: list(p.named_pupils.all()) for p in editing.participations.all()} if editing else {}
        super().__init__(*args, **kwargs)

    @cached_property
    def school_choices(self) -> list:
        """The school field's choices, read once for all the rows (one query, not one a row)."""
        field = copy.deepcopy(ParticipationForm.base_fields["school"])
        field.queryset = self.schools
        return list(field.choices)

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "schools": self.schools,
            "school_choices": self.school_choices,
            "user": self.user,
            "kept": self.kept,
        }

    def participation_data(self) -> list[ParticipationData]:
        return [
            ParticipationData(
                school=form.cleaned_data["school"],
                pupils=form.cleaned_data["pupils"],
                teachers=form.cleaned_data["teachers"],
                named_pupils=list(form.cleaned_data.get("named_pupils") or []),
            )
            for form in self.rows()
        ]


class BaseCostFormSet(BaseRowFormSet):
    def cost_data(self) -> list[CostData]:
        return [
            CostData(
                category=form.cleaned_data["category"],
                amount=form.cleaned_data["amount"],
                description=form.cleaned_data.get("description", ""),
            )
            for form in self.rows()
        ]


# Bounded rows: the whole network has 23 schools (a national network has no activity with
# more than 100), and a forged TOTAL_FORMS must not make the server draw thousands of rows.
MAX_PARTICIPATION_ROWS = 100
MAX_COST_ROWS = 50
ParticipationFormSet = forms.formset_factory(
    ParticipationForm,
    formset=BaseParticipationFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_PARTICIPATION_ROWS,
    absolute_max=MAX_PARTICIPATION_ROWS,
    validate_max=True,
)
CostFormSet = forms.formset_factory(
    CostForm,
    formset=BaseCostFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_COST_ROWS,
    absolute_max=MAX_COST_ROWS,
    validate_max=True,
)


def attach_service_errors(*, error: ValidationError, form: forms.Form, participations: BaseRowFormSet) -> None:
    """Show a service's ValidationError at the fields it names: participation rows by
    position, the activity's fields on the main form, anything else above the form."""
    rows = getattr(error, "rows", None)
    if rows is not None:
        filled = participations.rows()
        for index, row_errors in rows.items():
            for field, message in row_errors.items():
                filled[index].add_error(field if field in filled[index].fields else None, message)
        return
    add_service_error(form, error)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Begrunnelse (valgfritt)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fil (CSV eller Excel .xlsx)"),
        help_text=_(
            "Kolonner: skole, elever, lærere – eller én rad per elev med skole, fornavn, etternavn og fødselsår."
        ),
        error_messages={"required": _("Velg en fil.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise ValidationError(_("Filen må være en CSV-fil eller en Excel-fil (.xlsx)."))
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("Filen er for stor (høyst 2 MB)."))
        return upload


class CommitForm(forms.Form):
    """The import preview's "import all rows" button: its one-time token."""

    form_token = FormTokenField()
