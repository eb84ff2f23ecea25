"""The e-mails that come by themselves (activities/reminders.py, issue 15): the rectors' weekly
digest and the coordinators' reminders about missing participation figures — who gets one,
what it says, in which language, that a second run of the same week or step sends nothing,
that the profile's choices are respected, and that Celery beat has both schedules. Django's
test outbox is the mail server; Celery runs in-process (`celery_eager`) except in the last
test, which runs the digest through a real worker (REDIS_URL and PostgreSQL only)."""

from __future__ import annotations

import email
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity, ReminderSent
from activities.reminders import digest_period_key, digests_send, figure_reminders_send
from activities.tests.factories import ActivityFactory, ParticipationFactory, VenueFactory
from activities.tests.helpers import celery_eager
from conftest import make_persona
from core.geo import haversine_km
from core.periods import OSLO
from governance.models import PortalSetting, Profile, Role
from schools.tests.factories import MunicipalityFactory, PupilFactory

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"
# A Monday at 07:00 in Oslo, in the spring term.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=OSLO)


def _email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


def _html(message) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def digest_world(network, rector_a, rector_b):
    """School A (Follo) with a rector who has an address, activities in and out of its four
    weeks, and pupils of A and B with many activities this term. The load threshold is 2."""
    PortalSetting.objects.filter(pk=1).update(pupil_load_threshold=2)
    _email(rector_a, "rektor-a@skole.example")
    _email(rector_b, "rektor-b@skole.example")
    home = network.school_a.municipality
    home.latitude, home.longitude = Decimal("59.71000"), Decimal("10.83000")
    home.save()
    venue = VenueFactory(
        name="Konserthuset",
        municipality=MunicipalityFactory(name="Oslo"),
        latitude=Decimal("59.91270"),
        longitude=Decimal("10.75220"),
    )
    follo, romerike = network.follo, network.romerike

    def activity(title, starts_at, **kwargs):
        kwargs.setdefault("status", Activity.Status.PLANNED)
        kwargs.setdefault("level", Activity.Level.REGIONAL)
        return ActivityFactory(title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), **kwargs)

    made = {
        "follo": activity("Strykeseminar Follo", MONDAY + timedelta(days=3, hours=10), region=follo, venue=venue),
        "central": activity(
            "Sentral mesterklasse", MONDAY + timedelta(days=10), region=romerike, level=Activity.Level.CENTRAL
        ),
        "romerike_joined": activity("Romerike-samling", MONDAY + timedelta(days=20), region=romerike),
        "romerike_other": activity("Bare for Romerike", MONDAY + timedelta(days=5), region=romerike),
        "cancelled": activity(
            "Avlyst konsert", MONDAY + timedelta(days=4), region=follo, status=Activity.Status.CANCELLED
        ),
        "later": activity("Etter fire uker", MONDAY + timedelta(days=29), region=follo),
        "past": activity("I forrige uke", MONDAY - timedelta(days=3), region=follo),
    }
    ParticipationFactory(activity=made["romerike_joined"], school=network.school_a)
    # Pupils: Kari (A) in three activities this term, Ola (A) in one, Per (B) in two.
    kari = PupilFactory(first_name="Kari", last_name="Nordmann", schools=[network.school_a])
    ola = PupilFactory(first_name="Ola", last_name="Nordmann", schools=[network.school_a])
    per = PupilFactory(first_name="Per", last_name="Bakken", schools=[network.school_b])
    for index in range(3):
        held = activity(f"Time {index}", MONDAY - timedelta(days=20 + index), region=follo, status=Activity.Status.HELD)
        part = ParticipationFactory(activity=held, school=network.school_a)
        part.named_pupils.add(kari)
        if index == 0:
            part.named_pupils.add(ola)
        if index < 2:
            ParticipationFactory(activity=held, school=network.school_b).named_pupils.add(per)
    # A cancelled one does not count towards the load.
    gone = activity("Avlyst time", MONDAY - timedelta(days=30), region=follo, status=Activity.Status.CANCELLED)
    ParticipationFactory(activity=gone, school=network.school_a).named_pupils.add(ola)
    made["venue"] = venue
    return made


