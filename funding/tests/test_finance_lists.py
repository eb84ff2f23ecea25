"""The finance office's lists (issue 12): the year's municipal contributions to invoice as an
Excel workbook (typed cells) and a CSV (the person's language) from the contributions'
changelist, and the changelist actions that mark the selected contributions invoiced or paid
on a day, all or none, each row audited by `contribution_payment_set`.

The `funded` network (funding/tests/conftest.py) gives 2020 populations for the three
schools' municipalities: A 10,000 (60,000 kr), A2 20,000 (80,000 kr), B 60,000 (100,000 kr);
here one more, A in 2019."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from core.formatting import NBSP
from core.tests.hostile import (
    changed_tables,
    hostile_client,
    hostile_settings,
    hostile_value,
    send,
    snapshot,
)
from funding.admin import ContributionDayForm
from funding.models import MunicipalContribution
from funding.services import contribution_compute, contribution_payment_set
from governance.models import AuditEntry
from schools.tests.factories import PopulationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/funding/municipalcontribution/"
XLSX_URL = "/admin/funding/municipalcontribution/fakturaliste.xlsx"
CSV_URL = "/admin/funding/municipalcontribution/fakturaliste.csv"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NORWEGIAN = {"HTTP_ACCEPT_LANGUAGE": "nb"}
HEADER = ["kommune", "kommunenummer", "folketall", "sats", "beløp (kr)", "fakturert", "betalt"]


@pytest.fixture
def contributions(funded, superuser):
    """The 2020 contributions of A, A2 and B (A invoiced 1 March 2020), and A's of 2019."""
    network = funded
    a, a2, b = (school.municipality for school in (network.school_a, network.school_a2, network.school_b))
    PopulationFactory(municipality=a, year=2019, population=9_000)
    rows = {
        "a": contribution_compute(municipality=a, year=2020),
        "a2": contribution_compute(municipality=a2, year=2020),
        "b": contribution_compute(municipality=b, year=2020),
        "a2019": contribution_compute(municipality=a, year=2019),
    }
    contribution_payment_set(contribution=rows["a"], user=superuser, invoiced_on=date(2020, 3, 1), paid_on=None)
    return rows


def _csv_rows(response, delimiter: str) -> list[list[str]]:
    text = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def _by_name(rows: list[list], name: str) -> list:
    return next(row for row in rows if row[0] == name)


# -- the lists ---------------------------------------------------------------------------------


def test_changelist_links_to_the_lists_of_the_year_filtered_else_the_latest(contributions, client_as, daily_leader):
    client = client_as(daily_leader)

    page = client.get(CHANGELIST, **NORWEGIAN).content.decode()
    assert "Fakturaliste (Excel)" in page and "Fakturaliste (CSV)" in page
    assert f'href="{XLSX_URL}?year=2020"' in page and f'href="{CSV_URL}?year=2020"' in page

    filtered = client.get(CHANGELIST, {"year": "2019"}, **NORWEGIAN).content.decode()
    assert f'href="{XLSX_URL}?year=2019"' in filtered and f'href="{CSV_URL}?year=2019"' in filtered


def test_xlsx_has_the_years_contributions_in_typed_cells(contributions, client_as, daily_leader):
    response = client_as(daily_leader).get(XLSX_URL, {"year": "2020"}, **NORWEGIAN)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="fakturaliste-2020.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert len(rows) == 4  # the header and the three 2020 contributions
    a = contributions["a"].municipality
    assert _by_name(rows, a.name) == [
        a.name,
        a.number,
        10_000,
        f"0–14{NBSP}999",
        60_000,
        datetime(2020, 3, 1),
        None,
    ]
    b = _by_name(rows, contributions["b"].municipality.name)
    assert b[3] == f"50{NBSP}000 eller flere"
    assert b[4] == 100_000
    cells = {cell.column_letter: cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))}
    assert cells["C"].data_type == "n" and cells["E"].data_type == "n"
    assert cells["B"].data_type == "s"  # the municipality number keeps its leading zero


