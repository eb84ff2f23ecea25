"""The list, the calendar, the CSV export and the coordinator's start page: filters in the
query string, and a query count that does not grow with the data."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.periods import OSLO
from schools.tests.factories import PupilFactory


def _activities(network, areas, count):
    """`count` Follo activities in October 2019, each with two schools and a named pupil."""
    pupil = PupilFactory(schools=[network.school_a])
    made = []
    for index in range(count):
        activity = ActivityFactory(
            title=f"Aktivitet {index}",
            region=network.follo,
            host_school=network.school_a,
            starts_at=datetime(2019, 10, 5 + index, 10, tzinfo=OSLO),
            ends_at=datetime(2019, 10, 5 + index, 12, tzinfo=OSLO),
            areas=[areas[2], areas[3]],
        )
        ParticipationFactory(activity=activity, school=network.school_a, pupils=3).named_pupils.set([pupil])
        ParticipationFactory(activity=activity, school=network.school_a2, pupils=2)
        made.append(activity)
    return made


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_count_does_not_grow(count, client_as, coord_follo, network, areas, django_assert_num_queries):
    _activities(network, areas, count)
    client = client_as(coord_follo)
    # one fewer than before: a coordinator's regions come from the roles the request has read;
    # three for the session's new end (savepoint, UPDATE, release: SESSION_SAVE_EVERY_REQUEST);
    # +2 (issue 15) for the «Kollisjon» marks: the clash setting and the participations of the
    # page's window (activities.clashes.activity_ids_with_clash), whatever the page's size
    with django_assert_num_queries(20):
        response = client.get(reverse("activities:list"), {"region": network.follo.pk, "school_year": "2019"})
    assert len(response.context["activities"]) == count
    assert [a.pupil_total for a in response.context["activities"]] == [5] * count


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_query_count_does_not_grow(count, client_as, coord_follo, network, areas, django_assert_num_queries):
    _activities(network, areas, count)
    client = client_as(coord_follo)
    # with three for the session's new end (savepoint, UPDATE, release) and three for the
    # clash marks (the shown activities' participations, the setting, the window's participations)
    with django_assert_num_queries(14):
        response = client.get(reverse("activities:calendar"), {"region": network.follo.pk, "maaned": "2019-10"})
    assert response.context["count"] == count


def test_list_filters_live_in_the_query_string(client_as, coord_follo, follo_activity, romerike_activity, areas):
    client = client_as(coord_follo)
    assert [a.title for a in client.get(reverse("activities:list")).context["activities"]] == [
        "Samspill Romerike",
        "Mesterklasse fiolin",
    ]
    cases = [
        ({"region": romerike_activity.region.pk}, ["Samspill Romerike"]),
        ({"area": areas[2].pk}, ["Mesterklasse fiolin"]),
        ({"kind": "gathering"}, ["Samspill Romerike"]),
        ({"level": "central"}, ["Mesterklasse fiolin"]),
        ({"status": "cancelled"}, []),
        ({"school_year": "2018"}, []),
        ({"school_year": "2019"}, ["Samspill Romerike", "Mesterklasse fiolin"]),
        ({"q": "FIOLIN"}, ["Mesterklasse fiolin"]),
    ]
    for query, titles in cases:
        response = client.get(reverse("activities:list"), query)
        assert [a.title for a in response.context["activities"]] == titles, query


def test_list_filters_by_host_school(client_as, coord_follo, follo_activity, network):
    follo_activity.host_school = network.school_a2
    follo_activity.save()
    response = client_as(coord_follo).get(reverse("activities:list"), {"host_school": network.school_a2.pk})
    assert [a.title for a in response.context["activities"]] == ["Mesterklasse fiolin"]


def test_list_paginates_and_keeps_the_filter(client_as, coord_follo, network, areas):
    for day in range(30):
        ActivityFactory(
            title=f"Kurs {day:02d}",
            region=network.follo,
            starts_at=datetime(2019, 9, 1, 10, tzinfo=OSLO) + timedelta(days=day),
            ends_at=datetime(2019, 9, 1, 12, tzinfo=OSLO) + timedelta(days=day),
        )
    client = client_as(coord_follo)
    response = client.get(reverse("activities:list"), {"q": "Kurs", "side": "2"})
    assert [a.title for a in response.context["activities"]] == ["Kurs 04", "Kurs 03", "Kurs 02", "Kurs 01", "Kurs 00"]
    assert response.context["query"] == "q=Kurs"
    assert 'href="?q=Kurs&amp;side=1"' in response.content.decode()


def test_list_marks_what_lacks_figures(client_as, coord_follo, network, areas):
    ActivityFactory(title="Uten tall", region=network.follo)
    response = client_as(coord_follo).get(reverse("activities:list"))
    assert [(a.title, a.lacks_figures) for a in response.context["activities"]] == [("Uten tall", True)]


def test_calendar_shows_the_month_of_the_filtered_set(client_as, coord_follo, follo_activity, romerike_activity):
    response = client_as(coord_follo).get(
        reverse("activities:calendar"), {"maaned": "2019-10", "region": follo_activity.region.pk}
    )
    assert response.context["month_label"] == "oktober 2019"
    cells = {
        cell["day"].day: [a.title for a in cell["activities"]]
        for week in response.context["weeks"]
        for cell in week
        if cell["in_month"]
    }
    assert cells[12] == ["Mesterklasse fiolin"]
    assert cells[19] == []
    assert (response.context["previous"], response.context["following"]) == ("2019-09", "2019-11")
    assert f'href="?region={follo_activity.region.pk}&amp;maaned=2019-11"' in response.content.decode()


def test_export_writes_the_filtered_list_as_csv(client_as, coord_follo, follo_activity, romerike_activity):
    response = client_as(coord_follo).get(reverse("activities:export"), {"region": follo_activity.region.pk})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["id", "tittel", "type"]
    assert rows[1:] == [
        [
            str(follo_activity.pk),
            "Mesterklasse fiolin",
            "Mesterklasse",
            "Sentral",
            "Gjennomført",
            "Follo",
            "2",
            "12.10.2019 10:00",
            "12.10.2019 15:00",
            "",
            "",
            "",
            "1",
            "4",
            "1",
            "0",
        ]
    ]


def test_coordinator_start_page_shows_their_region(client_as, coord_follo, network, areas, romerike_activity):
    now = timezone.now()
    ActivityFactory(
        title="Neste samling",
        region=network.follo,
        status="planned",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
    )
    ActivityFactory(
        title="Forrige uke",
        region=network.follo,
        starts_at=now - timedelta(days=7),
        ends_at=now - timedelta(days=7) + timedelta(hours=2),
    )
    response = client_as(coord_follo).get(reverse("home"))
    overview = response.context["coordinator"]
    assert overview["regions"] == [network.follo]
    assert [a.title for a in overview["upcoming"]] == ["Neste samling"]
    assert [a.title for a in overview["recent"]] == ["Forrige uke"]
    assert [a.title for a in overview["lacking"]] == ["Forrige uke"]
    assert overview["lacking_count"] == 1


def test_start_page_has_no_coordinator_section_for_a_rector(client_as, rector_a):
    assert client_as(rector_a).get(reverse("home")).context["coordinator"] is None
