"""Fixtures of the activities tests: an activity in Follo and one in Romerike, with
participations, and a pupil at school A."""

from datetime import datetime

import pytest

from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.periods import OSLO
from governance.models import CooperationArea
from schools.tests.factories import EnrolmentFactory, PupilFactory


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


@pytest.fixture
def busy_pupil(network, areas):
    """A pupil of school A already named on 6 held activities in autumn 2019."""
    pupil = PupilFactory(first_name="Sara", last_name="Lie", birth_year=2005, schools=[network.school_a])
    for day in range(1, 7):
        activity = ActivityFactory(
            region=network.follo,
            starts_at=datetime(2019, 9, day, 10, tzinfo=OSLO),
            ends_at=datetime(2019, 9, day, 12, tzinfo=OSLO),
            areas=[areas[2]],
        )
        ParticipationFactory(activity=activity, school=network.school_a, pupils=1).named_pupils.set([pupil])
    return pupil
