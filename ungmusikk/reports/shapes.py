"""The shapes of the reports (issue 16), shared by the figures that fill them
(`figures.py`, `sheet.py`) and the renderings that print them (the web page, `pdf.py`,
`xlsx.py`). A report is sections of tables: every number is a cell of a
`ungmusikk.dashboards.tables.Table` (its columns say what they show: a count, money, a
per cent), and every chart is drawn from one of its section's tables, so a chart always has
its numbers beside it and the PDF, the workbook and the page print the same figures.

Small numbers: the reports are made for readers who may not see pupils' names (a municipal
council, the county). Every count of *named* pupils from 1 to 4 in them is already «<5»
(`core.privacy.SUPPRESSED`) when it reaches these shapes; a renderer prints a cell's value as
`Column.display` gives it and never recomputes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy

from core.periods import school_year_label
from ungmusikk.dashboards.tables import Chart, Table

CALENDAR_YEAR = "kalenderaar"
SCHOOL_YEAR = "skoleaar"
PERIOD_KINDS = {CALENDAR_YEAR: gettext_lazy("Kalenderår"), SCHOOL_YEAR: gettext_lazy("Skoleår")}


@dataclass(frozen=True)
class ReportPeriod:
    """What a report covers: a calendar year (1 January–31 December) or a school year
    (1 August–31 July, `year` the year it starts), in Oslo time.

    - `gsi_school_year`: the school year whose 1 October (the day GSI counts pupils and the
      day ages are reckoned on, `schools.ages`) falls in the period: the year itself for a
      calendar year's autumn, the start year for a school year.
    - `money_year`: the calendar year of the money (grants, contributions, budget): the year
      itself, or the calendar year the school year ends in.
    """

    kind: str  # CALENDAR_YEAR or SCHOOL_YEAR
    year: int

    @property
    def label(self) -> str:
        return str(self.year) if self.kind == CALENDAR_YEAR else school_year_label(self.year)

    @property
    def slug(self) -> str:
        """In URLs and file names: "2020" or "2019-20"."""
        return str(self.year) if self.kind == CALENDAR_YEAR else f"{self.year}-{str(self.year + 1)[-2:]}"

    @property
    def start(self) -> date:
        return date(self.year, 1, 1) if self.kind == CALENDAR_YEAR else date(self.year, 8, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        return date(self.year + 1, 1, 1) if self.kind == CALENDAR_YEAR else date(self.year + 1, 8, 1)

    @property
    def gsi_school_year(self) -> int:
        return self.year

    @property
    def money_year(self) -> int:
        return self.year if self.kind == CALENDAR_YEAR else self.year + 1

    def previous(self) -> ReportPeriod:
        return ReportPeriod(self.kind, self.year - 1)


@dataclass
class ReportSection:
    """A chapter of the report: a heading (an entry in the PDF's table of contents, an anchor
    on the page: `key`), a few sentences, its tables and the charts drawn from them."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)  # each Chart.table names one of `tables`
    chart_titles: dict[str, str] = field(default_factory=dict)  # Chart.key -> its title

    def table(self, name: str) -> Table:
        return next(table for table in self.tables if table.name == name)

    @property
    def tables_by_name(self) -> dict[str, Table]:
        return {table.name: table for table in self.tables}


@dataclass
class AnnualReport:
    """The annual report (årsrapport) of the network for a period. `figures_as_of` is when the
    summary tables it reads were last written (the later of the enrolment and the money
    rollups; None when never). Table names are unique across the report (they name the
    workbook's sheets)."""

    period: ReportPeriod
    title: str
    figures_as_of: datetime | None
    sections: list[ReportSection] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


@dataclass
class MunicipalitySheet:
    """The one-page municipality sheet (kommuneark) of a member or pilot municipality for a
    calendar year (its money year; participation counted over the same calendar year, ages
    on 1 October of it).

    Money in NOK (Decimal, whole øre). `value_received` = `allocations` (the school
    allocations of the budget in force for the year; None, counted as nothing, while no budget
    for the year is approved) + `activity_value` (the value of the
    activities its schools took part in, by the cost-sharing rule, from the money rollup).
    `per_pupil` = value_received / enrolment of its schools (GSI, 1 October of the year);
    `network_per_pupil` the same over every member and pilot school of the network.
    `pupils_taking_part` is the unique named pupils of its schools («<5» when 1–4), summed
    over its schools."""

    municipality_name: str
    municipality_number: str
    year: int
    status: str  # the label of the best status of its schools in the year: member or pilot
    figures_as_of: datetime | None
    population: int | None
    tier: str  # the contribution tier's label, "" when none
    paid: Decimal | None  # the municipal contribution of the year
    schools: list[str]
    enrolment: int
    pupils_taking_part: int | str
    participations: int  # pupil participations (a pupil in two activities counts twice)
    activities: int  # distinct activities its schools took part in
    activities_held: int  # activities held in the municipality (venue or host school there)
    allocations: Decimal | None  # None while the year's budget is not approved
    activity_value: Decimal
    value_received: Decimal
    per_pupil: Decimal | None
    network_per_pupil: Decimal | None
    sentences: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # by area, by kind, by age band


__all__ = [
    "CALENDAR_YEAR",
    "SCHOOL_YEAR",
    "PERIOD_KINDS",
    "ReportPeriod",
    "ReportSection",
    "AnnualReport",
    "MunicipalitySheet",
    "Decimal",
]
