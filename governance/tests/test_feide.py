"""Logging in with Feide (governance/oidc.py), end to end against a local OpenID Connect provider:
django-oauth-toolkit's OIDC mode (governance/tests/oidc_provider, installed by
ungmusikk/settings_test.py), served with the portal by pytest-django's live server.

The portal is opened as http://localhost:<port> and the provider as http://127.0.0.1:<port>, so a
browser (a `requests` session) holds two sessions, as it would with Feide: it is logged in at
the provider, and the portal knows nothing of it until Feide's answer comes back. Each login
goes over HTTP all the way: the portal's start → the provider's authorize (the provider's user is
logged in there; the application skips the consent page) → the portal's callback with the code →
the portal's token request to the provider → the ID token's signature checked with the provider's
JWKS → userinfo.

Also: with no FEIDE_OIDC_* variables there is no backend, no address and no button (the settings
are read in a fresh process, as at start-up)."""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import clear_url_caches
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.audit import AuditAction
from governance.models import AuditEntry, Person, Profile
from governance.oidc import FeideBackend
from governance.services import profile_feide_subject_set
from governance.tests.oidc_provider.validators import IDENTITIES

BASE_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "ungmusikk-portal"
CLIENT_SECRET = "portal-secret-for-tests"  # noqa: S105 - the local provider's test client
NO_ACCESS = "Du har ingen tilgang ennå"
FAILED = "Innloggingen med Feide mislyktes"
FEIDE_BUTTON = "Logg inn med Feide"


def _reload_urls() -> None:
    """The URLconfs again, as at start-up (the Feide addresses exist only when it is on)."""
    importlib.reload(importlib.import_module("ungmusikk.urls"))
    if settings.ROOT_URLCONF != "ungmusikk.urls":
        importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


def _feide_on(settings, *, provider: str) -> None:
    """What ungmusikk/settings.py sets from FEIDE_OIDC_* (test_settings_from_the_environment
    checks that), pointed at the local provider."""
    settings.FEIDE_ENABLED = True
    settings.FEIDE_OIDC_ISSUER = f"{provider}/o"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/o/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_TOKEN_USE_BASIC_AUTH = True
    settings.OIDC_USE_NONCE = True
    settings.OIDC_USE_PKCE = True
    settings.OIDC_CREATE_USER = False
    settings.OIDC_TIMEOUT = 10
    settings.OIDC_AUTHENTICATE_CLASS = "governance.oidc.FeideLoginView"
    settings.OIDC_CALLBACK_CLASS = "governance.oidc.FeideCallbackView"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "governance.oidc.FeideBackend"]
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": f"{provider}/o"}
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    _reload_urls()


@pytest.fixture
def feide_off(settings):
    enabled = settings.FEIDE_ENABLED
    settings.FEIDE_ENABLED = False
    _reload_urls()
    yield
    settings.FEIDE_ENABLED = enabled
    _reload_urls()


@pytest.fixture
def feide_settings(settings):
    """Feide on, with a provider that does not answer (pages that never reach it)."""
    enabled = settings.FEIDE_ENABLED
    _feide_on(settings, provider="http://127.0.0.1:9")
    yield
    settings.FEIDE_ENABLED = enabled
    _reload_urls()


