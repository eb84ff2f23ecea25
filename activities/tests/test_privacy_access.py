"""A pupil's access request (issue 13, activities.privacy.pupil_access_report): everything the
portal stores about one pupil, as JSON and as a PDF, for those who may erase them."""

import json
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from activities.privacy import pupil_access_report
from activities.tests.factories import ActivityFactory, ParticipationFactory, VenueFactory
from core.periods import OSLO
from schools.services import pupil_save
from schools.tests.factories import PupilFactory


@pytest.fixture
def pupil(network, daily_leader):
    pupil = PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, main_instrument="Bratsj", schools=[])
    pupil = pupil_save(pupil=pupil, user=daily_leader, schools=[network.school_a])
    activity = ActivityFactory(
        title="Mesterklasse bratsj",
        region=network.follo,
        venue=VenueFactory(name="Lindeman-salen"),
        starts_at=datetime(2019, 10, 12, 10, tzinfo=OSLO),
        ends_at=datetime(2019, 10, 12, 15, tzinfo=OSLO),
    )
    ParticipationFactory(activity=activity, school=network.school_a, pupils=3).named_pupils.add(pupil)
    other = PupilFactory(first_name="Annen", last_name="Elev", schools=[network.school_a])
    pupil_save(pupil=other, user=daily_leader, schools=[network.school_a])
    return pupil


def test_the_report_holds_the_record_schools_participations_and_log(pupil, daily_leader, network):
    from activities.rollups import rollup_enrolment

    rollup_enrolment()
    report = pupil_access_report(pupil=pupil, user=daily_leader)

    assert set(report) == {"pupil", "schools", "participations", "load_warnings", "audit_entries", "generated_at"}
    assert report["pupil"] == {
        "id": pupil.pk,
        "first_name": "Ingrid",
        "last_name": "Berg",
        "birth_year": 2006,
        "main_instrument": "Bratsj",
        "erased": False,
    }
    assert report["schools"] == [{"id": network.school_a.pk, "name": "Skole A"}]
    [participation] = report["participations"]
    assert (participation["title"], participation["venue"], participation["school"]) == (
        "Mesterklasse bratsj",
        "Lindeman-salen",
        "Skole A",
    )
    assert participation["starts_at"].startswith("2019-10-12")
    assert report["load_warnings"] == [{"school_year": 2019, "term": "autumn", "activities": 1, "warning": False}]
    # Their own record's entries, not another pupil's.
    assert [(e["action"], e["object_id"]) for e in report["audit_entries"]] == [("pupil_update", str(pupil.pk))]
    json.dumps(report)  # plain JSON


def test_others_are_refused(pupil, coord_follo, steering_member, rector_b):
    for user in (coord_follo, steering_member, rector_b):
        with pytest.raises(PermissionDenied):
            pupil_access_report(pupil=pupil, user=user)


def test_the_rector_of_the_pupils_only_school_gets_the_json_and_the_pdf(pupil, rector_a, client_as):
    client = client_as(rector_a)
    response = client.get(reverse("activities:pupil-access-json", args=[pupil.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["pupil"]["last_name"] == "Berg"
    assert [p["title"] for p in data["participations"]] == ["Mesterklasse bratsj"]

    pdf = client.get(reverse("activities:pupil-access-pdf", args=[pupil.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_views_refuse_others(pupil, coord_follo, rector_b, client_as):
    assert client_as(coord_follo).get(reverse("activities:pupil-access-json", args=[pupil.pk])).status_code == 403
    assert client_as(rector_b).get(reverse("activities:pupil-access-pdf", args=[pupil.pk])).status_code == 404


def test_the_report_lists_the_activity_log_entries_that_name_them(pupil, network, areas, enrolment, daily_leader):
    from activities import services
    from activities.models import Activity
    from activities.services import ActivityData, ParticipationData

    def save(title, named):
        return services.activity_save(
            user=daily_leader,
            data=ActivityData(
                title=title,
                kind=Activity.Kind.MASTERCLASS,
                level=Activity.Level.CENTRAL,
                region=network.follo,
                starts_at=datetime(2019, 11, 9, 10, tzinfo=OSLO),
                ends_at=datetime(2019, 11, 9, 15, tzinfo=OSLO),
                cooperation_areas=[areas[2]],
                status=Activity.Status.HELD,
            ),
            participations=[ParticipationData(school=network.school_a, pupils=2, teachers=1, named_pupils=named)],
            costs=[],
        )

    naming, other = save("Samspill med Ingrid", [pupil]), save("Samspill uten", [])

    entries = {
        (e["action"], e["object_id"]) for e in pupil_access_report(pupil=pupil, user=daily_leader)["audit_entries"]
    }
    assert ("activity_create", str(naming.pk)) in entries
    assert ("activity_create", str(other.pk)) not in entries
