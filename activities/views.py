"""The coordinators' activity pages. Views are thin: they fetch through the selectors
(404 for what the user may not see), check the rules (403 for what they may not do), validate
a form and call one service."""

from __future__ import annotations

import calendar
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core import exports
from core.audit import AuditAction
from core.concurrency import EditConflict
from core.exports import spreadsheet_row
from core.forms import add_service_error, form_token_new
from core.http import NotFound
from core.params import FIRST_YEAR, LAST_YEAR, choice_param, datetime_param, id_param, month_param, week_param
from core.periods import OSLO, SCHOOL_YEAR_START_MONTH, school_year_month, school_year_of
from core.submissions import AlreadySubmitted, submission_check, submit_once
from schools.models import Pupil, School
from schools.services import pupil_save

from . import clashes, selectors, services
from .filters import ActivityFilter
from .forms import (
    ActivityForm,
    CancelForm,
    CommitForm,
    CostFormSet,
    ImportForm,
    ParticipationFormSet,
    attach_service_errors,
)
from .import_forms import (
    ImportReviewForm,
    RegisterPupilForm,
    RegisterTokenForm,
    duplicate_message,
    duplicate_pupil,
)
from .imports import (
    ImportFileError,
    ImportPreview,
    PreviewGone,
    SignedImport,
    StalePreview,
    file_from_signed,
    import_from_payload,
    preview_again,
    preview_import,
    signed_file,
)
from .models import Activity, ActivityCost

PAGE_SIZE = 25
STALE_IMPORT = gettext_lazy(
    "Ingenting er importert: aktiviteten er endret etter at du lastet opp filen. Last opp filen på nytt for å se "
    "hva importen vil endre nå."
)
PREVIEW_GONE = gettext_lazy(
    "Ingenting er importert: en skole eller elev i filen er slettet etter at du lastet opp filen. Last opp filen på "
    "nytt."
)


class ActivityAccessMixin(LoginRequiredMixin):
    """Anonymous visitors go to the login page; a logged-in user without the permission
    gets 403. `permission` is checked on the object when the view has one."""

    permission = "activities.view_activity"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # The object first: what the user may not see is a 404, not a 403.
        target = self.get_permission_object()
        if not request.user.has_perm("activities.view_activity"):
            raise PermissionDenied
        if self.permission != "activities.view_activity" and not request.user.has_perm(self.permission, target):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self):
        return None


class ActivityObjectMixin(ActivityAccessMixin):
    @cached_property
    def activity(self) -> Activity:
        try:
            return selectors.activity_get(user=self.request.user, pk=self.kwargs["pk"])
        except Activity.DoesNotExist as missing:
            raise NotFound(_("Fant ikke aktiviteten.")) from missing

    def get_permission_object(self):
        return self.activity


class FilteredActivitiesMixin:
    def get_filter(self) -> ActivityFilter:
        return ActivityFilter(
            self.request.GET or None, queryset=selectors.activity_list_for_listing(user=self.request.user)
        )

    def querystring_without(self, *names: str) -> str:
        query = self.request.GET.copy()
        for name in names:
            query.pop(name, None)
        return query.urlencode()


class ActivityListView(ActivityAccessMixin, FilteredActivitiesMixin, TemplateView):
    template_name = "activities/activity_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity_filter = self.get_filter()
        # Sort and count on the ids alone (one table, no joins), then load the page's rows.
        page = Paginator(activity_filter.qs.values_list("pk", flat=True), PAGE_SIZE).get_page(
            self.request.GET.get("side")
        )
        ids = list(page.object_list)
        loaded_rows = selectors.activity_list_for_listing(user=self.request.user).in_bulk(ids)
        activities = [loaded_rows[pk] for pk in ids]
        loaded = selectors.activity_ids_with_pupil_load(activities=activities)
        clashing = clashes.activity_ids_with_clash(activities=activities)
        for activity in activities:
            activity.pupil_load = activity.pk in loaded
            activity.clashes = activity.pk in clashing
            participations = activity.participations.all()
            activity.school_count = len(participations)
            activity.pupil_total = sum(p.pupils for p in participations)
            activity.lacks_figures = (
                activity.status != Activity.Status.CANCELLED
                and activity.starts_at < timezone.now()
                and not any(p.pupils or p.teachers for p in participations)
            )
        context.update(
            filter=activity_filter,
            page=page,
            activities=activities,
            query=self.querystring_without("side"),
            can_create=self.request.user.has_perm("activities.add_activity"),
            threshold=selectors.pupil_load_threshold() if loaded else None,
            any_clash=bool(clashing),
        )
        return context


