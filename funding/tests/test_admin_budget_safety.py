"""The budget admin on bad input and on two people at once: a draft for a year that has one,
the draft form sent twice, odd ids in the budget's own URLs, its POST-only URLs by GET, odd
comments and keys, and two people saving the same budget line."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.concurrency import EditConflict
from core.forms import form_token_new
from core.models import SubmissionToken
from funding.admin import BudgetLineFormSet
from funding.models import Budget, BudgetLine
from funding.selectors import municipality_list_paying
from funding.services import (
    budget_allocate,
    budget_line_delete,
    budget_line_set,
    budget_rebalance,
    budget_revise,
)
from governance.models import AuditEntry

pytestmark = pytest.mark.django_db

CUSTOM_URLS = ["submit", "approve", "return", "revise", "allocate", "rebalance"]
# Asked on a confirmation page first (GET draws it); the others act on POST only.
CONFIRMED_STEPS = {"submit", "approve", "return"}
CONFLICT = (
    "Noen andre har endret linjen mens du redigerte. Nå er den lagret som «%s», %s kr. "
    "Det du skrev, står her fortsatt: lagre igjen for å erstatte det lagrede."
)


def _state():
    """Everything a budget page can write."""
    return (
        list(Budget.objects.order_by("pk").values_list("pk", "status", "notes")),
        list(BudgetLine.objects.order_by("pk").values_list("pk", "label", "amount", "version")),
        AuditEntry.objects.count(),
        SubmissionToken.objects.count(),
    )


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _change_url(budget):
    return reverse("admin:funding_budget_change", args=[budget.pk])


def _change_data(budget, *, notes="", **changes):
    """The budget's change form as a browser posts it, loaded now (each line with its version);
    `changes` maps a line's label to the values typed into it."""
    lines = list(budget.lines.order_by("kind", "label"))
    data = {
        "notes": notes,
        "loaded_version": str(budget.version),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        prefix = f"lines-{index}-"
        shown = {
            "kind": line.kind,
            "label": line.label,
            "amount": str(line.amount),
            "region": str(line.region_id or ""),
            "school": str(line.school_id or ""),
            "municipality": str(line.municipality_id or ""),
            "cooperation_area": str(line.cooperation_area_id or ""),
            "partner": str(line.partner_id or ""),
            "note": line.note,
        }
        data |= {prefix + "id": str(line.pk), prefix + "budget": str(budget.pk), prefix + "version": str(line.version)}
        data |= {prefix + name: value for name, value in shown.items()}
        data |= {f"initial-{prefix}{name}": value for name, value in shown.items()}  # the values as drawn
        data |= {prefix + name: value for name, value in changes.get(line.label, {}).items()}
    return data


def _line_form(response, label):
    formset = response.context["inline_admin_formsets"][0].formset
    return next(form for form in formset.forms if form.instance.label == label or form["label"].value() == label)


# -- 2. a draft for a year that already has one ------------------------------------------------


def test_admin_add_for_a_year_with_a_budget_shows_the_message_on_the_year(client, draft, daily_leader):
    client.force_login(daily_leader)
    before = _state()

    response = client.post(reverse("admin:funding_budget_add"), {"year": "2020", "form_token": form_token_new()})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "year": [
            "Det finnes allerede et budsjett for 2020. Rediger utkastet, eller lag en ny revisjon av det vedtatte "
            "budsjettet."
        ]
    }
    assert _state() == before


def test_admin_add_refused_for_a_row_the_form_does_not_show_says_so_above_the_form(client, funded, daily_leader):
    """The 2021 draft needs the municipalities' 2021 population, which is missing."""
    client.force_login(daily_leader)
    before = _state()
    first = municipality_list_paying(year=2021)[0]

    response = client.post(reverse("admin:funding_budget_add"), {"year": "2021", "form_token": form_token_new()})

    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [f"Folketallet for {first.name} i 2021 mangler."]}
    assert _state() == before


# -- 4. the draft form sent twice ------------------------------------------------------------


