"""Hostile input on every activities page (property-based, Hypothesis).

For every example: the answer is never a server error, and an error answer (a 4xx, the form
redrawn with its errors, an import sent back with a message) leaves the tables the page can
write as they were. The POST data is what the rendered form holds (read with lxml, hidden
fields included), with some fields replaced by hostile values (see core/tests/hostile.py).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, note
from hypothesis import strategies as st

from activities.imports import SIGNING_SALT
from activities.models import Activity, ActivityCost, Participation
from activities.tests.factories import ActivityFactory
from core.models import SubmissionToken
from core.periods import OSLO
from core.tests.hostile import (
    LONG,
    MISSING,
    NAMED_VALUES,
    Rendered,
    RenderedForm,
    Repeated,
    apply,
    body,
    changed_tables,
    error_messages,
    field_value,
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
from governance.models import AuditEntry
from schools.tests.factories import PupilFactory

pytestmark = pytest.mark.django_db

WRITTEN = (
    Activity,
    Activity.cooperation_areas.through,
    Participation,
    Participation.named_pupils.through,
    ActivityCost,
    AuditEntry,
    SubmissionToken,
)

# Fields the forms may gain (a one-time token on create and copy; version and opened-at on
# the edit form) and formset rows beyond the rendered ones: posted whether rendered or not.
EXTRA_FIELDS = [
    "form_token",
    "version",
    "opened_at",
    "confirm_pupil_load",
    "confirm_large_amount",
    "confirm_clash",
    "clash_seen",
    "confirm_overload",
    "confirm_travel",
    "deltakelse-0-DELETE",
    "deltakelse-2-school",
    "deltakelse-2-pupils",
    "deltakelse-999-school",
    "kostnad-1-category",
    "kostnad-1-amount",
    "kostnad-0-DELETE",
]
MANAGEMENT_FIELDS = [
    f"{prefix}-{name}"
    for prefix in ("deltakelse", "kostnad")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
]


def _db():
    return snapshot(*WRITTEN)


def _saved(response) -> bool:
    """The form saved: a redirect to an activity's page."""
    if response.status_code != 302:
        return False
    target = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return target.isascii() and target.isdigit()


def _assert_unchanged_unless_saved(response, before):
    if not _saved(response):
        after = _db()
        assert after == before, f"error answer {response.status_code} changed {changed_tables(before, after)}"


class World(dict):
    """The test's network, activities and client (shown short in Hypothesis's report)."""

    def __repr__(self) -> str:
        return "<world>"


# Django renders up to `absolute_max` (2000) rows for any TOTAL_FORMS above it; here the cap is
# 30, so an absurd TOTAL_FORMS costs 30 rows, not 2000 (46 s and a 10 MB page on this small
# network: see the report). The code path (the cap, the refusal) is the same.
ROW_CAP = 30


@pytest.fixture
def world(network, areas, enrolment, pupil_a, follo_activity, romerike_activity, coord_follo, monkeypatch):
    """The small network with two activities, a named pupil at school A, and the Follo
    coordinator's client."""
    from activities.forms import CostFormSet, ParticipationFormSet

    monkeypatch.setattr(ParticipationFormSet, "absolute_max", ROW_CAP)
    monkeypatch.setattr(CostFormSet, "absolute_max", ROW_CAP)
    PupilFactory(first_name="Ola", last_name="Nordmann", birth_year=2007, schools=[network.school_a2])
    return World(
        network=network,
        areas=areas,
        follo=follo_activity,
        romerike=romerike_activity,
        client=hostile_client(coord_follo),
    )


def _valid_create_values(world) -> dict:
    network, areas = world["network"], world["areas"]
    return {
        "title": "Mesterklasse cello",
        "cooperation_areas": [str(areas[2].pk)],
        "region": str(network.follo.pk),
        "starts_at": "2019-11-09T10:00",
        "ends_at": "2019-11-09T15:00",
        "deltakelse-0-school": str(network.school_a.pk),
        "deltakelse-0-pupils": "3",
        "deltakelse-0-teachers": "1",
        "kostnad-0-category": "fees",
        "kostnad-0-amount": "1200",
    }


def _pupil_choices(form: RenderedForm) -> RenderedForm:
    """The pupil pickers' choices are every pupil (the page's script narrows them by school)."""
    from schools.models import Pupil

    pupils = [str(pk) for pk in Pupil.objects.order_by("pk").values_list("pk", flat=True)]
    choices = dict(form.choices)
    for name in [*form.names, "deltakelse-2-named_pupils"]:
        if name.endswith("named_pupils"):
            choices[name] = pupils
    return RenderedForm(values=form.values, names=form.names, choices=choices)


