from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import PortalModelAdmin, PortalTabularInline

from .models import Agreement, AuditEntry, Body, CooperationArea, Partner, PortalSetting, Role


@admin.register(CooperationArea)
class CooperationAreaAdmin(PortalModelAdmin):
    list_display = ["number", "name_nb", "name_en", "since_year"]
    search_fields = ["name_nb", "name_en"]
    ordering = ["number"]


@admin.register(Partner)
class PartnerAdmin(PortalModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["county", "municipality", "school"]


@admin.register(Agreement)
class AgreementAdmin(PortalModelAdmin):
    list_display = ["title", "valid_from", "valid_to", "signed_on"]
    search_fields = ["title"]
    autocomplete_fields = ["partners", "areas"]


class RoleInline(PortalTabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user", "region", "school", "partner"]


@admin.register(Body)
class BodyAdmin(PortalModelAdmin):
    list_display = ["name", "kind", "region", "established"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    inlines = [RoleInline]


@admin.register(Role)
class RoleAdmin(PortalModelAdmin):
    list_display = ["user", "kind", "body", "region", "school", "valid_from", "valid_to"]
    list_filter = ["kind", "body", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "school__name"]
    autocomplete_fields = ["user", "body", "region", "school", "partner"]
    list_select_related = ["user", "body", "region", "school"]


@admin.register(AuditEntry)
class AuditEntryAdmin(PortalModelAdmin):
    """The audit log: readable by staff, never editable or deletable through the portal."""

    list_display = ["at", "actor", "action", "object_type", "object_repr", "comment"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "comment", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PortalSetting)
class PortalSettingAdmin(PortalModelAdmin):
    list_display = ["__str__", "pupil_load_threshold"]

    def has_add_permission(self, request):
        return not PortalSetting.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.empty_value_display = _("–")
