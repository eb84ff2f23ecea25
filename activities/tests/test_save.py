"""The one activity write (services.activity_save, behind the form, the copy, the import and the
demo loader): every rule checked once, the pupil-load and look-alike warnings asked before
anything is saved, the school years it changed marked, and the incremental rollups enqueued
once per transaction, after it commits (never before, never for a rollback)."""

import time
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityCost, Participation, RollupDirty, SchoolYearRollup
from activities.services import ActivityData, CostData, ParticipationData
from activities.tests.helpers import celery_eager, form_data
from core.models import RollupRun
from core.periods import OSLO
from governance.models import AuditEntry
from schools.services import enrolment_set
from schools.tests.factories import PupilFactory

# The participation rules' queries (services.participation_errors), by how they begin.
MEMBERSHIP_CHECK = 'SELECT "schools_membership"."school_id"'
ENROLMENT_CHECK = 'SELECT "schools_enrolment"."school_id"'
PUPIL_SCHOOL_CHECK = 'SELECT "schools_pupil_schools"."pupil_id"'
BOTH_INCREMENTAL = [("budget", "incremental", "succeeded"), ("enrolment", "incremental", "succeeded")]


def _data(network, areas, **changes) -> ActivityData:
    return ActivityData(
        **{
            "title": "Mesterklasse cello",
            "kind": Activity.Kind.MASTERCLASS,
            "level": Activity.Level.CENTRAL,
            "region": network.follo,
            "starts_at": datetime(2019, 11, 9, 10, tzinfo=OSLO),
            "ends_at": datetime(2019, 11, 9, 15, tzinfo=OSLO),
            "cooperation_areas": [areas[2]],
            "status": Activity.Status.HELD,
            **changes,
        }
    )


@pytest.fixture
def named(network):
    """One pupil at each of the three schools, to be named on their rows."""
    return {
        school: PupilFactory(first_name=f"Elev {n}", schools=[school])
        for n, school in enumerate((network.school_a, network.school_a2, network.school_b))
    }


def _rows(named, count: int) -> list[ParticipationData]:
    return [
        ParticipationData(school=school, pupils=2, teachers=1, named_pupils=[pupil])
        for school, pupil in list(named.items())[:count]
    ]


def _costs(count: int) -> list[CostData]:
    return [CostData(category="fees", amount=Decimal("1000"), description=f"Honorar {n}") for n in range(count)]


def _runs() -> list[tuple[str, str, str]]:
    """The whole runs (an enrolment run's units, one per school year, are runs with a year)."""
    return sorted(RollupRun.objects.filter(year__isnull=True).values_list("kind", "mode", "status"))


def _count(queries, beginning: str) -> int:
    return sum(query["sql"].startswith(beginning) for query in queries.captured_queries)


# --- One validation pass ----------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_save_of_a_new_activity_takes_the_same_queries_for_one_row_and_three(
    coord_follo, network, areas, enrolment, named, rows, django_assert_num_queries
):
    # 28: with the limit for large amounts (PortalSetting) that the new cost lines are held to;
    # +3 (issue 15): the planning limits (PortalSetting), the clashes and the month's count per
    # school (activities/clashes.py; the travel check needs no query without a venue).
    with django_assert_num_queries(31):
        activity = services.activity_save(
            user=coord_follo, data=_data(network, areas), participations=_rows(named, rows), costs=_costs(rows)
        )
    assert (activity.participations.count(), activity.costs.count()) == (rows, rows)
    assert Participation.named_pupils.through.objects.filter(participation__activity=activity).count() == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_save_of_a_change_takes_the_same_queries_for_one_row_and_three(
    coord_follo, follo_activity, network, areas, enrolment, named, rows, django_assert_num_queries
):
    data = replace(ActivityData.of(follo_activity), title="Mesterklasse bratsj")
    # 39: with the activity's cost lines before the change (an unchanged line does not ask
    # about a large amount) and the limit for large amounts; +3 (issue 15): the planning
    # limits, the clashes and the month's count per school (activities/clashes.py).
    with django_assert_num_queries(42):
        services.activity_save(
            user=coord_follo,
            activity=follo_activity,
            data=data,
            participations=_rows(named, rows),
            costs=_costs(rows),
            expected_version=1,
        )
    follo_activity.refresh_from_db()
    assert (follo_activity.title, follo_activity.version, follo_activity.participations.count()) == (
        "Mesterklasse bratsj",
        2,
        rows,
    )


