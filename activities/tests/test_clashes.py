"""Clash, overload and travel warnings (issue 15; activities/clashes.py): on saving an activity
(the service and the form's «Lagre likevel»), as marks on the activity list, and the school's
«Tilbud per måned». Every case is hand-built with the factories."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from activities import clashes, services
from activities.models import Activity
from activities.services import ActivityData, ParticipationData
from activities.tests.factories import ActivityFactory, ParticipationFactory, VenueFactory
from activities.tests.helpers import form_data
from core.geo import haversine_km
from core.periods import OSLO, school_year_of
from core.tests.hostile import NAMED_VALUES, hostile_settings, hostile_value
from governance.models import AuditEntry, PortalSetting
from schools.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def _at(day: str, hour: int = 10) -> datetime:
    year, month, date_ = (int(part) for part in day.split("-"))
    return datetime(year, month, date_, hour, tzinfo=OSLO)


def _other(network, school, day: str, *, instrument: str = "", status=Activity.Status.PLANNED, title=None, **kw):
    """An activity already registered on `day` (10–14 Oslo time) with `school` taking part."""
    activity = ActivityFactory(
        title=title or f"Annen aktivitet {day}",
        region=kw.pop("region", network.follo),
        starts_at=kw.pop("starts_at", _at(day)),
        ends_at=kw.pop("ends_at", _at(day, 14)),
        instrument=instrument,
        status=status,
        **kw,
    )
    ParticipationFactory(activity=activity, school=school, pupils=2)
    return activity


def _data(network, areas, day="2019-11-09", *, instrument="", venue=None, **kw) -> ActivityData:
    return ActivityData(
        title=kw.pop("title", "Ny aktivitet"),
        kind="masterclass",
        level="central",
        region=network.follo,
        starts_at=kw.pop("starts_at", _at(day)),
        ends_at=kw.pop("ends_at", _at(day, 15)),
        cooperation_areas=[areas[2]],
        instrument=instrument,
        venue=venue,
        **kw,
    )


def _save(user, network, areas, schools, day="2019-11-09", **options) -> Activity:
    data_options = {k: options.pop(k) for k in ("instrument", "venue", "title", "status") if k in options}
    return services.activity_save(
        user=user,
        data=_data(network, areas, day, **data_options),
        participations=[ParticipationData(school=school, pupils=2) for school in schools],
        costs=[],
        **options,
    )


def _asked(user, network, areas, schools, day="2019-11-09", **options) -> services.ConfirmationNeeded:
    before = (Activity.objects.count(), AuditEntry.objects.count())
    with pytest.raises(services.ConfirmationNeeded) as asked:
        _save(user, network, areas, schools, day, **options)
    assert (Activity.objects.count(), AuditEntry.objects.count()) == before, "nothing saved before confirmation"
    return asked.value


# --- The settings ---------------------------------------------------------------------------------


def test_the_limits_default_to_3_days_4_activities_and_60_km():
    setting = PortalSetting.objects.get_or_create(pk=1)[0]
    assert (setting.clash_days_same_instrument, setting.max_activities_per_school_month, setting.max_travel_km) == (
        3,
        4,
        60,
    )


# --- Clash ------------------------------------------------------------------------------------------


def test_same_day_same_school_is_a_clash_and_nothing_is_saved(coord_follo, network, areas):
    other = _other(network, network.school_a, "2019-11-09", title="Samspill Follo")
    warning = _asked(coord_follo, network, areas, [network.school_a, network.school_a2])
    assert warning.warnings == frozenset({"clash"})
    [clash] = warning.clashes
    assert (clash.activity, clash.schools, clash.same_day) == (other, (network.school_a,), True)
    assert any("Samspill Follo" in message for message in warning.messages)


def test_a_clash_ignores_the_hour_and_counts_oslo_days(coord_follo, network, areas):
    # 20–23 Oslo time on 8 November (19–22 UTC): the day before, not the 9th.
    _other(network, network.school_a, "2019-11-08", starts_at=_at("2019-11-08", 20), ends_at=_at("2019-11-08", 23))
    assert _save(coord_follo, network, areas, [network.school_a]).pk
    # Evening on the 9th, the new one in the morning: the same day.
    _other(network, network.school_a2, "2019-11-10", starts_at=_at("2019-11-10", 21), ends_at=_at("2019-11-10", 23))
    warning = _asked(coord_follo, network, areas, [network.school_a2], "2019-11-10")
    assert warning.warnings == frozenset({"clash"})


def test_a_multi_day_activity_clashes_on_each_of_its_days(coord_follo, network, areas):
    _other(network, network.school_a, "2019-11-07", ends_at=_at("2019-11-10", 14))
    assert _asked(coord_follo, network, areas, [network.school_a]).warnings == frozenset({"clash"})


@pytest.mark.parametrize(
    ("other_day", "other_instrument", "clash"),
    [
        ("2019-11-06", "  CELLO ", True),  # 3 days before, the same instrument (trimmed, any case)
        ("2019-11-12", "cello", True),  # 3 days after
        ("2019-11-05", "cello", False),  # 4 days: beyond the setting
        ("2019-11-08", "Fiolin", False),  # another instrument
        ("2019-11-08", "", False),  # no instrument
    ],
)
def test_the_same_instrument_within_the_settings_days_is_a_clash(
    coord_follo, network, areas, other_day, other_instrument, clash
):
    other = _other(network, network.school_a, other_day, instrument=other_instrument)
    if clash:
        warning = _asked(coord_follo, network, areas, [network.school_a], instrument="Cello")
        assert [(c.activity, c.same_day) for c in warning.clashes] == [(other, False)]
    else:
        assert _save(coord_follo, network, areas, [network.school_a], instrument="Cello").pk


def test_an_empty_instrument_never_matches_within_days(coord_follo, network, areas):
    _other(network, network.school_a, "2019-11-08", instrument="")
    assert _save(coord_follo, network, areas, [network.school_a], instrument="   ").pk


def test_the_days_follow_the_setting(coord_follo, network, areas):
    _other(network, network.school_a, "2019-11-04", instrument="Cello")
    assert _save(coord_follo, network, areas, [network.school_a], instrument="Cello").pk
    PortalSetting.objects.update_or_create(pk=1, defaults={"clash_days_same_instrument": 5})
    warning = _asked(coord_follo, network, areas, [network.school_a], "2019-11-09", instrument="cello", title="Ny 2")
    assert warning.warnings >= {"clash"}


def test_another_school_the_same_day_is_no_clash(coord_follo, network, areas):
    _other(network, network.school_b, "2019-11-09", region=network.romerike)
    assert _save(coord_follo, network, areas, [network.school_a]).pk


def test_a_cancelled_activity_is_ignored_and_a_cancelled_one_is_not_warned_about(coord_follo, network, areas):
    _other(network, network.school_a, "2019-11-09", status=Activity.Status.CANCELLED)
    assert _save(coord_follo, network, areas, [network.school_a]).pk
    # Saving a cancelled activity asks about nothing, though it now shares the day with one.
    assert _save(coord_follo, network, areas, [network.school_a], status=Activity.Status.CANCELLED, title="Avlyst").pk


def test_the_edited_activity_is_not_its_own_clash(coord_follo, network, areas, follo_activity):
    data = ActivityData.of(follo_activity)
    services.activity_save(
        user=coord_follo,
        activity=follo_activity,
        data=ActivityData(**{**data.as_dict(), "title": "Mesterklasse fiolin (endret)"}),
        participations=[ParticipationData.of(p) for p in follo_activity.participations.all()],
        costs=[],
        expected_version=follo_activity.version,
    )
    follo_activity.refresh_from_db()
    assert follo_activity.title == "Mesterklasse fiolin (endret)"


def test_confirm_clash_saves_and_confirms_only_the_clash(coord_follo, network, areas):
    _other(network, network.school_a, "2019-11-09")
    assert _save(coord_follo, network, areas, [network.school_a], confirm_clash=True).pk
    # The next one the same day is still a clash; confirming an overload does not say yes to it.
    warning = _asked(coord_follo, network, areas, [network.school_a], title="Tredje", confirm_overload=True)
    assert warning.warnings == frozenset({"clash"})
    assert len(warning.clashes) == 2


# --- Overload ---------------------------------------------------------------------------------------


def test_the_fifth_activity_of_a_month_for_a_school_is_an_overload(coord_follo, network, areas):
    for day in ("2019-11-01", "2019-11-04", "2019-11-13", "2019-11-25"):
        _other(network, network.school_a, day)
    _other(network, network.school_a2, "2019-11-02")  # another school: not counted for A
    _other(network, network.school_a, "2019-11-15", status=Activity.Status.CANCELLED)  # not counted
    _other(network, network.school_a, "2019-10-31")  # another month
    warning = _asked(coord_follo, network, areas, [network.school_a, network.school_a2], "2019-11-20")
    assert warning.warnings == frozenset({"overload"})
    [over] = warning.overloads
    assert (over.school, over.month.isoformat(), over.count, over.limit) == (network.school_a, "2019-11-01", 5, 4)
    assert "november 2019" in over.month_label.lower()
    # It names the month's four other activities of Skole A, by start (not the cancelled one).
    assert [a.starts_at.astimezone(OSLO).day for a in over.others] == [1, 4, 13, 25]
    assert _save(coord_follo, network, areas, [network.school_a], "2019-11-20", confirm_overload=True).pk


def test_the_fourth_is_no_overload_and_the_month_is_oslo_time(coord_follo, network, areas):
    for day in ("2019-11-01", "2019-11-04", "2019-11-13"):
        _other(network, network.school_a, day)
    # 00:30 on 1 December in Oslo is 23:30 UTC on 30 November: December's.
    _other(
        network,
        network.school_a,
        "2019-12-01",
        starts_at=datetime(2019, 12, 1, 0, 30, tzinfo=OSLO),
        ends_at=datetime(2019, 12, 1, 2, tzinfo=OSLO),
    )
    assert _save(coord_follo, network, areas, [network.school_a], "2019-11-20").pk


def test_the_edited_activity_is_counted_once(coord_follo, network, areas):
    for day in ("2019-11-01", "2019-11-04", "2019-11-13"):
        _other(network, network.school_a, day)
    activity = _save(coord_follo, network, areas, [network.school_a], "2019-11-20")
    services.activity_save(
        user=coord_follo,
        activity=activity,
        data=_data(network, areas, "2019-11-21", title="Ny aktivitet, flyttet"),
        participations=[ParticipationData(school=network.school_a, pupils=2)],
        costs=[],
        expected_version=activity.version,
    )


def test_the_month_limit_follows_the_setting(coord_follo, network, areas):
    _other(network, network.school_a, "2019-11-01")
    PortalSetting.objects.update_or_create(pk=1, defaults={"max_activities_per_school_month": 1})
    warning = _asked(coord_follo, network, areas, [network.school_a], "2019-11-20")
    assert [(o.count, o.limit) for o in warning.overloads] == [(2, 1)]


# --- Travel -----------------------------------------------------------------------------------------


@pytest.fixture
def far_venue(db):
    """A venue in Tromsø: about 1 100 km from the schools' municipality (59.7 N, 10.8 E)."""
    return VenueFactory(
        name="Kulturhuset Tromsø",
        municipality=MunicipalityFactory(name="Tromsø", latitude=Decimal("69.64920"), longitude=Decimal("18.95530")),
        latitude=Decimal("69.64920"),
        longitude=Decimal("18.95530"),
    )


