"""Age bands of pupils as Norway's culture-school statistics (GSI, Grunnskolens
informasjonssystem, Udir) count them: under, within and over primary-school age. The one home
of the rule; the enrolment rollup writes its counts with `age_band_sql`, the reports read them.

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


def age_band_sql(birth_year: str, reference_year: str) -> str:
    """The rule as an SQL expression (PostgreSQL and SQLite) giving UNDER, WITHIN or OVER:
    `birth_year` and `reference_year` are SQL expressions (a column, an integer) for the birth
    year and the year of the counting day (1 October). The enrolment rollup counts with it."""
    age = f"({reference_year} - {birth_year})"
    return (
        f"CASE WHEN {age} < {FIRST_PRIMARY_AGE} THEN '{UNDER}' "
        f"WHEN {age} <= {LAST_PRIMARY_AGE} THEN '{WITHIN}' ELSE '{OVER}' END"
    )
