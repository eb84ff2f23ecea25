"""Signed links to a municipality's sheet (kommuneark, issue 16): an address a rector sends to
the municipal council's secretary, which opens the sheet and its PDF without a login until it
expires.

A link is `django.core.signing.TimestampSigner` (the project's SECRET_KEY, a salt of its own)
over "<audit entry id>.<municipality id>.<year>": `41.12.2020:<time signed>:<signature>`. The
audit entry is the record of its making (who, which municipality and year, when signed, until
when); the log never holds the link itself, and the entry is enough to show the same link again
(a signature is the same for the same value and time). It is valid for `settings.SHEET_LINK_DAYS`
days from the time it was signed.

A link opens the sheet only while its maker may still open it: reading it looks up its audit
entry and asks whether the person who made it is active and holds
`schools.view_municipality_sheet` on the municipality today (governance/rules.py). A link made
by a rector whose role has ended, or by a deactivated account, opens nothing. Nothing else
withdraws a link before it expires, short of changing SECRET_KEY (which ends every link).

Reading a link (`sheet_link_read`) never raises: an expired, altered, truncated or foreign
token, an unknown entry or one that does not match the token, or a maker without access is
None, whatever is wrong with it, and the views answer every None with the same 404.
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
_VALUE = re.compile(r"([0-9]{1,19})\.([0-9]{1,19})\.([0-9]{4})")
VIEW_PERMISSION = "schools.view_municipality_sheet"
SHARE_PERMISSION = "schools.share_municipality_sheet"


@dataclass(frozen=True)
class SheetLink:
    """A signed link: the token (the last part of its address), the audit entry that records
    its making, what it opens, when it was signed and until when it opens it (both UTC, whole
    seconds)."""

    token: str
    entry_id: int
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


def sheet_link_make(*, entry_id: int, municipality_id: int, year: int, signed_at: datetime | None = None) -> SheetLink:
    """The signed link of audit entry `entry_id` to the sheet of a municipality (by id) for a
    year, signed as of `signed_at` (aware; now when None; whole seconds count). Only the
    signature: `sheet_link_read` opens it only when the entry records this link."""
    at = datetime.fromtimestamp(int((signed_at or timezone.now()).timestamp()), tz=UTC)
    token = _Signer(at=at).sign(f"{entry_id}.{municipality_id}.{year}")
    return SheetLink(
        token=token,
        entry_id=entry_id,
        municipality_id=municipality_id,
        year=year,
        signed_at=at,
        valid_until=at + link_lifetime(),
    )


def _signed_at_of(entry: AuditEntry) -> datetime | None:
    try:
        return datetime.fromisoformat(entry.changes["signed_at"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _maker_may_open(entry: AuditEntry, municipality: Municipality) -> bool:
    """Whether the person who made the link is active and may open the municipality's sheet
    today (a rector whose role has ended may not)."""
    maker = entry.actor
    return maker is not None and maker.is_active and maker.has_perm(VIEW_PERMISSION, municipality)


def sheet_link_read(token: str) -> SheetLink | None:
    """What a token opens, or None when it opens nothing: not signed by this portal for a
    sheet (altered, truncated, made up), older than `link_lifetime()`, naming no possible id or
    year, whose audit entry is unknown or records another municipality, year or signing time,
    or whose maker is inactive or may no longer open the municipality's sheet. Never raises."""
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
    entry_id, municipality_id, year = int(match[1]), int(match[2]), int(match[3])
    if not (1 <= entry_id <= MAX_ID and 1 <= municipality_id <= MAX_ID and FIRST_YEAR <= year <= LAST_YEAR):
        return None
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    entry = (
        AuditEntry.objects.select_related("actor")
        .filter(
            pk=entry_id,
            action=AuditAction.SHEET_LINK_SHARE,
            object_type=Municipality._meta.label_lower,
            object_id=str(municipality_id),
        )
        .first()
    )
    if entry is None or (entry.changes.get("year") or [None, None])[1] != year or _signed_at_of(entry) != signed_at:
        return None
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None or not _maker_may_open(entry, municipality):
        return None
    return SheetLink(
        token=token,
        entry_id=entry_id,
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
    sub-regions' coordinators); ValueError for a year outside the portal's years or after
    this one (Oslo)."""
    require_perm(user, SHARE_PERMISSION, municipality)
    if year_param(str(year), last=timezone.localdate().year) is None:
        raise ValueError(f"not a year of the portal up to this one: {year!r}")
    signed_at = datetime.fromtimestamp(int((now or timezone.now()).timestamp()), tz=UTC)
    valid_until = signed_at + link_lifetime()
    with translation.override(settings.LANGUAGE_CODE):
        comment = gettext("Lenke til kommunearket for %(year)s, gyldig til %(until)s.") % {
            "year": year,
            "until": datetime_text(valid_until),
        }
    return audit_record(
        actor=user,
        action=AuditAction.SHEET_LINK_SHARE,
        obj=municipality,
        changes={
            "year": [None, year],
            "signed_at": [None, signed_at.isoformat()],
            "valid_until": [None, valid_until.isoformat()],
        },
        comment=comment,
    )


def sheet_link_of_share(entry: AuditEntry) -> SheetLink | None:
    """The link that the audit entry `entry` (made by `sheet_link_share`) records, made again
    from it (whether or not it is still valid); None for an entry that records no link."""
    signed_at = _signed_at_of(entry)
    year = (entry.changes.get("year") or [None, None])[1]
    if entry.action != AuditAction.SHEET_LINK_SHARE or signed_at is None or not isinstance(year, int):
        return None
    try:
        municipality_id = int(entry.object_id)
    except ValueError:
        return None
    return sheet_link_make(entry_id=entry.pk, municipality_id=municipality_id, year=year, signed_at=signed_at)


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
    link = sheet_link_of_share(entry)
    return link if link is not None and link.valid_until > timezone.now() else None
