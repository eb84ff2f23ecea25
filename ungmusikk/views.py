"""Pages that compose several apps: the home page, the rollups page and a person's profile (the
dashboards are in ungmusikk/dashboards/)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from activities.selectors import coordinator_overview
from core.rollups import rollup_last_success_by_kind, rollup_run_list
from core.schedules import ROLLUP_KINDS
from governance.models import Profile
from governance.selectors import (
    portal_settings_get,
    role_list_current_for_user,
    school_list_led_by,
    user_has_any_role,
)
from governance.services import profile_save
from schools.selectors import network_summary

from .services import rollups_enqueue


class HomeView(TemplateView):
    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        # The steering group, the daily leader and NMH start on the network overview.
        if request.user.is_authenticated and request.user.has_perm("schools.view_network"):
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


class RollupStatusView(LoginRequiredMixin, TemplateView):
    """The nightly rollups for central staff: the latest runs of each kind, and a button to
    run them now."""

    template_name = "rollups.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("core.view_rolluprun"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = rollup_run_list()[:60]  # a full run is a row a school year and one for all
        finished = rollup_last_success_by_kind()
        context["latest"] = {kind: finished.get(kind) for kind, _label in ROLLUP_KINDS}
        return context

    def post(self, request, *args, **kwargs):
        incremental = request.POST.get("mode") == "incremental"
        rollups_enqueue(user=request.user, incremental=incremental)
        messages.success(request, _("Oppsummeringene er satt i kø."))
        return redirect("rollups")


class ProfileForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Språk i e-post fra portalen"),
        choices=Profile.Language.choices,
        widget=forms.RadioSelect,
    )
    receives_notices = forms.BooleanField(
        label=gettext_lazy("Send meg e-post om budsjettet"),
        help_text=gettext_lazy(
            "Når et budsjett legges fram for styringsgruppen, vedtas eller sendes tilbake (for medlemmer av "
            "styringsgruppen og den som la det fram)."
        ),
        required=False,
    )
    # Reminders and digests (issue 15, activities/reminders.py).
    receives_digest = forms.BooleanField(
        label=gettext_lazy("Send meg ukeoversikten for rektorer"),
        help_text=gettext_lazy(
            "Hver mandag: skolens aktiviteter de neste fire ukene og elevene over varselgrensen (for rektorer)."
        ),
        required=False,
    )
    receives_reminders = forms.BooleanField(
        label=gettext_lazy("Send meg påminnelser om deltakertall"),
        help_text=gettext_lazy(
            "Når en aktivitet i delregionen mangler deltakertall 7 og 21 dager etter at den ble holdt "
            "(for koordinatorer)."
        ),
        required=False,
    )


class ProfileView(LoginRequiredMixin, FormView):
    """A person's own profile: the language of the portal's e-mails and whether they get the
    budget's notices. Every logged-in person has one, and sees and saves only their own (the
    URL names no one)."""

    template_name = "profile.html"
    form_class = ProfileForm

    def get_context_data(self, **kwargs):
        from activities.feeds import feed_links  # the subscribable calendars (issue 15)

        context = super().get_context_data(**kwargs)
        context["calendar_feeds"] = feed_links(user=self.request.user)
        context["calendar_feeds_offered"] = user_has_any_role(user=self.request.user)
        return context

    def get_initial(self):
        profile = Profile.of(self.request.user)
        return {
            "language": profile.language,
            "receives_notices": profile.receives_notices,
            "receives_digest": profile.receives_digest,
            "receives_reminders": profile.receives_reminders,
        }

    def form_valid(self, form):
        profile_save(
            user=self.request.user,
            language=form.cleaned_data["language"],
            receives_notices=form.cleaned_data["receives_notices"],
            receives_digest=form.cleaned_data["receives_digest"],
            receives_reminders=form.cleaned_data["receives_reminders"],
        )
        messages.success(self.request, _("Profilen din er lagret."))
        return redirect("profile")


class PrivacyView(TemplateView):
    """What the portal keeps about pupils, why, who sees their names, how long, and how to ask
    for access or erasure: for everyone, without logging in."""

    template_name = "privacy.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The portal's retention setting (governance.PortalSetting; 3 school years by default).
        context["retention_years"] = getattr(portal_settings_get(), "pupil_retention_school_years", 3)
        return context
