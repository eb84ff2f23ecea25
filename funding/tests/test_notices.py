"""The budget workflow's e-mails (funding/notices.py): who gets one, what it says, in which
language, and that nothing is sent for a step that is refused or rolled back.

The services run as in production: the notice is a Celery task enqueued after the commit
(in-process here, `celery_eager`, also when REDIS_URL is set), and Django's test outbox is the
mail server. One test sends through a real worker (REDIS_URL and PostgreSQL only)."""

from __future__ import annotations

import email
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from activities.tests.helpers import celery_eager
from conftest import make_persona
from funding.models import Budget
from funding.services import budget_approve, budget_draft, budget_return, budget_submit
from governance.models import Profile, Role
from governance.tests.factories import RoleFactory

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"


def _email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def people(funded, daily_leader, steering_member, steering_leader):
    """The budget's people with addresses, and the steering group's edge cases: a member with
    two seats, one without an address, one who turned the notices off, an inactive one, one
    whose seat ended, a case preparer's seat, and a rector (no seat)."""
    _email(daily_leader, "leder@ungmusikk.example")
    _email(steering_member, "styre@ungmusikk.example")
    _email(steering_leader, "styreleder@ungmusikk.example")
    group = funded.steering_group
    two_seats = make_persona("to-seter", kind=Role.Kind.MEMBER, body=group)
    RoleFactory(user=two_seats, kind=Role.Kind.LEADER, body=group, valid_from=date(2013, 1, 1))
    _email(two_seats, "to-seter@ungmusikk.example")
    make_persona("uten-epost", kind=Role.Kind.MEMBER, body=group)
    notices_off = _email(make_persona("ingen-varsler", kind=Role.Kind.MEMBER, body=group), "av@ungmusikk.example")
    Profile.objects.create(user=notices_off, receives_notices=False)
    inactive = _email(make_persona("sluttet", kind=Role.Kind.MEMBER, body=group), "sluttet@ungmusikk.example")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    former = _email(make_persona("tidligere", kind=Role.Kind.MEMBER, body=group), "tidligere@ungmusikk.example")
    former.roles.update(valid_to=date(2019, 12, 31))
    _email(make_persona("saksforbereder", kind=Role.Kind.CASE_PREPARER, body=group), "sak@ungmusikk.example")
    _email(make_persona("rektor", kind=Role.Kind.RECTOR, school=funded.school_a), "rektor@ungmusikk.example")
    return funded


SEATED = ["styre@ungmusikk.example", "styreleder@ungmusikk.example", "to-seter@ungmusikk.example"]


def _sent(callbacks_fixture, service, **kwargs):
    """Run a service as a request would: the e-mails go when its transaction commits."""
    mail.outbox.clear()
    with celery_eager(), callbacks_fixture(execute=True):
        return service(**kwargs)


def _to(messages=None) -> list[str]:
    return sorted(address for message in (messages or mail.outbox) for address in message.to)


def _html(message) -> str:
    (html, mimetype), *others = message.alternatives
    assert (mimetype, others) == ("text/html", [])
    return html


def _submitted(people, daily_leader, django_capture_on_commit_callbacks) -> Budget:
    draft = budget_draft(year=2020, user=daily_leader)
    return _sent(django_capture_on_commit_callbacks, budget_submit, budget=draft, user=daily_leader)


def test_submit_mails_each_seated_member_once(people, daily_leader, django_capture_on_commit_callbacks):
    budget = _submitted(people, daily_leader, django_capture_on_commit_callbacks)
    url = f"{BASE}/admin/funding/budget/{budget.pk}/change/"

    assert _to() == SEATED
    message = next(m for m in mail.outbox if m.to == ["styre@ungmusikk.example"])
    assert message.subject == "Budsjett 2020, revisjon 1 er lagt fram for styringsgruppen"
    assert url in message.body
    assert f'href="{url}"' in _html(message)
    assert "Inntekter: 1\xa0370\xa0000\xa0kr" in message.body
    assert "leder la fram Budsjett 2020, revisjon 1 for styringsgruppen " in message.body
    assert message.from_email == "UngMusikk <ikke-svar@ungmusikk.example>"