def test_a_venue_beyond_the_limit_warns_with_the_dashboards_distance(coord_follo, network, areas, far_venue):
    warning = _asked(coord_follo, network, areas, [network.school_a], venue=far_venue)
    assert warning.warnings == frozenset({"travel"})
    [far] = warning.travel
    expected = haversine_km(59.7, 10.8, 69.6492, 18.9553)
    assert far.school == network.school_a and far.venue == far_venue and far.limit == 60
    assert far.distance_km == pytest.approx(expected, abs=0.1) and 1000 < far.distance_km < 1300
    assert _save(coord_follo, network, areas, [network.school_a], venue=far_venue, confirm_travel=True).pk


def test_a_near_venue_and_a_raised_limit_do_not_warn(coord_follo, network, areas, far_venue):
    near = VenueFactory(name="Kulturhuset i Ski")  # the factory's venue: about 27 km away
    assert _save(coord_follo, network, areas, [network.school_a], venue=near).pk
    PortalSetting.objects.update_or_create(pk=1, defaults={"max_travel_km": 2000})
    assert _save(coord_follo, network, areas, [network.school_a2], "2019-11-20", venue=far_venue).pk


def test_all_three_warnings_together_each_with_its_own_confirmation(coord_follo, network, areas, far_venue):
    for day in ("2019-11-01", "2019-11-04", "2019-11-13", "2019-11-09"):
        _other(network, network.school_a, day)
    warning = _asked(coord_follo, network, areas, [network.school_a], venue=far_venue)
    assert warning.warnings == frozenset({"clash", "overload", "travel"})
    warning = _asked(coord_follo, network, areas, [network.school_a], venue=far_venue, confirm_clash=True)
    assert warning.warnings == frozenset({"clash", "overload", "travel"})  # every warning is listed
    assert _save(
        coord_follo,
        network,
        areas,
        [network.school_a],
        venue=far_venue,
        confirm_clash=True,
        confirm_overload=True,
        confirm_travel=True,
    ).pk


