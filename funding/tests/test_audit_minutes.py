"""Issue 12: the budget's audit log ('Revisjonslogg') reads like minutes: Oslo time, people's
full names, plain labels for actions, states and line kinds, formatted amounts; the raw codes
stay in the database."""

from datetime import UTC, datetime
from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from core.audit import AuditAction
from core.formatting import money_text
from core.tests.hostile import hostile_settings
from funding.models import Budget, BudgetLine
from funding.selectors import BUDGET_AUDIT_FIELDS, budget_audit_entries
from funding.services import budget_approve
from governance.models import AuditEntry
from governance.presentation import audit_minute
from governance.services import audit_record

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
# 10:18 UTC in winter is 11:18 in Oslo.
AT = datetime(2026, 11, 29, 10, 18, 2, tzinfo=UTC)


def _named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def _approved_with_a_line_change(submitted, daily_leader, steering_member, steering_leader):
    """The submitted budget, approved at 10:18 UTC by the steering group's leader and a member,
    with a line change to in kind at 4,187,500."""
    _named(daily_leader, "Kari", "Nordmann")
    _named(steering_member, "Per", "Styre")
    _named(steering_leader, "Anne", "Leder")
    audit_record(
        actor=daily_leader,
        action=AuditAction.BUDGET_LINE_CHANGE,
        obj=submitted,
        changes={"kind": ["reserve", "in_kind"], "amount": ["77000.00", "4187500.00"], "line": ["Reserve", "Reserve"]},
    )
    budget_approve(budget=submitted, user=steering_leader, comment="For")
    budget_approve(budget=submitted, user=steering_member, comment="Vedtatt i møtet")
    budget_audit_entries(budget=submitted).filter(action=AuditAction.BUDGET_APPROVE).update(at=AT)
    return submitted


def _audit_section(client, budget, **headers) -> str:
    response = client.get(reverse("admin:funding_budget_change", args=[budget.pk]), **headers)
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content.decode())
    return tree.get_element_by_id("budget-audit").text_content()


def test_log_reads_like_minutes_in_norwegian(client_as, submitted, daily_leader, steering_member, steering_leader):
    budget = _approved_with_a_line_change(submitted, daily_leader, steering_member, steering_leader)

    log = _audit_section(client_as(daily_leader), budget, HTTP_ACCEPT_LANGUAGE="nb")

    assert "29.11.2026 kl. 11.18" in log
    assert "10:18" not in log and "UTC" not in log
    assert "Per Styre" in log and "Kari Nordmann" in log
    assert "styre" not in log  # the steering member's username
    assert "vedtok budsjettet" in log and "la fram budsjettet" in log
    assert "budget_approve" not in log and "budget_line_change" not in log
    status = Budget._meta.get_field("status").verbose_name
    submitted_label, approved_label = Budget.Status.SUBMITTED.label, Budget.Status.APPROVED.label
    assert f"{str(status).capitalize()}: {submitted_label} → {approved_label}" in log
    assert "submitted → approved" not in log
    assert f"Type: {BudgetLine.Kind.RESERVE.label} → {BudgetLine.Kind.IN_KIND.label}" in log
    assert "in_kind" not in log
    assert f"4{NBSP}187{NBSP}500{NBSP}kr" in log
    assert "4187500.00" not in log
    assert "Vedtatt i møtet" in log
    assert "stemte for å vedta budsjettet" in log  # each vote, then the decision
    assert "Vedtaksregel: – → Lederen og minst ett annet medlem" in log
    assert "Stemte for: – → Anne Leder, Per Styre" in log
    # The codes stay in the database.
    entry = budget_audit_entries(budget=budget).get(action=AuditAction.BUDGET_APPROVE)
    assert entry.changes == {
        "status": ["submitted", "approved"],
        "rule": [None, "leader_and_member"],
        "approved_by": [None, "Anne Leder, Per Styre"],
    }


def test_log_in_english(client_as, submitted, daily_leader, steering_member, steering_leader):
    budget = _approved_with_a_line_change(submitted, daily_leader, steering_member, steering_leader)

    log = _audit_section(client_as(daily_leader), budget, HTTP_ACCEPT_LANGUAGE="en")

    assert "Nov. 29, 2026, 11:18 a.m." in log
    assert "approved the budget" in log and "vedtok budsjettet" not in log
    assert "Status: Submitted → Approved" in log
    assert "In kind" in log and "in_kind" not in log
    assert f"NOK{NBSP}4,187,500" in log
    assert "Per Styre" in log


