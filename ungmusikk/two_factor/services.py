"""Writes of a person's second factor: enrolling an authenticator app, confirming a login with a
code, replacing the recovery codes, removing the app (the person, with a valid code) and
resetting it (a superuser, in the admin, for someone who lost their phone).

A person's second factor is two django-otp devices made together: a TOTP device (the
authenticator app; its secret is shown once, as a QR code and as text) and a static device
holding ten one-time recovery codes. Each change is written to the audit log and to the
"ungmusikk.security" logger (who and what, never a code or a secret).

A wrong code counts against the device (django-otp's throttling: each failure doubles the wait
before the next try is heard), so a code is checked in a transaction of its own that commits
the count, and the refusal is raised after it."""

from __future__ import annotations

import logging
import re
from binascii import unhexlify

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.audit import AuditAction
from core.permissions import require_perm
from governance.models import Person
from governance.services import audit_record

from .selectors import totp_device_get

logger = logging.getLogger("ungmusikk.security")

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Autentiseringsapp"
RECOVERY_DEVICE_NAME = "Gjenopprettingskoder"
# What a person types, once spaces and dashes are gone: six digits from the app, or a recovery
# code (eight letters and digits of base32, as StaticToken.random_token makes them).
TOTP_CODE = re.compile(r"[0-9]{6}")
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")
# A TOTP secret: 20 random bytes, hex-encoded (django-otp's default).
TOTP_KEY = re.compile(r"[0-9a-f]{40}")


def _refusal(message: str) -> ValidationError:
    return ValidationError({"code": message}, code="invalid")


def _wrong_code() -> ValidationError:
    return _refusal(
        _("Engangskode: koden stemmer ikke. Skriv de seks sifrene appen viser nå, eller en ubrukt gjenopprettingskode.")
    )


def _person(user) -> Person:
    """The audit log names people as the portal's Person."""
    return user if isinstance(user, Person) else Person._default_manager.get(pk=user.pk)


def totp_key_new() -> str:
    """A new secret for an authenticator app (not stored until the person confirms it)."""
    return random_hex(20)


def totp_config_url(*, user, key: str) -> str:
    """The otpauth:// address the QR code holds: the app reads the secret, the portal's name
    (OTP_TOTP_ISSUER) and the username from it."""
    return TOTPDevice(user=user, key=key).config_url


def _devices_delete(user) -> None:
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    StaticDevice.objects.filter(user_id=user.pk).delete()


def _recovery_codes_new(user) -> list[str]:
    """Ten new recovery codes for `user`; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user_id=user.pk, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_enable(*, user, key: str, code: str, ip: str = "") -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app set up with `key` by a code it shows (`code`, six digits)
    and store it, with ten new recovery codes (returned: shown to the person once). Refused
    (ValidationError on "code") when the code does not match, or when the person already has
    an app: it is removed first, with a code from it (`two_factor_disable`)."""
    if totp_device_get(user=user) is not None:
        raise _refusal(_("Engangskode: du har allerede en autentiseringsapp. Fjern den først, med en kode fra den."))
    if not TOTP_KEY.fullmatch(key or ""):
        raise _refusal(_("Engangskode: oppsettet er utløpt. Last siden på nytt og skann den nye QR-koden."))
    if not TOTP_CODE.fullmatch(code):
        raise _refusal(_("Engangskode: skriv de seks sifrene appen viser."))
    totp = TOTP(unhexlify(key))
    if not totp.verify(int(code), tolerance=1):
        logger.warning("two_factor enrol refused: wrong code user=%s id=%s ip=%s", user.get_username(), user.pk, ip)
        raise _refusal(_("Engangskode: koden stemmer ikke. Skriv de seks sifrene appen viser nå."))
    with transaction.atomic():
        _devices_delete(user)
        device = TOTPDevice.objects.create(
            user_id=user.pk, name=TOTP_DEVICE_NAME, key=key, confirmed=True, last_t=totp.t(), drift=totp.drift
        )
        codes = _recovery_codes_new(user)
        audit_record(actor=user, action=AuditAction.TWO_FACTOR_ENABLE, obj=_person(user))
    logger.info("two_factor enrolled user=%s id=%s ip=%s", user.get_username(), user.pk, ip)
    return device, codes