def test_the_import_is_not_stopped(coord_follo, network, areas, follo_activity):
    _other(network, network.school_a2, "2019-10-12")
    services.participation_import(
        user=coord_follo,
        activity=follo_activity,
        participations=[ParticipationData(school=network.school_a2, pupils=2)],
    )
    assert follo_activity.participations.count() == 2


# --- The form: the warning names the other activity; «Lagre likevel» saves ----------------------


def test_the_form_names_the_clash_and_saves_with_lagre_likevel(client_as, coord_follo, network, areas):
    other = _other(network, network.school_a, "2019-11-09", title="Samspill Follo")
    client = client_as(coord_follo)
    data = form_data(region=network.follo, areas=[areas[2]], participations=[{"school": network.school_a, "pupils": 3}])
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert Activity.objects.count() == 1
    html = response.content.decode()
    assert 'id="clash-warning"' in html
    assert f'href="{reverse("activities:detail", args=[other.pk])}">Samspill Follo</a>' in html
    assert "09.11.2019" in html and "Follo" in html
    form = response.context["form"]
    assert "confirm_clash" in form.fields and "confirm_overload" not in form.fields
    assert 'name="confirm_clash"' in html
    assert f'name="clash_seen" value="{other.pk}"' in html

    response = client.post(reverse("activities:create"), {**data, "confirm_clash": "on", "clash_seen": str(other.pk)})
    assert response.status_code == 302
    assert Activity.objects.filter(title="Mesterklasse cello").count() == 1


