"""The schools app in the admin. The network's map (counties, regions, municipalities, their
county memberships and mergers) is read-only here: the loader builds it from the official
registers, and a merger changes several rows at once (schools.services.municipality_merge).
Populations, schools, memberships, enrolment and pupils are written through the app's
services, checked against the person's permissions and audited. Pupils are shown only to
those who may see pupils' names (schools.view_pupil)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import (
    PortalModelAdmin,
    PortalTabularInline,
    ReadOnlyAdminMixin,
    ServiceInlineMixin,
    ServiceWritesMixin,
)

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
from .services import (
    enrolment_delete,
    enrolment_save,
    membership_delete,
    membership_save,
    municipality_population_save,
    pupil_save,
    school_save,
)


@admin.register(County)
class CountyAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["name", "number", "valid_from", "valid_to"]
    search_fields = ["name", "number"]
    list_filter = ["name"]


@admin.register(Region)
class RegionAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["name", "slug", "valid_from", "valid_to"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PopulationInline(ReadOnlyAdminMixin, PortalTabularInline):
    model = MunicipalityPopulation
    extra = 0


class CountyMembershipInline(ReadOnlyAdminMixin, PortalTabularInline):
    model = CountyMembership
    extra = 0
    autocomplete_fields = ["county"]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["name", "number", "valid_from", "valid_to"]
    search_fields = ["name", "number"]
    list_filter = ["county_memberships__county"]
    inlines = [PopulationInline, CountyMembershipInline]


@admin.register(MunicipalityPopulation)
class MunicipalityPopulationAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["municipality", "year", "population"]
    list_filter = ["year"]
    search_fields = ["municipality__name", "municipality__number"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]

    def save_through_service(self, request, obj, form):
        municipality_population_save(population=obj, user=request.user)


@admin.register(CountyMembership)
class CountyMembershipAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["municipality", "county", "valid_from", "valid_to"]
    list_filter = ["county"]
    search_fields = ["municipality__name"]
    autocomplete_fields = ["municipality", "county"]
    list_select_related = ["municipality", "county"]


@admin.register(MunicipalityMerger)
class MunicipalityMergerAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["successor", "date", "predecessor_names"]
    search_fields = ["successor__name", "predecessors__name"]
    autocomplete_fields = ["successor", "predecessors"]
    list_select_related = ["successor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("predecessors")

    @admin.display(description=_("tidligere kommuner"))
    def predecessor_names(self, obj):
        return ", ".join(p.name for p in obj.predecessors.all())


class MembershipInline(ServiceInlineMixin, PortalTabularInline):
    model = Membership
    extra = 0

    def save_through_service(self, request, obj, form):
        membership_save(membership=obj, user=request.user)

    def delete_through_service(self, request, obj):
        membership_delete(membership=obj, user=request.user)


class EnrolmentInline(ServiceInlineMixin, PortalTabularInline):
    model = Enrolment
    extra = 0

    def save_through_service(self, request, obj, form):
        enrolment_save(enrolment=obj, user=request.user)

    def delete_through_service(self, request, obj):
        enrolment_delete(enrolment=obj, user=request.user)


@admin.register(School)
class SchoolAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["name", "kind", "municipality", "region", "contact_name"]
    list_filter = ["kind", "region", "memberships__status"]
    search_fields = ["name", "slug", "municipality__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["municipality", "region"]
    list_select_related = ["municipality", "region"]
    inlines = [MembershipInline, EnrolmentInline]

    def save_through_service(self, request, obj, form):
        school_save(school=obj, user=request.user)


@admin.register(Membership)
class MembershipAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["school", "status", "valid_from", "valid_to"]
    list_filter = ["status", "school__region"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school"]
    list_select_related = ["school"]

    def save_through_service(self, request, obj, form):
        membership_save(membership=obj, user=request.user)

    def delete_through_service(self, request, obj):
        membership_delete(membership=obj, user=request.user)


@admin.register(Enrolment)
class EnrolmentAdmin(ServiceWritesMixin, PortalModelAdmin):
    list_display = ["school", "school_year", "pupils"]
    list_filter = ["school_year", "school__kind", "school__region"]
    search_fields = ["school__name"]
    autocomplete_fields = ["school"]
    list_select_related = ["school"]

    def save_through_service(self, request, obj, form):
        enrolment_save(enrolment=obj, user=request.user)

    def delete_through_service(self, request, obj):
        enrolment_delete(enrolment=obj, user=request.user)


@admin.register(Pupil)
class PupilAdmin(ServiceWritesMixin, PortalModelAdmin):
    """Pupils are minors: the list, their pages, their history and the pupil search of other
    pages' forms answer 403 to whoever may not see pupils' names (schools.view_pupil)."""

    list_display = ["last_name", "first_name", "birth_year", "main_instrument"]
    list_filter = ["birth_year", "schools__region"]
    search_fields = ["first_name", "last_name", "main_instrument"]
    autocomplete_fields = ["schools"]
    readonly_fields = ["privacy_links"]

    @admin.display(description=_("Personvern"))
    def privacy_links(self, obj) -> str:
        """Erasure on request and the access report (activities.privacy_views, by URL name)."""
        if obj is None or obj.pk is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("activities:pupil-erase", args=[obj.pk]),
            _("Slett elevens personopplysninger"),
            reverse("activities:pupil-access-pdf", args=[obj.pk]),
            _("Innsyn (PDF)"),
        )

    def save_through_service(self, request, obj, form):
        pupil_save(pupil=obj, user=request.user, schools=form.cleaned_data["schools"])

    def has_delete_permission(self, request, obj=None):
        # A pupil is never deleted (that would change the figures and keep the name in the
        # log): the record is erased on request instead (activities.privacy.pupil_erase).
        return False