def test_admin_draft_form_sent_twice_leads_to_the_first_budget(client, funded, daily_leader):
    client.force_login(daily_leader)
    page = client.get(reverse("admin:funding_budget_add"))
    token = page.context["form"]["form_token"].value()
    data = {"year": "2020", "form_token": token}

    first = client.post(reverse("admin:funding_budget_add"), data)
    budget = Budget.objects.get()
    second = client.post(reverse("admin:funding_budget_add"), data)

    assert (first.status_code, first["Location"]) == (302, _change_url(budget))
    assert (second.status_code, second["Location"]) == (302, _change_url(budget))
    assert Budget.objects.count() == 1
    assert AuditEntry.objects.filter(action="budget_draft").count() == 1
    assert _messages(second) == [
        "Budsjett 2020, revisjon 1 er laget som utkast.",
        "Budsjettet ble allerede laget da skjemaet ble sendt første gang: Budsjett 2020, revisjon 1. Her er det.",
    ]


def test_admin_draft_form_carries_its_token(client, funded, daily_leader):
    client.force_login(daily_leader)

    content = client.get(reverse("admin:funding_budget_add")).content.decode()

    assert content.count('type="hidden" name="form_token"') == 1


def test_admin_draft_form_without_token_refused(client, funded, daily_leader):
    client.force_login(daily_leader)

    response = client.post(reverse("admin:funding_budget_add"), {"year": "2020"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "form_token": ["Skjemaet mangler sitt engangsmerke. Last siden på nytt og send det igjen."]
    }
    assert Budget.objects.count() == 0


def test_admin_draft_refused_then_sent_again_with_the_same_token_makes_it(client, funded, daily_leader):
    """A refused draft leaves no token behind: the corrected form is sent with the same one."""
    client.force_login(daily_leader)
    token = form_token_new()

    refused = client.post(reverse("admin:funding_budget_add"), {"year": "2021", "form_token": token})
    made = client.post(reverse("admin:funding_budget_add"), {"year": "2020", "form_token": token})

    assert (refused.status_code, made.status_code) == (200, 302)
    assert list(Budget.objects.values_list("year", flat=True)) == [2020]


# -- 3. odd ids in the budget's own URLs -------------------------------------------------------


@pytest.mark.parametrize("name", CUSTOM_URLS)
@pytest.mark.parametrize("object_id", ["abc", "1.0", "-1", "99999999999999999999999"])
def test_admin_custom_url_with_odd_id_answers_404(client, draft, daily_leader, name, object_id):
    client.force_login(daily_leader)
    url = reverse(f"admin:funding_budget_{name}", args=[object_id])
    before = _state()

    response = client.post(url, {"comment": "Behandlet", "key": "equal"})

    assert response.status_code == 404
    assert _state() == before


# -- 6. the custom views on bad input ----------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in CUSTOM_URLS if name not in CONFIRMED_STEPS])
def test_admin_custom_url_by_get_answers_405(client, submitted, steering_member, name):
    client.force_login(steering_member)
    before = _state()

    response = client.get(reverse(f"admin:funding_budget_{name}", args=[submitted.pk]))

    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert _state() == before


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("", "Skriv hvorfor budsjettet sendes tilbake."),
        ("x" * 100_000, "Kommentaren kan være på høyst 2000 tegn; denne har 100000."),
        ("Se\x00over", "Kommentaren inneholder et tegn som ikke kan lagres (nulltegn)."),
    ],
)
def test_admin_return_with_empty_huge_or_nul_comment_refused(client, submitted, steering_member, comment, message):
    """The service's refusal of the comment is shown on the confirmation page, on the comment,
    which keeps what was typed; nothing is recorded."""
    client.force_login(steering_member)
    before = _state()

    response = client.post(
        reverse("admin:funding_budget_return", args=[submitted.pk]), {"comment": comment, "confirmed": "1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == [message]
    assert response.context["form"]["comment"].value() == comment
    assert _state() == before


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("x" * 100_000, "Kommentaren kan være på høyst 2000 tegn; denne har 100000."),
        ("\x00", "Kommentaren inneholder et tegn som ikke kan lagres (nulltegn)."),
    ],
)
def test_admin_approve_with_huge_or_nul_comment_refused(client, submitted, steering_member, comment, message):
    client.force_login(steering_member)
    before = _state()

    response = client.post(
        reverse("admin:funding_budget_approve", args=[submitted.pk]), {"comment": comment, "confirmed": "1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == [message]
    assert _state() == before
    assert not submitted.votes.exists()


def test_admin_return_by_someone_who_may_not_decide_answers_403_whatever_the_comment(client, submitted, daily_leader):
    client.force_login(daily_leader)
    before = _state()

    response = client.post(
        reverse("admin:funding_budget_return", args=[submitted.pk]), {"comment": "x" * 100_000, "confirmed": "1"}
    )

    assert response.status_code == 403
    assert _state() == before


def test_admin_allocate_with_unknown_key_refused(client, draft, daily_leader):
    client.force_login(daily_leader)
    before = _state()

    response = client.post(reverse("admin:funding_budget_allocate", args=[draft.pk]), {"key": "weighted"})

    assert (response.status_code, response["Location"]) == (302, _change_url(draft))
    assert _messages(response) == ["Velg en av fordelingsnøklene."]
    assert _state() == before


def test_admin_allocate_without_key_uses_the_years_key(client, draft, daily_leader):
    client.force_login(daily_leader)

    response = client.post(reverse("admin:funding_budget_allocate", args=[draft.pk]), {})

    assert response.status_code == 302
    assert _messages(response) == [
        "Skoletildelinger og regionale potter i Budsjett 2020, revisjon 1 er fordelt på nytt."
    ]


# -- 5. two people save the same line ----------------------------------------------------------


def test_budget_line_version_starts_at_1_and_every_write_increments_it(draft, daily_leader):
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    assert set(draft.lines.values_list("version", flat=True)) == {1}

    budget_line_set(
        budget=draft, user=daily_leader, line=reserve, kind="reserve", label="Reserve", amount=Decimal("70000")
    )
    budget_rebalance(budget=draft, user=daily_leader)
    added = budget_line_set(budget=draft, user=daily_leader, kind="other_income", label="Gave", amount=Decimal("1"))

    assert (BudgetLine.objects.get(pk=reserve.pk).version, reserve.version, added.version) == (3, 2, 1)


def test_budget_allocate_increments_the_lines_it_changes(draft, daily_leader):
    before = dict(draft.lines.values_list("label", "version"))

    budget_allocate(budget=draft, user=daily_leader, key="equal")

    after = dict(draft.lines.values_list("label", "version"))
    assert {label for label in after if after[label] != before[label]} == {
        "Tildeling Skole A",
        "Tildeling Skole A2",
        "Tildeling Skole B",
        "Regional pott Follo",
        "Regional pott Romerike",
    }
    assert {after[label] - before[label] for label in after} == {0, 1}


def test_budget_revision_lines_start_at_version_1(submitted, daily_leader, steering_leader, steering_member):
    from funding.tests.conftest import board_approves

    reserve = submitted.lines.get(kind=BudgetLine.Kind.RESERVE)
    BudgetLine.objects.filter(pk=reserve.pk).update(version=5)
    board_approves(submitted, steering_leader, steering_member)

    revision = budget_revise(budget=submitted, user=daily_leader)

    assert set(revision.lines.values_list("version", flat=True)) == {1}


def test_budget_line_set_from_a_stale_version_raises_edit_conflict(draft, daily_leader, nmh_coordinator):
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    budget_line_set(
        budget=draft,
        user=daily_leader,
        line=reserve,
        expected_version=1,
        kind="reserve",
        label="Reserve",
        amount=Decimal("70000"),
    )
    audit = AuditEntry.objects.count()

    with pytest.raises(EditConflict) as conflict:
        budget_line_set(
            budget=draft,
            user=nmh_coordinator,
            line=BudgetLine.objects.get(pk=reserve.pk),
            expected_version=1,
            kind="reserve",
            label="Reserve",
            amount=Decimal("60000"),
        )

    assert conflict.value.messages == [CONFLICT % ("Reserve", "70\xa0000,00")]
    assert conflict.value.current_version == 2
    assert BudgetLine.objects.filter(pk=reserve.pk).values_list("amount", "version").get() == (Decimal("70000"), 2)
    assert AuditEntry.objects.count() == audit


def test_budget_line_delete_from_a_stale_version_raises_edit_conflict(draft, daily_leader, nmh_coordinator):
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    budget_line_set(
        budget=draft, user=daily_leader, line=reserve, kind="reserve", label="Buffer", amount=Decimal("77000")
    )

    with pytest.raises(EditConflict) as conflict:
        budget_line_delete(line=BudgetLine.objects.get(pk=reserve.pk), user=nmh_coordinator, expected_version=1)

    assert conflict.value.messages == [CONFLICT % ("Buffer", "77\xa0000,00")]
    assert BudgetLine.objects.filter(pk=reserve.pk).exists()


def test_admin_second_save_of_the_same_line_shows_the_conflict_and_keeps_the_typing(
    client, draft, daily_leader, nmh_coordinator
):
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    first = _change_data(draft, Reserve={"amount": "70000"})
    second = _change_data(draft, notes="Min merknad", Reserve={"amount": "60000", "note": "Min endring"})
    client.force_login(daily_leader)
    assert client.post(_change_url(draft), first).status_code == 302
    before = _state()
    client.force_login(nmh_coordinator)

    response = client.post(_change_url(draft), second)

    line = _line_form(response, "Reserve")
    assert response.status_code == 200
    assert line.non_field_errors() == [CONFLICT % ("Reserve", "70\xa0000,00")]
    assert response.content.decode().count('<tr class="row-form-errors">') == 1  # drawn above the line
    assert (line["amount"].value(), line["note"].value()) == ("60000", "Min endring")
    assert response.context["adminform"].form["notes"].value() == "Min merknad"
    assert _state() == before
    assert BudgetLine.objects.filter(pk=reserve.pk).values_list("amount", "version").get() == (Decimal("70000"), 2)


def test_admin_saving_again_after_the_conflict_replaces_the_line(client, draft, daily_leader, nmh_coordinator):
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    first = _change_data(draft, Reserve={"amount": "70000"})
    second = _change_data(draft, Reserve={"amount": "60000"})
    client.force_login(daily_leader)
    client.post(_change_url(draft), first)
    client.force_login(nmh_coordinator)
    conflict = client.post(_change_url(draft), second)
    index = next(
        i
        for i, form in enumerate(conflict.context["inline_admin_formsets"][0].formset.forms)
        if form is _line_form(conflict, "Reserve")
    )

    again = client.post(
        _change_url(draft), second | {f"lines-{index}-version": _line_form(conflict, "Reserve")["version"].value()}
    )

    assert again.status_code == 302
    assert BudgetLine.objects.filter(pk=reserve.pk).values_list("amount", "version").get() == (Decimal("60000"), 3)
    assert [
        entry.changes["amount"] for entry in AuditEntry.objects.filter(action="budget_line_change").order_by("pk")
    ] == [
        ["77000.00", "70000.00"],
        ["70000.00", "60000.00"],
    ]


def test_admin_deleting_a_line_someone_changed_is_refused(client, draft, daily_leader, nmh_coordinator):
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    first = _change_data(draft, Reserve={"label": "Buffer"})
    second = _change_data(draft, Reserve={"DELETE": "on"})
    client.force_login(daily_leader)
    client.post(_change_url(draft), first)
    before = _state()
    client.force_login(nmh_coordinator)

    response = client.post(_change_url(draft), second)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        CONFLICT % ("Buffer", "77\xa0000,00")
    ]
    assert _state() == before
    assert BudgetLine.objects.filter(pk=reserve.pk).exists()


def test_admin_different_lines_saved_by_two_people_both_kept(client, draft, daily_leader, nmh_coordinator):
    first = _change_data(draft, Reserve={"amount": "70000"})
    second = _change_data(draft, **{"Øremerket Unge dirigenter": {"amount": "80000"}})
    client.force_login(daily_leader)
    client.post(_change_url(draft), first)
    client.force_login(nmh_coordinator)

    response = client.post(_change_url(draft), second)

    assert response.status_code == 302
    assert draft.lines.get(kind="reserve").amount == Decimal("70000")
    assert draft.lines.get(kind="area_earmark").amount == Decimal("80000")


def test_admin_conflict_found_only_by_the_service_rolls_the_whole_save_back(
    client, draft, daily_leader, nmh_coordinator, monkeypatch
):
    """A race: the other person's save lands after this page's forms were checked and before
    the service locks the line. Simulated by checking the forms as they were before the other
    save (the formset's version check sees nothing); the service then refuses under its lock,
    and nothing of this save (the notes are saved first) may remain."""
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    second = _change_data(draft, notes="Min merknad", Reserve={"amount": "60000"})
    budget_line_set(
        budget=draft, user=daily_leader, line=reserve, kind="reserve", label="Reserve", amount=Decimal("70000")
    )
    before = _state()
    monkeypatch.setattr(BudgetLineFormSet, "clean", lambda formset: None)
    client.force_login(nmh_coordinator)

    response = client.post(_change_url(draft), second)

    assert (response.status_code, response["Location"]) == (302, _change_url(draft))
    assert _messages(response) == ["Ingenting ble lagret.", CONFLICT % ("Reserve", "70\xa0000,00")]
    assert _state() == before
    assert Budget.objects.get(pk=draft.pk).notes == ""


@pytest.mark.django_db(transaction=True)
def test_admin_real_race_on_postgresql_rolls_back_and_shows_the_conflict(client, draft, daily_leader, nmh_coordinator):
    """The race for real (PostgreSQL): the leader's save holds the budget's lock while this
    page's forms are checked (they see version 1, nothing committed yet), then changes the line
    and commits; this save waits for the lock, the service finds version 2 under it and refuses,
    everything this save wrote is rolled back and the page shows the conflict on the line."""
    import threading
    import time

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs two connections that wait for each other's row locks (PostgreSQL)")
    reserve = draft.lines.get(kind=BudgetLine.Kind.RESERVE)
    stale = _change_data(draft, notes="Min merknad", Reserve={"amount": "60000"})
    locked, failure = threading.Event(), []

    def leader_saves():
        try:
            with transaction.atomic():
                Budget.objects.select_for_update().get(pk=draft.pk)
                locked.set()
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                        )
                        if cursor.fetchone()[0]:
                            break
                    time.sleep(0.05)
                else:
                    failure.append("the other save never waited for the lock")
                budget_line_set(
                    budget=draft,
                    user=daily_leader,
                    line=reserve,
                    kind="reserve",
                    label="Reserve",
                    amount=Decimal("70000"),
                )
        except Exception as error:  # reported by the main thread
            failure.append(repr(error))
        finally:
            locked.set()
            connection.close()

    leader_thread = threading.Thread(target=leader_saves)
    leader_thread.start()
    assert locked.wait(20)
    client.force_login(nmh_coordinator)

    response = client.post(_change_url(draft), stale)

    leader_thread.join(30)
    assert failure == []
    assert response.status_code == 200
    assert _line_form(response, "Reserve").non_field_errors() == [CONFLICT % ("Reserve", "70\xa0000,00")]
    assert Budget.objects.get(pk=draft.pk).notes == ""
    assert BudgetLine.objects.filter(pk=reserve.pk).values_list("amount", "version").get() == (Decimal("70000"), 2)
    assert [entry.actor_id for entry in AuditEntry.objects.filter(action="budget_line_change")] == [daily_leader.pk]


