"""Fixtures of the activities tests: an activity in Follo and one in Romerike, with
participations, and a pupil at school A."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from activities.tests.factories import ActivityFactory, ParticipationFactory
from governance.models import CooperationArea
from schools.tests.factories import EnrolmentFactory, PupilFactory

OSLO = ZoneInfo("Europe/Oslo")


def ensure_cooperation_areas() -> None:
    """The ten cooperation areas come from a data migration, but a transactional test (a
    browser test) that ran before in the same process has flushed them: put them back."""
    if CooperationArea.objects.count() >= 10:
        return
    migration = importlib.import_module("governance.migrations.0002_cooperation_areas")
    for number, name_nb, name_en, since_year, initiated_by in migration.AREAS:
        CooperationArea.objects.update_or_create(
            number=number,
            defaults={"name_nb": name_nb, "name_en": name_en, "since_year": since_year, "initiated_by": initiated_by},
        )


@pytest.fixture(autouse=True)
def _cooperation_areas_present(request):
    """Every database test in this folder starts with the reference data of the migrations."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_cooperation_areas()


@pytest.fixture
def areas(db):
    return {area.number: area for area in CooperationArea.objects.all()}


@pytest.fixture
def enrolment(network):
    """School year 2019/20: A has 40 pupils, A2 30, B 50."""
    return {
        school: EnrolmentFactory(school=school, school_year=2019, pupils=pupils)
        for school, pupils in ((network.school_a, 40), (network.school_a2, 30), (network.school_b, 50))
    }


@pytest.fixture
def pupil_a(network):
    return PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[network.school_a])


@pytest.fixture
def follo_activity(network, areas):
    activity = ActivityFactory(
        title="Mesterklasse fiolin",
        region=network.follo,
        starts_at=datetime(2019, 10, 12, 10, 0, tzinfo=OSLO),
        ends_at=datetime(2019, 10, 12, 15, 0, tzinfo=OSLO),
        areas=[areas[2]],
    )
    ParticipationFactory(activity=activity, school=network.school_a, pupils=4, teachers=1)
    return activity


@pytest.fixture
def romerike_activity(network, areas):
    activity = ActivityFactory(
        title="Samspill Romerike",
        kind="gathering",
        level="regional",
        region=network.romerike,
        starts_at=datetime(2019, 10, 19, 10, 0, tzinfo=OSLO),
        ends_at=datetime(2019, 10, 19, 14, 0, tzinfo=OSLO),
        areas=[areas[3]],
    )
    ParticipationFactory(activity=activity, school=network.school_b, pupils=6, teachers=2)
    return activity
