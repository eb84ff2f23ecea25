"""Logging in with Feide (OpenID Connect, through mozilla-django-oidc), on only when
settings.FEIDE_ENABLED (the FEIDE_OIDC_* environment variables; ungmusikk/settings.py).

A Feide login is a portal person's login only when the person is linked to it: by the Feide
identifier a superuser stored on their profile (`Profile.feide_subject`, Feide's `sub` claim),
or else by their e-mail address, when Feide says the address is verified, exactly one active
person has it (in any letter case) and that person is not linked to another Feide account.
It never creates a person or a role. Anyone else sees «Du har ingen tilgang ennå», with their
identifier to give the network's administrator, and the attempt is logged on the
"ungmusikk.security" logger.

The ID token is checked beyond the library's own checks (signature by the provider's JWKS,
algorithm RS256, the nonce of this browser's login): its issuer, its audience (this portal's
client id) and its expiry; the userinfo answer must be about the same `sub`."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import render, resolve_url
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import security
from .auth import PortalBackend
from .models import Person, Profile

security_logger = logging.getLogger("ungmusikk.security")

# Claims the ID token must carry (OpenID Connect Core 3.1.3.7).
ID_TOKEN_REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]
# Seconds of clock difference allowed between Feide and the portal.
CLOCK_LEEWAY = 60


def client_ip(request) -> str:
    """The client's address as the login lockout reads it (governance.security.client_ip:
    behind TRUSTED_PROXY_COUNT proxies, the one they saw); empty without a request."""
    return (security.client_ip(request) or "") if request is not None else ""


def email_domain(claims: dict[str, Any]) -> str:
    """The part of the claimed e-mail address after «@», for the log: pupils have Feide
    accounts too, so a refused person's address is not written down."""
    email = claims.get("email")
    return email.rpartition("@")[2] if isinstance(email, str) and "@" in email else ""


def email_is_verified(claims: dict[str, Any]) -> bool:
    """The provider says the address is verified (JSON true; some providers send "true")."""
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


class FeideBackend(OIDCAuthenticationBackend):
    """Finds the portal person a Feide login belongs to; grants no permissions itself (the
    portal's rules answer those for every person, through PortalBackend)."""

    def authenticate(self, request, **kwargs):
        # Only the callback (governance.oidc.FeideCallbackView) logs in through Feide: it
        # passes the nonce and the PKCE verifier of the login it started. A password form
        # posted with ?code=&state= in its address is not a Feide login.
        if request is None or "nonce" not in kwargs or "code_verifier" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"Feide token signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}.")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.FEIDE_OIDC_ISSUER,
                leeway=CLOCK_LEEWAY,
                options={"require": ID_TOKEN_REQUIRED_CLAIMS},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"Feide token refused: {error}") from error

    def get_userinfo(self, access_token, id_token, payload):
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.4: the userinfo answer must be about the token's subject.
            raise SuspiciousOperation("Feide userinfo is not about the ID token's subject.")
        # What the ID token says fills what userinfo leaves out (the e-mail's verification).
        return {**payload, **userinfo}

    def verify_claims(self, claims):
        """A login names its Feide account; an e-mail address is not required (a person linked
        by their identifier logs in without one)."""
        subject = claims.get("sub")
        return isinstance(subject, str) and subject != ""

    def filter_users_by_claims(self, claims):
        """The one active person the Feide account is linked to, by identifier or else by
        verified e-mail; none (logged, and the callback shows «Du har ingen tilgang ennå»)
        when there is no such person or several."""
        subject = claims["sub"]
        people = Person._default_manager.filter(is_active=True)
        linked = list(people.filter(profile__feide_subject=subject))
        if linked:
            self._log_login(linked[0], claims, matched_by="feide_subject")
            return linked
        reason = "no person is linked to this Feide identifier"
        email = claims.get("email")
        if isinstance(email, str) and email.strip():
            if not email_is_verified(claims):
                reason += "; the e-mail address is not verified by the provider"
            else:
                same_email = list(people.filter(email__iexact=email.strip())[:2])
                if len(same_email) > 1:
                    reason += "; several active people have this e-mail address"
                elif same_email and Profile.of(same_email[0]).feide_subject is not None:
                    reason += "; the person with this e-mail address is linked to another Feide account"
                elif same_email:
                    self._log_login(same_email[0], claims, matched_by="verified e-mail")
                    return same_email
                else:
                    reason += "; no active person has this e-mail address"
        self._refuse(claims, reason)
        return []

    def create_user(self, claims):
        raise SuspiciousOperation("The portal never creates a person from a Feide login.")

    def _refuse(self, claims: dict[str, Any], reason: str) -> None:
        security_logger.warning(
            "Feide login refused: %s (at=%s sub=%r email_domain=%r email_verified=%r ip=%s)",
            reason,
            timezone.now().isoformat(),
            claims.get("sub"),
            email_domain(claims),
            claims.get("email_verified"),
            client_ip(self.request),
            extra={"feide_sub": claims.get("sub"), "ip": client_ip(self.request)},
        )
        # For the callback's page: the person's identifier, to give the administrator.
        self.request.feide_refused_subject = claims.get("sub")

    def _log_login(self, person: Person, claims: dict[str, Any], *, matched_by: str) -> None:
        security_logger.info(
            "Feide login: %s (at=%s sub=%r matched by %s ip=%s)",
            person.get_username(),
            timezone.now().isoformat(),
            claims.get("sub"),
            matched_by,
            client_ip(self.request),
        )

    def get_user(self, user_id):
        return PortalBackend().get_user(user_id)

    # The portal's permissions are the rules' (PortalBackend); this backend grants nothing,
    # not even what a group would.
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return Person._default_manager.none()


class FeideLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to Feide, with a new state, nonce and PKCE challenge in its session."""


class FeideCallbackView(OIDCAuthenticationCallbackView):
    """Where Feide sends the browser back. A refused login gets a page in Norwegian, never a
    server error: an unknown person «Du har ingen tilgang ennå» (403); a state, nonce or token
    that does not check out, or a provider that does not answer, «Innloggingen med Feide
    mislyktes» (400/502), logged."""

    @property
    def success_url(self):
        # As the password login: the person's start page unless they were on their way somewhere.
        return self.request.session.get("oidc_login_next") or resolve_url("schools:start")

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            self._log_failure(error)
            return self._failed(status=400)
        except (requests.RequestException, ValueError, KeyError) as error:
            # Feide did not answer, or answered something that is not OpenID Connect.
            self._log_failure(error)
            return self._failed(status=502)

    def login_failure(self):
        subject = getattr(self.request, "feide_refused_subject", None)
        if subject is not None:
            return render(self.request, "registration/feide_no_access.html", {"feide_subject": subject}, status=403)
        if self.request.GET.get("error"):
            # The person cancelled at Feide, or Feide refused the portal.
            self._log_failure(f"provider answered error={self.request.GET.get('error')!r}")
        return self._failed(status=400)

    def _failed(self, *, status: int):
        return render(self.request, "registration/feide_failed.html", status=status)

    def _log_failure(self, error) -> None:
        security_logger.warning(
            "Feide login failed: %s (at=%s ip=%s)", error, timezone.now().isoformat(), client_ip(self.request)
        )
