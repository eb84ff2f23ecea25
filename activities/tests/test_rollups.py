"""The nightly enrolment rollup against a live computation on a factory-built network."""

import os
import signal
import threading
import time
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from activities.models import Activity, EnrolmentRollup, Participation, PupilLoadRollup, SchoolYearRollup
from activities.rollups import rollup_enrolment
from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.models import RollupRun
from governance.models import CooperationArea, PortalSetting
from schools.tests.factories import EnrolmentFactory, PupilFactory

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db
TX = pytest.mark.django_db(transaction=True)


def _at(year, month, day):
    return datetime(year, month, day, 10, 0, tzinfo=OSLO)


@pytest.fixture
def small_network(network):
    """School A and A2 in Follo, B in Romerike; two areas, two kinds, three months, one pupil
    at two schools, one cancelled activity that must not count, and a pupil above a load
    threshold of 2."""
    PortalSetting.objects.update(pupil_load_threshold=2)
    area2, area3 = CooperationArea.objects.get(number=2), CooperationArea.objects.get(number=3)
    a, a2, b = network.school_a, network.school_a2, network.school_b
    for school, pupils in ((a, 300), (a2, 120), (b, 500)):
        EnrolmentFactory(school=school, school_year=2019, pupils=pupils)
    ada = PupilFactory(first_name="Ada", schools=[a, b])  # at a culture school and an upper-secondary school
    ola = PupilFactory(first_name="Ola", schools=[a])
    kari = PupilFactory(first_name="Kari", schools=[b])

    masterclass = ActivityFactory(
        region=network.follo, starts_at=_at(2019, 10, 12), ends_at=_at(2019, 10, 12), areas=[area2]
    )
    concert = ActivityFactory(
        region=network.follo, kind="concert", starts_at=_at(2019, 11, 2), ends_at=_at(2019, 11, 2), areas=[area2, area3]
    )
    spring = ActivityFactory(
        region=network.romerike, kind="concert", starts_at=_at(2020, 2, 8), ends_at=_at(2020, 2, 8), areas=[area3]
    )
    cancelled = ActivityFactory(
        region=network.follo,
        starts_at=_at(2019, 10, 19),
        ends_at=_at(2019, 10, 19),
        status=Activity.Status.CANCELLED,
        areas=[area2],
    )
    p = ParticipationFactory(activity=masterclass, school=a, pupils=3, teachers=1)
    p.named_pupils.set([ada, ola])
    p = ParticipationFactory(activity=masterclass, school=a2, pupils=2, teachers=0)
    p = ParticipationFactory(activity=concert, school=a, pupils=10, teachers=2)
    p.named_pupils.set([ada])
    p = ParticipationFactory(activity=concert, school=b, pupils=6, teachers=1)
    p.named_pupils.set([kari])
    p = ParticipationFactory(activity=spring, school=b, pupils=4, teachers=1)
    p.named_pupils.set([ada, kari])
    ParticipationFactory(activity=cancelled, school=a, pupils=5, teachers=1).named_pupils.set([ola])
    return network


def live_cells():
    """The same figures computed the slow way, row by row in Python."""
    cells = defaultdict(lambda: {"activities": set(), "pupils": 0})
    for participation in Participation.objects.exclude(activity__status="cancelled").prefetch_related(
        "activity__cooperation_areas"
    ):
        local = participation.activity.starts_at.astimezone(OSLO)
        for area in participation.activity.cooperation_areas.all():
            cell = cells[(participation.school_id, area.number, participation.activity.kind, local.month)]
            cell["activities"].add(participation.activity_id)
            cell["pupils"] += participation.pupils
    return {key: (len(c["activities"]), c["pupils"]) for key, c in cells.items()}


def live_years():
    """The per-school-year totals computed the slow way: (activities, pupils, unique named
    pupils, teachers) per (school, school year)."""
    years = defaultdict(lambda: {"activities": set(), "pupils": 0, "unique": set(), "teachers": 0})
    for participation in Participation.objects.exclude(activity__status="cancelled").prefetch_related("named_pupils"):
        local = participation.activity.starts_at.astimezone(OSLO)
        year = years[(participation.school_id, local.year if local.month >= 8 else local.year - 1)]
        year["activities"].add(participation.activity_id)
        year["pupils"] += participation.pupils
        year["unique"].update(pupil.pk for pupil in participation.named_pupils.all())
        year["teachers"] += participation.teachers
    return {key: (len(y["activities"]), y["pupils"], len(y["unique"]), y["teachers"]) for key, y in years.items()}


def rolled_cells():
    return {
        (r.school_id, r.cooperation_area.number, r.kind, r.month): (r.activities, r.pupils)
        for r in EnrolmentRollup.objects.select_related("cooperation_area")
    }


