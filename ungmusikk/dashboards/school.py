"""A school's dashboard: its figures from the apps (activities.figures and activities.selectors
for participation, funding.figures for money), its tables (declared once, see tables.py) and
the charts drawn from them. A fixed number of queries whatever the data's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import figures as participation
from activities.selectors import school_named_pupils, school_upcoming_activities
from core.formatting import percent_text
from core.periods import school_year_label, school_year_of
from core.privacy import count_shown, derived_shown, is_suppressed
from core.rollups import FiguresAsOf, figures_as_of, rollup_last_success_by_kind
from core.schedules import ENROLMENT
from funding import figures as money
from governance.models import PortalSetting
from governance.selectors import portal_settings_get
from schools.models import Membership, School

from .tables import BOOL, DATETIME, INT, KM, MONEY, PERCENT, Chart, Column, Table


@dataclass
class SchoolDashboard:
    school: School
    school_year: int
    school_year_label: str
    years: list[participation.YearRow]
    year: participation.YearRow | None
    by_kind: list[dict]
    by_month: list[dict]
    by_area: list[dict]
    upcoming: list[dict]
    load_threshold: int
    load: list[dict]  # per term: how many over the threshold, and the LOAD_TOP first (names only if shown)
    money: money.SchoolMoney
    as_of: FiguresAsOf
    show_names: bool
    available_years: list[int]
    memberships: list[Membership]

    # The figures of named pupils as this viewer may see them (core.privacy): a small count is
    # "<5" for someone who may not see the school's names, and the share with it.
    @property
    def year_unique_shown(self) -> int | str:
        return count_shown(self.year.unique_pupils if self.year else 0, exact=self.show_names)

    @property
    def year_share_text(self) -> str:
        """The year's share of the enrolment as the page writes it: "2,7 %", "–" or "<5"."""
        if self.year is None or self.year.share is None:
            return "–"
        shown = derived_shown(self.year.share, count=self.year.unique_pupils, exact=self.show_names)
        return shown if is_suppressed(shown) else percent_text(shown, 1)

    @property
    def load_top(self) -> int:
        """How many of each term's most loaded pupils the page lists."""
        return participation.LOAD_TOP

    @property
    def load_shown(self) -> list[dict]:
        """The load's terms, each with how many pupils are over the threshold as shown."""
        return [{**term, "over_shown": count_shown(term["over"], exact=self.show_names)} for term in self.load]

    @property
    def tables(self) -> dict[str, Table]:
        """The page's tables (the charts are drawn from them). The lists of named pupils and of
        the pupils' load are not among them: they grow with the school, and have pages of
        their own (schools:dashboard-named, schools:dashboard-load)."""
        return school_tables(self)

    @cached_property
    def name_tables(self) -> dict[str, Table]:
        """The year's whole lists with pupils' names, for the CSV downloads and the PDF (two
        queries, run only when asked for); none for a viewer who may not see the names."""
        if not self.show_names:
            return {}
        label = self.school_year_label
        school, year = self.school, self.school_year
        load = participation.school_pupil_load_list(school=school, school_year=year)
        terms = participation.pupil_load_term_labels(year)
        return {
            table.name: table
            for table in (
                named_pupils_table(school_named_pupils(school=school, school_year=year), school_year_label=label),
                pupil_load_table(
                    [
                        {"term": terms[row["term"]], **participation.pupil_load_row(row, threshold=self.load_threshold)}
                        for row in load
                    ],
                    school_year_label=label,
                    threshold=self.load_threshold,
                ),
            )
        }

    def table(self, name: str) -> Table | None:
        """A table by its name in the URL (the CSV downloads), the lists with names whole."""
        return self.name_tables.get(name) if name in NAME_TABLES else self.tables.get(name)

    @property
    def export_tables(self) -> list[Table]:
        """Every table as the PDF prints it: the page's, then the lists with names whole."""
        return [*self.tables.values(), *self.name_tables.values()]

    @property
    def charts(self) -> dict[str, dict]:
        tables = self.tables
        return {chart.key: chart.data(tables) for chart in CHARTS}


def choose_school_year(*, years: list[int], requested: int | None, today: date | None = None) -> int:
    """The requested school year; else the latest with figures that has started; else this one."""
    current = school_year_of(today or timezone.localdate())
    if requested is not None:
        return requested
    started = [year for year in years if year <= current]
    return max(started) if started else current


