from django.contrib import admin

from .models import (
    Budget,
    BudgetLine,
    ContributionTier,
    CountyGrant,
    MunicipalContribution,
    PartnerContribution,
)


@admin.register(ContributionTier)
class ContributionTierAdmin(admin.ModelAdmin):
    list_display = ["__str__", "min_population", "max_population_below", "amount", "valid_from", "valid_to"]
    search_fields = ["amount"]


@admin.register(MunicipalContribution)
class MunicipalContributionAdmin(admin.ModelAdmin):
    list_display = ["municipality", "year", "population", "computed_amount", "amount", "invoiced_on", "paid_on"]
    list_filter = ["year", "tier"]
    search_fields = ["municipality__name", "municipality__number"]
    autocomplete_fields = ["municipality", "tier"]
    list_select_related = ["municipality", "tier"]
    readonly_fields = ["population", "tier", "computed_amount"]


@admin.register(CountyGrant)
class CountyGrantAdmin(admin.ModelAdmin):
    list_display = ["year", "county", "index_factor", "amount"]
    search_fields = ["county__name"]
    autocomplete_fields = ["county"]
    list_select_related = ["county"]


@admin.register(PartnerContribution)
class PartnerContributionAdmin(admin.ModelAdmin):
    list_display = ["partner", "year", "form", "category", "amount"]
    list_filter = ["year", "form", "category"]
    search_fields = ["partner__name", "description"]
    autocomplete_fields = ["partner"]
    list_select_related = ["partner"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    autocomplete_fields = ["region", "school", "municipality", "cooperation_area", "partner"]


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "revision", "status", "submitted_by", "decided_by"]
    list_filter = ["status", "year"]
    search_fields = ["year", "notes"]
    list_select_related = ["submitted_by", "decided_by"]
    readonly_fields = ["created_at", "created_by", "submitted_at", "submitted_by", "decided_at", "decided_by"]
    inlines = [BudgetLineInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["budget", "kind", "label", "amount", "region", "school"]
    list_filter = ["kind", "budget__year"]
    search_fields = ["label", "school__name", "region__name"]
    autocomplete_fields = ["budget", "region", "school", "municipality", "cooperation_area", "partner"]
    list_select_related = ["budget", "region", "school"]
