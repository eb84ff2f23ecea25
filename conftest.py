"""Shared test fixtures: a small network and the personas of the house style.

The personas: a rector of school A (Follo) and of school B (Romerike), a coordinator of
Follo and of Romerike, a steering-group member and its leader, the daily leader and NMH's
coordinator (central staff), a superuser, and an anonymous visitor (the plain `client`). As in
the demo network, central staff and the steering group have staff accounts: they keep or read
the network's data and the budget in the admin. Every test uses these names.
"""

import os
import shutil
from dataclasses import dataclass
from datetime import date

import pytest

# pytest-django's live_server with Playwright's sync API runs inside an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# The reference data the data migrations load. A transactional test (browser, worker) ends
# with a flush that empties it; the autouse fixture below loads it again (idempotently).
REFERENCE_DATA = [
    ("governance.migrations.0002_cooperation_areas", "load_areas"),
    ("governance.migrations.0003_portal_settings", "create_settings"),
    ("funding.migrations.0002_contribution_tiers", "load_tiers"),
    ("core.schedules", "periodic_jobs_create"),
]


def ensure_reference_data() -> None:
    from importlib import import_module

    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Every database test starts with what the migrations loaded."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from governance.models import CooperationArea

    if CooperationArea.objects.count() < 10:
        ensure_reference_data()


@pytest.fixture
def browser_context_args(browser_context_args):
    """A Norwegian browser: the portal answers in the visitor's language."""
    return {**browser_context_args, "locale": "nb-NO"}


@pytest.fixture(autouse=True)
def _unhashed_static_names_for_browser_tests(request, settings):
    """The live server serves static files from the finders, which know `js/dashboard.js`
    but not the manifest's hashed name that production (DEBUG off) puts in the page."""
    if request.node.get_closest_marker("browser"):
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    """Browser tests need the system Chromium. Without it they are skipped, unless
    REQUIRE_BROWSER=1 (CI), where a missing browser is an error."""
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def celery_worker_process(db):
    """A real `celery worker` process on Redis (REDIS_URL) against this test's PostgreSQL
    database, consuming a queue of its own. Yields (queue, start) where start(**env) starts a
    worker and returns its Popen; every worker is killed at teardown."""
    import signal
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from django.db import connection

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and DATABASE_URL on PostgreSQL (CI sets both)")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"test-{uuid.uuid4().hex[:12]}"
    workers: list[subprocess.Popen] = []
    root = Path(__file__).resolve().parent
    log_dir = root / "test-results"
    log_dir.mkdir(exist_ok=True)

    def start(**extra_env) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": os.environ.get("SECRET_KEY", "test-worker-key"),
            "DEBUG": "0",
            **extra_env,
        }
        log = open(log_dir / f"celery-{queue}-{len(workers)}.log", "w")  # noqa: SIM115 - closed with the process
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ungmusikk",
                "worker",
                "-Q",
                queue,
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                "-n",
                f"{queue}-{len(workers)}@%h",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        workers.append(worker)
        return worker

    yield queue, start
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


# --- Two factors for the admin (issue 14) ---
@pytest.fixture(autouse=True)
def _admin_otp_only_when_marked(request, settings):
    """The admin asks superusers, central staff and the access manager for a one-time code when
    ADMIN_REQUIRES_OTP is on (production; CI runs with DEBUG=0). The tests that log them in
    with force_login are about other things: the requirement is off for them and on for the
    tests marked `otp` (ungmusikk/tests/test_*two_factor.py), whatever the environment says."""
    settings.ADMIN_REQUIRES_OTP = request.node.get_closest_marker("otp") is not None


