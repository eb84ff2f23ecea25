"""The admin's door: a person who must confirm their login with a second factor reaches no
admin page (nor posts to one) before they have, whatever the URL. Installed after django-otp's
OTPMiddleware, which tells whether this session has been confirmed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .selectors import totp_device_get, two_factor_required_for_admin

logger = logging.getLogger("ungmusikk.security")


class AdminRequiresTwoFactors:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.ADMIN_REQUIRES_OTP
            and request.path.startswith(reverse("admin:index"))
            and request.path not in (reverse("admin:login"), reverse("admin:logout"))
            and not self._confirmed(request)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _confirmed(request) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", None)
        if verified is not None and verified():
            return True
        return not two_factor_required_for_admin(user=user)

    @staticmethod
    def _refuse(request):
        user = request.user
        # After the code the person lands where they were going; a form they posted is not
        # sent again (nothing of it was saved).
        target = request.get_full_path() if request.method in ("GET", "HEAD") else request.path
        has_app = totp_device_get(user=user) is not None
        logger.info(
            "two_factor required for the admin user=%s id=%s path=%s method=%s enrolled=%s",
            user.get_username(),
            user.pk,
            request.path,
            request.method,
            has_app,
        )
        page = "two_factor:verify" if has_app else "two_factor:manage"
        return redirect(f"{reverse(page)}?{urlencode({'next': target})}")