def test_csv_in_norwegian_and_in_english(contributions, client_as, daily_leader):
    client = client_as(daily_leader)
    a = contributions["a"].municipality

    norwegian = client.get(CSV_URL, {"year": "2020"}, **NORWEGIAN)
    assert norwegian.status_code == 200
    assert norwegian.content.startswith("\ufeff".encode())
    assert b"\r\n" in norwegian.content
    rows = _csv_rows(norwegian, ";")
    assert rows[0] == HEADER
    assert _by_name(rows, a.name) == [a.name, a.number, "10000", f"0–14{NBSP}999", "60000", "01.03.2020", ""]

    english = client.get(CSV_URL, {"year": "2020"}, **ENGLISH)
    assert not english.content.startswith("\ufeff".encode())
    rows = _csv_rows(english, ",")
    assert len(rows) == 4
    assert _by_name(rows, a.name)[2:] == ["10000", "0–14,999", "60000", "2020-03-01", ""]


def test_the_list_is_the_years_only_the_latest_by_default(contributions, client_as, daily_leader):
    client = client_as(daily_leader)
    a = contributions["a"].municipality

    rows_2019 = _csv_rows(client.get(CSV_URL, {"year": "2019"}, **NORWEGIAN), ";")
    assert rows_2019[1:] == [[a.name, a.number, "9000", f"0–14{NBSP}999", "60000", "", ""]]

    latest = client.get(CSV_URL, **NORWEGIAN)
    assert 'filename="fakturaliste-2020.csv"' in latest["Content-Disposition"]
    assert len(_csv_rows(latest, ";")) == 4

    assert _csv_rows(client.get(CSV_URL, {"year": "2031"}, **NORWEGIAN), ";") == [HEADER]
    assert client.get(CSV_URL, {"year": "abc"}).status_code == 404


def test_formula_in_a_municipality_name_stays_text(contributions, client_as, daily_leader):
    municipality = contributions["b"].municipality
    municipality.name = "=HYPERLINK(1)"
    municipality.save(update_fields=["name"])

    rows = _csv_rows(client_as(daily_leader).get(CSV_URL, {"year": "2020"}, **NORWEGIAN), ";")

    assert "'=HYPERLINK(1)" in [row[0] for row in rows]


