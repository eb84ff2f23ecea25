"""What an erasure replaces (issue 13, finding 3 of the break attempt): only what refers to the
erased pupil — their «Name (year)» as a whole word, and their bare name where it cannot be
someone else's — never another pupil's or an adult's name."""

from datetime import datetime

import pytest

from activities import services
from activities.models import Activity
from activities.privacy import pupil_erase, pupil_pseudonym
from activities.services import ActivityData, ParticipationData
from core.audit import AuditAction
from core.periods import OSLO
from governance.models import AuditEntry
from governance.tests.factories import UserFactory
from schools.tests.factories import PupilFactory


@pytest.fixture
def save_activity(network, areas, enrolment, daily_leader):
    def save(title: str, named: list, *, nmh_teachers: str = "", notes: str = "") -> Activity:
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
                nmh_teachers=nmh_teachers,
                notes=notes,
            ),
            participations=[
                ParticipationData(school=network.school_a, pupils=max(len(named), 1), teachers=1, named_pupils=named)
            ],
            costs=[],
            # The test's activities share school A's day: a clash, seen (issue 15).
            confirm_clash=True,
        )

    return save


def _participations(activity: Activity) -> str:
    return AuditEntry.objects.get(action=AuditAction.ACTIVITY_CREATE, object_id=str(activity.pk)).changes[
        "participations"
    ][1]


def test_an_overlapping_name_is_kept(network, save_activity, daily_leader):
    moe = PupilFactory(first_name="Emil", last_name="Moe", birth_year=2010, schools=[network.school_a])
    moen = PupilFactory(first_name="Emil", last_name="Moen", birth_year=2010, schools=[network.school_a])
    activity = save_activity("Samspill", [moe, moen], notes="Emil Moen spilte solo, Emil Moe akkompagnerte.")

    pupil_erase(pupil=moe, user=daily_leader, reason="krav")

    code = pupil_pseudonym(moe)
    assert _participations(activity) == f"Skole A: 2 elever, 1 lærer (Elev {code} (2010), Emil Moen (2010))"
    activity.refresh_from_db()
    assert activity.notes == f"Emil Moen spilte solo, Elev {code} akkompagnerte."
    moen.refresh_from_db()
    assert (moen.first_name, moen.last_name) == ("Emil", "Moen")


def test_a_namesake_born_another_year_is_kept(network, save_activity, daily_leader):
    older = PupilFactory(first_name="Even", last_name="Andresen", birth_year=2005, schools=[network.school_a])
    younger = PupilFactory(first_name="Even", last_name="Andresen", birth_year=2010, schools=[network.school_a])
    both = save_activity("Samspill", [older, younger], notes="Even Andresen glemte noten.")
    only_younger = save_activity("Orkester", [younger])

    pupil_erase(pupil=older, user=daily_leader, reason="krav fra foresatte til Even Andresen")

    code = pupil_pseudonym(older)
    assert _participations(both) == f"Skole A: 2 elever, 1 lærer (Elev {code} (2005), Even Andresen (2010))"
    assert _participations(only_younger) == "Skole A: 1 elev, 1 lærer (Even Andresen (2010))"
    both.refresh_from_db()
    assert both.notes == "Even Andresen glemte noten."  # could be either: the namesake's stays
    # In the erasure's own reason the bare name is the erased pupil's.
    assert AuditEntry.objects.get(action=AuditAction.PUPIL_ERASE).comment == f"krav fra foresatte til Elev {code}"
    younger.refresh_from_db()
    assert str(younger) == "Even Andresen (2010)"


def test_an_adult_with_the_same_full_name_is_kept(network, save_activity, daily_leader):
    UserFactory(username="siri.haug", first_name="Siri", last_name="Haug")
    pupil = PupilFactory(first_name="Siri", last_name="Haug", birth_year=2008, schools=[network.school_a])
    activity = save_activity("Mesterklasse", [pupil], nmh_teachers="Siri Haug, Per Holm")

    pupil_erase(pupil=pupil, user=daily_leader, reason="krav")

    activity.refresh_from_db()
    assert activity.nmh_teachers == "Siri Haug, Per Holm"
    code = pupil_pseudonym(pupil)
    assert _participations(activity) == f"Skole A: 1 elev, 1 lærer (Elev {code} (2008))"


def test_a_unique_name_in_the_nmh_teachers_text_is_replaced(network, save_activity, daily_leader):
    pupil = PupilFactory(first_name="Tiril", last_name="Vangsnes", birth_year=2008, schools=[network.school_a])
    activity = save_activity("Mesterklasse", [pupil], nmh_teachers="Per Holm (med Tiril Vangsnes som assistent)")

    pupil_erase(pupil=pupil, user=daily_leader, reason="krav")

    activity.refresh_from_db()
    assert activity.nmh_teachers == f"Per Holm (med Elev {pupil_pseudonym(pupil)} som assistent)"


def test_a_shared_name_in_the_nmh_teachers_text_is_kept(network, save_activity, daily_leader):
    pupil = PupilFactory(first_name="Tiril", last_name="Vangsnes", birth_year=2008, schools=[network.school_a])
    PupilFactory(first_name="tiril", last_name="VANGSNES", birth_year=2011, schools=[network.school_b])
    activity = save_activity("Mesterklasse", [pupil], nmh_teachers="Per Holm (med Tiril Vangsnes som assistent)")

    pupil_erase(pupil=pupil, user=daily_leader, reason="krav")

    activity.refresh_from_db()
    assert activity.nmh_teachers == "Per Holm (med Tiril Vangsnes som assistent)"
    assert _participations(activity) == f"Skole A: 1 elev, 1 lærer (Elev {pupil_pseudonym(pupil)} (2008))"


def test_a_namesake_born_the_same_year_keeps_their_activities(network, save_activity, daily_leader):
    """Written the same «Name (year)», the two are told apart by the activities they are on."""
    erased = PupilFactory(first_name="Ola", last_name="Dahl", birth_year=2008, schools=[network.school_a])
    namesake = PupilFactory(first_name="Ola", last_name="Dahl", birth_year=2008, schools=[network.school_a])
    theirs, others = save_activity("Samspill", [erased]), save_activity("Orkester", [namesake])

    pupil_erase(pupil=erased, user=daily_leader, reason="krav")

    assert _participations(theirs) == f"Skole A: 1 elev, 1 lærer (Elev {pupil_pseudonym(erased)} (2008))"
    assert _participations(others) == "Skole A: 1 elev, 1 lærer (Ola Dahl (2008))"
