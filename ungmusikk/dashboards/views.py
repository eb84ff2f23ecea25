"""The rector's school dashboard (with its print view, PDF, CSV and chart data) and the
steering group's network overview. Thin views: every school is fetched through
`governance.selectors.school_list_visible_to`, so a school the user may not see is a 404."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from activities.clashes import school_month_offers
from core.http import NotFound
from core.params import choice_param, year_param
from core.periods import school_year_label, school_year_of
from funding.figures import COST_SHARING_RULE, default_money_year
from governance.selectors import school_list_led_by, school_list_visible_to
from schools.models import School

from .network import (
    ASCENDING_FIRST,
    SORTS,
    network_default_school_year,
    network_map_points,
    network_rows_html,
    network_table,
)
from .pdf import dashboard_pdf
from .pupils import named_pupils_page, pupil_load_page
from .school import CHART_KEYS, SchoolDashboard, school_dashboard, school_list_with_dashboard_settings
from .tables import Table, table_csv

# The first school year the month view offers (the network's records start in 2013/14).
FIRST_SCHOOL_YEAR = 2013


def _year_param(request, name: str) -> int | None:
    """A year (2000–2100) from the query string; anything else is ignored."""
    return year_param(request.GET.get(name))


def _csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class SchoolDashboardMixin(LoginRequiredMixin):
    def get_school_list(self):
        return school_list_visible_to(user=self.request.user)

    def get_school(self) -> School:
        if not hasattr(self, "_school"):
            schools = school_list_with_dashboard_settings(self.get_school_list())
            self._school = schools.filter(slug=self.kwargs["slug"]).first()
            if self._school is None:
                raise NotFound(_("Fant ikke skolen, eller du har ikke tilgang til tallene dens."))
        return self._school

    def get_dashboard(self) -> SchoolDashboard:
        school = self.get_school()
        return school_dashboard(
            school=school,
            show_names=self.request.user.has_perm("schools.view_pupil_names", school),
            school_year=_year_param(self.request, "skoleaar"),
            money_year=_year_param(self.request, "pengeaar"),
        )


class SchoolDashboardView(SchoolDashboardMixin, TemplateView):
    template_name = "dashboard/school.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = self.get_dashboard()
        tables = dashboard.tables
        context.update(
            dashboard=dashboard,
            school=dashboard.school,
            charts=dashboard.charts,
            tables=tables,
            query=self.request.GET.urlencode(),
            year_choices=[(year, school_year_label(year)) for year in reversed(dashboard.available_years)],
            cost_sharing_rule=COST_SHARING_RULE,
            network_link=self.request.user.has_perm("schools.view_network"),
        )
        return context


class SchoolDashboardPrintView(SchoolDashboardView):
    template_name = "dashboard/school_print.html"


class SchoolDashboardPdfView(SchoolDashboardMixin, View):
    def get(self, request, *args, **kwargs):
        dashboard = self.get_dashboard()
        response = HttpResponse(dashboard_pdf(dashboard), content_type="application/pdf")
        filename = f"ungmusikk-{dashboard.school.slug}-{dashboard.school_year}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SchoolDashboardCsvView(SchoolDashboardMixin, View):
    def get(self, request, *args, **kwargs):
        dashboard = self.get_dashboard()
        table = dashboard.table(kwargs["table"])
        if table is None:
            raise NotFound(_("Ukjent tabell."))
        return _csv_response(table, f"ungmusikk-{dashboard.school.slug}-{kwargs['table']}-{dashboard.school_year}.csv")


class SchoolChartDataView(SchoolDashboardMixin, View):
    def get(self, request, *args, **kwargs):
        if kwargs["chart"] not in CHART_KEYS:
            raise NotFound(_("Ukjent diagram."))
        dashboard = self.get_dashboard()
        return JsonResponse(
            {
                "school": dashboard.school.slug,
                "school_year": dashboard.school_year,
                "figures_as_of": dashboard.as_of.label,
                **dashboard.charts[kwargs["chart"]],
            }
        )


class SchoolPupilNamesMixin(SchoolDashboardMixin):
    """The pages that list a school's pupils by name: a school the user may not see is a 404,
    as on the dashboard; a school whose pupils' names they may not see (schools.view_pupil_names:
    governance.rules.sees_pupil_names) a 403."""

    def get_school_list(self):
        return super().get_school_list().prefetch_related(None)  # the pages show no memberships

    def get_school(self) -> School:
        school = super().get_school()
        if not self.request.user.has_perm("schools.view_pupil_names", school):
            raise PermissionDenied(
                _("Elevenes navn vises bare for skolens rektor, delregionens koordinator og den sentrale ledelsen.")
            )
        return school

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["network_link"] = self.request.user.has_perm("schools.view_network")
        return context


class SchoolNamedPupilsView(SchoolPupilNamesMixin, TemplateView):
    """«Navngitte elever»: the school year's pupils named on masterclasses and NMH teaching,
    with their activities, 50 pupils a page (`?skoleaar=YYYY&side=N`); the dashboard links
    here with the count."""

    template_name = "dashboard/named_pupils.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = named_pupils_page(
            school=self.get_school(), school_year=self.request.GET.get("skoleaar"), page=self.request.GET.get("side")
        )
        context.update(listing=listing, school=listing.school, query=f"skoleaar={listing.school_year}")
        return context


class SchoolPupilLoadView(SchoolPupilNamesMixin, TemplateView):
    """«Elevbelastning»: the school year's pupils in one term (`?semester=host|var`) by how
    many activities they take part in, those at or above the warning threshold marked, 50 a
    page (`?skoleaar=YYYY&side=N`); the dashboard shows the top ten of each term."""

    template_name = "dashboard/pupil_load.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = pupil_load_page(
            school=self.get_school(),
            school_year=self.request.GET.get("skoleaar"),
            term=self.request.GET.get("semester"),
            page=self.request.GET.get("side"),
        )
        context.update(
            listing=listing,
            school=listing.school,
            query=f"skoleaar={listing.school_year}",
            page_query=f"skoleaar={listing.school_year}&semester={listing.term}",
        )
        return context


class SchoolChooseView(LoginRequiredMixin, TemplateView):
    """The schools whose dashboards the user may open: a rector who leads several picks here."""

    template_name = "dashboard/choose.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["schools"] = school_list_visible_to(user=self.request.user).order_by("region__name", "name")
        context["network_link"] = self.request.user.has_perm("schools.view_network")
        return context


class StartView(LoginRequiredMixin, View):
    """Where a user lands after logging in: the steering group, the daily leader and NMH on
    the network overview, a rector on their school's dashboard (or the choice when they lead
    several), everyone else on the home page."""

    def get(self, request, *args, **kwargs):
        if request.user.has_perm("schools.view_network"):
            return redirect("schools:network")
        led = list(school_list_led_by(user=request.user).values_list("slug", flat=True)[:2])
        if len(led) == 1:
            return redirect("schools:dashboard", slug=led[0])
        if led:
            return redirect("schools:mine")
        return redirect("home")


class NetworkOverviewMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("schools.view_network"):
            raise PermissionDenied(_("Nettverksoversikten er for styringsgruppen, daglig leder og NMH."))
        return super().dispatch(request, *args, **kwargs)

    def get_table(self):
        """The overview's table (sorted as asked), its period and "as of"."""
        today = timezone.localdate()
        school_year = _year_param(self.request, "skoleaar") or network_default_school_year(today=today)
        money_year = _year_param(self.request, "pengeaar") or default_money_year(school_year, today=today)
        day = min(today, date(school_year + 1, 7, 31))
        table, as_of = network_table(
            schools=school_list_visible_to(user=self.request.user).prefetch_related(None),
            school_year=school_year,
            money_year=money_year,
            day=day,
            names_visible=lambda school: self.request.user.has_perm("schools.view_pupil_names", school),
        )
        sort = choice_param(self.request.GET.get("sorter"), SORTS, "name")
        descending = self.request.GET.get("retning") == "synkende"
        period = {
            "school_year": school_year,
            "school_year_label": school_year_label(school_year),
            "money_year": money_year,
            "day": day,
            "sort": sort,
            "descending": descending,
        }
        return table.sorted(sort, descending=descending), period, as_of


