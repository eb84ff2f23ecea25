"""The activities app in the admin: read-only. Activities, their participation and costs are
written in the portal (activities:update and the import) through activities.services: the
membership and enrolment rules, the pupils' schools, the version that keeps edits from being
lost and the history. Venues are kept by the loader until activities.services has a
person's write for them. Pupils' names show only to those who may see them at the
participation's school (schools.view_pupil_names)."""

from django.contrib import admin

from core.admin import PortalModelAdmin, PortalTabularInline, ReadOnlyAdminMixin

from .models import Activity, ActivityCost, Participation, Venue


class WithoutPupilNamesMixin:
    """Leaves out the named pupils of a participation for whoever may not see pupils' names at
    its school (a steering-group member who is not central staff)."""

    def sees_names(self, request, participation) -> bool:
        school = getattr(participation, "school", None)
        return request.user.has_perm("schools.view_pupil_names", school)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self.sees_names(request, obj) else [name for name in fields if name != "named_pupils"]


class NoPupilLookupsMixin:
    """Filtering a list by a pupil (`?named_pupils=29`, `?participations__named_pupils=29`)
    follows one pupil's activities without showing the name: only for whoever may see every
    school's pupils' names (central staff); anyone else's such address is refused (400)."""

    def lookup_allowed(self, lookup, value, request=None):
        if "named_pupils" in lookup and not (request and request.user.has_perm("schools.view_pupil_names")):
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Venue)
class VenueAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["name", "municipality", "address"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]


class ParticipationInline(WithoutPupilNamesMixin, ReadOnlyAdminMixin, PortalTabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["school", "named_pupils"]

    def sees_names(self, request, activity) -> bool:
        # One set of columns for all the activity's schools: every school's pupils.
        return request.user.has_perm("schools.view_pupil_names")


class ActivityCostInline(ReadOnlyAdminMixin, PortalTabularInline):
    model = ActivityCost
    extra = 0


@admin.register(Activity)
class ActivityAdmin(NoPupilLookupsMixin, ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["title", "kind", "level", "region", "starts_at", "status"]
    list_filter = ["kind", "level", "status", "region", "cooperation_areas"]
    search_fields = ["title", "instrument", "nmh_teachers", "notes"]
    autocomplete_fields = ["cooperation_areas", "region", "venue", "host_school"]
    list_select_related = ["region"]
    date_hierarchy = "starts_at"
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by", "version"]
    inlines = [ParticipationInline, ActivityCostInline]


@admin.register(Participation)
class ParticipationAdmin(NoPupilLookupsMixin, WithoutPupilNamesMixin, ReadOnlyAdminMixin, PortalModelAdmin):
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
