"""The dashboard's years table, `years_with_figures` and the chosen year's kinds and months,
read from one row a year (SchoolYearRollup) and the chosen year's month × kind cells
(ParticipationMonthRollup) since issue 17, are the figures the dashboard built before from
every month × kind cell of every year: an activity has one kind and one start month, so the
year's distinct activities are its cells' sum. Checked on every school of the demo network."""

import pytest

from activities import figures as participation
from activities.models import ParticipationMonthRollup, SchoolYearRollup
from activities.rollups import rollup_enrolment
from core.periods import school_year_label, school_year_of
from schools.models import School


def years_as_before(school: School) -> list[participation.YearRow]:
    """The years table as the dashboard built it before issue 17: every month × kind cell of
    every year of the school summed per school year, the named pupils of the years that have
    some, and the enrolment."""
    cells: dict[int, list[int]] = {}
    for row in ParticipationMonthRollup.objects.filter(school=school):
        cell = cells.setdefault(row.school_year, [0, 0, 0])
        cell[0] += row.activities
        cell[1] += row.pupils
        cell[2] += row.teachers
    unique = dict(
        SchoolYearRollup.objects.filter(school=school, unique_pupils__gt=0).values_list("school_year", "unique_pupils")
    )
    enrolment = participation.school_enrolment(school=school)
    return [
        participation.YearRow(
            school_year=year,
            label=school_year_label(year),
            activities=cells.get(year, [0, 0, 0])[0],
            pupils=cells.get(year, [0, 0, 0])[1],
            unique_pupils=unique.get(year, 0),
            teachers=cells.get(year, [0, 0, 0])[2],
            enrolment=enrolment.get(year),
            share=participation.share_percent(unique.get(year, 0), enrolment.get(year)),
        )
        for year in sorted(set(cells) | set(unique) | set(enrolment))
    ]


@pytest.mark.django_db
def test_years_table_from_year_rows_equals_the_sum_of_months_and_kinds_on_the_demo(demo_network):
    rollup_enrolment()
    compared = 0
    for school in School.objects.order_by("slug"):
        before = years_as_before(school)
        year_rows = participation.school_year_rows(school=school)
        after = participation.participation_years(
            year_rows=year_rows, enrolment=participation.school_enrolment(school=school)
        )
        assert after == before, school.slug
        with_figures = [row.school_year for row in before if row.activities or row.unique_pupils]
        assert participation.years_with_figures(year_rows) == with_figures, school.slug
        for row in before:
            cells = participation.school_participation_by_month_and_kind(school=school, school_year=row.school_year)
            assert {school_year_of(cell["month"]) for cell in cells} <= {row.school_year}
            assert sum(cell["activities"] for cell in cells) == row.activities, (school.slug, row.school_year)
            assert sum(cell["pupils"] for cell in cells) == row.pupils, (school.slug, row.school_year)
        compared += sum(1 for row in before if row.activities)
    assert compared >= 20  # the demo's schools have one or two years of activities each


@pytest.mark.django_db
def test_school_money_from_sums_equals_the_averages_over_every_schools_row_on_the_demo(demo_network):
    """The dashboard's money (issue 17: its school's municipality's rows and the region's and
    kind's participating schools' two figures, two queries) is what it was when computed from
    every school's row: each value to the øre, then averaged (the rollup keeps six decimals;
    summing them unrounded in SQL was an øre off on PostgreSQL)."""
    from funding import figures as money
    from funding.rollups import rollup_budget

    rollup_budget()
    compared = 0
    for year in (2019, 2020, 2021):
        rows = money.school_money_list(year=year)
        for school in School.objects.order_by("slug"):
            assert money.school_money(school=school, year=year) == money.school_money(
                school=school, year=year, rows=rows
            ), (school.slug, year)
            compared += 1
    with_averages = money.school_money(school=School.objects.get(slug="kulturskolen-i-as"), year=2020)
    assert with_averages.region_schools > 1 and with_averages.comparisons[1].region_average is not None
    assert compared == 3 * School.objects.count()