class NetworkOverviewView(NetworkOverviewMixin, TemplateView):
    template_name = "dashboard/network.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table, period, as_of = self.get_table()
        columns = []
        for column in table.columns:
            active = column.key == period["sort"]
            next_descending = not period["descending"] if active else column.kind not in ASCENDING_FIRST
            columns.append(
                {
                    "column": column,
                    "active": active,
                    "aria_sort": ("descending" if period["descending"] else "ascending") if active else "none",
                    "query": f"skoleaar={period['school_year']}&pengeaar={period['money_year']}&sorter={column.key}"
                    + ("&retning=synkende" if next_descending else ""),
                }
            )
        points = network_map_points(table.rows)
        context.update(
            table=table,
            rows_html=network_rows_html(table, school_year=period["school_year"]),
            period=period,
            columns=columns,
            points=points,
            as_of=as_of,
            led_schools=school_list_led_by(user=self.request.user).values("slug", "name"),
            year_choices=[(year, school_year_label(year)) for year in range(period["school_year"], 2012, -1)],
            status_counts={
                status: sum(1 for point in points if point["status"] == status)
                for status in ("member", "pilot", "interested")
            },
            cost_sharing_rule=COST_SHARING_RULE,
        )
        return context


class NetworkCsvView(NetworkOverviewMixin, View):
    def get(self, request, *args, **kwargs):
        table, period, _as_of = self.get_table()
        return _csv_response(table, f"ungmusikk-nettverket-{period['school_year']}.csv")


