"""The enrolment rollup in units (issue 17): each school year is a unit of work under its own
lock, run one after the other here or fanned out to Celery workers as a chord. Whatever the
order or the split, the tables are the same as one run's; a unit whose lock another run holds
skips alone; the nightly run does the current school year and what was marked changed."""

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityMonthRollup,
    AreaMonthRollup,
    EnrolmentRollup,
    NmhTeacherRollup,
    Participation,
    ParticipationMonthRollup,
    PupilCountRollup,
    PupilLoadRollup,
    RollupDirty,
    SchoolYearRollup,
)
from activities.rollups import (
    RollupUnit,
    rollup_enrolment,
    rollup_enrolment_finish,
    rollup_enrolment_plan,
    rollup_enrolment_start,
    rollup_enrolment_unit,
    rollup_mark_dirty,
)
from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.models import RollupRun
from core.periods import school_year_of
from core.rollups import LOCK_NAMESPACE, rollup_last_success_by_kind, rollup_lock_key
from core.schedules import ENROLMENT
from governance.models import CooperationArea
from schools.tests.factories import PupilFactory

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db
TX = pytest.mark.django_db(transaction=True)


def _at(year, month, day):
    return datetime(year, month, day, 10, 0, tzinfo=OSLO)


@pytest.fixture
def three_years(network):
    """Three school years (2018/19, 2019/20, 2020/21) at schools A, A2 and B, with a pupil at two
    schools named in every year and in both halves of calendar years 2019 and 2020, NMH
    teachers, two areas, and a cancelled activity that must not count."""
    area2, area3 = CooperationArea.objects.get(number=2), CooperationArea.objects.get(number=3)
    a, a2, b = network.school_a, network.school_a2, network.school_b
    ada = PupilFactory(first_name="Ada", birth_year=2008, schools=[a, b])
    ola = PupilFactory(first_name="Ola", birth_year=2011, schools=[a])
    kari = PupilFactory(first_name="Kari", birth_year=2005, schools=[b])
    plan = [
        (network.follo, "masterclass", _at(2019, 3, 9), [area2], [(a, 3, [ada, ola]), (a2, 2, [])]),
        (network.follo, "concert", _at(2019, 10, 12), [area2, area3], [(a, 10, [ada]), (b, 6, [kari])]),
        (network.romerike, "concert", _at(2020, 2, 8), [area3], [(b, 4, [ada, kari])]),
        (network.follo, "masterclass", _at(2020, 9, 5), [area2], [(a, 5, [ola, ada]), (b, 2, [kari])]),
        (network.romerike, "course", _at(2021, 4, 17), [area3], [(a2, 8, [ada])]),
    ]
    for region, kind, starts_at, areas, rows in plan:
        activity = ActivityFactory(
            region=region, kind=kind, starts_at=starts_at, ends_at=starts_at, areas=areas, nmh_teachers="Ane Li, Bo Ek"
        )
        for school, pupils, named in rows:
            ParticipationFactory(activity=activity, school=school, pupils=pupils, teachers=1).named_pupils.set(named)
    cancelled = ActivityFactory(
        region=network.follo, starts_at=_at(2019, 11, 1), ends_at=_at(2019, 11, 1), status="cancelled", areas=[area2]
    )
    ParticipationFactory(activity=cancelled, school=a, pupils=9).named_pupils.set([ola])
    return network


SUMMARIES = {
    EnrolmentRollup: ("school_year", "school_id", "cooperation_area_id", "kind", "month", "activities", "pupils"),
    ParticipationMonthRollup: ("school_year", "school_id", "kind", "month", "activities", "pupils", "teachers"),
    SchoolYearRollup: ("school_year", "school_id", "activities", "pupils", "teachers", "unique_pupils"),
    PupilLoadRollup: ("school_year", "term", "pupil_id", "activities"),
    PupilCountRollup: ("period", "year", "school_id", "age_band", "pupils"),
    ActivityMonthRollup: ("school_year", "month", "region_id", "municipality_id", "kind", "level", "activities"),
    AreaMonthRollup: ("school_year", "month", "region_id", "cooperation_area_id", "activities", "pupils"),
    NmhTeacherRollup: ("school_year", "month", "region_id", "name"),
}


def tables() -> dict[str, list[tuple]]:
    """Every summary the enrolment rollup writes, without the run columns."""
    return {model.__name__: sorted(model.objects.values_list(*columns)) for model, columns in SUMMARIES.items()}


