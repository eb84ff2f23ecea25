"""The e-mails that come by themselves (issue 15), sent by Celery beat (activities/tasks.py,
schedules in core/schedules.py):

- **the weekly digest** (Monday 07:00 Oslo): each rector, once however many schools they lead,
  gets a section per school with the coming four weeks' activities open to it (as the school's
  dashboard counts them: central ones, its region's, those it hosts or takes part in; not
  cancelled) with date and time in Oslo, venue and the distance from the school's municipality
  to the venue (core.geo, as on the dashboard), and the school's own pupils at or over the
  pupil-load threshold this term, by name (a rector sees their own school's pupils' names, and
  only theirs; see README «Pupils' names»);
- **the reminders about participation figures** (daily 07:30 Oslo): each coordinator gets one
  e-mail per run listing the activities of their regions that ended (not cancelled) 7 days ago
  or more and still lack figures, and again from 21 days; each step once per activity. An
  activity that ended more than 28 days ago is not reminded of again (nor, the day this is
  switched on, is the network's history).

Each e-mail is in the recipient's language (their profile's), plain text and HTML, through
Django's e-mail backend. What went out is recorded as a `ReminderSent` row (unique per kind,
recipient and period) in the same transaction as the sending, so a second run of the same week
or step sends nothing new, and of two workers at once only one sends. A digest with nothing in
it (no activities, no pupils) is not sent. Nobody gets these without an e-mail address, with an
inactive account, or with the kind turned off on their profile page."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formatting import datetime_text, number_text
from core.periods import OSLO, term_label
from governance.models import Profile, Role
from schools.models import Pupil, School

from . import selectors
from .models import Activity, Participation, ReminderSent
from .selectors import activity_list_lacking_figures, pupil_load_threshold

logger = logging.getLogger(__name__)

DIGEST_WEEKS = 4
# The reminders' steps (days after the activity ended, in Oslo dates) and the kind each records.
FIGURE_STEPS = ((7, ReminderSent.Kind.FIGURES_7), (21, ReminderSent.Kind.FIGURES_21))
# A step is due from its day until the next step's (the last: this many days after its own),
# so a missed run catches up, and old activities are not reminded of again.
LAST_STEP_DAYS = 7


# -- who ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    language: str


def _recipients(*, user_ids, opt_out: str) -> dict[int, Recipient]:
    """The people among `user_ids` who get this kind: active, with an e-mail address, and not
    turned off (`opt_out`, a Profile field) on their profile; in their profile's language."""
    users = (
        get_user_model()
        .objects.filter(pk__in=set(user_ids), is_active=True)
        .exclude(email="")
        .exclude(**{f"profile__{opt_out}": False})
        .order_by("pk")
    )
    languages = dict(Profile.objects.filter(user__in=users).values_list("user_id", "language"))
    result = {}
    for user in users:
        address = user.email.strip()
        if address:
            result[user.pk] = Recipient(
                user_id=user.pk,
                name=user.get_full_name() or user.get_username(),
                email=address,
                language=languages.get(user.pk) or settings.LANGUAGE_CODE,
            )
    return result


def _roles_today(kind: str, today: date):
    return Role.objects.valid_on(today).filter(kind=kind)


# -- the weekly digest --------------------------------------------------------------------------


def digest_period_key(today: date) -> str:
    """The ISO week of `today`: "2026-W48"."""
    year, week, _weekday = today.isocalendar()
    return f"{year}-W{week:02d}"


def _oslo_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OSLO)


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@dataclass
class DigestSection:
    school: School
    activities: list[dict] = field(default_factory=list)
    pupils: list[dict] = field(default_factory=list)
    term: str = ""

    @property
    def empty(self) -> bool:
        return not self.activities and not self.pupils


def digest_section(*, school: School, now: datetime, threshold: int) -> DigestSection:
    """One school's part of the digest: its coming four weeks' activities and its own pupils
    at or over the load threshold this term. Times are kept as datetimes (written out in the
    recipient's language when the e-mail is rendered)."""
    today = timezone.localtime(now, OSLO).date()
    until = _oslo_midnight(today + timedelta(weeks=DIGEST_WEEKS))
    taking_part = set(Participation.objects.filter(school=school).values_list("activity_id", flat=True))
    activities = (
        Activity.objects.filter(starts_at__gte=now, starts_at__lt=until)
        .exclude(status=Activity.Status.CANCELLED)
        .filter(selectors.school_open_activities_q(school))
        .select_related("venue__municipality")
        .order_by("starts_at", "title", "pk")
    )
    section = DigestSection(school=school, term=term_label(today))
    for activity in activities:
        section.activities.append(
            {
                "activity": activity,
                "title": activity.title,
                "starts_at": activity.starts_at,
                "venue": activity.venue.name if activity.venue else "",
                "place": activity.venue.municipality.name if activity.venue else "",
                "distance_km": selectors.school_distance_km(school=school, venue=activity.venue),
                "taking_part": activity.pk in taking_part,
                "url": _absolute(activity.get_absolute_url()),
            }
        )
    # The live pupil-load rule of the activity form and page (selectors.pupil_load_warnings),
    # for the school's own pupils: the rector may see their names.
    loads = selectors.pupil_load_warnings(
        pupils=list(Pupil.objects.filter(schools=school).order_by("last_name", "first_name", "pk")),
        starts_at=now,
        threshold=threshold,
    )
    section.pupils = [
        {
            "name": f"{load.pupil.first_name} {load.pupil.last_name}",
            "instrument": load.pupil.main_instrument,
            "count": load.count,
        }
        for load in sorted(loads, key=lambda load: -load.count)
    ]
    return section