class Feide:
    """The local provider and a browser: `login(user)` logs the provider's user in at the
    provider; `start()`, `authorize()` and `callback()` are the three legs of a login."""

    def __init__(self, live_server_url: str):
        self.portal = live_server_url.replace("127.0.0.1", "localhost")
        self.provider = self.portal.replace("localhost", "127.0.0.1")
        self.browser = requests.Session()

    def provider_user(self, username: str, **claims):
        """A person at the provider, with the identity it gives the portal (`sub` and so on).
        They have no e-mail address and no profile in the shared table, so the portal could
        never match them by themselves."""
        user = get_user_model().objects.create_user(username, password=None)
        IDENTITIES[username] = claims
        client = Client()
        client.force_login(user)
        self.browser.cookies.set("sessionid", client.cookies["sessionid"].value, domain="127.0.0.1", path="/")
        return user

    def start(self, next_url: str = "") -> str:
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        answer = self.browser.get(f"{self.portal}/feide/logg-inn/{query}", allow_redirects=False, timeout=30)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith(f"{self.provider}/o/authorize/?")
        return answer.headers["Location"]

    def authorize(self, authorize_url: str) -> str:
        answer = self.browser.get(authorize_url, allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.text[:500]
        assert answer.headers["Location"].startswith(f"{self.portal}/feide/callback/?")
        return answer.headers["Location"]

    def callback(self, callback_url: str) -> requests.Response:
        return self.browser.get(callback_url, allow_redirects=False, timeout=30)

    def login(self, next_url: str = "") -> requests.Response:
        return self.callback(self.authorize(self.start(next_url)))

    def get(self, path: str) -> requests.Response:
        return self.browser.get(f"{self.portal}{path}", allow_redirects=False, timeout=30)


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture
def feide(live_server, settings):
    """Feide on, pointed at the local provider on the live server, with the portal registered
    there as a confidential client that skips the consent page."""
    from oauth2_provider.models import get_application_model

    session = Feide(live_server.url)
    enabled = settings.FEIDE_ENABLED
    _feide_on(settings, provider=session.provider)
    get_application_model().objects.create(
        name="UngMusikk",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=f"{session.portal}/feide/callback/",
        algorithm="RS256",
        skip_authorization=True,
    )
    yield session
    IDENTITIES.clear()
    settings.FEIDE_ENABLED = enabled
    _reload_urls()


def _link(person, subject: str) -> None:
    Profile.objects.update_or_create(user=person, defaults={"feide_subject": subject})


def _security_records(caplog, level=logging.WARNING) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ungmusikk.security" and r.levelno >= level]


# --- The whole flow against the local provider -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_linked_rector_logs_in_with_feide_and_sees_their_school(feide, rector_a, caplog):
    caplog.set_level(logging.INFO, logger="ungmusikk.security")
    _link(rector_a, "76a7a061-3c55-430d-8ee0-6f82ec42501f")
    feide.provider_user("rektor-hos-feide", sub="76a7a061-3c55-430d-8ee0-6f82ec42501f")

    answer = feide.login()

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/skoler/start/"
    assert feide.get("/skoler/start/").headers["Location"] == "/skoler/skole-a/"
    dashboard = feide.get("/skoler/skole-a/")
    assert dashboard.status_code == 200
    assert "Skole A" in dashboard.text
    # Their role's permissions, and no more: another school's dashboard is not theirs.
    assert feide.get("/skoler/skole-b/").status_code == 404
    assert feide.get("/skoler/").status_code == 403
    [logged] = _security_records(caplog, logging.INFO)
    assert logged.startswith("Feide login: rektor-a (at=")
    assert "matched by feide_subject ip=127.0.0.1" in logged


@pytest.mark.django_db(transaction=True)
def test_feide_login_goes_on_to_the_page_asked_for(feide, rector_a):
    _link(rector_a, "sub-rektor-a")
    feide.provider_user("rektor-hos-feide", sub="sub-rektor-a")

    answer = feide.login(next_url="/profil/")

    assert answer.headers["Location"] == "/profil/"
    assert feide.get("/profil/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_verified_email_matches_the_one_person_with_it(feide, coord_follo):
    coord_follo.email = "koord.follo@follo.kommune.no"
    coord_follo.save()
    feide.provider_user("koord-hos-feide", sub="ny-sub", email="Koord.Follo@FOLLO.kommune.no", email_verified=True)

    answer = feide.login()

    assert answer.status_code == 302
    assert feide.get("/profil/").status_code == 200
    assert "koord-follo" in feide.get("/profil/").text
    # The e-mail let them in; linking their Feide account stays a superuser's decision.
    assert Profile.of(coord_follo).feide_subject is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("email", "email_verified", "reason"),
    [
        ("koord.follo@follo.kommune.no", False, "the e-mail address is not verified by the provider"),
        ("koord.follo@follo.kommune.no", "false", "the e-mail address is not verified by the provider"),
        ("delt@ungmusikk.no", True, "several active people have this e-mail address"),
        ("tidligere@ungmusikk.no", True, "no active person has this e-mail address"),
        ("lenket@ungmusikk.no", True, "linked to another Feide account"),
        ("", True, "no person is linked to this Feide identifier (at="),
    ],
)
def test_email_matches_only_when_verified_and_unique(
    feide, coord_follo, coord_romerike, email, email_verified, reason, caplog
):
    get_user_model().objects.filter(pk=coord_follo.pk).update(email="koord.follo@follo.kommune.no")
    get_user_model().objects.create_user("delt-1", email="delt@ungmusikk.no")
    get_user_model().objects.create_user("delt-2", email="DELT@ungmusikk.no")
    get_user_model().objects.create_user("tidligere", email="tidligere@ungmusikk.no", is_active=False)
    _link(get_user_model().objects.create_user("lenket", email="lenket@ungmusikk.no"), "en-annen-sub")
    feide.provider_user("hos-feide", sub="ukjent-sub", email=email, email_verified=email_verified)

    answer = feide.login()

    assert answer.status_code == 403
    assert NO_ACCESS in answer.text
    assert reason in _security_records(caplog)[0]
    assert feide.get("/profil/").status_code == 302  # not logged in


@pytest.mark.django_db(transaction=True)
def test_unknown_feide_user_is_refused_logged_and_not_created(feide, rector_a, caplog):
    feide.provider_user("ukjent-hos-feide", sub="sub-ukjent", email="ukjent@skole.no", email_verified=True)
    people_before = sorted(get_user_model().objects.values_list("username", flat=True))

    answer = feide.login()

    assert answer.status_code == 403
    assert NO_ACCESS in answer.text
    assert "administratoren for nettverket" in answer.text
    assert "sub-ukjent" in answer.text  # to give the administrator
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == people_before
    assert Profile.objects.count() == 0
    [record] = [r for r in caplog.records if r.name == "ungmusikk.security" and "Feide" in r.getMessage()]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert re.fullmatch(
        r"Feide login refused: no person is linked to this Feide identifier; no active person has this e-mail "
        r"address \(at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00 sub='sub-ukjent' email_domain='skole\.no' "
        r"email_verified=True ip=127\.0\.0\.1\)",
        message,
    )
    assert feide.get("/skoler/start/").status_code == 302  # not logged in


@pytest.mark.django_db(transaction=True)
def test_inactive_linked_person_is_refused(feide, rector_a):
    _link(rector_a, "sub-rektor-a")
    get_user_model().objects.filter(pk=rector_a.pk).update(is_active=False)
    feide.provider_user("rektor-hos-feide", sub="sub-rektor-a")

    answer = feide.login()

    assert answer.status_code == 403
    assert NO_ACCESS in answer.text


@pytest.mark.django_db(transaction=True)
def test_tampered_state_is_refused(feide, rector_a, caplog):
    _link(rector_a, "sub-rektor-a")
    feide.provider_user("rektor-hos-feide", sub="sub-rektor-a")
    callback = feide.authorize(feide.start())

    answer = feide.callback(_with_query(callback, state="a-state-this-browser-never-got"))

    assert answer.status_code == 400
    assert FAILED in answer.text
    assert "state not found" in _security_records(caplog)[0]
    assert feide.get("/skoler/start/").status_code == 302  # not logged in


@pytest.mark.django_db(transaction=True)
def test_id_token_with_another_nonce_is_refused(feide, rector_a, caplog):
    """A code whose ID token carries a nonce this login did not send (the nonce of another
    login of the same browser) is refused, though its state is right and its signature good."""
    _link(rector_a, "sub-rektor-a")
    feide.provider_user("rektor-hos-feide", sub="sub-rektor-a")
    first, second = feide.start(), feide.start()
    other_nonce = parse_qs(urlsplit(second).query)["nonce"][0]

    answer = feide.callback(feide.authorize(_with_query(first, nonce=other_nonce)))

    assert answer.status_code == 400
    assert FAILED in answer.text
    assert "Nonce verification failed" in _security_records(caplog)[0]
    assert feide.get("/skoler/start/").status_code == 302  # not logged in


@pytest.mark.django_db(transaction=True)
def test_id_token_from_another_issuer_is_refused(feide, rector_a, settings, caplog):
    _link(rector_a, "sub-rektor-a")
    feide.provider_user("rektor-hos-feide", sub="sub-rektor-a")
    settings.FEIDE_OIDC_ISSUER = "https://auth.dataporten.no"

    answer = feide.login()

    assert answer.status_code == 400
    assert FAILED in answer.text
    assert "Feide token refused: Invalid issuer" in _security_records(caplog)[0]
    assert feide.get("/skoler/start/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_replayed_callback_is_refused(feide, rector_a):
    _link(rector_a, "sub-rektor-a")
    feide.provider_user("rektor-hos-feide", sub="sub-rektor-a")
    callback = feide.authorize(feide.start())
    assert feide.callback(callback).status_code == 302
    feide.browser.post(
        f"{feide.portal}/logg-ut/",
        headers={"X-CSRFToken": feide.browser.cookies.get("csrftoken", "") or ""},
        timeout=30,
    )
    feide.browser.cookies.clear(domain="localhost.local")

    answer = feide.callback(callback)

    assert answer.status_code == 400
    assert FAILED in answer.text
    assert feide.get("/skoler/start/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_cancelled_at_feide_is_a_failed_login(feide):
    authorize = feide.start()
    state = parse_qs(urlsplit(authorize).query)["state"][0]

    answer = feide.get(f"/feide/callback/?{urlencode({'error': 'access_denied', 'state': state})}")

    assert answer.status_code == 400
    assert FAILED in answer.text


# --- Without the provider -------------------------------------------------------------------------


def test_settings_from_the_environment():
    """ungmusikk/settings.py read in a fresh process, as at start-up: nothing set → no backend,
    no address; client id and secret → Feide's documented endpoints under the issuer; one of
    them alone → refused."""
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings as s; from django.urls import reverse, NoReverseMatch\n"
        "try: url = reverse('oidc_authentication_callback')\n"
        "except NoReverseMatch: url = None\n"
        "print(json.dumps({'backends': s.AUTHENTICATION_BACKENDS, 'enabled': s.FEIDE_ENABLED, 'callback': url,"
        " 'endpoints': [getattr(s, n, None) for n in ('OIDC_OP_AUTHORIZATION_ENDPOINT', 'OIDC_OP_TOKEN_ENDPOINT',"
        " 'OIDC_OP_USER_ENDPOINT', 'OIDC_OP_JWKS_ENDPOINT')], 'algo': getattr(s, 'OIDC_RP_SIGN_ALGO', None),"
        " 'create': getattr(s, 'OIDC_CREATE_USER', None), 'nonce': getattr(s, 'OIDC_USE_NONCE', None)}))\n"
    )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("FEIDE_OIDC_")}
    base_env.update(DJANGO_SETTINGS_MODULE="ungmusikk.settings", DEBUG="1")
    base_env.pop("DATABASE_URL", None)

    def run(**env):
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], env={**base_env, **env}, cwd=BASE_DIR, capture_output=True, text=True
        )
        return done.returncode, done.stdout, done.stderr

    code, out, _err = run()
    assert code == 0
    off = json.loads(out)
    assert off == {
        "backends": [
            "axes.backends.AxesStandaloneBackend",
            "governance.auth.PortalBackend",
            "rules.permissions.ObjectPermissionBackend",
        ],
        "enabled": False,
        "callback": None,
        "endpoints": [None, None, None, None],
        "algo": None,
        "create": None,
        "nonce": None,
    }

    code, out, _err = run(FEIDE_OIDC_CLIENT_ID="id", FEIDE_OIDC_CLIENT_SECRET="secret")
    assert code == 0
    on = json.loads(out)
    assert on["backends"][-1] == "governance.oidc.FeideBackend"
    assert on["callback"] == "/feide/callback/"
    assert on["endpoints"] == [
        "https://auth.dataporten.no/oauth/authorization",
        "https://auth.dataporten.no/oauth/token",
        "https://auth.dataporten.no/openid/userinfo",
        "https://auth.dataporten.no/openid/jwks",
    ]
    assert (on["algo"], on["create"], on["nonce"]) == ("RS256", False, True)

    code, out, _err = run(
        FEIDE_OIDC_CLIENT_ID="id",
        FEIDE_OIDC_CLIENT_SECRET="secret",
        FEIDE_OIDC_ISSUER="https://idp.example.no/",
        FEIDE_OIDC_JWKS_ENDPOINT="https://keys.example.no/jwks",
    )
    assert json.loads(out)["endpoints"] == [
        "https://idp.example.no/oauth/authorization",
        "https://idp.example.no/oauth/token",
        "https://idp.example.no/openid/userinfo",
        "https://keys.example.no/jwks",
    ]

    code, _out, err = run(FEIDE_OIDC_CLIENT_ID="id")
    assert code == 1
    assert "Feide login needs both FEIDE_OIDC_CLIENT_ID and FEIDE_OIDC_CLIENT_SECRET" in err


