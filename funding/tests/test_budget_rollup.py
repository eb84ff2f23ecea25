"""The nightly budget rollup against the budget page's live figures (budget_vs_actual)."""

from datetime import date
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from core.models import RollupRun
from funding.models import BudgetRollup
from funding.rollups import rollup_budget
from funding.selectors import budget_vs_actual
from funding.services import contribution_compute
from funding.tests.factories import BudgetLineFactory, costed_activity
from schools.tests.factories import PopulationFactory

OSLO = ZoneInfo("Europe/Oslo")
pytestmark = pytest.mark.django_db


@pytest.fixture
def contribution_line(booked_budget, network):
    """School B's municipality: 60,000 inhabitants, its 100,000 invoiced, not paid, on a line."""
    PopulationFactory(municipality=network.school_b.municipality, year=2020, population=60_000)
    contribution = contribution_compute(municipality=network.school_b.municipality, year=2020)
    contribution.invoiced_on = date(2020, 2, 1)
    contribution.save()
    BudgetLineFactory(
        budget=booked_budget,
        kind="municipal_contribution",
        label="Kommune B",
        amount=D("100000"),
        municipality=network.school_b.municipality,
    )
    return contribution


def test_budget_rollup_equals_the_budget_page(booked_budget):
    run = rollup_budget(year=2020)
    live = budget_vs_actual(budget=booked_budget)
    rolled = {
        (r.kind, r.region_id if r.kind == "region_pool" else r.school_id or r.cooperation_area_id): (
            r.budgeted,
            r.committed,
            r.spent,
        )
        for r in BudgetRollup.objects.filter(year=2020, kind__in=["region_pool", "school_allocation", "area_earmark"])
    }

    assert run.status == RollupRun.Status.SUCCEEDED
    assert rolled == {(row.kind, row.target.pk): (row.budgeted, row.committed, row.spent) for row in live.lines}


def test_budget_rollup_hand_computed_dimensions(booked_budget, contribution_line, network):
    rollup_budget(year=2020)
    rows = {r.key: r for r in BudgetRollup.objects.filter(year=2020)}
    follo_pool = next(r for r in rows.values() if r.kind == "region_pool" and r.region_id == network.follo.pk)
    unbudgeted_b = rows[f"school_allocation:{network.school_b.pk}"]
    contribution = next(r for r in rows.values() if r.kind == "municipal_contribution")

    assert (follo_pool.budgeted, follo_pool.committed, follo_pool.spent, follo_pool.left) == (
        D("20000.00"),
        D("3000.00"),
        D("10000.00"),
        D("7000.00"),
    )
    assert (unbudgeted_b.line_id, unbudgeted_b.region_id, unbudgeted_b.spent) == (
        None,
        network.romerike.pk,
        D("1500.00"),
    )
    assert (contribution.budgeted, contribution.invoiced, contribution.paid) == (
        D("100000.00"),
        D("100000.00"),
        D("0.00"),
    )


def test_budget_rollup_twice_identical_and_stale_rows_go(booked_budget):
    rollup_budget()
    first = sorted(
        BudgetRollup.objects.values_list("year", "key", "budgeted", "committed", "spent", "invoiced", "paid")
    )
    rollup_budget()
    assert (
        sorted(BudgetRollup.objects.values_list("year", "key", "budgeted", "committed", "spent", "invoiced", "paid"))
        == first
    )

    booked_budget.lines.filter(kind="area_earmark").delete()
    rollup_budget()

    assert not BudgetRollup.objects.filter(kind="area_earmark", line__isnull=False).exists()
    earmark = BudgetRollup.objects.get(year=2020, kind="area_earmark")
    assert (earmark.budgeted, earmark.spent) == (D("0.00"), D("2500.00"))


def test_budget_beat_schedule_exists_after_migrate():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.select_related("crontab").get(task="funding.rollup_budget")

    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "2", "Europe/Oslo")


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_budget_rollup_runs_in_a_real_celery_worker(booked_budget, celery_worker_process):
    from funding.tasks import rollup_budget_task

    queue, start = celery_worker_process
    start()
    outcome = rollup_budget_task.apply_async(kwargs={"year": 2020}, queue=queue).get(timeout=120)

    assert outcome["status"] == "succeeded"
    assert BudgetRollup.objects.filter(year=2020, run_id=outcome["run"]).count() == outcome["rows"]


def test_budget_rollup_of_a_year_without_a_budget(network):
    costed_activity(network.follo, "4000")

    run = rollup_budget(year=2020)

    assert run.status == RollupRun.Status.SUCCEEDED
    assert list(BudgetRollup.objects.values_list("key", "budget", "budgeted", "spent")) == [
        (f"region_pool:{network.follo.pk}", None, D("0.00"), D("4000.00"))
    ]
