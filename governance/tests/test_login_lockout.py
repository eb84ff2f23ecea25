"""Logins resist guessing (issue 14): django-axes locks a username and address after five
failures for the cool-off period, on the portal's login page and the admin's; the failures
and the lockout are logged without the password; the lockout page reads the same for an
existing and an unknown username; central staff see the attempts and unlock in the admin,
a rector cannot."""

import logging
import re
from datetime import timedelta

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.tests.hostile import hostile_settings, hostile_value, send
from governance.models import Person
from governance.security import lockout_message

PASSWORD = "pw-for-tests-1"  # noqa: S105 - the personas' password (governance/tests/factories.py)
LOGIN = "/logg-inn/"
ADMIN_LOGIN = "/admin/login/"
LOCKED_TEXT = "For mange mislykkede forsøk"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _post_login(client, username, password, *, path=LOGIN, ip="203.0.113.7"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail(client, username, times, **kwargs):
    return [_post_login(client, username, "feil-passord", **kwargs) for _ in range(times)]


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_settings_are_the_issues():
    from django.conf import settings

    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True


def test_four_failures_then_the_right_password_logs_in(client, coord_follo):
    responses = _fail(client, "koord-follo", 4)
    assert {r.status_code for r in responses} == {200}
    assert "Vennligst oppgi korrekt" in responses[-1].content.decode()  # Django's own Norwegian message
    response = _post_login(client, "koord-follo", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)
    # AXES_RESET_ON_SUCCESS: the four failures are forgotten.
    assert not AccessAttempt.objects.filter(username="koord-follo").exists()


def test_five_failures_lock_and_the_right_password_is_refused(client, coord_follo):
    responses = _fail(client, "koord-follo", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    page = responses[-1].content.decode()
    assert LOCKED_TEXT in page
    assert "Prøv igjen om 15 minutter, eller be en administrator låse opp." in page
    assert 'id="forgot-password-link"' in page

    response = _post_login(client, "koord-follo", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert not _logged_in(client)


def test_the_lock_is_for_the_username_and_address_together(client, coord_follo, coord_romerike):
    _fail(client, "koord-follo", 5)
    # Another username from the same address, and the same username from another address.
    assert _post_login(client, "koord-romerike", PASSWORD).status_code == 302
    client.logout()
    assert _post_login(client, "koord-follo", PASSWORD, ip="198.51.100.20").status_code == 302


def test_a_forged_forwarded_for_header_does_not_make_a_new_address(client, coord_follo):
    for n in range(5):
        client.post(
            LOGIN,
            {"username": "koord-follo", "password": "feil"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    response = client.post(
        LOGIN,
        {"username": "koord-follo", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert response.status_code == 429


def test_a_new_browser_for_each_guess_does_not_reset_the_count(client, coord_follo):
    for n in range(5):
        client.post(
            LOGIN, {"username": "koord-follo", "password": "feil"}, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=f"ua-{n}"
        )
    response = client.post(
        LOGIN, {"username": "koord-follo", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="ua-new"
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_adds(client, coord_follo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "koord-follo", "password": "feil"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="forged, 203.0.113.7",
        )
    attempt = AccessAttempt.objects.get(username="koord-follo")
    assert attempt.ip_address == "203.0.113.7"
    # Another client behind the same proxy is not locked out.
    response = client.post(
        LOGIN,
        {"username": "koord-follo", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302


def test_behind_a_proxy_an_address_that_is_no_address_is_not_used(client, coord_follo, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        LOGIN, {"username": "koord-follo", "password": "feil"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="'; --"
    )
    assert AccessAttempt.objects.get(username="koord-follo").ip_address == "127.0.0.1"


def test_a_very_long_username_is_counted_cut_to_the_longest_username(client, db):
    """Django's login form does not hold a username to its length; axes' tables keep 255
    characters (on PostgreSQL a longer one was a server error)."""
    responses = _fail(client, "x" * 100_000, 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert AccessAttempt.objects.get().username == "x" * 150


def test_unlocked_after_the_cool_off(client, coord_follo):
    _fail(client, "koord-follo", 5)
    assert _post_login(client, "koord-follo", PASSWORD).status_code == 429
    # The lock counts the failures of the last 15 minutes (from the latest one): move them back.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=5))
    response = _post_login(client, "koord-follo", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_still_locked_just_before_the_cool_off_ends(client, coord_follo):
    _fail(client, "koord-follo", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14, seconds=30))
    assert _post_login(client, "koord-follo", PASSWORD).status_code == 429


def test_a_try_during_the_lock_starts_the_cool_off_again(client, coord_follo):
    _fail(client, "koord-follo", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert _post_login(client, "koord-follo", PASSWORD).status_code == 429
    # The try is counted: its time is the lock's start now, 15 minutes from here.
    attempt = AccessAttempt.objects.get(username="koord-follo")
    assert attempt.attempt_time > timezone.now() - timedelta(minutes=1)
    assert attempt.failures_since_start == 6


def test_the_admin_login_counts_too(client, daily_leader):
    responses = _fail(client, "leder", 3, path=ADMIN_LOGIN)
    responses += _fail(client, "leder", 2)
    assert responses[-1].status_code == 429
    response = _post_login(client, "leder", PASSWORD, path=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert not _logged_in(client)


def test_the_lockout_reads_the_same_for_an_unknown_username(client, coord_follo):
    known = _fail(client, "koord-follo", 5)[-1]
    unknown = _fail(client, "finnes-ikke", 5)[-1]
    assert known.status_code == unknown.status_code == 429
    assert CSRF.sub("", known.content.decode()) == CSRF.sub("", unknown.content.decode())
    assert "koord-follo" not in known.content.decode()
    # Also the failures before the lockout read the same.
    client.cookies.clear()
    known = _post_login(client, "koord-follo", "feil", ip="192.0.2.1")
    unknown = _post_login(client, "finnes-ikke", "feil", ip="192.0.2.1")
    strip = lambda r: CSRF.sub("", r.content.decode()).replace("koord-follo", "X").replace("finnes-ikke", "X")  # noqa: E731
    assert strip(known) == strip(unknown)


def test_the_failures_are_stored_and_logged_without_the_password(client, coord_follo, caplog):
    secret = "Hemmelig-gjett-42"
    with caplog.at_level(logging.WARNING, logger="ungmusikk.security"):
        for _ in range(5):
            _post_login(client, "koord-follo", secret)
    attempt = AccessAttempt.objects.get(username="koord-follo")
    assert attempt.ip_address == "203.0.113.7"
    assert attempt.failures_since_start == 5
    assert attempt.path_info == LOGIN
    assert secret not in attempt.post_data + attempt.get_data
    assert "password=********************" in attempt.post_data

    failures = AccessFailureLog.objects.filter(username="koord-follo").order_by("attempt_time")
    assert failures.count() == 5
    assert all(f.ip_address == "203.0.113.7" and f.attempt_time for f in failures)
    assert [f.locked_out for f in failures] == [False, False, False, False, True]

    security = [r for r in caplog.records if r.name == "ungmusikk.security"]
    failed = [r.getMessage() for r in security if r.getMessage().startswith("Login failed")]
    locked = [r.getMessage() for r in security if r.getMessage().startswith("Login locked out")]
    assert len(failed) == 5
    assert len(locked) == 1
    for message in failed + locked:
        assert "username='koord-follo'" in message
        assert "ip=203.0.113.7" in message
        assert "at=20" in message
    assert all(secret not in record.getMessage() for record in caplog.records)
    assert all(secret not in str(record.args) for record in caplog.records)


def test_a_successful_login_is_in_the_access_log(client, coord_follo):
    _post_login(client, "koord-follo", PASSWORD)
    assert AccessLog.objects.filter(username="koord-follo", ip_address="203.0.113.7").exists()


def test_the_test_clients_login_needs_a_request_or_no_lockout(client, coord_follo, settings):
    """axes refuses an authentication without a request (it could not count it). The test
    client's login() passes none: give it one, use force_login (client_as), or switch axes off
    for that test (the `login_lockout_off` fixture in conftest.py)."""
    with pytest.raises(AxesBackendRequestParameterRequired):
        client.login(username="koord-follo", password=PASSWORD)
    assert client.login(request=HttpRequest(), username="koord-follo", password=PASSWORD)
    assert client.get(reverse("profile")).status_code == 200
    client.logout()
    assert not client.login(request=HttpRequest(), username="koord-follo", password="feil")
    settings.AXES_ENABLED = False
    assert client.login(username="koord-follo", password=PASSWORD)


def test_login_lockout_off_fixture(login_lockout_off, client, coord_follo):
    assert client.login(username="koord-follo", password=PASSWORD)
    assert client.get(reverse("profile")).status_code == 200


def test_the_logged_in_user_is_the_portals_person(client, daily_leader):
    """AxesStandaloneBackend only refuses: the session's backend is PortalBackend, whose user
    is a governance Person (the portal's permissions are its rules)."""
    _post_login(client, "leder", PASSWORD)
    assert client.session["_auth_user_backend"] == "governance.auth.PortalBackend"
    response = client.get(reverse("profile"))
    assert isinstance(response.wsgi_request.user, Person)


# --- Unlocking in the admin ---


def _lock_out(client, username="koord-follo"):
    _fail(client, username, 5)
    client.cookies.clear()
    return AccessAttempt.objects.get(username=username)


@pytest.mark.parametrize("persona", ["daily_leader", "nmh_coordinator", "superuser"])
def test_central_staff_see_the_attempts_and_unlock(request, client, client_as, coord_follo, persona):
    attempt = _lock_out(client)
    staff = client_as(request.getfixturevalue(persona))
    index = staff.get("/admin/")
    assert reverse("admin:axes_accessattempt_changelist") in index.content.decode()
    changelist = staff.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert "koord-follo" in changelist.content.decode()
    assert staff.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200
    assert staff.get(reverse("admin:axes_accesslog_changelist")).status_code == 200
    detail = staff.get(reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert detail.status_code == 200
    assert PASSWORD not in detail.content.decode()

    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert staff.get(delete_url).status_code == 200
    assert staff.post(delete_url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    staff.logout()

    response = _post_login(client, "koord-follo", PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_central_staff_unlock_with_the_changelists_delete_action(client, client_as, coord_follo, daily_leader):
    attempt = _lock_out(client)
    staff = client_as(daily_leader)
    response = staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()


def test_central_staff_cannot_delete_the_failure_log(client, client_as, coord_follo, daily_leader):
    _lock_out(client)
    entry = AccessFailureLog.objects.first()
    staff = client_as(daily_leader)
    response = staff.post(reverse("admin:axes_accessfailurelog_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AccessFailureLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("persona", ["rector_a", "coord_romerike", "steering_member"])
def test_others_cannot_open_or_unlock(request, client, client_as, coord_follo, persona):
    attempt = _lock_out(client)
    user = request.getfixturevalue(persona)
    other = client_as(user)
    for url in (
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:axes_accessfailurelog_changelist"),
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]),
    ):
        response = other.get(url)
        # Not staff: the admin's login page; staff without the permission: 403.
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("admin:login"))
    response = other.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code in (302, 403)
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    if user.is_staff:
        assert reverse("admin:axes_accessattempt_changelist") not in other.get("/admin/").content.decode()


def test_a_hostile_filter_on_the_attempts_is_no_server_error(client, client_as, daily_leader):
    staff = client_as(daily_leader)
    for query in ("?attempt_time__gte=0001-01-01", "?id=99999999999999999999999", "?username__regex=(((("):
        response = staff.get(reverse("admin:axes_accessattempt_changelist") + query)
        assert response.status_code in (200, 302), query


# --- Hostile usernames and passwords never give a server error ---


@hostile_settings(30)
@given(username=hostile_value(), password=hostile_value(), admin=st.booleans(), ip=st.sampled_from(["203.0.113.9", ""]))
def test_hostile_logins_never_give_a_server_error(client, coord_follo, username, password, admin, ip):
    response = send(
        Client(raise_request_exception=False),
        "post",
        ADMIN_LOGIN if admin else LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )
    assert response.status_code in (200, 302, 429)
    if response.status_code == 429:
        assert lockout_message() in response.content.decode()


def test_a_locked_user_exists_check_is_not_needed_for_the_lock(client, db):
    """Five failures for a username nobody has lock that username at that address too."""
    assert not get_user_model().objects.filter(username="ingen-slik").exists()
    assert _fail(client, "ingen-slik", 5)[-1].status_code == 429


def test_a_newline_in_the_username_forges_no_log_line(client, caplog, db):
    """django-axes wrote the username as typed into its own lines; the portal's own line
    escapes it, and axes' lines are off (settings.LOGGING)."""
    caplog.set_level("INFO")
    _post_login(client, "zz\nLogin succeeded: username=admin", "feil")
    lines = [line for record in caplog.records for line in record.getMessage().splitlines()]
    assert not any(line.startswith("Login succeeded") for line in lines)
    assert not [record for record in caplog.records if record.name.startswith("axes") and record.levelno < 40]
    assert any(record.name == "ungmusikk.security" for record in caplog.records)