@pytest.mark.parametrize("url", [XLSX_URL, CSV_URL])
def test_who_may_read_the_lists(contributions, client, staff_rector, steering_member, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    client.force_login(staff_rector)
    assert client.get(url).status_code == 403

    client.force_login(steering_member)
    assert client.get(url).status_code == 200


# -- marking invoiced or paid ------------------------------------------------------------------


def _action(client, action: str, rows, day: str | None = None, **query):
    data = {"action": action, "_selected_action": [row.pk for row in rows]}
    if day is not None:
        data |= {"apply": "1", "day": day}
    url = CHANGELIST + (f"?year={query['year']}" if "year" in query else "")
    return client.post(url, data, **NORWEGIAN)


def _payments() -> list:
    return list(MunicipalContribution.objects.order_by("pk").values_list("pk", "invoiced_on", "paid_on"))


def test_mark_invoiced_then_paid_in_bulk_audits_each_row(contributions, client_as, daily_leader):
    client = client_as(daily_leader)
    rows = [contributions["a2"], contributions["b"]]

    confirm = _action(client, "action_mark_invoiced", rows)
    assert confirm.status_code == 200
    assert confirm.templates[0].name == "admin/funding/municipalcontribution/mark_confirmation.html"
    assert rows[0].municipality.name in confirm.content.decode()

    done = _action(client, "action_mark_invoiced", rows, "2020-04-15", year=2020)
    assert done.status_code == 302
    _action(client, "action_mark_paid", rows, "20.05.2020")

    for row in rows:
        row.refresh_from_db()
        assert (row.invoiced_on, row.paid_on) == (date(2020, 4, 15), date(2020, 5, 20))
        entries = AuditEntry.objects.filter(action="contribution_payment", object_id=str(row.pk)).order_by("pk")
        assert [entry.changes for entry in entries] == [
            {"invoiced_on": [None, "2020-04-15"]},
            {"paid_on": [None, "2020-05-20"]},
        ]
        assert {entry.actor for entry in entries} == {daily_leader}


def test_a_batch_with_one_bad_row_changes_nothing(contributions, client_as, daily_leader):
    client = client_as(daily_leader)
    before, audit_before = _payments(), AuditEntry.objects.count()
    rows = [contributions["a"], contributions["a2"], contributions["b"]]  # A was invoiced 1 March

    response = _action(client, "action_mark_paid", rows, "2020-02-01")

    assert response.status_code == 302
    assert _payments() == before
    assert AuditEntry.objects.count() == audit_before
    texts = [str(message) for message in response.wsgi_request._messages._queued_messages]
    assert "Ingenting ble lagret." in texts
    assert any(contributions["a"].municipality.name in text for text in texts)


def test_a_day_in_the_future_is_refused_and_nothing_saved(contributions, client_as, daily_leader):
    """A tester marked rows invoiced on 01.01.2099: a record of what happened cannot be dated
    ahead (the model's rule, for the admin's form and the bulk action alike)."""
    from datetime import timedelta

    from django.utils import timezone

    client = client_as(daily_leader)
    before, audit_before = _payments(), AuditEntry.objects.count()
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = _action(client, "action_mark_invoiced", [contributions["b"]], tomorrow.isoformat())

    assert response.status_code == 302
    assert (_payments(), AuditEntry.objects.count()) == (before, audit_before)
    texts = [str(message) for message in response.wsgi_request._messages._queued_messages]
    assert any("kan ikke være fram i tid" in text for text in texts), texts


def test_the_confirmation_says_which_rows_already_have_the_date(contributions, client_as, daily_leader):
    """Marking invoiced rows again replaces their day: the confirmation says so first."""
    rows = [contributions["a"], contributions["a2"]]  # A was invoiced 1 March, A2 not

    confirm = _action(client_as(daily_leader), "action_mark_invoiced", rows)

    assert confirm.context["already_marked"] == 1
    assert "1 av radene har allerede en dato her" in confirm.content.decode()


def test_an_invalid_day_redraws_the_confirmation(contributions, client_as, daily_leader):
    before = _payments()

    response = _action(client_as(daily_leader), "action_mark_invoiced", [contributions["b"]], "31.02.2020")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert _payments() == before


def test_the_steering_group_cannot_mark(contributions, client_as, steering_member):
    client = client_as(steering_member)
    before = _payments()

    page = client.get(CHANGELIST, **NORWEGIAN).content.decode()
    assert "Marker som fakturert" not in page and "Marker som betalt" not in page

    for action in ("action_mark_invoiced", "action_mark_paid"):
        response = _action(client, action, [contributions["b"]], "2020-04-15")
        # No action to run: the list again (or a refusal), never the confirmation.
        assert response.status_code in (200, 302, 403)
        assert "admin/funding/municipalcontribution/mark_confirmation.html" not in [
            template.name for template in response.templates
        ]
    assert _payments() == before


# -- hostile input -----------------------------------------------------------------------------

_ids = st.lists(st.one_of(hostile_value(), st.sampled_from(["VALID", "1", "0", "-1", "99999999999999999999"])))


@hostile_settings(40)
@given(day=st.one_of(hostile_value(), st.sampled_from(["2020-04-15", "15.04.2020"])), ids=_ids, apply=st.booleans())
def test_hostile_dates_and_ids_to_the_confirmation(contributions, daily_leader, day, ids, apply):
    client = hostile_client(daily_leader)
    valid_pk = str(contributions["b"].pk)
    selected = [valid_pk if value == "VALID" else value for value in ids]
    for action in ("action_mark_invoiced", "action_mark_paid"):
        before = snapshot(MunicipalContribution, AuditEntry)
        data = {"action": action, "_selected_action": selected, "day": day}
        if apply:
            data["apply"] = "1"
        response = send(client, "post", CHANGELIST, data)
        assert response.status_code in (200, 302)
        changed = changed_tables(before, snapshot(MunicipalContribution, AuditEntry))
        if changed:
            # Only a real day, applied to a row that exists, changes anything: that day.
            form = ContributionDayForm({"day": day})
            assert apply and valid_pk in selected and form.is_valid(), changed
            stored = MunicipalContribution.objects.get(pk=valid_pk)
            field = "invoiced_on" if action == "action_mark_invoiced" else "paid_on"
            assert getattr(stored, field) == form.cleaned_data["day"]
        # Back to the start for the next action.
        MunicipalContribution.objects.filter(pk=valid_pk).update(invoiced_on=None, paid_on=None)
    assert Decimal(MunicipalContribution.objects.get(pk=valid_pk).amount) == Decimal("100000")