def _post_form(world, url, form: RenderedForm, changes, *, base_overrides=None, reuse_token=False):
    client = world["client"]
    form = _pupil_choices(form)
    resolved = form.resolve(changes)
    note(f"changes: {resolved!r}")
    base = fresh_token(form.data(**(base_overrides or {})))
    if reuse_token and "form_token" in base:
        # The same page sent twice: the first (untouched) submission, then the hostile one
        # with the same one-time token, which must not make a second activity.
        first = send(client, "post", url, base)
        activities_before = Activity.objects.count()
        response = send(client, "post", url, apply(base, resolved) | {"form_token": base["form_token"]})
        if _saved(first):
            assert Activity.objects.count() == activities_before, "a reused form token made another activity"
        return response
    before = _db()
    response = send(client, "post", url, apply(base, resolved))
    _assert_unchanged_unless_saved(response, before)
    return response


FORM_FIELDS = [
    "title",
    "kind",
    "level",
    "status",
    "cooperation_areas",
    "region",
    "venue",
    "host_school",
    "starts_at",
    "ends_at",
    "instrument",
    "nmh_teachers",
    "notes",
    "deltakelse-0-school",
    "deltakelse-0-pupils",
    "deltakelse-0-teachers",
    "deltakelse-0-named_pupils",
    "kostnad-0-category",
    "kostnad-0-description",
    "kostnad-0-amount",
    *MANAGEMENT_FIELDS,
    *EXTRA_FIELDS,
]
FORM_CHANGES = form_changes(FORM_FIELDS, max_fields=5)

# The brief's values, each in a field where it means something.
FORM_EXAMPLES = [
    *({"starts_at": [value]} for value in NAMED_VALUES[12:]),
    {"ends_at": ["0001-01-01T00:00"]},
    {"starts_at": ["2021-03-28T02:30"], "ends_at": ["2021-03-28T02:30"]},
    {"starts_at": ["2021-10-31T02:30"], "ends_at": ["2021-10-31T02:30"]},
    *({"deltakelse-TOTAL_FORMS": [value]} for value in ["-1", "1e309", "²", "99999999999999999999999999999"]),
    {"deltakelse-TOTAL_FORMS": MISSING},
    {"kostnad-TOTAL_FORMS": ["1001"]},
    {"kostnad-TOTAL_FORMS": MISSING},
    {"deltakelse-INITIAL_FORMS": ["5"]},
    {"deltakelse-INITIAL_FORMS": ["-1"]},
    {"kostnad-INITIAL_FORMS": ["nan"]},
    {"deltakelse-MAX_NUM_FORMS": ["0"]},
    {"kostnad-MAX_NUM_FORMS": ["-1"]},
    {"deltakelse-MIN_NUM_FORMS": ["1e309"]},
    *({"deltakelse-0-pupils": [value]} for value in ["²", "１２", "nan", "1e309", "99999999999999999999999999999"]),
    *({"kostnad-0-amount": [value]} for value in ["nan", "-inf", "1e309", "١٢٣"]),
    {"region": ["١٢٣"]},
    {"region": ["99999999999999999999999999999"]},
    {"region": ["1", "2"]},
    {"cooperation_areas": ["²"]},
    {"cooperation_areas": ["99999999999999999999999999999", "1"]},
    {"deltakelse-0-school": ["-1"]},
    {"deltakelse-0-named_pupils": ["99999999999999999999999999999"]},
    {"title": ["\x00"]},
    {"title": [Repeated("x", LONG)]},
    {"notes": [Repeated("\x00", LONG)]},
    {"version": ["nan"]},
    {"version": ["-1"]},
    {"version": ["99999999999999999999999999999"]},
    {"version": MISSING},
    {"opened_at": ["0001-01-01T00:00"]},
    {"opened_at": ["nan"]},
    {"form_token": ["\x00"]},
    {"form_token": [Repeated("x", LONG)]},
    {"form_token": MISSING},
    {"form_token": ["a", "b"]},
]


@pytest.fixture
def create_page(world) -> RenderedForm:
    return RenderedForm.read(body(send(world["client"], "get", reverse("activities:create"))), form_id="activity-form")


@pytest.fixture
def copy_page(world) -> RenderedForm:
    url = reverse("activities:copy", args=[world["follo"].pk])
    return RenderedForm.read(body(send(world["client"], "get", url)), form_id="activity-form")


