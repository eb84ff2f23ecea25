"""The subscribable calendars (issue 15): a set of activities as an iCalendar file (RFC 5545),
built with the `icalendar` library.

Times are written in Europe/Oslo (TZID=Europe/Oslo) with the zone's VTIMEZONE, which
icalendar builds from zoneinfo. Each activity's UID is `activity-<pk>@<host of PORTAL_BASE_URL>`,
so a calendar client updates the event rather than adding a second one; SEQUENCE is the
activity's version, so a client sees an edit as newer. A cancelled activity stays in the
feed with STATUS:CANCELLED.

A feed never carries a pupil's name: it writes only the activity's own fields (title, kind,
level, times, venue), the names of the participating schools and a link. It writes neither
the notes (free text, which could hold a name), nor the NMH teachers, nor any participation's
named pupils or figures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from core.periods import OSLO

from .models import Activity

PRODID = "-//UngMusikk//Aktivitetskalender 1.0//NB"


def feed_host() -> str:
    """The host part of the portal's address (PORTAL_BASE_URL): the UIDs' domain."""
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "ungmusikk.invalid"


def activity_uid(activity: Activity) -> str:
    return f"activity-{activity.pk}@{feed_host()}"


def activity_url(activity: Activity) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("activities:detail", args=[activity.pk])


def _description(activity: Activity) -> str:
    lines = [
        f"{_('Type')}: {activity.get_kind_display()}",
        f"{_('Nivå')}: {activity.get_level_display()}",
        f"{_('Delregion')}: {activity.region.name}",
    ]
    if activity.instrument:
        lines.append(f"{_('Instrument')}: {activity.instrument}")
    if activity.host_school_id:
        lines.append(f"{_('Vertsskole')}: {activity.host_school.name}")
    schools = sorted({p.school.name for p in activity.participations.all()})
    if schools:
        lines.append(f"{_('Skoler')}: {', '.join(schools)}")
    if activity.status == Activity.Status.CANCELLED:
        lines.append(_("Aktiviteten er avlyst."))
    lines.append(activity_url(activity))
    return "\n".join(lines)


def activity_event(activity: Activity, *, stamp) -> Event:
    event = Event()
    event.add("uid", activity_uid(activity))
    event.add("dtstamp", stamp)
    event.add("last-modified", activity.updated_at.astimezone(UTC) if activity.updated_at else stamp)
    event.add("dtstart", timezone.localtime(activity.starts_at, OSLO))
    event.add("dtend", timezone.localtime(max(activity.ends_at, activity.starts_at), OSLO))
    cancelled = activity.status == Activity.Status.CANCELLED
    summary = activity.title
    if cancelled:
        summary = _("AVLYST: %(title)s") % {"title": activity.title}
    event.add("summary", summary)
    if activity.venue_id:
        venue = activity.venue
        event.add("location", f"{venue.name}, {venue.address}" if venue.address else venue.name)
    event.add("description", _description(activity))
    event.add("url", activity_url(activity))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", activity.version)
    event.add("categories", [activity.get_kind_display()])
    return event


def activities_calendar(*, name: str, activities: Iterable[Activity]) -> bytes:
    """The activities as one iCalendar file (bytes, UTF-8, CRLF line ends)."""
    stamp = timezone.now().astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Oslo")
    activities = list(activities)
    # The VTIMEZONE's transitions span the events' years (and the next years, for a client
    # that adds events of its own), not icalendar's default 1970–2038.
    today = timezone.localdate()
    first = min([timezone.localtime(a.starts_at, OSLO).date() for a in activities] + [today])
    last = max([timezone.localtime(a.ends_at, OSLO).date() for a in activities] + [today])
    calendar.add_component(
        Timezone.from_tzid("Europe/Oslo", first_date=date(first.year, 1, 1), last_date=date(last.year + 2, 1, 1))
    )
    for activity in activities:
        calendar.add_component(activity_event(activity, stamp=stamp))
    return calendar.to_ical()