def test_a_run_is_one_unit_per_school_year_with_data(three_years):
    run = rollup_enrolment()
    units = RollupRun.objects.filter(kind=ENROLMENT, year__isnull=False).order_by("year")

    assert run.status == RollupRun.Status.SUCCEEDED and run.year is None
    assert [(unit.year, unit.status) for unit in units] == [
        (2018, "succeeded"),
        (2019, "succeeded"),
        (2020, "succeeded"),
    ]
    assert run.rows_written == sum(unit.rows_written for unit in units) > 0
    # The calendar years each unit counts: 2018 (no spring before it) to 2021 (the last unit's spring).
    assert sorted(set(PupilCountRollup.objects.filter(period="calendar_year").values_list("year", flat=True))) == [
        2019,
        2020,
        2021,
    ]


def test_units_in_any_order_give_the_tables_of_one_run(three_years):
    rollup_enrolment()
    expected = tables()
    for model in SUMMARIES:
        model.objects.all().delete()

    run, units = rollup_enrolment_start(mode=RollupRun.Mode.FULL)
    done = [
        rollup_enrolment_unit(
            year=unit.year, schools=unit.schools, last=unit.last, mode=run.mode, before=run.started_at
        ).pk
        for unit in reversed(units)
    ]
    rollup_enrolment_finish(run_id=run.pk, unit_run_ids=done)

    assert tables() == expected
    assert expected["PupilCountRollup"]  # the comparison compares something


def test_calendar_year_counts_a_pupil_named_in_both_halves_once(three_years):
    rollup_enrolment()
    ada = Participation.named_pupils.through.objects.filter(pupil__first_name="Ada").values("pupil_id")[:1]
    a = three_years.school_a
    # Ada at school A in calendar 2019: March (spring of 2018/19) and October (autumn of 2019/20).
    counted = PupilCountRollup.objects.filter(period="calendar_year", year=2019, school=a)
    assert sum(counted.values_list("pupils", flat=True)) == 2  # Ada and Ola, each once
    assert ada.exists()


@TX
def test_a_unit_whose_lock_is_held_skips_alone(three_years):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serializes writers itself")
    first = rollup_enrolment()
    Participation.objects.filter(school=three_years.school_b).update(pupils=40)
    holder_ready, release = threading.Event(), threading.Event()

    def another_run_holding_2019():
        conn = connections.create_connection("default")
        with conn.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, rollup_lock_key(ENROLMENT, 2019)])
            holder_ready.set()
            release.wait(30)
            cursor.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=another_run_holding_2019)
    holder.start()
    assert holder_ready.wait(30), "the other run never took the lock"
    try:
        second = rollup_enrolment()
    finally:
        release.set()
        holder.join(30)
    # The second run's units (a whole run is recorded before its units).
    units = dict(RollupRun.objects.filter(year__isnull=False, pk__gt=second.pk).values_list("year", "status"))

    assert units == {2018: "succeeded", 2019: "skipped", 2020: "succeeded"}
    assert second.status == RollupRun.Status.SKIPPED
    assert "2019" in second.error
    # 2019's figures are the first run's; 2020's were written again with B's new count.
    b_2019 = SchoolYearRollup.objects.get(school=three_years.school_b, school_year=2019)
    b_2020 = SchoolYearRollup.objects.get(school=three_years.school_b, school_year=2020)
    assert b_2019.pupils == 10 and b_2019.run.year == 2019 and b_2019.run.started_at < second.started_at
    assert b_2020.pupils == 40
    # A skipped unit does not move "as of".
    assert rollup_last_success_by_kind()[ENROLMENT] == first.finished_at


def test_one_years_run_does_not_move_as_of(three_years):
    whole = rollup_enrolment()
    one = rollup_enrolment(year=2019)

    assert one.year == 2019 and one.status == RollupRun.Status.SUCCEEDED
    assert rollup_last_success_by_kind()[ENROLMENT] == whole.finished_at


def test_nightly_plan_is_the_current_year_and_the_marked_schools(three_years):
    rollup_enrolment()
    a, b = three_years.school_a, three_years.school_b
    rollup_mark_dirty(pairs=[(a.pk, 2018), (b.pk, 2020)])
    current = school_year_of(timezone.localdate())

    units = rollup_enrolment_plan(mode=RollupRun.Mode.NIGHTLY, before=timezone.now())

    # A change in 2018/19 also changes calendar year 2019, counted by 2019/20's unit.
    assert units[:3] == [
        RollupUnit(2018, (a.pk,), False),
        RollupUnit(2019, (a.pk,), False),
        RollupUnit(2020, (b.pk,), True),
    ]
    assert units[-1] == RollupUnit(current, None, True)
    assert rollup_enrolment_plan(mode=RollupRun.Mode.INCREMENTAL, before=timezone.now())[:3] == units[:3]
    assert [unit.year for unit in rollup_enrolment_plan(mode=RollupRun.Mode.FULL, before=timezone.now())] == [
        2018,
        2019,
        2020,
    ]


