"""Signed links to a municipality's sheet (issue 16, ungmusikk/reports/links.py): made by a
POST of someone who may share the sheet, recorded in the audit log, opening the page and the
PDF without a login until they expire; every link that opens nothing is the same 404.

Expiry is tested by signing in the past (`sheet_link_make(signed_at=…)`, the signer's own
timestamp): no clock is frozen (neither freezegun nor time-machine is installed), the check
is Django's `TimestampSigner.unsign(max_age=…)` against the real clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.audit import AuditAction
from core.formatting import datetime_text
from core.tests.hostile import NAMED_VALUES, hostile_client, hostile_settings, hostile_value, send, with_examples
from governance.models import AuditEntry
from ungmusikk.reports import links

from .sheet_helpers import SAMI_NAME, YEAR, shared_link, sheet_url
from .sheet_helpers import sheet_network as sheet_network  # noqa: F401 - the fixture, used below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sheet_network")]

DAYS = 30


@pytest.fixture(autouse=True)
def _thirty_days(settings):
    settings.SHEET_LINK_DAYS = DAYS


def _token(municipality, year=YEAR, **kwargs) -> str:
    return shared_link(municipality, year, **kwargs).token


def _shared(token: str, suffix: str = "") -> str:
    return f"/rapporter/delt/{quote(token, safe=':')}/{suffix}"


def _share_post(client, municipality, token="a" * 32, year=YEAR):
    return client.post(sheet_url(municipality, year, "lenke/"), {"form_token": token})


def _share_entries():
    return AuditEntry.objects.filter(action=AuditAction.SHEET_LINK_SHARE)


# --- making a link -------------------------------------------------------------------------


def test_share_rector_makes_a_link_recorded_in_the_audit_log(network, client_as, rector_a):
    a = network.school_a.municipality
    client = client_as(rector_a)
    before = timezone.now().replace(microsecond=0)
    response = _share_post(client, a)
    entry = _share_entries().get()
    assert response.status_code == 302
    assert response["Location"] == f"{sheet_url(a)}?delt={entry.pk}#delt-lenke"
    assert entry.actor_id == rector_a.pk
    assert (entry.object_type, entry.object_id) == ("schools.municipality", str(a.pk))
    signed_at = datetime.fromisoformat(entry.changes["signed_at"][1])
    valid_until = datetime.fromisoformat(entry.changes["valid_until"][1])
    assert entry.changes["year"] == [None, YEAR]
    assert before <= signed_at <= timezone.now()
    assert valid_until - signed_at == timedelta(days=DAYS)
    assert entry.comment == f"Lenke til kommunearket for {YEAR}, gyldig til {datetime_text(valid_until)}."


def test_share_page_shows_the_link_its_expiry_in_oslo_time_and_a_field(network, client_as, rector_a, settings):
    settings.PORTAL_BASE_URL = "https://ungmusikk.example"
    a = network.school_a.municipality
    client = client_as(rector_a)
    page = client.get(_share_post(client, a)["Location"])
    assert page.status_code == 200
    link = page.context["link"]
    entry = _share_entries().get()
    assert link == links.sheet_link_make(
        entry_id=entry.pk,
        municipality_id=a.pk,
        year=YEAR,
        signed_at=datetime.fromisoformat(entry.changes["signed_at"][1]),
    )
    content = page.content.decode()
    assert f'value="{settings.PORTAL_BASE_URL}{_shared(link.token)}"' in content
    assert 'id="shared-link"' in content and "readonly" in content
    oslo = link.valid_until.astimezone(ZoneInfo("Europe/Oslo"))
    assert f"Gyldig til {oslo:%d.%m.%Y} kl. {oslo:%H.%M}." in content
    assert page["Cache-Control"] == "private, no-store"
    # The page posts «Lag delingslenke»: under no-referrer the browser would post Origin: null,
    # which the CSRF check refuses (test_sheet_browser); same-origin sends no address elsewhere.
    assert page["Referrer-Policy"] == "same-origin"


def test_share_resubmitting_the_form_makes_no_second_link(network, client_as, rector_a):
    a = network.school_a.municipality
    client = client_as(rector_a)
    first = _share_post(client, a, token="b" * 32)
    second = _share_post(client, a, token="b" * 32)
    assert _share_entries().count() == 1
    assert second["Location"] == first["Location"]


def test_share_without_a_form_token_makes_nothing(network, client_as, rector_a):
    a = network.school_a.municipality
    response = client_as(rector_a).post(sheet_url(a, YEAR, "lenke/"), {})
    assert response.status_code == 302
    assert response["Location"] == sheet_url(a)
    assert _share_entries().count() == 0


@pytest.mark.parametrize("persona", ["steering_member", "steering_leader", "access_manager"])
def test_share_refused_with_403_without_the_permission(network, client_as, request, persona):
    response = _share_post(client_as(request.getfixturevalue(persona)), network.school_a.municipality)
    assert response.status_code == 403
    assert _share_entries().count() == 0


def test_share_another_municipality_is_404_and_makes_nothing(network, client_as, rector_b, coord_romerike):
    for person in (rector_b, coord_romerike):
        assert _share_post(client_as(person), network.school_a.municipality).status_code == 404
    assert _share_entries().count() == 0


def test_share_anonymous_goes_to_login_and_makes_nothing(network, client):
    response = _share_post(client, network.school_a.municipality)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert _share_entries().count() == 0


def test_share_is_post_only(network, client_as, rector_a):
    assert client_as(rector_a).get(sheet_url(network.school_a.municipality, YEAR, "lenke/")).status_code == 405


def test_share_service_refuses_without_the_permission(network, steering_member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        links.sheet_link_share(user=steering_member, municipality=network.school_a.municipality, year=YEAR)
    assert _share_entries().count() == 0


def test_share_coordinator_and_central_staff_may_share(network, client_as, coord_follo, daily_leader):
    a = network.school_a.municipality
    assert _share_post(client_as(coord_follo), a, token="c" * 32).status_code == 302
    assert _share_post(client_as(daily_leader), a, token="d" * 32).status_code == 302
    assert sorted(_share_entries().values_list("actor__username", flat=True)) == ["koord-follo", "leder"]


def test_share_shown_link_only_to_its_maker(network, client_as, rector_a, coord_follo):
    """`?delt=<entry>` shows a link to the person who made it, not to another who may open
    the same sheet (the log's entry is theirs)."""
    a = network.school_a.municipality
    location = _share_post(client_as(rector_a), a)["Location"]
    page = client_as(coord_follo).get(location)
    assert page.status_code == 200
    assert page.context["link"] is None
    assert "/rapporter/delt/" not in page.content.decode()


def test_share_shown_link_for_another_year_or_municipality_is_not_shown(network, client_as, daily_leader):
    a, b = network.school_a.municipality, network.school_b.municipality
    client = client_as(daily_leader)
    entry_id = _share_post(client, a)["Location"].split("delt=")[1].split("#")[0]
    assert client.get(f"{sheet_url(b)}?delt={entry_id}").context["link"] is None
    assert client.get(f"{sheet_url(a)}?delt={entry_id}").context["link"] is not None


# --- opening a link ------------------------------------------------------------------------


def test_link_opens_the_page_without_login(network, client):
    a = network.school_a.municipality
    link = shared_link(a)
    response = client.get(_shared(link.token))
    assert response.status_code == 200
    content = response.content.decode()
    assert SAMI_NAME in content
    assert f"Delt lenke, gyldig til {datetime_text(link.valid_until)}." in content
    assert '<meta name="robots" content="noindex, nofollow">' in content
    # the portal's own policy (sends no address to another site); under no-referrer Chromium
    # posted the language switch with Origin: null and the CSRF check refused it
    assert response["Referrer-Policy"] == "same-origin"
    assert 'name="referrer"' not in content
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # no portal menu for a visitor without a login, no share form
    assert 'class="nav-item"' not in content
    assert "Lag delingslenke" not in content
    assert f'href="{_shared(link.token, "kommuneark.pdf")}"' in content


def test_link_page_keeps_the_menu_for_a_logged_in_person(network, client_as, rector_a):
    response = client_as(rector_a).get(_shared(_token(network.school_b.municipality)))
    assert response.status_code == 200
    assert 'class="nav-item"' in response.content.decode()


def test_link_opens_the_pdf_without_login(network, client):
    response = client.get(_shared(_token(network.school_a.municipality), "kommuneark.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"


def test_link_valid_until_its_last_minute(network, client):
    a = network.school_a.municipality
    almost = timezone.now() - timedelta(days=DAYS) + timedelta(minutes=1)
    assert client.get(_shared(_token(a, signed_at=almost))).status_code == 200


def test_link_expired_is_404(network, client):
    a = network.school_a.municipality
    expired = timezone.now() - timedelta(days=DAYS, minutes=1)
    token = _token(a, signed_at=expired)
    assert client.get(_shared(token)).status_code == 404
    assert client.get(_shared(token, "kommuneark.pdf")).status_code == 404


def test_link_lifetime_follows_the_setting(network, client, settings):
    a = network.school_a.municipality
    token = _token(a, signed_at=timezone.now() - timedelta(days=3))
    assert client.get(_shared(token)).status_code == 200
    settings.SHEET_LINK_DAYS = 2
    assert client.get(_shared(token)).status_code == 404


def _altered(token: str, index: int) -> str:
    char = token[index]
    return token[:index] + ("B" if char != "B" else "C") + token[index + 1 :]


def test_link_altered_in_any_character_is_404(network, client):
    token = _token(network.school_a.municipality)
    for index in range(len(token)):
        if token[index] == ":":
            continue
        assert client.get(_shared(_altered(token, index))).status_code == 404, index


def test_link_truncated_is_404(network, client):
    token = _token(network.school_a.municipality)
    for length in (1, 7, len(token) // 2, len(token) - 10, len(token) - 1):
        assert client.get(_shared(token[:length])).status_code == 404, length
        assert client.get(_shared(token[:length], "kommuneark.pdf")).status_code == 404, length


def test_link_of_another_municipality_or_year_opens_only_that_one(network, client):
    """B's token with A's id (or another year) put in its place is not signed: 404. Every
    failure reads the same."""
    a, b = network.school_a.municipality, network.school_b.municipality
    link = shared_link(b)
    token = link.token
    value, rest = token.split(":", 1)
    assert client.get(_shared(token)).context["sheet"].municipality_number == b.number
    forged = [f"{link.entry_id}.{a.pk}.{YEAR}:{rest}", f"{link.entry_id}.{b.pk}.{YEAR - 1}:{rest}"]
    responses = [client.get(_shared(other)) for other in forged]
    assert [response.status_code for response in responses] == [404, 404]
    expired = client.get(_shared(_token(a, signed_at=timezone.now() - timedelta(days=DAYS + 1))))
    assert {response.context["message"] for response in [*responses, expired]} == {
        "Lenken til kommunearket virker ikke (lenker virker en tid). Be om en ny lenke."
    }


def test_link_signed_with_another_salt_is_404(network, client):
    """A signature the portal makes for something else never opens a sheet."""
    a = network.school_a.municipality
    assert client.get(_shared(signing.TimestampSigner().sign(f"{a.pk}.{YEAR}"))).status_code == 404
    assert client.get(_shared(signing.TimestampSigner(salt="x").sign(f"{a.pk}.{YEAR}"))).status_code == 404


def test_link_to_a_year_without_membership_is_404(network, client):
    assert client.get(_shared(_token(network.school_a.municipality, year=2005))).status_code == 404


def test_link_to_a_deleted_or_unknown_municipality_is_404(network, client):
    entry_id = shared_link(network.school_a.municipality).entry_id
    token = links.sheet_link_make(entry_id=entry_id, municipality_id=987654, year=YEAR).token
    assert client.get(_shared(token)).status_code == 404


def test_link_read_round_trip_and_whole_seconds(network):
    signed_at = datetime(2026, 3, 29, 0, 30, 15, 999999, tzinfo=UTC)
    link = links.sheet_link_make(entry_id=7, municipality_id=12, year=2020, signed_at=signed_at)
    assert link.signed_at == datetime(2026, 3, 29, 0, 30, 15, tzinfo=UTC)
    assert link.valid_until == link.signed_at + timedelta(days=DAYS)
    assert links.sheet_link_make(entry_id=7, municipality_id=12, year=2020, signed_at=signed_at) == link
    # read back: only while it is valid and its audit entry records it, so make one now
    fresh = shared_link(network.school_a.municipality)
    assert links.sheet_link_read(fresh.token) == fresh


# --- the maker's access ----------------------------------------------------------------------


def test_link_ends_when_its_maker_loses_access(network, client, rector_a):
    """A rector's link opens the sheet while the rector may open it; once the role has ended
    (valid_to in the past) the link is the same 404 as an expired one, page and PDF."""
    from governance.models import Role

    token = shared_link(network.school_a.municipality, maker=rector_a).token
    assert client.get(_shared(token)).status_code == 200
    Role.objects.filter(user=rector_a).update(valid_to=timezone.localdate() - timedelta(days=1))
    response = client.get(_shared(token))
    assert response.status_code == 404
    assert (
        response.context["message"] == "Lenken til kommunearket virker ikke (lenker virker en tid). Be om en ny lenke."
    )
    assert client.get(_shared(token, "kommuneark.pdf")).status_code == 404


def test_link_ends_when_its_maker_is_deactivated(network, client, coord_follo):
    token = shared_link(network.school_a.municipality, maker=coord_follo).token
    assert client.get(_shared(token)).status_code == 200
    coord_follo.is_active = False
    coord_follo.save(update_fields=["is_active"])
    assert client.get(_shared(token)).status_code == 404


def test_link_of_an_unknown_or_another_entry_is_404(network, client):
    """The token names its audit entry; a signed token naming no entry, another kind of entry
    or an entry of another link (other time, municipality or year) opens nothing."""
    a, b = network.school_a.municipality, network.school_b.municipality
    link = shared_link(a)
    other = shared_link(b)
    wrong = [
        links.sheet_link_make(entry_id=987654, municipality_id=a.pk, year=YEAR),
        links.sheet_link_make(entry_id=other.entry_id, municipality_id=a.pk, year=YEAR, signed_at=other.signed_at),
        links.sheet_link_make(entry_id=link.entry_id, municipality_id=a.pk, year=YEAR - 1, signed_at=link.signed_at),
        links.sheet_link_make(
            entry_id=link.entry_id, municipality_id=a.pk, year=YEAR, signed_at=link.signed_at - timedelta(seconds=1)
        ),
    ]
    assert [client.get(_shared(item.token)).status_code for item in wrong] == [404] * len(wrong)
    assert client.get(_shared(link.token)).status_code == 200


# --- hostile tokens ------------------------------------------------------------------------

TOKEN_LIKE = st.from_regex(r"[0-9]{1,20}\.[0-9]{1,20}\.[0-9]{1,6}:[0-9A-Za-z]{1,8}:[-_0-9A-Za-z]{0,50}", fullmatch=True)


@hostile_settings(40)
@with_examples(*({"token": value, "suffix": ""} for value in NAMED_VALUES[:11]))
@given(
    token=st.one_of(TOKEN_LIKE, hostile_value()),
    suffix=st.sampled_from(["", "kommuneark.pdf"]),
)
def test_link_hostile_tokens_are_404_never_500(network, token, suffix):
    response = send(hostile_client(), "get", _shared(token, suffix))
    assert response.status_code == 404


@hostile_settings(60)
@given(token=st.one_of(TOKEN_LIKE, hostile_value(), st.binary(max_size=80).map(lambda b: b.decode("latin-1"))))
def test_link_read_never_raises(token):
    assert links.sheet_link_read(token) is None


def test_link_page_in_english_ends_its_dates_with_one_full_stop(network, client, settings):
    """English times end in «a.m.»/«p.m.»: a sentence that put a period after one read
    «valid until Dec. 30, 2026, 2:12 a.m..». The English sentences end at the time."""
    from activities.rollups import rollup_enrolment

    rollup_enrolment()  # «The figures are from the last nightly summary, <time>»
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(_shared(_token(network.school_a.municipality)))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Shared link, valid until " in content
    assert "The figures are from the last nightly summary, " in content
    assert ".." not in content.replace("...", "")
