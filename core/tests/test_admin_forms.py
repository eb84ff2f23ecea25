"""Every admin form answers a bad id or an impossible date with a field error, never a server
error: walks every model in `admin.site._registry`, its add form and the change form of one
existing object, its inlines, and posts each bad value into every id and date field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.urls import reverse

from core.forms import IdChoiceField, IdMultipleChoiceField

BAD_IDS = ["true", "0x10", "😀", "99999999999999999999999"]
BAD_DATES = ["0001-01-01", "9999-12-31"]
OSLO = ZoneInfo("Europe/Oslo")
MODELS = sorted(model._meta.label for model in admin.site._registry)


@pytest.fixture
def one_of_each(network, superuser):
    """At least one row of every model the admin shows, so every change form is walked."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group, Permission
    from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

    from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory, VenueFactory
    from core.models import RollupRun
    from funding.models import ActivityBooking, BudgetAssumptions, ContributionTier, MunicipalContribution
    from funding.services import budget_assumptions_ensure, county_grant_set, partner_contribution_set
    from funding.tests.factories import BudgetFactory, BudgetLineFactory
    from governance.models import Agreement, AuditEntry, CooperationArea, Partner, Role
    from governance.tests.factories import RoleFactory
    from schools.models import CountyMembership, MunicipalityMerger
    from schools.tests.factories import CountyFactory, EnrolmentFactory, PopulationFactory, PupilFactory

    school = network.school_a
    county = CountyFactory()
    CountyMembership.objects.create(municipality=school.municipality, county=county, valid_from=date(2020, 1, 1))
    PopulationFactory(municipality=school.municipality, year=2020, population=10_000)
    merger = MunicipalityMerger.objects.create(successor=school.municipality, date=date(2020, 1, 1))
    merger.predecessors.set([network.school_b.municipality])
    EnrolmentFactory(school=school, school_year=2019, pupils=100)
    pupil = PupilFactory(schools=[school])
    area = CooperationArea.objects.get(number=4)
    partner = Partner.objects.create(name="NMH", kind=Partner.Kind.NMH)
    agreement = Agreement.objects.create(title="Avtale", valid_from=date(2020, 1, 1), signed_on=date(2019, 12, 1))
    agreement.partners.set([partner])
    agreement.areas.set([area])
    RoleFactory(user=superuser, kind=Role.Kind.MEMBER, body=network.steering_group)
    AuditEntry.objects.create(actor=superuser, action="budget_draft", object_type="funding.budget", object_id="1")
    venue = VenueFactory(municipality=school.municipality)
    when = datetime(2020, 3, 1, 10, 0, tzinfo=OSLO)
    activity = ActivityFactory(
        region=network.follo, venue=venue, host_school=school, starts_at=when, ends_at=when, areas=[area]
    )
    participation = ParticipationFactory(activity=activity, school=school)
    participation.named_pupils.set([pupil])
    ActivityCostFactory(activity=activity)
    RollupRun.objects.create(kind="enrolment", started_at=when, finished_at=when)
    MunicipalContribution.objects.create(
        municipality=school.municipality,
        year=2020,
        population=10_000,
        tier=ContributionTier.objects.order_by("pk").first(),
        computed_amount=Decimal("60000"),
        amount=Decimal("60000"),
        invoiced_on=date(2020, 2, 1),
    )
    county_grant_set(year=2020, county=county, amount=Decimal("1000000"))
    partner_contribution_set(partner=partner, year=2020, category="cash", amount=Decimal("100000"))
    assumptions = budget_assumptions_ensure(year=2020)
    assumptions.earmarked_areas.set([area])
    budget = BudgetFactory(year=2020, created_by=superuser)
    BudgetLineFactory(budget=budget, kind="region_pool", label="Pott Follo", region=network.follo)
    ActivityBooking.objects.create(activity=activity, kind="school_allocation", school=school, booked_by=superuser)
    group = Group.objects.create(name="Sentralt")
    group.permissions.set(Permission.objects.filter(codename="view_budget"))
    superuser.groups.set([group])
    ClockedSchedule.objects.create(clocked_time=when)
    IntervalSchedule.objects.get_or_create(every=10, period=IntervalSchedule.MINUTES)
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("59.91"), longitude=Decimal("10.75"))
    # Two factors for the admin (issue 14): an authenticator app and its recovery codes.
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=superuser, name="Autentiseringsapp", confirmed=True)
    StaticDevice.objects.create(user=superuser, name="Gjenopprettingskoder", confirmed=True).token_set.create(
        token="abcdefgh"
    )
    # Failed logins and logins (django-axes, issue 14)
    login = {"username": "koord", "ip_address": "203.0.113.7", "user_agent": "x", "path_info": "/logg-inn/"}
    AccessAttempt.objects.create(**login, attempt_time=when, failures_since_start=1, get_data="", post_data="")
    AccessFailureLog.objects.create(**login, attempt_time=when)
    AccessLog.objects.create(**login, attempt_time=when)
    assert BudgetAssumptions.objects.count() == 1
    return superuser