def test_admin_forged_line_count_draws_no_more_than_fifty_new_lines(client, draft, daily_leader):
    client.force_login(daily_leader)
    before = _state()
    data = _change_data(draft)
    data["lines-TOTAL_FORMS"] = "99999"
    response = client.post(_change_url(draft), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) == draft.lines.count() + 50
    assert _state() == before


def test_admin_second_save_of_the_notes_shows_what_they_say_now_and_keeps_the_typing(
    client, draft, daily_leader, nmh_coordinator
):
    stale = _change_data(draft, notes="Notat fra NMH")
    client.force_login(daily_leader)
    assert client.post(_change_url(draft), _change_data(draft, notes="Notat fra leder")).status_code == 302
    draft.refresh_from_db()
    assert (draft.notes, draft.version) == ("Notat fra leder", 2)

    client.force_login(nmh_coordinator)
    response = client.post(_change_url(draft), stale)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["notes"] == [
        "Noen andre har endret notatene mens du redigerte. Nå står det: «Notat fra leder». "
        "Det du skrev, står her fortsatt: lagre igjen for å erstatte det lagrede."
    ]
    assert (form["notes"].value(), form["loaded_version"].value()) == ("Notat fra NMH", "2")
    draft.refresh_from_db()
    assert draft.notes == "Notat fra leder"

    again = client.post(_change_url(draft), {**stale, "loaded_version": "2"})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.notes, draft.version) == ("Notat fra NMH", 3)


