"""Participation import: a preview of every row with its problem, and a commit of an
error-free file only, all rows or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from activities.models import Participation
from core.forms import form_token_new
from governance.models import AuditEntry
from schools.models import Membership
from schools.tests.factories import PupilFactory, SchoolFactory


@pytest.fixture
def pupils(network):
    return [
        PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[network.school_a]),
        PupilFactory(first_name="Jonas", last_name="Dahl", birth_year=2005, schools=[network.school_a]),
    ]


def _csv(text: str, name="deltakelse.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _xlsx(rows, name="deltakelse.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _preview(client, activity, upload):
    return client.post(reverse("activities:import"), {"aktivitet": activity.pk, "file": upload})


def _commit(client, activity, payload, token=None):
    return client.post(
        reverse("activities:import"),
        {"aktivitet": activity.pk, "payload": payload, "form_token": token or form_token_new()},
    )


GOOD_CSV = (
    "skole;elever;lærere;fornavn;etternavn;fødselsår\n"
    "Skole A2;3;1;;;\n"
    "Skole A;;;Ingrid;Berg;2006\n"
    "skole-a;;;Jonas;Dahl;\n"
)


def test_good_csv_previews_and_commits_every_row(client_as, coord_follo, follo_activity, enrolment, pupils):
    client = client_as(coord_follo)
    response = _preview(client, follo_activity, _csv(GOOD_CSV))
    preview = response.context["preview"]
    assert [(row.number, row.problems) for row in preview.rows] == [
        (2, []),
        (3, []),
        (4, []),
    ]
    assert response.context["payload"]
    assert Participation.objects.filter(activity=follo_activity).count() == 1  # nothing written by the preview

    response = _commit(client, follo_activity, response.context["payload"])
    assert response.status_code == 302
    assert response.url == reverse("activities:detail", args=[follo_activity.pk])
    rows = {
        p.school.name: (p.pupils, p.teachers, sorted(str(x) for x in p.named_pupils.all()))
        for p in follo_activity.participations.all()
    }
    # The import merges: Skole A had 4 pupils and 1 teacher; the two named pupils are added and
    # its figures stay (they were replaced by 2 and 0 before issue 11).
    assert rows == {
        "Skole A": (4, 1, ["Ingrid Berg (2006)", "Jonas Dahl (2005)"]),
        "Skole A2": (3, 1, []),
    }
    entry = AuditEntry.objects.get(action="participation_import")
    assert entry.actor == coord_follo


def test_file_with_one_bad_row_commits_nothing_and_names_the_row(client_as, coord_follo, follo_activity, pupils):
    client = client_as(coord_follo)
    text = "skole,elever,lærere\nSkole A,5,1\nSkole A2,tre,0\n"
    response = _preview(client, follo_activity, _csv(text))
    preview = response.context["preview"]
    assert [(row.number, row.problems) for row in preview.rows] == [
        (2, []),
        (3, ["Ugyldig tall i «elever»: «tre» (et helt tall fra 0 til 100\xa0000)."]),
    ]
    assert response.context["payload"] is None
    html = response.content.decode()
    assert '<tr class="table-danger" data-row="3">' in html
    assert 'id="commit-import"' not in html
    assert list(follo_activity.participations.values_list("school__name", "pupils")) == [("Skole A", 4)]


def test_preview_names_each_kind_of_problem(client_as, coord_follo, follo_activity, network, enrolment, pupils):
    SchoolFactory(name="Skole I", region=network.follo, membership=Membership.Status.INTERESTED)
    text = (
        "skole;elever;lærere;fornavn;etternavn;fødselsår\n"
        "Nordpolen skole;1;0;;;\n"  # 2 unknown school (no near miss)
        "Skole A;;;Per;Ukjent;2006\n"  # 3 unknown pupil
        "Skole A;-2;0;;;\n"  # 4 bad number
        "Skole A;3;0;;;\n"  # 5 duplicate school
        "Skole A;;;Ingrid;Berg;2006\n"  # 6 fine
        "Skole A;;;Ingrid;Berg;2006\n"  # 7 duplicate pupil
        "Skole I;1;0;;;\n"  # 8 interested school
        "Skole A2;31;0;;;\n"  # 9 more than enrolment
    )
    preview = _preview(client_as(coord_follo), follo_activity, _csv(text)).context["preview"]
    assert {row.number: row.problems for row in preview.rows} == {
        2: ["Ukjent skole: «Nordpolen skole»."],
        3: ["Ukjent elev ved Skole A: «Per Ukjent»."],
        4: ["Ugyldig tall i «elever»: «-2» (et helt tall fra 0 til 100\xa0000)."],
        5: ["Duplikat: skolen står allerede på rad 4."],
        6: [],
        7: ["Duplikat: eleven står allerede på rad 6."],
        8: ["Skole I er ikke medlem eller pilot i UngMusikk på aktivitetens dato (12.10.2019)."],
        9: ["Skole A2 har bare 30 elever dette skoleåret."],
    }


def test_good_xlsx_commits_every_row(client_as, coord_follo, follo_activity, enrolment, pupils):
    client = client_as(coord_follo)
    upload = _xlsx([["Skole", "Elever", "Lærere"], ["Skole A", 6, 2], ["Skole A2", 4, 1]])
    response = _preview(client, follo_activity, upload)
    assert [row.problems for row in response.context["preview"].rows] == [[], []]
    _commit(client, follo_activity, response.context["payload"])
    assert sorted(follo_activity.participations.values_list("school__name", "pupils", "teachers")) == [
        ("Skole A", 6, 2),
        ("Skole A2", 4, 1),
    ]


def test_xlsx_with_one_bad_row_commits_nothing(client_as, coord_follo, follo_activity, enrolment, pupils):
    upload = _xlsx([["skole", "elever", "lærere"], ["Skole A", 6, 2], ["Skole Ukjent", 4, 1]])
    response = _preview(client_as(coord_follo), follo_activity, upload)
    assert [(row.number, row.problems) for row in response.context["preview"].rows] == [
        (2, []),
        (3, ["Ukjent skole: «Skole Ukjent»."]),
    ]
    assert response.context["payload"] is None
    assert list(follo_activity.participations.values_list("school__name", "pupils")) == [("Skole A", 4)]


def test_commit_refuses_a_tampered_payload(client_as, coord_follo, follo_activity):
    response = _commit(client_as(coord_follo), follo_activity, "ikke-signert")
    assert response.status_code == 302
    assert list(follo_activity.participations.values_list("school__name", "pupils")) == [("Skole A", 4)]


def test_commit_revalidates_and_commits_nothing_when_the_network_changed(
    client_as, coord_follo, follo_activity, network, enrolment
):
    client = client_as(coord_follo)
    response = _preview(client, follo_activity, _csv("skole,elever\nSkole A,2\nSkole A2,3\n"))
    Membership.objects.filter(school=network.school_a2).update(status=Membership.Status.INTERESTED)
    _commit(client, follo_activity, response.context["payload"])
    assert list(follo_activity.participations.values_list("school__name", "pupils")) == [("Skole A", 4)]


def test_commit_after_a_named_pupil_was_deleted_imports_nothing_and_says_why(
    client_as, coord_follo, follo_activity, enrolment, pupils
):
    """The pupil of a preview deleted before its commit (in the admin): a clear message, no 500."""
    client = client_as(coord_follo)
    response = _preview(client, follo_activity, _csv(GOOD_CSV))
    pupils[0].delete()

    response = _commit(client, follo_activity, response.context["payload"])

    assert response.status_code == 302
    assert list(follo_activity.participations.values_list("school__name", "pupils")) == [("Skole A", 4)]
    shown = [str(m) for m in response.wsgi_request._messages]
    assert shown == [
        "Ingenting er importert: en skole eller elev i filen er slettet etter at du lastet opp filen. "
        "Last opp filen på nytt."
    ]


def test_unreadable_file_is_an_error_at_the_field(client_as, coord_follo, follo_activity):
    response = _preview(client_as(coord_follo), follo_activity, _csv("navn,alder\nx,1\n"))
    assert response.context["form"].errors == {"file": ["Filen mangler kolonnen «skole» i første rad."]}


def test_wrong_file_type_is_refused(client_as, coord_follo, follo_activity):
    response = _preview(client_as(coord_follo), follo_activity, _csv("skole\n", name="liste.pdf"))
    assert response.context["form"].errors == {"file": ["Filen må være en CSV-fil eller en Excel-fil (.xlsx)."]}