def rolled_years():
    return {
        (r.school_id, r.school_year): (r.activities, r.pupils, r.unique_pupils, r.teachers)
        for r in SchoolYearRollup.objects.all()
    }


def snapshot():
    return (
        sorted(
            EnrolmentRollup.objects.values_list(
                "school_year",
                "school_id",
                "cooperation_area_id",
                "kind",
                "month",
                "activities",
                "pupils",
            )
        ),
        sorted(
            SchoolYearRollup.objects.values_list(
                "school_year", "school_id", "activities", "pupils", "unique_pupils", "teachers"
            )
        ),
        sorted(PupilLoadRollup.objects.values_list("school_year", "term", "pupil_id", "activities")),
    )


def test_rollup_cells_equal_live_computation(small_network):
    run = rollup_enrolment()

    assert run.status == RollupRun.Status.SUCCEEDED
    assert rolled_cells() == live_cells()
    assert rolled_years() == live_years()


def test_rollup_cells_hand_computed(small_network):
    rollup_enrolment()
    a, b = small_network.school_a.pk, small_network.school_b.pk

    # Masterclass in October, area 2: school A sent 3 pupils to 1 activity.
    assert rolled_cells()[(a, 2, "masterclass", 10)] == (1, 3)
    # The concert counts in both its areas.
    assert rolled_cells()[(a, 2, "concert", 11)] == (1, 10)
    assert rolled_cells()[(a, 3, "concert", 11)] == (1, 10)
    assert rolled_cells()[(b, 3, "concert", 2)] == (1, 4)


def test_rollup_school_year_totals(small_network):
    rollup_enrolment()
    a = SchoolYearRollup.objects.get(school=small_network.school_a, school_year=2019)
    b = SchoolYearRollup.objects.get(school=small_network.school_b, school_year=2019)

    assert (a.activities, a.pupils, a.unique_pupils, a.teachers) == (2, 13, 2, 3)
    assert (b.activities, b.pupils, b.unique_pupils, b.teachers) == (2, 10, 2, 2)


def test_rollup_pupil_load_counts_across_schools(small_network):
    rollup_enrolment()
    loads = {(r.pupil.first_name, r.term): r.activities for r in PupilLoadRollup.objects.select_related("pupil")}

    assert loads == {
        ("Ada", "autumn"): 2,
        ("Ola", "autumn"): 1,
        ("Kari", "autumn"): 1,
        ("Ada", "spring"): 1,
        ("Kari", "spring"): 1,
    }


def test_rollup_twice_gives_identical_tables(small_network):
    rollup_enrolment()
    first = snapshot()
    rollup_enrolment()

    assert snapshot() == first
    # Two whole runs, each of one unit (the school year 2019/20).
    assert RollupRun.objects.filter(status="succeeded", year__isnull=True).count() == 2
    assert RollupRun.objects.filter(status="succeeded", year=2019).count() == 2


def test_rollup_incremental_recomputes_only_changed_schools(small_network):
    rollup_enrolment()
    untouched_run = SchoolYearRollup.objects.get(school=small_network.school_b, school_year=2019).run_id
    masterclass = Activity.objects.get(kind="masterclass", status="held")
    Participation.objects.filter(activity=masterclass, school=small_network.school_a2).update(pupils=7)
    # QuerySet.update bypasses signals, so mark by hand as bulk writers must.
    from activities.rollups import rollup_mark_dirty

    rollup_mark_dirty(pairs=[(small_network.school_a2.pk, 2019)])
    run = rollup_enrolment(incremental=True)

    assert run.mode == "incremental"
    assert SchoolYearRollup.objects.get(school=small_network.school_a2, school_year=2019).pupils == 7
    assert SchoolYearRollup.objects.get(school=small_network.school_b, school_year=2019).run_id == untouched_run
    assert rolled_cells() == live_cells()
    assert rolled_years() == live_years()


def test_rollup_incremental_follows_a_save_through_the_service(small_network):
    from activities.services import ActivityData, ParticipationData, activity_save

    rollup_enrolment()
    spring = Activity.objects.get(starts_at__month=2)
    ola = small_network.school_a.pupils.get(first_name="Ola")
    activity_save(
        user=None,
        activity=spring,
        data=ActivityData.of(spring),
        participations=[
            *(ParticipationData.of(p) for p in spring.participations.all()),
            ParticipationData(school=small_network.school_a, pupils=5, teachers=1, named_pupils=[ola]),
        ],
        costs=[],
    )

    rollup_enrolment(incremental=True)

    assert rolled_cells() == live_cells()

    assert rolled_years() == live_years()
    assert SchoolYearRollup.objects.get(school=small_network.school_a, school_year=2019).pupils == 18