def test_digest_lists_the_schools_coming_four_weeks_with_distance(digest_world, network):
    with celery_eager():
        result = digests_send(now=MONDAY)

    [message] = _to("rektor-a@skole.example")
    assert result.sent == 2
    assert message.subject == "Ukeoversikt fra UngMusikk, uke 10"
    body = message.body
    for title in ("Strykeseminar Follo", "Sentral mesterklasse", "Romerike-samling"):
        assert title in body
    for title in ("Bare for Romerike", "Avlyst konsert", "Etter fire uker", "I forrige uke"):
        assert title not in body and title not in _html(message)
    # Soonest first, in Oslo time, with the dashboard's distance.
    assert body.index("Strykeseminar Follo") < body.index("Sentral mesterklasse") < body.index("Romerike-samling")
    assert "05.03.2026 kl. 17.00: Strykeseminar Follo" in body
    km = round(haversine_km(59.71, 10.83, 59.9127, 10.7522), 1)
    assert f"Konserthuset (Oslo, {km:.1f} km)".replace(".", ",") in body
    assert "skolen er påmeldt" in body.split("Romerike-samling")[1].split("\n")[0]
    url = f"{BASE}{reverse('activities:detail', args=[digest_world['follo'].pk])}"
    assert url in body and f'href="{url}"' in _html(message)
    assert f"{BASE}{reverse('profile')}" in body


def test_digest_names_only_the_rectors_own_pupils_over_the_threshold(digest_world):
    digests_send(now=MONDAY)

    [to_a] = _to("rektor-a@skole.example")
    [to_b] = _to("rektor-b@skole.example")
    assert "Kari Nordmann (Fiolin): 3 aktiviteter" in to_a.body
    assert "Kari Nordmann" in _html(to_a)
    assert "vår 2026" in to_a.body
    # Ola has one counted activity (the cancelled one does not count); Per is B's pupil.
    for name in ("Ola Nordmann", "Per Bakken"):
        assert name not in to_a.body and name not in _html(to_a)
    assert "Per Bakken (Fiolin): 2 aktiviteter" in to_b.body
    assert "Kari" not in to_b.body and "Kari" not in _html(to_b)


def test_digest_in_the_rectors_language(digest_world, rector_a):
    Profile.objects.create(user=rector_a, language=Profile.Language.EN)

    digests_send(now=MONDAY)

    [english] = _to("rektor-a@skole.example")
    [norwegian] = _to("rektor-b@skole.example")
    assert 'lang="en"' in _html(english) and 'lang="nb"' in _html(norwegian)
    # Times as the English locale writes them, still in Oslo time.
    assert "March 5, 2026, 5 p.m." in english.body
    assert "kl." not in english.body.split("Strykeseminar Follo")[0].splitlines()[-1]


def test_one_digest_for_a_rector_of_two_schools(digest_world, network, rector_a):
    Role.objects.create(user=rector_a, kind=Role.Kind.RECTOR, school=network.school_b, valid_from=MONDAY.date())

    digests_send(now=MONDAY)

    [message] = _to("rektor-a@skole.example")
    assert "== Skole A ==" in message.body and "== Skole B ==" in message.body
    # Each school's own pupils in its own section.
    section_a, section_b = message.body.split("== Skole B ==")
    assert "Kari Nordmann" in section_a and "Per Bakken" in section_b


def test_digest_twice_in_a_week_sends_once_and_a_new_week_again(digest_world, rector_a):
    digests_send(now=MONDAY)
    digests_send(now=MONDAY + timedelta(hours=1))
    digests_send(now=MONDAY + timedelta(days=4))
    assert len(_to("rektor-a@skole.example")) == 1
    assert ReminderSent.objects.get(recipient=rector_a).period_key == digest_period_key(MONDAY.date()) == "2026-W10"

    digests_send(now=MONDAY + timedelta(days=7))

    assert len(_to("rektor-a@skole.example")) == 2
    assert sorted(ReminderSent.objects.filter(recipient=rector_a).values_list("period_key", flat=True)) == [
        "2026-W10",
        "2026-W11",
    ]


def test_digest_respects_the_profile_and_the_role(digest_world, network, rector_a, rector_b):
    Profile.objects.create(user=rector_a, receives_digest=False)
    rector_b.roles.update(valid_to=MONDAY.date() - timedelta(days=1))
    coordinator = _email(make_persona("koord", kind=Role.Kind.COORDINATOR, region=network.follo), "koord@skole.example")

    result = digests_send(now=MONDAY)

    assert result.sent == 0 and mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert coordinator.email not in [m.to[0] for m in mail.outbox]


def test_dry_run_sends_and_records_nothing(digest_world):
    result = digests_send(now=MONDAY, dry_run=True)

    assert len(result.planned) == 2
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_an_empty_digest_is_not_sent(network, rector_a):
    _email(rector_a, "rektor-a@skole.example")

    assert digests_send(now=MONDAY).sent == 0
    assert mail.outbox == []


# --- Reminders about participation figures ----------------------------------------------------