@pytest.fixture(autouse=True)
def _the_portals_language():
    """Every test starts and ends in the portal's language (settings.LANGUAGE_CODE): a test
    client's request in English leaves English active in the thread (LocaleMiddleware
    activates a language per request and nothing deactivates it), and a later test that calls
    a function directly would otherwise run in English, depending on the order of the tests."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Demo users and personas get passwords; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Network:
    follo: object
    romerike: object
    school_a: object
    school_b: object
    school_a2: object
    steering_group: object


@pytest.fixture
def network(db):
    """Two regions, three schools (A and A2 in Follo, B in Romerike), a steering group."""
    from governance.models import Body
    from governance.tests.factories import BodyFactory
    from schools.tests.factories import RegionFactory, SchoolFactory

    follo = RegionFactory(name="Follo", slug="follo")
    romerike = RegionFactory(name="Romerike", slug="romerike")
    return Network(
        follo=follo,
        romerike=romerike,
        school_a=SchoolFactory(name="Skole A", slug="skole-a", region=follo),
        school_b=SchoolFactory(name="Skole B", slug="skole-b", region=romerike),
        school_a2=SchoolFactory(name="Skole A2", slug="skole-a2", region=follo),
        steering_group=BodyFactory(name="Styringsgruppen", kind=Body.Kind.STEERING_GROUP),
    )


def make_persona(username, *, is_staff=False, **role):
    """A user with one role from 2013 on (no role when none is given)."""
    from governance.tests.factories import RoleFactory, UserFactory

    user = UserFactory(username=username, is_staff=is_staff)
    if role:
        RoleFactory(user=user, valid_from=date(2013, 1, 1), **role)
    return user


@pytest.fixture
def rector_a(network):
    from governance.models import Role

    return make_persona("rektor-a", kind=Role.Kind.RECTOR, school=network.school_a)


@pytest.fixture
def rector_b(network):
    from governance.models import Role

    return make_persona("rektor-b", kind=Role.Kind.RECTOR, school=network.school_b)


@pytest.fixture
def coord_follo(network):
    from governance.models import Role

    return make_persona("koord-follo", kind=Role.Kind.COORDINATOR, region=network.follo)


@pytest.fixture
def coord_romerike(network):
    from governance.models import Role

    return make_persona("koord-romerike", kind=Role.Kind.COORDINATOR, region=network.romerike)


@pytest.fixture
def steering_member(network):
    from governance.models import Role

    return make_persona("styre", is_staff=True, kind=Role.Kind.MEMBER, body=network.steering_group)


@pytest.fixture
def daily_leader(network):
    from governance.models import Role

    return make_persona("leder", is_staff=True, kind=Role.Kind.DAILY_LEADER)


@pytest.fixture
def nmh_coordinator(network):
    """NMH's coordinator (central staff, like the daily leader)."""
    from governance.models import Role

    return make_persona("nmh", is_staff=True, kind=Role.Kind.NMH_COORDINATOR)


@pytest.fixture
def steering_leader(network):
    """The leader's seat in the steering group."""
    from governance.models import Role

    return make_persona("styreleder", is_staff=True, kind=Role.Kind.LEADER, body=network.steering_group)


@pytest.fixture
def access_manager(network):
    """The access manager («Tilgangsforvalter»): grants the others' roles, holds no other."""
    from governance.models import Role

    return make_persona("tilgang", is_staff=True, kind=Role.Kind.ACCESS_MANAGER)


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-for-tests-1")


@pytest.fixture
def client_as(client):
    """client_as(user) logs the test client in as that user and returns it."""

    def login(user):
        client.force_login(user)
        return client

    return login


# --- Login lockout (django-axes, issue 14) ---
#
# axes counts every login and refuses one it cannot count: an authentication without a request.
# The test client's `client.login(username=..., password=...)` passes none; a test that uses it
# asks for `login_lockout_off` (or passes `request=HttpRequest()`, or logs in with
# `client_as`/`force_login`). The lockout tests keep axes on.


@pytest.fixture
def login_lockout_off(settings):
    settings.AXES_ENABLED = False


# --- The demo network, as load_demo builds it (the walk and browser tests) ---
#
# `demo_network` loads `manage.py load_demo` once per test module (and xdist worker) inside an
# outer transaction that is rolled back when the module's last test is done, so the other
# modules still start from an empty database. A test that uses it runs under pytest-django's
# `db` (a `django.test.TestCase`), whose atomic block becomes a savepoint inside the outer
# transaction: what one test writes is gone before the next. It cannot serve a `live_server`
# or `transaction=True` test: those need committed data (and flush the tables at the end), so
# a browser test calls load_demo itself.

