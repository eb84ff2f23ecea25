"""Two factors for the admin (issue 14): superusers and central staff confirm their login with a
code from an authenticator app (TOTP) or a recovery code before any admin page opens; the
steering group reads and votes there as before. The codes are computed here from the device's
secret with django-otp's own TOTP (no mock): what a phone would show.

Every test here is marked `otp`: the root conftest turns ADMIN_REQUIRES_OTP on for them (and
off for the rest of the suite, which logs central staff into the admin with force_login)."""

from __future__ import annotations

import logging
import re
import time
from base64 import b32decode
from binascii import unhexlify
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import strategies as st

from core.audit import AuditAction
from core.tests.hostile import hostile_client, hostile_settings, hostile_value, send
from governance.models import AuditEntry
from ungmusikk.two_factor.services import two_factor_enable

pytestmark = [pytest.mark.django_db, pytest.mark.otp]

ENROL = "/profil/tofaktor/"
VERIFY = "/profil/tofaktor/bekreft/"
CODES = "/profil/tofaktor/koder/"
WRONG_APP_CODE = "Engangskode: koden stemmer ikke. Skriv de seks sifrene appen viser nå."
WRONG_CODE = (
    "Engangskode: koden stemmer ikke. Skriv de seks sifrene appen viser nå, eller en ubrukt gjenopprettingskode."
)