@pytest.fixture
def figures_world(network, coord_follo, coord_romerike):
    """A Follo activity that ended on Monday 23 February 2026 at 15:00 without figures, one with
    figures, a cancelled one, and a Romerike one; both coordinators have addresses."""
    _email(coord_follo, "koord-follo@ungmusikk.example")
    _email(coord_romerike, "koord-romerike@ungmusikk.example")
    ended = datetime(2026, 2, 23, 15, 0, tzinfo=OSLO)

    def activity(title, region, **kwargs):
        return ActivityFactory(
            title=title, region=region, starts_at=ended - timedelta(hours=4), ends_at=ended, **kwargs
        )

    lacking = activity("Mangler tall", network.follo, status=Activity.Status.PLANNED)
    counted = activity("Har tall", network.follo)
    ParticipationFactory(activity=counted, school=network.school_a, pupils=3, teachers=0)
    activity("Avlyst og uten tall", network.follo, status=Activity.Status.CANCELLED)
    other = activity("Romerike uten tall", network.romerike)
    empty = activity("Tom deltakelse", network.follo)
    ParticipationFactory(activity=empty, school=network.school_a, pupils=0, teachers=0)
    return {"ended": ended, "lacking": lacking, "other": other, "empty": empty}


def _day(ended, days):
    """07:30 in Oslo, `days` days after the day the activity ended."""
    return datetime.combine(timezone.localtime(ended, OSLO).date() + timedelta(days=days), datetime.min.time()).replace(
        hour=7, minute=30, tzinfo=OSLO
    )


def test_no_reminder_before_seven_days(figures_world):
    assert figure_reminders_send(now=_day(figures_world["ended"], 6)).sent == 0
    assert mail.outbox == []


def test_reminder_at_seven_and_twenty_one_days_once_each(figures_world, coord_follo):
    ended = figures_world["ended"]

    with celery_eager():
        figure_reminders_send(now=_day(ended, 7))
    [first] = _to("koord-follo@ungmusikk.example")
    assert first.subject == "Deltakertall mangler for 2 aktiviteter"
    assert "Mangler tall (Follo)" in first.body and "Tom deltakelse (Follo)" in first.body
    for title in ("Har tall", "Avlyst og uten tall", "Romerike uten tall"):
        assert title not in first.body
    assert "andre påminnelse" not in first.body
    url = f"{BASE}{reverse('activities:detail', args=[figures_world['lacking'].pk])}"
    assert url in first.body and f'href="{url}"' in _html(first)
    assert "sluttet 23.02.2026 kl. 15.00" in first.body
    [romerike] = _to("koord-romerike@ungmusikk.example")
    assert "Romerike uten tall" in romerike.body and "Mangler tall" not in romerike.body

    # The same step again, on the next days: nothing new.
    for days in (7, 8, 14, 20):
        figure_reminders_send(now=_day(ended, days))
    assert len(_to("koord-follo@ungmusikk.example")) == 1

    # Figures come in for one of them before the second step.
    figures_world["empty"].participations.update(teachers=2)
    figure_reminders_send(now=_day(ended, 21))
    second = _to("koord-follo@ungmusikk.example")[-1]
    assert len(_to("koord-follo@ungmusikk.example")) == 2
    assert second.subject == "Deltakertall mangler for én aktivitet"
    assert "Mangler tall (Follo)" in second.body and "andre påminnelse" in second.body
    assert "Tom deltakelse" not in second.body

    # The second step repeated, and later: nothing more, ever.
    for days in (21, 22, 27, 28, 40):
        figure_reminders_send(now=_day(ended, days))
    assert len(_to("koord-follo@ungmusikk.example")) == 2
    assert sorted(
        ReminderSent.objects.filter(recipient=coord_follo, activity=figures_world["lacking"]).values_list(
            "kind", flat=True
        )
    ) == [ReminderSent.Kind.FIGURES_21, ReminderSent.Kind.FIGURES_7]


def test_a_missed_run_catches_up_but_history_is_not_reminded(figures_world):
    ended = figures_world["ended"]
    # The first run only 10 days after: the 7-day step is sent then.
    figure_reminders_send(now=_day(ended, 10))
    assert len(_to("koord-follo@ungmusikk.example")) == 1
    mail.outbox.clear()
    ReminderSent.objects.all().delete()
    # Switched on long after: old activities stay quiet.
    assert figure_reminders_send(now=_day(ended, 28)).sent == 0


def test_reminders_respect_the_profile(figures_world, coord_follo):
    Profile.objects.create(user=coord_follo, receives_reminders=False)

    figure_reminders_send(now=_day(figures_world["ended"], 7))

    assert _to("koord-follo@ungmusikk.example") == []
    assert len(_to("koord-romerike@ungmusikk.example")) == 1
    assert not ReminderSent.objects.filter(recipient=coord_follo).exists()


