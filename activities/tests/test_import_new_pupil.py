"""Issue 11: a pupil the import file names who is not in the register is registered from the
preview («Registrer eleven»), by someone who may register pupils at the row's school (its
rector, its region's coordinator, central staff), and the preview is shown again without a
second upload."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, note
from hypothesis import strategies as st

from activities.imports import FILE_SIGNING_SALT, signed_file
from activities.models import Participation
from core.forms import form_token_new
from core.models import SubmissionToken
from core.tests.hostile import (
    MISSING,
    NAMED_VALUES,
    RenderedForm,
    apply,
    body,
    changed_tables,
    field_value,
    fresh_token,
    hostile_client,
    hostile_settings,
    hostile_value,
    send,
    snapshot,
    with_examples,
)
from governance.models import AuditEntry
from schools.models import Pupil
from schools.tests.factories import PupilFactory

UNKNOWN_AT_A = "skole;fornavn;etternavn;fødselsår\nSkole A;Ola;Nordmann;2007\n"
REGISTER = reverse("activities:import-register-pupil")


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("elever.csv", text.encode("utf-8"), content_type="text/csv")


def _preview(client, activity, text=UNKNOWN_AT_A):
    return client.post(reverse("activities:import"), {"aktivitet": activity.pk, "file": _upload(text)})


def _register_data(response, row: int = 2, **changes) -> dict:
    """What the preview's «Registrer eleven» form of `row` posts, with an instrument filled in."""
    form = RenderedForm.read(response.content, form_id="register-pupils")
    data = form.data(**{f"rad-{row}-main_instrument": "fiolin", "rad": str(row)})
    return {**data, **{f"rad-{row}-{name}": [value] for name, value in changes.items()}}


def _direct_data(user, activity, school, *, token=None, **fields) -> dict:
    """A register POST made by hand (for people who never see an import preview)."""
    values = {"first_name": "Ola", "last_name": "Nordmann", "birth_year": "2007", "main_instrument": "fiolin"}
    values.update(fields)
    return {
        "aktivitet": activity.pk,
        "fil": signed_file(activity=activity, user=user, name="elever.csv", content=UNKNOWN_AT_A.encode()),
        "form_token": token or form_token_new(),
        "rad": "2",
        "rad-2-school": school.pk,
        **{f"rad-2-{name}": value for name, value in values.items()},
    }


def test_rule_at_a_school_and_without_one(network, coord_follo, coord_romerike, rector_a, rector_b, daily_leader):
    school_a = network.school_a
    assert coord_follo.has_perm("schools.add_pupil", school_a)
    assert rector_a.has_perm("schools.add_pupil", school_a)
    assert daily_leader.has_perm("schools.add_pupil", school_a)
    assert not coord_romerike.has_perm("schools.add_pupil", school_a)
    assert not rector_b.has_perm("schools.add_pupil", school_a)
    assert not rector_a.has_perm("schools.add_pupil", network.school_a2)
    # Without an object (the admin's add page): central staff only.
    assert daily_leader.has_perm("schools.add_pupil")
    assert not coord_follo.has_perm("schools.add_pupil")
    assert not rector_a.has_perm("schools.add_pupil")
    # A new pupil: at every one of their schools.
    pupil = Pupil(first_name="A", last_name="B", birth_year=2007, main_instrument="x")
    assert not coord_follo.has_perm("schools.add_pupil", pupil)
    pupil.registering_at = [school_a, network.school_a2]
    assert coord_follo.has_perm("schools.add_pupil", pupil)
    pupil.registering_at = [school_a, network.school_b]
    assert not coord_follo.has_perm("schools.add_pupil", pupil)


def test_unknown_pupil_row_offers_the_form_prefilled(client_as, coord_follo, follo_activity):
    response = _preview(client_as(coord_follo), follo_activity)
    assert response.status_code == 200
    assert response.context["payload"] is None  # a preview with problems can't be committed
    [(row, form)] = response.context["registrations"]
    assert row.number == 2 and row.school.name == "Skole A"
    assert form.initial == {"first_name": "Ola", "last_name": "Nordmann", "birth_year": 2007}
    assert response.context["signed_file"]
    page = RenderedForm.read(response.content, form_id="register-pupils")
    assert page.values["rad-2-first_name"] == ["Ola"]
    assert page.values["rad-2-school"] == [str(follo_activity.participations.get().school_id)]
    assert "Registrer eleven" in response.content.decode()


