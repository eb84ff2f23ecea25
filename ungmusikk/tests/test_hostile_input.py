"""Hostile query strings and path segments on the school dashboard (with its CSV, chart
JSON, print view and PDF, and its pages of named pupils and pupil load), the network overview
(with its CSV and map JSON) and the rollups page (property-based, Hypothesis).

For every example: the answer is never a server error, and reading a page changes nothing.
See core/tests/hostile.py for the values.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given, note
from hypothesis import strategies as st

from activities.models import Activity, ActivityCost, Participation
from activities.rollups import rollup_enrolment
from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory
from core.models import RollupRun
from core.tests.hostile import (
    MISSING,
    NAMED_VALUES,
    RenderedForm,
    apply,
    body,
    changed_tables,
    form_changes,
    fresh_token,
    hostile_client,
    hostile_settings,
    hostile_value,
    resolve,
    send,
    snapshot,
    with_examples,
)
from funding.rollups import rollup_budget
from governance.models import AuditEntry, CooperationArea
from schools.tests.factories import EnrolmentFactory, PupilFactory
from ungmusikk.dashboards.network import SORTS as OVERVIEW_SORTS
from ungmusikk.dashboards.school import CHART_KEYS as CHARTS

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
TABLES = [
    "skoleaar",
    "samarbeidsomrader",
    "aktivitetstyper",
    "maneder",
    "kommende",
    "okonomi",
    "navngitte_elever",
    "elevbelastning",
]
WRITTEN = (
    Activity,
    Participation,
    Participation.named_pupils.through,
    ActivityCost,
    AuditEntry,
    RollupRun,
)


def _db():
    return snapshot(*WRITTEN)


@pytest.fixture
def figures(network):
    """School A with participation in two school years (a named pupil on a masterclass),
    enrolment, a cost, and an upcoming activity."""
    area = CooperationArea.objects.get(number=2)
    pupil = PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[network.school_a])
    for year, month in ((2018, 10), (2019, 11), (2020, 2)):
        activity = ActivityFactory(
            region=network.follo,
            starts_at=datetime(year, month, 12, 10, 0, tzinfo=OSLO),
            ends_at=datetime(year, month, 12, 15, 0, tzinfo=OSLO),
            areas=[area],
        )
        participation = ParticipationFactory(activity=activity, school=network.school_a, pupils=5, teachers=1)
        participation.named_pupils.set([pupil])
        ParticipationFactory(activity=activity, school=network.school_b, pupils=3, teachers=1)
        ActivityCostFactory(activity=activity)
    ActivityFactory(
        region=network.follo,
        status=Activity.Status.PLANNED,
        starts_at=datetime(2099, 5, 1, 10, 0, tzinfo=OSLO),
        ends_at=datetime(2099, 5, 1, 12, 0, tzinfo=OSLO),
        areas=[area],
    )
    for school in (network.school_a, network.school_b):
        EnrolmentFactory(school=school, school_year=2019, pupils=200)
    # The night's rollups have run: the pages read their tables and write nothing.
    rollup_enrolment()
    rollup_budget()
    return network


PARAMETERS = ["skoleaar", "pengeaar", "sorter", "retning", "side", "x"]
SLUG_LIKE = st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True)
YEARS = ["2019", "2018", "2020", "2000", "2100", "1999", "2101"]
CHOICES = {
    "skoleaar": YEARS,
    "pengeaar": YEARS,
    "sorter": sorted(OVERVIEW_SORTS),
    "retning": ["synkende", "stigende"],
}
PARAMS = form_changes(PARAMETERS, max_fields=4).map(
    lambda changes: {key: value for key, value in changes.items() if key in PARAMETERS}
)


class Readers(dict):
    def __repr__(self) -> str:
        return "<readers>"


def _get(client, url, params, names=PARAMETERS, choices=CHOICES):
    query = {name: value for name, value in resolve(params, names, choices).items() if value is not MISSING}
    note(f"GET {url} {query!r}")
    before = _db()
    response = send(client, "get", url, query)
    after = _db()
    assert after == before, f"reading {url} changed {changed_tables(before, after)}"
    return response


@pytest.fixture
def readers(figures, rector_a, coord_follo, steering_member, daily_leader):
    return Readers(
        rector_a=hostile_client(rector_a),
        coord_follo=hostile_client(coord_follo),
        steering_member=hostile_client(steering_member),
        daily_leader=hostile_client(daily_leader),
    )


def _dashboard_url(slug, page, table, chart) -> str:
    base = f"/skoler/{quote(slug, safe='')}/"
    return {
        "dashboard": base,
        "print": base + "utskrift/",
        "pdf": base + "dashbord.pdf",
        "csv": f"{base}tabell/{quote(table, safe='')}.csv",
        "chart": f"{base}diagram/{quote(chart, safe='')}.json",
    }[page]


DASHBOARD_PAGES = ["dashboard", "print", "pdf", "csv", "chart"]


@hostile_settings(20)
@with_examples(
    *(
        {"reader": "rector_a", "slug": "skole-a", "page": page, "table": "skoleaar", "chart": "years"}
        | {"params": {"skoleaar": [value], "pengeaar": [value]}}
        for value in NAMED_VALUES
        for page in (["dashboard", "csv"] if value in ("²", "١٢٣", "１２") else ["dashboard"])
    ),
    *(
        {"reader": "rector_a", "slug": "skole-a", "page": page, "table": "okonomi", "chart": "months"}
        | {"params": {"skoleaar": ["²"], "pengeaar": ["١٢٣"]}}
        for page in DASHBOARD_PAGES
    ),
    *(
        {"reader": "rector_a", "slug": "skole-a", "page": page, "table": name, "chart": name, "params": {}}
        for page in ("csv", "chart")
        for name in ("x" * 5000, "nan", "__init__", "0")
    ),
)
@given(
    reader=st.sampled_from(["rector_a", "coord_follo", "steering_member", "daily_leader"]),
    slug=st.one_of(st.just("skole-a"), st.sampled_from(["skole-b", "skole-a2"]), SLUG_LIKE),
    page=st.sampled_from(DASHBOARD_PAGES),
    table=st.one_of(st.sampled_from(TABLES), SLUG_LIKE, hostile_value()),
    chart=st.one_of(st.sampled_from(CHARTS), SLUG_LIKE, hostile_value()),
    params=PARAMS,
)
def test_school_dashboard_query_strings_and_names(readers, reader, slug, page, table, chart, params):
    _get(readers[reader], _dashboard_url(slug, page, table, chart), params)


PUPIL_PAGES = {"named": "navngitte-elever/", "load": "elevbelastning/"}
PUPIL_PARAMETERS = ["skoleaar", "semester", "side", "x"]
PUPIL_CHOICES = {"skoleaar": YEARS, "semester": ["host", "var"], "side": ["1", "2", "0", "-1", "99999"]}
PUPIL_PARAMS = form_changes(PUPIL_PARAMETERS, max_fields=4).map(
    lambda changes: {key: value for key, value in changes.items() if key in PUPIL_PARAMETERS}
)


@hostile_settings(20)
@with_examples(
    *(
        {"reader": "rector_a", "slug": "skole-a", "page": page, "params": {name: [value]}}
        for page in PUPIL_PAGES
        for name in ("side", "skoleaar", "semester")
        for value in NAMED_VALUES
    ),
    *(
        {"reader": reader, "slug": "skole-a", "page": page, "params": {"side": ["2", "1"], "semester": ["var", "x"]}}
        for reader in ("coord_follo", "steering_member", "daily_leader")
        for page in PUPIL_PAGES
    ),
)
@given(
    reader=st.sampled_from(["rector_a", "coord_follo", "steering_member", "daily_leader"]),
    slug=st.one_of(st.just("skole-a"), st.sampled_from(["skole-b", "skole-a2"]), SLUG_LIKE),
    page=st.sampled_from(sorted(PUPIL_PAGES)),
    params=PUPIL_PARAMS,
)
def test_school_pupil_pages_query_strings(readers, reader, slug, page, params):
    """The pages of named pupils and of pupil load: never a server error whatever `?side=`,
    `?skoleaar=` and `?semester=` say (a value that cannot be used falls back with a note)."""
    url = f"/skoler/{quote(slug, safe='')}/{PUPIL_PAGES[page]}"
    response = _get(readers[reader], url, params, PUPIL_PARAMETERS, PUPIL_CHOICES)
    assert response.status_code in (200, 403, 404), response.status_code


NETWORK_PAGES = ["network", "network-csv", "network-map"]


@hostile_settings(20)
@with_examples(
    *(
        {"reader": "steering_member", "page": page, "params": {"skoleaar": [value], "pengeaar": [value]}}
        for value in NAMED_VALUES
        for page in (NETWORK_PAGES if value in ("²", "١٢٣", "１２") else ["network"])
    ),
    *(
        {"reader": "daily_leader", "page": "network", "params": {"sorter": [value], "retning": [value]}}
        for value in NAMED_VALUES[:11]
    ),
    {"reader": "daily_leader", "page": "network", "params": {"sorter": ["share", "name"], "retning": ["synkende"]}},
)
@given(
    reader=st.sampled_from(["steering_member", "daily_leader", "coord_follo"]),
    page=st.sampled_from(NETWORK_PAGES),
    params=PARAMS,
)
def test_network_overview_csv_and_map_query_strings(readers, reader, page, params):
    _get(readers[reader], reverse(f"schools:{page}"), params)


@hostile_settings(10)
@with_examples(
    *({"changes": {"mode": [value]}, "params": {}} for value in NAMED_VALUES),
    {"changes": {"mode": MISSING}, "params": {}},
    {"changes": {"mode": ["full", "incremental"]}, "params": {}},
)
@given(changes=form_changes(["mode", "csrfmiddlewaretoken", "form_token", "year", "kind"]), params=PARAMS)
def test_rollups_page_post(readers, changes, params):
    client = readers["daily_leader"]
    url = reverse("rollups")
    page = RenderedForm.read(body(send(client, "get", url)), containing="mode")
    resolved = page.resolve(changes)
    note(f"changes: {resolved!r}")
    post = apply(fresh_token(page.data(mode="full")), resolved)  # the button a person presses
    query = {k: v for k, v in resolve(params, PARAMETERS, CHOICES).items() if v is not MISSING}
    response = send(client, "post", f"{url}?{urlencode(query, doseq=True)}", post)
    assert response.status_code in (302, 400, 403, 405), response.status_code