def test_lagre_likevel_covers_only_the_clashes_it_was_shown(client_as, coord_follo, network, areas):
    """Ticked for one clash, then the date changed into another clash: it saved without showing
    the new one."""
    first = _other(network, network.school_a, "2019-11-09", title="Samspill Follo")
    second = _other(network, network.school_a, "2019-11-16", title="Seminar Follo")
    client = client_as(coord_follo)
    data = form_data(region=network.follo, areas=[areas[2]], participations=[{"school": network.school_a, "pupils": 3}])
    moved = {**data, "starts_at": "2019-11-16T10:00", "ends_at": "2019-11-16T15:00"}
    response = client.post(reverse("activities:create"), {**moved, "confirm_clash": "on", "clash_seen": str(first.pk)})
    assert response.status_code == 200
    assert Activity.objects.count() == 2
    assert f'name="clash_seen" value="{second.pk}"' in response.content.decode()
    # Without the list at all (an old page), the box alone confirms nothing either.
    assert client.post(reverse("activities:create"), {**moved, "confirm_clash": "on"}).status_code == 200
    response = client.post(reverse("activities:create"), {**moved, "confirm_clash": "on", "clash_seen": str(second.pk)})
    assert response.status_code == 302 and Activity.objects.count() == 3


def test_the_form_shows_overload_and_travel(client_as, coord_follo, network, areas, far_venue):
    for day in ("2019-11-01", "2019-11-04", "2019-11-13", "2019-11-25"):
        _other(network, network.school_a, day)
    client = client_as(coord_follo)
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        venue=far_venue.pk,
        participations=[{"school": network.school_a, "pupils": 3}],
    )
    response = client.post(reverse("activities:create"), data)
    html = response.content.decode()
    assert 'id="overload-warning"' in html and 'id="travel-warning"' in html
    assert "Skole A: 5 aktiviteter i november 2019 (grensen er 4)" in html
    overload = html[html.index('id="overload-warning"') : html.index('id="travel-warning"')]
    assert overload.count('href="/aktiviteter/') == 4  # the month's other activities, linked
    assert "km til Kulturhuset Tromsø (grensen er 60 km)" in html
    # One box ticked is not enough: the other is asked again, and nothing is saved.
    response = client.post(reverse("activities:create"), {**data, "confirm_overload": "on"})
    assert response.status_code == 200 and Activity.objects.count() == 4
    response = client.post(reverse("activities:create"), {**data, "confirm_overload": "on", "confirm_travel": "on"})
    assert response.status_code == 302 and Activity.objects.count() == 5


