"""Issue 12: the budget page a steering-group member reviews in five minutes: the lines in
their groups with subtotals (funding.selectors.budget_line_groups), what a revision changed
(budget_changes_since), the long sections folded into <details>, and the line forms kept for
drafts, folded away."""

import re
from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse

from funding.models import Budget, BudgetLine
from funding.selectors import budget_audit_minutes, budget_changes_since, budget_line_groups
from funding.services import budget_line_delete, budget_line_set, budget_revise

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def _approved(budget: Budget) -> Budget:
    """The budget as the steering group approved it (how a decision is reached is tested in
    test_budget.py; here only the approved state matters)."""
    Budget.objects.filter(pk=budget.pk).update(status=Budget.Status.APPROVED)
    budget.refresh_from_db()
    return budget


@pytest.fixture
def revision(submitted, daily_leader):
    """Revision 2 of the 2020 budget, made by budget_revise from the approved revision 1, with
    a gift added (7,000), the earmark removed (77,000) and the reserve cut from 77,000 to
    70,000."""
    revised = budget_revise(budget=_approved(submitted), user=daily_leader)
    reserve = revised.lines.get(kind=BudgetLine.Kind.RESERVE)
    budget_line_set(
        budget=revised, user=daily_leader, line=reserve, kind="reserve", label="Reserve", amount=Decimal("70000")
    )
    budget_line_delete(line=revised.lines.get(kind=BudgetLine.Kind.AREA_EARMARK), user=daily_leader)
    budget_line_set(
        budget=revised, user=daily_leader, kind="other_income", label="Gave fra sparebanken", amount=Decimal("7000")
    )
    return revised


