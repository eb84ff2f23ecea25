"""Pages that compose several apps: the home page and (later) dashboards and overviews."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from activities.selectors import coordinator_overview
from governance.selectors import role_list_current_for_user, school_list_led_by
from schools.selectors import network_summary

from .dashboard_views import user_sees_network


class HomeView(TemplateView):
    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        # The steering group, the daily leader and NMH start on the network overview.
        if request.user.is_authenticated and user_sees_network(request.user):
            return redirect("schools:network")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = network_summary()
        if self.request.user.is_authenticated:
            context["roles"] = role_list_current_for_user(user=self.request.user)
            context["led_schools"] = school_list_led_by(user=self.request.user)
            context["coordinator"] = coordinator_overview(user=self.request.user)
        return context


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and the CI check: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