@dataclass
class Planned:
    """One e-mail the run would send: to whom, of which kind and period, and what it lists."""

    recipient: Recipient
    kind: str  # "digest" or "figures"
    rows: list[tuple[str, str, int | None]]  # the ReminderSent rows to record: (kind, period_key, activity id)
    context: dict


def digests_plan(*, now: datetime | None = None) -> list[Planned]:
    """The digests of `now`'s week not sent yet: one per rector seated today, with a section
    per school that has something in it."""
    now = now or timezone.now()
    today = timezone.localtime(now, OSLO).date()
    key = digest_period_key(today)
    schools_of: dict[int, list[int]] = defaultdict(list)
    for user_id, school_id in (
        _roles_today(Role.Kind.RECTOR, today)
        .filter(school__isnull=False)
        .values_list("user_id", "school_id")
        .order_by("user_id", "school__name")
        .distinct()
    ):
        if school_id not in schools_of[user_id]:
            schools_of[user_id].append(school_id)
    recipients = _recipients(user_ids=schools_of, opt_out="receives_digest")
    already = set(
        ReminderSent.objects.filter(kind=ReminderSent.Kind.DIGEST, period_key=key).values_list(
            "recipient_id", flat=True
        )
    )
    schools = School.objects.select_related("municipality").in_bulk(
        {school_id for ids in schools_of.values() for school_id in ids}
    )
    threshold = pupil_load_threshold()
    sections_of_school: dict[int, DigestSection] = {}
    planned = []
    for user_id, recipient in recipients.items():
        if user_id in already:
            continue
        sections = []
        for school_id in schools_of[user_id]:
            if school_id not in sections_of_school:
                sections_of_school[school_id] = digest_section(school=schools[school_id], now=now, threshold=threshold)
            if not sections_of_school[school_id].empty:
                sections.append(sections_of_school[school_id])
        if not sections:
            continue
        planned.append(
            Planned(
                recipient=recipient,
                kind=ReminderSent.Kind.DIGEST,
                rows=[(ReminderSent.Kind.DIGEST, key, None)],
                context={"sections": sections, "week": today.isocalendar()[1], "threshold": threshold},
            )
        )
    return planned


# -- the reminders about participation figures ---------------------------------------------------