def test_submitted_by_names_the_person_in_oslo_time(client_as, submitted, daily_leader, steering_member):
    _named(daily_leader, "Kari", "Nordmann")
    Budget.objects.filter(pk=submitted.pk).update(submitted_at=AT)

    response = client_as(steering_member).get(
        reverse("admin:funding_budget_change", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="nb"
    )
    line = lxml.html.fromstring(response.content.decode()).get_element_by_id("budget-submission").text_content()

    assert "Lagt fram av Kari Nordmann 29.11.2026 kl. 11.18" in line
    assert "leder" not in line


def test_odd_entries_render_without_error(client_as, submitted, daily_leader):
    odd = [
        "fritekst fra en gammel logg",
        [1, 2, 3],
        {"ukjent_felt": ["a", "b"], "status": ["bogus", None], "kind": [["x"], {"y": 1}]},
        {"amount": ["abc", "1e400"], "submitted_at": ["ikke en dato", "2026-11-29T10:18:02+00:00"]},
        {"replaces": ["999999999", str(submitted.pk)], "submitted_by": [str(daily_leader.pk), "12x"]},
        {"status": "approved", "total": [None, "NaN"], "": [1, 2, 3]},
    ]
    for changes in odd:
        audit_record(actor=None, action=AuditAction.BUDGET_UPDATE, obj=submitted, changes=changes)
    AuditEntry.objects.create(
        action="something_old", object_type=Budget._meta.label_lower, object_id=str(submitted.pk), changes={"x": 1}
    )

    log = _audit_section(client_as(daily_leader), submitted, HTTP_ACCEPT_LANGUAGE="nb")

    assert "fritekst fra en gammel logg" in log
    assert "ukjent_felt: a → b" in log
    assert "Status: bogus → –" in log
    assert "something_old" in log
    assert "systemet" in log
    assert "Beløp (NOK): abc → 1e400" in log  # no amount the portal writes: shown as given
    assert "Lagt fram: ikke en dato → 29.11.2026 kl. 11.18" in log
    assert f"Erstatter: 999999999 → {submitted}" in log  # an id resolves to the budget; a missing one stays
    assert "leder" in log  # the user id names the person (no full name: the username)


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.decimals(allow_nan=True, allow_infinity=True).map(str)
    | st.sampled_from(["approved", "in_kind", "2026-11-29", "2026-11-29T10:18:02Z", "1", "0", "-1", "1e999"])
)
JSON = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
)
FIELD_NAMES = st.sampled_from(
    [
        *BUDGET_AUDIT_FIELDS,
        *(f.name for f in Budget._meta.concrete_fields),
        *(f.name for f in BudgetLine._meta.concrete_fields),
        "submitted_by_id",
        "budget_id",
    ]
) | st.text(max_size=10)
CHANGES = JSON | st.dictionaries(FIELD_NAMES, JSON | st.lists(JSON, min_size=2, max_size=2), max_size=6)


@hostile_settings(200)
@given(
    changes=CHANGES,
    action=st.sampled_from([*AuditAction.values, "", "unknown"]),
    object_type=st.sampled_from(["funding.budget", "funding.budgetline", "nope", "", "a.b.c"]),
    language=st.sampled_from(["nb", "en"]),
)
@example(changes={"amount": ["1e309", "nan"]}, action="budget_update", object_type="funding.budget", language="nb")
@example(changes={"replaces": ["99999999999999999999", "١٢"]}, action="", object_type="funding.budget", language="en")
def test_any_changes_render_without_error(db, changes, action, object_type, language):
    entry = AuditEntry(at=AT, action=action, object_type=object_type, object_id="1", changes=changes)
    with translation.override(language):
        minute = audit_minute(entry, fields=BUDGET_AUDIT_FIELDS, also=(BudgetLine,))
        texts = [minute.at, minute.who, minute.what, minute.comment]
        for change in minute.changes:
            texts += [change.label, change.old, change.new, str(change)]
    assert all(isinstance(text, str) for text in texts)


# The admin's central log (governance) reads a budget's entries as its page does: by the fields
# funding registers for budgets in its AppConfig.ready().