DEMO_NO_ROLE_USERNAME = "ingen-rolle"


@pytest.fixture(scope="module")
def demo_network(django_db_setup, django_db_blocker):
    """The demo network as `load_demo` builds it, plus a user with no role ("ingen-rolle").
    Module-scoped; the tests that use it need the `django_db` mark (not transactional)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import override_settings

    from schools.models import School

    with django_db_blocker.unblock():
        assert not connection.in_atomic_block, "demo_network must be the outermost transaction"
        schools_before = School.objects.count()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # A transactional test earlier in this worker may have flushed the migrations' data.
            ensure_reference_data()
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                # pytest-django runs with DEBUG off, where load_demo wants --force.
                call_command("load_demo", force=True, verbosity=0)
                get_user_model().objects.create_user(
                    DEMO_NO_ROLE_USERNAME, f"{DEMO_NO_ROLE_USERNAME}@ungmusikk.example"
                )
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        assert School.objects.count() == schools_before, "the demo network outlived its module"


def pytest_terminal_summary(terminalreporter):
    """One line per persona of the walk (ungmusikk/tests/test_walk.py), also from xdist workers."""
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "walk"
    ]
    if lines:
        terminalreporter.section("walk of the demo network")
        for line in sorted(lines):
            terminalreporter.write_line(line)


# --- Production settings and the Content-Security-Policy (issue 14) ---


@pytest.fixture(scope="session", autouse=True)
def _plain_http_for_tests():
    """The test client and the live server speak plain HTTP, as `make stack` does: with DEBUG
    off (CI) the tests turn the HTTPS switches off, for the whole session (the live server
    reads them once, when it starts). Secure cookies over http://localhost half work in
    Chromium: they are set, but a later answer cannot delete them (the budget's vote lost its
    message). The Content-Security-Policy and the other headers stay on;
    ungmusikk/tests/test_deploy_check.py checks the production values."""
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False):
        yield


# Runs in every page of a browser test before the page's own scripts: each Content-Security-
# Policy violation is kept in the page (window.__cspViolations) and reported at once to the
# test (which keeps it when the page is left).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var line = e.violatedDirective + " " + (e.blockedURI || "inline") + " on " + document.location.pathname +
    (e.sourceFile ? " (" + e.sourceFile + ":" + e.lineNumber + ")" : "");
  window.__cspViolations.push(line);
  if (window.__cspReport) { window.__cspReport(line); }
}, true);
"""
CSP_CONSOLE_SIGNS = ("Content Security Policy", "Refused to")


def csp_watch(context, violations: list[str]) -> None:
    """Record every Content-Security-Policy violation in the browser context's pages in
    `violations`: the securitypolicyviolation events, and Chromium's console messages about
    the policy as a second net."""
    context.expose_binding("__cspReport", lambda source, line: violations.append(line))
    context.add_init_script(script=CSP_LISTENER)

    def console(message):
        if message.type in ("error", "warning") and any(sign in message.text for sign in CSP_CONSOLE_SIGNS):
            violations.append(f"console: {message.text}")

    context.on("console", console)


def csp_violations_seen(context, violations: list[str]) -> list[str]:
    """The violations recorded so far, with those the open pages hold but have not yet reported."""
    seen = list(violations)
    for open_page in context.pages:
        try:
            seen += open_page.evaluate("window.__cspViolations || []")
        except Exception:  # noqa: BLE001, S112 - a page closing or navigating has reported its own
            continue
    return list(dict.fromkeys(seen))


@pytest.fixture
def csp_violations() -> list[str]:
    """The Content-Security-Policy violations the browser test's pages have reported so far."""
    return []


@pytest.fixture
def context(context, csp_violations):
    """pytest-playwright's browser context, watched: a browser test fails on any
    Content-Security-Policy violation on any page it visited."""
    csp_watch(context, csp_violations)
    yield context
    seen = csp_violations_seen(context, csp_violations)
    if seen:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(seen), pytrace=False)
