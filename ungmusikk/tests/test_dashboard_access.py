"""Who sees which dashboard: every dashboard, export and chart-data URL of a school answers
404 to someone who may not see the school, and the network overview is for the steering
group and central staff only (403 for rectors and coordinators)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCHOOL_URLS = [
    ("schools:dashboard", ()),
    ("schools:dashboard-print", ()),
    ("schools:dashboard-pdf", ()),
    ("schools:dashboard-csv", ("skoleaar",)),
    ("schools:dashboard-csv", ("okonomi",)),
    ("schools:dashboard-csv", ("kommende",)),
    ("schools:dashboard-chart", ("years",)),
    ("schools:dashboard-chart", ("enrolment",)),
]
NETWORK_URLS = ["schools:network", "schools:network-csv", "schools:network-map"]


def school_url(name, extra, slug):
    return reverse(name, args=[slug, *extra])


@pytest.mark.parametrize(("name", "extra"), SCHOOL_URLS)
def test_school_urls_rector_of_the_school_gets_200(client_as, rector_a, name, extra):
    assert client_as(rector_a).get(school_url(name, extra, "skole-a")).status_code == 200


@pytest.mark.parametrize(("name", "extra"), SCHOOL_URLS)
def test_school_urls_rector_of_another_school_gets_404(client_as, rector_b, name, extra):
    assert client_as(rector_b).get(school_url(name, extra, "skole-a")).status_code == 404


@pytest.mark.parametrize(("name", "extra"), SCHOOL_URLS)
def test_school_urls_coordinator_of_the_region_gets_200(client_as, coord_follo, name, extra):
    client = client_as(coord_follo)

    assert client.get(school_url(name, extra, "skole-a")).status_code == 200
    assert client.get(school_url(name, extra, "skole-a2")).status_code == 200
    assert client.get(school_url(name, extra, "skole-b")).status_code == 404


@pytest.mark.parametrize(("name", "extra"), SCHOOL_URLS)
def test_school_urls_coordinator_of_another_region_gets_404(client_as, coord_romerike, name, extra):
    assert client_as(coord_romerike).get(school_url(name, extra, "skole-a")).status_code == 404


@pytest.mark.parametrize(("name", "extra"), SCHOOL_URLS)
def test_school_urls_anonymous_is_sent_to_login(client, network, name, extra):
    url = school_url(name, extra, "skole-a")
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(("name", "extra"), SCHOOL_URLS)
@pytest.mark.parametrize("persona", ["steering_member", "daily_leader", "superuser"])
def test_school_urls_steering_and_central_staff_see_every_school(client_as, network, request, persona, name, extra):
    client = client_as(request.getfixturevalue(persona))

    for slug in ("skole-a", "skole-a2", "skole-b"):
        assert client.get(school_url(name, extra, slug)).status_code == 200


def test_school_url_of_unknown_school_is_404(client_as, daily_leader):
    assert client_as(daily_leader).get(reverse("schools:dashboard", args=["finnes-ikke"])).status_code == 404


@pytest.mark.parametrize("name", NETWORK_URLS)
@pytest.mark.parametrize("persona", ["steering_member", "daily_leader", "superuser"])
def test_network_urls_steering_and_central_staff_get_200(client_as, network, request, persona, name):
    assert client_as(request.getfixturevalue(persona)).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", NETWORK_URLS)
@pytest.mark.parametrize("persona", ["rector_a", "rector_b", "coord_follo", "coord_romerike"])
def test_network_urls_rectors_and_coordinators_get_403(client_as, request, persona, name):
    assert client_as(request.getfixturevalue(persona)).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", NETWORK_URLS)
def test_network_urls_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse(name)}"


def test_login_of_rector_lands_on_the_dashboard(client, rector_a):
    response = client.post(reverse("login"), {"username": "rektor-a", "password": "pw-for-tests-1"}, follow=True)

    assert response.redirect_chain == [
        (reverse("schools:start"), 302),
        (reverse("schools:dashboard", args=["skole-a"]), 302),
    ]
    assert response.context["school"].slug == "skole-a"


def test_start_of_rector_of_two_schools_is_the_choice(client_as, rector_a, network):
    from datetime import date

    from governance.models import Role
    from governance.tests.factories import RoleFactory

    RoleFactory(user=rector_a, kind=Role.Kind.RECTOR, school=network.school_a2, valid_from=date(2013, 1, 1))
    client = client_as(rector_a)
    response = client.get(reverse("schools:start"))

    assert response["Location"] == reverse("schools:mine")
    assert [school.slug for school in client.get(reverse("schools:mine")).context["schools"]] == [
        "skole-a",
        "skole-a2",
    ]


@pytest.mark.parametrize("persona", ["steering_member", "daily_leader"])
def test_start_and_home_of_steering_and_central_staff_is_the_network_overview(client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))

    assert client.get(reverse("schools:start"))["Location"] == reverse("schools:network")
    assert client.get(reverse("home"))["Location"] == reverse("schools:network")


def test_start_of_coordinator_is_the_home_page(client_as, coord_follo):
    assert client_as(coord_follo).get(reverse("schools:start"))["Location"] == reverse("home")


def test_home_of_rector_links_to_the_dashboard(client_as, rector_a):
    response = client_as(rector_a).get(reverse("home"))

    assert response.status_code == 200
    assert [school.slug for school in response.context["led_schools"]] == ["skole-a"]
    assert reverse("schools:dashboard", args=["skole-a"]) in response.content.decode()


def test_choice_lists_only_visible_schools(client_as, coord_romerike):
    response = client_as(coord_romerike).get(reverse("schools:mine"))

    assert [school.slug for school in response.context["schools"]] == ["skole-b"]