def _central_log(client, **query) -> lxml.html.HtmlElement:
    response = client.get(reverse("admin:governance_auditentry_changelist"), query, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _cells(tree, column: str) -> list[str]:
    return [cell.text_content() for cell in tree.find_class(f"field-{column}")]


def _changes(tree) -> list[list[str]]:
    """Each entry's changes in the central log, newest entry first, a line each."""
    return [list(cell.itertext()) for cell in tree.find_class("field-what_changed")]


def test_budget_fields_are_registered_once():
    from governance.presentation import registered_audit_fields

    registered = registered_audit_fields("funding.budget")
    assert registered.fields is BUDGET_AUDIT_FIELDS
    assert registered.also == (BudgetLine,)


def test_central_log_reads_budget_entries_as_the_budget_page_does(
    client_as, submitted, daily_leader, steering_member, steering_leader
):
    from funding.selectors import budget_audit_minutes, budget_totals
    from funding.services import budget_line_set, budget_revise

    budget = _approved_with_a_line_change(submitted, daily_leader, steering_member, steering_leader)
    revision = budget_revise(budget=budget, user=daily_leader)
    line = revision.lines.get(kind=BudgetLine.Kind.RESERVE)
    budget_line_set(
        budget=revision,
        user=daily_leader,
        line=line,
        kind=line.kind,
        label=line.label,
        amount=Decimal("256974.00"),
        note=line.note,
    )

    tree = _central_log(client_as(daily_leader), object_type="funding.budget")
    changes = _changes(tree)

    income = budget_totals(budget=budget).income
    # PostgreSQL's jsonb keeps a dict's keys in its own order (shorter keys first), SQLite in the
    # order written: the entry is found, and its changes compared, whatever the order.
    draft = next(entry for entry in changes if "Status: – → Utkast" in entry and len(entry) == 4)  # noqa: PLR2004
    assert sorted(change.split(":")[0] for change in draft) == ["Inntekter", "Naturalytelser", "Status", "Utgifter"]
    assert sorted(sorted(entry) for entry in changes) == sorted(
        sorted(entry)
        for entry in [
            [f"Beløp (NOK): {money_text(line.amount)} → 256{NBSP}974{NBSP}kr", "Budsjettlinje: Reserve"],
            [f"Erstattet av: – → {revision}"],
            ["Status: – → Utkast", f"Erstatter: – → {budget}"],
            [
                "Status: Lagt fram → Vedtatt",
                "Vedtaksregel: – → Lederen og minst ett annet medlem",
                "Stemte for: – → Anne Leder, Per Styre",
            ],
            ["–"],  # the two votes: a comment, no changes
            ["–"],
            [
                f"Type: {BudgetLine.Kind.RESERVE.label} → {BudgetLine.Kind.IN_KIND.label}",
                f"Beløp (NOK): 77{NBSP}000{NBSP}kr → 4{NBSP}187{NBSP}500{NBSP}kr",
                "Budsjettlinje: Reserve",
            ],
            ["Status: Utkast → Lagt fram", f"Inntekter i alt: – → {money_text(income)}"],
            draft,
        ]
    )
    # as the budget's own pages read them
    on_pages = [
        str(change)
        for entries in (revision, budget)
        for m in budget_audit_minutes(budget=entries)
        for change in m.changes
    ]
    assert sorted(on_pages) == sorted(line for entry in changes for line in entry if line != "–")
    assert set(_cells(tree, "kind")) == {"budsjett"}


def test_unchanged_context_shows_without_an_arrow(client_as, submitted, daily_leader, steering_member, steering_leader):
    _approved_with_a_line_change(submitted, daily_leader, steering_member, steering_leader)
    from funding.selectors import budget_audit_minutes

    on_page = [str(change) for minute in budget_audit_minutes(budget=submitted) for change in minute.changes]
    central = " ".join(_cells(_central_log(client_as(daily_leader)), "what_changed"))

    assert "Budsjettlinje: Reserve" in on_page
    assert "Budsjettlinje: Reserve → Reserve" not in on_page
    assert "Budsjettlinje: Reserve" in central
    assert "Reserve → Reserve" not in central


def test_unchanged_context_shows_without_an_arrow_on_the_budget_page(
    client_as, submitted, daily_leader, steering_member, steering_leader
):
    budget = _approved_with_a_line_change(submitted, daily_leader, steering_member, steering_leader)

    log = _audit_section(client_as(daily_leader), budget, HTTP_ACCEPT_LANGUAGE="nb")

    assert "Budsjettlinje: Reserve" in log
    assert "Reserve → Reserve" not in log


LONG_COMMENT = "Første avsnitt.\n" + "Lang begrunnelse. " * 100 + "\nSiste ord."


def test_long_comment_is_shown_whole_with_its_line_breaks(client_as, submitted, daily_leader, steering_leader):
    from funding.services import COMMENT_MAX_LENGTH

    assert 1000 < len(LONG_COMMENT) <= COMMENT_MAX_LENGTH
    budget_approve(budget=submitted, user=steering_leader, comment=LONG_COMMENT)
    client = client_as(daily_leader)

    page = client.get(reverse("admin:funding_budget_change", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="nb")
    page_html = page.content.decode()
    central = _central_log(client)
    comments = central.find_class("field-comment_text")

    expected_html = LONG_COMMENT.replace("\n", "<br>")
    assert expected_html in page_html
    assert "…" not in lxml.html.fromstring(page_html).get_element_by_id("budget-audit").text_content()
    assert [lxml.html.tostring(cell, encoding="unicode") for cell in comments if "Første" in cell.text_content()] == [
        f'<td class="field-comment_text">{expected_html}</td>'
    ]


def test_object_name_is_stored_in_the_portals_language(submitted, daily_leader):
    with translation.override("en"):
        entry = audit_record(actor=daily_leader, action=AuditAction.BUDGET_UPDATE, obj=submitted, changes={})

    assert entry.object_repr == "Budsjett 2020, revisjon 1"