@pytest.mark.django_db
def test_no_button_and_no_addresses_when_feide_is_off(client, feide_off):
    assert FEIDE_BUTTON not in client.get("/logg-inn/").content.decode()
    assert FEIDE_BUTTON not in client.get("/admin/login/").content.decode()
    assert client.get("/feide/logg-inn/").status_code == 404
    assert client.get("/feide/callback/?code=x&state=y").status_code == 404


@pytest.mark.django_db
def test_login_pages_have_the_button_when_feide_is_on(client, feide_settings):
    page = client.get("/logg-inn/?next=/profil/").content.decode()
    assert f'href="/feide/logg-inn/?next=%2Fprofil%2F">{FEIDE_BUTTON}</a>' in page
    admin_page = client.get("/admin/login/?next=/admin/").content.decode()
    assert f'class="button" href="/feide/logg-inn/?next=%2Fadmin%2F">{FEIDE_BUTTON}</a>' in admin_page


@pytest.mark.django_db
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(max_size=80), state=st.text(max_size=80), error=st.sampled_from(["", "access_denied", "æ\x00"]))
def test_hostile_callback_parameters_get_the_failed_page(client, feide_settings, code, state, error):
    """Whatever comes back in the callback's address (nothing is asked of the provider, as no
    login was started): the failed page, never a server error."""
    params = {"code": code, "state": state} | ({"error": error} if error else {})
    answer = client.get("/feide/callback/", params)
    assert answer.status_code == 400
    assert FAILED in answer.content.decode()