def test_rollup_forgets_named_pupils_no_longer_named(small_network):
    """A school whose participations keep their rows but lose their named pupils: its unique
    pupils go back to 0 (the row is updated, not only inserted)."""
    rollup_enrolment()
    Participation.named_pupils.through.objects.filter(participation__school=small_network.school_a).delete()

    rollup_enrolment()

    a = SchoolYearRollup.objects.get(school=small_network.school_a, school_year=2019)
    assert (a.activities, a.pupils, a.unique_pupils, a.teachers) == (2, 13, 0, 3)
    assert rolled_years() == live_years()


def test_rollup_drops_figures_of_a_deleted_activity(small_network):
    rollup_enrolment()
    Activity.objects.filter(kind="masterclass", status="held").delete()

    rollup_enrolment()

    assert rolled_cells() == live_cells()

    assert rolled_years() == live_years()
    assert not EnrolmentRollup.objects.filter(kind="masterclass").exists()


def test_beat_schedule_exists_after_migrate():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.select_related("crontab").get(task="activities.rollup_enrolment")

    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "2", "Europe/Oslo")
    assert task.enabled is True


@TX
def test_rollup_overlap_second_run_skips_while_lock_held(small_network):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serializes writers itself")
    import zlib

    from django.db import connections

    from core.rollups import LOCK_NAMESPACE

    holder_ready, release = threading.Event(), threading.Event()
    results = {}

    def first_run_holding_the_lock():
        # Another connection plays a run in progress: it holds the same advisory lock.
        conn = connections.create_connection("default")
        with conn.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, zlib.crc32(b"enrolment:2019") & 0x7FFFFFFF]
            )
            holder_ready.set()
            release.wait(30)
            cursor.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=first_run_holding_the_lock)
    holder.start()
    holder_ready.wait(30)
    results["second"] = rollup_enrolment()
    release.set()
    holder.join(30)
    third = rollup_enrolment()

    # The network's one school year is locked by another run: its unit, and so the whole run, skip.
    assert results["second"].status == RollupRun.Status.SKIPPED
    assert results["second"].error == "En annen kjøring av samme type pågår (skoleår 2019)."
    assert RollupRun.objects.get(year=2019, started_at__gte=results["second"].started_at, status="skipped").error == (
        "En annen kjøring av samme type pågår."
    )
    assert third.status == RollupRun.Status.SUCCEEDED
    assert EnrolmentRollup.objects.exclude(run__started_at__gte=third.started_at).count() == 0


@TX
@pytest.mark.celery_worker
def test_rollup_runs_in_a_real_celery_worker(small_network, celery_worker_process):
    from activities.tasks import rollup_enrolment_task

    queue, start = celery_worker_process
    start()
    result = rollup_enrolment_task.apply_async(kwargs={"year": 2019}, queue=queue)

    outcome = result.get(timeout=120)

    # One school year runs in the task itself (no fan-out).
    assert outcome["status"] == "succeeded"
    assert RollupRun.objects.get(pk=outcome["run"]).task_id == result.id
    assert RollupRun.objects.get(pk=outcome["run"]).year == 2019
    assert rolled_cells() == live_cells()
    assert rolled_years() == live_years()


def _advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0]


@TX
@pytest.mark.celery_worker
def test_rollup_worker_killed_mid_run_leaves_previous_figures(small_network, celery_worker_process):
    from activities.tasks import rollup_enrolment_task

    rollup_enrolment()
    before = snapshot()
    masterclass = Activity.objects.get(kind="masterclass", status="held")
    ParticipationFactory(activity=masterclass, school=small_network.school_b, pupils=9, teachers=2)

    queue, start = celery_worker_process
    worker = start(ROLLUP_FAULT_INJECTION_PAUSE="30")
    rollup_enrolment_task.apply_async(kwargs={"full": True}, queue=queue)
    deadline = time.monotonic() + 90
    # The unit of 2019/20, fanned out by the task, inside its transaction.
    while not RollupRun.objects.filter(status="running", year=2019).exists():
        assert time.monotonic() < deadline, "the worker never started the rollup"
        time.sleep(0.2)
    time.sleep(2)  # inside the transaction, after writing its rows
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    # PostgreSQL ends the dead worker's session (and its transaction and lock) once it sees
    # the connection closed: a moment after the process is gone, not at once.
    while _advisory_locks_held():
        assert time.monotonic() < deadline, "the killed worker's session kept its lock"
        time.sleep(0.2)

    assert snapshot() == before
    after_kill = rollup_enrolment()
    undisturbed = snapshot()
    rollup_enrolment()

    assert after_kill.status == "succeeded"
    assert snapshot() == undisturbed
    assert rolled_cells() == live_cells()
    assert rolled_years() == live_years()
    assert RollupRun.objects.filter(status="failed", error__startswith="Avbrutt", year=2019).count() == 1
