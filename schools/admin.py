from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import PortalModelAdmin, PortalTabularInline

from .models import (
    County,
    CountyMembership,
    Enrolment,
    Membership,
    Municipality,
    MunicipalityMerger,
    MunicipalityPopulation,
    Pupil,
    Region,
    School,
)


@admin.register(County)
class CountyAdmin(PortalModelAdmin):
    list_display = ["name", "number", "valid_from", "valid_to"]
    search_fields = ["name", "number"]
    list_filter = ["name"]


@admin.register(Region)
class RegionAdmin(PortalModelAdmin):
    list_display = ["name", "slug", "valid_from", "valid_to"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PopulationInline(PortalTabularInline):
    model = MunicipalityPopulation
    extra = 0


class CountyMembershipInline(PortalTabularInline):
    model = CountyMembership
    extra = 0
    autocomplete_fields = ["county"]


@admin.register(Municipality)
class MunicipalityAdmin(PortalModelAdmin):
    list_display = ["name", "number", "valid_from", "valid_to"]
    search_fields = ["name", "number"]
    list_filter = ["county_memberships__county"]
    inlines = [PopulationInline, CountyMembershipInline]


@admin.register(MunicipalityPopulation)
class MunicipalityPopulationAdmin(PortalModelAdmin):
    list_display = ["municipality", "year", "population"]
    list_filter = ["year"]
    search_fields = ["municipality__name", "municipality__number"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]


@admin.register(CountyMembership)
class CountyMembershipAdmin(PortalModelAdmin):
    list_display = ["municipality", "county", "valid_from", "valid_to"]
    list_filter = ["county"]
    search_fields = ["municipality__name"]
    autocomplete_fields = ["municipality", "county"]
    list_select_related = ["municipality", "county"]


@admin.register(MunicipalityMerger)
class MunicipalityMergerAdmin(PortalModelAdmin):
    list_display = ["successor", "date", "predecessor_names"]
    search_fields = ["successor__name", "predecessors__name"]
    autocomplete_fields = ["successor", "predecessors"]
    list_select_related = ["successor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("predecessors")

    @admin.display(description=_("tidligere kommuner"))
    def predecessor_names(self, obj):
        return ", ".join(p.name for p in obj.predecessors.all())


class MembershipInline(PortalTabularInline):
    model = Membership
    extra = 0


class EnrolmentInline(PortalTabularInline):
    model = Enrolment
    extra = 0


@admin.register(School)
class SchoolAdmin(PortalModelAdmin):
    list_display = ["name", "kind", "municipality", "region", "contact_name"]
    list_filter = ["kind", "region", "memberships__status"]
    search_fields = ["name", "slug", "municipality__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["municipality", "region"]
    list_select_related = ["municipality", "region"]
    inlines = [MembershipInline, EnrolmentInline]


@admin.register(Membership)
class MembershipAdmin(PortalModelAdmin):
    list_display = ["school", "status", "valid_from", "valid_to"]
    list_filter = ["status", "school__region"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school"]
    list_select_related = ["school"]


@admin.register(Enrolment)
class EnrolmentAdmin(PortalModelAdmin):
    list_display = ["school", "school_year", "pupils"]
    list_filter = ["school_year", "school__kind", "school__region"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school"]
    list_select_related = ["school"]


@admin.register(Pupil)
class PupilAdmin(PortalModelAdmin):
    list_display = ["last_name", "first_name", "birth_year", "main_instrument"]
    list_filter = ["birth_year", "schools__region"]
    search_fields = ["first_name", "last_name", "main_instrument"]
    autocomplete_fields = ["schools"]