class ActivityCalendarView(ActivityAccessMixin, FilteredActivitiesMixin, TemplateView):
    """The filtered activities (every filter of the list, the school year too) as a month, a
    week or an agenda (a list of days, for a phone), server-rendered (works without
    JavaScript). `?visning=maaned|uke|liste` picks the view; `?maaned=YYYY-MM` the month,
    `?uke=YYYY-Www` the week (ISO 8601). An unusable month or week falls back (to the opening
    month, or that month's first week) with a note naming the parameter, never an error."""

    template_name = "activities/activity_calendar.html"
    VIEWS = ("maaned", "uke", "liste")

    @cached_property
    def view_name(self) -> str:
        return choice_param(self.request.GET.get("visning"), self.VIEWS, "maaned")

    @staticmethod
    def chosen_school_year(activity_filter: ActivityFilter) -> int | None:
        # The school year counts even when another filter's value is refused (the form keeps
        # each valid field's value): the calendar then still opens in the chosen year.
        activity_filter.is_valid()
        school_year = getattr(activity_filter.form, "cleaned_data", {}).get("school_year")
        return None if school_year in (None, "") else int(school_year)

    def opening_month(self, activity_filter: ActivityFilter) -> date:
        """Without `?maaned=`: today's month, unless a school year is chosen that today is not
        in; then that year's first month with a (filtered) activity, or its first month."""
        today = timezone.localdate()
        this_month = today.replace(day=1)
        school_year = self.chosen_school_year(activity_filter)
        if school_year is None:
            return this_month
        if school_year_of(today) == school_year:
            return this_month
        first = activity_filter.qs.prefetch_related(None).order_by("starts_at").values_list("starts_at", flat=True)
        first = first.first()
        if first is None:
            return school_year_month(school_year, SCHOOL_YEAR_START_MONTH)
        return timezone.localtime(first, OSLO).date().replace(day=1)

    def month(self, activity_filter: ActivityFilter | None = None) -> date:
        """`?maaned=YYYY-MM` within the portal's years; else the opening month."""
        activity_filter = activity_filter or self.get_filter()
        given = month_param(self.request.GET.get("maaned"))
        school_year = self.chosen_school_year(activity_filter)
        # A month outside a chosen school year (the filter form keeps the month it was sent
        # from) gives way to the year's opening month.
        if given and (school_year is None or school_year_of(given) == school_year):
            return given
        return self.opening_month(activity_filter)

    @staticmethod
    def by_day(activities: list[Activity]) -> dict[date, list[Activity]]:
        """Each activity under every Oslo day it touches."""
        days: dict[date, list[Activity]] = {}
        for activity in activities:
            activity.oslo_start = timezone.localtime(activity.starts_at, OSLO)
            activity.oslo_end = timezone.localtime(activity.ends_at, OSLO)
            start = activity.oslo_start.date()
            end = max(start, activity.oslo_end.date())
            day = start
            while day <= end:
                days.setdefault(day, []).append(activity)
                day += timedelta(days=1)
        return days

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity_filter = self.get_filter()
        notes = []
        raw_month = self.request.GET.get("maaned")
        if raw_month not in (None, "") and month_param(raw_month) is None:
            notes.append(_("«Måned» må være en måned som 2020-02 (år 2000–2100); viser en annen måned i stedet."))
        first = self.month(activity_filter)
        query = self.querystring_without("maaned", "side", "uke")
        base = self.querystring_without("maaned", "side", "uke", "visning")
        previous = (first - timedelta(days=1)).replace(day=1) if first > date(FIRST_YEAR, 1, 1) else None
        following = (first + timedelta(days=32)).replace(day=1) if first < date(LAST_YEAR, 12, 1) else None
        school_year = self.chosen_school_year(activity_filter)
        if school_year is not None:
            # Previous and next stay within the chosen school year.
            previous = previous if previous and school_year_of(previous) == school_year else None
            following = following if following and school_year_of(following) == school_year else None
        context.update(
            filter=activity_filter,
            view_name=self.view_name,
            month=first,
            month_label=date_format(first, "F Y"),
            previous=previous.strftime("%Y-%m") if previous else None,
            following=following.strftime("%Y-%m") if following else None,
            query=query,
            base_query=base,
            # The filters (and the view) as hidden fields of the month and week pickers.
            keep_params=[
                (name, value)
                for name, values in self.request.GET.lists()
                if name in (*ActivityFilter.Meta.fields, "visning")
                for value in values[:5]
            ],
            first_month=f"{FIRST_YEAR}-01",
            last_month=f"{LAST_YEAR}-12",
            weekdays=[_("Man"), _("Tir"), _("Ons"), _("Tor"), _("Fre"), _("Lør"), _("Søn")],
        )
        if self.view_name == "uke":
            self.week_context(context, activity_filter, first, notes)
        else:
            activities = selectors.activity_list_in_month(
                activities=activity_filter.qs.prefetch_related(None), year=first.year, month=first.month
            )
            self.mark_clashes(activities)
            by_day = self.by_day(activities)
            context["count"] = len(activities)
            if self.view_name == "liste":
                context["days"] = [
                    {"day": day, "activities": by_day[day]}
                    for day in sorted(by_day)
                    if day.year == first.year and day.month == first.month
                ]
            else:
                context["weeks"] = [
                    [
                        {"day": day, "in_month": day.month == first.month, "activities": by_day.get(day, [])}
                        for day in week
                    ]
                    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
                ]
        context["notes"] = notes
        return context

    @staticmethod
    def mark_clashes(activities: list[Activity]) -> None:
        """Mark each shown activity that clashes with another (`activity.clashes`), as the
        list does (`clashes.activity_ids_with_clash`: the same rule as the form's warning)."""
        prefetch_related_objects(activities, "participations")
        clashing = clashes.activity_ids_with_clash(activities=activities)
        for activity in activities:
            activity.clashes = activity.pk in clashing

    def week_context(self, context, activity_filter, month: date, notes: list) -> None:
        """A week (Monday–Sunday, Oslo days): `?uke=`, else the week of today when today is in
        the shown month, else the month's first week."""
        raw = self.request.GET.get("uke")
        monday = week_param(raw)
        if monday is None:
            if raw not in (None, ""):
                notes.append(_("«Uke» må være en uke som 2020-W07 (år 2000–2100); viser en annen uke i stedet."))
            today = timezone.localdate()
            anchor = today if today.replace(day=1) == month else month
            monday = anchor - timedelta(days=anchor.weekday())
        # A chosen school year bounds the weeks, as it bounds the months (August–July).
        school_year = self.chosen_school_year(activity_filter)
        year_start = year_end = None
        if school_year is not None:
            year_start = school_year_month(school_year, SCHOOL_YEAR_START_MONTH)
            year_end = school_year_month(school_year + 1, SCHOOL_YEAR_START_MONTH) - timedelta(days=1)
            if monday + timedelta(days=6) < year_start or monday > year_end:
                if raw not in (None, ""):
                    notes.append(_("«Uke» er utenfor det valgte skoleåret; viser skoleårets første uke."))
                monday = year_start - timedelta(days=year_start.weekday())
        sunday = monday + timedelta(days=6)
        start = datetime.combine(monday, time.min, tzinfo=OSLO)
        end = datetime.combine(sunday + timedelta(days=1), time.min, tzinfo=OSLO)
        activities = selectors.activity_list_between(
            activities=activity_filter.qs.prefetch_related(None), start=start, end=end
        )
        self.mark_clashes(activities)
        by_day = self.by_day(activities)
        previous, following = monday - timedelta(days=7), monday + timedelta(days=7)
        iso_year, iso_week, _weekday = monday.isocalendar()
        context.update(
            count=len(activities),
            week_days=[
                {"day": monday + timedelta(days=n), "activities": by_day.get(monday + timedelta(days=n), [])}
                for n in range(7)
            ],
            week_label=_("Uke %(week)s, %(start)s–%(end)s")
            % {"week": iso_week, "start": date_format(monday, "j. M"), "end": date_format(sunday, "j. M Y")},
            week=f"{iso_year}-W{iso_week:02d}",
            month=monday.replace(day=1),
            previous_week=f"{previous.isocalendar()[0]}-W{previous.isocalendar()[1]:02d}"
            if previous.year >= FIRST_YEAR and (year_start is None or previous + timedelta(days=6) >= year_start)
            else None,
            following_week=f"{following.isocalendar()[0]}-W{following.isocalendar()[1]:02d}"
            if following.isocalendar()[0] <= LAST_YEAR and (year_end is None or following <= year_end)
            else None,
        )


