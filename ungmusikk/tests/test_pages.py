import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_home_answers_200_for_anonymous_in_norwegian(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response["Content-Language"] == "nb"
    assert "Logg inn" in response.content.decode()


def test_home_in_english_when_asked(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "en"


def test_home_lists_the_users_roles(client_as, rector_a):
    response = client_as(rector_a).get(reverse("home"))

    assert [str(role.school) for role in response.context["roles"]] == ["Skole A"]


def test_login_page_norwegian_and_wrong_password_message(client, rector_a):
    response = client.post(reverse("login"), {"username": "rektor-a", "password": "feil"})

    assert response.status_code == 200
    assert "Vennligst oppgi korrekt brukernavn og passord" in response.content.decode()


def test_health_answers_ok(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}


def _django_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_start_without_secret_key_fails_clearly():
    result = _django_check({"DEBUG": "0"})

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_bad_debug_value_fails_clearly():
    result = _django_check({"DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_production_start_with_secret_key_passes():
    result = _django_check({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example.org"})

    assert result.returncode == 0, result.stderr
