"""Reads of a person's second factor: their authenticator app (a confirmed TOTP device) and
how many of their recovery codes are left."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .rules import must_use_two_factors


def totp_device_get(*, user) -> TOTPDevice | None:
    """The person's confirmed authenticator app, or None."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def recovery_codes_left(*, user) -> int:
    """How many of the person's recovery codes are still unused."""
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def two_factor_required_for_admin(*, user) -> bool:
    """Whether `user` must confirm this login with a code before the admin opens: when
    ADMIN_REQUIRES_OTP is on, a staff account (one the admin would let in) that must use two
    factors (superusers and central staff), or that has enrolled an authenticator app of its
    own accord (a steering-group member may)."""
    if not (settings.ADMIN_REQUIRES_OTP and user.is_authenticated and user.is_active and user.is_staff):
        return False
    return must_use_two_factors(user) or totp_device_get(user=user) is not None