@hostile_settings(40)
@given(
    name=st.sampled_from(["confirm_clash", "confirm_overload", "confirm_travel"]),
    value=st.one_of(st.sampled_from(NAMED_VALUES), hostile_value()),
)
def test_hostile_confirmation_values_never_fail_and_never_save_unasked(
    client_as, coord_follo, network, areas, name, value
):
    """Any value in a confirmation box: no server error; a save happens only when the box says
    yes (any non-empty value, as a browser's «on»), and never on an empty one."""
    other = Activity.objects.filter(title="Samspill Follo").first() or _other(
        network, network.school_a, "2019-11-09", title="Samspill Follo"
    )
    client = client_as(coord_follo)
    data = form_data(region=network.follo, areas=[areas[2]], participations=[{"school": network.school_a, "pupils": 3}])
    before = Activity.objects.count()
    response = client.post(reverse("activities:create"), {**data, name: value, "clash_seen": str(other.pk)})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert name == "confirm_clash" and value != ""
        Activity.objects.exclude(pk=other.pk).delete()
    else:
        assert Activity.objects.count() == before
        assert 'id="clash-warning"' in response.content.decode()


# --- The list's marks ---------------------------------------------------------------------------


def test_the_list_marks_both_clashing_activities(client_as, coord_follo, network, areas):
    first = _other(network, network.school_a, "2019-11-09", title="Først")
    second = _other(network, network.school_a, "2019-11-09", title="Dernest")
    alone = _other(network, network.school_a2, "2019-11-20", title="Alene")
    far_off = _other(network, network.school_a, "2019-11-12", instrument="Cello", title="Cello tre dager etter")
    near = _other(network, network.school_a, "2019-11-15", instrument=" cello", title="Cello samme uke")
    _other(network, network.school_a2, "2019-11-20", status=Activity.Status.CANCELLED, title="Avlyst")
    response = client_as(coord_follo).get(reverse("activities:list"), {"school_year": "2019"})
    marked = {a.pk for a in response.context["activities"] if a.clashes}
    assert marked == {first.pk, second.pk, far_off.pk, near.pk}
    assert alone.pk not in marked
    html = response.content.decode()
    assert html.count('class="badge text-bg-danger clash-mark"') == 4
    assert "visually-hidden" in html and 'title="Kollisjon:' in html


