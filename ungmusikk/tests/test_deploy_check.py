"""Production settings: `manage.py check --deploy --fail-level WARNING` passes with DEBUG off
(HTTPS only: HSTS, the redirect, secure cookies), and each plain-HTTP switch of `make stack`
really turns its setting off. Each case starts Django in a subprocess with its own environment,
as production and CI do."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Only what production would have: the system's basics and the portal's variables.
BASICS = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.core import checks
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY", "SESSION_COOKIE_AGE", "SESSION_SAVE_EVERY_REQUEST",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_COOKIE_HTTPONLY"]
found = checks.run_checks(include_deployment_checks=True)
print(json.dumps({
    "settings": {name: getattr(s, name, None) for name in names},
    "warnings": sorted(m.id for m in found if m.level >= checks.WARNING and not m.is_silenced()),
}))
"""


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {key: os.environ[key] for key in BASICS if key in os.environ}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="portal.example.no",
        # check --deploy opens no database; a SQLite URL keeps PostgreSQL out of it.
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        DJANGO_SETTINGS_MODULE="ungmusikk.settings",
    )
    env.update(extra)
    return env


def run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def probe(env) -> dict:
    """The settings Django ends up with in this environment, and the deploy check's warnings."""
    result = run(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    return probe(production_env(tmp_path_factory.mktemp("production")))


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_production_settings_are_https_only_with_two_hour_sessions(production):
    assert production["warnings"] == []
    assert production["settings"] == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        # Only when the proxy in front says so (TRUST_X_FORWARDED_PROTO=1).
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SESSION_COOKIE_AGE": 7200,
        "SESSION_SAVE_EVERY_REQUEST": True,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }


@pytest.mark.parametrize(
    ("variable", "off", "warning"),
    [
        ("SECURE_SSL_REDIRECT", False, "security.W008"),
        ("SECURE_HSTS_SECONDS", 0, "security.W004"),
        ("SESSION_COOKIE_SECURE", False, "security.W012"),
        ("CSRF_COOKIE_SECURE", False, "security.W016"),
    ],
)
def test_each_plain_http_switch_turns_its_setting_off_and_only_that(tmp_path, production, variable, off, warning):
    switched = probe(production_env(tmp_path, **{variable: "0"}))

    assert switched["settings"][variable] == off
    changed = {name for name, value in production["settings"].items() if switched["settings"][name] != value}
    # HSTS off takes its subdomain clause with it; nothing else moves.
    expected = {variable, "SECURE_HSTS_INCLUDE_SUBDOMAINS"} if variable == "SECURE_HSTS_SECONDS" else {variable}
    assert changed == expected
    # And Django's deploy check notices: this warning and no other.
    assert switched["warnings"] == [warning]


def test_make_stack_switches_serve_plain_http(tmp_path):
    """The Makefile's STACK_HTTP, as `make stack` passes it."""
    makefile = (ROOT / "Makefile").read_text()
    line = next(line for line in makefile.splitlines() if line.startswith("STACK_HTTP ="))
    switches = dict(item.split("=", 1) for item in line.split("=", 1)[1].split())

    stack = probe(production_env(tmp_path, **switches))["settings"]

    assert stack["DEBUG"] is False
    assert stack["SECURE_SSL_REDIRECT"] is False
    assert stack["SECURE_HSTS_SECONDS"] == 0
    assert stack["SESSION_COOKIE_SECURE"] is False
    assert stack["CSRF_COOKIE_SECURE"] is False
    # The rest of production stays: the headers that work on plain HTTP, and the short sessions.
    assert stack["X_FRAME_OPTIONS"] == "DENY"
    assert stack["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_the_proxy_header_is_trusted_only_when_said(tmp_path, production):
    behind_proxy = probe(production_env(tmp_path, TRUST_X_FORWARDED_PROTO="1"))

    assert production["settings"]["SECURE_PROXY_SSL_HEADER"] is None
    assert behind_proxy["settings"]["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_switch_with_an_unclear_value_stops_the_start(tmp_path):
    result = run(["-c", PROBE], production_env(tmp_path, SECURE_SSL_REDIRECT="kanskje"))

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of" in result.stderr