def test_budget_update_from_a_stale_version_raises_edit_conflict(draft, daily_leader, nmh_coordinator):
    from funding.services import budget_update

    budget_update(budget=draft, user=daily_leader, notes="Først", expected_version=1)
    with pytest.raises(EditConflict):
        budget_update(budget=draft, user=nmh_coordinator, notes="Sist", expected_version=1)
    draft.refresh_from_db()
    assert (draft.notes, draft.version) == ("Først", 2)


def test_admin_booking_keeps_its_activity_when_changed(client, draft, daily_leader):
    """Changing the activity of a booking used to make a second booking and keep the first."""
    from activities.tests.factories import ActivityFactory
    from funding.models import ActivityBooking
    from funding.services import activity_booking_set

    first, second = ActivityFactory(), ActivityFactory()
    booking = activity_booking_set(activity=first, user=daily_leader, kind="region_pool", region=first.region)
    client.force_login(daily_leader)
    url = reverse("admin:funding_activitybooking_change", args=[booking.pk])
    page = client.get(url)
    assert "activity" not in page.context["adminform"].form.fields
    client.post(url, {"activity": second.pk, "kind": "region_pool", "region": first.region.pk, "_save": "1"})
    assert list(ActivityBooking.objects.values_list("activity_id", flat=True)) == [first.pk]