def test_registering_creates_one_audited_pupil_and_the_preview_commits(client_as, coord_follo, follo_activity, network):
    client = client_as(coord_follo)
    response = client.post(REGISTER, _register_data(_preview(client, follo_activity)))
    assert response.status_code == 200
    pupil = Pupil.objects.get()
    assert (pupil.first_name, pupil.last_name, pupil.birth_year, pupil.main_instrument) == (
        "Ola",
        "Nordmann",
        2007,
        "fiolin",
    )
    assert list(pupil.schools.all()) == [network.school_a]
    entry = AuditEntry.objects.get(action="pupil_create")
    assert entry.actor == coord_follo
    preview = response.context["preview"]
    assert not preview.has_problems
    assert response.context["registrations"] == []
    payload = response.context["payload"]
    assert payload
    committed = client.post(
        reverse("activities:import"),
        {"aktivitet": follo_activity.pk, "payload": payload, "form_token": form_token_new()},
    )
    assert committed.status_code == 302
    participation = Participation.objects.get(activity=follo_activity, school=network.school_a)
    assert list(participation.named_pupils.all()) == [pupil]


def test_double_post_with_the_same_token_registers_once(client_as, coord_follo, follo_activity):
    client = client_as(coord_follo)
    data = _register_data(_preview(client, follo_activity))
    first = client.post(REGISTER, data)
    second = client.post(REGISTER, data)
    assert first.status_code == second.status_code == 200
    assert Pupil.objects.count() == 1
    assert AuditEntry.objects.filter(action="pupil_create").count() == 1
    assert "Eleven var allerede registrert." in second.content.decode()
    assert not second.context["preview"].has_problems


@pytest.mark.parametrize("who", ["coord_romerike", "rector_b", "steering_member"])
def test_others_may_not_register_at_school_a(request, client_as, follo_activity, network, who):
    user = request.getfixturevalue(who)
    response = client_as(user).post(REGISTER, _direct_data(user, follo_activity, network.school_a))
    assert response.status_code == 403
    assert not Pupil.objects.exists()
    assert not AuditEntry.objects.filter(action="pupil_create").exists()


def test_the_rector_of_school_a_may(client_as, rector_a, follo_activity, network):
    response = client_as(rector_a).post(REGISTER, _direct_data(rector_a, follo_activity, network.school_a))
    # A rector does not import: the pupil is registered, and they go to the activity.
    assert response.status_code == 302
    assert response.url == reverse("activities:detail", args=[follo_activity.pk])
    assert list(Pupil.objects.get().schools.all()) == [network.school_a]
    assert AuditEntry.objects.get(action="pupil_create").actor == rector_a


def test_a_row_of_a_school_whose_names_are_hidden_offers_no_registration(client_as, coord_follo, follo_activity):
    # Skole B is Romerike's: Follo's coordinator may neither see nor name its pupils, so the
    # row is refused without looking the pupil up (test_import_names.py), not "unknown".
    text = "skole;fornavn;etternavn;fødselsår\nSkole B;Kari;Nordmann;2008\n"
    response = _preview(client_as(coord_follo), follo_activity, text)
    assert response.context["registrations"] == []
    assert response.context["cannot_register"] == set()
    assert 'id="register-pupils"' not in response.content.decode()
    assert [row.problems for row in response.context["preview"].rows] == [
        ["Rad 2: Du kan ikke navngi elever ved Skole B. Be skolens rektor eller regionens koordinator om å føre dem."]
    ]