def test_nightly_run_after_changes_equals_a_full_run(three_years):
    from activities.services import ActivityData, ParticipationData, activity_save

    rollup_enrolment()
    # A change through the service in the spring of 2018/19 (marks A and 2018 as changed).
    march = Activity.objects.get(starts_at=_at(2019, 3, 9))
    kari = three_years.school_b.pupils.get(first_name="Kari")
    activity_save(
        user=None,
        activity=march,
        data=ActivityData.of(march),
        participations=[
            *(ParticipationData.of(p) for p in march.participations.all()),
            ParticipationData(school=three_years.school_b, pupils=5, teachers=1, named_pupils=[kari]),
        ],
        costs=[],
    )
    assert RollupDirty.objects.filter(school_year=2018).exists()

    nightly = rollup_enrolment(nightly=True)
    after_nightly = tables()
    rollup_enrolment()

    assert nightly.mode == RollupRun.Mode.NIGHTLY and nightly.status == RollupRun.Status.SUCCEEDED
    assert after_nightly == tables()
    assert not RollupDirty.objects.exists()


@TX
@pytest.mark.celery_worker
def test_the_fanned_out_run_in_two_real_workers_equals_one_run(three_years, celery_worker_process):
    from activities.tasks import rollup_enrolment_task

    rollup_enrolment()
    expected = tables()
    for model in SUMMARIES:
        model.objects.all().delete()
    queue, start = celery_worker_process
    start()
    start()

    outcome = rollup_enrolment_task.apply_async(kwargs={"full": True}, queue=queue).get(timeout=120)
    deadline = time.monotonic() + 120
    while RollupRun.objects.get(pk=outcome["run"]).status == RollupRun.Status.RUNNING:
        assert time.monotonic() < deadline, "the fanned-out run never finished"
        time.sleep(0.2)
    run = RollupRun.objects.get(pk=outcome["run"])
    units = RollupRun.objects.filter(year__isnull=False, started_at__gte=run.started_at)

    assert outcome["units"] == 3
    assert run.status == RollupRun.Status.SUCCEEDED, run.error
    assert sorted(units.values_list("year", "status")) == [
        (2018, "succeeded"),
        (2019, "succeeded"),
        (2020, "succeeded"),
    ]
    assert len(set(units.values_list("task_id", flat=True))) == 3  # each unit its own task
    assert tables() == expected


def test_the_first_night_of_a_school_year_counts_the_last_evening_of_the_one_before(three_years, monkeypatch):
    """The nightly run of 1 August does the new school year: an activity of 31 July that started
    after the night before's run must still be counted, as a full run counts it (found by the
    breaker of issue 17: the old year kept its figures of 31 July 02:00 for good)."""
    a = three_years.school_a
    ola = a.pupils.get(first_name="Ola")
    evening = datetime(2021, 7, 31, 20, 0, tzinfo=OSLO)
    late = ActivityFactory(region=three_years.follo, kind="masterclass", starts_at=evening, ends_at=evening)
    ParticipationFactory(activity=late, school=a, pupils=7, teachers=1).named_pupils.set([ola])

    def at(month, day):
        monkeypatch.setattr(timezone, "now", lambda: datetime(2021, month, day, 2, 0, tzinfo=OSLO))

    at(7, 30)
    rollup_enrolment()
    at(7, 31)
    assert rollup_enrolment(nightly=True).status == RollupRun.Status.SUCCEEDED  # not started yet
    at(8, 1)  # the first night of school year 2021/22
    assert rollup_enrolment(nightly=True).status == RollupRun.Status.SUCCEEDED
    after_nights = tables()
    rollup_enrolment()  # a full run, still on 1 August

    assert after_nights == tables()
    assert SchoolYearRollup.objects.get(school=a, school_year=2020).pupils == 5 + 7


def test_an_incremental_run_does_not_move_as_of(three_years):
    """It recomputes only the schools marked changed: what began at other schools since the last
    full or nightly run is not counted yet, so «Tall per» stays at that run (found by the
    breaker session of issue 17)."""
    whole = rollup_enrolment()
    rollup_mark_dirty(pairs=[(three_years.school_a.pk, 2019)])
    incremental = rollup_enrolment(incremental=True)
    nightly = rollup_enrolment(nightly=True)

    assert incremental.status == RollupRun.Status.SUCCEEDED and incremental.year is None
    assert incremental.finished_at > whole.finished_at
    assert rollup_last_success_by_kind()[ENROLMENT] == nightly.finished_at != incremental.finished_at