def test_the_backend_grants_no_permissions_and_gives_a_person(db, rector_a, django_user_model):
    rector_a.user_permissions.add(Permission.objects.get(codename="change_user"))
    rector_a.user_permissions.add(Permission.objects.get(codename="change_school"))
    backend = FeideBackend.__new__(FeideBackend)  # no settings needed to answer these

    assert backend.has_perm(rector_a, "auth.change_user") is False
    assert backend.get_all_permissions(rector_a) == set()
    assert backend.has_module_perms(rector_a, "auth") is False
    assert type(backend.get_user(rector_a.pk)) is Person
    assert backend.authenticate(None, username="rektor-a", password="x") is None
    django_user_model.objects.filter(pk=rector_a.pk).update(is_active=False)
    assert backend.get_user(rector_a.pk) is None


# --- Linking a person to their Feide account (superusers only) -------------------------------------


def test_superuser_links_a_person_in_the_admin_and_it_is_audited(client_as, superuser, rector_a):
    client = client_as(superuser)
    page = client.get(f"/admin/auth/user/{rector_a.pk}/change/").content.decode()
    assert 'name="profile-0-feide_subject"' in page

    form = _user_change_form(client, rector_a)
    form["profile-0-feide_subject"] = " 76a7a061-3c55-430d-8ee0-6f82ec42501f "
    answer = client.post(f"/admin/auth/user/{rector_a.pk}/change/", form)

    assert answer.status_code == 302
    assert Profile.of(rector_a).feide_subject == "76a7a061-3c55-430d-8ee0-6f82ec42501f"
    entry = AuditEntry.objects.get(action=AuditAction.FEIDE_SUBJECT_SET)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (superuser.pk, "governance.person", str(rector_a.pk))
    assert entry.changes == {"feide_subject": [None, "76a7a061-3c55-430d-8ee0-6f82ec42501f"]}


