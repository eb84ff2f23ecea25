"""No lost edit, no duplicate, no server error on the inputs found to break the activity pages:
optimistic concurrency on the edit form, one-time tokens on the forms that create, bounded
dates and ids, and history entries without a person."""

import threading
from dataclasses import replace
from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from activities import services
from activities.models import Activity, Participation
from activities.tests.helpers import form_data
from core.forms import form_token_new
from core.models import SubmissionToken
from core.periods import OSLO
from governance.models import AuditEntry


def _edit_url(activity):
    return reverse("activities:update", args=[activity.pk])


def _staff_changes_instrument(activity, user, instrument="Bratsj"):
    """Someone else saves the activity through the service, as the portal's form would."""
    services.activity_save(
        user=user,
        activity=activity,
        data=replace(services.ActivityData.of(activity), instrument=instrument),
        participations=[services.ParticipationData.of(p) for p in activity.participations.all()],
        costs=[],
        expected_version=activity.version,
    )


def _edit_data(activity, network, areas, *, version, **overrides):
    return form_data(
        region=network.follo,
        areas=[areas[2]],
        starts_at="2019-10-12T10:00",
        ends_at="2019-10-12T15:00",
        instrument="Fiolin",
        status=activity.status,
        participations=[{"school": network.school_a, "pupils": 4, "teachers": 1}],
        version=version,
        opened_at=datetime(2019, 1, 1, tzinfo=OSLO).isoformat(),
        **overrides,
    )


def test_edit_form_carries_the_version_it_was_loaded_from(client_as, coord_follo, follo_activity):
    page = client_as(coord_follo).get(_edit_url(follo_activity))
    html = page.content.decode()
    assert '<input type="hidden" name="version" value="1"' in html
    assert 'name="opened_at"' in html
    assert 'name="form_token"' not in html


