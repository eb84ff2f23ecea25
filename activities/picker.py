"""The named-pupil picker of the activity form. Pupils are minors: the form's page holds no
pupil's name but those already linked to the participation; the person's typing asks this
endpoint for the matching pupils of the row's school, and only if the person may see the
names of that school's pupils (`schools.view_pupil_names`)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.decorators import method_decorator
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from core.params import id_param
from schools.models import Pupil, School

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
MAX_MATCHES = 20


def pupil_list_at(*, school: School | None) -> QuerySet[Pupil]:
    """The pupils of a school, in the picker's order."""
    if school is None:
        return Pupil.objects.none()
    return Pupil.objects.filter(schools=school).order_by("last_name", "first_name", "pk")


def pupil_list_pickable(*, user, school: School | None) -> QuerySet[Pupil]:
    """The pupils of a school whose names the user may see (and so may name on an activity):
    none when the user may not see that school's pupils' names."""
    if school is None or not user.has_perm("schools.view_pupil_names", school):
        return Pupil.objects.none()
    return pupil_list_at(school=school)


def pupil_list_matching(pupils: QuerySet[Pupil], *, query: str) -> QuerySet[Pupil]:
    """The pupils whose first or last name contains every word of the query."""
    for word in query.split():
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return pupils


@method_decorator(never_cache, name="dispatch")
class PupilSearchView(LoginRequiredMixin, View):
    """GET ?school=<id>&q=<text>: at most 20 matching pupils of the school as `<option>`s
    (name and birth year). Fewer than 2 characters: no options. A school whose pupils' names
    the person may not see: 403."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        school_id = id_param(request.GET.get("school"))
        raw = request.GET.get("q", "")
        if school_id is None or len(raw) > MAX_QUERY_LENGTH or "\x00" in raw:
            return HttpResponseBadRequest(
                _("Søket må ha en skole (school) og høyst %(max)s tegn (q).") % {"max": MAX_QUERY_LENGTH},
                content_type="text/plain; charset=utf-8",
            )
        school = School.objects.filter(pk=school_id).select_related("region").first()
        if school is None or not request.user.has_perm("schools.view_pupil_names", school):
            raise PermissionDenied
        query = " ".join(raw.split())
        if len(query) < MIN_QUERY_LENGTH:
            matches = []
        else:
            pupils = pupil_list_pickable(user=request.user, school=school)
            matches = list(pupil_list_matching(pupils, query=query)[:MAX_MATCHES])
        rows = ((pupil.pk, str(pupil)) for pupil in matches)
        options = format_html_join("", '<option value="{}">{}</option>\n', rows)
        return HttpResponse(options, content_type="text/html; charset=utf-8")
