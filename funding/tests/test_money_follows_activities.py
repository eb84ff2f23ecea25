"""Funding follows activities without activities importing it: the activities services send
`activities_changed`, funding (funding/signals.py) enqueues its incremental money rollup after
the commit, and the money per school follows a change of an activity's costs."""

from datetime import datetime
from decimal import Decimal

import pytest

from activities.models import Activity
from activities.services import ActivityData, CostData, ParticipationData, activity_save
from activities.tests.helpers import celery_eager
from core.models import RollupRun
from core.periods import OSLO
from funding.models import SchoolMoneyRollup
from governance.models import CooperationArea

pytestmark = pytest.mark.django_db


def _money() -> dict:
    return {
        school: value.quantize(Decimal("0.01"))
        for school, value in SchoolMoneyRollup.objects.filter(year=2019).values_list("school__name", "activity_value")
    }


def test_changed_costs_change_the_money_per_school_after_commit(
    coord_follo, network, django_capture_on_commit_callbacks
):
    data = ActivityData(
        title="Mesterklasse cello",
        kind=Activity.Kind.MASTERCLASS,
        level=Activity.Level.CENTRAL,
        region=network.follo,
        starts_at=datetime(2019, 11, 9, 10, tzinfo=OSLO),
        ends_at=datetime(2019, 11, 9, 15, tzinfo=OSLO),
        cooperation_areas=[CooperationArea.objects.get(number=2)],
        status=Activity.Status.HELD,
    )
    rows = [
        ParticipationData(school=network.school_a, pupils=3),
        ParticipationData(school=network.school_a2, pupils=1),
    ]
    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        activity = activity_save(
            user=coord_follo, data=data, participations=rows, costs=[CostData("fees", Decimal("1000"))]
        )
        assert SchoolMoneyRollup.objects.count() == 0  # not before the commit
    assert _money() == {"Skole A": Decimal("750.00"), "Skole A2": Decimal("250.00")}

    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        activity_save(
            user=coord_follo,
            activity=activity,
            data=data,
            participations=rows,
            costs=[CostData("fees", Decimal("1000")), CostData("travel", Decimal("1000"))],
            expected_version=1,
        )
    assert _money() == {"Skole A": Decimal("1500.00"), "Skole A2": Decimal("500.00")}
    assert list(RollupRun.objects.filter(kind="budget").values_list("mode", "status")) == [
        ("incremental", "succeeded"),
        ("incremental", "succeeded"),
    ]
