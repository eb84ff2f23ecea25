"""The dashboard on the nightly rollup shows the same figures as the live computation."""

from dataclasses import asdict

import pytest

from activities.rollups import rollup_enrolment
from ungmusikk import dashboard as figures
from ungmusikk.tests.test_dashboard import dashboard_of, net  # noqa: F401  (the hand-computed network)

pytestmark = pytest.mark.django_db


def _participation_figures(board):
    return {
        "years": [asdict(row) for row in board.years],
        "by_kind": board.by_kind,
        "by_month": board.by_month,
        "by_area": board.by_area,
        "load": board.load,
    }


@pytest.mark.parametrize("school", ["school_a", "school_a2", "school_b"])
def test_dashboard_on_the_rollup_equals_the_live_figures(net, school):  # noqa: F811
    live = dashboard_of(getattr(net, school))
    assert live.as_of.live is True

    run = rollup_enrolment()
    rolled = dashboard_of(getattr(net, school))

    assert rolled.as_of.live is False
    assert rolled.as_of.label == f"Tall per {run.finished_at.astimezone(figures.OSLO):%d.%m.%Y %H:%M}"
    assert _participation_figures(rolled) == _participation_figures(live)


def test_network_overview_on_the_rollup_equals_the_live_figures(net):  # noqa: F811
    from datetime import date

    from schools.selectors import school_list

    def overview(rolled):
        rows = figures.network_overview_rows(
            schools=school_list(), school_year=2019, money_year=2019, day=date(2020, 1, 15), rolled=rolled
        )
        return [(r["slug"], r["activities"], r["pupils"], r["unique_pupils"], r["teachers"], r["share"]) for r in rows]

    live = overview(False)
    rollup_enrolment()

    assert overview(True) == live


@pytest.mark.parametrize("school", ["school_a", "school_a2", "school_b"])
def test_dashboard_money_on_the_rollup_equals_the_live_figures(net, school):  # noqa: F811
    from funding.rollups import rollup_budget

    live = dashboard_of(getattr(net, school)).money
    rollup_enrolment()
    rollup_budget()
    board = dashboard_of(getattr(net, school))

    assert board.as_of.money_live is False
    assert asdict(board.money) == asdict(live)
