"""The dashboards run a fixed number of queries whatever the number of activities and pupils."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.rollups import rollup_enrolment
from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory, VenueFactory
from funding.rollups import rollup_budget
from governance.models import CooperationArea
from schools.tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
SIZES = [1, 3, 30]


def populate(network, size: int) -> None:
    """`size` held activities (with costs, two areas, `size` named pupils of school A each),
    `size` upcoming ones with a venue, and `size` years of enrolment."""
    school_a, school_b = network.school_a, network.school_b
    pupils = [PupilFactory(schools=[school_a]) for _ in range(size)]
    areas = list(CooperationArea.objects.filter(number__in=[1, 2]))
    venue = VenueFactory()
    kinds = [Activity.Kind.MASTERCLASS, Activity.Kind.SEMINAR, Activity.Kind.INDIVIDUAL_TEACHING]
    for i in range(size):
        day = datetime(2019, 9, 1, 10, tzinfo=OSLO) + timedelta(days=7 * i)
        activity = ActivityFactory(
            kind=kinds[i % 3], region=network.follo, starts_at=day, ends_at=day + timedelta(hours=2), areas=areas
        )
        participation = ParticipationFactory(activity=activity, school=school_a, pupils=size)
        participation.named_pupils.set(pupils)
        ParticipationFactory(activity=activity, school=school_b, pupils=1)
        ActivityCostFactory(activity=activity, amount=Decimal("1000.00"))
        soon = timezone.now() + timedelta(days=i + 1)
        ActivityFactory(
            status=Activity.Status.PLANNED,
            region=network.follo,
            starts_at=soon,
            ends_at=soon + timedelta(hours=2),
            venue=venue,
        )
    for year in range(2019 - size + 1, 2020):
        EnrolmentFactory(school=school_a, school_year=year)
    # The pages read the summary tables the rollups write.
    rollup_enrolment()
    rollup_budget()


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_queries_do_not_grow_with_the_data(client_as, rector_a, network, django_assert_num_queries, size):
    populate(network, size)
    client = client_as(rector_a)
    url = reverse("schools:dashboard", args=["skole-a"])

    # session, user, role kinds, the school (with the load threshold), its memberships, the
    # last rollup runs ("figures as of", and whether a first run is needed), then nine for the
    # figures (the money: its municipality's schools' rows and its region's and kind's
    # participating schools' two figures, not every school's row, since issue 17; no count of
    # the named pupils, which their own page gives), the municipality's schools (may the
    # rector open its sheet: the «Kommuneark» link, schools.view_municipality_sheet), and three
    # for the session's new end (savepoint, UPDATE, release: every request moves it,
    # SESSION_SAVE_EVERY_REQUEST)
    with django_assert_num_queries(18):
        response = client.get(url, {"skoleaar": 2019})

    assert response.status_code == 200
    assert response.context["dashboard"].year.activities == size


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_queries_for_steering_member(client_as, steering_member, network, django_assert_num_queries, size):
    populate(network, size)
    client = client_as(steering_member)

    # as for a rector, one fewer: "may they see names?" is answered from the roles the
    # request has read already (governance.selectors.role_facts)
    with django_assert_num_queries(17):
        response = client.get(reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019})

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_chart_data_and_csv_queries_are_fixed(client_as, rector_a, network, django_assert_num_queries, size):
    populate(network, size)
    client = client_as(rector_a)

    # as the page
    with django_assert_num_queries(17):
        client.get(reverse("schools:dashboard-chart", args=["skole-a", "years"]))
    with django_assert_num_queries(17):
        client.get(reverse("schools:dashboard-csv", args=["skole-a", "okonomi"]))


@pytest.mark.parametrize("size", SIZES)
def test_network_overview_queries_are_fixed(client_as, daily_leader, network, django_assert_num_queries, size):
    populate(network, size)
    client = client_as(daily_leader)

    # session, user, role kinds, the default school year, the last rollup runs, the schools
    # with their figures, the money of every school, the user's own schools (a link), and three
    # for the session's new end (savepoint, UPDATE, release)
    with django_assert_num_queries(11):
        response = client.get(reverse("schools:network"))

    assert response.status_code == 200


def test_a_fresh_installation_s_first_page_runs_the_rollups_once(client_as, rector_a, network):
    """No summary yet (a fresh install): the first page writes it, the next reads it."""
    from core.models import RollupRun

    client = client_as(rector_a)
    first = client.get(reverse("schools:dashboard", args=["skole-a"]))
    assert first.status_code == 200
    assert sorted(RollupRun.objects.values_list("kind", "status")) == [
        ("budget", "succeeded"),
        ("enrolment", "succeeded"),
    ]
    # ... and says its figures are as of that run, not "not summarised yet".
    run = RollupRun.objects.get(kind="enrolment")
    assert first.context["dashboard"].as_of.at == run.finished_at
    assert "Tall per " in first.content.decode()
    client.get(reverse("schools:dashboard", args=["skole-a"]))
    assert RollupRun.objects.count() == 2


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["schools:dashboard-named", "schools:dashboard-load"])
def test_pupil_pages_queries_are_fixed(client_as, rector_a, network, django_assert_num_queries, size, name):
    populate(network, size)
    client = client_as(rector_a)

    # session, user, role kinds, the school (with the load threshold), may they see its names
    # (the rector's schools), the last rollup runs, the school's years; then the list: its count
    # and the page's pupils, and their activities (named) or both terms' counts over the
    # threshold (load); three for the session's new end (savepoint, UPDATE, release)
    with django_assert_num_queries(12):
        response = client.get(reverse(name, args=["skole-a"]), {"skoleaar": 2019, "side": 1})

    assert response.status_code == 200
    assert response.context["listing"].page.paginator.count == size
