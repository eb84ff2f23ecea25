"""The activity form: saving through the services, every error at its field in Norwegian
with the user's input kept, one transaction per save, the pupil-load warning, copy and the
history."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityCost, Participation
from activities.services import ActivityData, ParticipationData
from activities.tests.factories import ActivityFactory, ParticipationFactory
from activities.tests.helpers import form_data
from core.periods import OSLO
from governance.models import AuditEntry, PortalSetting
from schools.models import Membership
from schools.tests.factories import SchoolFactory


def _post(client, data, url=None):
    return client.post(url or reverse("activities:create"), data)


def test_create_saves_activity_participations_and_costs(client_as, coord_follo, network, areas, enrolment, pupil_a):
    data = form_data(
        region=network.follo,
        areas=[areas[2], areas[3]],
        participations=[
            {"school": network.school_a, "pupils": 3, "teachers": 1, "named": [pupil_a]},
            {"school": network.school_a2, "pupils": 2},
        ],
        costs=[
            {"category": "fees", "amount": "12000", "description": "Honorar"},
            {"category": "travel", "amount": "800"},
        ],
    )
    response = _post(client_as(coord_follo), data)
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("activities:detail", args=[activity.pk])
    assert (activity.title, activity.region, activity.created_by, activity.updated_by) == (
        "Mesterklasse cello",
        network.follo,
        coord_follo,
        coord_follo,
    )
    assert activity.starts_at == datetime(2019, 11, 9, 10, 0, tzinfo=OSLO)
    assert sorted(activity.cooperation_areas.values_list("number", flat=True)) == [2, 3]
    rows = {p.school.name: (p.pupils, p.teachers, list(p.named_pupils.all())) for p in activity.participations.all()}
    assert rows == {"Skole A": (3, 1, [pupil_a]), "Skole A2": (2, 0, [])}
    assert sorted(activity.costs.values_list("category", "amount")) == [
        ("fees", Decimal("12000.00")),
        ("travel", Decimal("800.00")),
    ]
    entry = AuditEntry.objects.get(object_type="activities.activity", object_id=str(activity.pk))
    assert (entry.action, entry.actor) == ("activity_create", coord_follo)


def test_create_requires_a_cooperation_area_and_keeps_input(client_as, coord_follo, network):
    response = _post(client_as(coord_follo), form_data(region=network.follo, areas=[], title="Min tittel"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"cooperation_areas": ["Velg minst ett samarbeidsområde."]}
    assert 'value="Min tittel"' in response.content.decode()
    assert Activity.objects.count() == 0


def test_create_refuses_end_before_start(client_as, coord_follo, network, areas):
    data = form_data(region=network.follo, areas=[areas[2]], ends_at="2019-11-09T09:00")
    response = _post(client_as(coord_follo), data)
    assert response.context["form"].errors == {"ends_at": ["Slutt kan ikke være før start."]}
    assert 'value="2019-11-09T09:00"' in response.content.decode()
    assert Activity.objects.count() == 0


def test_create_refuses_negative_counts(client_as, coord_follo, network, areas):
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": network.school_a, "pupils": -1, "teachers": -2}],
    )
    response = _post(client_as(coord_follo), data)
    row = response.context["participations"].forms[0]
    assert row.errors == {
        "pupils": ["Antallet kan ikke være negativt."],
        "teachers": ["Antallet kan ikke være negativt."],
    }
    assert 'value="-1"' in response.content.decode()
    assert Activity.objects.count() == 0


def test_create_refuses_a_non_whole_count(client_as, coord_follo, network, areas):
    data = form_data(
        region=network.follo, areas=[areas[2]], participations=[{"school": network.school_a, "pupils": "2,5"}]
    )
    response = _post(client_as(coord_follo), data)
    assert response.context["participations"].forms[0].errors == {"pupils": ["Skriv et helt tall, 0 eller mer."]}


def test_create_refuses_more_pupils_than_enrolment(client_as, coord_follo, network, areas, enrolment):
    data = form_data(
        region=network.follo, areas=[areas[2]], participations=[{"school": network.school_a, "pupils": 41}]
    )
    response = _post(client_as(coord_follo), data)
    assert response.context["participations"].forms[0].errors == {
        "pupils": ["Skole A har bare 40 elever dette skoleåret."]
    }
    assert 'value="41"' in response.content.decode()
    assert Activity.objects.count() == 0


def test_create_refuses_an_interested_school(client_as, coord_follo, network, areas):
    interested = SchoolFactory(name="Skole I", region=network.follo, membership=Membership.Status.INTERESTED)
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": network.school_a, "pupils": 2}, {"school": interested, "pupils": 1}],
    )
    response = _post(client_as(coord_follo), data)
    rows = response.context["participations"].forms
    assert rows[0].errors == {}
    assert rows[1].errors == {
        "school": ["Skole I er ikke medlem eller pilot i UngMusikk på aktivitetens dato (09.11.2019)."]
    }
    assert Activity.objects.count() == 0


def test_create_refuses_a_named_pupil_of_another_school(client_as, coord_follo, network, areas, pupil_a):
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": network.school_a2, "pupils": 1, "named": [pupil_a]}],
    )
    response = _post(client_as(coord_follo), data)
    # The form refuses it (the page never offered it), without saying the pupil's name.
    assert response.context["participations"].forms[0].errors == {
        "named_pupils": [
            f"Navngitte elever: eleven med id {pupil_a.pk} går ikke på skolen i denne raden, "
            "eller du har ikke tilgang til elevene der."
        ]
    }


def test_coordinator_cannot_create_in_another_region(client_as, coord_follo, network, areas):
    response = _post(client_as(coord_follo), form_data(region=network.romerike, areas=[areas[2]]))
    assert list(response.context["form"].errors) == ["region"]
    assert Activity.objects.count() == 0


def test_failed_save_leaves_the_database_unchanged(network, areas, coord_follo, enrolment):
    """A rule broken late in the service (after the activity row was written) rolls back all."""
    before = (Activity.objects.count(), Participation.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError):
        services.activity_save(
            user=coord_follo,
            data=ActivityData(
                title="Halvveis",
                kind="seminar",
                level="regional",
                region=network.follo,
                starts_at=datetime(2019, 11, 9, 10, tzinfo=OSLO),
                ends_at=datetime(2019, 11, 9, 12, tzinfo=OSLO),
                cooperation_areas=[areas[6]],
            ),
            participations=[
                ParticipationData(school=network.school_a, pupils=2),
                ParticipationData(school=network.school_a2, pupils=31),
            ],
            costs=[services.CostData(category="fees", amount=Decimal("100"))],
        )
    assert (Activity.objects.count(), Participation.objects.count(), AuditEntry.objects.count()) == before
    assert ActivityCost.objects.count() == 0


def test_failed_update_leaves_the_activity_unchanged(client_as, coord_follo, follo_activity, network, areas, enrolment):
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        title="Nytt navn",
        participations=[{"school": network.school_a, "pupils": 99}],
    )
    response = _post(client_as(coord_follo), data, reverse("activities:update", args=[follo_activity.pk]))
    assert response.status_code == 200
    follo_activity.refresh_from_db()
    assert follo_activity.title == "Mesterklasse fiolin"
    assert list(follo_activity.participations.values_list("school__name", "pupils")) == [("Skole A", 4)]


def test_update_records_what_changed(client_as, coord_follo, follo_activity, network, areas, enrolment):
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        title="Mesterklasse bratsj",
        starts_at="2019-10-12T10:00",
        ends_at="2019-10-12T15:00",
        status="held",
        instrument="",
        participations=[{"school": network.school_a, "pupils": 5, "teachers": 1}],
    )
    response = _post(client_as(coord_follo), data, reverse("activities:update", args=[follo_activity.pk]))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="activity_update")
    assert entry.actor == coord_follo
    assert entry.changes == {
        "title": ["Mesterklasse fiolin", "Mesterklasse bratsj"],
        "participations": ["Skole A: 4 elever, 1 lærer", "Skole A: 5 elever, 1 lærer"],
    }
    detail = client_as(coord_follo).get(reverse("activities:detail", args=[follo_activity.pk]))
    html = detail.content.decode()
    assert "<td>Tittel</td><td>Mesterklasse fiolin</td><td>Mesterklasse bratsj</td>" in html
    assert detail.context["last_change"] == entry


def test_history_is_shown_in_oslo_time(client_as, coord_follo, network, areas):
    activity = services.activity_save(
        user=coord_follo,
        data=ActivityData(
            title="Konsert",
            kind="concert",
            level="local",
            region=network.follo,
            starts_at=datetime(2019, 11, 9, 18, tzinfo=OSLO),
            ends_at=datetime(2019, 11, 9, 20, tzinfo=OSLO),
            cooperation_areas=[areas[3]],
        ),
        participations=[],
        costs=[],
    )
    entry = AuditEntry.objects.get(action="activity_create")
    AuditEntry.objects.filter(pk=entry.pk).update(at=datetime(2020, 1, 15, 23, 30, tzinfo=OSLO))
    response = client_as(coord_follo).get(reverse("activities:detail", args=[activity.pk]))
    assert response.context["created"].at == datetime(2020, 1, 15, 23, 30, tzinfo=OSLO)
    assert "Opprettet av koord-follo 15.01.2020 kl. 23.30." in response.content.decode()


def test_copy_creates_a_new_activity_a_week_later(client_as, coord_follo, follo_activity, network, areas):
    client = client_as(coord_follo)
    page = client.get(reverse("activities:copy", args=[follo_activity.pk]))
    assert page.context["form"].initial["starts_at"] == datetime(2019, 10, 19, 10, 0, tzinfo=OSLO)
    assert page.context["participations"].initial == [
        {"school": network.school_a, "pupils": 4, "teachers": 1, "named_pupils": []}
    ]
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        title="Mesterklasse fiolin",
        starts_at="2019-10-19T10:00",
        ends_at="2019-10-19T15:00",
        participations=[{"school": network.school_a, "pupils": 4, "teachers": 1}],
    )
    response = _post(client, data, reverse("activities:copy", args=[follo_activity.pk]))
    copy = Activity.objects.exclude(pk=follo_activity.pk).get()
    assert response.url == reverse("activities:detail", args=[copy.pk])
    assert (copy.title, copy.status, copy.starts_at) == (
        "Mesterklasse fiolin",
        "planned",
        datetime(2019, 10, 19, 10, 0, tzinfo=OSLO),
    )
    assert AuditEntry.objects.get(object_id=str(copy.pk)).comment == f"Kopiert fra aktivitet {follo_activity.pk}."


def test_pupil_load_warns_before_saving(client_as, coord_follo, network, areas, busy_pupil):
    client = client_as(coord_follo)
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": network.school_a, "pupils": 1, "named": [busy_pupil]}],
    )
    response = _post(client, data)
    assert response.status_code == 200
    assert [(w["pupil"], w["count"], w["term"]) for w in response.context["pupil_load"]] == [
        (busy_pupil, 6, "høst 2019")
    ]
    assert "confirm_pupil_load" in response.context["form"].fields
    assert Activity.objects.count() == 6
    response = _post(client, {**data, "confirm_pupil_load": "on"})
    assert response.status_code == 302
    assert Activity.objects.count() == 7


def test_pupil_load_follows_the_central_setting(client_as, coord_follo, network, areas, busy_pupil):
    PortalSetting.objects.update_or_create(pk=1, defaults={"pupil_load_threshold": 7})
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        participations=[{"school": network.school_a, "pupils": 1, "named": [busy_pupil]}],
    )
    assert _post(client_as(coord_follo), data).status_code == 302


def test_pupil_load_counts_only_the_same_term(client_as, coord_follo, network, areas, busy_pupil):
    data = form_data(
        region=network.follo,
        areas=[areas[2]],
        starts_at="2020-02-01T10:00",
        ends_at="2020-02-01T12:00",
        participations=[{"school": network.school_a, "pupils": 1, "named": [busy_pupil]}],
    )
    assert _post(client_as(coord_follo), data).status_code == 302


def test_list_marks_activities_with_pupil_load(client_as, coord_follo, network, areas, busy_pupil, follo_activity):
    seventh = ActivityFactory(
        title="Den sjuende",
        region=network.follo,
        starts_at=datetime(2019, 11, 2, 10, tzinfo=OSLO),
        ends_at=datetime(2019, 11, 2, 12, tzinfo=OSLO),
        areas=[areas[2]],
    )
    ParticipationFactory(activity=seventh, school=network.school_a, pupils=1).named_pupils.set([busy_pupil])
    response = client_as(coord_follo).get(reverse("activities:list"))
    marked = sorted(a.title for a in response.context["activities"] if a.pupil_load)
    assert len(marked) == 7
    assert "Den sjuende" in marked
    assert [a.pupil_load for a in response.context["activities"] if a.pk == follo_activity.pk] == [False]


def _school_list_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q for q in queries.captured_queries if 'FROM "schools_school"' in q["sql"]]


def test_the_form_reads_the_schools_once_for_every_row(client_as, coord_follo, follo_activity, network, areas):
    """The participation rows' school lists come from one query (bench/load.py: one query and
    one template render per option and row made the form slow at national scale); each row
    still lists every school, the row's own selected."""
    url = reverse("activities:update", args=[follo_activity.pk])
    client = client_as(coord_follo)
    _response, one_row = _school_list_queries(client, url)
    ParticipationFactory(activity=follo_activity, school=network.school_b, pupils=2, teachers=1)
    response, two_rows = _school_list_queries(client, url)
    assert len(two_rows) == len(one_row)
    html = response.content.decode()
    first = html.split('name="deltakelse-0-school"')[1].split("</select>")[0]
    second = html.split('name="deltakelse-1-school"')[1].split("</select>")[0]
    assert first.count("<option") == second.count("<option") >= 3
    selected = {first.split(" selected>")[1].split("<")[0], second.split(" selected>")[1].split("<")[0]}
    assert selected == {network.school_a.name, network.school_b.name}
