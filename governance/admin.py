"""The governance app in the admin: partners, agreements, bodies, roles and the portal's
settings are written through the app's services (checked against the person's permissions,
audited); the cooperation areas (a data migration) and the audit log are read-only."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.admin import (
    PortalModelAdmin,
    PortalStackedInline,
    PortalTabularInline,
    ReadOnlyAdminMixin,
    ServiceInlineMixin,
    ServiceWritesMixin,
    adopt,
)

from .models import Agreement, AuditEntry, Body, CooperationArea, Partner, PortalSetting, Profile, Role
from .presentation import audit_minute, audit_minutes, object_type_text
from .services import (
    agreement_save,
    body_save,
    partner_save,
    portal_setting_save,
    profile_feide_subject_set,
    role_delete,
    role_duties_check,
    role_save,
)


@admin.register(CooperationArea)
class CooperationAreaAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["number", "name_nb", "name_en", "since_year"]
    search_fields = ["name_nb", "name_en"]
    ordering = ["number"]


@admin.register(Partner)
class PartnerAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["county", "municipality", "school"]

    def save_through_service(self, request, obj, form):
        partner_save(partner=obj, user=request.user)


@admin.register(Agreement)
class AgreementAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["title", "valid_from", "valid_to", "signed_on"]
    search_fields = ["title"]
    autocomplete_fields = ["partners", "areas"]

    def save_through_service(self, request, obj, form):
        agreement_save(
            agreement=obj, user=request.user, partners=form.cleaned_data["partners"], areas=form.cleaned_data["areas"]
        )


class RoleInline(ServiceInlineMixin, PortalTabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user", "region", "school", "partner"]

    def save_through_service(self, request, obj, form):
        role_save(role=obj, user=request.user)

    def delete_through_service(self, request, obj):
        role_delete(role=obj, user=request.user)


@admin.register(Body)
class BodyAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["name", "kind", "region", "established"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    inlines = [RoleInline]

    def save_through_service(self, request, obj, form):
        body_save(body=obj, user=request.user)


class RoleAdminForm(forms.ModelForm):
    """The role as entered, checked against the separation of duties on the form itself
    (errors at the fields they concern); the service asks the same again when it saves."""

    actor = None  # set per request by RoleAdmin.get_form

    def _post_clean(self):
        # The instance carries the form's values from here on (Django's own order), so the
        # check in clean() must see them: run the model's part first, then ours.
        super()._post_clean()
        if not self.errors:
            try:
                role_duties_check(role=self.instance, actor=self.actor)
            except ValidationError as error:
                self.add_error(None, error)


@admin.register(Role)
class RoleAdmin(ServiceWritesMixin, PortalModelAdmin):
    """People's roles: granted, changed and ended by superusers and access managers only,
    never their own, held to the separation of duties (governance/duties.py)."""

    form = RoleAdminForm
    list_display = ["user", "kind", "body", "region", "school", "valid_from", "valid_to"]
    list_filter = ["kind", "body", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "school__name"]
    autocomplete_fields = ["user", "body", "region", "school", "partner"]
    list_select_related = ["user", "body", "region", "school"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_delete_permission(self, request, obj=None):
        # Nobody ends a role of their own (governance/duties.py): no delete page for it.
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_delete_permission(request, obj)

    def save_through_service(self, request, obj, form):
        role_save(role=obj, user=request.user)

    def delete_through_service(self, request, obj):
        role_delete(role=obj, user=request.user)


class AuditObjectTypeFilter(admin.SimpleListFilter):
    """The object types the log holds, by the names the portal gives them («budsjett»)."""

    title = AuditEntry._meta.get_field("object_type").verbose_name
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        types = model_admin.get_queryset(request).order_by().values_list("object_type", flat=True).distinct()
        return sorted(((code, object_type_text(code)) for code in types), key=lambda pair: pair[1].lower())

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """The audit log: readable by central staff (it names pupils), never editable or deletable."""

    list_display = ["when", "who", "action", "kind", "object_repr", "what_changed", "comment_text"]
    list_filter = ["action", AuditObjectTypeFilter]
    search_fields = ["object_repr", "comment", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "at"
    # The entry's own page reads as the list does (and shows the comment whole, as the list does).
    fields = ["when", "who", "action", "kind", "object_id", "object_repr", "what_changed", "comment_text"]
    readonly_fields = fields

    # As minutes (governance/presentation.py): Oslo time, full names, labels and formatted
    # values, by the fields each app registered for its models; the codes stay in the database.
    def get_changelist_instance(self, request):
        """The page's entries read as minutes together: the objects their changes name by id are
        looked up once for the page, not once per row."""
        changelist = super().get_changelist_instance(request)
        for entry, minute in zip(changelist.result_list, audit_minutes(changelist.result_list), strict=True):
            entry._minute = minute
        return changelist

    @staticmethod
    def _minute(entry):
        if not hasattr(entry, "_minute"):
            entry._minute = audit_minute(entry)
        return entry._minute

    @admin.display(description=_("tidspunkt"), ordering="at")
    def when(self, entry) -> str:
        return self._minute(entry).at

    @admin.display(description=_("hvem"), ordering="actor__last_name")
    def who(self, entry) -> str:
        return self._minute(entry).who

    @admin.display(description=AuditEntry._meta.get_field("object_type").verbose_name, ordering="object_type")
    def kind(self, entry) -> str:
        return self._minute(entry).object_type

    @admin.display(description=_("endringer"))
    def what_changed(self, entry) -> str:
        return format_html_join(mark_safe("<br>"), "{}", ((str(change),) for change in self._minute(entry).changes))

    @admin.display(description=AuditEntry._meta.get_field("comment").verbose_name)
    def comment_text(self, entry) -> str:
        return linebreaksbr(self._minute(entry).comment, autoescape=True)


@admin.register(PortalSetting)
class PortalSettingAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["__str__", "pupil_load_threshold", "large_amount_warning", "budget_decision_rule"]

    def has_add_permission(self, request):
        # One row: the data migration makes it.
        return super().has_add_permission(request) and not PortalSetting.objects.exists()

    def save_through_service(self, request, obj, form):
        portal_setting_save(setting=obj, user=request.user)


admin.site.empty_value_display = _("–")


class FeideSubjectInline(ServiceInlineMixin, PortalStackedInline):
    """The person's Feide account on their user page: seen and set by superusers only (whoever
    links a Feide account decides who may log in as the person), written through
    `profile_feide_subject_set` (audited)."""

    model = Profile
    fields = ["feide_subject"]
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = _("Feide-innlogging")
    verbose_name_plural = _("Feide-innlogging")

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def save_through_service(self, request, obj, form):
        profile_feide_subject_set(
            user=request.user, person=obj.user, feide_subject=form.cleaned_data.get("feide_subject")
        )


def _with_feide_subject(user_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """The user admin as registered (core.admin adopts Django's), with the Feide inline; its
    rows are saved through the service, the user's other inlines as before."""

    class PersonUserAdmin(user_admin):
        inlines = [*user_admin.inlines, FeideSubjectInline]

        def save_formset(self, request, form, formset, change):
            if formset.model is not Profile:
                return super().save_formset(request, form, formset, change)
            inline = FeideSubjectInline(self.model, self.admin_site)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for row in formset.forms:
                if hasattr(row, "cleaned_data") and row.has_changed():
                    row.instance.user = form.instance
                    inline.save_through_service(request, row.instance, row)
                    formset.changed_objects.append((row.instance, row.changed_data))
            return None

    PersonUserAdmin.__name__ = user_admin.__name__
    return PersonUserAdmin


_user_model = get_user_model()
_user_admin = type(admin.site.get_model_admin(_user_model))
admin.site.unregister(_user_model)
admin.site.register(_user_model, _with_feide_subject(_user_admin))
# Failed logins and lockouts (django-axes, issue 14): axes' own admins on the portal's base
# (a hostile filter in the address is the admin's "?e=1", not a server error). Central staff
# read them and delete an attempt to unlock (governance/rules.py).
adopt(admin.site, [AccessAttempt, AccessLog, AccessFailureLog])