def test_submit_time_is_oslo_time(people, daily_leader, django_capture_on_commit_callbacks):
    budget = _submitted(people, daily_leader, django_capture_on_commit_callbacks)
    oslo = budget.submitted_at.astimezone(ZoneInfo("Europe/Oslo"))
    message = mail.outbox[0]

    assert f"{oslo:%d.%m.%Y} kl. {oslo:%H.%M}" in message.body


def test_submit_link_uses_portal_base_url(people, daily_leader, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_BASE_URL = "https://portal.ungmusikk.example"
    budget = _submitted(people, daily_leader, django_capture_on_commit_callbacks)

    expected = "https://portal.ungmusikk.example" + reverse("admin:funding_budget_change", args=[budget.pk])
    assert {expected in message.body for message in mail.outbox} == {True}


def test_submit_refused_sends_nothing(people, steering_member, django_capture_on_commit_callbacks, daily_leader):
    draft = budget_draft(year=2020, user=daily_leader)
    mail.outbox.clear()
    with celery_eager(), django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        budget_submit(budget=draft, user=steering_member)

    assert mail.outbox == []


def test_submit_rolled_back_sends_nothing(people, daily_leader, django_capture_on_commit_callbacks):
    draft = budget_draft(year=2020, user=daily_leader)
    mail.outbox.clear()
    with celery_eager(), django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        budget_submit(budget=draft, user=daily_leader)
        transaction.set_rollback(True)

    assert (callbacks, mail.outbox) == ([], [])
    assert Budget.objects.get(pk=draft.pk).status == Budget.Status.DRAFT


def test_submit_unbalanced_sends_nothing(people, daily_leader, django_capture_on_commit_callbacks):
    draft = budget_draft(year=2020, user=daily_leader)
    draft.lines.filter(kind="reserve").delete()
    mail.outbox.clear()
    with celery_eager(), django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        budget_submit(budget=draft, user=daily_leader)

    assert mail.outbox == []


def test_return_mails_submitter_and_members_with_comment(
    people, daily_leader, steering_member, django_capture_on_commit_callbacks
):
    budget = _submitted(people, daily_leader, django_capture_on_commit_callbacks)
    comment = "Reserven er for stor.\n<b>Se på</b> pottene & tildelingene."
    _sent(django_capture_on_commit_callbacks, budget_return, budget=budget, user=steering_member, comment=comment)

    assert _to() == sorted(["leder@ungmusikk.example", *SEATED])
    message = next(m for m in mail.outbox if m.to == ["leder@ungmusikk.example"])
    assert message.subject == "Budsjett 2020, revisjon 1 er sendt tilbake"
    assert comment in message.body
    assert "&lt;b&gt;Se på&lt;/b&gt; pottene &amp; tildelingene." in _html(message)
    assert "<b>" not in _html(message)
    assert "Styringsgruppen sendte Budsjett 2020, revisjon 1 tilbake" in message.body


def test_approve_mails_submitter_and_members(
    people, daily_leader, steering_leader, steering_member, django_capture_on_commit_callbacks
):
    budget = _submitted(people, daily_leader, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    # The decision rule: the leader's vote and a member's; the e-mail lists both, with comments.
    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        budget = budget_approve(budget=budget, user=steering_leader, comment="Godt arbeid.")
        assert not mail.outbox  # a vote alone decides nothing, and mails nobody
        budget = budget_approve(budget=budget, user=steering_member, comment="Enig, men se på reserven.")

    assert budget.status == Budget.Status.APPROVED
    assert _to() == sorted(["leder@ungmusikk.example", *SEATED])
    assert {m.subject for m in mail.outbox} == {"Budsjett 2020, revisjon 1 er vedtatt"}
    for message in mail.outbox:
        assert "Godt arbeid." in message.body and "Enig, men se på reserven." in message.body
        assert message.body.count("For å vedta") == 2
        html = message.alternatives[0][0]
        assert "Godt arbeid." in html and "Enig, men se på reserven." in html


def test_submitter_with_a_seat_gets_one_decision_mail(
    people, case_preparer_on_board, steering_member, django_capture_on_commit_callbacks
):
    _email(case_preparer_on_board, "leder-og-styre@ungmusikk.example")
    draft = budget_draft(year=2020, user=case_preparer_on_board)
    budget = _sent(django_capture_on_commit_callbacks, budget_submit, budget=draft, user=case_preparer_on_board)
    assert "leder-og-styre@ungmusikk.example" in _to()
    _sent(django_capture_on_commit_callbacks, budget_return, budget=budget, user=steering_member, comment="Nei.")

    assert _to().count("leder-og-styre@ungmusikk.example") == 1
    assert len(mail.outbox) == len(set(_to()))


def test_english_profile_gets_english_mail(people, daily_leader, steering_member, django_capture_on_commit_callbacks):
    Profile.objects.create(user=steering_member, language=Profile.Language.EN)
    budget = _submitted(people, daily_leader, django_capture_on_commit_callbacks)

    english = next(m for m in mail.outbox if m.to == ["styre@ungmusikk.example"])
    norwegian = next(m for m in mail.outbox if m.to == ["styreleder@ungmusikk.example"])
    assert english.subject == "Budget 2020, revision 1 has been laid before the steering group"
    assert "Income: NOK\xa01,370,000" in english.body
    assert 'lang="en"' in _html(english)
    assert norwegian.subject == "Budsjett 2020, revisjon 1 er lagt fram for styringsgruppen"
    assert 'lang="nb"' in _html(norwegian)

    _sent(django_capture_on_commit_callbacks, budget_return, budget=budget, user=steering_member, comment="Too big.")
    english = next(m for m in mail.outbox if m.to == ["styre@ungmusikk.example"])
    assert english.subject == "Budget 2020, revision 1 has been returned"


def test_notices_name_no_pupil(people, daily_leader, django_capture_on_commit_callbacks):
    from schools.tests.factories import PupilFactory

    PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[people.school_a])
    _submitted(people, daily_leader, django_capture_on_commit_callbacks)

    assert mail.outbox
    assert not [m for m in mail.outbox if "Ingrid" in m.body or "Ingrid" in _html(m)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_submit_notice_sent_by_a_real_worker(funded, daily_leader, steering_member, celery_worker_process, tmp_path):
    """A real worker (its own process, Redis, PostgreSQL) sends the e-mail into files the test
    reads: the locmem outbox is not shared between processes."""
    from ungmusikk.celery import app

    _email(steering_member, "styre@ungmusikk.example")
    queue, start = celery_worker_process
    start(EMAIL_FILE_PATH=str(tmp_path), PORTAL_BASE_URL="https://portal.ungmusikk.example")
    draft = budget_draft(year=2020, user=daily_leader)
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # the worker of this test consumes its own queue only
    try:
        budget = budget_submit(budget=draft, user=daily_leader)
    finally:
        app.conf.task_default_queue = default_queue

    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("*.log")):
        assert time.monotonic() < deadline, "the worker never sent the notice"
        time.sleep(0.2)
    time.sleep(0.5)  # the file is written message by message
    messages = [email.message_from_bytes(raw) for raw in _mail_files(tmp_path)]
    assert [(m["To"], m["Subject"]) for m in messages] == [
        ("styre@ungmusikk.example", "Budsjett 2020, revisjon 1 er lagt fram for styringsgruppen")
    ]
    url = f"https://portal.ungmusikk.example/admin/funding/budget/{budget.pk}/change/"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in messages[0].walk()
        if not part.is_multipart()
    }
    assert url in parts["text/plain"]
    assert f'href="{url}"' in parts["text/html"]


def _mail_files(directory: Path) -> list[bytes]:
    """The messages the file backend wrote (each followed by a line of 79 dashes)."""
    return [
        chunk
        for path in sorted(directory.glob("*.log"))
        for chunk in path.read_bytes().split(b"-" * 79 + b"\n")
        if chunk.strip()
    ]
