"""Pupils are minors (issue 13): every page, export and admin page that can carry a pupil's name
shows it only to the rector of the pupil's school, its region's coordinator and central staff
(schools.view_pupil_names, per school). Everyone else sees how many.

The case: a Follo activity names Tiril Vikhammer, a pupil of Skole B (Romerike), and Ingrid Berg,
a pupil of Skole A (Follo). Tiril's name is for Skole B's rector, Romerike's coordinator and
central staff: Skole A's rector (another rector), Follo's coordinator (another region's, who
edits the activity) and the steering group (leader and member) are refused. The activity's
history names both pupils: it is shown to whoever may see names at both schools (central staff).
"""

from datetime import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities.tests.factories import ActivityFactory, ParticipationFactory
from activities.tests.helpers import form_data
from core.periods import OSLO
from governance.services import audit_record
from schools.tests.factories import PupilFactory

# What each pupil's name is found by (the admin shows first and last names in columns).
TIRIL = "Vikhammer"
INGRID = "Ingrid"

PERSONAS = [
    "rector_a",
    "rector_b",
    "coord_follo",
    "coord_romerike",
    "steering_member",
    "steering_leader",
    "daily_leader",
    "nmh_coordinator",
    "superuser",
]
CENTRAL = {"daily_leader", "nmh_coordinator", "superuser"}
SEES_B = {"rector_b", "coord_romerike"} | CENTRAL  # Tiril Vikhammer, Skole B (Romerike)
SEES_A = {"rector_a", "coord_follo"} | CENTRAL  # Ingrid Berg, Skole A (Follo)
SEES_ALL = CENTRAL  # the history: names at both schools
STAFF = {"steering_member", "steering_leader"} | CENTRAL  # the admin is for staff accounts
EDITS_FOLLO = {"coord_follo"} | CENTRAL


@pytest.fixture
def case(network, areas, pupil_a, follo_activity):
    """The Follo activity (Skole A with Ingrid Berg named) with Skole B's participation naming
    Tiril Vikhammer, who is already named on 6 held activities this autumn (a pupil-load warning),
    and a history entry whose values name both pupils."""
    tiril = PupilFactory(first_name="Tiril", last_name="Vikhammer", birth_year=2006, schools=[network.school_b])
    follo_activity.participations.get(school=network.school_a).named_pupils.set([pupil_a])
    b_participation = ParticipationFactory(activity=follo_activity, school=network.school_b, pupils=3, teachers=0)
    b_participation.named_pupils.set([tiril])
    for day in range(1, 7):
        other = ActivityFactory(
            region=network.romerike,
            starts_at=datetime(2019, 9, day, 10, tzinfo=OSLO),
            ends_at=datetime(2019, 9, day, 12, tzinfo=OSLO),
            areas=[areas[3]],
        )
        ParticipationFactory(activity=other, school=network.school_b, pupils=1).named_pupils.set([tiril])
    audit_record(
        actor=None,
        action="activity_update",
        obj=follo_activity,
        changes={
            "participations": [
                "Skole A: 4 elever, 1 lærer",
                "Skole A: 4 elever, 1 lærer (Ingrid Berg (2006)); Skole B: 3 elever, 0 lærere (Tiril Vikhammer (2006))",
            ],
            "title": ["Fiolin", "Mesterklasse fiolin"],
        },
    )
    return {"activity": follo_activity, "tiril": tiril, "participation": b_participation}


@pytest.fixture
def login(request, client):
    def as_persona(name):
        client.force_login(request.getfixturevalue(name))
        return client

    return as_persona


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(BytesIO(response.content))
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