def school_dashboard(
    *,
    school: School,
    show_names: bool,
    school_year: int | None = None,
    money_year: int | None = None,
    today: date | None = None,
) -> SchoolDashboard:
    """Every figure of a school's dashboard: eight queries whatever the data's size (nine
    when the school was not loaded through `school_list_with_dashboard_settings`; the school
    with its memberships is loaded by the caller). A fresh installation's first page first
    runs the rollups (see activities.figures.enrolment_figures_ensure)."""
    today = today or timezone.localdate()
    finished = rollup_last_success_by_kind()
    participation.enrolment_figures_ensure(finished=finished)
    money.money_figures_ensure(finished=finished)
    # One row per school year, then the chosen year's cells only: nothing read here grows
    # with the school's history but by a row a year.
    year_rows = participation.school_year_rows(school=school)
    enrolment = participation.school_enrolment(school=school)
    years = participation.participation_years(year_rows=year_rows, enrolment=enrolment)
    with_figures = participation.years_with_figures(year_rows)
    chosen = choose_school_year(years=with_figures, requested=school_year, today=today)
    month_kind_rows = participation.school_participation_by_month_and_kind(school=school, school_year=chosen)
    threshold = school_load_threshold(school)
    return SchoolDashboard(
        school=school,
        school_year=chosen,
        school_year_label=school_year_label(chosen),
        years=years,
        year=next((row for row in years if row.school_year == chosen), None),
        by_kind=participation.participation_by_kind(month_kind_rows=month_kind_rows),
        by_month=participation.participation_by_month(month_kind_rows=month_kind_rows, school_year=chosen),
        by_area=participation.school_participation_by_area(school=school, school_year=chosen),
        upcoming=school_upcoming_activities(school=school),
        load_threshold=threshold,
        load=participation.school_pupil_load(
            school=school, school_year=chosen, threshold=threshold, top=participation.LOAD_TOP if show_names else 0
        ),
        money=money.school_money(school=school, year=money_year or money.default_money_year(chosen, today=today)),
        as_of=figures_as_of(ENROLMENT, finished=finished),
        show_names=show_names,
        available_years=sorted(set(with_figures) | set(enrolment) | {chosen}),
        memberships=list(school.memberships.all()),
    )


def school_load_threshold(school: School) -> int:
    """The portal's pupil-load warning threshold: from the school's row when it was loaded
    through `school_list_with_dashboard_settings` (no query), else from the settings."""
    return getattr(school, "load_threshold", None) or portal_settings_get().pupil_load_threshold


def school_list_with_dashboard_settings(schools):
    """The schools (already scoped to the user) with the portal's pupil-load warning
    threshold on each row, so that the dashboard needs no query of its own for it."""
    from django.db.models import Subquery, Value
    from django.db.models.functions import Coalesce

    default = PortalSetting._meta.get_field("pupil_load_threshold").default
    threshold = PortalSetting.objects.filter(pk=1).values("pupil_load_threshold")[:1]
    return schools.annotate(load_threshold=Coalesce(Subquery(threshold), Value(default)))


# --- The tables, declared once --------------------------------------------------------------------

LABEL = Column("label", gettext_lazy("Skoleår"))
ACTIVITIES = Column("activities", gettext_lazy("Aktiviteter"), INT)
PUPILS = Column("pupils", gettext_lazy("Elevdeltakelser"), INT)
UNIQUE_LABEL = gettext_lazy("Unike navngitte elever")
SHARE_LABEL = gettext_lazy("Andel som deltok (%)")
TEACHERS = Column("teachers", gettext_lazy("Lærere"), INT)
ENROLMENT_COLUMN = Column("enrolment", gettext_lazy("Elevtall (GSI)"), INT)


def school_tables(dashboard: SchoolDashboard) -> dict[str, Table]:
    """The dashboard's tables by URL name, as shown on the page (none of them names a pupil:
    see `SchoolDashboard.name_tables`)."""
    label = dashboard.school_year_label
    exact = dashboard.show_names
    # Named pupils per year, and their share of the enrolment, as core.privacy lets this viewer see them.
    unique = Column("unique_pupils", UNIQUE_LABEL, INT, get=lambda row: count_shown(row.unique_pupils, exact=exact))
    share = Column(
        "share", SHARE_LABEL, PERCENT, get=lambda row: derived_shown(row.share, count=row.unique_pupils, exact=exact)
    )
    tables = [
        Table(
            "skoleaar",
            _("Deltakelse per skoleår"),
            [
                LABEL,
                ACTIVITIES,
                PUPILS,
                unique,
                TEACHERS,
                ENROLMENT_COLUMN,
                share,
            ],
            dashboard.years,
        ),
        Table(
            "elevtall",
            _("Elevtall per skoleår og andelen som deltok"),
            [LABEL, ENROLMENT_COLUMN, unique, share],
            [row for row in dashboard.years if row.enrolment is not None],
        ),
        Table(
            "samarbeidsomrader",
            _("Deltakelse per samarbeidsområde %(year)s") % {"year": label},
            [Column("name", gettext_lazy("Samarbeidsområde")), ACTIVITIES, PUPILS],
            dashboard.by_area,
        ),
        Table(
            "aktivitetstyper",
            _("Deltakelse per aktivitetstype %(year)s") % {"year": label},
            [Column("name", gettext_lazy("Aktivitetstype")), ACTIVITIES, PUPILS, TEACHERS],
            dashboard.by_kind,
        ),
        Table(
            "maneder",
            _("Deltakelse per måned %(year)s") % {"year": label},
            [Column("name", gettext_lazy("Måned")), ACTIVITIES, PUPILS, TEACHERS],
            dashboard.by_month,
        ),
        Table(
            "kommende",
            _("Kommende aktiviteter åpne for skolens elever"),
            [
                Column("title", gettext_lazy("Aktivitet")),
                Column("kind", gettext_lazy("Type")),
                Column("level", gettext_lazy("Nivå")),
                Column("starts_at", gettext_lazy("Starter"), DATETIME),
                Column("venue", gettext_lazy("Sted")),
                Column("place", gettext_lazy("Kommune")),
                Column("distance_km", gettext_lazy("Avstand (km)"), KM),
            ],
            dashboard.upcoming,
        ),
        Table(
            "okonomi",
            _("Økonomi %(year)s: hva vi la inn, og hva vi fikk") % {"year": dashboard.money.year},
            [
                Column("label", gettext_lazy("Post")),
                Column("school", gettext_lazy("Skolen (kr)"), MONEY),
                Column("region_average", gettext_lazy("Snitt i delregionen (kr)"), MONEY),
                Column("kind_average", gettext_lazy("Snitt for skoleslaget (kr)"), MONEY),
            ],
            _money_rows(dashboard),
        ),
    ]
    return {table.name: table for table in tables}


