"""The subscribable calendars (issue 15): each feed parsed back with `icalendar` and with a
second parser (`recurring-ical-events`), its scope, its times in Oslo across the changes to
and from summer time, a cancelled activity, no pupil names, and the secret in the address
(a wrong one and a renewed one answer 404). The profile page lists the feeds and renews the
secret (POST only, with CSRF)."""

from datetime import UTC, datetime

import pytest
import recurring_ical_events
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ParticipationFactory, VenueFactory
from core.periods import OSLO
from governance.models import Profile
from governance.services import profile_calendar_token_get
from schools.tests.factories import PupilFactory

BASE_URL = "https://portal.ungmusikk.example"


@pytest.fixture(autouse=True)
def _feed_settings(settings):
    settings.PORTAL_BASE_URL = BASE_URL
    # The fixtures' activities are of 2019 and 2027: the feeds reach back to them.
    settings.CALENDAR_FEED_DAYS_BACK = 20000


@pytest.fixture
def plan(network):
    """Follo: a masterclass at school A on both sides of the spring change to summer time
    (Sunday 28 March 2027) and of the autumn change back (Sunday 31 October 2027), a cancelled
    one, one for school A2; Romerike: one for school B. A named pupil and notes naming her."""
    venue = VenueFactory(name="Ski kulturhus", address="Idrettsveien 2")
    pupil = PupilFactory(first_name="Solveig", last_name="Aasheim-Kvist", schools=[network.school_a])

    def make(title, region, school, start, end, **extra):
        activity = ActivityFactory(title=title, region=region, starts_at=start, ends_at=end, venue=venue, **extra)
        participation = ParticipationFactory(activity=activity, school=school, pupils=3)
        participation.named_pupils.set([pupil])
        return activity

    made = {
        "before_spring": make(
            "Før sommertid",
            network.follo,
            network.school_a,
            datetime(2027, 3, 26, 10, tzinfo=OSLO),
            datetime(2027, 3, 26, 12, tzinfo=OSLO),
            notes="Solveig Aasheim-Kvist trenger skyss.",
            nmh_teachers="Solveig Aasheim-Kvist",
        ),
        "after_spring": make(
            "Etter sommertid",
            network.follo,
            network.school_a,
            datetime(2027, 3, 29, 10, tzinfo=OSLO),
            datetime(2027, 3, 29, 12, tzinfo=OSLO),
        ),
        "before_autumn": make(
            "Før vintertid",
            network.follo,
            network.school_a,
            datetime(2027, 10, 29, 18, tzinfo=OSLO),
            datetime(2027, 10, 29, 20, tzinfo=OSLO),
        ),
        "after_autumn": make(
            "Etter vintertid",
            network.follo,
            network.school_a,
            datetime(2027, 11, 1, 18, tzinfo=OSLO),
            datetime(2027, 11, 1, 20, tzinfo=OSLO),
        ),
        "cancelled": make(
            "Avlyst samspill",
            network.follo,
            network.school_a,
            datetime(2027, 4, 10, 10, tzinfo=OSLO),
            datetime(2027, 4, 10, 14, tzinfo=OSLO),
            status=Activity.Status.CANCELLED,
            version=3,
        ),
        "a2": make(
            "Bare A2",
            network.follo,
            network.school_a2,
            datetime(2027, 5, 3, 17, tzinfo=OSLO),
            datetime(2027, 5, 3, 19, tzinfo=OSLO),
        ),
        "romerike": make(
            "Romerike for B",
            network.romerike,
            network.school_b,
            datetime(2027, 5, 4, 17, tzinfo=OSLO),
            datetime(2027, 5, 4, 19, tzinfo=OSLO),
        ),
    }
    return made


def _fetch(client, name, token, **kwargs):
    return client.get(reverse(f"activities:{name}", kwargs=kwargs or None), {"nokkel": token})


