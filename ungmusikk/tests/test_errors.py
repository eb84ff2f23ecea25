"""The portal's error pages (400, 403, CSRF, 404, 500) in its layout and language, and the
menu that shows each person only what their role may open."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from activities.tests.helpers import form_data
from conftest import make_persona
from governance.models import CooperationArea
from ungmusikk import errors


def _menu(response) -> list[str]:
    nav = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', response.content.decode(), re.S)[1]
    return re.findall(r'class="nav-link" href="[^"]*">([^<]+)</a>', nav)


def test_unknown_address_is_a_norwegian_404_in_the_layout(client_as, coord_follo):
    response = client_as(coord_follo).get("/finnes-ikke/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="nb" class="no-js">' in html
    assert "<title>Fant ikke siden – UngMusikk</title>" in html
    assert _menu(response) == ["Forside", "Kommuneark", "Skoler", "Aktiviteter"]
    assert 'href="/skoler/start/"' in html  # a link onward


def test_another_schools_dashboard_says_what_was_not_found(client_as, rector_a, network):
    response = client_as(rector_a).get(reverse("schools:dashboard", args=[network.school_b.slug]))
    assert response.status_code == 404
    assert '<p class="lead" id="error-message">Fant ikke skolen, eller du har ikke tilgang til tallene dens.</p>' in (
        response.content.decode()
    )


def test_django_s_own_404_messages_are_not_shown(client_as, daily_leader):
    response = client_as(daily_leader).get(reverse("activities:detail", args=[987654]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "Fant ikke aktiviteten." in html
    assert "matches the given query" not in html


def test_refusal_is_a_norwegian_403_with_the_reason(client_as, rector_a):
    response = client_as(rector_a).get(reverse("schools:network"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "<title>Ingen tilgang – UngMusikk</title>" in html
    assert "Nettverksoversikten er for styringsgruppen, daglig leder og NMH." in html
    assert "403 Forbidden" not in html


def test_refusal_without_a_reason_gets_the_general_sentence(client_as, rector_a):
    response = client_as(rector_a).get(reverse("activities:create"))
    assert response.status_code == 403
    assert "Rollen din i UngMusikk gir ikke tilgang til denne siden." in response.content.decode()


def test_error_pages_in_english(client_as, rector_a):
    client = client_as(rector_a)
    response = client.get("/finnes-ikke/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en" class="no-js">' in html
    assert "<title>Page not found – UngMusikk</title>" in html


def test_expired_form_is_a_norwegian_page_and_saves_nothing(coord_follo, network):
    from activities.models import Activity

    client = Client(enforce_csrf_checks=True)
    client.force_login(coord_follo)
    area = CooperationArea.objects.get(number=2)
    response = client.post(reverse("activities:create"), form_data(region=network.follo, areas=[area]))
    assert response.status_code == 403
    assert "<title>Skjemaet er utløpt – UngMusikk</title>" in response.content.decode()
    assert Activity.objects.count() == 0


def test_bad_request_page():
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = errors.bad_request(request)
    assert response.status_code == 400
    assert "<title>Ugyldig forespørsel – UngMusikk</title>" in response.content.decode()


@pytest.mark.django_db
def test_server_error_page_needs_no_database(django_assert_num_queries):
    """The 500 page renders from the template alone: no request context, not one query."""
    request = RequestFactory().get("/aktiviteter/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "<title>Noe gikk galt – UngMusikk</title>" in html
    assert 'href="/"' in html


@pytest.mark.parametrize(
    ("persona", "menu"),
    [
        (None, ["Forside"]),
        ("no_role", ["Forside"]),
        # the municipality sheets: «Kommuneark» for those who may open some but not «Rapporter»
        ("rector_a", ["Forside", "Kommuneark", "Skoler", "Aktiviteter"]),
        ("coord_follo", ["Forside", "Kommuneark", "Skoler", "Aktiviteter"]),
        # the steering group and central staff have staff accounts: they read or keep data in the admin
        ("steering_member", ["Forside", "Nettverket", "Rapporter", "Skoler", "Aktiviteter", "Administrasjon"]),
        (
            "daily_leader",
            ["Forside", "Nettverket", "Rapporter", "Skoler", "Aktiviteter", "Oppsummeringer", "Administrasjon"],
        ),
    ],
)
def test_menu_shows_what_the_role_may_open(request, client, client_as, network, persona, menu):
    if persona == "no_role":
        user = make_persona("ingen-rolle")
    else:
        user = request.getfixturevalue(persona) if persona else None
    browser = client_as(user) if user else client
    response = browser.get(reverse("login") if user is None else reverse("activities:list"))
    if user is not None and response.status_code == 403:
        response = browser.get("/finnes-ikke/")
    shown = _menu(response)
    assert shown == menu
    # Every link of the menu opens for the person.
    targets = re.findall(
        r'class="nav-link" href="([^"]+)"',
        re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', response.content.decode(), re.S)[1],
    )
    for target in targets:
        assert browser.get(target).status_code in (200, 302), target


def test_menu_shows_the_admin_to_staff_only(client_as, daily_leader, coord_follo):
    daily_leader.is_staff = True
    daily_leader.save()
    assert _menu(client_as(daily_leader).get(reverse("activities:list")))[-1] == "Administrasjon"
    assert "Administrasjon" not in _menu(client_as(coord_follo).get(reverse("activities:list")))


@pytest.mark.parametrize(("method", "url", "logout_buttons"), [("get", "/logg-ut/", 2), ("put", "/oppsummeringer/", 1)])
def test_a_link_to_a_buttons_address_gets_a_page_not_a_blank(client_as, daily_leader, method, url, logout_buttons):
    """GET on a POST-only address: Django's 405 is empty and the browser drew its own page. On
    the logout address the page offers the button (besides the menu's)."""
    response = getattr(client_as(daily_leader), method)(url)
    html = response.content.decode()
    assert response.status_code == 405
    assert "<title>Siden kan ikke åpnes slik – UngMusikk</title>" in html
    assert html.count('action="/logg-ut/"') == logout_buttons
    assert response["Allow"]


@pytest.mark.parametrize("url", ["/finnes-ikke/", "/skoler/skole-b/"])
def test_with_debug_on_a_missing_page_is_still_the_portals(client_as, rector_a, network, settings, url):
    """`make run` serves with DEBUG on: a newcomer must not meet Django's technical 404."""
    settings.DEBUG = True
    response = client_as(rector_a).get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Fant ikke siden – UngMusikk</title>" in html
    assert "URLconf" not in html
    assert ("Fant ikke skolen, eller du har ikke tilgang til tallene dens." in html) is (url != "/finnes-ikke/")
