"""The named-pupil picker (issue 13: pupils are minors). The activity form's page holds no
pupil's name but those already linked to a participation; the person's typing asks
`activities:pupil-search` for the pupils of the row's school, and only a person who may see
that school's pupils' names gets them. A posted pupil is accepted only at their own school."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from activities.forms import ParticipationFormSet
from activities.models import Activity, Participation
from activities.tests.helpers import form_data
from core.tests.hostile import NAMED_VALUES, hostile_client, hostile_settings, hostile_value, send, with_examples
from schools.models import Pupil
from schools.tests.factories import PupilFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("activities:pupil-search")


@pytest.fixture
def pupils(network, pupil_a):
    """Ingrid Berg (pupil_a) and 24 more pupils at school A, 2 at A2, 1 at B: all named Anna."""
    at_a = [
        PupilFactory(first_name="Anna", last_name=f"Aas{n:02}", birth_year=2007, schools=[network.school_a])
        for n in range(24)
    ]
    at_a2 = [
        PupilFactory(first_name="Anna", last_name=f"Dahl{n}", birth_year=2008, schools=[network.school_a2])
        for n in range(2)
    ]
    at_b = PupilFactory(first_name="Anna", last_name="Bakke", birth_year=2006, schools=[network.school_b])
    return {"a": [pupil_a, *at_a], "a2": at_a2, "b": [at_b]}


def _names(pupils) -> list[str]:
    return [f"{pupil.first_name} {pupil.last_name}" for pupil in pupils]


def _search(client, **params):
    return client.get(f"{SEARCH}?{urlencode(params)}")


def test_form_page_holds_no_pupil_name_before_typing(client_as, coord_follo, follo_activity, pupils, network):
    linked = pupils["a"][3]
    Participation.objects.get(activity=follo_activity, school=network.school_a).named_pupils.set([linked])
    client = client_as(coord_follo)
    pages = {
        "create": client.get(reverse("activities:create")).content.decode(),
        "update": client.get(reverse("activities:update", args=[follo_activity.pk])).content.decode(),
        "copy": client.get(reverse("activities:copy", args=[follo_activity.pk])).content.decode(),
    }
    everyone = Pupil.objects.all()
    shown = {page: [name for name in _names(everyone) if name in html] for page, html in pages.items()}
    assert shown == {"create": [], "update": ["Anna Aas02"], "copy": []}
    # The linked pupil is the row's one chosen option.
    assert f'<option value="{linked.pk}" selected>Anna Aas02 (2007)</option>' in pages["update"]


def test_search_returns_at_most_20_pupils_of_the_asked_school(client_as, coord_follo, pupils, network):
    response = _search(client_as(coord_follo), school=network.school_a.pk, q="anna")
    assert response.status_code == 200
    expected = "".join(f'<option value="{pupil.pk}">{pupil}</option>\n' for pupil in pupils["a"][1:21])
    assert response.content.decode() == expected
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_search_matches_every_word_and_trims(client_as, rector_a, pupils, network):
    response = _search(client_as(rector_a), school=network.school_a.pk, q="  ingr   berg ")
    assert response.content.decode() == f'<option value="{pupils["a"][0].pk}">Ingrid Berg (2006)</option>\n'


def test_search_of_another_school_never_returns_school_a_pupils(client_as, coord_follo, pupils, network):
    response = _search(client_as(coord_follo), school=network.school_a2.pk, q="an")
    expected = "".join(f'<option value="{pupil.pk}">{pupil}</option>\n' for pupil in pupils["a2"])
    assert response.content.decode() == expected


@pytest.mark.parametrize("query", ["", "a", " a ", "  "])
def test_search_with_fewer_than_two_characters_is_empty(client_as, coord_follo, pupils, network, query):
    response = _search(client_as(coord_follo), school=network.school_a.pk, q=query)
    assert (response.status_code, response.content) == (200, b"")


@pytest.mark.parametrize("persona", ["coord_romerike", "rector_b", "steering_member", "rector_a"])
def test_search_refuses_a_school_outside_the_persons_rule(request, client_as, pupils, network, persona):
    user = request.getfixturevalue(persona)
    # rector_a leads school A, not A2; the others neither.
    school = network.school_a2 if persona == "rector_a" else network.school_a
    response = _search(client_as(user), school=school.pk, q="anna")
    assert response.status_code == 403
    assert "Anna" not in response.content.decode()


@pytest.mark.parametrize("persona", ["coord_follo", "rector_a", "daily_leader"])
def test_search_answers_the_persons_of_the_rule(request, client_as, pupils, network, persona):
    response = _search(client_as(request.getfixturevalue(persona)), school=network.school_a.pk, q="ingrid")
    assert (response.status_code, response.content.decode()) == (
        200,
        f'<option value="{pupils["a"][0].pk}">Ingrid Berg (2006)</option>\n',
    )


def test_search_refuses_anonymous(client, pupils, network):
    response = _search(client, school=network.school_a.pk, q="anna")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_search_is_get_only(client_as, coord_follo, network):
    response = client_as(coord_follo).post(SEARCH, {"school": network.school_a.pk, "q": "anna"})
    assert response.status_code == 405


@pytest.mark.parametrize(
    "params",
    [{"q": "anna"}, {"school": "abc", "q": "anna"}, {"school": "1\x00", "q": "anna"}, {"school": "1", "q": "a" * 101}],
)
def test_search_refuses_malformed_parameters(client_as, coord_follo, network, params):
    params = {key: str(network.school_a.pk) if value == "1" else value for key, value in params.items()}
    response = _search(client_as(coord_follo), **params)
    assert response.status_code == 400
    assert "Søket må ha en skole" in response.content.decode()


@hostile_settings(30)
@with_examples(*({"school": value, "query": value} for value in NAMED_VALUES))
@given(
    school=st.one_of(st.sampled_from(["school_a", "school_b"]), hostile_value()),
    query=st.one_of(st.sampled_from(["an", "Ingrid", "aas0"]), hostile_value()),
)
def test_search_never_fails_on_hostile_parameters(coord_follo, pupils, network, school, query):
    school_id = {"school_a": network.school_a.pk, "school_b": network.school_b.pk}.get(school, school)
    response = send(hostile_client(coord_follo), "get", SEARCH, {"school": school_id, "q": query})
    assert response.status_code in (200, 400, 403)
    if response.status_code == 200:
        # Only pupils of school A, at most 20.
        options = response.content.decode().count("<option ")
        assert options <= 20
        assert "Bakke" not in response.content.decode()


def test_saving_with_a_chosen_pupil_links_it(client_as, coord_follo, follo_activity, pupils, network, areas):
    chosen = pupils["a"][5]
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        title="Mesterklasse fiolin",
        starts_at="2019-10-12T10:00",
        ends_at="2019-10-12T15:00",
        participations=[{"school": network.school_a, "pupils": 4, "teachers": 1, "named": [chosen]}],
    )
    response = client_as(coord_follo).post(reverse("activities:update", args=[follo_activity.pk]), data)
    assert response.status_code == 302
    participation = Participation.objects.get(activity=follo_activity)
    assert list(participation.named_pupils.all()) == [chosen]
    # The edit page now offers that pupil, chosen, and keeps them when saved unchanged.
    page = client_as(coord_follo).get(reverse("activities:update", args=[follo_activity.pk])).content.decode()
    assert f'<option value="{chosen.pk}" selected>{chosen}</option>' in page


def test_copy_with_a_chosen_pupil_links_it_to_the_copy(client_as, coord_follo, follo_activity, pupils, network, areas):
    chosen = pupils["a"][0]
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        starts_at="2019-10-19T10:00",
        ends_at="2019-10-19T15:00",
        participations=[{"school": network.school_a, "pupils": 4, "teachers": 1, "named": [chosen]}],
    )
    response = client_as(coord_follo).post(reverse("activities:copy", args=[follo_activity.pk]), data)
    assert response.status_code == 302
    copy = Activity.objects.exclude(pk=follo_activity.pk).get()
    assert list(Participation.objects.get(activity=copy).named_pupils.all()) == [chosen]


def test_a_forged_pupil_of_another_school_is_refused_at_the_field(client_as, coord_follo, pupils, network, areas):
    stranger = pupils["a2"][0]
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": network.school_a, "pupils": 2, "named": [pupils["a"][0], stranger]}],
    )
    response = client_as(coord_follo).post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert response.context["participations"].forms[0].errors == {
        "named_pupils": [
            f"Navngitte elever: eleven med id {stranger.pk} går ikke på skolen i denne raden, "
            "eller du har ikke tilgang til elevene der."
        ]
    }
    html = response.content.decode()
    # The refused pupil's name is not shown back; the one of the row's school stays chosen.
    assert (stranger.last_name in html, f'<option value="{pupils["a"][0].pk}" selected>' in html) == (False, True)
    assert Activity.objects.count() == 0


def _row_data(school, pupils) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update({"deltakelse-TOTAL_FORMS": "1", "deltakelse-INITIAL_FORMS": "0", "deltakelse-0-school": str(school.pk)})
    data.update({"deltakelse-0-pupils": "2", "deltakelse-0-teachers": "0"})
    data.setlist("deltakelse-0-named_pupils", [str(pupil.pk) for pupil in pupils])
    return data


@pytest.mark.parametrize(
    ("persona", "school", "valid"),
    [
        ("coord_follo", "school_a", True),
        ("rector_a", "school_a", True),
        ("daily_leader", "school_b", True),
        ("coord_follo", "school_b", False),
        ("rector_a", "school_a2", False),
        ("steering_member", "school_a", False),
    ],
)
def test_rows_accept_only_pupils_whose_names_the_person_may_see(request, pupils, network, persona, school, valid):
    user = request.getfixturevalue(persona)
    at = getattr(network, school)
    chosen = {"school_a": pupils["a"][:2], "school_a2": pupils["a2"], "school_b": pupils["b"]}[school]
    formset = ParticipationFormSet(_row_data(at, chosen), prefix="deltakelse", user=user)
    assert formset.is_valid() == valid
    if valid:
        assert {pupil.pk for pupil in formset.participation_data()[0].named_pupils} == {pupil.pk for pupil in chosen}
    else:
        assert list(formset.forms[0].errors) == ["named_pupils"]
