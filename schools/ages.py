"""Age bands of pupils as Norway's culture-school statistics (GSI, Grunnskolens
informasjonssystem, Udir) count them: under, within and over primary-school age. The one home
of the rule; the enrolment rollup writes its counts with `age_band_case`, the reports read them.

The portal keeps only a pupil's birth year (never a birth date), so the age is reckoned as
GSI's own tables do, by birth cohort on 1 October of the school year (GSI's counting day): in
school year Y/Y+1 a pupil born in year B is reckoned Y - B years old. Norwegian children start
primary school (1st year, grunnskolen) in the calendar year they turn six and leave after the
10th year, the year they turn fifteen (opplæringslova § 2-1): primary-school age is therefore
6 to 15 by cohort, under is 5 or younger, over is 16 or older (upper-secondary age and adults).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

UNDER, WITHIN, OVER = "under", "within", "over"
FIRST_PRIMARY_AGE = 6
LAST_PRIMARY_AGE = 15
AGE_BANDS = (
    (UNDER, gettext_lazy("Under grunnskolealder (0–5 år)")),
    (WITHIN, gettext_lazy("Grunnskolealder (6–15 år)")),
    (OVER, gettext_lazy("Over grunnskolealder (16 år og eldre)")),
)
AGE_BAND_KEYS = tuple(key for key, _label in AGE_BANDS)


def age_on_counting_day(*, birth_year: int, school_year: int) -> int:
    """A pupil's age in whole years on 1 October of `school_year` (the year it starts), by
    birth cohort: school_year - birth_year."""
    return school_year - birth_year


def age_band(*, birth_year: int, school_year: int) -> str:
    """UNDER, WITHIN or OVER primary-school age on 1 October of `school_year`."""
    age = age_on_counting_day(birth_year=birth_year, school_year=school_year)
    if age < FIRST_PRIMARY_AGE:
        return UNDER
    if age <= LAST_PRIMARY_AGE:
        return WITHIN
    return OVER


def age_band_sql(birth_year: str, reference_year: str) -> str:
    """The same rule as an SQL expression (PostgreSQL and SQLite): `birth_year` and
    `reference_year` are SQL expressions (a column, a placeholder) for the birth year and the
    year of the counting day. The rollups insert with it."""
    age = f"({reference_year} - {birth_year})"
    return (
        f"CASE WHEN {age} < {FIRST_PRIMARY_AGE} THEN '{UNDER}' "
        f"WHEN {age} <= {LAST_PRIMARY_AGE} THEN '{WITHIN}' ELSE '{OVER}' END"
    )
