"""The retention period of pupils' personal data (issue 13, activities.privacy.pupils_retention):
a pupil whose last activity ended more than N school years ago and who goes to no member
school now is pseudonymised by the nightly job; nobody else is; a second run and a dry run
change nothing."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from activities.privacy import RETENTION_REASON, pupil_is_erased, pupils_past_retention, pupils_retention
from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.audit import AuditAction
from core.periods import OSLO
from governance.models import AuditEntry, PortalSetting
from schools.models import Membership
from schools.tests.factories import PupilFactory, SchoolFactory

# School year 2023/24: with the default of 3 school years, a pupil last seen in 2019/20 is past
# the period, one seen in 2022/23 is not.
TODAY = date(2024, 3, 1)


def _named_on(pupil, school, day: datetime):
    activity = ActivityFactory(region=school.region, starts_at=day, ends_at=day)
    ParticipationFactory(activity=activity, school=school, pupils=1).named_pupils.add(pupil)
    return activity


@pytest.fixture
def left_school(db):
    """A school that left the network in 2020 (its membership ended)."""
    school = SchoolFactory(membership="")
    Membership.objects.create(
        school=school, status=Membership.Status.MEMBER, valid_from=date(2013, 1, 1), valid_to=date(2020, 7, 31)
    )
    return school


@pytest.fixture
def old_pupil(left_school):
    pupil = PupilFactory(first_name="Gammel", last_name="Elevsen", schools=[left_school])
    _named_on(pupil, left_school, datetime(2019, 10, 12, 10, tzinfo=OSLO))
    return pupil


@pytest.fixture
def recent_pupil(left_school):
    pupil = PupilFactory(first_name="Ny", last_name="Elevsen", schools=[left_school])
    _named_on(pupil, left_school, datetime(2019, 10, 12, 10, tzinfo=OSLO))
    _named_on(pupil, left_school, datetime(2023, 3, 4, 10, tzinfo=OSLO))
    return pupil


def test_a_pupil_last_seen_four_school_years_ago_is_pseudonymised_and_one_from_last_year_is_not(
    old_pupil, recent_pupil
):
    result = pupils_retention(today=TODAY)

    assert result.pupil_ids == [old_pupil.pk]
    old_pupil.refresh_from_db()
    recent_pupil.refresh_from_db()
    assert pupil_is_erased(old_pupil)
    assert (recent_pupil.first_name, recent_pupil.last_name) == ("Ny", "Elevsen")
    erase = AuditEntry.objects.get(action=AuditAction.PUPIL_ERASE)
    assert (erase.actor, erase.object_id, erase.comment) == (None, str(old_pupil.pk), RETENTION_REASON)
    record = AuditEntry.objects.get(action=AuditAction.PUPILS_RETENTION)
    assert record.changes == {"pupils": [None, 1]}
    assert "Gammel" not in f"{record.object_repr} {record.comment} {record.changes}"


def test_a_pupil_at_a_member_school_now_is_kept(network):
    pupil = PupilFactory(schools=[network.school_a])  # school A is a member from 2013, still
    _named_on(pupil, network.school_a, datetime(2015, 10, 12, 10, tzinfo=OSLO))
    assert list(pupils_past_retention(today=TODAY)) == []
    assert pupils_retention(today=TODAY).count == 0


def test_the_setting_decides_how_many_school_years(old_pupil):
    PortalSetting.objects.update_or_create(pk=1, defaults={"pupil_retention_school_years": 5})
    assert list(pupils_past_retention(today=TODAY)) == []
    PortalSetting.objects.filter(pk=1).update(pupil_retention_school_years=3)
    assert list(pupils_past_retention(today=TODAY)) == [old_pupil]


def test_a_second_run_changes_nothing(old_pupil, recent_pupil):
    pupils_retention(today=TODAY)
    before = list(AuditEntry.objects.order_by("pk").values_list("pk", "object_repr", "changes", "comment"))

    assert pupils_retention(today=TODAY).count == 0
    assert list(AuditEntry.objects.order_by("pk").values_list("pk", "object_repr", "changes", "comment")) == before


def test_the_dry_run_lists_ids_and_changes_nothing(old_pupil, recent_pupil, time_machine_today):
    out = StringIO()
    call_command("pupils_retention", dry_run=True, stdout=out)

    assert out.getvalue().splitlines() == ["Ville pseudonymisert 1 elev.", str(old_pupil.pk)]
    old_pupil.refresh_from_db()
    assert (old_pupil.first_name, old_pupil.last_name) == ("Gammel", "Elevsen")
    assert not AuditEntry.objects.filter(action__in=[AuditAction.PUPIL_ERASE, AuditAction.PUPILS_RETENTION]).exists()

    out = StringIO()
    call_command("pupils_retention", dry_run=True, names=True, stdout=out)
    assert out.getvalue().splitlines()[1] == f"{old_pupil.pk}\tGammel Elevsen"


def test_the_command_pseudonymises(old_pupil, time_machine_today):
    out = StringIO()
    call_command("pupils_retention", stdout=out)
    assert out.getvalue().strip() == f"Pseudonymiserte 1 elev: {old_pupil.pk}"
    old_pupil.refresh_from_db()
    assert pupil_is_erased(old_pupil)


def test_the_nightly_job_is_scheduled_at_three_in_oslo(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="activities.pupils_retention")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("3", "0", "Europe/Oslo")


@pytest.fixture
def time_machine_today(monkeypatch):
    """The command reads today's date: today is TODAY."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_task_runs_in_a_real_celery_worker(celery_worker_process):
    from activities.tasks import pupils_retention_task

    school = SchoolFactory(membership="")
    pupil = PupilFactory(first_name="Gammel", last_name="Arbeidersen", schools=[school])
    _named_on(pupil, school, datetime(2015, 10, 12, 10, tzinfo=OSLO))
    queue, start = celery_worker_process
    start()

    outcome = pupils_retention_task.apply_async(queue=queue).get(timeout=120)

    assert outcome == {"skipped": False, "pupils": 1}
    pupil.refresh_from_db()
    assert pupil_is_erased(pupil)