def figure_steps_due(*, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """For each step: its kind and the [from, until) of `ends_at` that makes it due today
    (the activity ended on or before today minus the step's days, and after the next step's)."""
    today = timezone.localtime(now, OSLO).date()
    steps = []
    for index, (days, kind) in enumerate(FIGURE_STEPS):
        next_days = FIGURE_STEPS[index + 1][0] if index + 1 < len(FIGURE_STEPS) else days + LAST_STEP_DAYS
        ended_before = _oslo_midnight(today - timedelta(days=days - 1))
        ended_from = _oslo_midnight(today - timedelta(days=next_days - 1))
        steps.append((kind, ended_from, ended_before))
    return steps


def figure_reminders_plan(*, now: datetime | None = None) -> list[Planned]:
    """The reminders due today and not sent yet: one per coordinator seated today, listing
    each of their regions' ended, not cancelled activities without figures whose step is due."""
    now = now or timezone.now()
    today = timezone.localtime(now, OSLO).date()
    regions_of: dict[int, set[int]] = defaultdict(set)
    for user_id, region_id in (
        _roles_today(Role.Kind.COORDINATOR, today).filter(region__isnull=False).values_list("user_id", "region_id")
    ):
        regions_of[user_id].add(region_id)
    recipients = _recipients(user_ids=regions_of, opt_out="receives_reminders")
    if not recipients:
        return []
    all_regions = {region for user_id in recipients for region in regions_of[user_id]}
    due: list[tuple[str, Activity]] = []
    for kind, ended_from, ended_before in figure_steps_due(now=now):
        activities = activity_list_lacking_figures(
            activities=Activity.objects.filter(region_id__in=all_regions, ends_at__lt=ended_before), now=now
        ).filter(ends_at__gte=ended_from)
        due.extend((kind, activity) for activity in activities.select_related("region", "venue"))
    if not due:
        return []
    sent = set(
        # Only the rows of the activities due now: the read does not grow with the history.
        ReminderSent.objects.filter(
            kind__in=[kind for _days, kind in FIGURE_STEPS],
            recipient_id__in=recipients,
            period_key__in={f"activity-{activity.pk}" for _kind, activity in due},
        ).values_list("kind", "recipient_id", "period_key")
    )
    planned = []
    for user_id, recipient in recipients.items():
        items = [
            (kind, activity)
            for kind, activity in due
            if activity.region_id in regions_of[user_id] and (kind, user_id, f"activity-{activity.pk}") not in sent
        ]
        if not items:
            continue
        items.sort(key=lambda item: (item[1].ends_at, item[1].title, item[1].pk))
        planned.append(
            Planned(
                recipient=recipient,
                kind="figures",
                rows=[(kind, f"activity-{activity.pk}", activity.pk) for kind, activity in items],
                context={
                    "items": [
                        {
                            "kind": kind,
                            "activity": activity,
                            "title": activity.title,
                            "region": activity.region.name,
                            "ends_at": activity.ends_at,
                            "days": (today - timezone.localtime(activity.ends_at, OSLO).date()).days,
                            "second": kind == ReminderSent.Kind.FIGURES_21,
                            "url": _absolute(activity.get_absolute_url()),
                        }
                        for kind, activity in items
                    ]
                },
            )
        )
    return planned


# -- sending --------------------------------------------------------------------------------------


def _render(planned: Planned) -> EmailMultiAlternatives:
    """The e-mail in the recipient's language, with times in Oslo."""
    recipient = planned.recipient
    with translation.override(recipient.language), timezone.override(OSLO):
        context = {
            **planned.context,
            "recipient": recipient.name,
            "profile_url": _absolute(reverse("profile")),
        }
        if planned.kind == ReminderSent.Kind.DIGEST:
            template = "digest"
            subject = _("Ukeoversikt fra UngMusikk, uke %(week)s") % {"week": planned.context["week"]}
            for section in context["sections"]:
                for row in section.activities:
                    row["when"] = datetime_text(row["starts_at"])
                    row["distance"] = (
                        _("%(km)s km") % {"km": number_text(row["distance_km"], 1)}
                        if row["distance_km"] is not None
                        else ""
                    )
        else:
            template = "figure_reminder"
            count = len(context["items"])
            subject = (
                _("Deltakertall mangler for én aktivitet")
                if count == 1
                else _("Deltakertall mangler for %(count)s aktiviteter") % {"count": count}
            )
            for item in context["items"]:
                item["ended"] = datetime_text(item["ends_at"])
        text = render_to_string(f"activities/email/{template}.txt", context)
        html = render_to_string(f"activities/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def _send_one(planned: Planned) -> bool:
    """Record and send one planned e-mail in one transaction: the rows it records are created
    here (a row another run made first is left out; nothing left, nothing sent), and a failed
    send rolls them back so the next run tries again. Returns whether it was sent."""
    with transaction.atomic():
        fresh = set()
        for kind, period_key, activity_id in planned.rows:
            _row, created = ReminderSent.objects.get_or_create(
                kind=kind,
                recipient_id=planned.recipient.user_id,
                period_key=period_key,
                defaults={"activity_id": activity_id},
            )
            if created:
                fresh.add((kind, period_key))
        if not fresh:
            return False
        if planned.kind != ReminderSent.Kind.DIGEST:
            planned.context["items"] = [
                item for item in planned.context["items"] if (item["kind"], f"activity-{item['activity'].pk}") in fresh
            ]
        with get_connection() as connection:
            connection.send_messages([_render(planned)])
    return True


@dataclass(frozen=True)
class RunResult:
    sent: int
    planned: list[Planned]


def _run(planned: list[Planned], *, dry_run: bool) -> RunResult:
    if dry_run:
        return RunResult(sent=0, planned=planned)
    sent = 0
    for item in planned:
        try:
            if _send_one(item):
                sent += 1
        except Exception:  # one recipient's failed e-mail (SMTP) must not stop the others'
            # Its record was rolled back with it, so the next run tries again.
            logger.exception("Reminder e-mail to user %s failed; the others are sent", item.recipient.user_id)
    return RunResult(sent=sent, planned=planned)


def digests_send(*, now: datetime | None = None, dry_run: bool = False) -> RunResult:
    """Send this week's digests not sent yet (the Monday task). Returns how many went out."""
    result = _run(digests_plan(now=now), dry_run=dry_run)
    logger.info("Digests: %s sent of %s planned", result.sent, len(result.planned))
    return result


def figure_reminders_send(*, now: datetime | None = None, dry_run: bool = False) -> RunResult:
    """Send today's reminders about missing participation figures not sent yet (the daily task)."""
    result = _run(figure_reminders_plan(now=now), dry_run=dry_run)
    logger.info("Figure reminders: %s sent of %s planned", result.sent, len(result.planned))
    return result
