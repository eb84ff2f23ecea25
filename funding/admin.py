"""The funding admin. Budgets follow their workflow here: central staff draft and edit,
the daily leader or the NMH coordinator lays the budget before the steering group ("Legg
fram"), a steering-group member approves it ("Vedta") or returns it with a comment ("Send
tilbake"). Buttons and actions show only for those who may use them; the services check
again whatever the request says. Approved budgets are read-only; the audit trail shows on
the budget's page and cannot be edited.

Every page's permissions are the models' rules (funding/rules.py, asked with
`user.has_perm`); every write goes through funding.services, which asks them again and
writes the audit entry. Contribution tiers (a data migration) and budget lines (kept on their
budget's page) are read-only here."""

from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import exports
from core.admin import PortalModelAdmin, PortalTabularInline, ReadOnlyAdminMixin, ServiceWritesMixin
from core.bounds import FIRST_YEAR, LAST_YEAR
from core.concurrency import EditConflict
from core.formatting import date_text, number_text
from core.forms import BoundedDateField, FormTokenField, add_service_error, is_valid_key
from core.params import id_param, year_param
from core.periods import OSLO
from core.submissions import AlreadySubmitted, submit_once

from .models import (
    ActivityBooking,
    Budget,
    BudgetAssumptions,
    BudgetLine,
    ContributionTier,
    CountyGrant,
    MunicipalContribution,
    PartnerContribution,
)
from .pdf import budget_pdf
from .selectors import (
    budget_audit_minutes,
    budget_changes_since,
    budget_decision,
    budget_fairness,
    budget_in_force,
    budget_line_groups,
    budget_list,
    budget_scenario,
    budget_submission,
    budget_summary,
    budget_totals,
    budget_vs_actual,
)
from .services import (
    COMMENT_MAX_LENGTH,
    activity_booking_clear,
    activity_booking_set,
    budget_allocate,
    budget_approve,
    budget_assumptions_save,
    budget_draft,
    budget_line_check_version,
    budget_line_delete,
    budget_line_set,
    budget_notes_conflict_message,
    budget_rebalance,
    budget_return,
    budget_revise,
    budget_submit,
    budget_submit_check,
    budget_update,
    budget_vote_check,
    contribution_compute,
    contribution_override,
    contribution_payment_set,
    contributions_mark_invoiced,
    contributions_mark_paid,
    county_grant_set,
    partner_contribution_delete,
    partner_contribution_save,
)


@admin.register(ContributionTier)
class ContributionTierAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["__str__", "min_population", "max_population_below", "amount", "valid_from", "valid_to"]
    search_fields = ["amount"]


def tier_band(tier: ContributionTier) -> str:
    """A tier's population band as the finance office writes it: "20 000–49 999", "50 000 eller
    flere" (grouped as the language groups thousands)."""
    if tier.max_population_below is None:
        return _("%(low)s eller flere") % {"low": number_text(tier.min_population)}
    return f"{number_text(tier.min_population)}–{number_text(tier.max_population_below - 1)}"


class ContributionDayForm(forms.Form):
    """The day of a bulk "invoiced" or "paid": today in Oslo unless the office says otherwise."""

    day = BoundedDateField(label=gettext_lazy("Dato"), widget=AdminDateWidget)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate(timezone=OSLO)