@pytest.mark.parametrize("view", ["maaned", "uke", "liste"])
def test_the_calendar_marks_the_clashing_activities_in_every_view(client_as, coord_follo, network, areas, view):
    first = _other(network, network.school_a, "2019-11-09", title="Først")
    second = _other(network, network.school_a, "2019-11-09", title="Dernest")
    alone = _other(network, network.school_a2, "2019-11-20", title="Alene")
    params = {"school_year": "2019", "maaned": "2019-11", "visning": view, "uke": "2019-W45"}
    response = client_as(coord_follo).get(reverse("activities:calendar"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="badge text-bg-danger clash-mark"') == 2
    for activity in (first, second):
        assert reverse("activities:detail", args=[activity.pk]) in html
    if view != "uke":  # the 20th is outside week 45
        assert reverse("activities:detail", args=[alone.pk]) in html


def test_the_marks_take_two_queries_whatever_the_page(network, areas, django_assert_num_queries):
    PortalSetting.objects.get_or_create(pk=1)
    made = [_other(network, network.school_a, f"2019-11-{day:02d}") for day in (1, 1, 9, 20)]
    activities = list(
        Activity.objects.filter(pk__in=[a.pk for a in made]).prefetch_related("participations").order_by("pk")
    )
    with django_assert_num_queries(2):
        marked = clashes.activity_ids_with_clash(activities=activities)
    assert marked == {made[0].pk, made[1].pk}


# --- «Tilbud per måned» -------------------------------------------------------------------------


def test_the_month_view_counts_the_schools_activities_against_the_limit(client_as, rector_a, network):
    for day in ("2019-11-01", "2019-11-04", "2019-11-13", "2019-11-25", "2019-11-27", "2020-03-03"):
        _other(network, network.school_a, day)
    _other(network, network.school_a, "2019-11-28", status=Activity.Status.CANCELLED)
    _other(network, network.school_b, "2019-11-02", region=network.romerike)
    _other(network, network.school_a, "2020-08-03")  # the next school year
    response = client_as(rector_a).get(reverse("schools:month-offers", args=["skole-a"]), {"skoleaar": "2019"})
    assert response.status_code == 200
    months = response.context["months"]
    assert [m.month.isoformat() for m in months][:2] == ["2019-08-01", "2019-09-01"]
    assert len(months) == 12 and months[-1].month.isoformat() == "2020-07-01"
    counts = {m.month.isoformat(): (m.count, m.over) for m in months if m.count}
    assert counts == {"2019-11-01": (5, True), "2020-03-01": (1, False)}
    html = response.content.decode()
    assert html.count('class="table-warning over-limit"') == 1
    assert 'id="over-limit-summary"' in html


@pytest.mark.parametrize("value", ["1999", "abc", "2001"])
def test_the_month_view_says_when_it_shows_another_school_year(client_as, rector_a, network, value):
    response = client_as(rector_a).get(reverse("schools:month-offers", args=["skole-a"]), {"skoleaar": value})
    assert response.status_code == 200
    assert 'id="school-year-note"' in response.content.decode()
    assert response.context["school_year"] == school_year_of(timezone.localdate())


def test_the_dashboard_links_to_the_month_view(client_as, rector_a, network):
    response = client_as(rector_a).get(reverse("schools:dashboard", args=["skole-a"]))
    assert reverse("schools:month-offers", args=["skole-a"]) in response.content.decode()


def test_the_month_view_is_refused_to_another_schools_rector_and_anonymous(client, client_as, rector_b, network):
    url = reverse("schools:month-offers", args=["skole-a"])
    assert client.get(url).status_code == 302  # to the login page
    assert client_as(rector_b).get(url).status_code == 404
    assert client_as(rector_b).get(reverse("schools:month-offers", args=["skole-b"])).status_code == 200


@hostile_settings(40)
@given(value=st.one_of(st.sampled_from(NAMED_VALUES), hostile_value()))
def test_hostile_school_year_falls_back_to_a_usable_year(client_as, rector_a, network, value):
    response = client_as(rector_a).get(reverse("schools:month-offers", args=["skole-a"]), {"skoleaar": value})
    assert response.status_code == 200
    assert len(response.context["months"]) == 12
