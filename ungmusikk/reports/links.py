"""Signed links to a municipality's sheet (kommuneark, issue 16): an address a rector sends to
the municipal council's secretary, which opens the sheet and its PDF without a login until it
expires.

A link is `django.core.signing.TimestampSigner` (the project's SECRET_KEY, a salt of its own)
over "<municipality id>.<year>": `12.2020:<time signed>:<signature>`. It is valid for
`settings.SHEET_LINK_DAYS` days from the time it was signed. Nothing is stored to open it;
making one is recorded in the audit log (who, which municipality and year, when signed, until
when), and the log's record is enough to show the same link again (a signature is the same for
the same value and time), so the log never holds the link itself.

A link opens the sheet until it expires whatever happens to its maker's role afterwards (it is
meant for a reader outside the portal); nothing revokes one short of changing SECRET_KEY.

Reading a link (`sheet_link_read`) never raises: an expired, altered, truncated or foreign
token is None, whatever is wrong with it, and the views answer every None with the same 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.audit import AuditAction
from core.bounds import FIRST_YEAR, LAST_YEAR
from core.formatting import datetime_text
from core.params import MAX_ID, year_param
from core.permissions import require_perm
from governance.models import AuditEntry
from governance.services import audit_record
from schools.models import Municipality

# The signer's own salt: a signature made for another purpose of the portal (the import's
# preview, a password reset) never opens a sheet, nor the other way round.
SALT = "ungmusikk.reports.municipality-sheet-link"
# Longer than any token this module makes (about 60 characters); a longer one is not read.
MAX_TOKEN_LENGTH = 200
_VALUE = re.compile(r"([0-9]{1,19})\.([0-9]{4})")
SHARE_PERMISSION = "schools.share_municipality_sheet"


@dataclass(frozen=True)
class SheetLink:
    """A signed link: the token (the last part of its address), what it opens, when it was
    signed and until when it opens it (both UTC, whole seconds)."""

    token: str
    municipality_id: int
    year: int
    signed_at: datetime
    valid_until: datetime


def sheet_link_url(link: SheetLink) -> str:
    """The link's absolute address, on the portal's own address (PORTAL_BASE_URL, as the
    calendar feeds and password resets), not on whatever Host the request named."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("reports:shared-sheet", args=[link.token])


def link_lifetime() -> timedelta:
    """How long a link opens the sheet: settings.SHEET_LINK_DAYS days."""
    return timedelta(days=settings.SHEET_LINK_DAYS)


class _Signer(signing.TimestampSigner):
    """The TimestampSigner with the sheet's salt, signing as of `at` (now when None): the same
    value and time give the same token (used to show a link again from the audit log, and by
    the tests to sign in the past)."""

    def __init__(self, *, at: datetime | None = None):
        super().__init__(salt=SALT)
        self._at = at

    def timestamp(self) -> str:
        if self._at is None:
            return super().timestamp()
        return signing.b62_encode(int(self._at.timestamp()))


def sheet_link_make(*, municipality_id: int, year: int, signed_at: datetime | None = None) -> SheetLink:
    """The signed link to the sheet of a municipality (by id) for a year, signed as of
    `signed_at` (aware; now when None; whole seconds count)."""
    at = datetime.fromtimestamp(int((signed_at or timezone.now()).timestamp()), tz=UTC)
    token = _Signer(at=at).sign(f"{municipality_id}.{year}")
    return SheetLink(
        token=token, municipality_id=municipality_id, year=year, signed_at=at, valid_until=at + link_lifetime()
    )


def sheet_link_read(token: str) -> SheetLink | None:
    """What a token opens, or None when it opens nothing: not signed by this portal for a
    sheet (altered, truncated, made up), older than `link_lifetime()`, or naming no possible
    municipality id or year. Never raises."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        return None
    try:
        value = _Signer().unsign(token, max_age=link_lifetime())
        timestamp = signing.b62_decode(token.rsplit(":", 2)[1])
    except (signing.BadSignature, ValueError, IndexError):
        return None
    match = _VALUE.fullmatch(value)
    if match is None:
        return None
    municipality_id, year = int(match[1]), int(match[2])
    if not (1 <= municipality_id <= MAX_ID and FIRST_YEAR <= year <= LAST_YEAR):
        return None
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    return SheetLink(
        token=token,
        municipality_id=municipality_id,
        year=year,
        signed_at=signed_at,
        valid_until=signed_at + link_lifetime(),
    )


@transaction.atomic
def sheet_link_share(*, user, municipality: Municipality, year: int, now: datetime | None = None) -> AuditEntry:
    """Make a signed link to `municipality`'s sheet for `year` and record it in the audit log:
    who made it, for which municipality and year, when it was signed and until when it opens
    the sheet. Returns the audit entry (`sheet_link_of_entry` reads the link from it).

    Raises PermissionDenied unless `user` holds `schools.share_municipality_sheet` on the
    municipality (governance/rules.py: central staff, its schools' rectors and their
    sub-regions' coordinators); ValueError for a year outside the portal's years."""
    require_perm(user, SHARE_PERMISSION, municipality)
    if year_param(str(year)) is None:
        raise ValueError(f"not a year of the portal: {year!r}")
    link = sheet_link_make(municipality_id=municipality.pk, year=year, signed_at=now)
    with translation.override(settings.LANGUAGE_CODE):
        comment = gettext("Lenke til kommunearket for %(year)s, gyldig til %(until)s.") % {
            "year": year,
            "until": datetime_text(link.valid_until),
        }
    return audit_record(
        actor=user,
        action=AuditAction.SHEET_LINK_SHARE,
        obj=municipality,
        changes={
            "year": [None, year],
            "signed_at": [None, link.signed_at.isoformat()],
            "valid_until": [None, link.valid_until.isoformat()],
        },
        comment=comment,
    )


def sheet_link_of_entry(*, entry_id: int, user, municipality: Municipality, year: int) -> SheetLink | None:
    """The link that `user` made (audit entry `entry_id`) to `municipality`'s sheet for `year`,
    made again from the entry, while it is still valid; None for an entry that is not such a
    link of this user's, or an expired one. (The page shows a link just made: the share POST
    redirects to the sheet with the entry's id, so a reload shows the same link.)"""
    if not getattr(user, "is_authenticated", False):
        return None
    entry = AuditEntry.objects.filter(
        pk=entry_id,
        action=AuditAction.SHEET_LINK_SHARE,
        actor=user,
        object_type=Municipality._meta.label_lower,
        object_id=str(municipality.pk),
    ).first()
    if entry is None or (entry.changes.get("year") or [None, None])[1] != year:
        return None
    try:
        signed_at = datetime.fromisoformat(entry.changes["signed_at"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    link = sheet_link_make(municipality_id=municipality.pk, year=year, signed_at=signed_at)
    return link if link.valid_until > timezone.now() else None