def _parse(response):
    """The feed read by both parsers: icalendar's events by UID, and the events
    recurring-ical-events finds in 2000–2100."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    second = recurring_ical_events.of(Calendar.from_ical(response.content)).between(
        datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    )
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert len(second) == len(events)
    return calendar, events, second


def _uid(activity):
    return f"activity-{activity.pk}@portal.ungmusikk.example"


def test_region_feed_is_valid_and_holds_only_that_regions_activities(client, coord_follo, plan):
    token = profile_calendar_token_get(user=coord_follo)
    response = _fetch(client, "feed-region", token, slug="follo")
    calendar, events, second = _parse(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//UngMusikk//")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    follo = [a for key, a in plan.items() if key != "romerike"]
    assert set(events) == {_uid(a) for a in follo}
    assert {str(e["SUMMARY"]) for e in second} >= {"Før sommertid", "Bare A2"}
    assert "Romerike for B" not in response.content.decode()
    event = events[_uid(plan["before_spring"])]
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert event["DTEND"].params["TZID"] == "Europe/Oslo"
    assert "DTSTAMP" in event
    assert str(event["LOCATION"]) == "Ski kulturhus, Idrettsveien 2"
    description = str(event["DESCRIPTION"])
    assert "Mesterklasse" in description and "Skole A" in description
    assert f"{BASE_URL}/aktiviteter/{plan['before_spring'].pk}/" in description
    # The raw text says TZID=Europe/Oslo with the local time (not UTC).
    assert b"DTSTART;TZID=Europe/Oslo:20270326T100000" in response.content
    # Stable: a second fetch names the same UIDs.
    assert set(_parse(_fetch(client, "feed-region", token, slug="follo"))[1]) == set(events)


def test_times_are_oslo_across_the_changes_to_and_from_summer_time(client, coord_follo, plan):
    token = profile_calendar_token_get(user=coord_follo)
    _calendar, events, second = _parse(_fetch(client, "feed-region", token, slug="follo"))
    by_title = {str(e["SUMMARY"]): e for e in second}
    cases = [
        ("before_spring", "Før sommertid", 10, 9),  # CET, UTC+1
        ("after_spring", "Etter sommertid", 10, 8),  # CEST, UTC+2
        ("before_autumn", "Før vintertid", 18, 16),  # CEST
        ("after_autumn", "Etter vintertid", 18, 17),  # CET
    ]
    for key, title, oslo_hour, utc_hour in cases:
        for start in (events[_uid(plan[key])].decoded("DTSTART"), by_title[title]["DTSTART"].dt):
            assert start.astimezone(OSLO).hour == oslo_hour, (key, start)
            assert start.astimezone(UTC).hour == utc_hour, (key, start)
            assert start.astimezone(UTC) == plan[key].starts_at.astimezone(UTC)


def test_a_cancelled_activity_is_status_cancelled_with_its_version(client, coord_follo, plan):
    token = profile_calendar_token_get(user=coord_follo)
    _calendar, events, second = _parse(_fetch(client, "feed-region", token, slug="follo"))
    cancelled = events[_uid(plan["cancelled"])]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 3
    assert str(events[_uid(plan["a2"])]["STATUS"]) == "CONFIRMED"
    assert [str(e["STATUS"]) for e in second if "Avlyst samspill" in str(e["SUMMARY"])] == ["CANCELLED"]


def test_no_feed_carries_a_pupils_name(client, coord_follo, rector_a, plan):
    feeds = [
        ("feed-region", profile_calendar_token_get(user=coord_follo), {"slug": "follo"}),
        ("feed-school", profile_calendar_token_get(user=coord_follo), {"slug": "skole-a"}),
        ("feed-person", profile_calendar_token_get(user=coord_follo), {}),
        ("feed-person", profile_calendar_token_get(user=rector_a), {}),
    ]
    for name, token, kwargs in feeds:
        response = _fetch(client, name, token, **kwargs)
        _parse(response)
        # Unfolded, so a name broken over two lines is still found.
        text = response.content.decode().replace("\r\n ", "")
        assert "Solveig" not in text and "Aasheim" not in text, name
        assert "skyss" not in text  # the notes stay out


def test_school_feed_holds_the_activities_open_to_its_pupils(client, coord_follo, plan, network):
    """As the school's dashboard and its rector's digest list them: central ones, its
    region's, those it hosts or takes part in (selectors.school_open_activities_q)."""
    Activity.objects.exclude(pk=plan["a2"].pk).update(level=Activity.Level.REGIONAL)
    token = profile_calendar_token_get(user=coord_follo)
    _calendar, events_a2, _second = _parse(_fetch(client, "feed-school", token, slug="skole-a2"))
    # Skole A2 is in Follo: every Follo activity is open to its pupils, Romerike's is not.
    assert set(events_a2) == {_uid(a) for key, a in plan.items() if key != "romerike"}
    _calendar, events_b, _second = _parse(_fetch(client, "feed-school", token, slug="skole-b"))
    # Skole B (Romerike): its region's, and the central activity at Skole A2.
    assert set(events_b) == {_uid(plan["romerike"]), _uid(plan["a2"])}


