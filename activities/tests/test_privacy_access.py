"""A pupil's access request (issue 13, activities.privacy.pupil_access_report): everything the
portal stores about one pupil, as JSON and as a PDF, for those who may erase them."""

import io
import json
import re
from datetime import datetime

import pypdf
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
    assert participation["starts_at"] == "2019-10-12T08:00:00+00:00"  # UTC, with its offset
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
            # The test's activities share school A's day: a clash, seen (issue 15).
            confirm_clash=True,
        )

    naming, other = save("Samspill med Ingrid", [pupil]), save("Samspill uten", [])

    entries = {
        (e["action"], e["object_id"]) for e in pupil_access_report(pupil=pupil, user=daily_leader)["audit_entries"]
    }
    assert ("activity_create", str(naming.pk)) in entries
    assert ("activity_create", str(other.pk)) not in entries


@pytest.fixture
def save_activity(network, areas, enrolment, daily_leader):
    from activities import services
    from activities.models import Activity
    from activities.services import ActivityData, ParticipationData

    def save(title, named, *, activity=None, user=daily_leader):
        return services.activity_save(
            user=user,
            activity=activity,
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
            participations=[
                ParticipationData(school=network.school_a, pupils=max(len(named), 1), teachers=1, named_pupils=named)
            ],
            costs=[],
            # The test's activities share school A's day: a clash, seen (issue 15).
            confirm_clash=True,
        )

    return save


def test_the_activities_entries_say_only_what_concerns_this_pupil(pupil, network, save_activity, daily_leader):
    """The report is handed to the pupil's guardians: no other pupil's name, no other value."""
    classmate = PupilFactory(first_name="Ulrik", last_name="Solberg", birth_year=2009, schools=[network.school_a])
    activity = save_activity("Samspill", [pupil, classmate])
    save_activity("Samspill", [classmate], activity=activity)

    report = pupil_access_report(pupil=pupil, user=daily_leader)

    entries = [e for e in report["audit_entries"] if e["object_type"] == "activities.activity"]
    assert [(e["action"], e["object_id"], e["about_pupil"]) for e in entries] == [
        ("activity_create", str(activity.pk), ["navngitt på aktiviteten"]),
        ("activity_update", str(activity.pk), ["fjernet fra aktiviteten"]),
    ]
    assert set(entries[0]) == {
        "at",
        "actor",
        "action",
        "action_label",
        "object_type",
        "object_id",
        "activity",
        "about_pupil",
    }
    assert entries[0]["activity"] == {"title": "Samspill", "starts_at": "2019-11-09T09:00:00+00:00"}
    assert entries[0]["actor"] == "leder"
    assert entries[0]["at"].endswith("+00:00")
    text = json.dumps(report, ensure_ascii=False)
    assert "Solberg" not in text
    assert "Ulrik" not in text


def test_a_namesake_born_another_year_is_not_in_the_report(pupil, network, save_activity, daily_leader):
    namesake = PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2010, schools=[network.school_a])
    save_activity("Namnebrors samspill", [namesake])

    entries = pupil_access_report(pupil=pupil, user=daily_leader)["audit_entries"]

    assert [e["object_type"] for e in entries] == ["schools.pupil"]


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[ \t\r\n\xa0]+", " ", text)


def test_the_pdf_reads_as_a_document_in_oslo_time(pupil, network, save_activity, daily_leader, client_as):
    from core.audit import AuditAction
    from governance.services import audit_record

    classmate = PupilFactory(first_name="Ulrik", last_name="Solberg", birth_year=2009, schools=[network.school_a])
    save_activity("Samspill", [pupil, classmate])
    audit_record(actor=None, action=AuditAction.PUPIL_UPDATE, obj=pupil, comment="kontroll")

    content = client_as(daily_leader).get(reverse("activities:pupil-access-pdf", args=[pupil.pk])).content
    text = pdf_text(content)

    assert "Opplysninger om en elev" in text
    assert "Ingrid Berg" in text
    assert "Aktivitet Tid Sted Skole" in text  # the participations' table
    assert "Mesterklasse bratsj 12.10.2019 kl. 10.00 Lindeman-salen Skole A" in text
    assert re.search(
        r"\d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d – leder: navngitt på aktiviteten «Samspill» \(09\.11\.2019\)", text
    )
    assert re.search(r"\d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d – systemet: endret elev", text)
    assert "Kommentar: kontroll" in text
    assert "Side 1 av 1" in text
    for raw in ("Solberg", "{", "+00:00", "T08:00", "–:"):
        assert raw not in text, raw


def test_the_pdf_of_a_pupil_named_on_an_activity_since_deleted(pupil, network, save_activity, daily_leader, client_as):
    """The report kept the log entry of an activity deleted since (no start): the PDF was a 500."""
    from activities.models import Activity

    save_activity("Samspill", [pupil])
    Activity.objects.filter(title="Samspill").delete()
    response = client_as(daily_leader).get(reverse("activities:pupil-access-pdf", args=[pupil.pk]))
    assert response.status_code == 200
    assert "– leder: navngitt på aktiviteten «Samspill (09.11.2019)»" in pdf_text(response.content)
