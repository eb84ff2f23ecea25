"""The lists with pupils' names that grow with a school (issue 17): on pages of their own, 50
a page, and only counts and the top of the load on the dashboard.

Skole A (Follo) in school year 2019/20, the warning threshold 3 activities: 60 pupils (Elev00 …
Elev59, sorted by last name) named on a masterclass on 12 October 2019; the first 30 also on
NMH teaching on 20 November, the first 15 also on a concert on 25 November (a kind whose pupils
the named list leaves out, but which counts in their load); the first 5 on a masterclass on 10
February 2020. Autumn: 15 pupils on 3 activities (at the threshold), 15 on 2, 30 on 1. Spring:
5 pupils on 1. A pupil of Skole B is named on the same masterclass for Skole B.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from activities import figures as participation
from activities.rollups import rollup_enrolment
from activities.tests.factories import ActivityFactory, ParticipationFactory
from funding.rollups import rollup_budget
from governance.models import PortalSetting
from schools.tests.factories import PupilFactory
from ungmusikk.dashboards.school import school_dashboard

OSLO = ZoneInfo("Europe/Oslo")
NAMED = "schools:dashboard-named"
LOAD = "schools:dashboard-load"
PAGES = [NAMED, LOAD]


def held(network, kind, day, pupils_by_school):
    activity = ActivityFactory(
        kind=kind, region=network.follo, starts_at=day, ends_at=day + timedelta(hours=3), title=f"{kind} {day:%d.%m}"
    )
    for school, pupils in pupils_by_school.items():
        ParticipationFactory(activity=activity, school=school, pupils=len(pupils), teachers=1).named_pupils.set(pupils)
    return activity


@pytest.fixture
def sixty(network):
    a, b = network.school_a, network.school_b
    PortalSetting.objects.update_or_create(pk=1, defaults={"pupil_load_threshold": 3})
    pupils = [PupilFactory(first_name=f"Elev{i:02d}", last_name=f"Etternavn{i:02d}", schools=[a]) for i in range(60)]
    other = PupilFactory(first_name="Annen", last_name="Skole", schools=[b])
    held(network, "masterclass", datetime(2019, 10, 12, 10, tzinfo=OSLO), {a: pupils, b: [other]})
    held(network, "individual_teaching", datetime(2019, 11, 20, 10, tzinfo=OSLO), {a: pupils[:30]})
    held(network, "concert", datetime(2019, 11, 25, 18, tzinfo=OSLO), {a: pupils[:15]})
    held(network, "masterclass", datetime(2020, 2, 10, 10, tzinfo=OSLO), {a: pupils[:5]})
    rollup_enrolment()
    rollup_budget()
    return network


def names(count_from: int, count_to: int) -> list[str]:
    return [f"Elev{i:02d} Etternavn{i:02d}" for i in range(count_from, count_to)]


def named_on_page(response) -> list[str]:
    return list(dict.fromkeys(row["name"] for row in response.context["listing"].table.rows))


# --- The named pupils' page -------------------------------------------------------------------


@pytest.mark.django_db
def test_named_pupils_page_lists_the_first_fifty_pupils_with_their_activities(client_as, rector_a, sixty):
    response = client_as(rector_a).get(reverse(NAMED, args=["skole-a"]), {"skoleaar": 2019})

    listing = response.context["listing"]
    assert response.status_code == 200
    assert (listing.page.paginator.count, listing.page.paginator.num_pages, listing.page.number) == (60, 2, 1)
    assert named_on_page(response) == names(0, 50)
    # Elev00 on the masterclass, the teaching and the spring masterclass; not on the concert.
    assert [row["title"] for row in listing.table.rows if row["name"] == "Elev00 Etternavn00"] == [
        "masterclass 12.10",
        "individual_teaching 20.11",
        "masterclass 10.02",
    ]
    assert len(listing.table.rows) == 50 + 30 + 5
    assert listing.notes == []
    html = response.content.decode()
    assert "Annen Skole" not in html
    assert "Side 1 av 2" in html
    assert reverse("schools:dashboard-csv", args=["skole-a", "navngitte_elever"]) + "?skoleaar=2019" in html


@pytest.mark.django_db
def test_named_pupils_page_two_has_the_rest(client_as, rector_a, sixty):
    response = client_as(rector_a).get(reverse(NAMED, args=["skole-a"]), {"skoleaar": 2019, "side": "2"})

    assert response.context["listing"].page.number == 2
    assert named_on_page(response) == names(50, 60)
    assert response.context["listing"].notes == []


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["abc", "-1", "0", "1.5", "²"])
def test_named_pupils_page_unusable_page_number_shows_page_one_with_a_note(client_as, rector_a, sixty, side):
    response = client_as(rector_a).get(reverse(NAMED, args=["skole-a"]), {"skoleaar": 2019, "side": side})

    assert response.status_code == 200
    assert response.context["listing"].page.number == 1
    assert response.context["listing"].notes == ["«Side» må være et helt tall fra 1 og oppover; viser side 1."]
    assert named_on_page(response) == names(0, 50)


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["02", "00000000000000000002", "0" * 40 + "2"])
def test_named_pupils_page_number_with_leading_zeros_is_that_page(client_as, rector_a, sixty, side):
    """Leading zeros do not make a number larger (found by the breaker: twenty digits or more
    were taken as past the end, so «0…02» showed the last page with a note saying so)."""
    response = client_as(rector_a).get(reverse(NAMED, args=["skole-a"]), {"skoleaar": 2019, "side": side})

    assert response.context["listing"].page.number == 2
    assert response.context["listing"].notes == []


@pytest.mark.django_db
@pytest.mark.parametrize("side", ["3", "99999", "99999999999999999999999999"])
def test_named_pupils_page_past_the_end_shows_the_last_page(client_as, rector_a, sixty, side):
    response = client_as(rector_a).get(reverse(NAMED, args=["skole-a"]), {"skoleaar": 2019, "side": side})

    assert response.status_code == 200
    assert response.context["listing"].page.number == 2
    assert named_on_page(response) == names(50, 60)
    assert response.context["listing"].notes == ["«Side» er større enn antall sider (2); viser den siste."]


@pytest.mark.django_db
@pytest.mark.parametrize("skoleaar", ["x", "19", "1999", "2101", "2019/20"])
def test_named_pupils_page_unusable_school_year_shows_the_default_with_a_note(client_as, rector_a, sixty, skoleaar):
    response = client_as(rector_a).get(reverse(NAMED, args=["skole-a"]), {"skoleaar": skoleaar})

    listing = response.context["listing"]
    assert response.status_code == 200
    assert listing.school_year == 2019
    assert listing.notes == [
        "«Skoleår» må være årstallet skoleåret begynner i, fra 2000 til 2100; viser skoleåret 2019/20."
    ]
    assert listing.page.paginator.count == 60


@pytest.mark.django_db
def test_named_pupils_page_of_a_year_without_pupils_says_so(client_as, rector_a, sixty):
    response = client_as(rector_a).get(reverse(NAMED, args=["skole-a"]), {"skoleaar": 2015, "side": "4"})

    assert response.status_code == 200
    assert response.context["listing"].page.paginator.count == 0
    assert "Ingen av skolens elever er navngitt på mesterklasser eller NMH-undervisning" in response.content.decode()


# --- The pupil load's page --------------------------------------------------------------------


def load_on_page(response) -> list[tuple]:
    return [(row["place"], row["name"], row["activities"], row["over"]) for row in response.context["listing"].rows]


@pytest.mark.django_db
def test_pupil_load_page_lists_the_autumn_the_most_loaded_first(client_as, rector_a, sixty):
    response = client_as(rector_a).get(reverse(LOAD, args=["skole-a"]), {"skoleaar": 2019})

    listing = response.context["listing"]
    rows = load_on_page(response)
    assert (listing.term, listing.page.paginator.count, listing.page.paginator.num_pages) == ("host", 60, 2)
    assert rows[:2] == [(1, "Elev00 Etternavn00", 3, True), (2, "Elev01 Etternavn01", 3, True)]
    assert rows[14:16] == [(15, "Elev14 Etternavn14", 3, True), (16, "Elev15 Etternavn15", 2, False)]
    assert len(rows) == 50
    assert [(term["param"], term["label"], term["over"]) for term in listing.terms] == [
        ("host", "Høsten 2019", 15),
        ("var", "Våren 2020", 0),
    ]
    html = response.content.decode()
    assert html.count('class="table-warning load-over"') == 15
    assert reverse("schools:dashboard-csv", args=["skole-a", "elevbelastning"]) + "?skoleaar=2019" in html
    assert "?skoleaar=2019&amp;semester=host&amp;side=2" in html


@pytest.mark.django_db
def test_pupil_load_page_two_and_spring(client_as, rector_a, sixty):
    client = client_as(rector_a)
    url = reverse(LOAD, args=["skole-a"])

    second = load_on_page(client.get(url, {"skoleaar": 2019, "side": "2"}))
    assert second[0] == (51, "Elev50 Etternavn50", 1, False)
    assert len(second) == 10
    spring = client.get(url, {"skoleaar": 2019, "semester": "var"})
    assert load_on_page(spring) == [(i + 1, name, 1, False) for i, name in enumerate(names(0, 5))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "notes", "term", "number"),
    [
        ({"semester": "vinter"}, ["«Semester» må være «host» eller «var»; viser høstsemesteret."], "host", 1),
        ({"side": "abc"}, ["«Side» må være et helt tall fra 1 og oppover; viser side 1."], "host", 1),
        ({"side": "-1"}, ["«Side» må være et helt tall fra 1 og oppover; viser side 1."], "host", 1),
        ({"semester": "var", "side": "9"}, ["«Side» er større enn antall sider (1); viser den siste."], "var", 1),
        (
            {"skoleaar": "x", "semester": "x"},
            [
                "«Skoleår» må være årstallet skoleåret begynner i, fra 2000 til 2100; viser skoleåret 2019/20.",
                "«Semester» må være «host» eller «var»; viser høstsemesteret.",
            ],
            "host",
            1,
        ),
    ],
)
def test_pupil_load_page_unusable_values_fall_back_with_a_note(client_as, rector_a, sixty, params, notes, term, number):
    response = client_as(rector_a).get(reverse(LOAD, args=["skole-a"]), params)

    listing = response.context["listing"]
    assert response.status_code == 200
    assert (listing.notes, listing.term, listing.page.number, listing.school_year) == (notes, term, number, 2019)
    assert [note for note in notes if note in response.content.decode()] == notes


# --- Who may open them ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("rector_a", 200),
        ("coord_follo", 200),  # the school's region's coordinator sees its names
        ("daily_leader", 200),
        ("nmh_coordinator", 200),
        ("superuser", 200),
        ("rector_b", 404),
        ("coord_romerike", 404),
        ("steering_member", 403),  # sees the school's figures, not its pupils' names
        ("steering_leader", 403),
    ],
)
def test_pupil_pages_who_may_open_them(client_as, request, sixty, name, persona, status):
    response = client_as(request.getfixturevalue(persona)).get(reverse(name, args=["skole-a"]), {"skoleaar": 2019})

    assert response.status_code == status
    assert ("Etternavn00" in response.content.decode()) == (status == 200)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pupil_pages_anonymous_is_sent_to_login(client, network, name):
    url = reverse(name, args=["skole-a"])
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pupil_pages_of_an_unknown_school_are_404(client_as, daily_leader, name):
    assert client_as(daily_leader).get(reverse(name, args=["finnes-ikke"])).status_code == 404


# --- The dashboard keeps the counts and the top ------------------------------------------------


@pytest.mark.django_db
def test_dashboard_shows_counts_and_the_top_ten_and_links_the_pages(client_as, rector_a, sixty):
    response = client_as(rector_a).get(reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019})

    html = response.content.decode()
    board = response.context["dashboard"]
    assert 'id="table-named"' not in html
    assert "navngitte_elever" not in response.context["tables"]
    autumn, spring = board.load
    assert (autumn["over"], [p["name"] for p in autumn["pupils"]]) == (15, names(0, 10))
    assert (spring["over"], [p["name"] for p in spring["pupils"]]) == (0, names(0, 5))
    # Ten names in the load's autumn, five in its spring, and no other pupil's name on the page.
    assert [name for name in names(0, 60) if name in html] == names(0, 10)
    assert "15 elever på eller over grensen" in html
    assert f'href="{reverse(NAMED, args=["skole-a"])}?skoleaar=2019">Se alle navngitte elever</a>' in html
    assert f'href="{reverse(LOAD, args=["skole-a"])}?skoleaar=2019">Se hele elevbelastningen</a>' in html


@pytest.mark.django_db
def test_dashboard_of_a_steering_member_has_counts_and_no_names_nor_links(client_as, steering_member, sixty):
    response = client_as(steering_member).get(reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019})

    html = response.content.decode()
    autumn, spring = response.context["dashboard"].load
    assert (autumn["over"], autumn["pupils"], spring["over"], spring["pupils"]) == (15, [], 0, [])
    assert "Etternavn" not in html
    assert reverse(NAMED, args=["skole-a"]) not in html
    assert reverse(LOAD, args=["skole-a"]) not in html
    assert "15 elever på eller over grensen" in html


@pytest.mark.django_db
def test_dashboard_csvs_keep_the_whole_lists(client_as, rector_a, sixty):
    client = client_as(rector_a)

    named = client.get(reverse("schools:dashboard-csv", args=["skole-a", "navngitte_elever"]), {"skoleaar": 2019})
    load = client.get(reverse("schools:dashboard-csv", args=["skole-a", "elevbelastning"]), {"skoleaar": 2019})
    named_lines = named.content.decode().splitlines()
    load_lines = load.content.decode().splitlines()
    assert len(named_lines) == 1 + 60 + 30 + 5
    assert named_lines[-1].startswith("Elev59 Etternavn59;Fiolin;masterclass 12.10;Mesterklasse;")
    assert len(load_lines) == 1 + 60 + 5
    assert load_lines[:2] == [
        "\ufeffSemester;Elev;Hovedinstrument;Aktiviteter;På eller over grensen",
        "Høsten 2019;Elev00 Etternavn00;Fiolin;3;ja",
    ]
    assert load_lines[-1] == "Våren 2020;Elev04 Etternavn04;Fiolin;1;nei"


@pytest.mark.django_db
def test_dashboard_pdf_keeps_the_whole_lists(rector_a, sixty):
    from ungmusikk.dashboards.pdf import dashboard_pdf

    board = school_dashboard(school=sixty.school_a, show_names=True, school_year=2019)
    assert [table.name for table in board.export_tables][-2:] == ["navngitte_elever", "elevbelastning"]
    assert (len(board.export_tables[-2].rows), len(board.export_tables[-1].rows)) == (95, 65)
    assert dashboard_pdf(board)[:5] == b"%PDF-"


@pytest.mark.django_db
def test_pupil_load_over_count_is_counted_in_sql_for_any_top(sixty):
    """The count over the threshold does not depend on how many names are read."""
    for top in (0, 1, 10, 100):
        autumn, spring = participation.school_pupil_load(school=sixty.school_a, school_year=2019, threshold=3, top=top)
        assert (autumn["over"], spring["over"], len(autumn["pupils"]), len(spring["pupils"])) == (
            15,
            0,
            min(top, 60),
            min(top, 5),
        )
