"""Who may open a municipality's sheet (kommuneark, issue 16): `schools.view_municipality_sheet`
(governance/rules.py) on the list, the page and the PDF.

The personas (conftest.py): schools A and A2 in Follo, B in Romerike, each in a municipality of
its own. A rector opens their own schools' municipalities, a coordinator their sub-region's,
central staff all. A person who may open some sheets gets 404 for any other municipality (as
for an unknown number: the answer says nothing about it); a person who may open none (a
steering-group member who is not central staff, the access manager, someone without a role)
gets 403 on every sheet address (it says "not for you", nothing about any municipality).
"""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from activities.rollups import rollup_enrolment
from core.tests.hostile import NAMED_VALUES, hostile_client, hostile_settings, hostile_value, send, with_examples
from funding.rollups import rollup_budget
from governance.rules import can_open_municipality_sheet
from schools.tests.factories import MunicipalityFactory, SchoolFactory
from ungmusikk.reports import sheet

from .network import build_report_network
from .sheet_helpers import SAMI_NAME, YEAR, sheet_url
from .sheet_helpers import sheet_network as sheet_network  # noqa: F401 - the fixture, used below

THIS_YEAR = timezone.localdate().year

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sheet_network")]


def _municipalities(network):
    return network.school_a.municipality, network.school_a2.municipality, network.school_b.municipality


# --- the rule itself ---------------------------------------------------------------------


def test_rule_rector_opens_only_their_schools_municipality(network, rector_a):
    a, a2, b = _municipalities(network)
    assert [rector_a.has_perm("schools.view_municipality_sheet", m) for m in (a, a2, b)] == [True, False, False]
    assert rector_a.has_perm("schools.view_municipality_sheet") is True  # the list, the menu


def test_rule_coordinator_opens_their_regions_municipalities(network, coord_follo, coord_romerike):
    a, a2, b = _municipalities(network)
    assert [coord_follo.has_perm("schools.view_municipality_sheet", m) for m in (a, a2, b)] == [True, True, False]
    assert [coord_romerike.has_perm("schools.view_municipality_sheet", m) for m in (a, a2, b)] == [False, False, True]


def test_rule_a_municipality_with_a_school_in_another_region_opens_to_its_coordinator(network, coord_romerike):
    """A municipality whose schools lie in two sub-regions: both coordinators open it."""
    a = network.school_a.municipality
    SchoolFactory(name="Skole R", slug="skole-r", municipality=a, region=network.romerike)
    assert coord_romerike.has_perm("schools.view_municipality_sheet", a) is True


def test_rule_central_staff_and_superuser_open_every_municipality(network, daily_leader, nmh_coordinator, superuser):
    for person in (daily_leader, nmh_coordinator, superuser):
        assert all(person.has_perm("schools.view_municipality_sheet", m) for m in _municipalities(network))
        assert person.has_perm("schools.share_municipality_sheet", network.school_b.municipality) is True


def test_rule_steering_group_access_manager_and_no_role_open_nothing(
    network, steering_member, steering_leader, access_manager
):
    from governance.tests.factories import UserFactory

    for person in (steering_member, steering_leader, access_manager, UserFactory(username="ingen")):
        assert person.has_perm("schools.view_municipality_sheet") is False
        assert not any(person.has_perm("schools.view_municipality_sheet", m) for m in _municipalities(network))
        assert person.has_perm("schools.share_municipality_sheet", network.school_a.municipality) is False


def test_rule_share_is_the_same_rule(network, rector_a, coord_romerike):
    a, a2, b = _municipalities(network)
    for person in (rector_a, coord_romerike):
        for municipality in (a, a2, b):
            assert person.has_perm("schools.share_municipality_sheet", municipality) == person.has_perm(
                "schools.view_municipality_sheet", municipality
            )


def test_rule_anonymous_opens_nothing(network):
    from django.contrib.auth.models import AnonymousUser

    assert can_open_municipality_sheet(AnonymousUser(), network.school_a.municipality) is False
    assert can_open_municipality_sheet(AnonymousUser(), None) is False


# --- the page ------------------------------------------------------------------------------


def test_sheet_rector_opens_own_municipality(network, client_as, rector_a):
    a = network.school_a.municipality
    expected = sheet.municipality_sheet(municipality=a, year=YEAR)
    response = client_as(rector_a).get(sheet_url(a))
    assert response.status_code == 200
    content = response.content.decode()
    assert SAMI_NAME in content
    assert expected.sentences[0] in content
    assert f'href="{sheet_url(a, suffix="kommuneark.pdf")}"' in content
    assert response["Cache-Control"] == "private, no-store"


