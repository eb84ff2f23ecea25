"""The Content-Security-Policy and the other security headers on the portal's answers, HTTPS
when it is on, and the templates written for the policy: no inline script, event handler,
`javascript:` URL, style attribute or <style> block (the policy would refuse each one)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "login", "privacy"])
def test_public_pages_carry_the_policy_and_the_security_headers(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_admin_and_the_error_pages_carry_the_policy_too(client_as, daily_leader, rector_a):
    admin = client_as(daily_leader).get(reverse("admin:index"))
    assert admin.status_code == 200
    assert directives(admin["Content-Security-Policy"]) == POLICY

    # A refused persona gets the portal's 403/404 pages, under the same policy.
    refused = client_as(rector_a).get(reverse("schools:dashboard", args=["skole-b"]))
    assert refused.status_code in (403, 404)
    assert directives(refused["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_https_redirect_and_hsts_when_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    plain = client.get(reverse("login"))
    assert plain.status_code == 301
    assert plain["Location"] == f"https://testserver{reverse('login')}"

    secure = client.get(reverse("login"), secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_x_forwarded_proto_counts_only_when_the_proxy_is_trusted(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    # Not trusted (the default): a client's own header does not make the request secure.
    assert client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https").status_code == 301

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="http").status_code == 301


# What the policy refuses, as written in a template.
INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def portal_templates() -> list[Path]:
    found = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    # E-mails are read in mail programs, not served under the policy; they need inline styles.
    return sorted(path for path in found if "/email/" not in path.as_posix())


def test_the_templates_hold_nothing_the_policy_refuses():
    templates = portal_templates()
    assert len(templates) > 40

    found = [
        f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:80]}"
        for path in templates
        for what, pattern in INLINE.items()
        for match in pattern.finditer(path.read_text())
    ]

    assert found == []


def test_the_scan_finds_what_it_looks_for():
    samples = {
        "inline script": '<script>alert(1)</script> <script src="/static/x.js" defer></script>',
        "<style> block": "<style>p { color: red }</style>",
        "style attribute": '<td class="x" style="width:1px">',
        "event handler attribute": '<button type="button" onclick="go()">',
        "javascript: URL": '<a href="javascript:void(0)">',
    }
    for what, sample in samples.items():
        assert len(INLINE[what].findall(sample)) == 1, what
    assert not any(pattern.search('<script src="/static/js/portal.js" defer></script>') for pattern in INLINE.values())
