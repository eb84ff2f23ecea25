"""Who may open which activities URL: a happy path per URL, and the wrong personas refused
(403 for what they see but may not change, 404 for what they don't see, the login page for
anonymous visitors)."""

import pytest
from django.urls import reverse

from activities.models import Activity
from governance.tests.factories import UserFactory

READ_URLS = ["activities:list", "activities:calendar", "activities:export"]
OBJECT_EDIT_URLS = ["activities:update", "activities:copy", "activities:cancel"]


def _login_redirect(url):
    return f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", READ_URLS)
@pytest.mark.parametrize("persona", ["coord_follo", "rector_a", "steering_member", "daily_leader", "superuser"])
def test_read_urls_open_for_everyone_with_a_role(name, persona, request, client_as, follo_activity):
    response = client_as(request.getfixturevalue(persona)).get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", [*READ_URLS, "activities:create", "activities:import"])
def test_urls_send_anonymous_visitors_to_login(name, client, network):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == _login_redirect(url)


@pytest.mark.parametrize("name", ["activities:detail", *OBJECT_EDIT_URLS])
def test_object_urls_send_anonymous_visitors_to_login(name, client, follo_activity):
    url = reverse(name, args=[follo_activity.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == _login_redirect(url)


@pytest.mark.parametrize("name", READ_URLS)
def test_read_urls_refuse_a_user_without_role(name, client_as, network):
    response = client_as(UserFactory(username="uten-rolle")).get(reverse(name))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["activities:detail", *OBJECT_EDIT_URLS])
def test_object_urls_hide_activities_from_a_user_without_role(name, client_as, follo_activity):
    response = client_as(UserFactory(username="uten-rolle")).get(reverse(name, args=[follo_activity.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["coord_follo", "coord_romerike", "rector_a", "rector_b", "steering_member"])
def test_detail_is_readable_by_every_role(persona, request, client_as, follo_activity):
    response = client_as(request.getfixturevalue(persona)).get(reverse("activities:detail", args=[follo_activity.pk]))
    assert response.status_code == 200
    assert response.context["activity"] == follo_activity


def test_detail_of_a_missing_activity_is_404(client_as, coord_follo):
    response = client_as(coord_follo).get(reverse("activities:detail", args=[999999]))
    assert response.status_code == 404


def test_detail_offers_editing_only_to_who_may_edit(client_as, coord_follo, coord_romerike, follo_activity):
    url = reverse("activities:detail", args=[follo_activity.pk])
    assert client_as(coord_follo).get(url).context["can_edit"] is True
    assert client_as(coord_romerike).get(url).context["can_edit"] is False


@pytest.mark.parametrize("persona", ["coord_follo", "daily_leader", "superuser"])
def test_create_opens_for_coordinators_and_central_staff(persona, request, client_as, network):
    response = client_as(request.getfixturevalue(persona)).get(reverse("activities:create"))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["rector_a", "steering_member"])
def test_create_refuses_read_only_roles(persona, request, client_as, network, areas):
    client = client_as(request.getfixturevalue(persona))
    assert client.get(reverse("activities:create")).status_code == 403
    response = client.post(reverse("activities:create"), {"title": "Forsøk"})
    assert response.status_code == 403
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("name", OBJECT_EDIT_URLS)
@pytest.mark.parametrize("persona", ["coord_follo", "daily_leader", "superuser"])
def test_edit_urls_open_for_the_region_coordinator_and_central_staff(name, persona, request, client_as, follo_activity):
    response = client_as(request.getfixturevalue(persona)).get(reverse(name, args=[follo_activity.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", OBJECT_EDIT_URLS)
@pytest.mark.parametrize("persona", ["coord_romerike", "rector_a", "rector_b", "steering_member"])
def test_edit_urls_refuse_other_regions_and_read_only_roles(name, persona, request, client_as, follo_activity):
    client = client_as(request.getfixturevalue(persona))
    url = reverse(name, args=[follo_activity.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Kapret", "reason": "nei"}).status_code == 403
    follo_activity.refresh_from_db()
    assert (follo_activity.title, follo_activity.status) == ("Mesterklasse fiolin", Activity.Status.HELD)
    assert Activity.objects.count() == 1


def test_import_opens_for_the_region_coordinator(client_as, coord_follo, follo_activity):
    response = client_as(coord_follo).get(f"{reverse('activities:import')}?aktivitet={follo_activity.pk}")
    assert response.status_code == 200
    assert response.context["activity"] == follo_activity


def test_import_without_activity_offers_only_the_coordinators_activities(
    client_as, coord_follo, follo_activity, romerike_activity
):
    response = client_as(coord_follo).get(reverse("activities:import"))
    assert response.status_code == 200
    assert list(response.context["choices"]) == [follo_activity]


@pytest.mark.parametrize("persona", ["coord_romerike", "rector_a", "steering_member"])
def test_import_refuses_other_regions_and_read_only_roles(persona, request, client_as, follo_activity):
    client = client_as(request.getfixturevalue(persona))
    url = f"{reverse('activities:import')}?aktivitet={follo_activity.pk}"
    assert client.get(url).status_code == 403
    assert client.post(reverse("activities:import"), {"aktivitet": follo_activity.pk}).status_code == 403


def test_import_refuses_a_read_only_role_without_activity(client_as, rector_a):
    assert client_as(rector_a).get(reverse("activities:import")).status_code == 403


def test_import_of_an_unknown_activity_is_404(client_as, coord_follo):
    response = client_as(coord_follo).get(f"{reverse('activities:import')}?aktivitet=999999")
    assert response.status_code == 404


def test_romerike_coordinator_edits_romerike(client_as, coord_romerike, romerike_activity):
    response = client_as(coord_romerike).get(reverse("activities:update", args=[romerike_activity.pk]))
    assert response.status_code == 200


def test_cancel_marks_the_activity_cancelled_and_records_it(client_as, coord_follo, follo_activity):
    response = client_as(coord_follo).post(reverse("activities:cancel", args=[follo_activity.pk]), {"reason": "Sykdom"})
    assert response.status_code == 302
    assert response.url == reverse("activities:detail", args=[follo_activity.pk])
    follo_activity.refresh_from_db()
    assert follo_activity.status == Activity.Status.CANCELLED
    detail = client_as(coord_follo).get(response.url)
    entry = detail.context["history"][-1]
    assert (entry.action, entry.comment, entry.actor) == ("activity_cancel", "Sykdom", coord_follo)
    assert entry.changes == {"status": ["Gjennomført", "Avlyst"]}


def test_nav_shows_activities_to_roles_only(client_as, client, coord_follo):
    assert 'href="/aktiviteter/"' in client_as(coord_follo).get(reverse("home")).content.decode()
    client.logout()
    assert 'href="/aktiviteter/"' not in client.get(reverse("home")).content.decode()
