import pytest
from django.urls import reverse

from activities.models import SchoolYearRollup
from core.models import RollupRun
from funding.models import SchoolMoneyRollup

pytestmark = pytest.mark.django_db


def test_rollups_page_lists_runs_for_central_staff(client_as, daily_leader):
    response = client_as(daily_leader).get(reverse("rollups"))

    assert response.status_code == 200
    assert list(response.context["latest"]) == ["enrolment", "budget"]


@pytest.mark.parametrize("persona", ["rector_a", "coord_follo", "steering_member"])
def test_rollups_page_refused_to_others(client_as, persona, request):
    user = request.getfixturevalue(persona)

    assert client_as(user).get(reverse("rollups")).status_code == 403
    assert client_as(user).post(reverse("rollups"), {"mode": "full"}).status_code == 403
    assert RollupRun.objects.count() == 0


def test_rollups_page_anonymous_goes_to_login(client):
    response = client.get(reverse("rollups"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db(transaction=True)
def test_rollups_run_now_runs_both_rollups(client_as, daily_leader, settings):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("with Redis the tasks go to a worker; the worker tests cover that path")
    from activities.tests.factories import ParticipationFactory

    ParticipationFactory()

    response = client_as(daily_leader).post(reverse("rollups"), {"mode": "full"}, follow=True)

    assert response.status_code == 200
    assert sorted(RollupRun.objects.filter(year__isnull=True).values_list("kind", "status")) == [
        ("budget", "succeeded"),
        ("enrolment", "succeeded"),
    ]
    # The enrolment rollup's one unit: the school year of the participation.
    assert RollupRun.objects.filter(kind="enrolment", year__isnull=False, status="succeeded").count() == 1
    assert SchoolYearRollup.objects.count() == 1
    # The school's value of activities (no costs: 0).
    assert list(SchoolMoneyRollup.objects.values_list("activity_value", flat=True)) == [0]


def test_rollup_run_admin_is_read_only(client, superuser):
    client.force_login(superuser)

    assert client.get(reverse("admin:core_rolluprun_changelist")).status_code == 200
    assert client.get(reverse("admin:core_rolluprun_add")).status_code == 403


def test_rollups_page_names_an_enrolment_unit_by_its_school_year(client_as, daily_leader):
    from django.utils import timezone

    RollupRun.objects.create(kind="enrolment", year=2019, started_at=timezone.now(), status="succeeded")
    RollupRun.objects.create(kind="budget", year=2020, started_at=timezone.now(), status="succeeded")
    RollupRun.objects.create(kind="enrolment", year=None, started_at=timezone.now(), status="succeeded")

    html = client_as(daily_leader).get(reverse("rollups")).content.decode()

    assert "<td>2019/20</td>" in html and "<td>2020</td>" in html and "<td>alle</td>" in html