@hostile_settings(20)
@with_examples(*({"changes": case, "reuse_token": False} for case in FORM_EXAMPLES))
@given(changes=FORM_CHANGES, reuse_token=st.booleans())
def test_activity_create_form_hostile(world, create_page, changes, reuse_token):
    url = reverse("activities:create")
    _post_form(world, url, create_page, changes, base_overrides=_valid_create_values(world), reuse_token=reuse_token)


@hostile_settings(15)
@with_examples(*({"changes": case} for case in FORM_EXAMPLES[::2]))
@given(changes=FORM_CHANGES)
def test_activity_update_form_hostile(world, changes):
    url = reverse("activities:update", args=[world["follo"].pk])
    # Post what the page holds now: a saved example has moved the activity's version on.
    page = RenderedForm.read(body(send(world["client"], "get", url)), form_id="activity-form")
    _post_form(world, url, page, changes)


@hostile_settings(10)
@with_examples(*({"changes": case, "reuse_token": False} for case in FORM_EXAMPLES[::3]))
@given(changes=FORM_CHANGES, reuse_token=st.booleans())
def test_activity_copy_form_hostile(world, copy_page, changes, reuse_token):
    url = reverse("activities:copy", args=[world["follo"].pk])
    _post_form(world, url, copy_page, changes, reuse_token=reuse_token)


@hostile_settings(10)
@with_examples(*({"changes": {"reason": [value]}, "already_cancelled": False} for value in NAMED_VALUES))
@given(changes=form_changes(["reason", "status", "csrfmiddlewaretoken"]), already_cancelled=st.booleans())
def test_activity_cancel_form_hostile(world, changes, already_cancelled):
    activity = ActivityFactory(
        region=world["network"].follo,
        status=Activity.Status.CANCELLED if already_cancelled else Activity.Status.PLANNED,
        starts_at=datetime(2019, 11, 9, 10, 0, tzinfo=OSLO),
        ends_at=datetime(2019, 11, 9, 12, 0, tzinfo=OSLO),
    )
    url = reverse("activities:cancel", args=[activity.pk])
    form = RenderedForm.read(body(send(world["client"], "get", url)), containing="reason")
    resolved = form.resolve(changes)
    note(f"changes: {resolved!r}")
    before = _db()
    response = send(world["client"], "post", url, apply(fresh_token(form.data()), resolved))
    if response.status_code != 302 or already_cancelled:
        after = _db()
        assert after == before, f"answer {response.status_code} changed {changed_tables(before, after)}"


ODD_IDS = st.one_of(
    st.sampled_from([0, 1, 2**31, 2**31 - 1, 2**63 - 1, 2**63, 2**64, 10**30]),
    st.integers(min_value=0, max_value=10**40),
)


@hostile_settings(15)
@with_examples(
    *(
        {"pk": pk, "page": page, "method": method}
        for pk in (2**63, 10**30)
        for page in ("detail", "update", "copy", "cancel")
        for method in ("get", "post")
    )
)
@given(
    pk=ODD_IDS,
    page=st.sampled_from(["detail", "update", "copy", "cancel"]),
    method=st.sampled_from(["get", "post"]),
)
def test_activity_pages_with_odd_ids(world, pk, page, method):
    before = _db()
    response = send(world["client"], method, reverse(f"activities:{page}", args=[pk]), {"reason": "x"})
    if method == "post":
        _assert_unchanged_unless_saved(response, before)


# -- the participation import ------------------------------------------------------------------

HEADERS = ["skole", "elever", "lærere", "fornavn", "etternavn", "fødselsår", "antall elever", "school", ""]
FILE_NAMES = ["deltakelse.csv", "deltakelse.xlsx", "DELTAKELSE.CSV", "d.XLSX", "d.txt", "d", ".csv", "ø\x00.csv"]
CELL = st.one_of(
    st.sampled_from(["Skole A", "skole-a", "SKOLE A2", "Skole B", "Ingrid", "Berg", "Ola", "Nordmann", "2006", "3"]),
    hostile_value(),
)
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-32"]
SEPARATORS = [",", ";", "\t", "|", " "]


def _csv_bytes(header, rows, encoding, separator, crlf) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n" if crlf else "\n")
    for row in [header, *rows]:
        writer.writerow(row)
    return out.getvalue().encode(encoding, errors="ignore")