@admin.register(MunicipalContribution)
class MunicipalContributionAdmin(ServiceWritesMixin, PortalModelAdmin):
    """A municipality's contribution is computed from the tier table and the year's population
    (add: municipality and year); its amount is overridden with a reason, and its invoice and
    payment dates recorded.

    The finance office's list (issue 12): the changelist offers the year's contributions to
    invoice as an Excel workbook and a CSV (the year filtered, else the latest year), to whoever
    may view them; central staff mark the selected rows invoiced or paid on a day, all or none,
    each row through `contribution_payment_set` (its rules and audit entry)."""

    list_display = ["municipality", "year", "population", "computed_amount", "amount", "invoiced_on", "paid_on"]
    list_filter = ["year", "tier"]
    search_fields = ["municipality__name", "municipality__number"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality", "tier"]
    actions = ["action_mark_invoiced", "action_mark_paid"]
    change_list_template = "admin/funding/municipalcontribution/change_list.html"
    fields = [
        "municipality",
        "year",
        "population",
        "tier",
        "computed_amount",
        "amount",
        "override_reason",
        "invoiced_on",
        "paid_on",
    ]

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else ["municipality", "year"]

    def get_readonly_fields(self, request, obj=None):
        return ["municipality", "year", "population", "tier", "computed_amount"] if obj is not None else []

    def save_through_service(self, request, obj, form):
        if obj.pk is None:
            saved = contribution_compute(municipality=obj.municipality, year=obj.year, user=request.user)
            for field in MunicipalContribution._meta.concrete_fields:  # what the admin shows and logs
                setattr(obj, field.attname, getattr(saved, field.attname))
            return
        data = form.cleaned_data
        stored = MunicipalContribution.objects.get(pk=obj.pk)
        if {"amount", "override_reason"} & set(form.changed_data):
            stored = contribution_override(
                contribution=stored, amount=data["amount"], reason=data["override_reason"], user=request.user
            )
        if {"invoiced_on", "paid_on"} & set(form.changed_data):
            contribution_payment_set(
                contribution=stored, user=request.user, invoiced_on=data["invoiced_on"], paid_on=data["paid_on"]
            )

    # -- the finance office's list ------------------------------------------------------------

    INVOICE_COLUMNS = [
        (gettext_lazy("kommune"), exports.TEXT),
        (gettext_lazy("kommunenummer"), exports.TEXT),
        (gettext_lazy("folketall"), exports.INT),
        (gettext_lazy("sats"), exports.TEXT),
        (gettext_lazy("beløp (kr)"), exports.MONEY),
        (gettext_lazy("fakturert"), exports.DATE),
        (gettext_lazy("betalt"), exports.DATE),
    ]

    def get_urls(self):
        def view(suffix):
            return path(
                f"fakturaliste.{suffix}",
                self.admin_site.admin_view(self.invoice_list_view),
                {"file_format": suffix},
                name=f"funding_municipalcontribution_invoices_{suffix}",
            )

        return [view("xlsx"), view("csv"), *super().get_urls()]

    def _latest_year(self, request) -> int | None:
        return self.get_queryset(request).aggregate(latest=Max("year"))["latest"]

    def invoice_year(self, request) -> int | None:
        """The changelist's year filter (`?year=`), else the latest year with contributions;
        None for a year that is not one (or no contributions at all)."""
        if "year" in request.GET:
            return year_param(request.GET["year"])
        return self._latest_year(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "invoice_year": self.invoice_year(request) or self._latest_year(request),
        }
        return super().changelist_view(request, extra_context)

    def invoice_rows(self, request, year: int | None):
        contributions = (
            self.get_queryset(request)
            .filter(year=year)
            .select_related("municipality", "tier")
            .order_by("municipality__name", "municipality__number")
        )
        for contribution in contributions:
            yield [
                contribution.municipality.name,
                contribution.municipality.number,
                contribution.population,
                tier_band(contribution.tier),
                contribution.amount,
                contribution.invoiced_on,
                contribution.paid_on,
            ]

    def invoice_list_view(self, request, file_format: str):
        """The year's contributions to invoice, as .xlsx (typed cells) or CSV (the person's
        language, core.exports.csv_format): for whoever may view contributions."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = self.invoice_year(request)
        if "year" in request.GET and year is None:
            raise Http404(_("Det er ikke et år."))
        header = [str(label) for label, _kind in self.INVOICE_COLUMNS]
        kinds = [kind for _label, kind in self.INVOICE_COLUMNS]
        rows = list(self.invoice_rows(request, year))
        name = f"fakturaliste-{year}" if year else "fakturaliste"
        if file_format == "xlsx":
            title = _("Fakturaliste %(year)s") % {"year": year or ""}
            response = HttpResponse(
                exports.xlsx_workbook(title, header, kinds, rows), content_type=exports.XLSX_CONTENT_TYPE
            )
        else:
            response = HttpResponse(self._invoice_csv(header, kinds, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
        return response

    @staticmethod
    def _invoice_csv(header, kinds, rows) -> str:
        csv_text = exports.csv_format()

        def cell(value, kind):
            if value is None:
                return ""
            if kind == exports.MONEY:
                return csv_text.money_text(value)
            if kind == exports.DATE:
                return csv_text.date_text(value)
            if kind == exports.TEXT:
                return exports.spreadsheet_cell(value)
            return value

        buffer = io.StringIO()
        buffer.write(csv_text.bom)
        writer = csv_text.writer(buffer)
        writer.writerow(exports.spreadsheet_row(header))
        for values in rows:
            writer.writerow([cell(value, kind) for value, kind in zip(values, kinds, strict=True)])
        return buffer.getvalue()

    # -- marking invoiced or paid in bulk -----------------------------------------------------

    def response_action(self, request, queryset):
        """Selected ids that are not ids (`abc`, beyond 64 bits) are dropped before Django
        looks them up (a ValueError or an OverflowError there, a server error)."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        valid = [value for value in selected if is_valid_key(self.model._meta.pk, value)]
        if valid != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, valid)
        return super().response_action(request, queryset)

    @admin.action(description=gettext_lazy("Marker som fakturert …"), permissions=["change"])
    def action_mark_invoiced(self, request, queryset):
        return self._mark(
            request,
            queryset,
            action="action_mark_invoiced",
            title=_("Marker som fakturert"),
            run=lambda rows, day: contributions_mark_invoiced(contributions=rows, user=request.user, invoiced_on=day),
            done=_("%(count)s kommunale tilskudd er markert som fakturert %(day)s."),
        )

    @admin.action(description=gettext_lazy("Marker som betalt …"), permissions=["change"])
    def action_mark_paid(self, request, queryset):
        return self._mark(
            request,
            queryset,
            action="action_mark_paid",
            title=_("Marker som betalt"),
            run=lambda rows, day: contributions_mark_paid(contributions=rows, user=request.user, paid_on=day),
            done=_("%(count)s kommunale tilskudd er markert som betalt %(day)s."),
        )

    def _mark(self, request, queryset, *, action: str, title: str, run, done: str):
        """First the confirmation page (the rows and the day); its answer (`apply`) marks them
        all or none: a row the rules refuse is named in a message and nothing is saved."""
        contributions = list(queryset.select_related("municipality").order_by("municipality__name", "year"))
        form = ContributionDayForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            day = form.cleaned_data["day"]
            try:
                marked = run(contributions, day)
            except ValidationError as error:
                self.message_user(request, _("Ingenting ble lagret."), messages.ERROR)
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, done % {"count": len(marked), "day": date_text(day)}, messages.SUCCESS)
            return None
        field = "invoiced_on" if action == "action_mark_invoiced" else "paid_on"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "contributions": contributions,
            # rows that already have the date this action sets: it is replaced (and audited)
            "already_marked": sum(1 for contribution in contributions if getattr(contribution, field)),
            "form": form,
            "media": self.media + form.media,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/funding/municipalcontribution/mark_confirmation.html", context)