def app_code(key_hex: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app with this secret shows now (or `steps_ahead` periods of 30
    seconds later: the portal accepts one step of clock drift either way)."""
    totp = TOTP(unhexlify(key_hex), drift=steps_ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def other_code(code: str) -> str:
    """A six-digit code that is none of the codes accepted around now."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """`user` with an authenticator app (set up through the service) and ten recovery codes."""
    key = "3132333435363738393031323334353637383930"
    device, codes = two_factor_enable(user=user, key=key, code=app_code(key))
    # The code that confirmed it is used; the next login needs a later one. A fresh device
    # (as if set up a minute ago) takes the current code again.
    device.last_t = -1
    device.save()
    return device, codes


def to(page: str, target: str) -> str:
    return f"{page}?{urlencode({'next': target})}"


# -- who must ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["daily_leader", "nmh_coordinator", "superuser", "access_manager"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/schools/school/",
        "/admin/funding/budget/",
        "/admin/governance/role/add/",
        "/admin/otp_totp/totpdevice/",
        "/admin/jsi18n/",
    ],
)
def test_admin_sends_central_staff_without_an_app_to_enrolment(client, request, network, persona, url):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, to(ENROL, url))


def test_admin_change_page_of_a_school_sends_the_daily_leader_to_enrolment(client, network, daily_leader):
    client.force_login(daily_leader)
    url = reverse("admin:schools_school_change", args=[network.school_a.pk])

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, to(ENROL, url))


def test_admin_post_without_a_second_factor_is_refused_and_changes_nothing(client, network, daily_leader):
    client.force_login(daily_leader)
    school = network.school_a
    url = reverse("admin:schools_school_change", args=[school.pk])
    entries = AuditEntry.objects.count()

    response = client.post(url, {"name": "Omdøpt skole", "region": network.follo.pk, "_save": "Lagre"})

    assert (response.status_code, response["Location"]) == (302, to(ENROL, url))
    school.refresh_from_db()
    assert school.name == "Skole A"
    assert AuditEntry.objects.count() == entries


def test_admin_sends_central_staff_with_an_app_to_the_code(client, network, daily_leader):
    enrolled(daily_leader)
    client.force_login(daily_leader)

    response = client.get("/admin/funding/budget/?year=2020")

    assert (response.status_code, response["Location"]) == (302, to(VERIFY, "/admin/funding/budget/?year=2020"))


def test_admin_after_a_password_login_asks_for_the_code_then_opens(client, network, daily_leader):
    device, _codes = enrolled(daily_leader)

    login = client.post(
        "/admin/login/?next=/admin/", {"username": "leder", "password": "pw-for-tests-1", "next": "/admin/"}
    )
    assert (login.status_code, login["Location"]) == (302, "/admin/")
    assert client.get("/admin/")["Location"] == to(VERIFY, "/admin/")
    response = client.post(VERIFY, {"code": app_code(device.key), "next": "/admin/"})

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/schools/school/").status_code == 200


def test_admin_opens_for_the_steering_group_without_a_second_factor(client, network, steering_member, steering_leader):
    for person in (steering_member, steering_leader):
        client.force_login(person)
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/funding/budget/").status_code == 200


def test_admin_asks_a_steering_group_member_who_enrolled_of_their_own_accord(client, network, steering_member):
    enrolled(steering_member)
    client.force_login(steering_member)

    response = client.get("/admin/")

    assert response["Location"] == to(VERIFY, "/admin/")


def test_admin_still_refuses_a_rector_as_before(client, network, rector_a):
    client.force_login(rector_a)

    response = client.get("/admin/")

    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")


def test_admin_login_and_logout_pages_stay_open(client, network, daily_leader):
    client.force_login(daily_leader)

    assert client.get("/admin/login/")["Location"] == "/admin/"  # Django's: already logged in
    assert client.post("/admin/logout/")["Location"] == reverse("login")
    assert client.get("/admin/login/").status_code == 200


def test_admin_anonymous_visitor_gets_the_admin_login(client):
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_admin_opens_without_codes_when_the_setting_is_off(client, network, daily_leader, settings):
    settings.ADMIN_REQUIRES_OTP = False
    client.force_login(daily_leader)

    assert client.get("/admin/").status_code == 200


def test_portal_pages_outside_the_admin_need_no_second_factor(client, network, daily_leader):
    enrolled(daily_leader)
    client.force_login(daily_leader)

    assert client.get(reverse("profile")).status_code == 200
    assert client.get(reverse("rollups")).status_code == 200


# -- enrolment -----------------------------------------------------------------------------------


def _secret_on_page(html: str) -> str:
    """The secret as the page shows it for typing by hand, back in hex."""
    shown = re.search(r'<code id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>', html).group(1)
    return b32decode(shown.replace(" ", "")).hex()


def test_enrolment_with_the_code_of_the_shown_secret_opens_the_admin(client, network, daily_leader, caplog):
    client.force_login(daily_leader)
    page = client.get(to(ENROL, "/admin/"))
    html = page.content.decode()
    key = _secret_on_page(html)

    # The QR code is drawn in the page (inline SVG), nothing is loaded from elsewhere.
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'id="totp-qr"' in svg
    assert "<path" in svg
    assert re.findall(r'(?:src|href)="[^"]*"', svg) == []
    assert client.get(to(ENROL, "/admin/")).content.decode().count(page.context["secret"]) == 1  # the same secret again

    with caplog.at_level(logging.INFO, logger="ungmusikk.security"):
        response = client.post(ENROL, {"code": app_code(key), "next": "/admin/"})

    assert (response.status_code, response["Location"]) == (302, to(CODES, "/admin/"))
    device = TOTPDevice.objects.get(user=daily_leader)
    assert (device.confirmed, device.key) == (True, key)
    codes_page = client.get(response["Location"])
    codes = re.findall(r'<li class="col">([a-z2-7]{8})</li>', codes_page.content.decode())
    assert len(set(codes)) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=daily_leader).values_list("token", flat=True)
    )
    assert "ta vare på dem et trygt sted" in codes_page.content.decode()
    assert client.get(CODES)["Location"] == ENROL  # shown once
    assert client.get("/admin/").status_code == 200  # the code confirmed this session too
    assert list(AuditEntry.objects.values_list("action", "actor__username", "object_type", "object_id")) == [
        (AuditAction.TWO_FACTOR_ENABLE, "leder", "governance.person", str(daily_leader.pk))
    ]
    assert [r.getMessage() for r in caplog.records if "enrolled" in r.getMessage()] == [
        f"two_factor enrolled user=leder id={daily_leader.pk} ip=127.0.0.1"
    ]


def test_enrolment_with_a_wrong_code_is_refused_in_norwegian(client, network, daily_leader):
    client.force_login(daily_leader)
    key = _secret_on_page(client.get(ENROL).content.decode())

    response = client.post(ENROL, {"code": other_code(app_code(key))})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [WRONG_APP_CODE]}
    assert WRONG_APP_CODE in response.content.decode()
    assert not TOTPDevice.objects.filter(user=daily_leader).exists()
    assert client.get("/admin/")["Location"] == to(ENROL, "/admin/")


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Engangskode: skriv koden."),
        ("12345", "Engangskode: skriv de seks sifrene appen viser."),
        ("١٢٣٤٥٦", "Engangskode: skriv de seks sifrene appen viser."),
        ("\x00", "Engangskode: koden kan bare ha sifre og bokstaver."),
        ("1" * 40, "Engangskode: koden er for lang. Skriv de seks sifrene appen viser."),
    ],
)
def test_enrolment_refuses_what_is_not_a_code_naming_the_field(client, network, daily_leader, typed, error):
    client.force_login(daily_leader)
    client.get(ENROL)

    response = client.post(ENROL, {"code": typed})

    assert response.context["form"].errors == {"code": [error]}


@pytest.mark.parametrize("url", [ENROL, CODES, VERIFY])
def test_two_factor_pages_need_a_login(client, url):
    assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"


def test_profile_links_to_the_two_factor_page(client, network, rector_a):
    client.force_login(rector_a)

    html = client.get(reverse("profile")).content.decode()

    assert f'href="{ENROL}" id="two-factor-link"' in html
    assert client.get(ENROL).status_code == 200  # anyone may set up an app of their own accord


def test_enrolment_page_shows_no_new_secret_to_someone_with_an_app(client, network, daily_leader):
    enrolled(daily_leader)
    client.force_login(daily_leader)

    response = client.get(ENROL)

    assert "totp-secret" not in response.content.decode()
    assert "Du har 10 ubrukte gjenopprettingskoder." in response.content.decode()
    assert client.post(ENROL, {"code": "123456"})["Location"] == ENROL  # no second app on top
    assert TOTPDevice.objects.filter(user=daily_leader).count() == 1


# -- confirming a login --------------------------------------------------------------------------


def test_verify_with_a_wrong_code_is_refused_logged_and_the_admin_stays_shut(client, network, daily_leader, caplog):
    device, _codes = enrolled(daily_leader)
    client.force_login(daily_leader)

    with caplog.at_level(logging.INFO, logger="ungmusikk.security"):
        caplog.clear()
        response = client.post(VERIFY, {"code": other_code(app_code(device.key)), "next": "/admin/"})
        admin = client.get("/admin/")

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": [WRONG_CODE]}
    assert admin["Location"] == to(VERIFY, "/admin/")
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "ungmusikk.security"] == [
        ("WARNING", f"two_factor verify refused user=leder id={daily_leader.pk} ip=127.0.0.1"),
        (
            "INFO",
            f"two_factor required for the admin user=leder id={daily_leader.pk} path=/admin/ method=GET enrolled=True",
        ),
    ]


def test_verify_after_wrong_codes_makes_the_next_try_wait(client, network, daily_leader):
    device, _codes = enrolled(daily_leader)
    client.force_login(daily_leader)
    client.post(VERIFY, {"code": other_code(app_code(device.key))})

    response = client.post(VERIFY, {"code": app_code(device.key)})

    assert response.context["form"].errors == {
        "code": ["Engangskode: for mange forsøk på kort tid. Vent noen sekunder og prøv igjen."]
    }
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_verify_the_same_app_code_twice_is_refused(client, network, daily_leader):
    device, _codes = enrolled(daily_leader)
    code = app_code(device.key)
    client.force_login(daily_leader)
    assert client.post(VERIFY, {"code": code})["Location"] == "/admin/"
    client.logout()
    client.force_login(daily_leader)

    response = client.post(VERIFY, {"code": code})

    assert response.context["form"].errors == {"code": [WRONG_CODE]}


def test_verify_a_recovery_code_works_once_and_not_twice(client, network, daily_leader):
    _device, codes = enrolled(daily_leader)
    client.force_login(daily_leader)

    first = client.post(VERIFY, {"code": codes[3].upper()[:4] + "-" + codes[3][4:], "next": "/admin/"})

    assert (first.status_code, first["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=daily_leader).count() == 9
    assert (
        AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_RECOVERY_CODE_USE)
        .values_list("comment", flat=True)
        .get()
        == "9 gjenopprettingskoder igjen"
    )
    client.logout()
    client.force_login(daily_leader)
    second = client.post(VERIFY, {"code": codes[3], "next": "/admin/"})
    assert second.status_code == 200
    assert second.context["form"].errors == {"code": [WRONG_CODE]}
    assert client.get("/admin/")["Location"] == to(VERIFY, "/admin/")


def test_verify_without_an_app_sends_to_enrolment(client, network, daily_leader):
    client.force_login(daily_leader)

    response = client.get(to(VERIFY, "/admin/"))

    assert response["Location"] == to(ENROL, "/admin/")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
        "/admin/\r\nSet-Cookie: x=1",
    ],
)
def test_verify_goes_to_no_other_site(client, network, daily_leader, target):
    device, _codes = enrolled(daily_leader)
    client.force_login(daily_leader)

    page = client.get(VERIFY, {"next": target})
    response = client.post(VERIFY, {"code": app_code(device.key), "next": target})

    assert page.context["next"] == ""
    assert response["Location"] == "/admin/"


def test_verify_goes_on_to_a_path_of_this_site(client, network, daily_leader):
    device, _codes = enrolled(daily_leader)
    client.force_login(daily_leader)

    response = client.post(VERIFY, {"code": app_code(device.key), "next": "/admin/schools/school/?region=1"})

    assert response["Location"] == "/admin/schools/school/?region=1"


# -- recovery codes and removing the app ---------------------------------------------------------


def test_new_recovery_codes_need_a_valid_code_and_replace_the_old(client, network, daily_leader):
    device, old_codes = enrolled(daily_leader)
    client.force_login(daily_leader)

    refused = client.post("/profil/tofaktor/nye-koder/", {"recovery-code": other_code(app_code(device.key))})
    assert refused.status_code == 200
    assert refused.context["recovery_form"].errors == {"code": [WRONG_CODE]}
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(old_codes)

    response = client.post("/profil/tofaktor/nye-koder/", {"recovery-code": old_codes[0]})

    assert response["Location"] == CODES
    new_codes = re.findall(r'<li class="col">([a-z2-7]{8})</li>', client.get(CODES).content.decode())
    assert len(new_codes) == 10
    assert set(new_codes).isdisjoint(old_codes)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(new_codes)
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_RECOVERY_CODES).count() == 1


def test_removing_the_app_needs_a_valid_code_and_then_asks_for_a_new_app(client, network, daily_leader):
    device, _codes = enrolled(daily_leader)
    client.force_login(daily_leader)

    refused = client.post("/profil/tofaktor/fjern/", {"remove-code": "aaaa-aaaa"})  # no such recovery code
    assert refused.context["remove_form"].errors == {"code": [WRONG_CODE]}
    assert TOTPDevice.objects.filter(user=daily_leader).exists()

    response = client.post("/profil/tofaktor/fjern/", {"remove-code": app_code(device.key)})

    assert response["Location"] == ENROL
    assert not TOTPDevice.objects.filter(user=daily_leader).exists()
    assert not StaticDevice.objects.filter(user=daily_leader).exists()
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_DISABLE, actor=daily_leader).count() == 1
    assert client.get("/admin/")["Location"] == to(ENROL, "/admin/")
    assert "totp-secret" in client.get(ENROL).content.decode()  # a new app can be set up


def test_code_actions_are_posts_of_a_logged_in_person(client, network, daily_leader):
    assert client.post("/profil/tofaktor/fjern/", {"remove-code": "123456"})["Location"].startswith(reverse("login"))
    client.force_login(daily_leader)
    assert client.get("/profil/tofaktor/fjern/").status_code == 405
    assert client.post("/profil/tofaktor/fjern/", {"remove-code": "123456"})["Location"] == ENROL  # nothing to remove


# -- a superuser resets a lost phone in the admin ------------------------------------------------


def test_superuser_resets_a_lost_app_in_the_admin_and_it_is_audited(client, network, daily_leader, superuser):
    lost, _codes = enrolled(daily_leader)
    own, _own_codes = enrolled(superuser)
    client.force_login(superuser)
    assert client.post(VERIFY, {"code": app_code(own.key)})["Location"] == "/admin/"
    url = reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert list(TOTPDevice.objects.values_list("user__username", flat=True)) == ["admin"]
    assert not StaticDevice.objects.filter(user=daily_leader).exists()
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR_DISABLE)
    assert (entry.actor.username, entry.object_id, entry.comment) == (
        "admin",
        str(daily_leader.pk),
        "Tilbakestilt i administrasjonen",
    )


def test_admin_device_pages_show_no_secret_and_add_nothing(client, network, daily_leader, superuser):
    lost, codes = enrolled(daily_leader)
    own, _own_codes = enrolled(superuser)
    client.force_login(superuser)
    client.post(VERIFY, {"code": app_code(own.key)})

    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[lost.pk])).content.decode()
    static = client.get(reverse("admin:otp_static_staticdevice_changelist")).content.decode()

    assert lost.key not in change
    assert all(code not in static for code in codes)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[lost.pk])).status_code == 403


def test_central_staff_cannot_open_the_device_pages(client, network, daily_leader):
    device, _codes = enrolled(daily_leader)
    client.force_login(daily_leader)
    client.post(VERIFY, {"code": app_code(device.key)})

    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403
    assert (
        client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}).status_code == 403
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


# -- hostile input -------------------------------------------------------------------------------


@hostile_settings(25)
@given(code=hostile_value(), target=hostile_value())
def test_verify_hostile_code_and_next_never_fail(network, daily_leader, code, target):
    if not TOTPDevice.objects.filter(user=daily_leader).exists():
        enrolled(daily_leader)
    client = hostile_client(daily_leader)

    page = send(client, "get", VERIFY, {"next": target})
    response = send(client, "post", VERIFY, {"code": code, "next": target})

    assert page.status_code == 200
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    assert all(error.startswith("Engangskode: ") for error in response.context["form"].errors["code"])


@hostile_settings(25)
@given(code=hostile_value(), target=hostile_value())
def test_enrolment_hostile_code_never_fails(network, daily_leader, code, target):
    client = hostile_client(daily_leader)
    send(client, "get", ENROL)

    response = send(client, "post", ENROL, {"code": code, "next": target})

    assert response.status_code == 200
    assert response.context["form"].errors["code"][0].startswith("Engangskode: ")
    assert not TOTPDevice.objects.filter(user=daily_leader).exists()


@hostile_settings(15)
@given(code=hostile_value(), action=st.sampled_from(["nye-koder", "fjern"]))
def test_code_actions_hostile_code_never_fail(network, daily_leader, code, action):
    if not TOTPDevice.objects.filter(user=daily_leader).exists():
        enrolled(daily_leader)
    client = hostile_client(daily_leader)
    prefix = "recovery" if action == "nye-koder" else "remove"

    response = send(client, "post", f"/profil/tofaktor/{action}/", {f"{prefix}-code": code})

    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=daily_leader).exists()