def _xlsx_bytes(header, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        # Excel cannot hold control characters; a spreadsheet program leaves them out.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER_ROW = st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6)
UPLOADS = st.one_of(
    st.builds(
        _csv_bytes,
        HEADER_ROW,
        st.lists(st.lists(CELL, max_size=6), max_size=6),
        st.sampled_from(ENCODINGS),
        st.sampled_from(SEPARATORS),
        st.booleans(),
    ),
    st.builds(
        _xlsx_bytes,
        HEADER_ROW,
        st.lists(
            st.lists(
                st.one_of(CELL, st.integers(min_value=-(10**20), max_value=10**20), st.floats(), st.none()), max_size=5
            ),
            max_size=5,
        ),
    ),
    st.binary(max_size=3000),
    st.just(b"PK\x03\x04" + b"\x00" * 100),
)
THE_ACTIVITY = ["<the activity>"]
ACTIVITY_PARAM = st.one_of(st.just(THE_ACTIVITY), field_value())


def _activity_param(value, activity) -> list | object:
    return [str(activity.pk)] if value is THE_ACTIVITY else value


def _query(params: dict) -> str:
    return urlencode({k: v for k, v in params.items() if v is not MISSING}, doseq=True)


@hostile_settings(30)
@with_examples(
    *(
        {"content": _csv_bytes(["skole", "elever"], [["Skole A", value]], "utf-8", ";", False)}
        | {"name": "d.csv", "query": THE_ACTIVITY, "posted": THE_ACTIVITY}
        for value in NAMED_VALUES
    ),
    *(
        {"content": content, "name": name, "query": THE_ACTIVITY, "posted": THE_ACTIVITY}
        for content in (b"", b"\x00" * 10, b"\xff\xfe\x00", "skole\n".encode("utf-16"))
        for name in ("d.csv", "d.xlsx")
    ),
    {"content": b"skole;elever\nSkole A;1", "name": "d.csv", "query": ["²"], "posted": ["١٢٣"]},
    {"content": b"skole;elever\nSkole A;1", "name": "d.csv", "query": ["99999999999999999999999"], "posted": MISSING},
)
@given(
    content=UPLOADS,
    name=st.one_of(st.sampled_from(FILE_NAMES), hostile_value().map(lambda text: text[:200] + ".csv")),
    query=ACTIVITY_PARAM,
    posted=ACTIVITY_PARAM,
)
def test_participation_import_upload_hostile(world, content, name, query, posted):
    activity = world["follo"]
    note(f"file {name!r}: {content[:300]!r}")
    post = {"file": SimpleUploadedFile(name or "f.csv", content)}
    if posted is not MISSING:
        post["aktivitet"] = _activity_param(posted, activity)
    target = f"{reverse('activities:import')}?{_query({'aktivitet': _activity_param(query, activity)})}"
    before = _db()
    send(world["client"], "post", target, post)
    after = _db()
    assert after == before, f"the preview changed {changed_tables(before, after)}"


@dataclass(frozen=True)
class SignedPayload:
    """A payload the server signed (a preview's), for the activity `activity` (0: the one the
    form is for, 1: another), whose rows name schools and pupils by index into the network's
    (an index past the end is an id deleted since the preview), possibly tampered with after."""

    activity: int
    rows: tuple
    tamper: tuple | None = None

    def text(self, world) -> str:
        network = world["network"]
        schools = [network.school_a.pk, network.school_a2.pk, network.school_b.pk]
        from schools.models import Pupil

        pupils = list(Pupil.objects.order_by("pk").values_list("pk", flat=True))
        gone = max([*schools, *pupils]) + 1000

        def pick(ids, index):
            return ids[index] if index < len(ids) else gone

        rows = [
            {
                "school": pick(schools, school),
                "pupils": count,
                "teachers": teachers,
                "named": [pick(pupils, i) for i in named],
            }
            for school, count, teachers, named in self.rows
        ]
        activity = (world["follo"], world["romerike"])[self.activity]
        payload = signing.dumps({"activity": activity.pk, "rows": rows}, salt=SIGNING_SALT, compress=True)
        if self.tamper is not None:
            index, text = self.tamper
            index %= len(payload) + 1
            payload = payload[:index] + text + payload[index + 1 :]
        return payload


PAYLOAD_ROW = st.tuples(
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=0, max_value=50),
    st.lists(st.integers(min_value=0, max_value=2), max_size=3).map(tuple),
)
PAYLOADS = st.one_of(
    hostile_value(),
    st.builds(SignedPayload, st.integers(min_value=0, max_value=1), st.lists(PAYLOAD_ROW, max_size=3).map(tuple)),
    st.builds(
        SignedPayload,
        st.just(0),
        st.lists(PAYLOAD_ROW, max_size=2).map(tuple),
        st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(["", "A", ":", "\x00", "é"])),
    ),
)


@pytest.fixture
def commit_page(world) -> RenderedForm:
    """A real preview's commit form, to read its hidden fields."""
    activity = world["follo"]
    upload = SimpleUploadedFile("d.csv", "skole;elever;lærere\nSkole A;5;1\n".encode())
    url = f"{reverse('activities:import')}?aktivitet={activity.pk}"
    page = send(world["client"], "post", url, {"aktivitet": activity.pk, "file": upload})
    return RenderedForm.read(body(page), containing="payload")