@admin.register(CountyGrant)
class CountyGrantAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["year", "county", "index_factor", "amount"]
    search_fields = ["county__name"]
    autocomplete_fields = ["county"]
    list_select_related = ["county"]

    def get_readonly_fields(self, request, obj=None):
        # A grant belongs to its year: another year's grant is added.
        return ["year"] if obj is not None else []

    def save_through_service(self, request, obj, form):
        saved = county_grant_set(
            year=obj.year,
            county=obj.county,
            amount=obj.amount,
            index_factor=obj.index_factor,
            reason=obj.reason,
            user=request.user,
        )
        obj.pk = saved.pk


@admin.register(PartnerContribution)
class PartnerContributionAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["partner", "year", "form", "category", "amount"]
    list_filter = ["year", "form", "category"]
    search_fields = ["partner__name", "description"]
    autocomplete_fields = ["partner"]
    list_select_related = ["partner"]
    readonly_fields = ["form"]

    def save_through_service(self, request, obj, form):
        partner_contribution_save(contribution=obj, user=request.user)

    def delete_through_service(self, request, obj):
        partner_contribution_delete(contribution=obj, user=request.user)


@admin.register(BudgetAssumptions)
class BudgetAssumptionsAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["year", "position_cost", "central_shares", "coordinator_percent", "allocation_key"]
    filter_horizontal = ["earmarked_areas"]
    fieldsets = [
        (None, {"fields": ["year", "county_index_factor"]}),
        (gettext_lazy("Sentral ledelse"), {"fields": ["position_cost", "central_shares", "coordinator_percent"]}),
        (
            gettext_lazy("Fordeling av resten"),
            {"fields": ["school_share", "region_share", "earmark_share", "earmarked_areas"]},
        ),
        (
            gettext_lazy("Fordelingsnøkkel"),
            {"fields": ["allocation_key", "weight_equal", "weight_pupils", "weight_contribution"]},
        ),
        (gettext_lazy("Scenario"), {"fields": ["scenario_pupils"]}),
    ]

    def save_through_service(self, request, obj, form):
        budget_assumptions_save(
            assumptions=obj, user=request.user, earmarked_areas=form.cleaned_data["earmarked_areas"]
        )