def _widget(field: forms.Field) -> forms.Widget:
    widget = field.widget
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    return widget


def _form_data(form: forms.BaseForm) -> dict:
    """What a browser posts back for an unchanged form: each field's shown value."""
    data = {}
    for bound in form:
        widget, value = _widget(bound.field), bound.value()
        name = bound.html_name
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for suffix, sub, part in zip(widget.widgets_names, widget.widgets, parts, strict=True):
                data[name + suffix] = sub.format_value(part) or ""
        elif isinstance(widget, forms.CheckboxInput):
            if widget.check_test(value):
                data[name] = "on"
        elif isinstance(widget, forms.SelectMultiple):
            data[name] = [str(item) for item in value or []]
        elif isinstance(widget, forms.Select):
            data[name] = "" if value is None else str(value)
        else:
            data[name] = widget.format_value(value) or ""
    return data


def _new_line(formset) -> forms.BaseForm:
    """The first extra form of an inline formset, as the page's "add another" makes it."""
    line = formset.form(prefix=formset.add_prefix(0), **formset.get_form_kwargs(0))
    formset.add_fields(line, 0)
    return line


def _page_data(context) -> tuple[dict, list[forms.BaseForm]]:
    """The POST data of an admin add or change page, and its forms (main form first). An
    inline without rows gets one new row, when the person may add one."""
    form = context["adminform"].form
    data, all_forms = _form_data(form), [form]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        initial = list(formset.initial_forms)
        lines = initial or ([_new_line(formset)] if inline.has_add_permission else [])
        management = formset.management_form
        data |= {
            management.add_prefix("TOTAL_FORMS"): str(len(lines)),
            management.add_prefix("INITIAL_FORMS"): str(len(initial)),
            management.add_prefix("MIN_NUM_FORMS"): "0",
            management.add_prefix("MAX_NUM_FORMS"): "1000",
        }
        for line in lines:
            data |= _form_data(line)
            all_forms.append(line)
    return data, all_forms


def _bad_values(bound) -> list[tuple[dict, str]]:
    """(data to post, what was posted) for each bad value the field can receive. A time of
    00:00 on 1 January of year 1 in Oslo is in year 0 in UTC."""
    field, name = bound.field, bound.html_name
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [({name: [value]}, value) for value in BAD_IDS]
    if isinstance(field, forms.ModelChoiceField):
        return [({name: value}, value) for value in BAD_IDS]
    if isinstance(field, forms.SplitDateTimeField):
        day, time = _widget(field).widgets_names
        return [({name + day: value, name + time: "00:00:00"}, value) for value in BAD_DATES]
    if isinstance(field, forms.DateTimeField):
        return [({name: f"{value} 00:00:00"}, value) for value in BAD_DATES]
    if isinstance(field, forms.DateField):
        return [({name: value}, value) for value in BAD_DATES]
    return []


def _errors(context) -> dict[str, list[str]]:
    """The field errors of an admin page's form and inline forms, by the fields' HTML names."""
    page_forms = [context["adminform"].form]
    page_forms += [form for inline in context["inline_admin_formsets"] for form in inline.formset.forms]
    return {form.add_prefix(name): errors for form in page_forms for name, errors in form.errors.items()}


def _walk(client, url: str) -> list[tuple]:
    """Post every bad value into every id and date field of the admin page at `url`, the rest
    of the page as it was drawn. Returns what did not come back as the page redrawn with an
    error on that field: (url, field, value, status)."""
    page = client.get(url)
    if page.status_code != 200 or "adminform" not in (page.context or {}):
        return []
    # A model the admin only shows (activities: the portal writes them) refuses every post.
    read_only = not page.context["has_change_permission"] and not page.context["add"]
    data, page_forms = _page_data(page.context)
    failures = []
    for form in page_forms:
        for bound in form:
            for bad, value in _bad_values(bound):
                response = client.post(url, data | bad)
                refused = (response.status_code == 403 and read_only) or (
                    response.status_code == 200 and bound.html_name in _errors(response.context)
                )
                if not refused:
                    failures.append((url, bound.html_name, value, response.status_code))
    return failures


@pytest.mark.parametrize("label", MODELS)
def test_admin_forms_refuse_bad_ids_and_dates_as_field_errors(client, one_of_each, label):
    model = apps.get_model(label)
    info = (model._meta.app_label, model._meta.model_name)
    client.force_login(one_of_each)
    client.raise_request_exception = False
    existing = model._default_manager.order_by("pk").first()

    failures = _walk(client, reverse("admin:{}_{}_add".format(*info)))
    failures += _walk(client, reverse("admin:{}_{}_change".format(*info), args=[existing.pk]))

    assert failures == []


def test_admin_forms_every_model_has_a_row_to_change(one_of_each):
    assert [label for label in MODELS if not apps.get_model(label)._default_manager.exists()] == []