def test_sheet_rector_gets_404_for_another_municipality(network, client_as, rector_a):
    client = client_as(rector_a)
    for school in (network.school_b, network.school_a2):
        assert client.get(sheet_url(school.municipality)).status_code == 404
        assert client.get(sheet_url(school.municipality, suffix="kommuneark.pdf")).status_code == 404


def test_sheet_unknown_municipality_is_the_same_404(network, client_as, rector_a):
    client = client_as(rector_a)
    other = client.get(sheet_url(network.school_b.municipality))
    unknown = client.get("/rapporter/kommuner/9999/2020/")
    assert unknown.status_code == other.status_code == 404
    assert (
        unknown.context["message"]
        == other.context["message"]
        == ("Fant ikke kommunearket, eller du har ikke tilgang til det.")
    )


def test_sheet_coordinator_opens_region_and_other_coordinator_gets_404(network, client_as, coord_follo, coord_romerike):
    a, a2, b = _municipalities(network)
    follo = client_as(coord_follo)
    assert [follo.get(sheet_url(m)).status_code for m in (a, a2, b)] == [200, 200, 404]
    romerike = client_as(coord_romerike)
    assert [romerike.get(sheet_url(m)).status_code for m in (a, a2, b)] == [404, 404, 200]


def test_sheet_central_staff_open_all(network, client_as, daily_leader, nmh_coordinator, superuser):
    for person in (daily_leader, nmh_coordinator, superuser):
        client = client_as(person)
        assert [client.get(sheet_url(m)).status_code for m in _municipalities(network)] == [200, 200, 200]


