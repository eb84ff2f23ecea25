"""Logins that resist guessing: the client's address, the log of failed logins and lockouts,
the lockout page, and the limit on password-reset e-mails.

django-axes counts the failures and refuses a locked username and address
(ungmusikk/settings.py, "Logins"); this module is what the portal adds to it:

- every failed login and every lockout is written to the logger "ungmusikk.security" with the
  username as typed, the time and the address, never the password;
- a locked-out login gets the portal's own login page with a Norwegian message (status 429),
  the same whether or not the username exists;
- one address gets at most PASSWORD_RESET_MAX_PER_HOUR password-reset e-mails an hour.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

security_log = logging.getLogger("ungmusikk.security")

# A username as typed is logged and counted at most this long (a hostile one may be very long):
# the longest username Django's user model holds.
_USERNAME_MAX = 150


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
    address the outermost of them put in X-Forwarded-For (each proxy appends the address it
    was called from; anything further left was written by the client and is not trusted)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip(remote) else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username axes counts and stores (AXES_USERNAME_CALLABLE): as typed, cut to the
    longest username there can be. Django's login form does not hold a username to its
    maximum length, and axes' tables keep 255 characters (PostgreSQL refused a longer one
    with a server error); a real username is never longer than the cut."""
    username = credentials.get("username") if credentials else request.POST.get("username")
    if username is None:
        return None
    return str(username).replace("\x00", "")[:_USERNAME_MAX]


def _request_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or client_ip(request)


def _username_text(username) -> str:
    return repr(str(username or "")[:_USERNAME_MAX])


@receiver(user_login_failed, dispatch_uid="ungmusikk.security.login_failed")
def log_login_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """A failed login: who (the username as typed), when, from where. Django has already masked
    the password in `credentials`; only the username is read."""
    security_log.warning(
        "Login failed: username=%s ip=%s path=%s at=%s",
        _username_text(credentials.get("username")),
        _request_ip(request),
        getattr(request, "path", ""),
        timezone.now().isoformat(),
    )


@receiver(user_locked_out, dispatch_uid="ungmusikk.security.locked_out")
def log_lockout(sender, request: HttpRequest | None = None, username=None, ip_address=None, **kwargs) -> None:
    security_log.warning(
        "Login locked out: username=%s ip=%s path=%s at=%s for=%s",
        _username_text(username),
        ip_address or _request_ip(request),
        getattr(request, "path", ""),
        timezone.now().isoformat(),
        settings.AXES_COOLOFF_TIME,
    )


def lockout_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return ngettext(
        "For mange mislykkede forsøk. Prøv igjen om %(minutes)d minutt, eller be en administrator låse opp.",
        "For mange mislykkede forsøk. Prøv igjen om %(minutes)d minutter, eller be en administrator låse opp.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login gets (AXES_LOCKOUT_CALLABLE), on the portal's login page and the
    admin's alike: the login page, empty, with the lockout message. It names no username, so
    it reads the same whether or not the username exists."""
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "lockout_message": lockout_message(),
            "next": request.POST.get("next", "") if request.method == "POST" else "",
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def password_reset_allowed(*, email: str) -> bool:
    """Whether one more password-reset e-mail may go to `email` this hour (at most
    PASSWORD_RESET_MAX_PER_HOUR; 0 means no limit). Counted in the cache, per address."""
    limit = settings.PASSWORD_RESET_MAX_PER_HOUR
    if limit <= 0:
        return True
    key = "password-reset:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if cache.add(key, 1, timeout=60 * 60):
        return True
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60 * 60)
        return True
    if sent > limit:
        security_log.warning(
            "Password reset refused: more than %d e-mails this hour to one address (sha256 %s) at=%s",
            limit,
            key.rpartition(":")[2][:16],
            timezone.now().isoformat(),
        )
        return False
    return True