def _page(client, budget, **headers):
    response = client.get(reverse("admin:funding_budget_change", args=[budget.pk]), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    return response, lxml.html.fromstring(response.content.decode())


def _text(element) -> str:
    """The element's text with runs of spaces, no-break spaces and newlines as one space."""
    return re.sub(r"[ \t\r\n\xa0]+", " ", element.text_content()).strip()


def _rows(table) -> list[str]:
    """The table body's rows, cells joined by " | "."""
    return [" | ".join(_text(cell) for cell in row.xpath("./th|./td")) for row in table.xpath(".//tbody/tr")]


# -- budget_line_groups ------------------------------------------------------------------------


def test_budget_line_groups_in_reading_order_with_subtotals(draft, django_assert_num_queries):
    with django_assert_num_queries(1):  # the lines with their region, school, municipality, area and partner
        groups = budget_line_groups(budget=draft)

    assert [(g.kind, g.subtotal) for g in groups.income] == [
        ("county_grant", Decimal("1030000")),
        ("municipal_contribution", Decimal("240000")),
        ("partner_cash", Decimal("100000")),
    ]
    assert [(g.kind, g.subtotal) for g in groups.expense] == [
        ("central_management", Decimal("600000")),
        ("region_pool", Decimal("231000")),
        ("school_allocation", Decimal("385000")),
        ("area_earmark", Decimal("77000")),
        ("reserve", Decimal("77000")),
    ]
    assert (groups.total_income, groups.total_expense, groups.balance) == (
        Decimal("1370000"),
        Decimal("1370000"),
        Decimal("0"),
    )
    assert [g.title for g in groups.income] == [
        "Fylkeskommunalt tilskudd",
        "Kommunalt tilskudd",
        "Partnerbidrag, kontanter",
    ]
    allocations = next(g for g in groups.expense if g.kind == "school_allocation")
    assert [(line.label, line.amount, line.where) for line in allocations.lines] == [
        ("Tildeling Skole A", Decimal("38500"), "Skole A (Follo)"),
        ("Tildeling Skole A2", Decimal("115500"), "Skole A2 (Follo)"),
        ("Tildeling Skole B", Decimal("231000"), "Skole B (Romerike)"),
    ]
    earmark = next(g for g in groups.expense if g.kind == "area_earmark")
    assert [(line.label, line.where) for line in earmark.lines] == [("Øremerket Unge dirigenter", "4. Unge dirigenter")]
    assert groups.line_count == draft.lines.count() == 17


def test_budget_line_groups_keep_in_kind_out_of_the_balance(draft):
    groups = budget_line_groups(budget=draft)

    assert (groups.in_kind.kind, groups.in_kind.subtotal) == ("in_kind", Decimal("50000"))
    assert [(line.label, line.where) for line in groups.in_kind.lines] == [("NMH: Lokaler", "NMH")]
    assert "in_kind" not in [g.kind for g in (*groups.income, *groups.expense)]
    assert [key for key, _heading, _groups in groups.sections] == ["income", "expense", "in_kind"]


def test_budget_line_groups_leave_out_empty_groups(draft):
    draft.lines.filter(kind__in=[BudgetLine.Kind.PARTNER_CASH, BudgetLine.Kind.IN_KIND]).delete()

    groups = budget_line_groups(budget=draft)

    assert [g.kind for g in groups.income] == ["county_grant", "municipal_contribution"]
    assert (groups.in_kind.lines, groups.in_kind.subtotal) == ([], Decimal("0"))
    assert [key for key, _heading, _groups in groups.sections] == ["income", "expense"]


# -- budget_changes_since -----------------------------------------------------------------------


def test_budget_changes_since_first_revision_is_none(draft):
    assert budget_changes_since(budget=draft) is None


def test_budget_changes_since_lists_added_removed_and_changed_lines(revision, submitted):
    changes = budget_changes_since(budget=revision)

    assert changes.previous == submitted
    assert [(c.kind, c.label, c.old, c.new, c.difference) for c in changes.added] == [
        ("other_income", "Gave fra sparebanken", None, Decimal("7000"), Decimal("7000"))
    ]
    assert [(c.kind, c.label, c.where, c.old, c.new, c.difference) for c in changes.removed] == [
        ("area_earmark", "Øremerket Unge dirigenter", "4. Unge dirigenter", Decimal("77000"), None, Decimal("-77000"))
    ]
    assert [(c.kind_label, c.label, c.old, c.new, c.difference) for c in changes.changed] == [
        ("Reserve", "Reserve", Decimal("77000"), Decimal("70000"), Decimal("-7000"))
    ]
    assert changes.line_count == 3
    assert [(t.label, t.old, t.new, t.difference) for t in changes.totals] == [
        ("Inntekter", Decimal("1370000"), Decimal("1377000"), Decimal("7000")),
        ("Utgifter", Decimal("1370000"), Decimal("1286000"), Decimal("-84000")),
        ("Naturalytelser", Decimal("50000"), Decimal("50000"), Decimal("0")),
        ("Balanse", Decimal("0"), Decimal("91000"), Decimal("91000")),
    ]


def test_budget_changes_since_an_unchanged_revision_lists_no_lines(submitted, daily_leader):
    revised = budget_revise(budget=_approved(submitted), user=daily_leader)

    changes = budget_changes_since(budget=revised)

    assert (changes.added, changes.removed, changes.changed) == ([], [], [])
    assert [t.difference for t in changes.totals] == [Decimal("0")] * 4


def test_budget_changes_since_matches_a_line_by_what_it_concerns(submitted, daily_leader, network):
    """Two lines with the same text for different schools are two lines: moving money from one
    school to the other shows as two changes, not as none."""
    revised = budget_revise(budget=_approved(submitted), user=daily_leader)
    for school, amount in ((network.school_a, "40000"), (network.school_a2, "114000")):
        line = revised.lines.get(kind=BudgetLine.Kind.SCHOOL_ALLOCATION, school=school)
        budget_line_set(
            budget=revised,
            user=daily_leader,
            line=line,
            kind=line.kind,
            label=line.label,
            amount=Decimal(amount),
            school=school,
        )

    changes = budget_changes_since(budget=revised)

    assert [(c.where, c.old, c.new) for c in changes.changed] == [
        ("Skole A (Follo)", Decimal("38500"), Decimal("40000")),
        ("Skole A2 (Follo)", Decimal("115500"), Decimal("114000")),
    ]


# -- the page -----------------------------------------------------------------------------------


def test_budget_page_shows_the_lines_grouped_with_norwegian_amounts(client_as, submitted, steering_member):
    response, tree = _page(client_as(steering_member), submitted)
    section = tree.get_element_by_id("budget-lines")
    text = _text(section)

    assert [d.get("id") for d in section.iter("details")] == [
        "budget-group-county_grant",
        "budget-group-municipal_contribution",
        "budget-group-partner_cash",
        "budget-group-central_management",
        "budget-group-region_pool",
        "budget-group-school_allocation",
        "budget-group-area_earmark",
        "budget-group-reserve",
        "budget-group-in_kind",
    ]
    county = _text(tree.get_element_by_id("budget-group-county_grant").find("summary"))
    assert county == "Fylkeskommunalt tilskudd 1 linje, sum 1 030 000 kr"
    municipal = tree.get_element_by_id("budget-group-municipal_contribution").find(".//table")
    assert _rows(municipal)[-1] == "Sum kommunalt tilskudd | 240 000 kr | "
    assert _rows(tree.get_element_by_id("budget-lines-totals")) == [
        "Inntekter i alt | 1 370 000 kr | ",
        "Utgifter i alt | 1 370 000 kr | ",
        "Balanse (inntekter minus utgifter) | 0 kr | ",
    ]
    allocations = tree.get_element_by_id("budget-group-school_allocation").find(".//table")
    assert _rows(allocations)[1] == "Tildeling Skole A2 | Skole A2 (Follo) | 115 500 kr | Nøkkel: Per elev"
    assert f"115{NBSP}500{NBSP}kr" in section.text_content()
    assert "115500" not in text and "115 500,00" not in text
    assert (
        _rows(tree.get_element_by_id("budget-group-in_kind").find(".//table"))[-1] == "Sum naturalytelse | 50 000 kr | "
    )
    # The summary stays first, the grouped lines come after it.
    html = response.content.decode()
    assert html.index('id="budget-summary"') < html.index('id="budget-lines"')


@pytest.mark.parametrize("section", ["budget-actual", "budget-fairness", "budget-scenario", "budget-audit"])
def test_budget_page_sections_are_closed_details_with_a_key_figure(client_as, submitted, steering_member, section):
    _response, tree = _page(client_as(steering_member), submitted)

    element = tree.get_element_by_id(section)
    summary = element.find("summary")

    assert (element.tag, element.get("open")) == ("details", None)
    assert summary is not None and summary.find("h2") is not None
    key = _text(summary.find_class("budget-key")[0])
    expected = {
        "budget-actual": "budsjettert",
        "budget-fairness": "3 skoler, nøkkel: Per elev",
        "budget-scenario": "budsjett som trengs:",
        "budget-audit": f"{len(budget_audit_minutes(budget=submitted))} oppføringer",
    }[section]
    assert key.startswith(expected), key


def test_budget_page_hides_the_line_forms_of_a_budget_not_editable(client_as, submitted, daily_leader):
    response, tree = _page(client_as(daily_leader), submitted)

    assert "lines-TOTAL_FORMS" not in response.content.decode()
    assert tree.get_element_by_id("budget-edit-lines", None) is None
    assert tree.get_element_by_id("budget-lines") is not None


def test_budget_page_keeps_the_line_forms_of_a_draft_folded(client_as, draft, daily_leader):
    _response, tree = _page(client_as(daily_leader), draft)

    edit = tree.get_element_by_id("budget-edit-lines")

    assert (edit.tag, edit.get("open")) == ("details", None)
    assert _text(edit.find("summary")) == "Rediger linjer 17 linjer"
    assert edit.xpath(".//input[@name='lines-TOTAL_FORMS']/@value") == ["17"]
    assert edit.find_class("budget-scroll")


def test_budget_page_opens_the_line_forms_when_they_have_errors(client_as, draft, daily_leader):
    lines = list(draft.lines.order_by("kind", "label"))
    data = {"notes": "", "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": str(len(lines))}
    for index, row in enumerate(lines):
        prefix = f"lines-{index}-"
        data |= {
            prefix + "id": str(row.pk),
            prefix + "budget": str(draft.pk),
            prefix + "kind": row.kind,
            prefix + "label": row.label,
            prefix + "amount": "ikke et tall" if index == 0 else str(row.amount),
            prefix + "note": row.note,
        }
    client = client_as(daily_leader)

    response = client.post(reverse("admin:funding_budget_change", args=[draft.pk]), data, HTTP_ACCEPT_LANGUAGE="nb")

    assert response.status_code == 200
    edit = lxml.html.fromstring(response.content.decode()).get_element_by_id("budget-edit-lines")
    assert edit.get("open") is not None


def test_budget_page_of_a_revision_shows_what_changed(client_as, revision, steering_member):
    _response, tree = _page(client_as(steering_member), revision)

    changes = tree.get_element_by_id("budget-changes")
    rows = _rows(tree.get_element_by_id("budget-changes-lines"))

    assert _text(changes.find("summary")) == "Endringer siden revisjon 1 3 linjer endret"
    assert rows == [
        "Lagt til | Andre inntekter | Gave fra sparebanken |  | – | 7 000 kr | +7 000 kr",
        "Fjernet | Øremerket samarbeidsområde | Øremerket Unge dirigenter | 4. Unge dirigenter"
        " | 77 000 kr | – | -77 000 kr",
        "Endret | Reserve | Reserve |  | 77 000 kr | 70 000 kr | -7 000 kr",
    ]
    totals = _rows(tree.get_element_by_id("budget-changes-totals"))
    assert totals[-1] == "Balanse | 0 kr | 91 000 kr | +91 000 kr"
    assert tree.get_element_by_id("budget-changes-none", None) is None


def test_budget_page_of_a_first_revision_says_so(client_as, submitted, steering_member):
    _response, tree = _page(client_as(steering_member), submitted)

    assert tree.get_element_by_id("budget-changes", None) is None
    assert _text(tree.get_element_by_id("budget-changes-none")) == "Første revisjon av budsjettet for 2020."


def test_budget_page_links_its_pdf(client_as, submitted, steering_member):
    _response, tree = _page(client_as(steering_member), submitted)

    link = tree.get_element_by_id("budget-pdf")

    assert (link.get("href"), _text(link)) == (
        reverse("admin:funding_budget_pdf", args=[submitted.pk]),
        "Last ned PDF",
    )


def test_the_workflow_panel_says_in_kind_is_outside_the_cash_budget(client, submitted, steering_member):
    client.force_login(steering_member)
    response, _tree = _page(client, submitted)
    content = response.content.decode()

    assert "naturalytelser (utenfor kontantbudsjettet)" in content
    assert "naturalytelser utenom" not in content