def test_a_tampered_file_says_so_and_registers_nobody(client_as, coord_follo, follo_activity):
    client = client_as(coord_follo)
    data = _register_data(_preview(client, follo_activity))
    value = data["fil"][0]
    data["fil"] = [value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")]
    response = client.post(REGISTER, data, follow=True)
    assert response.status_code == 200
    assert "Forhåndsvisningen er ugyldig. Last opp filen på nytt." in response.content.decode()
    assert not Pupil.objects.exists()


def test_a_file_signed_for_someone_else_is_refused(client_as, coord_follo, daily_leader, follo_activity, network):
    data = _direct_data(daily_leader, follo_activity, network.school_a)
    response = client_as(coord_follo).post(REGISTER, data, follow=True)
    assert "Forhåndsvisningen er ugyldig. Last opp filen på nytt." in response.content.decode()
    assert not Pupil.objects.exists()
    # Signed with another salt (the commit's payload, say): refused as well.
    data["fil"] = signing.dumps({"activity": follo_activity.pk}, salt=FILE_SIGNING_SALT + "x")
    client_as(coord_follo).post(REGISTER, data)
    assert not Pupil.objects.exists()


def test_same_name_and_birth_year_at_the_school_is_a_field_error(client_as, coord_follo, follo_activity, network):
    client = client_as(coord_follo)
    # The file says 2008; the person corrects it to 2007, and Ola Nordmann (2007) is there.
    text = UNKNOWN_AT_A.replace("2007", "2008")
    data = _register_data(_preview(client, follo_activity, text), birth_year="2007")
    PupilFactory(first_name="OLA", last_name=" nordmann", birth_year=2007, schools=[network.school_a])
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    [(row, form)] = response.context["registrations"]
    assert "allerede eleven" in " ".join(form.errors["first_name"])
    assert Pupil.objects.count() == 1


def test_registered_meanwhile_is_said_and_the_preview_finds_the_pupil(client_as, coord_follo, follo_activity, network):
    client = client_as(coord_follo)
    data = _register_data(_preview(client, follo_activity))
    PupilFactory(first_name="Ola", last_name="Nordmann", birth_year=2007, schools=[network.school_a])
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert Pupil.objects.count() == 1
    assert not response.context["preview"].has_problems
    assert "Eleven er ikke registrert: Skole A har allerede eleven" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_year": "1989"}, "birth_year"),
        ({"birth_year": "2031"}, "birth_year"),
        ({"birth_year": "nan"}, "birth_year"),
        ({"first_name": "   "}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"main_instrument": ""}, "main_instrument"),
    ],
)
def test_invalid_values_are_field_errors(client_as, coord_follo, follo_activity, changes, field):
    client = client_as(coord_follo)
    response = client.post(REGISTER, _register_data(_preview(client, follo_activity), **changes))
    assert response.status_code == 200
    [(row, form)] = response.context["registrations"]
    assert field in form.errors
    assert not Pupil.objects.exists()


def test_names_are_trimmed(client_as, coord_follo, follo_activity):
    client = client_as(coord_follo)
    data = _register_data(_preview(client, follo_activity), first_name="  Ola ", last_name=" Nordmann  ")
    client.post(REGISTER, data)
    assert Pupil.objects.values_list("first_name", "last_name").get() == ("Ola", "Nordmann")


def test_admin_add_page_stays_central_staff_only(client_as, coord_follo):
    coord_follo.is_staff = True
    coord_follo.save()
    response = client_as(coord_follo).get("/admin/schools/pupil/add/")
    assert response.status_code == 403


# -- hostile input -------------------------------------------------------------------------

FIELDS = ["first_name", "last_name", "birth_year", "main_instrument", "school"]
OTHER = ["rad", "fil", "form_token", "aktivitet"]


@pytest.fixture
def world(coord_follo, follo_activity):
    client = hostile_client(coord_follo)
    upload = _upload(UNKNOWN_AT_A)
    page = send(client, "post", reverse("activities:import"), {"aktivitet": follo_activity.pk, "file": upload})
    form = RenderedForm.read(body(page), form_id="register-pupils")
    base = form.data(**{"rad-2-main_instrument": "fiolin", "rad": "2"})
    return {"client": client, "base": base}


def _db():
    return snapshot(Pupil, Pupil.schools.through, AuditEntry, SubmissionToken)


@hostile_settings(30)
@with_examples(
    *({"changes": {f"rad-2-{name}": [value]}} for name in FIELDS for value in NAMED_VALUES[:6]),
    *({"changes": {name: [value]}} for name in OTHER for value in NAMED_VALUES[:4]),
    {"changes": {"rad-2-school": MISSING}},
    {"changes": {"rad": ["3"]}},
)
@given(
    changes=st.dictionaries(
        st.sampled_from([f"rad-2-{name}" for name in FIELDS] + OTHER),
        st.one_of(field_value(), hostile_value().map(lambda value: [value])),
        max_size=3,
    )
)
def test_register_view_hostile(world, changes):
    note(f"changes: {changes!r}")
    data = apply(fresh_token(world["base"]), changes)
    before = _db()
    response = send(world["client"], "post", REGISTER, data)
    after = _db()
    if after != before:
        # Only a valid registration writes: one pupil at Skole A, its audit entry and its token.
        pupil = Pupil.objects.order_by("-pk").first()
        assert response.status_code == 200, changed_tables(before, after)
        assert Pupil.objects.count() == before[0][1] + 1
        assert [school.name for school in pupil.schools.all()] == ["Skole A"]
        assert 1990 <= pupil.birth_year <= 2030
        assert pupil.first_name == pupil.first_name.strip() and pupil.first_name
        assert pupil.last_name == pupil.last_name.strip() and pupil.last_name
        assert len(pupil.first_name) <= 100 and len(pupil.last_name) <= 100
        pupil.schools.clear()
        AuditEntry.objects.filter(action="pupil_create").delete()
        pupil.delete()