def test_reminder_in_the_coordinators_language(figures_world, coord_follo):
    Profile.objects.create(user=coord_follo, language=Profile.Language.EN)

    figure_reminders_send(now=_day(figures_world["ended"], 7))

    [message] = _to("koord-follo@ungmusikk.example")
    assert 'lang="en"' in _html(message)
    assert "Feb. 23, 2026, 3 p.m." in message.body


def test_a_failed_send_records_nothing(figures_world, settings):
    settings.EMAIL_BACKEND = "activities.tests.test_reminders.FailingBackend"

    result = figure_reminders_send(now=_day(figures_world["ended"], 7))

    assert result.sent == 0
    assert not ReminderSent.objects.exists()  # the next run tries again


def test_one_recipients_failed_e_mail_does_not_stop_the_others(digest_world, settings):
    """The first SMTP error stopped the whole run: the other rectors got no digest that week."""
    settings.EMAIL_BACKEND = "activities.tests.test_reminders.RefusingOneAddressBackend"
    result = digests_send(now=MONDAY)
    assert result.sent == 1
    assert _to("rektor-b@skole.example") and not _to("rektor-a@skole.example")
    assert list(ReminderSent.objects.values_list("recipient__email", flat=True)) == ["rektor-b@skole.example"]


class FailingBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionError("the mail server is down")


def test_a_run_that_lost_the_race_sends_nothing(digest_world, figures_world):
    """Two workers plan the same e-mails; the second to record them finds the rows there (the
    unique constraint) and sends nothing, for the digest and for each reminded activity."""
    from activities.reminders import _send_one, digests_plan, figure_reminders_plan

    late_digests = digests_plan(now=MONDAY)
    late_reminders = figure_reminders_plan(now=_day(figures_world["ended"], 7))
    digests_send(now=MONDAY)
    figure_reminders_send(now=_day(figures_world["ended"], 7))
    sent = len(mail.outbox)

    assert [_send_one(planned) for planned in late_digests + late_reminders] == [False] * 4
    assert len(mail.outbox) == sent == 4


def test_a_partly_sent_reminder_lists_only_the_new_activities(figures_world, coord_follo):
    from activities.reminders import _send_one, figure_reminders_plan

    [planned] = [
        p for p in figure_reminders_plan(now=_day(figures_world["ended"], 7)) if p.recipient.user_id == coord_follo.pk
    ]
    ReminderSent.objects.create(
        kind=ReminderSent.Kind.FIGURES_7, recipient=coord_follo, period_key=f"activity-{figures_world['empty'].pk}"
    )

    assert _send_one(planned)
    [message] = mail.outbox
    assert "Mangler tall" in message.body and "Tom deltakelse" not in message.body
    assert message.subject == "Deltakertall mangler for én aktivitet"


def test_send_reminders_command(network, rector_a, capsys):
    """The command runs on today's date: --dry-run lists, then a run sends, then nothing more."""
    _email(rector_a, "rektor-a@skole.example")
    now = timezone.now()
    ActivityFactory(
        title="Neste uke",
        region=network.follo,
        status=Activity.Status.PLANNED,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=2),
    )

    call_command("send_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "Ukeoversikt: ville sendt 1 e-poster." in out and "rektor-a@skole.example" in out
    assert mail.outbox == [] and not ReminderSent.objects.exists()

    call_command("send_reminders", "--only", "digest")
    call_command("send_reminders")
    assert "Ukeoversikt: sendte 0 e-poster." in capsys.readouterr().out.splitlines()[-2]
    assert len(mail.outbox) == 1


# --- The tasks and their schedules --------------------------------------------------------------


def test_the_schedules_exist_on_their_crontabs_in_oslo():
    digest = PeriodicTask.objects.select_related("crontab").get(task="activities.send_digests")
    reminders = PeriodicTask.objects.select_related("crontab").get(task="activities.send_figure_reminders")

    assert (digest.crontab.minute, digest.crontab.hour, digest.crontab.day_of_week) == ("0", "7", "1")
    assert (reminders.crontab.minute, reminders.crontab.hour, reminders.crontab.day_of_week) == ("30", "7", "*")
    assert str(digest.crontab.timezone) == str(reminders.crontab.timezone) == "Europe/Oslo"
    assert digest.enabled and reminders.enabled


def test_the_tasks_run_eagerly_on_todays_date(network, rector_a, coord_follo):
    """The tasks take no arguments and use the clock: an activity next week and one that ended
    a week ago."""
    from activities.tasks import send_digests_task, send_figure_reminders_task

    _email(rector_a, "rektor-a@skole.example")
    _email(coord_follo, "koord-follo@ungmusikk.example")
    now = timezone.now()
    ActivityFactory(
        title="Neste uke",
        region=network.follo,
        status=Activity.Status.PLANNED,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=2),
    )
    ended = timezone.localtime(now, OSLO).replace(hour=12, minute=0) - timedelta(days=7)
    ActivityFactory(title="Forrige uke", region=network.follo, starts_at=ended - timedelta(hours=2), ends_at=ended)

    with celery_eager():
        assert send_digests_task.delay().get() == {"sent": 1, "planned": 1}
        assert send_figure_reminders_task.delay().get() == {"sent": 1, "planned": 1}
        assert send_digests_task.delay().get() == {"sent": 0, "planned": 0}
        assert send_figure_reminders_task.delay().get() == {"sent": 0, "planned": 0}

    assert "Neste uke" in _to("rektor-a@skole.example")[0].body
    assert "Forrige uke" in _to("koord-follo@ungmusikk.example")[0].body