class LoadedVersionField(forms.IntegerField):
    """The version of the row a form was drawn from (hidden). It is never a change the person
    made: a line whose version moved on because someone else saved it is not changed by this
    person unless they changed one of its fields."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class BudgetLineForm(forms.ModelForm):
    """A line as the person loaded it: `version` (hidden) is the line's version when the page
    was drawn, so a save over someone else's newer change is refused instead of lost. Each
    field also carries its value as drawn (hidden), so a line counts as changed when the person
    changed it, not when someone else did since: a line the person left alone is not saved."""

    version = LoadedVersionField()

    class Meta:
        model = BudgetLine
        fields = ["kind", "label", "amount", "region", "school", "municipality", "cooperation_area", "partner", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.show_hidden_initial = name != "version"


class BudgetLineFormSet(BaseInlineFormSet):
    """Refuses, on the line itself, a change or deletion of a line that someone else saved
    since the page was drawn (budget_line_check_version, the rule the service checks again
    under its lock). The line's hidden version is moved on to the stored one, so saving the
    page again, after reading what is stored now, replaces it knowingly."""

    def clean(self):
        super().clean()
        touched = [
            form
            for form in self.initial_forms
            if form.instance.pk is not None and hasattr(form, "cleaned_data") and form.has_changed()
        ]
        stored = BudgetLine.objects.in_bulk([form.instance.pk for form in touched])
        deleted_conflicts = []
        for form in touched:
            line = stored.get(form.instance.pk)
            if line is None:
                continue  # deleted meanwhile: the line's id is refused on its own
            try:
                budget_line_check_version(line=line, expected_version=form.cleaned_data.get("version"))
            except EditConflict as conflict:
                form.data = form.data.copy()
                form.data[form.add_prefix("version")] = str(conflict.current_version)
                if self.can_delete and self._should_delete_form(form):
                    deleted_conflicts.append(conflict)
                else:
                    form.add_error(None, conflict)
        if deleted_conflicts:
            raise ValidationError(deleted_conflicts)


class BudgetForm(forms.ModelForm):
    """The budget's own field (its notes) with the version the page was drawn from: a save
    over someone else's newer notes is refused on the notes, with what they say now; the
    hidden version then moves on, so saving again replaces them knowingly."""

    loaded_version = LoadedVersionField(label=gettext_lazy("versjon"))

    class Meta:
        model = Budget
        fields = ["notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        # The notes as drawn go with the form: they count as changed when this person changed
        # them, not when someone else saved since (a save of a line alone keeps the notes).
        if "notes" in self.fields:  # not on a submitted or approved budget's page (read-only)
            self.fields["notes"].show_hidden_initial = True

    def clean(self):
        cleaned = super().clean()
        if "notes" not in self.changed_data:
            return cleaned
        loaded = cleaned.get("loaded_version")
        stored = Budget.objects.filter(pk=self.instance.pk).values("version", "notes").first()
        if stored and loaded is not None and loaded != stored["version"] and cleaned.get("notes") != stored["notes"]:
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = str(stored["version"])
            self.add_error("notes", budget_notes_conflict_message(Budget(notes=stored["notes"])))
        return cleaned


class BudgetLineInline(PortalTabularInline):
    """The lines; editable only while the budget is a draft or returned, and saved through
    the services so every change is audited."""

    model = BudgetLine
    form = BudgetLineForm
    formset = BudgetLineFormSet
    extra = 0
    fields = [
        "kind",
        "label",
        "amount",
        "region",
        "school",
        "municipality",
        "cooperation_area",
        "partner",
        "note",
        "version",
    ]
    autocomplete_fields = ["region", "school", "municipality", "cooperation_area", "partner"]

    # New lines per save: a budget grows by a handful of lines at a time, and a forged
    # TOTAL_FORMS must not make the server draw thousands of rows.
    NEW_LINES_PER_SAVE = 50

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self._editable(request, obj) else [name for name in fields if name != "version"]

    def get_max_num(self, request, obj=None, **kwargs):
        existing = obj.lines.count() if obj is not None and obj.pk else 0
        return existing + self.NEW_LINES_PER_SAVE

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.get_max_num(request, obj))
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("region", "school", "municipality", "cooperation_area", "partner")
        )

    def _editable(self, request, obj) -> bool:
        """The lines are changed under their budget's change permission (a draft or returned
        budget, central staff)."""
        return obj is not None and request.user.has_perm("funding.change_budget", obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("funding.view_budget", obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class BudgetDraftForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("År"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    form_token = FormTokenField()


class BudgetVoteForm(forms.Form):
    """The comment on the confirmation page of a vote: optional to approve, required to return
    (`required="required"`), none for laying the budget before the steering group. The form only
    draws and carries it: what a comment may be is the service's rule (funding.services
    `_check_comment`, `budget_return`), whose refusal the view shows on the field."""

    comment = forms.CharField(
        label=gettext_lazy("Kommentar"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
    )

    def __init__(self, *args, required: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["comment"]
        field.validators = []  # the service's rules, not a second copy of them
        if required == "required":
            field.label = _("Kommentar (påkrevd)")
            field.help_text = _("Hva må endres før budsjettet legges fram igjen?")
            field.widget.attrs["required"] = True
        else:
            field.label = _("Kommentar (valgfri)")
            field.help_text = _("Kommer med i loggen og i e-posten om vedtaket.")


@admin.register(Budget)
class BudgetAdmin(PortalModelAdmin):
    list_display = ["__str__", "year", "revision", "status", "in_force", "submitted_by", "decided_by"]
    list_filter = ["status", "year"]
    search_fields = ["year", "notes"]
    list_select_related = ["submitted_by", "decided_by", "replaces"]
    fields = [
        "year",
        "revision",
        "status",
        "replaces",
        "notes",
        "loaded_version",
        "created_at",
        "created_by",
        "submitted_at",
        "submitted_by",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = [name for name in fields if name not in ("notes", "loaded_version")]
    form = BudgetForm
    inlines = [BudgetLineInline]
    # Laying a budget forward and voting are done one budget at a time, each after its
    # confirmation page (submit_view, approve_view, return_view): no bulk actions.
    actions = None
    change_form_template = "admin/funding/budget/change_form.html"

    # -- who sees and does what (see funding/rules.py) ----------------------------------------

    def get_queryset(self, request):
        return budget_list()

    @admin.display(description=gettext_lazy("i kraft"), boolean=True)
    def in_force(self, obj):
        if obj.status != Budget.Status.APPROVED:
            return None
        return not Budget.objects.filter(replaces=obj, status=Budget.Status.APPROVED).exists()

    # -- saving goes through the services -----------------------------------------------------

    def save_model(self, request, obj, form, change):
        if "notes" in form.changed_data:
            budget_update(
                budget=obj,
                user=request.user,
                notes=form.cleaned_data["notes"],
                expected_version=form.cleaned_data.get("loaded_version"),
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not BudgetLine:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for line_form in formset.forms:
            data = getattr(line_form, "cleaned_data", None) or {}
            line = line_form.instance
            if formset.can_delete and data.get("DELETE"):
                if line.pk:
                    budget_line_delete(line=line, user=request.user, expected_version=data.get("version"))
                    formset.deleted_objects.append(line)
                continue
            if not line_form.has_changed():
                continue
            is_new = line.pk is None
            saved = budget_line_set(
                budget=form.instance,
                user=request.user,
                line=None if is_new else line,
                expected_version=None if is_new else data.get("version"),
                **{name: data.get(name) for name in ("kind", "label", "amount")},
                **{name: data.get(name) for name in ("region", "school", "municipality", "cooperation_area")},
                partner=data.get("partner"),
                note=data.get("note") or "",
            )
            if is_new:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, line_form.changed_data))
        return None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The admin saves the budget and its lines in one transaction after the forms were
        valid. When a service refuses then (a line changed between the check and the service's
        lock, or the budget was laid before the steering group meanwhile), everything this
        save wrote is rolled back with the transaction and the page is drawn again: a line's
        conflict shows on the line (its version is now checked against the new one), any other
        refusal as a message."""
        if request.method == "POST" and object_id and self._lines_gone(request, object_id):
            # The admin draws each posted line against the stored ones in order: with a line
            # gone, every row below it would show another line's name. Draw the page anew.
            messages.error(
                request,
                _(
                    "Noen andre har slettet en budsjettlinje siden du åpnet siden. Ingenting er lagret; siden viser "
                    "budsjettet slik det er nå."
                ),
            )
            return HttpResponseRedirect(request.path)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except ValidationError as error:
                return self._save_refused(request, error)
        except ValidationError as error:
            return self._save_refused(request, error)

    @staticmethod
    def _lines_gone(request, object_id) -> bool:
        """Whether the posted page has a line that is no longer in the budget."""
        budget_id = id_param(str(object_id))
        posted = {
            id_param(value)
            for name, value in request.POST.items()
            if name.startswith("lines-") and name.endswith("-id") and value
        }
        posted.discard(None)
        if budget_id is None or not posted:
            return False
        stored = set(BudgetLine.objects.filter(budget_id=budget_id, pk__in=posted).values_list("pk", flat=True))
        return bool(posted - stored)

    def _save_refused(self, request, error: ValidationError) -> HttpResponseRedirect:
        messages.error(request, _("Ingenting ble lagret."))
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(request.path)

    # -- pages --------------------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        """A new budget is a draft computed for a year, never typed in from scratch. The form
        is sent once: the same form again (a double click) leads to the budget it made."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BudgetDraftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            year = form.cleaned_data["year"]
            try:
                budget = submit_once(
                    token=form.cleaned_data["form_token"],
                    user=request.user,
                    create=lambda: budget_draft(year=year, user=request.user),
                )
            except AlreadySubmitted as done:
                return self._already_drafted(request, done)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("%(budget)s er laget som utkast.") % {"budget": budget})
                return HttpResponseRedirect(reverse("admin:funding_budget_change", args=[budget.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Lag budsjettutkast"),
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/funding/budget/draft_form.html", context)

    def _already_drafted(self, request, done: AlreadySubmitted) -> HttpResponseRedirect:
        """The draft form sent again: to the budget the first submission made."""
        budget = None
        if done.object_type == Budget._meta.label_lower:
            budget = budget_list().filter(pk=id_param(done.object_id)).first()
        if budget is None:
            raise Http404(_("Fant ikke budsjettet."))
        messages.info(
            request,
            _("Budsjettet ble allerede laget da skjemaet ble sendt første gang: %(budget)s. Her er det.")
            % {"budget": budget},
        )
        return HttpResponseRedirect(reverse("admin:funding_budget_change", args=[budget.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        budget = self.get_object(request, unquote(object_id))
        if budget is not None and self.has_view_permission(request, budget):
            extra_context = {**(extra_context or {}), **self._budget_context(request, budget)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _budget_context(self, request, budget: Budget) -> dict:
        user = request.user
        successor = Budget.objects.filter(replaces=budget).first()
        in_force = budget_in_force(year=budget.year)
        return {
            "budget": budget,
            "totals": budget_totals(budget=budget),
            "summary": budget_summary(budget=budget),
            "summary_previous_year": budget.year - 1,
            "actual": budget_vs_actual(budget=budget),
            "fairness": budget_fairness(budget=budget),
            "scenario": budget_scenario(budget=budget),
            "audit_minutes": budget_audit_minutes(budget=budget),
            "submission": budget_submission(budget=budget),
            "successor": successor,
            "in_force": in_force,
            "may_submit": user.has_perm("funding.submit_budget", budget),
            "may_decide": user.has_perm("funding.decide_budget", budget),
            "may_edit": user.has_perm("funding.change_budget", budget),
            "may_revise": user.has_perm("funding.revise_budget", budget),
            "decision": budget_decision(budget=budget) if budget.submission else None,
            "comment_max_length": COMMENT_MAX_LENGTH,
            "line_groups": budget_line_groups(budget=budget),
            "changes": budget_changes_since(budget=budget),
        }

    def get_urls(self):
        def view(name, function):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(function),
                name=f"funding_budget_{function.__name__.removesuffix('_view')}",
            )

        return [
            view("legg-fram", self.submit_view),
            view("vedta", self.approve_view),
            view("send-tilbake", self.return_view),
            view("revider", self.revise_view),
            view("fordel", self.allocate_view),
            view("balanser", self.rebalance_view),
            view("pdf", self.pdf_view),
            *super().get_urls(),
        ]

    def pdf_view(self, request, object_id):
        """The budget as a PDF for the minutes, to whoever may view it (an id that is not one,
        or a budget they may not see: 404; no permission to view budgets: 403)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        budget_id = id_param(unquote(object_id))
        if budget_id is None:
            raise Http404(_("Fant ikke budsjettet."))
        budget = get_object_or_404(budget_list(), pk=budget_id)
        if not self.has_view_permission(request, budget):
            raise PermissionDenied
        response = HttpResponse(budget_pdf(budget=budget), content_type="application/pdf")
        filename = f"budsjett-{budget.year}-revisjon-{budget.revision}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    def _transition(self, request, object_id, run, done: str):
        """POST only; the budget must be visible to the user (else 404, also for an id that is
        not one); the service decides (PermissionDenied -> 403, ValidationError -> a message)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        budget_id = id_param(unquote(object_id))
        if budget_id is None:
            raise Http404(_("Fant ikke budsjettet."))
        budget = get_object_or_404(budget_list(), pk=budget_id)
        try:
            result = run(budget)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            result = budget
        else:
            if done:
                messages.success(request, done % {"budget": result})
        return HttpResponseRedirect(reverse("admin:funding_budget_change", args=[result.pk]))

    # The steps that cannot be undone by the person taking them (laying the budget before the
    # steering group, a vote) ask first: GET, or a POST without `confirmed`, draws the
    # confirmation page (the budget's key figures, where the decision stands, the comment);
    # its button posts again with `confirmed`.
    CONFIRM_STEPS = {
        "submit": {
            "title": gettext_lazy("Legg fram budsjettet for styringsgruppen"),
            "explain": gettext_lazy(
                "Når budsjettet er lagt fram, kan det ikke endres før styringsgruppen har behandlet det. Hvert "
                "medlem av styringsgruppen får e-post med lenke hit."
            ),
            "button": gettext_lazy("Ja, legg fram budsjettet"),
            "comment": None,
        },
        "approve": {
            "title": gettext_lazy("Stem for å vedta budsjettet"),
            "explain": gettext_lazy(
                "Stemmen din registreres med navn og tidspunkt og kan ikke trekkes tilbake. Budsjettet er vedtatt "
                "når vedtaksregelen er oppfylt; et vedtatt budsjett kan bare endres gjennom en ny revisjon."
            ),
            "button": gettext_lazy("Ja, jeg stemmer for å vedta"),
            "comment": "optional",
        },
        "return": {
            "title": gettext_lazy("Send budsjettet tilbake"),
            "explain": gettext_lazy(
                "Én stemme for å sende tilbake sender budsjettet tilbake til daglig leder med kommentaren din. "
                "Stemmene som er avgitt, står i loggen; når budsjettet legges fram igjen, stemmer alle på nytt."
            ),
            "button": gettext_lazy("Ja, send budsjettet tilbake"),
            "comment": "required",
        },
    }

    def _confirm_or_transition(self, request, object_id, step: str, check, run, done: str):
        """The confirmation page until the person confirms (POST with `confirmed`), then the
        service (`run(budget)`). Before the page is drawn the service's own check is asked
        (`check(budget)`): PermissionDenied -> 403, ValidationError -> the reason as a message on
        the budget's page. A refusal of the comment draws the page again with the comment kept
        and the reason on it; any other refusal is a message on the budget's page."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        budget = self._visible_budget(request, object_id)
        posted = request.method == "POST"
        form = BudgetVoteForm(request.POST if posted else None, required=self.CONFIRM_STEPS[step]["comment"])
        back = HttpResponseRedirect(reverse("admin:funding_budget_change", args=[budget.pk]))
        try:
            if posted and request.POST.get("confirmed") == "1":
                result = run(budget)
                if done:
                    messages.success(request, done % {"budget": result})
                return back
            check(budget)
        except ValidationError as error:
            if not (hasattr(error, "error_dict") and set(error.error_dict) <= {"comment"}):
                for message in error.messages:
                    messages.error(request, message)
                return back
            add_service_error(form, error)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "budget": budget,
            "step": step,
            "title": self.CONFIRM_STEPS[step]["title"],
            "explain": self.CONFIRM_STEPS[step]["explain"],
            "button": self.CONFIRM_STEPS[step]["button"],
            "with_comment": self.CONFIRM_STEPS[step]["comment"] is not None,
            "form": form,
            "totals": budget_totals(budget=budget),
            "summary": budget_summary(budget=budget),
            "summary_previous_year": budget.year - 1,
            "decision": budget_decision(budget=budget) if step != "submit" else None,
            "changes": budget_changes_since(budget=budget),
        }
        return TemplateResponse(request, "admin/funding/budget/confirm.html", context)

    def _visible_budget(self, request, object_id) -> Budget:
        if not self.has_view_permission(request):
            raise PermissionDenied
        budget_id = id_param(unquote(object_id))
        if budget_id is None:
            raise Http404(_("Fant ikke budsjettet."))
        return get_object_or_404(budget_list(), pk=budget_id)

    def submit_view(self, request, object_id):
        return self._confirm_or_transition(
            request,
            object_id,
            "submit",
            lambda b: budget_submit_check(budget=b, user=request.user),
            lambda b: budget_submit(budget=b, user=request.user),
            _("%(budget)s er lagt fram for styringsgruppen."),
        )

    @staticmethod
    def _seen_submission(request) -> int | None:
        """The submission the confirmation page was drawn for (hidden `submission`); a value
        that is not a number names no submission (-1), so the vote is refused as stale."""
        if "submission" not in request.POST:
            return None
        seen = id_param(request.POST["submission"])
        return -1 if seen is None else seen

    def approve_view(self, request, object_id):
        comment = request.POST.get("comment", "")
        submission = self._seen_submission(request)

        def run(budget):
            decided = budget_approve(budget=budget, user=request.user, comment=comment, submission=submission)
            if decided.status == Budget.Status.APPROVED:
                messages.success(request, _("%(budget)s er vedtatt.") % {"budget": decided})
            else:
                messages.success(
                    request,
                    _("Stemmen din for å vedta %(budget)s er registrert. %(needs)s")
                    % {"budget": decided, "needs": budget_decision(budget=decided).needs},
                )
            return decided

        return self._confirm_or_transition(
            request, object_id, "approve", lambda b: budget_vote_check(budget=b, user=request.user), run, ""
        )

    def return_view(self, request, object_id):
        comment = request.POST.get("comment", "")
        return self._confirm_or_transition(
            request,
            object_id,
            "return",
            lambda b: budget_vote_check(budget=b, user=request.user),
            lambda b: budget_return(
                budget=b, user=request.user, comment=comment, submission=self._seen_submission(request)
            ),
            _("%(budget)s er sendt tilbake."),
        )

    def revise_view(self, request, object_id):
        return self._transition(
            request,
            object_id,
            lambda b: budget_revise(budget=b, user=request.user),
            _("%(budget)s er laget som utkast. Den vedtatte revisjonen gjelder til den nye er vedtatt."),
        )

    def allocate_view(self, request, object_id):
        key = request.POST.get("key") or None  # none: the year's assumptions' key
        return self._transition(
            request,
            object_id,
            lambda b: budget_allocate(budget=b, user=request.user, key=key),
            _("Skoletildelinger og regionale potter i %(budget)s er fordelt på nytt."),
        )

    def rebalance_view(self, request, object_id):
        def run(budget):
            budget_rebalance(budget=budget, user=request.user)
            return budget

        return self._transition(request, object_id, run, _("Reserven i %(budget)s tar nå differansen."))


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Lines across budgets, to search and filter; they are changed on their budget's page."""

    list_display = ["budget", "kind", "label", "amount", "region", "school"]
    list_filter = ["kind", "budget__year", "budget__status"]
    search_fields = ["label", "school__name", "region__name"]
    list_select_related = ["budget", "region", "school"]


@admin.register(ActivityBooking)
class ActivityBookingAdmin(ServiceWritesMixin, PortalModelAdmin):
    """Book an activity's costs on another line than the default (its region's pool, or its
    host school's allocation for a local activity)."""

    list_display = ["activity", "kind", "region", "school", "cooperation_area", "booked_by", "booked_at"]
    list_filter = ["kind", "region"]
    search_fields = ["activity__title", "school__name", "region__name"]
    raw_id_fields = ["activity"]
    autocomplete_fields = ["region", "school", "cooperation_area"]
    list_select_related = ["activity", "region", "school", "cooperation_area", "booked_by"]
    readonly_fields = ["booked_by", "booked_at"]

    def get_readonly_fields(self, request, obj=None):
        # A booking belongs to its activity: to book another activity, add a booking for it
        # (changing the activity here used to leave the old booking and make a second one).
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "activity"] if obj is not None else fields

    def save_through_service(self, request, obj, form):
        saved = activity_booking_set(
            activity=obj.activity,
            user=request.user,
            kind=obj.kind,
            region=obj.region,
            school=obj.school,
            cooperation_area=obj.cooperation_area,
        )
        obj.pk = saved.pk

    def delete_through_service(self, request, obj):
        activity_booking_clear(activity=obj.activity, user=request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("activity")