# The tables with pupils' names: whole in the CSV downloads and the PDF, a page at a time on their
# own pages (ungmusikk/dashboards/pupils.py); the dashboard shows counts and the top of the load.
NAMED_COLUMNS = (
    Column("name", gettext_lazy("Elev")),
    Column("instrument", gettext_lazy("Hovedinstrument")),
    Column("title", gettext_lazy("Aktivitet")),
    Column("kind", gettext_lazy("Type")),
    Column("starts_at", gettext_lazy("Dato"), DATETIME),
)
LOAD_COLUMNS = (
    Column("term", gettext_lazy("Semester")),
    Column("name", gettext_lazy("Elev")),
    Column("instrument", gettext_lazy("Hovedinstrument")),
    Column("activities", gettext_lazy("Aktiviteter"), INT),
    Column("over", gettext_lazy("På eller over grensen"), BOOL),
)
NAME_TABLES = ("navngitte_elever", "elevbelastning")


def named_pupils_table(pupils: list[dict], *, school_year_label: str) -> Table:
    """Named pupils (activities.selectors.school_named_pupils) as a table: a row per pupil and activity."""
    return Table(
        "navngitte_elever",
        _("Elever på mesterklasser og NMH-undervisning %(year)s") % {"year": school_year_label},
        NAMED_COLUMNS,
        [
            {"name": pupil["name"], "instrument": pupil["instrument"], **activity}
            for pupil in pupils
            for activity in pupil["activities"]
        ],
    )


def pupil_load_table(rows: list[dict], *, school_year_label: str, threshold: int) -> Table:
    """Pupils' load (activities.figures.pupil_load_row, with its `term`) as a table."""
    return Table(
        "elevbelastning",
        _("Elevbelastning %(year)s (varselgrense %(threshold)s aktiviteter)")
        % {"year": school_year_label, "threshold": threshold},
        LOAD_COLUMNS,
        rows,
    )


def _money_rows(dashboard: SchoolDashboard) -> list[dict]:
    figures = dashboard.money
    rows = []
    # What the school put in: one rule, funding.figures.school_paid_in.
    paid_in = figures.paid_in
    if paid_in.through_county:
        rows.append({"label": _("Lagt inn: %(how)s") % {"how": paid_in.label}, "school": None})
    elif paid_in.amount is not None and paid_in.shared_by > 1:
        rows.append({"label": _("Skolens del av kommunens tilskudd (lagt inn)"), "school": paid_in.amount})
    elif paid_in.amount is not None:
        rows.append({"label": _("Kommunens tilskudd (lagt inn)"), "school": paid_in.amount})
    rows.append({"label": _("Regional pott for delregionen"), "school": figures.region_pool})
    rows += [
        {
            "label": comparison.label,
            "school": comparison.school,
            "region_average": comparison.region_average,
            "kind_average": comparison.kind_average,
        }
        for comparison in figures.comparisons
    ]
    return [{"region_average": None, "kind_average": None, **row} for row in rows]


# --- The charts, drawn from the tables --------------------------------------------------------------

CHARTS = (
    Chart("years", "skoleaar", "label", ("pupils", "unique_pupils", "teachers")),
    Chart("areas", "samarbeidsomrader", "name", ("pupils",)),
    Chart("kinds", "aktivitetstyper", "name", ("pupils",)),
    Chart("months", "maneder", "name", ("pupils", "activities")),
    Chart("enrolment", "elevtall", "label", ("enrolment", "unique_pupils")),
)
CHART_KEYS = tuple(chart.key for chart in CHARTS)