@hostile_settings(25)
@with_examples(
    *({"payload": [value], "query": THE_ACTIVITY, "changes": {}} for value in NAMED_VALUES),
    {"payload": [SignedPayload(1, ((0, 1, 0, ()),))], "query": THE_ACTIVITY, "changes": {}},
    {"payload": [SignedPayload(0, ((3, 1, 0, ()),))], "query": THE_ACTIVITY, "changes": {}},
    {"payload": [SignedPayload(0, ((0, 1, 0, (2,)),))], "query": THE_ACTIVITY, "changes": {}},
    {"payload": [SignedPayload(0, ((0, 1, 0, ()), (0, 2, 0, ())))], "query": THE_ACTIVITY, "changes": {}},
    {"payload": [SignedPayload(0, ((0, 1, 0, ()),), (5, "A"))], "query": THE_ACTIVITY, "changes": {}},
    {"payload": MISSING, "query": THE_ACTIVITY, "changes": {}},
    {"payload": [SignedPayload(0, ((0, 1, 0, ()),))], "query": MISSING, "changes": {"aktivitet": ["²"]}},
)
@given(
    payload=st.one_of(PAYLOADS.map(lambda p: [p]), st.lists(PAYLOADS, min_size=2, max_size=3), st.just(MISSING)),
    query=ACTIVITY_PARAM,
    changes=form_changes(["aktivitet", "form_token", "csrfmiddlewaretoken"], max_fields=2),
)
def test_participation_import_commit_forged_payload(world, commit_page, payload, query, changes):
    activity = world["follo"]
    resolved = commit_page.resolve(changes)
    if payload is not MISSING:
        resolved["payload"] = [p.text(world) if isinstance(p, SignedPayload) else p for p in payload]
    else:
        resolved["payload"] = MISSING
    note(f"changes: {resolved!r}")
    post = apply(fresh_token(commit_page.data()), resolved)
    target = f"{reverse('activities:import')}?{_query({'aktivitet': _activity_param(query, activity)})}"
    before = _db()
    response = send(world["client"], "post", target, post)
    if not _saved(response) or error_messages(response):
        after = _db()
        assert after == before, f"error answer {response.status_code} changed {changed_tables(before, after)}"


# -- the list, the calendar and the CSV export -------------------------------------------------

FILTERS = ["q", "school_year", "region", "area", "kind", "level", "status", "host_school", "side", "maaned", "x"]
PAGES = ["list", "calendar", "export"]


@pytest.fixture
def filter_choices(world) -> dict[str, list[str]]:
    page = body(send(world["client"], "get", reverse("activities:list")))
    form = RenderedForm.read(page, containing="q")
    return {name: values for name, values in form.choices.items() if name in FILTERS}


@hostile_settings(30)
@with_examples(
    *(
        {"page": page, "params": params, "as_leader": False}
        for page in PAGES
        for value in NAMED_VALUES
        # The search and the page's own parameters, then the filters (an invalid filter
        # empties the list, so the search would not run beside one).
        for params in ({name: [value] for name in ("q", "side", "maaned")}, {name: [value] for name in FILTERS[1:8]})
    ),
    *({"page": page, "params": {"region": ["1", "2"], "side": ["1", "2"]}, "as_leader": True} for page in PAGES),
)
@given(
    page=st.sampled_from(PAGES),
    params=form_changes(FILTERS, max_fields=5).map(
        lambda changes: {k: v for k, v in changes.items() if not isinstance(k, Rendered)}
    ),
    as_leader=st.booleans(),
)
def test_activity_list_calendar_export_query_strings(world, daily_leader, filter_choices, page, params, as_leader):
    client = hostile_client(daily_leader) if as_leader else world["client"]
    query = {k: v for k, v in resolve(params, FILTERS, filter_choices).items() if v is not MISSING}
    note(f"query: {query!r}")
    before = _db()
    send(client, "get", reverse(f"activities:{page}"), query)
    assert _db() == before


@hostile_settings(10)
@with_examples(*({"aktivitet": [value]} for value in NAMED_VALUES), {"aktivitet": MISSING})
@given(aktivitet=field_value())
def test_participation_import_page_query_string(world, aktivitet):
    query = {} if aktivitet is MISSING else resolve({"aktivitet": aktivitet}, ["aktivitet"])
    before = _db()
    send(world["client"], "get", reverse("activities:import"), query)
    assert _db() == before
