"""The summaries the reports read (issue 16): activities per month × region × where held ×
kind × level, per cooperation area, NMH teachers, and named pupils per school and GSI age band
for school and calendar years; kept up to date by the incremental rollup."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activities.models import ActivityMonthRollup, AreaMonthRollup, NmhTeacherRollup, PupilCountRollup
from activities.rollups import rollup_enrolment, rollup_mark_activity_dirty
from activities.selectors import nmh_teacher_names
from activities.tests.factories import ActivityFactory, ParticipationFactory, VenueFactory
from core.periods import OSLO
from governance.models import CooperationArea
from schools.tests.factories import MunicipalityFactory, PupilFactory

pytestmark = pytest.mark.django_db


def counts(period: str, year: int) -> dict[tuple[int, str], int]:
    return {
        (school_id, band): pupils
        for school_id, band, pupils in PupilCountRollup.objects.filter(period=period, year=year).values_list(
            "school_id", "age_band", "pupils"
        )
    }


def test_age_bands_at_their_boundaries_on_1_october(network):
    # In school year 2020/21 (1 October 2020): born 2015 → 5 (under), 2014 → 6 (within),
    # 2005 → 15 (within), 2004 → 16 (over).
    school = network.school_a
    pupils = [PupilFactory(birth_year=year, schools=[school]) for year in (2015, 2014, 2005, 2004)]
    activity = ActivityFactory(
        region=network.follo,
        starts_at=datetime(2020, 9, 1, 10, tzinfo=OSLO),
        ends_at=datetime(2020, 9, 1, 12, tzinfo=OSLO),
    )
    ParticipationFactory(activity=activity, school=school, pupils=4).named_pupils.set(pupils)
    rollup_enrolment()
    assert counts("school_year", 2020) == {(school.pk, "under"): 1, (school.pk, "within"): 2, (school.pk, "over"): 1}
    # The calendar year 2020 reckons ages on 1 October 2020 too.
    assert counts("calendar_year", 2020) == counts("school_year", 2020)
    # The school year 2019/20 (1 October 2019) does not hold this activity.
    assert counts("school_year", 2019) == {}


def test_a_pupil_counts_once_per_school_and_period_and_at_each_of_their_schools(network):
    a, b = network.school_a, network.school_b
    pupil = PupilFactory(birth_year=2008, schools=[a, b])
    # Spring 2020 twice at A, autumn 2020 at B and at A again: the full rollup counts the calendar
    # year 2020 from the two school years' stages (spring of 2019/20, autumn of 2020/21).
    for month, school in ((3, a), (5, a), (10, b), (11, a)):
        activity = ActivityFactory(
            region=network.follo,
            starts_at=datetime(2020, month, 2, 10, tzinfo=OSLO),
            ends_at=datetime(2020, month, 2, 12, tzinfo=OSLO),
        )
        ParticipationFactory(activity=activity, school=school, pupils=1).named_pupils.set([pupil])
    rollup_enrolment()
    assert counts("calendar_year", 2020) == {(a.pk, "within"): 1, (b.pk, "within"): 1}
    assert counts("school_year", 2019) == {(a.pk, "within"): 1}
    assert counts("school_year", 2020) == {(a.pk, "within"): 1, (b.pk, "within"): 1}
    rollup_enrolment(year=2020)  # one school year: its calendar years are read from the links
    assert counts("calendar_year", 2020) == {(a.pk, "within"): 1, (b.pk, "within"): 1}
    assert counts("calendar_year", 2021) == {}


def test_activity_cells_count_each_activity_once_where_it_was_held(network):
    there = MunicipalityFactory(name="Der")
    venue = VenueFactory(municipality=there)
    areas = list(CooperationArea.objects.filter(number__in=(1, 2)))
    when = datetime(2020, 3, 2, 10, tzinfo=OSLO)
    at_venue = ActivityFactory(
        region=network.follo,
        venue=venue,
        host_school=network.school_a,
        starts_at=when,
        ends_at=when,
        areas=areas,
        nmh_teachers="Ingrid Haugland, Per Vik",
    )
    ParticipationFactory(activity=at_venue, school=network.school_a, pupils=3, teachers=1)
    ParticipationFactory(activity=at_venue, school=network.school_b, pupils=2, teachers=2)
    at_host = ActivityFactory(
        region=network.follo, host_school=network.school_a, starts_at=when, ends_at=when, nmh_teachers="ingrid haugland"
    )
    ParticipationFactory(activity=at_host, school=network.school_a, pupils=1, teachers=0)
    ActivityFactory(region=network.follo, starts_at=when, ends_at=when, status="cancelled")
    rollup_enrolment()
    cells = {
        row["municipality_id"]: row
        for row in ActivityMonthRollup.objects.filter(school_year=2019, month=3).values(
            "municipality_id", "activities", "schools", "pupils", "teachers"
        )
    }
    assert cells[there.pk] == {"municipality_id": there.pk, "activities": 1, "schools": 2, "pupils": 5, "teachers": 3}
    assert cells[network.school_a.municipality_id]["activities"] == 1
    assert sum(row["activities"] for row in cells.values()) == 2  # the cancelled one is left out
    assert sorted(AreaMonthRollup.objects.values_list("cooperation_area__number", "activities", "pupils")) == [
        (1, 1, 5),
        (2, 1, 5),
    ]
    assert sorted(NmhTeacherRollup.objects.values_list("name", flat=True)) == ["Ingrid Haugland", "Per Vik"]


def test_the_incremental_rollup_keeps_the_report_summaries_up_to_date(network):
    when = datetime(2020, 3, 2, 10, tzinfo=OSLO)
    activity = ActivityFactory(region=network.follo, starts_at=when, ends_at=when)
    participation = ParticipationFactory(activity=activity, school=network.school_a, pupils=2)
    rollup_enrolment()
    assert ActivityMonthRollup.objects.get().pupils == 2
    pupil = PupilFactory(birth_year=2010, schools=[network.school_a])
    participation.named_pupils.set([pupil])
    participation.pupils = 7
    participation.save()
    activity.nmh_teachers = "Kari Nordmann"
    activity.save()
    rollup_mark_activity_dirty(activity_ids=[activity.pk])
    rollup_enrolment(incremental=True)
    assert ActivityMonthRollup.objects.get().pupils == 7
    assert counts("calendar_year", 2020) == {(network.school_a.pk, "within"): 1}
    assert counts("school_year", 2019) == {(network.school_a.pk, "within"): 1}
    assert list(NmhTeacherRollup.objects.values_list("name", flat=True)) == ["Kari Nordmann"]
    activity.status = "cancelled"
    activity.save()
    rollup_mark_activity_dirty(activity_ids=[activity.pk])
    rollup_enrolment(incremental=True)
    assert not ActivityMonthRollup.objects.exists()
    assert counts("calendar_year", 2020) == {} and counts("school_year", 2019) == {}


def test_a_full_rebuild_drops_the_years_without_data(network):
    when = datetime(2020, 3, 2, 10, tzinfo=OSLO)
    activity = ActivityFactory(region=network.follo, starts_at=when, ends_at=when)
    ParticipationFactory(activity=activity, school=network.school_a).named_pupils.set(
        [PupilFactory(schools=[network.school_a])]
    )
    rollup_enrolment()
    assert ActivityMonthRollup.objects.exists() and PupilCountRollup.objects.exists()
    activity.delete()
    rollup_enrolment()
    assert not ActivityMonthRollup.objects.exists()
    assert not PupilCountRollup.objects.exists()


def test_nmh_teacher_names_as_people_type_them():
    assert nmh_teacher_names("Gjestelærer (Sibelius-akademiet) og Ingrid Haugland") == [
        "Gjestelærer (Sibelius-akademiet)",
        "Ingrid Haugland",
    ]
    assert nmh_teacher_names(" Per  Vik ;per vik/Kari & Ola\nÁilu Ŋuolja and Bogdan Ogden") == [
        "Per Vik",
        "Kari",
        "Ola",
        "Áilu Ŋuolja",
        "Bogdan Ogden",
    ]
    assert nmh_teacher_names("") == [] and nmh_teacher_names(" , og ,") == []


@given(st.text(max_size=200))
def test_nmh_teacher_names_of_anything_are_tidy_and_distinct(text):
    names = nmh_teacher_names(text)
    assert all(name == " ".join(name.split()) and name for name in names)
    assert len({name.casefold() for name in names}) == len(names)


def test_period_months_cover_a_calendar_year_from_two_school_years():
    from activities.figures import period_months_q

    def pairs(start, end):
        condition = period_months_q(start=start, end=end)
        return {
            (dict(child.children)["school_year"], dict(child.children)["month"]) for child in condition.children[1:]
        }

    assert pairs(date(2020, 1, 1), date(2021, 1, 1)) == {(2019, m) for m in range(1, 8)} | {
        (2020, m) for m in range(8, 13)
    }
    assert pairs(date(2019, 8, 1), date(2020, 8, 1)) == {(2019, m) for m in range(1, 13)}