@pytest.mark.parametrize(
    ("url_name", "field"),
    [
        ("admin:schools_school_add", "region"),
        ("admin:schools_school_add", "municipality"),
        ("admin:funding_countygrant_add", "county"),
    ],
)
@pytest.mark.parametrize("value", BAD_IDS)
def test_admin_autocomplete_bad_id_is_a_field_error(client, superuser, url_name, field, value):
    client.force_login(superuser)

    response = client.post(reverse(url_name), {field: value})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [
        "Velg et gyldig valg. Valget er ikke av de tilgjengelige valgene."
    ]


def test_admin_uses_portal_fields_everywhere(rf, superuser):
    """Every id field of every admin form (and inline) is an IdChoiceField: the walk above
    then covers the kind, not only the values it tried."""
    request = rf.get("/")
    request.user = superuser
    plain = []
    for model, model_admin in admin.site._registry.items():
        forms_ = [model_admin.get_form(request)]
        forms_ += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
        for form in forms_:
            for name, field in form.base_fields.items():
                if (
                    isinstance(field, forms.ModelMultipleChoiceField)
                    and not isinstance(field, IdMultipleChoiceField)
                    or isinstance(field, forms.ModelChoiceField)
                    and not isinstance(field, IdChoiceField | IdMultipleChoiceField)
                ):
                    plain.append((model._meta.label, name))

    assert plain == []


@pytest.mark.parametrize("day", BAD_DATES)
def test_admin_datetime_outside_the_portals_years_is_a_field_error(client, superuser, network, day):
    """Year 1 at midnight in Oslo is year 0 in UTC: the save would overflow. (The periodic
    tasks' start time is a date and time the admin writes.)"""
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.order_by("pk").first()
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    client.force_login(superuser)
    data, _forms = _page_data(client.get(url).context)

    response = client.post(url, data | {"start_time_0": day, "start_time_1": "00:00:00"})

    assert response.status_code == 200
    assert _errors(response.context)["start_time"] == ["Skriv en dato mellom år 2000 og 2100."]
    assert PeriodicTask.objects.get(pk=task.pk).start_time == task.start_time


def test_admin_historical_dates_are_kept(client, superuser, network):
    """A membership from 1838 is saved unchanged (the date fields of the admin reach back to
    1800; only year 1 or 9999 is a typing error). (The map of municipalities, where such dates
    are at home, is read-only in the admin: the loader keeps it.)"""
    from schools.models import Membership

    membership = Membership.objects.create(
        school=network.school_a,
        status=Membership.Status.INTERESTED,
        valid_from=date(1838, 1, 1),
        valid_to=date(2012, 12, 31),
    )
    url = reverse("admin:schools_membership_change", args=[membership.pk])
    client.force_login(superuser)
    data, _forms = _page_data(client.get(url).context)

    saved = client.post(url, data)
    refused = client.post(url, data | {"valid_from": "1799-12-31"})

    assert saved.status_code == 302
    assert Membership.objects.get(pk=membership.pk).valid_from == date(1838, 1, 1)
    assert _errors(refused.context)["valid_from"] == ["Skriv en dato mellom år 1800 og 2100."]


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("admin:activities_activity_changelist", "region=99999999999999999999999"),
        ("admin:activities_activity_changelist", "region__exact=9223372036854775808"),
        ("admin:schools_school_changelist", "municipality=99999999999999999999999"),
        ("admin:funding_budgetline_changelist", "budget=99999999999999999999999"),
        ("admin:activities_activity_changelist", "starts_at__gte=0001-01-01"),
        ("admin:governance_auditentry_changelist", "at__lt=0001-01-01"),
        ("admin:activities_activity_changelist", "title__regex=(((("),
    ],
)
def test_admin_changelist_with_a_filter_the_database_cannot_run_shows_the_list(client, superuser, url_name, query):
    """As the admin answers any bad filter: the unfiltered list with ?e=1, not a 500."""
    from activities.tests.factories import ActivityFactory

    ActivityFactory()  # a row for SQLite's regex function to fail on
    client.force_login(superuser)
    client.raise_request_exception = False
    response = client.get(f"{reverse(url_name)}?{query}")
    # PostgreSQL runs most of these (an empty list); SQLite cannot, and the admin says so.
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.url.endswith("?e=1")
        assert client.get(response.url).status_code == 200


def test_admin_crontab_with_a_refused_hour_is_redrawn_with_its_error(client, superuser):
    client.force_login(superuser)
    data = {"minute": "0", "hour": "-1", "day_of_month": "*", "month_of_year": "*", "day_of_week": "*"}
    response = client.post(reverse("admin:django_celery_beat_crontabschedule_add"), {**data, "timezone": "UTC"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hour"]


def test_admin_periodic_task_with_a_nul_in_its_name_is_redrawn_with_its_error(client, superuser):
    from django_celery_beat.models import CrontabSchedule

    client.force_login(superuser)
    schedule = CrontabSchedule.objects.first()
    data = {"name": "x", "task": "a\x00b", "crontab": schedule.pk, "enabled": "on", "args": "[]", "kwargs": "{}"}
    response = client.post(reverse("admin:django_celery_beat_periodictask_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["task"]