def test_person_feed_holds_what_they_coordinate_or_lead(client, coord_romerike, rector_a, plan):
    _c, coordinator, _s = _parse(_fetch(client, "feed-person", profile_calendar_token_get(user=coord_romerike)))
    assert set(coordinator) == {_uid(plan["romerike"])}
    _c, rector, _s = _parse(_fetch(client, "feed-person", profile_calendar_token_get(user=rector_a)))
    assert set(rector) == {_uid(a) for key, a in plan.items() if key not in ("romerike", "a2")}


@pytest.mark.parametrize("token", ["", "feil", "x" * 65, "' OR 1=1 --"])
def test_a_wrong_token_is_404(client, coord_follo, plan, token):
    profile_calendar_token_get(user=coord_follo)
    for name, kwargs in (("feed-region", {"slug": "follo"}), ("feed-school", {"slug": "skole-a"}), ("feed-person", {})):
        assert _fetch(client, name, token, **kwargs).status_code == 404
    assert client.get(reverse("activities:feed-person")).status_code == 404


def test_an_unknown_region_or_school_and_a_person_without_roles_are_404(client, coord_follo, network, plan):
    from governance.tests.factories import UserFactory

    token = profile_calendar_token_get(user=coord_follo)
    assert _fetch(client, "feed-region", token, slug="finnes-ikke").status_code == 404
    assert _fetch(client, "feed-school", token, slug="finnes-ikke").status_code == 404
    nobody = UserFactory(username="uten-rolle")
    assert _fetch(client, "feed-person", profile_calendar_token_get(user=nobody)).status_code == 404
    coord_follo.is_active = False
    coord_follo.save()
    assert _fetch(client, "feed-region", token, slug="follo").status_code == 404


def test_renewing_the_token_on_the_profile_page_invalidates_the_old_url(client_as, coord_follo, plan):
    client = client_as(coord_follo)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kalender å abonnere på" in html and "Lag lenke" in html
    assert page.context["calendar_feeds"] == []  # no secret made by a GET
    assert not Profile.objects.filter(user=coord_follo).exclude(calendar_token="").exists()

    client.post(reverse("profile-calendar-token"))
    old = Profile.objects.get(user=coord_follo).calendar_token
    html = client.get(reverse("profile")).content.decode()
    assert "Lag ny lenke" in html
    assert f"{BASE_URL}/aktiviteter/kalender/mine.ics?nokkel={old}" in html
    assert f"{BASE_URL}/aktiviteter/kalender/region/follo.ics?nokkel={old}" in html
    assert _fetch(client, "feed-person", old).status_code == 200

    response = client.post(reverse("profile-calendar-token"), follow=True)
    assert "De gamle lenkene virker ikke lenger." in response.content.decode()
    new = Profile.objects.get(user=coord_follo).calendar_token
    assert new != old and len(new) >= 40
    assert _fetch(client, "feed-person", old).status_code == 404
    assert _fetch(client, "feed-region", old, slug="follo").status_code == 404
    assert _fetch(client, "feed-person", new).status_code == 200


def test_rector_sees_their_schools_feed_on_the_profile(client_as, rector_a, plan):
    client = client_as(rector_a)
    client.post(reverse("profile-calendar-token"))
    token = Profile.objects.get(user=rector_a).calendar_token
    assert f"/aktiviteter/kalender/skole/skole-a.ics?nokkel={token}" in client.get(reverse("profile")).content.decode()


def test_renewing_takes_post_with_csrf_and_a_login(client, coord_follo, plan):
    url = reverse("profile-calendar-token")
    anonymous = client.post(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(coord_follo)
    assert strict.post(url).status_code == 403
    assert strict.get(url).status_code == 405
    assert not Profile.objects.filter(user=coord_follo).exclude(calendar_token="").exists()


def test_the_daily_leader_is_offered_every_regions_feed(client_as, daily_leader, plan):
    client = client_as(daily_leader)
    client.post(reverse("profile-calendar-token"))
    token = Profile.objects.get(user=daily_leader).calendar_token
    html = client.get(reverse("profile")).content.decode()
    for slug in ("follo", "romerike"):
        assert f"/aktiviteter/kalender/region/{slug}.ics?nokkel={token}" in html
    _c, events, _s = _parse(_fetch(client, "feed-region", token, slug="romerike"))
    assert set(events) == {_uid(plan["romerike"])}


def test_the_profile_of_someone_without_a_role_offers_no_feeds(client_as, network):
    from governance.tests.factories import UserFactory

    html = client_as(UserFactory(username="uten-rolle")).get(reverse("profile")).content.decode()
    assert "Kalender å abonnere på" not in html
