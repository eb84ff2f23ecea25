"""The subscribable calendars (issue 15): a region's, a school's and a person's activities as
iCalendar files (activities/ical.py) that a calendar client fetches on its own.

A client logs in to nothing, so every feed is private by a secret in its address,
`?nokkel=<the person's calendar token>` (governance.Profile.calendar_token, shown and renewed
on the profile page). The secret opens a feed only while its person has a role in the
network (whoever has one sees every activity in the portal); an unknown, missing or renewed
secret, or a region or school that does not exist, answers 404 and says nothing more."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from governance.models import Profile
from governance.selectors import (
    region_list_coordinated_by,
    school_list_led_by,
    user_by_calendar_token,
    user_has_any_role,
    user_is_central_staff,
    user_is_steering_member,
)
from governance.services import profile_calendar_token_renew
from schools.models import Region, School

from . import selectors
from .ical import activities_calendar


class FeedView(View):
    http_method_names = ["get", "head"]

    def get(self, request, **kwargs):
        user = user_by_calendar_token(token=request.GET.get("nokkel", ""))
        if user is None or not user_has_any_role(user=user):
            raise Http404(_("Fant ikke kalenderen."))
        with translation.override(Profile.of(user).language):
            name, activities = self.feed(user=user, **kwargs)
            body = activities_calendar(name=name, activities=activities)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="ungmusikk.ics"'
        # The address holds a secret: no shared cache keeps it, no page links onward with it.
        response["Cache-Control"] = "private, max-age=900"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex"
        return response

    def feed(self, *, user, **kwargs):
        raise NotImplementedError


class RegionFeedView(FeedView):
    def feed(self, *, user, slug):
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            raise Http404(_("Fant ikke kalenderen."))
        return (
            _("UngMusikk: %(region)s") % {"region": region.name},
            selectors.feed_activities_of_region(region=region),
        )


class SchoolFeedView(FeedView):
    def feed(self, *, user, slug):
        school = School.objects.filter(slug=slug).first()
        if school is None:
            raise Http404(_("Fant ikke kalenderen."))
        return (
            _("UngMusikk: %(school)s") % {"school": school.name},
            selectors.feed_activities_of_school(school=school),
        )


class PersonFeedView(FeedView):
    def feed(self, *, user):
        return _("UngMusikk: mine aktiviteter"), selectors.feed_activities_of_person(user=user)


def feed_url(name: str, token: str, **kwargs) -> str:
    """A feed's absolute address (PORTAL_BASE_URL) with the person's secret."""
    path = reverse(f"activities:{name}", kwargs=kwargs or None)
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}?{urlencode({'nokkel': token})}"


def feed_links(*, user) -> list[dict]:
    """The feeds the profile page offers a person: their own, each region they coordinate (every
    region for central staff and the steering group) and each school they lead. Empty without
    a secret yet or without a role in the network."""
    token = Profile.of(user).calendar_token
    if not token or not user_has_any_role(user=user):
        return []
    links = [{"label": _("Mine aktiviteter"), "url": feed_url("feed-person", token)}]
    # Central staff and the steering group follow the whole network: every region's feed.
    if user_is_central_staff(user=user) or user_is_steering_member(user=user):
        regions = Region.objects.all()
    else:
        regions = region_list_coordinated_by(user=user)
    for region in regions.order_by("name"):
        links.append(
            {
                "label": _("Delregion %(region)s") % {"region": region.name},
                "url": feed_url("feed-region", token, slug=region.slug),
            }
        )
    for school in school_list_led_by(user=user).order_by("name"):
        links.append({"label": school.name, "url": feed_url("feed-school", token, slug=school.slug)})
    return links


class CalendarTokenRenewView(LoginRequiredMixin, View):
    """«Lag ny lenke» on the profile page (POST only): a new secret for the person's feeds; the
    old addresses answer 404 from now on."""

    http_method_names = ["post"]

    def post(self, request):
        profile_calendar_token_renew(user=request.user)
        messages.success(request, _("Kalenderlenkene dine er nye. De gamle lenkene virker ikke lenger."))
        return redirect(reverse("profile") + "#calendar-feeds")
