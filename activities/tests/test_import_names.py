"""The participation import names a pupil only at a school whose pupils' names the importer
may see (the one rule, `selectors.pupil_names_visible`): the school's rector, its region's
coordinator, central staff. Elsewhere a pupil row is refused with one message, for a pupil in
the register and one who is not (the import must not tell who exists), without «Registrer
eleven»; the school's counts still import. The commit (`services.participation_import`)
refuses such names too, so a payload the preview did not sign for the person names nobody."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from activities import services
from activities.imports import SIGNING_SALT
from activities.models import Participation
from activities.services import ImportedSchool
from core.forms import form_token_new
from core.tests.hostile import hostile_client, hostile_settings, hostile_value, send
from governance.models import AuditEntry
from schools.tests.factories import PupilFactory

IMPORT = reverse("activities:import")
HEADER = "skole;fornavn;etternavn;fødselsår\n"


def _refused(row: int, school: str) -> str:
    return (
        f"Rad {row}: Du kan ikke navngi elever ved {school}. Be skolens rektor eller regionens koordinator om å "
        "føre dem."
    )


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("elever.csv", text.encode("utf-8"), content_type="text/csv")


def _preview(client, activity, text: str):
    return client.post(IMPORT, {"aktivitet": activity.pk, "file": _upload(text)})


def _commit(client, activity, payload: str, **extra):
    data = {"aktivitet": activity.pk, "payload": payload, "form_token": form_token_new(), **extra}
    return client.post(IMPORT, data, follow=True)


def _rows(activity) -> dict[str, tuple[int, int, list[str]]]:
    return {
        p.school.name: (p.pupils, p.teachers, sorted(str(pupil) for pupil in p.named_pupils.all()))
        for p in activity.participations.select_related("school").prefetch_related("named_pupils")
    }


ROMERIKE_BEFORE = {"Skole B": (6, 2, [])}


def test_another_regions_coordinator_may_not_name_a_pupil_known_or_not(
    client_as, coord_romerike, romerike_activity, pupil_a, enrolment
):
    # The tester's case: Ingrid Berg (2006) is a pupil of Skole A (Follo); "Ingrd" is nobody.
    text = HEADER + "Skole A;Ingrid;Berg;2006\nSkole A;Ingrd;Berg;2006\n"
    response = _preview(client_as(coord_romerike), romerike_activity, text)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(row.number, row.problems, row.pupil, row.unknown_pupil) for row in preview.rows] == [
        (2, [_refused(2, "Skole A")], None, False),
        (3, [_refused(3, "Skole A")], None, False),
    ]
    assert response.context["payload"] is None
    assert response.context["registrations"] == []
    html = response.content.decode()
    assert "Registrer eleven" not in html
    assert 'id="commit-import"' not in html
    assert "Ukjent elev" not in html
    assert _rows(romerike_activity) == ROMERIKE_BEFORE


def test_school_rows_of_such_a_school_still_import(client_as, coord_romerike, romerike_activity, network, enrolment):
    client = client_as(coord_romerike)
    response = _preview(client, romerike_activity, "skole;elever;lærere\nSkole A;3;1\n")
    assert [row.problems for row in response.context["preview"].rows] == [[]]
    response = _commit(client, romerike_activity, response.context["payload"])
    assert response.status_code == 200
    assert _rows(romerike_activity) == {**ROMERIKE_BEFORE, "Skole A": (3, 1, [])}


def test_replacing_named_pupils_keeps_those_the_importer_may_not_see(
    client_as, coord_romerike, romerike_activity, pupil_a, network, enrolment
):
    """«Erstatt navngitte elever» with a school-only row would remove the pupils named at a
    school whose names the importer cannot see: they are kept, as the form keeps them."""
    Participation.objects.create(activity=romerike_activity, school=network.school_a, pupils=2).named_pupils.set(
        [pupil_a]
    )
    client = client_as(coord_romerike)
    first = _preview(client, romerike_activity, "skole;elever;lærere\nSkole A;3;1\n")
    assert first.context["preview"].replace_would_remove == []
    response = client.post(
        IMPORT, {"aktivitet": romerike_activity.pk, "payload": first.context["payload"], "erstatt": "1", "vis": "1"}
    )
    preview = response.context["preview"]
    assert preview.replace and [change.removed for change in preview.changes] == [[]]
    response = _commit(client, romerike_activity, response.context["payload"], erstatt="1")
    assert response.status_code == 200
    assert _rows(romerike_activity)["Skole A"] == (3, 1, [str(pupil_a)])


def test_a_pupil_row_beside_a_school_row_is_still_refused(
    client_as, coord_romerike, romerike_activity, pupil_a, enrolment
):
    text = "skole;elever;lærere;fornavn;etternavn;fødselsår\nSkole A;3;1;;;\nSkole A;;;Ingrid;Berg;2006\n"
    response = _preview(client_as(coord_romerike), romerike_activity, text)
    assert [row.problems for row in response.context["preview"].rows] == [[], [_refused(3, "Skole A")]]
    assert response.context["payload"] is None


@pytest.mark.parametrize(
    ("who", "activity"), [("coord_follo", "follo_activity"), ("daily_leader", "romerike_activity")]
)
def test_the_schools_own_coordinator_and_central_staff_name_the_pupil(
    request, client_as, pupil_a, enrolment, who, activity
):
    user, activity = request.getfixturevalue(who), request.getfixturevalue(activity)
    client = client_as(user)
    response = _preview(client, activity, HEADER + "Skole A;Ingrid;Berg;2006\n")
    assert [(row.problems, row.pupil) for row in response.context["preview"].rows] == [([], pupil_a)]
    response = _commit(client, activity, response.context["payload"])
    assert response.status_code == 200
    assert _rows(activity)["Skole A"][2] == ["Ingrid Berg (2006)"]
    assert AuditEntry.objects.get(action="participation_import").actor == user


def test_the_schools_own_coordinator_is_told_of_an_unknown_pupil(client_as, coord_follo, follo_activity, pupil_a):
    response = _preview(client_as(coord_follo), follo_activity, HEADER + "Skole A;Ingrd;Berg;2006\n")
    row = response.context["preview"].rows[0]
    assert (row.problems, row.unknown_pupil) == (["Ukjent elev ved Skole A: «Ingrd Berg»."], True)


def _forged_payload(activity, pupil, school) -> str:
    return signing.dumps(
        {
            "activity": activity.pk,
            "version": activity.version,
            "file": "elever.csv",
            "rows": 1,
            "replace": False,
            "schools": [{"school": school.pk, "pupils": None, "teachers": None, "named": [pupil.pk]}],
        },
        salt=SIGNING_SALT,
        compress=True,
    )


REFUSED_COMMIT = (
    "Ingenting er importert: Du kan ikke navngi elever ved Skole A. Be skolens rektor eller regionens koordinator "
    "om å føre dem."
)


def test_a_forged_confirm_post_names_nobody(client_as, coord_romerike, romerike_activity, pupil_a, network, enrolment):
    client = client_as(coord_romerike)
    payload = _forged_payload(romerike_activity, pupil_a, network.school_a)
    response = _commit(client, romerike_activity, payload)
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [REFUSED_COMMIT]
    assert _rows(romerike_activity) == ROMERIKE_BEFORE
    assert not AuditEntry.objects.filter(action="participation_import").exists()
    # «Vis endringene» on it: the problem, and nothing to import.
    response = _commit(client, romerike_activity, payload, vis="1")
    assert response.context["preview"].other_problems == [REFUSED_COMMIT.removeprefix("Ingenting er importert: ")]
    assert response.context["payload"] is None
    assert 'id="commit-import"' not in response.content.decode()


def test_a_payload_signed_for_central_staff_names_nobody_for_another_region(
    client_as, daily_leader, coord_romerike, romerike_activity, pupil_a, enrolment
):
    preview = _preview(client_as(daily_leader), romerike_activity, HEADER + "Skole A;Ingrid;Berg;2006\n")
    payload = preview.context["payload"]
    response = _commit(client_as(coord_romerike), romerike_activity, payload)
    assert [str(message) for message in response.context["messages"]] == [REFUSED_COMMIT]
    assert _rows(romerike_activity) == ROMERIKE_BEFORE


def test_the_service_refuses_names_it_may_not_see(coord_romerike, romerike_activity, pupil_a, network):
    with pytest.raises(ValidationError) as refused:
        services.participation_import(
            user=coord_romerike,
            activity=romerike_activity,
            participations=[ImportedSchool(school=network.school_a, named_pupils=[pupil_a])],
            expected_version=romerike_activity.version,
        )
    assert refused.value.messages == [REFUSED_COMMIT.removeprefix("Ingenting er importert: ")]
    assert _rows(romerike_activity) == ROMERIKE_BEFORE


# -- property: hostile pupil rows never give a 500 and never name a pupil outside the rule

SCHOOL_CELLS = ["Skole A", "skole-a", " SKOLE A ", "Skole  A", "Skole A2", "skole-a2", "Skole B", "skole-b"]
FIRST_NAMES = ["Ingrid", "INGRID", " ingrid ", "Jonas", "Kari", "Ingrd"]
LAST_NAMES = ["Berg", "berg", "Dahl", "Nordmann"]
YEARS = ["2006", "2005", "2008", "", "2006.0", "2 006", "nan"]


def _cell(values):
    return st.one_of(st.sampled_from(values), hostile_value().map(lambda value: value[:200]))


pupil_rows = st.lists(
    st.tuples(_cell(SCHOOL_CELLS), _cell(FIRST_NAMES), _cell(LAST_NAMES), _cell(YEARS)), min_size=1, max_size=6
)


def _csv_file(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADER.strip().split(";"), *rows])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def register(network):
    return [
        PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[network.school_a]),
        PupilFactory(first_name="Jonas", last_name="Dahl", birth_year=2005, schools=[network.school_a2]),
        PupilFactory(first_name="Kari", last_name="Nordmann", birth_year=2008, schools=[network.school_b]),
        PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[network.school_b]),
    ]


@hostile_settings(40)
@given(rows=pupil_rows)
@example(rows=[("Skole A", "Ingrid", "Berg", "2006"), ("Skole B", "Kari", "Nordmann", "2008")])
@example(rows=[("skole-a2", "JONAS", "dahl", ""), ("Skole A", "Ingrd", "Berg", "2006")])
def test_hostile_pupil_rows_name_nobody_outside_the_rule(coord_romerike, romerike_activity, network, register, rows):
    client = hostile_client(coord_romerike)
    upload = SimpleUploadedFile("elever.csv", _csv_file(rows), content_type="text/csv")
    response = send(client, "post", IMPORT, {"aktivitet": romerike_activity.pk, "file": upload})
    assert response.status_code == 200
    preview = response.context.get("preview")
    if preview is None:
        return  # the file was refused as a whole (no pupil row read)
    for row in preview.rows:
        if row.school is None or coord_romerike.has_perm("schools.view_pupil_names", row.school):
            continue
        assert row.pupil is None
        assert not row.unknown_pupil
        if row.values.get("first_name") or row.values.get("last_name"):
            assert _refused(row.number, row.school.name) in row.problems
        assert not any(problem.startswith(("Ukjent elev", "Flere elever")) for problem in row.problems)
    hidden = {
        row.school.pk
        for row in preview.rows
        if row.school is not None and not coord_romerike.has_perm("schools.view_pupil_names", row.school)
    }
    assert all(registered.school.pk not in hidden for _row, registered in response.context["registrations"])
    if response.context["payload"]:
        payload = response.context["payload"]
        commit = {"aktivitet": romerike_activity.pk, "payload": payload, "form_token": form_token_new()}
        send(client, "post", IMPORT, commit)
    named_outside = Participation.objects.filter(
        activity=romerike_activity, school__in=[network.school_a, network.school_a2], named_pupils__isnull=False
    )
    assert not named_outside.exists()