def test_stale_edit_is_refused_shows_what_changed_and_keeps_the_typing(
    client_as, coord_follo, daily_leader, follo_activity, network, areas, enrolment
):
    # The coordinator opens the form (version 1); the daily leader then changes the instrument.
    client = client_as(coord_follo)
    opened = client.get(_edit_url(follo_activity))
    opened_at = opened.context["form"]["opened_at"].value()
    _staff_changes_instrument(follo_activity, daily_leader)
    follo_activity.refresh_from_db()
    assert (follo_activity.version, follo_activity.instrument) == (2, "Bratsj")

    data = _edit_data(follo_activity, network, areas, version=1, title="Mesterklasse bratsj")
    data["opened_at"] = opened_at
    response = client.post(_edit_url(follo_activity), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Noen andre har endret aktiviteten siden du åpnet den." in html
    conflict = response.context["conflict"]
    assert [(entry.actor, entry.action) for entry in conflict["entries"]] == [(daily_leader, "activity_update")]
    assert [(row["old"], row["new"]) for row in conflict["entries"][0].change_rows] == [("", "Bratsj")]
    # What the coordinator typed is kept, with the version now stored, so a second save is deliberate.
    form = response.context["form"]
    assert (form["title"].value(), form["version"].value()) == ("Mesterklasse bratsj", "2")
    follo_activity.refresh_from_db()
    assert (follo_activity.title, follo_activity.instrument, follo_activity.version) == (
        "Mesterklasse fiolin",
        "Bratsj",
        2,
    )

    again = client.post(_edit_url(follo_activity), {**data, "version": "2"})
    assert again.status_code == 302
    follo_activity.refresh_from_db()
    assert (follo_activity.title, follo_activity.version) == ("Mesterklasse bratsj", 3)


def test_edit_with_the_current_version_saves_and_counts_up(client_as, coord_follo, follo_activity, network, areas):
    response = client_as(coord_follo).post(
        _edit_url(follo_activity), _edit_data(follo_activity, network, areas, version=1, title="Ny tittel")
    )
    assert response.status_code == 302
    follo_activity.refresh_from_db()
    assert (follo_activity.title, follo_activity.version) == ("Ny tittel", 2)


@pytest.mark.parametrize("version", ["", "abc", "0", "-1", "99999999999999999999999", "²"])
def test_edit_without_a_usable_version_is_refused_above_the_form(
    client_as, coord_follo, follo_activity, network, areas, version
):
    data = _edit_data(follo_activity, network, areas, version=1, title="Ny tittel")
    data["version"] = version
    response = client_as(coord_follo).post(_edit_url(follo_activity), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    follo_activity.refresh_from_db()
    assert (follo_activity.title, follo_activity.version) == ("Mesterklasse fiolin", 1)


def test_cancel_and_import_count_the_version_up(coord_follo, follo_activity):
    services.activity_cancel(user=coord_follo, activity=follo_activity)
    follo_activity.refresh_from_db()
    assert follo_activity.version == 2


def test_create_form_submitted_twice_makes_one_activity(client_as, coord_follo, network, areas):
    client = client_as(coord_follo)
    data = form_data(region=network.follo, areas=[areas[2]])
    first = client.post(reverse("activities:create"), data)
    second = client.post(reverse("activities:create"), data)
    activity = Activity.objects.get()
    assert first.url == second.url == reverse("activities:detail", args=[activity.pk])
    followed = client.get(second.url)
    assert "Skjemaet var allerede sendt inn" in followed.content.decode()
    assert SubmissionToken.objects.get().object_id == str(activity.pk)


def test_create_form_rendered_twice_has_two_tokens(client_as, coord_follo):
    client = client_as(coord_follo)
    tokens = [client.get(reverse("activities:create")).context["form"]["form_token"].value() for _ in range(2)]
    assert len(set(tokens)) == 2
    assert all(len(token) == 32 for token in tokens)


def test_create_form_refused_then_corrected_keeps_its_token_usable(client_as, coord_follo, network, areas):
    client = client_as(coord_follo)
    data = form_data(region=network.follo, areas=[areas[2]], title="")
    assert client.post(reverse("activities:create"), data).status_code == 200
    assert SubmissionToken.objects.count() == 0
    response = client.post(reverse("activities:create"), {**data, "title": "Rettet"})
    assert response.status_code == 302
    assert list(Activity.objects.values_list("title", flat=True)) == ["Rettet"]


@pytest.mark.parametrize("token", ["", "kort", "x" * 65, "<script>alert(1)</script>abcdefghij", "a\x00" * 10])
def test_create_form_without_a_usable_token_is_refused(client_as, coord_follo, network, areas, token):
    data = form_data(region=network.follo, areas=[areas[2]], form_token=token)
    response = client_as(coord_follo).post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Activity.objects.count() == 0


def test_copy_submitted_twice_makes_one_copy(client_as, coord_follo, follo_activity, network, areas):
    client = client_as(coord_follo)
    data = form_data(region=network.follo, areas=[areas[2]], participations=[{"school": network.school_a}])
    url = reverse("activities:copy", args=[follo_activity.pk])
    first, second = client.post(url, data), client.post(url, data)
    copy = Activity.objects.exclude(pk=follo_activity.pk).get()
    assert first.url == second.url == reverse("activities:detail", args=[copy.pk])


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_form_make_one_activity(coord_follo, network, areas):
    """Two requests with the same token at the same moment (two threads, two connections)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs two PostgreSQL connections")
    data = form_data(region=network.follo, areas=[areas[2]])
    barrier = threading.Barrier(2)
    answers = []

    def submit():
        client = Client()
        client.force_login(coord_follo)
        barrier.wait()
        answers.append(client.post(reverse("activities:create"), data))
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    activity = Activity.objects.get()
    assert sorted(answer.status_code for answer in answers) == [302, 302]
    assert {answer.url for answer in answers} == {reverse("activities:detail", args=[activity.pk])}


def test_import_committed_twice_imports_once(client_as, coord_follo, follo_activity, network):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(coord_follo)
    upload = SimpleUploadedFile("d.csv", "skole;elever;lærere\nSkole A;6;2\n".encode(), content_type="text/csv")
    preview = client.post(reverse("activities:import"), {"aktivitet": follo_activity.pk, "file": upload})
    body = {"aktivitet": follo_activity.pk, "payload": preview.context["payload"], "form_token": form_token_new()}
    first = client.post(reverse("activities:import"), body)
    second = client.post(reverse("activities:import"), body)
    assert first.url == second.url == reverse("activities:detail", args=[follo_activity.pk])
    assert AuditEntry.objects.filter(action="participation_import").count() == 1
    assert list(Participation.objects.values_list("pupils", "teachers")) == [(6, 2)]


def test_detail_of_an_activity_made_by_the_system(client_as, coord_follo, network, areas):
    """The demo loader and nightly jobs act without a person: the history says "systemet"."""
    activity = services.activity_save(
        user=None,
        data=services.ActivityData(
            title="Demo",
            kind="concert",
            level="local",
            region=network.follo,
            starts_at=datetime(2019, 11, 9, 18, tzinfo=OSLO),
            ends_at=datetime(2019, 11, 9, 20, tzinfo=OSLO),
            cooperation_areas=[areas[3]],
        ),
        participations=[],
        costs=[],
    )
    services.activity_cancel(user=None, activity=activity)
    response = client_as(coord_follo).get(reverse("activities:detail", args=[activity.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Opprettet av systemet" in html
    assert "Sist endret av systemet" in html


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        ("0001-01-01T00:00", "Skriv en dato mellom år 2000 og 2100."),
        ("9999-12-31T23:59", "Skriv en dato mellom år 2000 og 2100."),
        ("2021-03-28T02:30", "Klokkeslettet 02:30 finnes ikke, eller finnes to ganger, i norsk tid"),
    ],
)
def test_create_refuses_dates_outside_the_years_and_in_the_dst_gap(
    client_as, coord_follo, network, areas, starts_at, message
):
    data = form_data(region=network.follo, areas=[areas[2]], starts_at=starts_at, ends_at="2021-12-31T23:00")
    response = client_as(coord_follo).post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["starts_at"])
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("value", ["99999999999999999999999", "true", "0x10", "😀", "-1", "1.0", "١"])
def test_create_refuses_ids_that_are_not_ids(client_as, coord_follo, network, areas, pupil_a, enrolment, value):
    """On SQLite an integer beyond 64 bits used to crash the query (OverflowError)."""
    client = client_as(coord_follo)
    data = form_data(region=network.follo, areas=[areas[2]], cooperation_areas=[value])
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["cooperation_areas"]
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": network.school_a, "pupils": 2, "named": [pupil_a]}],
    )
    data["deltakelse-0-named_pupils"] = [str(pupil_a.pk), value]
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert response.context["participations"].forms[0].errors["named_pupils"]
    for field in ("region", "venue", "host_school"):
        response = client.post(reverse("activities:create"), {**data, field: value})
        assert response.status_code == 200
        assert response.context["form"].errors[field]
    assert Activity.objects.count() == 0


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2020-13", "2020-00", "²⁰²⁰-01", "2020-1-1", "x" * 1000])
def test_calendar_ignores_an_unusable_month(client_as, coord_follo, network, month):
    response = client_as(coord_follo).get(reverse("activities:calendar"), {"maaned": month})
    assert response.status_code == 200
    assert response.context["month"].year in range(2000, 2101)


def test_calendar_opens_a_given_month(client_as, coord_follo, network):
    response = client_as(coord_follo).get(reverse("activities:calendar"), {"maaned": "2100-12"})
    assert response.context["month"] == datetime(2100, 12, 1).date()


@pytest.mark.parametrize("value", ["99999999999999999999999", "abc", "0", "²"])
def test_import_with_an_unusable_activity_id_is_not_found(client_as, coord_follo, network, value):
    response = client_as(coord_follo).get(reverse("activities:import"), {"aktivitet": value})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e309", "1e1", "2.5", "-3", "²", "100001"])
def test_import_preview_names_a_number_that_is_not_a_count(client_as, coord_follo, follo_activity, network, value):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.csv", f"skole;elever\nSkole A;{value}\n".encode(), content_type="text/csv")
    response = client_as(coord_follo).post(
        reverse("activities:import"), {"aktivitet": follo_activity.pk, "file": upload}
    )
    assert response.status_code == 200
    [row] = response.context["preview"].rows
    assert row.problems == [f"Ugyldig tall i «elever»: «{value}» (et helt tall fra 0 til 100\xa0000)."]
    assert response.context["payload"] is None


@pytest.mark.parametrize("url", ["activities:list", "activities:calendar", "activities:export"])
def test_a_search_of_100000_characters_is_refused_not_crashed(client_as, coord_follo, follo_activity, url):
    """SQLite refuses a LIKE pattern that long ("pattern too complex"); the filter stops at 200."""
    response = client_as(coord_follo).get(reverse(url), {"q": "x" * 100_000})
    assert response.status_code == 200
    if url != "activities:export":
        assert response.context["filter"].form.errors["q"]


def test_a_forged_row_count_draws_no_more_than_the_limit(client_as, coord_follo, network, areas):
    data = form_data(region=network.follo, areas=[areas[2]])
    data["deltakelse-TOTAL_FORMS"] = "99999"
    data["kostnad-TOTAL_FORMS"] = "99999"
    response = client_as(coord_follo).post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert len(response.context["participations"].forms) == 100
    assert len(response.context["costs"].forms) == 50
    assert Activity.objects.count() == 0


@pytest.mark.parametrize(
    "url_name",
    ["admin:activities_activity_add", "admin:activities_participation_add", "admin:activities_activitycost_add"],
)
def test_admin_cannot_write_around_the_activity_rules(client_as, follo_activity, url_name):
    """Activities are written in the portal (membership, enrolment, version, history); the admin
    only shows them, even to a superuser. Adding an interested school with 99 999 pupils there
    once succeeded."""
    from governance.tests.factories import UserFactory

    client = client_as(UserFactory(username="rot", is_staff=True, is_superuser=True))
    assert client.post(reverse(url_name), {"activity": follo_activity.pk, "pupils": "99999"}).status_code == 403
    change = reverse("admin:activities_activity_change", args=[follo_activity.pk])
    assert client.get(change).status_code == 200  # read-only, with a link to the portal's page
    assert client.post(change, {"title": "Endret i admin"}).status_code == 403
    follo_activity.refresh_from_db()
    assert (follo_activity.title, follo_activity.version) == ("Mesterklasse fiolin", 1)
    assert Participation.objects.filter(activity=follo_activity).count() == 1


def _preview(client, activity, text: str, name="d.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)
    return client.post(reverse("activities:import"), {"aktivitet": activity.pk, "file": upload})


def test_import_preview_made_before_an_edit_imports_nothing(client_as, coord_follo, follo_activity, network, areas):
    """A preview in one tab, a save in another, then "import all rows": the newer save stays."""
    client = client_as(coord_follo)
    preview = _preview(client, follo_activity, "skole;elever;lærere\nSkole A;3;1\n")
    saved = client.post(
        _edit_url(follo_activity),
        _edit_data(follo_activity, network, areas, version=1, title="Mesterklasse fiolin"),
    )
    assert saved.status_code == 302
    body = {"aktivitet": follo_activity.pk, "payload": preview.context["payload"], "form_token": form_token_new()}
    response = client.post(reverse("activities:import"), body, follow=True)
    assert "Ingenting er importert: aktiviteten er endret etter at du lastet opp filen." in response.content.decode()
    assert list(Participation.objects.values_list("pupils", "teachers")) == [(4, 1)]
    assert AuditEntry.objects.filter(action="participation_import").count() == 0


def test_import_reads_the_english_column_names_of_the_english_help_text(client_as, coord_follo, follo_activity):
    response = _preview(client_as(coord_follo), follo_activity, "school,pupils,teachers\nSkole A,3,1\n")
    [row] = response.context["preview"].rows
    assert (row.problems, row.values["pupils"], row.values["teachers"]) == ([], "3", "1")


def test_import_names_an_excel_formula_that_was_never_computed(client_as, coord_follo, follo_activity):
    """A file written by a script has formulas without values: not an empty cell, that is 0."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["skole", "elever", "lærere"])
    book.active.append(["Skole A", "=1+2", 2])
    content = io.BytesIO()
    book.save(content)
    response = _preview(client_as(coord_follo), follo_activity, content.getvalue(), name="d.xlsx")
    [row] = response.context["preview"].rows
    assert row.problems == ["Ugyldig tall i «elever»: «=1+2» (et helt tall fra 0 til 100\xa0000)."]
    assert response.context["payload"] is None


def test_import_refuses_a_file_of_more_than_5000_rows(client_as, coord_follo, follo_activity):
    text = "skole;elever\n" + "Skole A;1\n" * 5_001
    response = _preview(client_as(coord_follo), follo_activity, text)
    assert response.context["form"].errors["file"] == ["Filen har for mange rader (høyst 5\xa0000)."]


@pytest.mark.parametrize("prefix", ["deltakelse", "kostnad"])
def test_a_negative_row_count_deletes_nothing(client_as, coord_follo, follo_activity, network, areas, prefix):
    data = _edit_data(follo_activity, network, areas, version=1)
    data[f"{prefix}-TOTAL_FORMS"] = "-1"
    response = client_as(coord_follo).post(_edit_url(follo_activity), data)
    assert response.status_code == 200
    assert Participation.objects.filter(activity=follo_activity).count() == 1
    follo_activity.refresh_from_db()
    assert follo_activity.version == 1


def test_a_resubmitted_own_save_says_it_was_the_person(client_as, coord_follo, follo_activity, network, areas):
    client = client_as(coord_follo)
    data = _edit_data(follo_activity, network, areas, version=1, title="Første")
    assert client.post(_edit_url(follo_activity), data).status_code == 302
    again = client.post(_edit_url(follo_activity), data)
    assert again.context["conflict"]["message"] == (
        "Du har selv lagret aktiviteten etter at du åpnet dette skjemaet (i et annet vindu, eller ved å sende "
        "skjemaet to ganger)."
    )


def test_back_and_save_again_with_a_new_form_warns_of_the_activity_just_saved(client_as, coord_follo, network, areas):
    """The browser's Back fetches the form again (a new token) and restores what was typed:
    the second "Lagre" is caught by its content and asks before saving a second one."""
    client = client_as(coord_follo)
    first = client.post(reverse("activities:create"), form_data(region=network.follo, areas=[areas[2]]))
    original = Activity.objects.get()
    again = form_data(region=network.follo, areas=[areas[2]], title=" mesterklasse CELLO ")
    response = client.post(reverse("activities:create"), again)
    assert first.status_code == 302
    assert response.status_code == 200
    assert list(response.context["duplicates"]) == [original]
    html = response.content.decode()
    assert "Aktiviteten ser ut til å være ført allerede" in html
    assert f'href="{reverse("activities:detail", args=[original.pk])}"' in html
    assert 'name="confirm_duplicate"' in html
    assert Activity.objects.count() == 1

    confirmed = client.post(reverse("activities:create"), {**again, "confirm_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Activity.objects.count() == 2


def test_a_cancelled_activity_or_another_start_is_not_a_duplicate(client_as, coord_follo, network, areas):
    client = client_as(coord_follo)
    client.post(reverse("activities:create"), form_data(region=network.follo, areas=[areas[2]]))
    later = form_data(region=network.follo, areas=[areas[2]], starts_at="2019-11-16T10:00", ends_at="2019-11-16T15:00")
    assert client.post(reverse("activities:create"), later).status_code == 302
    services.activity_cancel(user=coord_follo, activity=Activity.objects.order_by("pk").first())
    same_as_cancelled = form_data(region=network.follo, areas=[areas[2]])
    assert client.post(reverse("activities:create"), same_as_cancelled).status_code == 302
    assert Activity.objects.count() == 3


def test_a_save_that_changes_nothing_keeps_the_version(client_as, coord_follo, follo_activity):
    """Pressing "Lagre" without a change must not turn everyone else's open form stale."""
    import lxml.html

    client = client_as(coord_follo)
    [form] = [f for f in lxml.html.fromstring(client.get(_edit_url(follo_activity)).content).forms if f.get("id")]
    drawn: dict[str, list[str]] = {}
    for name, value in form.form_values():
        drawn.setdefault(name, []).append(value)
    assert client.post(_edit_url(follo_activity), drawn).status_code == 302
    follo_activity.refresh_from_db()
    assert follo_activity.version == 1
    assert AuditEntry.objects.filter(action="activity_update").count() == 0


def test_import_of_a_file_with_headers_only_is_refused(client_as, coord_follo, follo_activity):
    response = _preview(client_as(coord_follo), follo_activity, "skole;elever;lærere\n")
    assert response.context["form"].errors["file"] == [
        "Filen har ingen rader under overskriftene: det er ingenting å importere."
    ]
    assert response.context.get("payload") is None


@pytest.mark.parametrize(
    ("month", "shown", "hidden"),
    [("2100-12", "Forrige måned", "Neste måned"), ("2000-01", "Neste måned", "Forrige måned")],
)
def test_calendar_offers_no_month_beyond_the_portals_years(client_as, coord_follo, network, month, shown, hidden):
    html = client_as(coord_follo).get(reverse("activities:calendar"), {"maaned": month}).content.decode()
    assert shown in html
    assert hidden not in html


def test_a_second_cancel_says_it_was_cancelled_already(client_as, coord_follo, follo_activity):
    client = client_as(coord_follo)
    url = reverse("activities:cancel", args=[follo_activity.pk])
    first = client.post(url, {"reason": "Sykdom"}, follow=True)
    second = client.post(url, {"reason": "Sykdom"}, follow=True)
    assert "Aktiviteten «Mesterklasse fiolin» er avlyst." in first.content.decode()
    assert "Aktiviteten var allerede avlyst." in second.content.decode()
    assert AuditEntry.objects.filter(action="activity_cancel").count() == 1
