from django.contrib import admin

from core.admin import PortalModelAdmin, PortalTabularInline, ReadOnlyAdminMixin

from .models import Activity, ActivityCost, Participation, Venue


@admin.register(Venue)
class VenueAdmin(PortalModelAdmin):
    list_display = ["name", "municipality", "address"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]


# Activities, their participation and costs are written in the portal (activities:update and
# the import), through activities.services: the membership and enrolment rules, the pupils'
# schools, the version that keeps edits from being lost and the history. The admin shows them
# read-only, with a link to the portal's page ("Vis på nettstedet").


class ParticipationInline(ReadOnlyAdminMixin, PortalTabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["school", "named_pupils"]


class ActivityCostInline(ReadOnlyAdminMixin, PortalTabularInline):
    model = ActivityCost
    extra = 0


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["title", "kind", "level", "region", "starts_at", "status"]
    list_filter = ["kind", "level", "status", "region", "cooperation_areas"]
    search_fields = ["title", "instrument", "nmh_teachers", "notes"]
    autocomplete_fields = ["cooperation_areas", "region", "venue", "host_school"]
    list_select_related = ["region"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by", "version"]
    inlines = [ParticipationInline, ActivityCostInline]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["activity", "school", "pupils", "teachers"]
    list_filter = ["school__region", "activity__kind"]
    search_fields = ["activity__title", "school__name"]
    autocomplete_fields = ["activity", "school", "named_pupils"]
    list_select_related = ["activity", "school"]


@admin.register(ActivityCost)
class ActivityCostAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["activity", "category", "description", "amount"]
    list_filter = ["category"]
    search_fields = ["activity__title", "description"]
    autocomplete_fields = ["activity"]
    list_select_related = ["activity"]
