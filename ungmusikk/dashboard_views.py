"""The rector's school dashboard (with its print view, PDF, CSV and chart data) and the
steering group's network overview. Thin views: every school is fetched through
`governance.selectors.school_list_visible_to`, so a school the user may not see is a 404."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from activities.models import Participation
from activities.selectors import activity_counted_q
from core.http import NotFound
from core.params import year_param
from core.periods import school_year_label, school_year_of
from governance.selectors import (
    school_list_led_by,
    school_list_visible_to,
    user_is_central_staff,
    user_is_steering_member,
)
from schools.models import School

from . import dashboard as figures
from .dashboard_exports import (
    dashboard_csv,
    dashboard_pdf,
    dashboard_tables,
    network_csv,
)


def _year_param(request, name: str) -> int | None:
    """A year (2000–2100) from the query string; anything else is ignored."""
    return year_param(request.GET.get(name))


def user_sees_network(user) -> bool:
    return user_is_central_staff(user=user) or user_is_steering_member(user=user)


class SchoolDashboardMixin(LoginRequiredMixin):
    def get_school(self) -> School:
        if not hasattr(self, "_school"):
            schools = figures.school_list_with_dashboard_settings(school_list_visible_to(user=self.request.user))
            self._school = schools.filter(slug=self.kwargs["slug"]).first()
            if self._school is None:
                raise NotFound(_("Fant ikke skolen, eller du har ikke tilgang til tallene dens."))
        return self._school

    def get_dashboard(self) -> figures.SchoolDashboard:
        school = self.get_school()
        return figures.school_dashboard(
            school=school,
            show_names=figures.user_sees_pupil_names(user=self.request.user, school=school),
            school_year=_year_param(self.request, "skoleaar"),
            money_year=_year_param(self.request, "pengeaar"),
        )


class SchoolDashboardView(SchoolDashboardMixin, TemplateView):
    template_name = "dashboard/school.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = self.get_dashboard()
        context.update(
            dashboard=dashboard,
            school=dashboard.school,
            charts=dashboard.charts,
            tables=dashboard_tables(dashboard),
            query=self.request.GET.urlencode(),
            year_choices=[(year, school_year_label(year)) for year in reversed(dashboard.available_years)],
            cost_sharing_rule=figures.COST_SHARING_RULE,
            network_link=user_sees_network(self.request.user),
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
        school = self.get_school()
        dashboard = self.get_dashboard()
        tables = dashboard_tables(dashboard)
        if kwargs["table"] not in tables:
            raise NotFound(_("Ukjent tabell."))
        response = HttpResponse(dashboard_csv(tables[kwargs["table"]]), content_type="text/csv; charset=utf-8")
        filename = f"ungmusikk-{school.slug}-{kwargs['table']}-{dashboard.school_year}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SchoolChartDataView(SchoolDashboardMixin, View):
    def get(self, request, *args, **kwargs):
        if kwargs["chart"] not in figures.CHARTS:
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


class SchoolChooseView(LoginRequiredMixin, TemplateView):
    """The schools whose dashboards the user may open: a rector who leads several picks here."""

    template_name = "dashboard/choose.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["schools"] = school_list_visible_to(user=self.request.user).order_by("region__name", "name")
        context["network_link"] = user_sees_network(self.request.user)
        return context


class StartView(LoginRequiredMixin, View):
    """Where a user lands after logging in: the steering group, the daily leader and NMH on
    the network overview, a rector on their school's dashboard (or the choice when they lead
    several), everyone else on the home page."""

    def get(self, request, *args, **kwargs):
        if user_sees_network(request.user):
            return redirect("schools:network")
        led = list(school_list_led_by(user=request.user).values_list("slug", flat=True)[:2])
        if len(led) == 1:
            return redirect("schools:dashboard", slug=led[0])
        if led:
            return redirect("schools:mine")
        return redirect("home")


def network_default_school_year(*, today: date | None = None) -> int:
    """The latest school year with participation that has started (this one when none)."""
    now = timezone.now()
    latest = Participation.objects.filter(activity_counted_q("activity__", until=now)).aggregate(
        latest=Max("activity__starts_at")
    )["latest"]
    current = school_year_of(today or timezone.localdate())
    return min(school_year_of(timezone.localtime(latest).date()), current) if latest else current


class NetworkOverviewMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not user_sees_network(request.user):
            raise PermissionDenied(_("Nettverksoversikten er for styringsgruppen, daglig leder og NMH."))
        return super().dispatch(request, *args, **kwargs)

    def get_rows(self) -> tuple[list[dict], dict]:
        today = timezone.localdate()
        school_year = _year_param(self.request, "skoleaar") or network_default_school_year(today=today)
        money_year = _year_param(self.request, "pengeaar") or figures.default_money_year(school_year, today=today)
        day = min(today, date(school_year + 1, 7, 31))
        self.as_of = figures.figures_as_of()
        rows = figures.network_overview_rows(
            schools=school_list_visible_to(user=self.request.user).prefetch_related(None),
            school_year=school_year,
            money_year=money_year,
            day=day,
            rolled=not self.as_of.live,
            money_live=self.as_of.money_live,
        )
        sort = self.request.GET.get("sorter", "name")
        sort = sort if sort in figures.OVERVIEW_SORTS else "name"
        descending = self.request.GET.get("retning") == "synkende"
        rows = figures.sort_overview(rows, key=sort, descending=descending)
        period = {
            "school_year": school_year,
            "school_year_label": school_year_label(school_year),
            "money_year": money_year,
            "day": day,
            "sort": sort,
            "descending": descending,
        }
        return rows, period


OVERVIEW_COLUMNS = [
    ("name", gettext_lazy("Skole")),
    ("region", gettext_lazy("Delregion")),
    ("kind", gettext_lazy("Skoleslag")),
    ("status", gettext_lazy("Status")),
    ("enrolment", gettext_lazy("Elevtall (GSI)")),
    ("activities", gettext_lazy("Aktiviteter")),
    ("pupils", gettext_lazy("Elevdeltakelser")),
    ("unique_pupils", gettext_lazy("Unike navngitte elever")),
    ("share", gettext_lazy("Andel av elevtallet (%)")),
    ("allocation", gettext_lazy("Tildeling (kr)")),
    ("activity_value", gettext_lazy("Aktivitetsverdi (kr)")),
    ("contribution", gettext_lazy("Kommunens tilskudd (kr)")),
]


class NetworkOverviewView(NetworkOverviewMixin, TemplateView):
    template_name = "dashboard/network.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, period = self.get_rows()
        columns = []
        for key, label in OVERVIEW_COLUMNS:
            active = key == period["sort"]
            next_descending = not period["descending"] if active else key not in ("name", "region", "kind", "status")
            columns.append(
                {
                    "key": key,
                    "label": label,
                    "active": active,
                    "aria_sort": ("descending" if period["descending"] else "ascending") if active else "none",
                    "query": f"skoleaar={period['school_year']}&pengeaar={period['money_year']}&sorter={key}"
                    + ("&retning=synkende" if next_descending else ""),
                }
            )
        points = figures.network_map_points(rows)
        context.update(
            rows=rows,
            period=period,
            columns=columns,
            points=points,
            as_of=self.as_of,
            led_schools=school_list_led_by(user=self.request.user).values("slug", "name"),
            year_choices=[(year, school_year_label(year)) for year in range(period["school_year"], 2012, -1)],
            status_counts={
                status: sum(1 for point in points if point["status"] == status)
                for status in ("member", "pilot", "interested")
            },
            cost_sharing_rule=figures.COST_SHARING_RULE,
        )
        return context


class NetworkCsvView(NetworkOverviewMixin, View):
    def get(self, request, *args, **kwargs):
        rows, period = self.get_rows()
        response = HttpResponse(network_csv(rows), content_type="text/csv; charset=utf-8")
        filename = f"ungmusikk-nettverket-{period['school_year']}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class NetworkMapDataView(NetworkOverviewMixin, View):
    def get(self, request, *args, **kwargs):
        rows, period = self.get_rows()
        return JsonResponse(
            {
                "day": period["day"].isoformat(),
                "figures_as_of": self.as_of.label,
                "municipalities": figures.network_map_points(rows),
                "dashboard_urls": {row["slug"]: reverse("schools:dashboard", args=[row["slug"]]) for row in rows},
            }
        )
