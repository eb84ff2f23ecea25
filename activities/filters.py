"""The activity list's filters. They live in the query string, so a filtered list can be
bookmarked and shared; the list, the calendar and the CSV export use the same set."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IdChoiceField
from core.periods import school_year_bounds, school_year_label, school_year_of
from governance.models import CooperationArea
from schools.models import Region, School

from .models import Activity, Venue

FIRST_SCHOOL_YEAR = 2013


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A model filter whose value must be an id: `?region=true` or a 30-digit number is an
    invalid filter (an empty list with the form's error), not a crash on SQLite."""

    field_class = IdChoiceField


def school_year_choices() -> list[tuple[int, str]]:
    last = school_year_of(timezone.localdate()) + 1
    return [(year, school_year_label(year)) for year in range(last, FIRST_SCHOOL_YEAR - 1, -1)]


class ActivityFilter(django_filters.FilterSet):
    # Bounded: SQLite refuses a LIKE pattern of 100 000 characters ("pattern too complex").
    q = django_filters.CharFilter(label=_("Søk"), method="filter_search", max_length=200)
    school_year = django_filters.ChoiceFilter(
        label=_("Skoleår"), choices=school_year_choices, method="filter_school_year", empty_label=_("Alle")
    )
    region = IdChoiceFilter(label=_("Delregion"), queryset=Region.objects.order_by("name"), empty_label=_("Alle"))
    area = IdChoiceFilter(
        label=_("Samarbeidsområde"),
        field_name="cooperation_areas",
        queryset=CooperationArea.objects.order_by("number"),
        empty_label=_("Alle"),
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Activity.Kind.choices, empty_label=_("Alle"))
    level = django_filters.ChoiceFilter(label=_("Nivå"), choices=Activity.Level.choices, empty_label=_("Alle"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Activity.Status.choices, empty_label=_("Alle"))
    host_school = IdChoiceFilter(label=_("Vertsskole"), queryset=School.objects.order_by("name"), empty_label=_("Alle"))

    class Meta:
        model = Activity
        fields = ["q", "school_year", "region", "area", "kind", "level", "status", "host_school"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(instrument__icontains=value)
            | Q(nmh_teachers__icontains=value)
            | Q(notes__icontains=value)
            # A subquery, not a join: the list's sort then stays on one table.
            | Q(venue__in=Venue.objects.filter(name__icontains=value))
        )

    def filter_school_year(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        start, end = school_year_bounds(int(value))
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
        return form