def two_factor_verify(*, user, code: str, ip: str = "") -> Device:
    """The device that accepts `code` (normalised: six digits from the app, or a recovery code,
    which is used up): the caller marks the session as confirmed by it (django_otp.login).
    Refused with a ValidationError on "code" when it does not match, when the person has tried
    too often lately (django-otp's throttling), or when they have no app."""
    failure = None
    device = None
    with transaction.atomic():
        totp = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
        if totp is None:
            failure = _refusal(_("Engangskode: du har ikke satt opp tofaktorinnlogging ennå."))
        elif TOTP_CODE.fullmatch(code):
            device = totp
        elif RECOVERY_CODE.fullmatch(code):
            device = StaticDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
        else:
            failure = _refusal(
                _("Engangskode: skriv de seks sifrene appen viser, eller en gjenopprettingskode på åtte tegn.")
            )
        if failure is None and device is not None and not device.verify_is_allowed()[0]:
            failure = _refusal(_("Engangskode: for mange forsøk på kort tid. Vent noen sekunder og prøv igjen."))
        elif failure is None and (device is None or not device.verify_token(code)):
            failure = _wrong_code()
        elif failure is None and isinstance(device, StaticDevice):
            audit_record(
                actor=user,
                action=AuditAction.TWO_FACTOR_RECOVERY_CODE_USE,
                obj=_person(user),
                comment=_("%(left)s gjenopprettingskoder igjen") % {"left": device.token_set.count()},
            )
    if failure is not None:
        logger.warning("two_factor verify refused user=%s id=%s ip=%s", user.get_username(), user.pk, ip)
        raise failure
    kind = "recovery code" if isinstance(device, StaticDevice) else "app"
    logger.info("two_factor verified by %s user=%s id=%s ip=%s", kind, user.get_username(), user.pk, ip)
    return device


def recovery_codes_replace(*, user, code: str, ip: str = "") -> tuple[Device, list[str]]:
    """Ten new recovery codes for a person who proves it with a valid code (from the app, or
    one of the old recovery codes); the old ones stop working. Returns the device that accepted
    the code and the new codes (shown once)."""
    device = two_factor_verify(user=user, code=code, ip=ip)
    with transaction.atomic():
        codes = _recovery_codes_new(user)
        audit_record(actor=user, action=AuditAction.TWO_FACTOR_RECOVERY_CODES, obj=_person(user))
    logger.info("two_factor recovery codes replaced user=%s id=%s ip=%s", user.get_username(), user.pk, ip)
    return device, codes


def two_factor_disable(*, user, code: str, ip: str = "") -> None:
    """Remove the person's authenticator app and recovery codes, when they prove it with a
    valid code. Central staff then set up a new app before the admin opens again."""
    two_factor_verify(user=user, code=code, ip=ip)
    with transaction.atomic():
        _devices_delete(user)
        audit_record(actor=user, action=AuditAction.TWO_FACTOR_DISABLE, obj=_person(user))
    logger.info("two_factor removed by the person user=%s id=%s ip=%s", user.get_username(), user.pk, ip)


@transaction.atomic
def two_factor_reset(*, actor, user) -> None:
    """A superuser removes someone's authenticator app and recovery codes (a lost phone): they
    set up a new app at their next visit to the admin. Needs Django's permission to delete TOTP
    devices (superusers)."""
    require_perm(actor, "otp_totp.delete_totpdevice")
    _devices_delete(user)
    audit_record(
        actor=actor,
        action=AuditAction.TWO_FACTOR_DISABLE,
        obj=_person(user),
        comment=_("Tilbakestilt i administrasjonen"),
    )
    logger.warning(
        "two_factor reset in the admin user=%s id=%s by=%s id=%s",
        user.get_username(),
        user.pk,
        actor.get_username(),
        actor.pk,
    )
