"""Hostile input on the budget admin (property-based, Hypothesis): the draft form (year), the
return form (comment, on the budget's page and as a changelist action), `fordel` (key), the
change form with its budget-line inline, and the custom URLs with odd ids.

For every example: the answer is never a server error, and an error answer (a 4xx, the form
redrawn with errors, a redirect with an error message) leaves Budget, BudgetLine and
AuditEntry as they were. See core/tests/hostile.py for the values.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given, note
from hypothesis import strategies as st

from core.models import SubmissionToken
from core.tests.hostile import (
    LONG,
    MISSING,
    NAMED_VALUES,
    RenderedForm,
    Repeated,
    apply,
    body,
    changed_tables,
    error_messages,
    form_changes,
    fresh_token,
    hostile_client,
    hostile_settings,
    hostile_value,
    send,
    snapshot,
    with_examples,
)
from funding.models import Budget, BudgetLine
from funding.services import budget_draft
from funding.tests.factories import BudgetFactory
from governance.models import AuditEntry

pytestmark = pytest.mark.django_db

WRITTEN = (Budget, BudgetLine, AuditEntry, SubmissionToken)
BUDGETS = "/admin/funding/budget/"


def _db():
    return snapshot(*WRITTEN)


class World(dict):
    def __repr__(self) -> str:
        return "<world>"


@pytest.fixture
def world(funded, daily_leader, steering_member, monkeypatch):
    """The funded network, a 2020 draft budget computed by the leader, and the clients of
    the leader (prepares) and a steering-group member (decides).

    Django renders up to 2000 inline rows for any TOTAL_FORMS above that (the admin's
    formsets have no max_num, so absolute_max is 2 × DEFAULT_MAX_NUM); here it is 30, so an
    absurd TOTAL_FORMS costs 30 rows (the same code path), not a minute."""
    import django.forms.formsets

    monkeypatch.setattr(django.forms.formsets, "DEFAULT_MAX_NUM", 15)
    return World(
        draft=budget_draft(year=2020, user=daily_leader),
        daily_leader=daily_leader,
        prepare=hostile_client(daily_leader),
        decide=hostile_client(steering_member),
    )


def _assert_unchanged_on_error(response, before, *, saved_status=302):
    if response.status_code != saved_status or error_messages(response):
        after = _db()
        assert after == before, (
            f"error answer {response.status_code} {error_messages(response)} changed {changed_tables(before, after)}"
        )


# -- the draft form ----------------------------------------------------------------------------


@pytest.fixture
def draft_page(world) -> RenderedForm:
    return RenderedForm.read(body(send(world["prepare"], "get", f"{BUDGETS}add/")), form_id="budget-draft-form")


@hostile_settings(20)
@with_examples(
    *({"changes": {"year": [value]}, "reuse_token": False} for value in [*NAMED_VALUES, "2021", "２０２１", "2100"]),
    {"changes": {"year": ["2022", "2023"]}, "reuse_token": False},
    {"changes": {"year": MISSING}, "reuse_token": False},
    {"changes": {"year": ["2024"]}, "reuse_token": True},
    {"changes": {"form_token": MISSING, "year": ["2025"]}, "reuse_token": False},
    {"changes": {"form_token": ["\x00"], "year": ["2026"]}, "reuse_token": False},
    {"changes": {"form_token": [Repeated("x", LONG)], "year": ["2027"]}, "reuse_token": False},
)
@given(changes=form_changes(["year", "form_token"], max_fields=2), reuse_token=st.booleans())
def test_budget_draft_form_hostile(world, draft_page, changes, reuse_token):
    client, url = world["prepare"], f"{BUDGETS}add/"
    resolved = draft_page.resolve(changes)
    note(f"changes: {resolved!r}")
    base = fresh_token(draft_page.data())
    if reuse_token and "form_token" in base:
        # The same page sent twice: the second must not make another budget.
        first = send(client, "post", url, apply(base, resolved))
        budgets = Budget.objects.count()
        response = send(client, "post", url, apply(base, resolved))
        if first.status_code == 302:
            assert Budget.objects.count() == budgets, "a reused form token made another budget"
        return
    before = _db()
    response = send(client, "post", url, apply(base, resolved))
    _assert_unchanged_on_error(response, before)


# -- the return form (comment) -----------------------------------------------------------------


def _submitted(world) -> Budget:
    """A fresh submitted budget (a draft of its own year, laid before the steering group)."""
    year = 2030 + Budget.objects.count()
    budget = BudgetFactory(year=year, revision=1, status=Budget.Status.SUBMITTED, submitted_by=world["daily_leader"])
    return budget


COMMENT_FORMS = {
    "return": "admin:funding_budget_return",  # Send tilbake (comment required)
    "approve": "admin:funding_budget_approve",  # Stem for å vedta (comment optional)
}


@hostile_settings(15)
@with_examples(
    *({"comment": [value], "form": "return"} for value in NAMED_VALUES),
    *({"comment": [value], "form": "approve"} for value in ["\x00", "a\x00b", Repeated("x", LONG)]),
    {"comment": MISSING, "form": "return"},
    {"comment": ["ok", "\x00"], "form": "return"},
)
@given(
    comment=st.one_of(hostile_value().map(lambda v: [v]), st.lists(hostile_value(), min_size=2, max_size=3)),
    form=st.sampled_from(sorted(COMMENT_FORMS)),
)
def test_budget_return_and_approve_comment_hostile(world, comment, form):
    """The vote's confirmation page as the member's browser sends it, with a hostile comment:
    a vote recorded (302), or the page again with the reason on the comment (200) and nothing
    changed; never a 500."""
    budget = _submitted(world)
    client = world["decide"]
    url = reverse(COMMENT_FORMS[form], args=[budget.pk])
    page = body(send(client, "get", url))
    data = RenderedForm.read(page, containing="comment").data()
    assert data["confirmed"] == ["1"]
    if comment is MISSING:
        data.pop("comment", None)
    else:
        data["comment"] = comment
    before = _db()
    response = send(client, "post", url, data)
    _assert_unchanged_on_error(response, before)


# -- fordel (key) ------------------------------------------------------------------------------


@pytest.fixture
def allocate_page(world) -> RenderedForm:
    draft = world["draft"]
    page = body(send(world["prepare"], "get", reverse("admin:funding_budget_change", args=[draft.pk])))
    return RenderedForm.read(page, containing="key", action=reverse("admin:funding_budget_allocate", args=[draft.pk]))


@hostile_settings(10)
@with_examples(
    *({"key": [value]} for value in NAMED_VALUES),
    {"key": MISSING},
    {"key": ["pupils", "equal"]},
)
@given(
    key=st.one_of(
        st.sampled_from(["equal", "pupils", "contribution", "weighted"]).map(lambda v: [v]),
        hostile_value().map(lambda v: [v]),
        st.lists(hostile_value(), min_size=2, max_size=3),
    )
)
def test_budget_allocate_key_hostile(world, allocate_page, key):
    url = reverse("admin:funding_budget_allocate", args=[world["draft"].pk])
    data = allocate_page.data(key=None) if key is MISSING else allocate_page.data(key=key)
    before = _db()
    response = send(world["prepare"], "post", url, data)
    _assert_unchanged_on_error(response, before)


# -- the change form with its budget-line inline -----------------------------------------------

LINE_FIELDS = [
    "notes",
    "lines-TOTAL_FORMS",
    "lines-INITIAL_FORMS",
    "lines-MIN_NUM_FORMS",
    "lines-MAX_NUM_FORMS",
    "lines-0-id",
    "lines-0-budget",
    "lines-0-kind",
    "lines-0-label",
    "lines-0-amount",
    "lines-0-region",
    "lines-0-school",
    "lines-0-municipality",
    "lines-0-cooperation_area",
    "lines-0-partner",
    "lines-0-note",
    "lines-0-DELETE",
    "lines-99-id",
    "lines-99-amount",
    "version",
    "opened_at",
    "form_token",
]
CHANGE_EXAMPLES = [
    *({"lines-0-amount": [value]} for value in ["nan", "1e309", "١٢٣"]),
    *(
        {f"lines-0-{name}": [value]}
        for name, value in (
            ("region", "99999999999999999999999"),
            ("school", "-1"),
            ("municipality", "²"),
            ("cooperation_area", "١٢٣"),
            ("partner", "\x00"),
            ("id", "99999999999999999999999"),
            ("id", "abc"),
            ("budget", "1e309"),
        )
    ),
    *({"lines-TOTAL_FORMS": [value]} for value in ["-1", "99999999999999999999999"]),
    {"lines-TOTAL_FORMS": MISSING},
    {"lines-INITIAL_FORMS": ["999"]},
    {"lines-0-id": ["1", "2"]},
    {"lines-0-label": [Repeated("x", LONG)]},
    {"notes": ["\x00"]},
]


@pytest.fixture
def change_page(world) -> RenderedForm:
    url = reverse("admin:funding_budget_change", args=[world["draft"].pk])
    return RenderedForm.read(body(send(world["prepare"], "get", url)), form_id="budget_form")


@hostile_settings(6)
@with_examples(*({"changes": case} for case in CHANGE_EXAMPLES))
@given(changes=form_changes(LINE_FIELDS, max_fields=4))
def test_budget_change_form_with_lines_hostile(world, change_page, changes):
    url = reverse("admin:funding_budget_change", args=[world["draft"].pk])
    # The page as last rendered (read again after an example saved), in the shape first rendered.
    current = world.get("change_page_now") or change_page
    resolved = RenderedForm(current.values, change_page.names, change_page.choices).resolve(changes)
    note(f"changes: {resolved!r}")
    before = _db()
    response = send(world["prepare"], "post", url, apply(fresh_token(current.data(_save="Lagre")), resolved))
    _assert_unchanged_on_error(response, before)
    if response.status_code == 302:
        world["change_page_now"] = RenderedForm.read(body(send(world["prepare"], "get", url)), form_id="budget_form")


# -- custom URLs with odd ids ------------------------------------------------------------------

CUSTOM = ["legg-fram", "vedta", "send-tilbake", "revider", "fordel", "balanser"]
ODD_IDS = [
    "abc",
    "-1",
    "0",
    "99999999999999999999999",
    "9223372036854775808",
    "²",
    "١٢٣",
    "１",
    "1e309",
    "nan",
    "\x00",
    "1 ",
    " 1",
    "1/2",
    "..",
    "_5F",
    "%",
    Repeated("9", 5000),
]


# Another spelling of the draft's own id: only ASCII digits are ids in the portal
# (core/params.py), so these name no budget and must act on none.
ALIASES = {
    "full-width": lambda pk: "".join(chr(0xFF10 + int(d)) for d in str(pk)),
    "arabic-indic": lambda pk: "".join(chr(0x0660 + int(d)) for d in str(pk)),
    "space after": lambda pk: f"{pk} ",
    "space before": lambda pk: f" {pk}",
    "plus": lambda pk: f"+{pk}",
    "underscore": lambda pk: f"{pk}_0",
}


@hostile_settings(20)
@with_examples(
    *({"object_id": odd, "page": page, "as_decider": False} for odd in ODD_IDS for page in ("legg-fram", "change")),
    *({"object_id": odd, "page": "vedta", "as_decider": True} for odd in ODD_IDS[:10]),
    *({"object_id": ("alias", alias), "page": "fordel", "as_decider": False} for alias in ALIASES),
)
@given(
    object_id=st.one_of(
        st.sampled_from(ODD_IDS),
        st.sampled_from(sorted(ALIASES)).map(lambda alias: ("alias", alias)),
        # ASCII digits are an id, which may name the real draft ("1" in a fresh database)
        hostile_value().filter(lambda value: bool(value) and not (value.isascii() and value.isdigit())),
    ),
    page=st.sampled_from([*CUSTOM, "change", "history", "delete"]),
    as_decider=st.booleans(),
)
def test_budget_urls_with_odd_ids(world, object_id, page, as_decider):
    client = world["decide"] if as_decider else world["prepare"]
    if isinstance(object_id, tuple):
        object_id = ALIASES[object_id[1]](world["draft"].pk)
    url = f"{BUDGETS}{quote(str(object_id), safe='')}/{page}/"
    note(f"url: {url}")
    before = _db()
    response = send(client, "get" if page in ("change", "history") else "post", url, {"comment": "x", "key": "equal"})
    after = _db()
    assert after == before, f"{url} -> {response.status_code} changed {changed_tables(before, after)}"


@hostile_settings(10)
@with_examples(*({"page": page} for page in CUSTOM))
@given(page=st.sampled_from(CUSTOM))
def test_budget_custom_urls_refuse_get(world, page):
    """A transition by GET changes nothing (also for a real budget): refused, or (the steps
    that are confirmed first) the confirmation page or a message why not."""
    before = _db()
    response = send(world["decide"], "get", f"{BUDGETS}{world['draft'].pk}/{page}/")
    assert response.status_code in (200, 302, 403, 404, 405), response.status_code
    assert _db() == before
