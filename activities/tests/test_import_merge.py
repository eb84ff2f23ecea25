"""The participation import merges (issue 11): per school in the file only what the file gives
changes, named pupils are removed only with "Erstatt navngitte elever" (which lists them
first), the preview shows each school before → after exactly as the commit makes it, the
commit is audited, and the import page offers a template of each shape."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, note
from hypothesis import strategies as st

from activities.models import Participation
from activities.services import ImportedSchool, ParticipationData, participation_import_changes
from activities.tests.factories import ParticipationFactory
from core.forms import form_token_new
from core.tests.hostile import body, hostile_client, hostile_settings, send, snapshot
from governance.models import AuditEntry
from schools.tests.factories import EnrolmentFactory, PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db

AAS = "Kulturskolen i Ås"


@pytest.fixture
def aas(network, follo_activity, enrolment):
    """Kulturskolen i Ås on the Follo activity: 5 pupils, 1 teacher, 2 of them named."""
    school = SchoolFactory(name=AAS, slug="kulturskolen-i-as", region=network.follo)
    EnrolmentFactory(school=school, school_year=2019, pupils=40)
    nora = PupilFactory(first_name="Nora", last_name="Haugen", birth_year=2006, schools=[school])
    emil = PupilFactory(first_name="Emil", last_name="Lund", birth_year=2006, schools=[school])
    PupilFactory(first_name="Sara", last_name="Moe", birth_year=2007, schools=[school])
    PupilFactory(first_name="Jonas", last_name="Dahl", birth_year=2005, schools=[school])
    participation = ParticipationFactory(activity=follo_activity, school=school, pupils=5, teachers=1)
    participation.named_pupils.set([nora, emil])
    return school


def _upload(text: str, name: str = "deltakelse.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _preview(client, activity, text: str, name: str = "deltakelse.csv"):
    return client.post(reverse("activities:import"), {"aktivitet": activity.pk, "file": _upload(text, name)})


def _commit(client, activity, payload: str, *, replace: bool = False):
    data = {"aktivitet": activity.pk, "payload": payload, "form_token": form_token_new()}
    if replace:
        data["erstatt"] = "1"
    return client.post(reverse("activities:import"), data)


def _show_replace(client, activity, payload: str):
    return client.post(
        reverse("activities:import"), {"aktivitet": activity.pk, "payload": payload, "erstatt": "1", "vis": "1"}
    )


def _state(activity) -> dict[str, tuple[int, int, list[str]]]:
    return {
        p.school.name: (p.pupils, p.teachers, sorted(f"{x.first_name} {x.last_name}" for x in p.named_pupils.all()))
        for p in Participation.objects.filter(activity=activity).select_related("school")
    }


PER_PUPIL = f"skole;fornavn;etternavn;fødselsår\n{AAS};Sara;Moe;2007\n{AAS};Emil;Lund;2006\n"
PER_SCHOOL = f"skole;elever;lærere\n{AAS};6;2\n"


def test_per_pupil_file_adds_named_pupils_and_keeps_the_figures(client_as, coord_follo, follo_activity, aas):
    """Issue 11: it left Ås with 2 pupils and 0 teachers."""
    client = client_as(coord_follo)
    response = _preview(client, follo_activity, PER_PUPIL)
    assert response.context["payload"]
    _commit(client, follo_activity, response.context["payload"])
    assert _state(follo_activity) == {
        AAS: (5, 1, ["Emil Lund", "Nora Haugen", "Sara Moe"]),
        "Skole A": (4, 1, []),
    }


def test_per_school_file_afterwards_keeps_the_named_pupils(client_as, coord_follo, follo_activity, aas):
    """Issue 11: the per-school file removed every named pupil of its schools."""
    client = client_as(coord_follo)
    _commit(client, follo_activity, _preview(client, follo_activity, PER_PUPIL).context["payload"])
    follo_activity.refresh_from_db()
    _commit(client, follo_activity, _preview(client, follo_activity, PER_SCHOOL).context["payload"])
    assert _state(follo_activity) == {
        AAS: (6, 2, ["Emil Lund", "Nora Haugen", "Sara Moe"]),
        "Skole A": (4, 1, []),
    }


def test_more_pupils_named_than_counted_raises_the_count_but_never_lowers_it(
    client_as, coord_follo, follo_activity, aas
):
    text = f"skole;fornavn;etternavn\n{AAS};Sara;Moe\n{AAS};Jonas;Dahl\n{AAS};Nora;Haugen\n"
    client = client_as(coord_follo)
    Participation.objects.filter(school=aas).update(pupils=2)
    _commit(client, follo_activity, _preview(client, follo_activity, text).context["payload"])
    assert _state(follo_activity)[AAS] == (4, 1, ["Emil Lund", "Jonas Dahl", "Nora Haugen", "Sara Moe"])


def test_an_empty_count_keeps_the_figure(client_as, coord_follo, follo_activity, aas):
    client = client_as(coord_follo)
    _commit(
        client, follo_activity, _preview(client, follo_activity, f"skole;elever;lærere\n{AAS};;3\n").context["payload"]
    )
    assert _state(follo_activity)[AAS] == (5, 3, ["Emil Lund", "Nora Haugen"])


def test_a_count_below_the_named_pupils_is_a_problem_of_its_row(client_as, coord_follo, follo_activity, aas):
    response = _preview(client_as(coord_follo), follo_activity, f"skole;elever;lærere\n{AAS};1;1\n")
    assert [(row.number, row.problems) for row in response.context["preview"].rows] == [
        (2, ["Flere navngitte elever (2) enn elever (1)."])
    ]
    assert response.context["payload"] is None


def test_preview_shows_each_school_before_and_after(client_as, coord_follo, follo_activity, aas, network):
    text = f"skole;elever;lærere;fornavn;etternavn;fødselsår\n{AAS};;;Sara;Moe;2007\nSkole A2;3;1;;;\n"
    response = _preview(client_as(coord_follo), follo_activity, text)
    preview = response.context["preview"]
    assert [
        (
            change.school.name,
            change.before and (change.before.pupils, change.before.teachers, len(change.before.named_pupils)),
            (change.after.pupils, change.after.teachers, len(change.after.named_pupils)),
            [str(p) for p in change.added],
            [str(p) for p in change.removed],
        )
        for change in preview.changes
    ] == [
        (AAS, (5, 1, 2), (5, 1, 3), ["Sara Moe (2007)"], []),
        ("Skole A2", None, (3, 1, 0), [], []),
    ]
    html = response.content.decode()
    table = html[html.index('id="import-changes"') : html.index("</table>", html.index('id="import-changes"'))]
    assert "Før og etter importen, per skole i filen" in table
    assert 'data-school="kulturskolen-i-as"' in table
    assert '<span class="before">5</span> → <strong class="after">5</strong>' in table
    assert '<span class="before">2</span> → <strong class="after">3</strong>' in table
    assert "Legges til: Sara Moe (2007)" in table
    assert '<span class="before">–</span> → <strong class="after">3</strong>' in table  # Skole A2 is new
    assert "1 annen skole på aktiviteten står ikke i filen og beholder sin deltakelse." in html
    assert "Navngitte elever som ikke står i filen, beholdes." in html
    assert "Fjernes:" not in html
    assert "Importer alle radene" in html


def test_replace_lists_who_is_removed_and_removes_exactly_them(client_as, coord_follo, follo_activity, aas):
    client = client_as(coord_follo)
    first = _preview(client, follo_activity, f"skole;fornavn;etternavn\n{AAS};Sara;Moe\n{AAS};Emil;Lund\n")
    response = _show_replace(client, follo_activity, first.context["payload"])
    preview = response.context["preview"]
    assert preview.replace
    assert [(c.school.name, [str(p) for p in c.removed]) for c in preview.removed] == [(AAS, ["Nora Haugen (2006)"])]
    html = response.content.decode()
    removed = html[html.index('id="import-removed"') : html.index("</div>", html.index('id="import-removed"'))]
    assert "Disse navngitte elevene fjernes:" in removed
    assert f"<strong>{AAS}:</strong> Nora Haugen (2006)" in removed
    assert 'id="id_erstatt" checked' in html

    _commit(client, follo_activity, response.context["payload"], replace=True)
    assert _state(follo_activity) == {AAS: (5, 1, ["Emil Lund", "Sara Moe"]), "Skole A": (4, 1, [])}
    assert "navngitte elever erstattet" in AuditEntry.objects.get(action="participation_import").comment


def test_replace_touches_only_the_schools_in_the_file(client_as, coord_follo, follo_activity, aas, network):
    pupil = PupilFactory(first_name="Ingrid", last_name="Berg", schools=[network.school_a])
    Participation.objects.get(activity=follo_activity, school=network.school_a).named_pupils.set([pupil])
    client = client_as(coord_follo)
    first = _preview(client, follo_activity, f"skole;elever;lærere\n{AAS};6;1\n")
    response = _show_replace(client, follo_activity, first.context["payload"])
    assert [c.school.name for c in response.context["preview"].removed] == [AAS]
    _commit(client, follo_activity, response.context["payload"], replace=True)
    assert _state(follo_activity) == {AAS: (6, 1, []), "Skole A": (4, 1, ["Ingrid Berg"])}


def test_ticking_replace_on_commit_without_seeing_it_shows_the_preview_first(
    client_as, coord_follo, follo_activity, aas
):
    client = client_as(coord_follo)
    first = _preview(client, follo_activity, f"skole;fornavn;etternavn\n{AAS};Sara;Moe\n")
    response = _commit(client, follo_activity, first.context["payload"], replace=True)
    assert response.status_code == 200
    assert response.context["preview"].replace
    assert [str(m) for m in response.context["messages"]] == ["Se over hva valget ditt endrer før du importerer."]
    assert _state(follo_activity)[AAS] == (5, 1, ["Emil Lund", "Nora Haugen"])  # nothing imported yet
    assert not AuditEntry.objects.filter(action="participation_import").exists()


def test_commit_is_audited_with_file_rows_and_totals(client_as, coord_follo, follo_activity, aas):
    client = client_as(coord_follo)
    text = f"skole;elever;lærere;fornavn;etternavn\n{AAS};;;Sara;Moe\nSkole A;7;2;;\n"
    _commit(client, follo_activity, _preview(client, follo_activity, text, name="ås-høst.csv").context["payload"])
    entry = AuditEntry.objects.get(action="participation_import")
    assert entry.actor == coord_follo
    assert entry.comment == (
        "Deltakelse importert fra «ås-høst.csv» (2 rader, 2 skoler): "
        f"{AAS}: 5 elever, 1 lærer, 2 navngitte → 5 elever, 1 lærer, 3 navngitte; "
        "Skole A: 4 elever, 1 lærer, 0 navngitte → 7 elever, 2 lærere, 0 navngitte."
    )
    old, new = entry.changes["participations"]
    assert "Skole A: 4 elever, 1 lærer" in old
    assert "Skole A: 7 elever, 2 lærere" in new


def test_committed_equals_the_preview_after(client_as, coord_follo, follo_activity, aas):
    client = client_as(coord_follo)
    text = f"skole;elever;lærere;fornavn;etternavn\n{AAS};;2;Jonas;Dahl\nSkole A2;3;;;\n"
    preview = _preview(client, follo_activity, text).context
    _commit(client, follo_activity, preview["payload"])
    assert _rows(follo_activity) == _expected(preview["preview"].after)


def test_the_one_rule_without_a_database(network):
    """participation_import_changes alone: merge, raise, keep, replace."""
    a, b = PupilFactory.build(pk=1), PupilFactory.build(pk=2)
    current = [ParticipationData(school=network.school_a, pupils=5, teachers=1, named_pupils=[a])]
    changes, after = participation_import_changes(
        current=current, imported=[ImportedSchool(school=network.school_a, named_pupils=[a, b])]
    )
    assert (after[0].pupils, after[0].teachers, after[0].named_pupils) == (5, 1, [a, b])
    assert changes[0].added == [b] and changes[0].removed == []
    changes, after = participation_import_changes(
        current=current, imported=[ImportedSchool(school=network.school_a, pupils=2, named_pupils=[b])], replace=True
    )
    assert (after[0].pupils, after[0].teachers, after[0].named_pupils) == (2, 1, [b])
    assert changes[0].removed == [a]


# -- the templates -------------------------------------------------------------------------------

TEMPLATES = [
    ("skoler", ["skole", "elever", "lærere"], ["Eksempel kulturskole", "12", "2"]),
    ("elever", ["skole", "fornavn", "etternavn", "fødselsår"], ["Eksempel kulturskole", "Kari", "Nordmann", "2008"]),
]


@pytest.mark.parametrize(("shape", "header", "example"), TEMPLATES)
def test_csv_template_has_the_headers_and_one_example_row(client_as, coord_follo, shape, header, example):
    response = client_as(coord_follo).get(reverse("activities:import-template", args=[shape, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="deltakelse-mal-{shape}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [header, example]
    assert text.splitlines()[0] == ";".join(header)


@pytest.mark.parametrize(("shape", "header", "example"), TEMPLATES)
def test_xlsx_template_has_the_headers_and_one_example_row(client_as, coord_follo, shape, header, example):
    response = client_as(coord_follo).get(reverse("activities:import-template", args=[shape, "xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [header, [int(v) if v.isdigit() else v for v in example]]


def test_the_import_page_links_the_four_templates(client_as, coord_follo, follo_activity):
    html = client_as(coord_follo).get(f"{reverse('activities:import')}?aktivitet={follo_activity.pk}").content.decode()
    for shape in ("skoler", "elever"):
        for file_format in ("csv", "xlsx"):
            assert f'href="{reverse("activities:import-template", args=[shape, file_format])}"' in html


def test_templates_are_refused_to_a_rector_and_the_anonymous(client, client_as, rector_a):
    url = reverse("activities:import-template", args=["skoler", "xlsx"])
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    assert client_as(rector_a).get(url).status_code == 403
    assert client_as(rector_a).get(reverse("activities:import")).status_code == 403  # the same rule as the import


def test_an_unknown_template_is_not_found(client_as, coord_follo):
    client = client_as(coord_follo)
    assert client.get(reverse("activities:import-template", args=["laerere", "csv"])).status_code == 404
    assert client.get(reverse("activities:import-template", args=["skoler", "pdf"])).status_code == 404


# -- a property: what the preview says is what the commit does -----------------------------------


def _rows(activity) -> set:
    return {
        (p.school_id, p.pupils, p.teachers, frozenset(p.named_pupils.values_list("pk", flat=True)))
        for p in Participation.objects.filter(activity=activity)
    }


def _expected(after) -> set:
    return {(p.school.pk, p.pupils, p.teachers, frozenset(x.pk for x in p.named_pupils)) for p in after}


# Rows that fit, distinct (so that most examples commit), and now and then a row that may not:
# an unknown school or pupil, a bad count, more pupils than the school has, a pupil of another
# school, a school or pupil twice. Fewer pupils counted than named comes up by itself.
SCHOOLS = [AAS, "Skole A", "skole-a2", "Skole B"]
COUNTS = ["", "0", "1", "3", "5", "6", "12"]
PUPIL_ROWS = [
    [AAS, "", "", "Nora", "Haugen", "2006"],
    [AAS, "", "", "Emil", "Lund", ""],
    [AAS, "", "", "Sara", "Moe", "2007"],
    [AAS, "", "", "Jonas", "Dahl", "2005"],
    ["Skole A", "", "", "Ingrid", "Berg", ""],
]
GOOD_ROW = st.one_of(
    st.tuples(st.sampled_from(SCHOOLS), st.sampled_from(COUNTS), st.sampled_from(COUNTS)).map(
        lambda r: [r[0], r[1], r[2], "", "", ""]
    ),
    st.sampled_from(PUPIL_ROWS),
)
ANY_ROW = st.one_of(
    GOOD_ROW,
    st.tuples(
        st.sampled_from([*SCHOOLS, "Skole Ukjent"]), st.sampled_from([*COUNTS, "45", "x"]), st.sampled_from(COUNTS)
    ).map(lambda r: [r[0], r[1], r[2], "", "", ""]),
    st.sampled_from([["Skole A", "", "", "Nora", "Haugen", ""], [AAS, "", "", "Ukjent", "Person", ""]]),
)
ROWS = st.builds(
    lambda good, other: good + other,
    st.lists(GOOD_ROW, min_size=1, max_size=5, unique_by=lambda r: (r[0].casefold(), r[3])),
    st.lists(ANY_ROW, max_size=1),
)


@pytest.fixture
def merge_world(network, follo_activity, aas, coord_follo):
    PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[network.school_a])
    return {"activity": follo_activity, "client": hostile_client(coord_follo)}


@hostile_settings(25)
@given(rows=ROWS, replace=st.booleans())
def test_after_the_commit_the_participation_is_the_previews_after(merge_world, rows, replace):
    activity, client = merge_world["activity"], merge_world["client"]
    activity.refresh_from_db()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["skole", "elever", "lærere", "fornavn", "etternavn", "fødselsår"])
    writer.writerows(rows)
    note(out.getvalue())
    url = reverse("activities:import")
    before = snapshot(Participation, Participation.named_pupils.through, AuditEntry)
    upload = SimpleUploadedFile("d.csv", out.getvalue().encode())
    response = send(client, "post", url, {"aktivitet": activity.pk, "file": upload})
    assert response.status_code == 200, body(response)[:500]
    preview = response.context["preview"]
    assert snapshot(Participation, Participation.named_pupils.through, AuditEntry) == before
    if preview.has_problems:
        assert response.context["payload"] is None
        return
    if replace:
        response = send(
            client,
            "post",
            url,
            {"aktivitet": activity.pk, "payload": response.context["payload"]}
            | {
                "erstatt": "1",
                "vis": "1",
            },
        )
        preview = response.context["preview"]
        assert preview.replace
    expected = _expected(preview.after)
    data = {"aktivitet": activity.pk, "payload": response.context["payload"], "form_token": form_token_new()}
    if replace:
        data["erstatt"] = "1"
    response = send(client, "post", url, data)
    assert response.status_code == 302, [str(m) for m in response.wsgi_request._messages]
    assert response.url == reverse("activities:detail", args=[activity.pk])
    assert _rows(activity) == expected
