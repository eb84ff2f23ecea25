"""Sessions end when the browser closes (the cookie has no expiry date) and after two hours
without a request (each request moves the end). The idle time is made by moving the session's
expiry in the database, not by waiting."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

TWO_HOURS = timedelta(hours=2)


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "pw-for-tests-1"})
    assert response.status_code == 302, "the login was refused"
    return response


def session_of(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def idle_for(client, idle: timedelta) -> None:
    """As if the last request (a moment ago) had been `idle` earlier: the session's end, which
    that request set, moves back by as much."""
    Session.objects.filter(pk=session_of(client).pk).update(expire_date=F("expire_date") - idle)


def test_the_session_cookie_lives_until_the_browser_closes(client, coord_follo):
    response = log_in(client, coord_follo)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # Every later answer sends the cookie again (the end moves), still without an expiry date.
    again = client.get(reverse("profile")).cookies[settings.SESSION_COOKIE_NAME]
    assert again.value == cookie.value
    assert (again["expires"], again["max-age"]) == ("", "")


def test_a_session_idle_for_more_than_two_hours_is_logged_out(client, coord_follo):
    log_in(client, coord_follo)
    assert client.get(reverse("profile")).status_code == 200

    idle_for(client, TWO_HOURS + timedelta(minutes=1))
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).context["user"].is_anonymous


def test_each_request_moves_the_end_of_the_session(client, coord_follo):
    log_in(client, coord_follo)

    idle_for(client, TWO_HOURS - timedelta(minutes=1))
    response = client.get(reverse("profile"))

    assert response.status_code == 200
    assert response.context["user"] == coord_follo
    ends_in = session_of(client).expire_date - timezone.now()
    assert TWO_HOURS - timedelta(minutes=1) < ends_in <= TWO_HOURS