# --- The activity's page --------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_activity_page_shows_each_schools_names_only_to_whoever_may_see_them(case, login, persona):
    response = login(persona).get(reverse("activities:detail", args=[case["activity"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (TIRIL in html) == (persona in SEES_B)
    assert (INGRID in html) == (persona in SEES_A)
    rows = {p.school.name: p.names_shown for p in response.context["participations"]}
    assert rows == {"Skole A": persona in SEES_A, "Skole B": persona in SEES_B}
    # Whoever may not see a school's names sees how many.
    assert html.count("1 navngitt elev<") == (persona not in SEES_A) + (persona not in SEES_B)


@pytest.mark.parametrize("persona", PERSONAS)
def test_activity_page_pupil_load_warning_names_the_pupil_only_where_allowed(case, login, persona):
    response = login(persona).get(reverse("activities:detail", args=[case["activity"].pk]))
    html = response.content.decode()
    if persona in SEES_B:
        assert "Tiril Vikhammer (2006) deltar i 6 andre aktiviteter" in html
        assert "En navngitt elev deltar i" not in html
    else:
        assert "En navngitt elev deltar i 6 andre aktiviteter" in html
    assert [load["pupil"] for load in response.context["pupil_load"]] == (
        [case["tiril"]] if persona in SEES_B else [None]
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_activity_history_hides_participation_values_unless_names_at_every_school(case, login, persona):
    response = login(persona).get(reverse("activities:detail", args=[case["activity"].pk]))
    html = response.content.decode()
    history = html[html.index('id="history"') :]
    assert (TIRIL in history) == (persona in SEES_ALL)
    assert (INGRID in history) == (persona in SEES_ALL)
    assert ("names-hidden" in history) == (persona not in SEES_ALL)
    assert "Mesterklasse fiolin" in history  # the other values are shown to everyone


def test_activity_history_of_an_activity_without_participation_is_hidden_but_for_central_staff(case, login, rector_a):
    activity = case["activity"]
    # With no participation left, every school the activity has now is one whose names Skole
    # A's rector may see, but the history still names Skole B's pupil: central staff alone
    # read it.
    activity.participations.all().delete()
    html = login("rector_a").get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert TIRIL not in html
    html = login("daily_leader").get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert TIRIL in html


# --- Lists and exports: counts only, for everyone ---------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "url_name", ["activities:list", "activities:calendar", "activities:export", "activities:export-xlsx"]
)
def test_lists_and_exports_carry_no_names(case, login, persona, url_name):
    query = "?maaned=2019-10" if url_name == "activities:calendar" else ""
    response = login(persona).get(reverse(url_name) + query)
    assert response.status_code == 200
    text = _text(response)
    assert TIRIL not in text
    assert INGRID not in text


# --- The school's dashboard -----------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_school_dashboard_names_its_pupils_only_where_allowed(case, login, persona):
    client = login(persona)
    response = client.get(reverse("schools:dashboard", args=["skole-b"]) + "?skoleaar=2019")
    if persona in {"rector_a", "coord_follo"}:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert (TIRIL in response.content.decode()) == (persona in SEES_B)
    csv = client.get(reverse("schools:dashboard-csv", args=["skole-b", "navngitte_elever"]) + "?skoleaar=2019")
    if persona in SEES_B:
        assert csv.status_code == 200
        assert TIRIL in csv.content.decode("utf-8")
    else:
        assert csv.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", ["schools:dashboard-named", "schools:dashboard-load"])
def test_school_pupil_pages_only_for_those_who_see_the_names(case, login, persona, url_name):
    """The dashboard's pages of named pupils and pupil load (issue 17): a school the person may
    not see is a 404, as its dashboard; one whose names they may not see a 403."""
    response = login(persona).get(reverse(url_name, args=["skole-b"]) + "?skoleaar=2019")
    if persona in {"rector_a", "coord_follo"}:
        assert response.status_code == 404
    elif persona in SEES_B:
        assert response.status_code == 200
        assert TIRIL in response.content.decode()
    else:
        assert response.status_code == 403
        assert TIRIL not in response.content.decode()


# --- The import's preview -------------------------------------------------------------------


def _preview_replacing(client, activity):
    upload = SimpleUploadedFile("d.csv", "skole;elever;lærere\nSkole B;5;1\nSkole A;5;1\n".encode(), "text/csv")
    first = client.post(reverse("activities:import"), {"aktivitet": activity.pk, "file": upload})
    if first.status_code != 200:
        return first
    return client.post(
        reverse("activities:import"),
        {"aktivitet": activity.pk, "payload": first.context["payload"], "erstatt": "1", "vis": "1"},
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_preview_names_removed_pupils_only_where_allowed(case, login, persona):
    response = _preview_replacing(login(persona), case["activity"])
    if persona not in EDITS_FOLLO:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert (TIRIL in html) == (persona in SEES_B)
    assert (INGRID in html) == (persona in SEES_A)
    removed = html[html.index('id="import-removed"') :]
    # Whoever may not see Skole B's names does not remove them either: Tiril is kept.
    assert ("Skole B:</strong>" in removed) == (persona in SEES_B)
    assert [p.pk for p in response.context["preview"].after[1].named_pupils] == (
        [] if persona in SEES_B else [case["tiril"].pk]
    )


# --- The activity's edit form ---------------------------------------------------------------


def _edit_post(case, network, areas, pupil_a, **overrides):
    activity = case["activity"]
    activity.refresh_from_db()
    return form_data(
        region=network.follo,
        areas=[areas[2]],
        title="Mesterklasse fiolin og bratsj",
        starts_at="2019-10-12T10:00",
        ends_at="2019-10-12T15:00",
        instrument="Fiolin",
        status=activity.status,
        participations=[
            {"school": network.school_a, "pupils": 4, "teachers": 1, "named": [pupil_a]},
            {"school": network.school_b, "pupils": 3, "teachers": 0},
        ],
        version=activity.version,
        opened_at=timezone.now().isoformat(),
        **overrides,
    )


@pytest.mark.parametrize("persona", sorted(EDITS_FOLLO))
def test_edit_form_names_each_schools_pupils_only_where_allowed(case, login, persona):
    response = login(persona).get(reverse("activities:update", args=[case["activity"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (TIRIL in html) == (persona in SEES_B)
    assert INGRID in html
    assert ("1 navngitt elev ved denne skolen" in html) == (persona not in SEES_B)
    hidden = [row.names_hidden for row in response.context["participations"].forms if row.initial]
    assert hidden == [False, persona not in SEES_B]


def test_saving_the_edit_form_keeps_the_names_the_editor_may_not_see(case, login, network, areas, pupil_a):
    tiril = case["tiril"]
    url = reverse("activities:update", args=[case["activity"].pk])
    client = login("coord_follo")
    # Tiril takes part in 6 other activities this autumn: the form warns without her name.
    warned = client.post(url, _edit_post(case, network, areas, pupil_a))
    assert warned.status_code == 200
    html = warned.content.decode()
    assert "En navngitt elev ved en annen skole: 6 aktiviteter" in html
    assert TIRIL not in html
    response = client.post(url, _edit_post(case, network, areas, pupil_a, confirm_pupil_load="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = case["activity"]
    activity.refresh_from_db()
    assert activity.title == "Mesterklasse fiolin og bratsj"
    assert list(activity.participations.get(school=network.school_b).named_pupils.all()) == [tiril]
    assert list(activity.participations.get(school=network.school_a).named_pupils.all()) == [pupil_a]


def test_the_edit_form_refuses_naming_a_pupil_of_a_school_whose_names_the_editor_may_not_see(
    case, login, network, areas, pupil_a
):
    other = PupilFactory(first_name="Sander", last_name="Fjellstad", birth_year=2007, schools=[network.school_b])
    data = _edit_post(case, network, areas, pupil_a)
    data["deltakelse-1-named_pupils"] = [other.pk]
    response = login("coord_follo").post(reverse("activities:update", args=[case["activity"].pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fjellstad" not in html and TIRIL not in html
    assert "kan ikke lagres slik" in html
    participation = case["activity"].participations.get(school=network.school_b)
    assert list(participation.named_pupils.all()) == [case["tiril"]]
    case["activity"].refresh_from_db()
    assert case["activity"].title == "Mesterklasse fiolin"


# --- The admin --------------------------------------------------------------------------------


def _admin_urls(case):
    tiril, participation, activity = case["tiril"], case["participation"], case["activity"]
    return {
        "pupil_list": reverse("admin:schools_pupil_changelist"),
        "pupil_change": reverse("admin:schools_pupil_change", args=[tiril.pk]),
        "pupil_history": reverse("admin:schools_pupil_history", args=[tiril.pk]),
        "participation_list": reverse("admin:activities_participation_changelist"),
        "participation_change": reverse("admin:activities_participation_change", args=[participation.pk]),
        "participation_history": reverse("admin:activities_participation_history", args=[participation.pk]),
        "activity_list": reverse("admin:activities_activity_changelist"),
        "activity_change": reverse("admin:activities_activity_change", args=[activity.pk]),
        "activity_history": reverse("admin:activities_activity_history", args=[activity.pk]),
        "pupil_search": reverse("admin:autocomplete")
        + "?app_label=activities&model_name=participation&field_name=named_pupils&term=Tiril",
    }


PUPIL_PAGES = {"pupil_list", "pupil_change", "pupil_history", "pupil_search"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_shows_names_only_to_whoever_may_see_them(case, login, persona):
    client = login(persona)
    for page, url in _admin_urls(case).items():
        response = client.get(url)
        body = response.content.decode()
        if persona not in STAFF:
            # Rectors and coordinators have no staff account: the admin's login page.
            assert (page, response.status_code) == (page, 302)
            continue
        if page in PUPIL_PAGES:
            expected = 200 if persona in CENTRAL else 403
            assert (page, response.status_code) == (page, expected)
        else:
            assert (page, response.status_code) == (page, 200)
        # The admin's lists and inlines show all the activity's schools at once: names to
        # central staff only.
        shows = persona in CENTRAL and page in {"pupil_list", "pupil_change", "pupil_history", "pupil_search"}
        shows |= persona in CENTRAL and page in {"participation_change", "activity_change"}
        assert (page, TIRIL in body) == (page, shows)


# --- Found by a newcomer's attempt to break this (issue 13) ---------------------------------------


@pytest.mark.parametrize("persona", sorted(CENTRAL))
def test_nobody_deletes_a_pupil_in_the_admin_they_are_erased_instead(case, login, persona):
    """Deleting kept the name in the log for good and changed the figures."""
    tiril = case["tiril"]
    client = login(persona)
    url = reverse("admin:schools_pupil_delete", args=[tiril.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:schools_pupil_changelist"))
    assert "delete_selected" not in str(changelist.context["action_form"] or "")
    change = client.get(reverse("admin:schools_pupil_change", args=[tiril.pk])).content.decode()
    assert reverse("activities:pupil-erase", args=[tiril.pk]) in change
    assert type(tiril).objects.filter(pk=tiril.pk).exists()


@pytest.mark.parametrize("persona", ["steering_member", "steering_leader", "daily_leader"])
def test_only_central_staff_filter_the_admin_by_a_pupil(case, login, persona):
    """`?named_pupils=<id>` followed one pupil's activities without showing the name."""
    client = login(persona)
    pk = case["tiril"].pk
    for url in (
        reverse("admin:activities_participation_changelist") + f"?named_pupils={pk}",
        reverse("admin:activities_participation_changelist") + f"?named_pupils__in={pk},{pk + 1}",
        reverse("admin:activities_activity_changelist") + f"?participations__named_pupils={pk}",
    ):
        response = client.get(url)
        if persona in CENTRAL:
            # Django's own rule still decides (the participation list allows it).
            assert response.status_code in (200, 400), url
        else:
            # The admin refuses a lookup it does not allow (400, or its "?e=1" redirect).
            assert response.status_code in (400, 302), url
            assert TIRIL not in response.content.decode()
    if persona in CENTRAL:
        assert (
            client.get(reverse("admin:activities_participation_changelist") + f"?named_pupils={pk}").status_code == 200
        )