class ActivityExportView(ActivityAccessMixin, FilteredActivitiesMixin, View):
    """The filtered list (the same query string as the list) as a file: a CSV as the person's
    language expects (in Norwegian `;`, UTF-8 with BOM and a decimal comma, as Excel in Norway
    expects; in English a standard CSV; core.exports.csv_format), or with
    `as_view(file_format="xlsx")` an Excel workbook with typed cells. Text a spreadsheet would
    run as a formula is written as text in both (core.exports). A fixed number of queries per
    chunk of 500 activities: areas and participations are prefetched, the cost total is a
    subquery."""

    file_format = "csv"

    # Each column's heading and what it holds (core.exports' kinds: how the file writes it).
    columns = (
        (gettext_lazy("id"), exports.INT),
        (gettext_lazy("tittel"), exports.TEXT),
        (gettext_lazy("type"), exports.TEXT),
        (gettext_lazy("nivå"), exports.TEXT),
        (gettext_lazy("status"), exports.TEXT),
        (gettext_lazy("delregion"), exports.TEXT),
        (gettext_lazy("samarbeidsområder"), exports.TEXT),
        (gettext_lazy("starter"), exports.DATETIME),
        (gettext_lazy("slutter"), exports.DATETIME),
        (gettext_lazy("sted"), exports.TEXT),
        (gettext_lazy("vertsskole"), exports.TEXT),
        (gettext_lazy("instrument"), exports.TEXT),
        (gettext_lazy("skoler"), exports.INT),
        (gettext_lazy("elever"), exports.INT),
        (gettext_lazy("lærere"), exports.INT),
        (gettext_lazy("kostnader (kr)"), exports.MONEY),
    )

    def get(self, request):
        activities = self.get_filter().qs.annotate(
            cost_total=Coalesce(
                Subquery(
                    ActivityCost.objects.filter(activity=OuterRef("pk"))
                    .order_by()
                    .values("activity")
                    .annotate(total=Sum("amount"))
                    .values("total")
                ),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        header = [str(label) for label, _kind in self.columns]
        if self.file_format == "xlsx":
            response = HttpResponse(
                exports.xlsx_workbook(
                    _("Aktiviteter"), header, [kind for _label, kind in self.columns], self.rows(activities)
                ),
                content_type=exports.XLSX_CONTENT_TYPE,
            )
            response["Content-Disposition"] = 'attachment; filename="aktiviteter.xlsx"'
            return response
        return self.csv_response(header, activities)

    def rows(self, activities):
        """Each activity's cells as values (datetimes, ints, Decimal kroner, text)."""
        for activity in activities.iterator(chunk_size=500):
            participations = activity.participations.all()
            yield [
                activity.pk,
                activity.title,
                activity.get_kind_display(),
                activity.get_level_display(),
                activity.get_status_display(),
                activity.region.name,
                ", ".join(str(area.number) for area in activity.cooperation_areas.all()),
                activity.starts_at,
                activity.ends_at,
                activity.venue.name if activity.venue else "",
                activity.host_school.name if activity.host_school else "",
                activity.instrument,
                len(participations),
                sum(p.pupils for p in participations),
                sum(p.teachers for p in participations),
                activity.cost_total,
            ]

    def csv_response(self, header, activities) -> StreamingHttpResponse:
        csv_text = exports.csv_format()
        language = get_language()
        kinds = [kind for _label, kind in self.columns]

        class Echo:
            def write(self, value):
                return value

        writer = csv_text.writer(Echo())

        def text(value, kind):
            if kind == exports.DATETIME:
                return csv_text.datetime_text(value)
            if kind == exports.MONEY:
                return csv_text.money_text(value)
            return value

        def lines():
            # Streamed after the view returns: the rows in the request's language all the same.
            with translation.override(language):
                yield csv_text.bom + writer.writerow(header)
                for values in self.rows(activities):
                    # Formula-looking text first (what a person typed), then the numbers.
                    yield writer.writerow(
                        [text(value, kind) for value, kind in zip(spreadsheet_row(values), kinds, strict=True)]
                    )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="aktiviteter.csv"'
        return response


class ActivityDetailView(ActivityObjectMixin, TemplateView):
    template_name = "activities/activity_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = self.activity
        user = self.request.user
        participations = selectors.participations_with_names_shown(user=user, activity=activity)
        history = _history_rows(
            selectors.activity_history(activity=activity),
            names_shown=selectors.activity_history_names_shown(user=user, participations=participations),
        )
        named = list({pupil.pk: pupil for p in participations for pupil in p.named_pupils.all()}.values())
        shown = {pupil.pk for p in participations if p.names_shown for pupil in p.named_pupils.all()}
        context.update(
            activity=activity,
            participations=participations,
            history=history,
            create=AuditAction.ACTIVITY_CREATE,
            created=next((entry for entry in history if entry.action == AuditAction.ACTIVITY_CREATE), None),
            last_change=next(
                (entry for entry in reversed(history) if entry.action != AuditAction.ACTIVITY_CREATE), None
            ),
            can_edit=self.request.user.has_perm("activities.change_activity", activity),
            pupil_load=[
                # A pupil whose name the person may not see is warned about without it.
                {"pupil": load.pupil if load.pupil.pk in shown else None, "count": load.count, "term": load.term}
                for load in selectors.pupil_load_warnings(
                    pupils=named, starts_at=activity.starts_at, exclude_activity_id=activity.pk
                )
            ]
            if activity.status != Activity.Status.CANCELLED
            else [],
            total_cost=sum(cost.amount for cost in activity.costs.all()),
        )
        return context


# The audited fields whose values can hold pupils' names (activities.services.activity_snapshot).
NAMING_FIELDS = frozenset({"participations"})


def _history_rows(entries, *, names_shown: bool) -> list:
    """Audit entries with their changes as rows of (field label, old, new), for the page. The
    values that can hold pupils' names are left out (`hidden`) unless `names_shown`
    (selectors.activity_history_names_shown)."""
    history = list(entries)
    labels = {name: _label(name) for entry in history for name in entry.changes}
    for entry in history:
        entry.change_rows = [
            {"field": labels[name], "hidden": True}
            if name in NAMING_FIELDS and not names_shown
            else {"field": labels[name], "old": old, "new": new}
            for name, (old, new) in entry.changes.items()
        ]
    return history


def _label(name: str) -> str:
    extra = {"participations": _("deltakelse"), "costs": _("kostnader"), "cooperation_areas": _("samarbeidsområder")}
    if name in extra:
        return extra[name]
    try:
        return str(Activity._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the entry was written
        return name


class ActivityFormView(ActivityAccessMixin, TemplateView):
    """Create, update and copy share the page: the activity, its participation rows and its
    cost lines, saved in one transaction by one service call. A form that creates an activity
    carries a one-time token (a second submission leads to the first one's activity); the edit
    form carries the version it was loaded from (a stale save shows what changed instead of
    overwriting it)."""

    template_name = "activities/activity_form.html"
    permission = "activities.add_activity"
    success_message = gettext_lazy("Aktiviteten «%(title)s» er lagret.")

    def editing(self) -> Activity | None:
        """The activity this form changes; None when the form creates one."""
        return None

    def initial(self) -> tuple[dict, list[dict], list[dict]]:
        return {"status": Activity.Status.PLANNED}, [], []

    def forms(self, *, data=None, confirmations: frozenset[str] = frozenset()):
        initial, participation_initial, cost_initial = self.initial() if data is None else ({}, None, None)
        form = ActivityForm(
            data,
            user=self.request.user,
            editing=self.editing(),
            initial=initial,
            confirmations=confirmations,
        )
        participations = ParticipationFormSet(
            data, prefix="deltakelse", initial=participation_initial, user=self.request.user, editing=self.editing()
        )
        costs = CostFormSet(data, prefix="kostnad", initial=cost_initial)
        return form, participations, costs

    def get(self, request, *args, **kwargs):
        form, participations, costs = self.forms()
        return self.render_to_response(self.get_context_data(form=form, participations=participations, costs=costs))

    def post(self, request, *args, **kwargs):
        if self.editing() is None:
            try:
                submission_check(token=request.POST.get("form_token"))
            except AlreadySubmitted as done:
                return self.already_submitted(done)
        form, participations, costs = self.forms(data=request.POST)
        warned = conflict = None
        if all([form.is_valid(), participations.is_valid(), costs.is_valid()]):
            try:
                activity = self.save(form=form, participations=participations, costs=costs)
            except AlreadySubmitted as done:
                return self.already_submitted(done)
            except services.ConfirmationNeeded as warning:
                # Nothing saved: the warnings are shown with their "Lagre likevel" boxes.
                warned = warning
                form, participations, costs = self.forms(data=request.POST, confirmations=warning.warnings)
                all([form.is_valid(), participations.is_valid(), costs.is_valid()])
            except EditConflict as error:
                conflict = self.conflict(error=error, form=form)
                form, participations, costs = self.forms(data=conflict.pop("data"))
                all([form.is_valid(), participations.is_valid(), costs.is_valid()])
            except ValidationError as error:
                attach_service_errors(error=error, form=form, participations=participations)
            else:
                messages.success(request, self.success_message % {"title": activity.title})
                return redirect("activities:detail", pk=activity.pk)
        context = self.get_context_data(
            form=form,
            participations=participations,
            costs=costs,
            pupil_load=_pupil_load_shown(warned.pupil_load, participations) if warned else [],
            duplicates=warned.duplicates if warned else [],
            large_amounts=warned.large_amounts if warned else [],
            clashes=warned.clashes if warned else [],
            overloads=warned.overloads if warned else [],
            travel=warned.travel if warned else [],
            conflict=conflict,
        )
        return self.render_to_response(context, status=200)

    def save_arguments(self, *, form, participations, costs) -> dict:
        """What the form says, for services.activity_save: the activity's fields, its rows, and
        the warnings the person has confirmed ("Lagre likevel")."""
        confirmed = {warning: bool(self.request.POST.get(name)) for warning, name in ActivityForm.CONFIRMATIONS.items()}
        if confirmed["clash"]:
            # The clashes the person saw (the warning's hidden list): a different clash asks again.
            seen = (id_param(value) for value in self.request.POST.get("clash_seen", "").split(",")[:200])
            confirmed["clash"] = frozenset(pk for pk in seen if pk is not None)
        return {
            "user": self.request.user,
            "data": form.activity_data(),
            "participations": participations.participation_data(),
            "costs": costs.cost_data(),
            **{f"confirm_{warning}": value for warning, value in confirmed.items()},
        }

    def save(self, *, form, participations, costs) -> Activity:
        arguments = self.save_arguments(form=form, participations=participations, costs=costs)
        return submit_once(
            token=form.cleaned_data["form_token"],
            user=self.request.user,
            create=lambda: services.activity_save(**arguments, comment=self.create_comment()),
        )

    def create_comment(self) -> str:
        return ""

    def already_submitted(self, done: AlreadySubmitted) -> HttpResponse:
        """The same form again (a double click, a resubmit): lead to what the first made."""
        activity = selectors.activity_list_visible_to(user=self.request.user).filter(pk=done.object_id).first()
        if activity is None:
            raise NotFound(_("Fant ikke aktiviteten."))
        messages.info(
            self.request,
            _("Skjemaet var allerede sendt inn, og aktiviteten «%(title)s» er lagret. Her er den.")
            % {"title": activity.title},
        )
        return redirect("activities:detail", pk=activity.pk)

    def conflict(self, *, error: EditConflict, form) -> dict:
        raise error  # only the edit form has a version

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("heading", _("Ny aktivitet"))
        context["threshold"] = selectors.pupil_load_threshold()
        if context.get("clashes"):
            context["clash_days"] = clashes.clash_days()
        return context


def _pupil_load_shown(loads, participations) -> list[dict]:
    """The form's pupil-load warnings, each pupil named only when the row naming them is one
    whose names the person may see (`ParticipationForm.names_hidden`)."""
    shown = {
        pupil.pk
        for row in participations.forms
        if not getattr(row, "names_hidden", True) and hasattr(row, "cleaned_data")
        for pupil in row.cleaned_data.get("named_pupils") or []
    }
    return [
        {"pupil": load.pupil if load.pupil.pk in shown else None, "count": load.count, "term": load.term}
        for load in loads
    ]


def _initial_from(activity: Activity) -> tuple[dict, list[dict], list[dict]]:
    fields = services.ActivityData.of(activity).as_dict()
    fields["starts_at"] = timezone.localtime(activity.starts_at)
    fields["ends_at"] = timezone.localtime(activity.ends_at)
    participations = [
        {"school": p.school, "pupils": p.pupils, "teachers": p.teachers, "named_pupils": list(p.named_pupils.all())}
        for p in activity.participations.all()
    ]
    costs = [{"category": c.category, "description": c.description, "amount": c.amount} for c in activity.costs.all()]
    return fields, participations, costs


class ActivityCreateView(ActivityFormView):
    pass


class ActivityUpdateView(ActivityObjectMixin, ActivityFormView):
    permission = "activities.change_activity"
    success_message = gettext_lazy("Endringene i «%(title)s» er lagret.")

    def editing(self) -> Activity:
        return self.activity

    def initial(self):
        return _initial_from(self.activity)

    def save(self, *, form, participations, costs) -> Activity:
        return services.activity_save(
            **self.save_arguments(form=form, participations=participations, costs=costs),
            activity=self.activity,
            expected_version=form.cleaned_data["version"],
        )

    def conflict(self, *, error: EditConflict, form) -> dict:
        """What others saved since this form was opened, and the form again with what the
        person typed and the current version: saving once more keeps their version, having
        seen the other changes."""
        opened_at = datetime_param(form.cleaned_data.get("opened_at"))
        entries = selectors.activity_history_since(activity=self.activity, since=opened_at)
        data = self.request.POST.copy()
        data["version"] = str(error.current_version)
        data["opened_at"] = timezone.now().isoformat()
        rows = _history_rows(
            entries,
            names_shown=selectors.activity_history_names_shown(
                user=self.request.user,
                participations=selectors.participations_with_names_shown(
                    user=self.request.user, activity=self.activity
                ),
            ),
        )
        message = error.messages[0]
        if rows and all(entry.actor_id == self.request.user.pk for entry in rows):
            # Sent twice, or saved from another window: the "someone else" is the person.
            message = _(
                "Du har selv lagret aktiviteten etter at du åpnet dette skjemaet (i et annet vindu, eller ved å "
                "sende skjemaet to ganger)."
            )
        return {"data": data, "message": message, "entries": rows}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("heading", _("Endre aktivitet"))
        kwargs["activity"] = self.activity
        return super().get_context_data(**kwargs)


class ActivityCopyView(ActivityObjectMixin, ActivityFormView):
    """A new activity from an existing one (a recurring series): the same fields, schools and
    costs, a week later, planned, with no named pupils. Saving creates a new activity."""

    permission = "activities.change_activity"
    success_message = gettext_lazy("Kopien «%(title)s» er lagret.")

    def initial(self):
        fields, participations, costs = _initial_from(self.activity)
        fields["starts_at"] += timedelta(days=7)
        fields["ends_at"] += timedelta(days=7)
        fields["status"] = Activity.Status.PLANNED
        for row in participations:
            row["named_pupils"] = []
        return fields, participations, costs

    def create_comment(self) -> str:
        return _("Kopiert fra aktivitet %(pk)s.") % {"pk": self.activity.pk}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("heading", _("Kopier aktivitet"))
        kwargs["copy_of"] = self.activity
        return super().get_context_data(**kwargs)


class ActivityCancelView(ActivityObjectMixin, TemplateView):
    template_name = "activities/activity_cancel.html"
    permission = "activities.change_activity"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", CancelForm())
        return super().get_context_data(activity=self.activity, **kwargs)

    def post(self, request, *args, **kwargs):
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        _activity, cancelled = services.activity_cancel(
            user=request.user, activity=self.activity, reason=form.cleaned_data["reason"]
        )
        if not cancelled:  # by an earlier click of the same button, or by someone else
            messages.info(request, _("Aktiviteten var allerede avlyst."))
        else:
            messages.success(request, _("Aktiviteten «%(title)s» er avlyst.") % {"title": self.activity.title})
        return redirect("activities:detail", pk=self.activity.pk)


class ParticipationImportView(ActivityAccessMixin, TemplateView):
    """Participation from a file: upload → preview of every row with its problem and of each
    school's participation before → after → commit (only an error-free file, all rows or
    none). The import merges (services.participation_import_changes); named pupils are
    removed only with "Erstatt navngitte elever", ticked on the preview, which is then shown
    again with whom it removes. The activity is `?aktivitet=<id>`."""

    template_name = "activities/participation_import.html"
    permission = "activities.add_activity"

    @cached_property
    def activity(self) -> Activity | None:
        value = self.request.GET.get("aktivitet") or self.request.POST.get("aktivitet")
        if not value:
            return None
        pk = id_param(value)
        try:
            if pk is None:
                raise Activity.DoesNotExist
            return selectors.activity_get(user=self.request.user, pk=pk)
        except Activity.DoesNotExist as missing:
            raise NotFound(_("Fant ikke aktiviteten.")) from missing

    # Whether the person must be able to import into the activity (the register view, below,
    # asks the school's rule instead).
    checks_import_access = True

    def dispatch(self, request, *args, **kwargs):
        if (
            self.checks_import_access
            and request.user.is_authenticated
            and self.activity is not None
            and not request.user.has_perm("activities.change_activity", self.activity)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity"] = self.activity
        context.setdefault("form", ImportForm())
        context["templates"] = IMPORT_TEMPLATE_LINKS
        if self.activity is None:
            context["choices"] = (
                selectors.activity_list_editable_by(user=self.request.user)
                .exclude(status=Activity.Status.CANCELLED)
                .order_by("-starts_at")[:50]
            )
        return context

    def post(self, request, *args, **kwargs):
        activity = self.activity
        if activity is None:
            return redirect("activities:import")
        if "payload" in request.POST:
            return self.review(activity)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            preview = preview_import(user=request.user, activity=activity, name=upload.name, content=content)
        except ImportFileError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        return self.show(activity, preview, form=form, upload=(upload.name, content))

    def show(
        self,
        activity: Activity,
        preview: ImportPreview,
        *,
        form=None,
        upload: tuple[str, bytes] | None = None,
        bound: RegisterPupilForm | None = None,
    ) -> HttpResponse:
        """The preview. One with unknown pupils offers «Registrer eleven» for each row whose
        school the person may register pupils at, carrying the file (`upload`) signed in the
        page, so that the preview is shown again without a second upload; `bound` is a
        registration sent back with its errors. (A pupil row at a school whose pupils' names
        the person may not see is never an unknown pupil: `preview_import` refuses it.)"""
        context = {
            "form": form or ImportForm(),
            "preview": preview,
            "payload": None if preview.has_problems else preview.payload(activity=activity),
            "form_token": form_token_new(),
            "review": ImportReviewForm(initial={"erstatt": preview.replace}),
        }
        registrations, cannot_register = [], set()
        for row in preview.rows:
            if not (row.unknown_pupil and row.school):
                continue
            if not selectors.pupil_names_visible(user=self.request.user, school=row.school):
                continue  # never offered where names are hidden (preview_import marks no such row)
            if not self.request.user.has_perm("schools.add_pupil", row.school):
                cannot_register.add(row.number)
            elif bound is not None and bound.prefix == _register_prefix(row.number):
                registrations.append((row, bound))
            else:
                values = row.values
                initial = {
                    "first_name": values.get("first_name", ""),
                    "last_name": values.get("last_name", ""),
                    "birth_year": row.birth_year or values.get("birth_year", ""),
                }
                registrations.append(
                    (row, RegisterPupilForm(prefix=_register_prefix(row.number), initial=initial, school=row.school))
                )
        if bound is not None and bound.errors and all(pupil_form is not bound for _row, pupil_form in registrations):
            # The row is no longer one to register (the pupil is found now): say why nothing was.
            messages.error(
                self.request,
                _("Eleven er ikke registrert: %(errors)s")
                % {"errors": " ".join(message for errors in bound.errors.values() for message in errors)},
            )
        signed = None
        if registrations and upload is not None:
            signed = signed_file(activity=activity, user=self.request.user, name=upload[0], content=upload[1])
        if signed is None and registrations:  # the file can't travel with the form
            cannot_register.update(row.number for row, _form in registrations)
            registrations = []
            context["file_too_big"] = True
        context.update(
            # The schools whose named pupils the person may see by name (else: how many).
            names_shown={
                change.school.pk
                for change in preview.changes
                if selectors.pupil_names_visible(user=self.request.user, school=change.school)
            },
            registrations=registrations,
            cannot_register=cannot_register,
            signed_file=signed,
            register_token=form_token_new(),
        )
        return self.render_to_response(self.get_context_data(**context))

    def review(self, activity: Activity) -> HttpResponse:
        """The preview's form. "Vis endringene" shows the preview again (from the signed rows)
        with "Erstatt navngitte elever" as ticked; "Importer" imports, unless the choice is not
        the one the preview showed: then the preview is shown again with it first."""
        again = HttpResponseRedirect(f"{reverse('activities:import')}?aktivitet={activity.pk}")
        choice = ImportReviewForm(self.request.POST)
        replace = choice.is_valid() and choice.cleaned_data["erstatt"]
        showing = "vis" in self.request.POST
        token = CommitForm(self.request.POST)
        if not showing:
            if not token.is_valid():
                messages.error(self.request, " ".join(token.errors["form_token"]))
                return again
            try:
                submission_check(token=token.cleaned_data["form_token"])
            except AlreadySubmitted:
                messages.info(self.request, _("Denne importen var allerede gjort. Her er aktiviteten."))
                return redirect("activities:detail", pk=activity.pk)
        try:
            signed = import_from_payload(payload=self.request.POST.get("payload", ""), activity=activity)
        except signing.BadSignature:
            messages.error(self.request, _("Forhåndsvisningen er ugyldig. Last opp filen på nytt."))
            return again
        except PreviewGone:
            messages.error(self.request, PREVIEW_GONE)
            return again
        except StalePreview:
            messages.error(self.request, STALE_IMPORT)
            return again
        if showing or signed.replace != replace:
            if not showing:
                messages.info(self.request, _("Se over hva valget ditt endrer før du importerer."))
            return self.show(
                activity, preview_again(user=self.request.user, activity=activity, signed=signed, replace=replace)
            )
        return self.commit(activity, signed=signed, token=token.cleaned_data["form_token"])

    def commit(self, activity: Activity, *, signed: SignedImport, token: str) -> HttpResponse:
        """Import what the preview signed, once per preview (its one-time token), and only
        while the activity is as it was when previewed (its version, in the signed rows)."""
        again = HttpResponseRedirect(f"{reverse('activities:import')}?aktivitet={activity.pk}")

        def run() -> Activity:
            return services.participation_import(
                user=self.request.user,
                activity=activity,
                participations=signed.schools,
                replace=signed.replace,
                expected_version=signed.version,
                file_name=signed.file_name,
                rows=signed.row_count,
            )

        try:
            submit_once(token=token, user=self.request.user, create=run)
        except AlreadySubmitted:
            messages.info(self.request, _("Denne importen var allerede gjort. Her er aktiviteten."))
            return redirect("activities:detail", pk=activity.pk)
        except EditConflict:
            messages.error(self.request, STALE_IMPORT)
            return again
        except ValidationError as error:
            messages.error(
                self.request,
                _("Ingenting er importert: %(error)s") % {"error": " ".join(error.messages)},
            )
            return again
        messages.success(
            self.request,
            ngettext(
                "Deltakelse for %(count)s skole er importert.",
                "Deltakelse for %(count)s skoler er importert.",
                len(signed.schools),
            )
            % {"count": len(signed.schools)},
        )
        return redirect("activities:detail", pk=activity.pk)


def _register_prefix(row: int) -> str:
    return f"rad-{row}"


class ParticipationImportPupilView(ParticipationImportView):
    """«Registrer eleven» on the import's preview: a pupil the file names who is not in the
    register, registered at the row's school (`rad-<n>-school`; the button names the row,
    `rad`) by someone who may register pupils there (schools.add_pupil on the school: its
    rector, its region's coordinator, central staff; 403 otherwise), through
    schools.services.pupil_save (audited), once per page (its one-time token). The preview is
    then shown again from the file the page carries, signed (`fil`), without a second upload;
    one who may not import into the activity (a rector) goes to the activity."""

    http_method_names = ["post"]
    permission = "activities.view_activity"
    checks_import_access = False

    def post(self, request, *args, **kwargs):
        activity = self.activity
        if activity is None:
            return redirect("activities:import")
        row = id_param(request.POST.get("rad"))
        if row is None:
            raise NotFound(_("Fant ikke raden."))
        prefix = _register_prefix(row)
        school = School.objects.filter(pk=id_param(request.POST.get(f"{prefix}-school"))).first()
        if school is None:
            raise NotFound(_("Fant ikke skolen."))
        # The form's duplicate check names a pupil of the school: only for someone who may see
        # the school's pupils' names, as the preview offers the form.
        if not (
            request.user.has_perm("schools.add_pupil", school)
            and selectors.pupil_names_visible(user=request.user, school=school)
        ):
            raise PermissionDenied(_("Du kan ikke registrere elever ved denne skolen."))
        again = HttpResponseRedirect(f"{reverse('activities:import')}?aktivitet={activity.pk}")
        try:
            name, content = file_from_signed(value=request.POST.get("fil", ""), activity=activity, user=request.user)
        except signing.BadSignature:
            messages.error(request, _("Forhåndsvisningen er ugyldig. Last opp filen på nytt."))
            return again
        form = RegisterPupilForm(request.POST, prefix=prefix, school=school)
        token = RegisterTokenForm(request.POST)
        try:
            # A second click is told so before the form, which would find the pupil a duplicate.
            submission_check(token=request.POST.get("form_token"))
        except AlreadySubmitted:
            messages.info(request, _("Eleven var allerede registrert."))
            form = None
        if form is None:
            pass
        elif not token.is_valid():
            messages.error(request, " ".join(token.errors["form_token"]))
        elif form.is_valid():
            try:
                pupil = submit_once(
                    token=token.cleaned_data["form_token"],
                    user=request.user,
                    create=lambda: self.register(form=form, school=school),
                )
            except AlreadySubmitted:
                messages.info(request, _("Eleven var allerede registrert."))
                form = None
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("%(pupil)s er registrert ved %(school)s.") % {"pupil": pupil, "school": school}
                )
                form = None
        if not request.user.has_perm("activities.change_activity", activity):
            return redirect("activities:detail", pk=activity.pk)
        try:
            preview = preview_import(user=request.user, activity=activity, name=name, content=content)
        except ImportFileError as error:
            messages.error(request, str(error))
            return again
        return self.show(activity, preview, upload=(name, content), bound=form)

    def register(self, *, form: RegisterPupilForm, school: School) -> Pupil:
        """The pupil, saved; a pupil of the same name and birth year saved at the school since
        the form was checked is refused on the form, as there."""
        data = form.cleaned_data
        existing = duplicate_pupil(
            school=school, first_name=data["first_name"], last_name=data["last_name"], birth_year=data["birth_year"]
        )
        if existing is not None:
            raise ValidationError({"first_name": duplicate_message(school=school, pupil=existing)})
        pupil = Pupil(
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_year=data["birth_year"],
            main_instrument=data["main_instrument"],
        )
        return pupil_save(pupil=pupil, user=self.request.user, schools=[school])


# The import's templates: one file of each shape, with the headers the import reads and one
# example row (a school that does not exist, so that the unchanged template imports nothing).
IMPORT_TEMPLATES = {
    "skoler": (("skole", "elever", "lærere"), (exports.TEXT, exports.INT, exports.INT)),
    "elever": (("skole", "fornavn", "etternavn", "fødselsår"), (exports.TEXT, exports.TEXT, exports.TEXT, exports.INT)),
}
IMPORT_TEMPLATE_LINKS = (
    (gettext_lazy("Én rad per skole"), "skoler"),
    (gettext_lazy("Én rad per elev"), "elever"),
)


def _template_example(shape: str) -> list:
    school = _("Eksempel kulturskole")
    return [school, 12, 2] if shape == "skoler" else [school, "Kari", "Nordmann", 2008]


class ParticipationImportTemplateView(ActivityAccessMixin, View):
    """An empty import file to fill in: the headers of one shape and one example row, as a
    CSV (written as the person's language expects, core.exports.csv_format) or an Excel
    workbook. For those who may import."""

    permission = "activities.add_activity"

    def get(self, request, shape: str, file_format: str):
        if shape not in IMPORT_TEMPLATES or file_format not in ("csv", "xlsx"):
            raise NotFound(_("Fant ikke malen."))
        header, kinds = IMPORT_TEMPLATES[shape]
        example = _template_example(shape)
        if file_format == "xlsx":
            response = HttpResponse(
                exports.xlsx_workbook(_("Deltakelse"), header, kinds, [example]),
                content_type=exports.XLSX_CONTENT_TYPE,
            )
        else:
            csv_text = exports.csv_format()
            buffer = io.StringIO()
            buffer.write(csv_text.bom)
            writer = csv_text.writer(buffer)
            writer.writerow(header)
            writer.writerow(example)
            response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="deltakelse-mal-{shape}.{file_format}"'
        return response