@pytest.mark.parametrize("persona", ["steering_member", "steering_leader", "access_manager"])
def test_sheet_steering_group_and_others_refused_with_403(network, client_as, request, persona):
    """Not central staff, not a rector or a coordinator: may open no sheet at all, so 403 on
    every sheet address (the list, a sheet of any municipality, its PDF, an unknown one)."""
    client = client_as(request.getfixturevalue(persona))
    a = network.school_a.municipality
    for url in (
        reverse("reports:municipality-sheets"),
        sheet_url(a),
        sheet_url(a, suffix="kommuneark.pdf"),
        "/rapporter/kommuner/9999/2020/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert SAMI_NAME not in response.content.decode()


def test_sheet_anonymous_goes_to_login(network, client):
    a = network.school_a.municipality
    for url in (reverse("reports:municipality-sheets"), sheet_url(a), sheet_url(a, suffix="kommuneark.pdf")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_sheet_year_without_membership_is_404_with_a_sentence(network, client_as, rector_a):
    a = network.school_a.municipality
    response = client_as(rector_a).get(sheet_url(a, year=2005))
    assert response.status_code == 404
    assert "ingen medlems- eller pilotskole" in response.content.decode()


@pytest.mark.parametrize("year", ["1999", "2101", "99999999999999999999999", "20x0", "²⁰²⁰"])
def test_sheet_impossible_year_is_404(network, client_as, rector_a, year):
    a = network.school_a.municipality
    assert client_as(rector_a).get(f"/rapporter/kommuner/{a.number}/{year}/").status_code == 404


def test_sheet_this_year_opens(network, client_as, daily_leader):
    assert client_as(daily_leader).get(sheet_url(network.school_a.municipality, THIS_YEAR)).status_code == 200


@hostile_settings(15)
@given(ahead=st.integers(min_value=1, max_value=2100 - 2013), suffix=st.sampled_from(["", "kommuneark.pdf"]))
def test_sheet_year_not_yet_begun_is_404_and_no_link_is_made(network, daily_leader, ahead, suffix):
    """A year after this one (Oslo) has no sheet (it would be zeros): its page, PDF and share
    POST are the same 404 as an unknown municipality's; the service refuses it too."""
    from governance.models import AuditEntry
    from ungmusikk.reports import links

    a = network.school_a.municipality
    year = min(THIS_YEAR + ahead, 2100)
    client = hostile_client(daily_leader)
    response = send(client, "get", sheet_url(a, year, suffix))
    assert response.status_code == 404
    assert response.context["message"] == "Fant ikke kommunearket, eller du har ikke tilgang til det."
    before = AuditEntry.objects.count()
    assert send(client, "post", sheet_url(a, year, "lenke/"), {"form_token": "e" * 32}).status_code == 404
    with pytest.raises(ValueError):
        links.sheet_link_share(user=daily_leader, municipality=a, year=year)
    assert AuditEntry.objects.count() == before


def test_sheet_pdf_rector_opens_own(network, client_as, rector_a):
    response = client_as(rector_a).get(sheet_url(network.school_a.municipality, suffix="kommuneark.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert SAMI_NAME in reader.pages[0].extract_text()


def test_sheet_page_is_printable_without_scripts_or_styles_inline(network, client_as, rector_a):
    content = client_as(rector_a).get(sheet_url(network.school_a.municipality)).content.decode()
    # With DEBUG off (CI) the static files' names carry their hash: municipality-sheet.<hash>.css.
    assert re.search(r"css/municipality-sheet(\.[0-9a-f]+)?\.css", content)
    assert "style=" not in content
    assert "<style" not in content
    assert "<script>" not in content


@pytest.fixture
def hand_network(network):
    """The hand-computed network (A and A2 in «Kárášjohka», B in «Ås»), its rollups run."""
    built = build_report_network(network)
    rollup_enrolment()
    rollup_budget()
    return built


def _figures(response) -> dict[str, str]:
    """The page's single figures by label, with money_text's no-break spaces as spaces."""
    return {str(label): value.replace("\xa0", " ") for label, value in response.context["key_figures"]}


def _text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def test_sheet_page_shows_the_hand_computed_figures(hand_network, client_as, rector_a):
    """Kárášjohka 2020 (ungmusikk/reports/tests/network.py, test_report_figures.py): the
    rector of A opens it and reads its figures and sentences as the figures wrote them."""
    response = client_as(rector_a).get(sheet_url(hand_network.karasjok))
    assert response.status_code == 200
    content = _text(response)
    assert "Kommuneark for Kárášjohka 2020" in content
    assert "Kárášjohka betalte 80 000 kr og fikk aktiviteter og tildelinger verdt 20 000 kr i 2020." in content
    assert "Det tilsvarer 133 kr per elev i musikk; snittet i nettverket er 71 kr." in content
    figures = _figures(response)
    assert figures["Betalt kommunebidrag"].startswith("80 000 kr (")
    assert figures["Elever som deltok / elevtall"] == "7 / 150"
    assert figures["Aktiviteter holdt i kommunen"] == "2"
    assert figures["Verdi mottatt (tildelinger + aktiviteter)"] == "20 000 kr"
    assert figures["Verdi per elev"] == "133 kr (nettverket: 71 kr)"
    assert 'id="sheet-table-alder"' in content


def test_sheet_small_counts_shown_as_suppressed(hand_network, client_as, rector_b):
    """Ås 2020: two named pupils took part, shown «<5» (core.privacy), never as 2."""
    response = client_as(rector_b).get(sheet_url(hand_network.aas))
    figures = _figures(response)
    assert figures["Elever som deltok / elevtall"] == "<5 / 200"
    assert "<dd>&lt;5 / 200</dd>" in response.content.decode()
    assert "Færre enn 5 navngitte elever deltok i 2 aktiviteter" in _text(response)


def test_sheet_rector_of_the_other_municipality_gets_404_on_the_hand_network(hand_network, client_as, rector_b):
    assert client_as(rector_b).get(sheet_url(hand_network.karasjok)).status_code == 404


def test_sheet_pdf_is_one_page_with_the_figures(hand_network, client_as, rector_a):
    response = client_as(rector_a).get(sheet_url(hand_network.karasjok, suffix="kommuneark.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="kommuneark-5610-2020.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert "Kárášjohka" in reader.pages[0].extract_text()


# --- the list ------------------------------------------------------------------------------


def _listed(response) -> list[str]:
    return [m.number for m in response.context["municipalities"]]


def test_list_rector_sees_their_municipality_only(network, client_as, rector_a):
    response = client_as(rector_a).get(reverse("reports:municipality-sheets"), {"aar": YEAR})
    assert response.status_code == 200
    assert _listed(response) == [network.school_a.municipality.number]
    assert sheet_url(network.school_a.municipality) in response.content.decode()


def test_list_coordinator_sees_their_regions(network, client_as, coord_follo):
    response = client_as(coord_follo).get(reverse("reports:municipality-sheets"), {"aar": YEAR})
    assert sorted(_listed(response)) == sorted(
        [network.school_a.municipality.number, network.school_a2.municipality.number]
    )


def test_list_central_staff_see_all(network, client_as, daily_leader):
    response = client_as(daily_leader).get(reverse("reports:municipality-sheets"), {"aar": YEAR})
    assert sorted(_listed(response)) == sorted(m.number for m in _municipalities(network))


def test_list_without_a_year_shows_last_year(network, client_as, daily_leader):
    from django.utils import timezone

    response = client_as(daily_leader).get(reverse("reports:municipality-sheets"))
    assert response.context["year"] == timezone.localdate().year - 1
    assert response.context["note"] == ""


@pytest.mark.parametrize(
    "raw", ["abc", "1999", "²", "2020.5", "99999999999999999999999", str(THIS_YEAR + 1), "2099", "2100"]
)
def test_list_unusable_year_is_named_in_a_note(network, client_as, daily_leader, raw):
    response = client_as(daily_leader).get(reverse("reports:municipality-sheets"), {"aar": raw})
    assert response.status_code == 200
    assert f"«År» må være et år fra 2013 til {THIS_YEAR}" in response.content.decode()
    assert response.context["year"] == THIS_YEAR - 1


def test_list_query_count_does_not_grow_with_municipalities(network, client_as, coord_follo):
    """The rule reads each municipality's schools: loaded for the whole list in one query."""
    client = client_as(coord_follo)
    url = reverse("reports:municipality-sheets")
    client.get(url, {"aar": YEAR})  # the session and the role facts settle
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(url, {"aar": YEAR}).context["municipalities"]) == 2
    for n in range(3):
        SchoolFactory(name=f"Follo {n}", slug=f"follo-{n}", region=network.follo, municipality=MunicipalityFactory())
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(url, {"aar": YEAR}).context["municipalities"]) == 5
    assert len(five) == len(two)


# --- the dashboard's link ------------------------------------------------------------------


def test_dashboard_links_rector_to_the_sheet_of_its_money_year(network, client_as, rector_a):
    # The sheet is a calendar year's: the dashboard's money year (2019/20 → 2020), as its money panel.
    response = client_as(rector_a).get(reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019})
    content = response.content.decode()
    assert 'id="municipality-sheet-link"' in content
    link = content.split('id="municipality-sheet-link" href="', 1)[1].split('"', 1)[0]
    assert link == f"/rapporter/kommuner/{network.school_a.municipality.number}/2020/"
    response = client_as(rector_a).get(reverse("schools:dashboard", args=["skole-a"]), {"pengeaar": 2018})
    assert f'/rapporter/kommuner/{network.school_a.municipality.number}/2018/"' in response.content.decode()


def test_dashboard_has_no_sheet_link_for_the_steering_group(network, client_as, steering_member):
    response = client_as(steering_member).get(reverse("schools:dashboard", args=["skole-a"]))
    assert response.status_code == 200
    assert 'id="municipality-sheet-link"' not in response.content.decode()


# --- hostile addresses ---------------------------------------------------------------------


@hostile_settings(30)
@with_examples(*({"reader": "rector_a", "number": "0001", "year": value} for value in NAMED_VALUES[:11]))
@given(
    reader=st.sampled_from(["rector_a", "coord_romerike", "daily_leader"]),
    number=st.one_of(st.from_regex(r"[0-9]{1,6}", fullmatch=True), hostile_value()),
    year=st.one_of(st.integers(min_value=1990, max_value=2110).map(str), hostile_value()),
)
def test_sheet_hostile_numbers_and_years_never_fail(
    network, rector_a, coord_romerike, daily_leader, reader, number, year
):
    from urllib.parse import quote

    client = hostile_client(
        {"rector_a": rector_a, "coord_romerike": coord_romerike, "daily_leader": daily_leader}[reader]
    )
    url = f"/rapporter/kommuner/{quote(number, safe='')}/{quote(year, safe='')}/"
    for suffix in ("", "kommuneark.pdf"):
        response = send(client, "get", url + suffix)
        assert response.status_code in (200, 404), (url + suffix, response.status_code)


@hostile_settings(20)
@given(raw=hostile_value())
def test_list_hostile_years_never_fail(network, daily_leader, raw):
    response = send(hostile_client(daily_leader), "get", reverse("reports:municipality-sheets"), {"aar": raw})
    assert response.status_code == 200


@hostile_settings(20)
@with_examples(*({"raw": value} for value in NAMED_VALUES[:11]))
@given(raw=hostile_value())
def test_sheet_hostile_shared_entry_ids_never_fail(network, rector_a, raw):
    """`?delt=` (the audit entry of a link just made) is any text a person can type."""
    response = send(hostile_client(rector_a), "get", sheet_url(network.school_a.municipality), {"delt": raw})
    assert response.status_code == 200
    assert response.context["link"] is None