def test_the_same_feide_account_cannot_be_linked_twice(client_as, superuser, rector_a, rector_b):
    _link(rector_b, "sub-1")
    client = client_as(superuser)
    form = _user_change_form(client, rector_a)
    form["profile-0-feide_subject"] = "sub-1"

    answer = client.post(f"/admin/auth/user/{rector_a.pk}/change/", form)

    assert answer.status_code == 200
    assert "En annen person er allerede koblet til denne Feide-kontoen." in answer.content.decode()
    assert Profile.of(rector_a).feide_subject is None


def test_staff_who_may_change_users_do_not_see_or_set_the_feide_account(client_as, nmh_coordinator, rector_a):
    for codename in ("view_user", "change_user"):
        nmh_coordinator.user_permissions.add(Permission.objects.get(codename=codename))
    client = client_as(nmh_coordinator)
    page = client.get(f"/admin/auth/user/{rector_a.pk}/change/")
    assert page.status_code == 200
    assert "feide_subject" not in page.content.decode()

    form = _user_change_form(client, rector_a)
    form.update({"profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "0", "profile-0-feide_subject": "mitt-sub"})
    client.post(f"/admin/auth/user/{rector_a.pk}/change/", form)

    assert Profile.of(rector_a).feide_subject is None
    with pytest.raises(PermissionDenied):
        profile_feide_subject_set(user=nmh_coordinator, person=rector_a, feide_subject="mitt-sub")


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_is_linked_stripped_or_refused_by_field(superuser, rector_a, text):
    try:
        profile = profile_feide_subject_set(user=superuser, person=rector_a, feide_subject=text)
    except ValidationError as error:
        assert set(error.message_dict) == {"feide_subject"}
        return
    assert profile.feide_subject == (text.strip() or None)


def _user_change_form(client, person) -> dict:
    """The user's change form as the admin draws it (every field with its value)."""
    from lxml import html

    page = html.fromstring(client.get(f"/admin/auth/user/{person.pk}/change/").content)
    data: dict[str, list[str]] = {}
    for name, value in page.get_element_by_id("user_form").form_values():
        data.setdefault(name, []).append(value)
    return data