def test_admin_saving_a_line_keeps_notes_someone_else_saved(client, draft, daily_leader, nmh_coordinator):
    """The page carries the notes as drawn: a person who changed only a line neither sees a
    conflict on the notes nor writes the old notes back."""
    line = draft.lines.order_by("kind", "label").first()
    stale = _change_data(draft, **{line.label: {"amount": "1234.00"}})
    stale["initial-notes"] = ""  # the notes as drawn, before the other person wrote theirs
    client.force_login(daily_leader)
    assert client.post(_change_url(draft), _change_data(draft, notes="Viktig notat")).status_code == 302

    client.force_login(nmh_coordinator)
    response = client.post(_change_url(draft), stale)
    assert response.status_code == 302
    draft.refresh_from_db()
    line.refresh_from_db()
    assert (draft.notes, line.amount) == ("Viktig notat", Decimal("1234.00"))


def test_admin_editing_a_line_someone_deleted_saves_nothing_and_draws_the_page_anew(
    client, draft, daily_leader, nmh_coordinator
):
    lines = list(draft.lines.order_by("kind", "label"))
    gone, changed = lines[3], lines[5]
    stale = _change_data(draft, **{changed.label: {"amount": "999.00"}})
    budget_line_delete(line=gone, user=daily_leader, expected_version=gone.version)
    before = _state()

    client.force_login(nmh_coordinator)
    response = client.post(_change_url(draft), stale)

    assert response.status_code == 302
    assert response.url == _change_url(draft)
    assert _messages(response) == [
        "Noen andre har slettet en budsjettlinje siden du åpnet siden. Ingenting er lagret; siden viser budsjettet "
        "slik det er nå."
    ]
    assert _state() == before