class NetworkMapDataView(NetworkOverviewMixin, View):
    def get(self, request, *args, **kwargs):
        table, period, as_of = self.get_table()
        return JsonResponse(
            {
                "day": period["day"].isoformat(),
                "figures_as_of": as_of.label,
                "municipalities": network_map_points(table.rows),
                "dashboard_urls": {row["slug"]: reverse("schools:dashboard", args=[row["slug"]]) for row in table.rows},
            }
        )


class SchoolMonthOffersView(SchoolDashboardMixin, TemplateView):
    """«Tilbud per måned»: the months of a school year with the number of activities offered
    to the school against the portal's limit (activities.clashes.school_month_offers), the
    months over it marked. Whoever may see the school's dashboard may see it (a school the user
    may not see is a 404). `?skoleaar=YYYY`, by default the current school year."""

    template_name = "dashboard/month_offers.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        school = self.get_school()
        current = school_year_of(timezone.localdate())
        raw = self.request.GET.get("skoleaar")
        school_year = _year_param(self.request, "skoleaar") or current
        note = ""
        if not FIRST_SCHOOL_YEAR <= school_year <= current + 1 or (raw not in (None, "") and not year_param(raw)):
            note = _("«Skoleår» må være et skoleår fra %(first)s til %(last)s; viser skoleåret %(shown)s.") % {
                "first": school_year_label(FIRST_SCHOOL_YEAR),
                "last": school_year_label(current + 1),
                "shown": school_year_label(current),
            }
            school_year = current
        months = school_month_offers(school=school, school_year=school_year)
        context.update(
            school=school,
            school_year=school_year,
            school_year_label=school_year_label(school_year),
            months=months,
            limit=months[0].limit,
            over_count=sum(month.over for month in months),
            total=sum(month.count for month in months),
            year_choices=[(year, school_year_label(year)) for year in range(current + 1, FIRST_SCHOOL_YEAR - 1, -1)],
            network_link=self.request.user.has_perm("schools.view_network"),
            note=note,
        )
        return context