# --- The profile page ---------------------------------------------------------------------------


def test_profile_page_turns_the_digest_and_reminders_off(client_as, rector_a):
    client = client_as(rector_a)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="receives_digest"' in page and 'name="receives_reminders"' in page

    client.post(reverse("profile"), {"language": "nb", "receives_notices": "on", "receives_reminders": "on"})

    profile = Profile.objects.get(user=rector_a)
    assert (profile.receives_digest, profile.receives_reminders, profile.receives_notices) == (False, True, True)


def test_profile_page_refuses_anonymous(client):
    response = client.post(reverse("profile"), {"language": "nb", "receives_digest": "on"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Profile.objects.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digest=st.one_of(st.text(max_size=20), st.just("on")), reminders=st.one_of(st.text(max_size=20), st.none()))
def test_profile_form_takes_any_input_without_error(client_as, rector_a, digest, reminders):
    data = {"language": "nb", "receives_digest": digest}
    if reminders is not None:
        data["receives_reminders"] = reminders
    response = client_as(rector_a).post(reverse("profile"), data)
    assert response.status_code in (200, 302)
    profile = Profile.of(rector_a)
    assert isinstance(profile.receives_digest, bool) and isinstance(profile.receives_reminders, bool)


# --- Through a real worker ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_digest_task_runs_in_a_real_celery_worker(network, rector_a, celery_worker_process, tmp_path):
    """A real worker (its own process, Redis, PostgreSQL) sends the digest into files the test
    reads, and records it."""
    from activities.tasks import send_digests_task

    _email(rector_a, "rektor-a@skole.example")
    now = timezone.now()
    ActivityFactory(
        title="Neste uke",
        region=network.follo,
        status=Activity.Status.PLANNED,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=2),
    )
    queue, start = celery_worker_process
    start(EMAIL_FILE_PATH=str(tmp_path), PORTAL_BASE_URL="https://portal.ungmusikk.example")

    assert send_digests_task.apply_async(queue=queue).get(timeout=120) == {"sent": 1, "planned": 1}
    assert send_digests_task.apply_async(queue=queue).get(timeout=120) == {"sent": 0, "planned": 0}

    assert ReminderSent.objects.filter(recipient=rector_a, kind=ReminderSent.Kind.DIGEST).count() == 1
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob("*.log")):
        assert time.monotonic() < deadline, "the worker wrote no e-mail"
        time.sleep(0.2)
    messages = [email.message_from_bytes(raw) for raw in _mail_files(tmp_path)]
    assert [m["To"] for m in messages] == ["rektor-a@skole.example"]
    parts = [part.get_payload(decode=True).decode() for part in messages[0].walk() if not part.is_multipart()]
    assert len(parts) == 2 and all("Neste uke" in part for part in parts)
    assert all("https://portal.ungmusikk.example/aktiviteter/" in part for part in parts)


def _mail_files(directory: Path) -> list[bytes]:
    """The messages the file backend wrote (each followed by a line of 79 dashes)."""
    return [
        chunk
        for path in sorted(directory.glob("*.log"))
        for chunk in path.read_bytes().split(b"-" * 79 + b"\n")
        if chunk.strip()
    ]


class RefusingOneAddressBackend(locmem.EmailBackend):
    """Django's in-memory backend, whose server refuses one address."""

    def send_messages(self, messages):
        if any("rektor-a@skole.example" in message.to for message in messages):
            raise ConnectionError("the mail server refuses rektor-a@skole.example")
        return super().send_messages(messages)