def test_save_checks_each_participation_rule_once(coord_follo, network, areas, enrolment, named):
    with CaptureQueriesContext(connection) as queries:
        services.activity_save(
            user=coord_follo, data=_data(network, areas), participations=_rows(named, 3), costs=_costs(1)
        )
    assert (_count(queries, MEMBERSHIP_CHECK), _count(queries, ENROLMENT_CHECK)) == (1, 1)
    assert _count(queries, PUPIL_SCHOOL_CHECK) == 1


def test_form_save_checks_each_participation_rule_once(client_as, daily_leader, network, areas, enrolment, named):
    """The page used to check the rows itself and then the service again. (Central staff: they
    may name pupils at all three schools; Follo's coordinator may not name Skole B's.)"""
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": school, "pupils": 2, "named": [pupil]} for school, pupil in named.items()],
    )
    client = client_as(daily_leader)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("activities:create"), data)
    assert response.status_code == 302
    assert (_count(queries, MEMBERSHIP_CHECK), _count(queries, ENROLMENT_CHECK)) == (1, 1)
    assert Activity.objects.get().participations.count() == 3


def test_save_refuses_a_broken_rule_with_every_row_at_its_place(coord_follo, network, areas, enrolment, named):
    rows = [
        ParticipationData(school=network.school_a, pupils=41),
        ParticipationData(school=network.school_a2, pupils=1),
        ParticipationData(school=network.school_a, pupils=1, teachers=-1),
    ]
    with pytest.raises(services.ParticipationRowsInvalid) as refused:
        services.activity_save(user=coord_follo, data=_data(network, areas), participations=rows, costs=[])
    assert refused.value.rows == {
        0: {"pupils": "Skole A har bare 40 elever dette skoleåret."},
        2: {
            "school": "Skole A står oppført mer enn én gang.",
            "teachers": "Antall lærere må være et helt tall, 0 eller mer.",
        },
    }
    assert (Activity.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_save_refuses_end_before_start_at_the_field(coord_follo, network, areas):
    data = _data(network, areas, ends_at=datetime(2019, 11, 9, 9, tzinfo=OSLO))
    with pytest.raises(ValidationError) as refused:
        services.activity_save(user=coord_follo, data=data, participations=[], costs=[])
    assert refused.value.message_dict == {"ends_at": ["Slutt kan ikke være før start."]}
    assert Activity.objects.count() == 0


def test_save_refuses_a_negative_cost_and_writes_nothing(coord_follo, network, areas):
    with pytest.raises(ValidationError) as refused:
        services.activity_save(
            user=coord_follo,
            data=_data(network, areas),
            participations=[ParticipationData(school=network.school_a, pupils=1)],
            costs=[CostData(category="fees", amount=Decimal("-1"))],
        )
    assert list(refused.value.message_dict) == ["amount"]
    assert (Activity.objects.count(), Participation.objects.count(), ActivityCost.objects.count()) == (0, 0, 0)


# --- What a person must see first --------------------------------------------------------------


def test_save_asks_first_for_a_pupil_at_the_load_threshold(coord_follo, network, areas, busy_pupil):
    rows = [ParticipationData(school=network.school_a, pupils=1, named_pupils=[busy_pupil])]
    before = (Activity.objects.count(), AuditEntry.objects.count(), RollupDirty.objects.count())
    with pytest.raises(services.ConfirmationNeeded) as asked:
        services.activity_save(user=coord_follo, data=_data(network, areas), participations=rows, costs=[])
    warning = asked.value
    assert isinstance(warning, ValidationError)
    assert warning.warnings == frozenset({"pupil_load"})
    assert [(load.pupil, load.count, load.term) for load in warning.pupil_load] == [(busy_pupil, 6, "høst 2019")]
    assert warning.messages == ["Elevbelastning: Sara Lie (2005): 6 aktiviteter høst 2019."]
    assert (Activity.objects.count(), AuditEntry.objects.count(), RollupDirty.objects.count()) == before

    activity = services.activity_save(
        user=coord_follo, data=_data(network, areas), participations=rows, costs=[], confirm_pupil_load=True
    )
    assert list(activity.participations.get().named_pupils.all()) == [busy_pupil]


def test_save_asks_first_for_an_activity_that_looks_registered(coord_follo, follo_activity, network, areas):
    data = _data(
        network,
        areas,
        title="mesterklasse FIOLIN ",
        starts_at=follo_activity.starts_at,
        ends_at=follo_activity.ends_at,
    )
    with pytest.raises(services.ConfirmationNeeded) as asked:
        services.activity_save(user=coord_follo, data=data, participations=[], costs=[])
    assert (asked.value.warnings, asked.value.duplicates) == (frozenset({"duplicate"}), [follo_activity])
    assert Activity.objects.count() == 1

    services.activity_save(user=coord_follo, data=data, participations=[], costs=[], confirm_duplicate=True)
    assert Activity.objects.count() == 2


# --- Marking what changed ------------------------------------------------------------------------


def test_save_marks_the_school_years_it_left_and_entered(coord_follo, follo_activity, network, areas, enrolment):
    moved = replace(
        ActivityData.of(follo_activity),
        starts_at=datetime(2020, 9, 5, 10, tzinfo=OSLO),
        ends_at=datetime(2020, 9, 5, 15, tzinfo=OSLO),
    )
    services.activity_save(
        user=coord_follo,
        activity=follo_activity,
        data=moved,
        participations=[ParticipationData(school=network.school_a2, pupils=3)],
        costs=[],
    )
    assert sorted(RollupDirty.objects.values_list("school_id", "school_year")) == sorted(
        [(network.school_a.pk, 2019), (network.school_a2.pk, 2020)]
    )


def test_save_that_changes_nothing_marks_and_enqueues_nothing(
    coord_follo, follo_activity, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.activity_save(
            user=coord_follo,
            activity=follo_activity,
            data=ActivityData.of(follo_activity),
            participations=[ParticipationData.of(p) for p in follo_activity.participations.all()],
            costs=[],
            expected_version=1,
        )
    follo_activity.refresh_from_db()
    assert (callbacks, RollupDirty.objects.count(), follo_activity.version) == ([], 0, 1)


def test_cancel_marks_the_school_years_of_its_participation(coord_follo, follo_activity, network):
    services.activity_cancel(user=coord_follo, activity=follo_activity)
    assert list(RollupDirty.objects.values_list("school_id", "school_year")) == [(network.school_a.pk, 2019)]


# --- After commit, once --------------------------------------------------------------------------


def _create(network, areas, named, coord_follo, follo_activity):
    services.activity_save(
        user=coord_follo, data=_data(network, areas), participations=_rows(named, 2), costs=_costs(1)
    )


def _update(network, areas, named, coord_follo, follo_activity):
    services.activity_save(
        user=coord_follo,
        activity=follo_activity,
        data=replace(ActivityData.of(follo_activity), title="Mesterklasse bratsj"),
        participations=[ParticipationData(school=network.school_a, pupils=6, teachers=1)],
        costs=_costs(1),
        expected_version=1,
    )


def _import(network, areas, named, coord_follo, follo_activity):
    services.participation_import(
        user=coord_follo,
        activity=follo_activity,
        participations=[ParticipationData(school=network.school_a, pupils=6, teachers=1)],
        expected_version=1,
    )


def _cancel(network, areas, named, coord_follo, follo_activity):
    services.activity_cancel(user=coord_follo, activity=follo_activity)


@pytest.mark.parametrize(
    ("write", "pupils_of_a"),
    [(_create, 6), (_update, 6), (_import, 6), (_cancel, None)],
    ids=["create", "update", "import", "cancel"],
)
def test_write_enqueues_the_incremental_rollups_once_after_commit(
    write, pupils_of_a, coord_follo, follo_activity, network, areas, named, django_capture_on_commit_callbacks
):
    with celery_eager(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        write(network, areas, named, coord_follo, follo_activity)
        assert RollupRun.objects.count() == 0  # nothing before the commit
    assert len(callbacks) == 1
    assert _runs() == BOTH_INCREMENTAL
    # School A's year, recomputed by the incremental run: the 4 pupils of the activity in
    # the fixture and 2 of the new one, or 6 after the change; nothing once it is cancelled.
    rolled = SchoolYearRollup.objects.filter(school=network.school_a, school_year=2019).first()
    assert (rolled.pupils if rolled else None) == pupils_of_a


def test_one_transaction_enqueues_once_however_much_it_writes(
    coord_follo, follo_activity, network, areas, named, django_capture_on_commit_callbacks
):
    with celery_eager(), django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for n in range(3):
            services.activity_save(
                user=coord_follo,
                data=_data(network, areas, title=f"Kurs {n}"),
                participations=_rows(named, 3),
                costs=_costs(2),
                # The same schools on the same day: three clashes, seen (issue 15).
                confirm_clash=True,
            )
        services.activity_cancel(user=coord_follo, activity=follo_activity)
    assert len(callbacks) == 1
    assert _runs() == BOTH_INCREMENTAL


def test_rolled_back_save_enqueues_nothing(coord_follo, network, areas, named, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.activity_save(
                user=coord_follo, data=_data(network, areas), participations=_rows(named, 1), costs=[]
            )
            raise RuntimeError("the request failed after the save")
        with pytest.raises(services.ParticipationRowsInvalid):
            services.activity_save(
                user=coord_follo,
                data=_data(network, areas),
                participations=[ParticipationData(school=network.school_a, pupils=-1)],
                costs=[],
            )
    assert (callbacks, Activity.objects.count(), RollupDirty.objects.count()) == ([], 0, 0)


def test_save_after_a_rolled_back_one_enqueues_again(
    coord_follo, network, areas, named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.activity_save(
                user=coord_follo, data=_data(network, areas), participations=_rows(named, 1), costs=[]
            )
            raise RuntimeError("the request failed after the save")
        services.activity_save(user=coord_follo, data=_data(network, areas), participations=_rows(named, 1), costs=[])
    assert len(callbacks) == 1


def test_enrolment_is_read_where_it_is_kept_and_enqueues_nothing(network, django_capture_on_commit_callbacks):
    """No summary table holds enrolment: a changed enrolment is on the dashboard at once, and
    no rollup is marked or enqueued for it."""
    from activities.figures import school_enrolment

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrolment_set(school=network.school_a, school_year=2019, pupils=120)
    assert school_enrolment(school=network.school_a) == {2019: 120}
    assert (callbacks, RollupDirty.objects.count(), RollupRun.objects.count()) == ([], 0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_save_reaches_a_real_worker_after_commit(coord_follo, network, areas, named, celery_worker_process):
    from ungmusikk.celery import app

    queue, start = celery_worker_process
    start()
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # the worker of this test consumes its own queue only
    try:
        services.activity_save(
            user=coord_follo, data=_data(network, areas), participations=_rows(named, 2), costs=_costs(1)
        )
    finally:
        app.conf.task_default_queue = default_queue
    deadline = time.monotonic() + 120
    while RollupRun.objects.filter(mode="incremental").exclude(status="running").count() < 2:
        assert time.monotonic() < deadline, "the worker never ran both incremental rollups"
        time.sleep(0.2)
    assert _runs() == BOTH_INCREMENTAL
    assert SchoolYearRollup.objects.get(school=network.school_a, school_year=2019).pupils == 2
