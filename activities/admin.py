from django.contrib import admin

from core.admin import PortalModelAdmin, PortalTabularInline

from .models import Activity, ActivityCost, Participation, RollupRun, Venue


@admin.register(Venue)
class VenueAdmin(PortalModelAdmin):
    list_display = ["name", "municipality", "address"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]


class ParticipationInline(PortalTabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["school", "named_pupils"]


class ActivityCostInline(PortalTabularInline):
    model = ActivityCost
    extra = 0


@admin.register(Activity)
class ActivityAdmin(PortalModelAdmin):
    list_display = ["title", "kind", "level", "region", "starts_at", "status"]
    list_filter = ["kind", "level", "status", "region", "cooperation_areas"]
    search_fields = ["title", "instrument", "nmh_teachers", "notes"]
    autocomplete_fields = ["cooperation_areas", "region", "venue", "host_school"]
    list_select_related = ["region"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    inlines = [ParticipationInline, ActivityCostInline]


@admin.register(Participation)
class ParticipationAdmin(PortalModelAdmin):
    list_display = ["activity", "school", "pupils", "teachers"]
    list_filter = ["school__region", "activity__kind"]
    search_fields = ["activity__title", "school__name"]
    autocomplete_fields = ["activity", "school", "named_pupils"]
    list_select_related = ["activity", "school"]


@admin.register(ActivityCost)
class ActivityCostAdmin(PortalModelAdmin):
    list_display = ["activity", "category", "description", "amount"]
    list_filter = ["category"]
    search_fields = ["activity__title", "description"]
    autocomplete_fields = ["activity"]
    list_select_related = ["activity"]


@admin.register(RollupRun)
class RollupRunAdmin(PortalModelAdmin):
    """The nightly rollups' record: read-only (the runs write it)."""

    list_display = ["started_at", "kind", "mode", "year", "status", "rows_written", "finished_at", "error"]
    list_filter = ["kind", "status", "mode"]
    search_fields = ["error", "task_id"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
