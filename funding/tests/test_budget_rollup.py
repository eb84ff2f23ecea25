"""The money rollup (SchoolMoneyRollup, task `funding.rollup_budget`): each school's value of the
activities it took part in per calendar year, by the cost-sharing rule, against values computed
by hand; idempotent, stale rows removed, scheduled, and run by a real Celery worker."""

from datetime import datetime
from decimal import Decimal as D

import pytest

from activities.models import Activity
from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory
from core.models import RollupRun
from core.periods import OSLO
from funding.models import SchoolMoneyRollup
from funding.rollups import rollup_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_activities(network):
    """2020: X held, 12,000, A 4 pupils and B 2 (A 8,000, B 4,000); Y held, 5,000, A and A2 with
    no pupils (2,500 each); Z cancelled, 7,000 with A (nothing). 2019: W, 1,000, all A's."""
    a, a2, b = network.school_a, network.school_a2, network.school_b

    def activity(cost, *schools, status=Activity.Status.HELD, when=datetime(2020, 3, 1, 10, tzinfo=OSLO)):
        made = ActivityFactory(region=network.follo, status=status, starts_at=when, ends_at=when)
        ActivityCostFactory(activity=made, amount=D(cost))
        for school, pupils in schools:
            ParticipationFactory(activity=made, school=school, pupils=pupils)
        return made

    activity("12000", (a, 4), (b, 2))
    activity("5000", (a, 0), (a2, 0))
    activity("7000", (a, 9), status=Activity.Status.CANCELLED)
    activity("1000", (a, 3), when=datetime(2019, 5, 1, 10, tzinfo=OSLO))
    return network


def _values(year):
    return dict(SchoolMoneyRollup.objects.filter(year=year).values_list("school__name", "activity_value"))


def test_money_rollup_hand_computed(shared_activities):
    run = rollup_budget()

    assert run.status == RollupRun.Status.SUCCEEDED
    assert _values(2020) == {"Skole A": D("10500.00"), "Skole A2": D("2500.00"), "Skole B": D("4000.00")}
    assert _values(2019) == {"Skole A": D("1000.00")}


def test_money_rollup_twice_identical_and_stale_rows_go(shared_activities):
    rollup_budget()
    first = sorted(SchoolMoneyRollup.objects.values_list("year", "school_id", "activity_value"))
    rollup_budget()
    assert sorted(SchoolMoneyRollup.objects.values_list("year", "school_id", "activity_value")) == first

    Activity.objects.filter(starts_at__year=2019).delete()
    rollup_budget()

    assert _values(2019) == {}
    assert _values(2020)["Skole A"] == D("10500.00")


def test_money_rollup_of_one_year_leaves_the_others(shared_activities):
    rollup_budget()
    Activity.objects.filter(starts_at__year=2019).update(status=Activity.Status.CANCELLED)

    rollup_budget(year=2020)

    assert _values(2019) == {"Skole A": D("1000.00")}


def test_budget_beat_schedule_exists_after_migrate():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.select_related("crontab").get(task="funding.rollup_budget")

    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "2", "Europe/Oslo")


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_money_rollup_runs_in_a_real_celery_worker(shared_activities, celery_worker_process):
    from funding.tasks import rollup_budget_task

    queue, start = celery_worker_process
    start()
    outcome = rollup_budget_task.apply_async(kwargs={"year": 2020}, queue=queue).get(timeout=120)

    assert outcome["status"] == "succeeded"
    assert SchoolMoneyRollup.objects.filter(year=2020, run_id=outcome["run"]).count() == outcome["rows"] == 3
