"""A period's figures for the reports (issue 16), read once and shared by the annual report
(figures.py) and the municipality sheet (sheet.py): `period_figures`, and the rule that hides
small counts of named pupils across everything the two publish (`named_shown`).

Where each figure comes from (one read path, as the dashboards):
- schools, their kind and status: the memberships (a school counts when it was a member or
  pilot some day of the period, with the status of its latest such membership);
- enrolment: GSI's count on 1 October of the period's school year (schools.Enrolment);
- named pupils taking part and their age bands (schools.ages): activities.PupilCountRollup
  (a pupil named at two schools counts at each, as GSI counts pupils per school);
- activities by sub-region, kind, level and where held, NMH teachers, practice placements:
  activities.ActivityMonthRollup, AreaMonthRollup, NmhTeacherRollup, summed over the
  period's months (each activity once; an activity serving two areas counts in each area);
- schools' participation: activities.ParticipationMonthRollup;
- money of the period's money year (ReportPeriod.money_year): the county grant, the
  municipalities' contributions and the partners' contributions (cash and in kind) as
  registered; expenses by line from the budget in force, else the year's newest revision
  (funding.selectors.budget_for_report); budget against actual by
  funding.selectors.budget_vs_actual; each school's value of activities from the money
  rollup (funding.figures.school_money_list).

Small numbers: the reports go to readers who may not see pupils' names, so every count of
named pupils from 1 to 4 is «<5» (core.privacy), with a second cell hidden («:») where a sum
the annual report or a municipality sheet publishes would give one away: the same cells in
both (`named_shown`, core.privacy.suppressed_cells).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from activities import figures as participation
from core.privacy import HIDDEN, cell_shown, is_suppressed, suppressed_cells
from core.rollups import rollup_last_success_by_kind
from core.schedules import BUDGET, ENROLMENT
from funding import figures as money_figures
from funding import selectors as money
from funding.models import PartnerContribution
from schools.ages import AGE_BANDS
from schools.models import Enrolment
from schools.selectors import school_list_in_period

from .shapes import CALENDAR_YEAR, ReportPeriod

ZERO = Decimal("0")


# --- The raw figures of one period -------------------------------------------------------------


@dataclass
class PeriodFigures:
    """Everything the report reads for one period, before it is shaped into tables."""

    period: ReportPeriod
    schools: list[dict]  # schools.selectors.school_list_in_period rows
    enrolment: dict[int, int]  # school id -> pupils (GSI)
    named: dict[int, dict[str, int]]  # school id -> age band -> named pupils
    school_participation: dict[int, dict]  # school id -> {activities, pupils, teachers}
    activity_cells: list[dict]
    area_cells: list[dict]
    nmh_teachers: dict[int | None, int]
    county_grant: object | None
    contributions: list
    partner_cash: list
    in_kind: list
    budget: object | None
    school_money: dict[int, dict] = field(default_factory=dict)

    def named_total(self, school_id: int) -> int:
        return sum(self.named.get(school_id, {}).values())

    @property
    def school_ids(self) -> set[int]:
        return {school["pk"] for school in self.schools}

    def activities(self, **match) -> int:
        return sum(cell["activities"] for cell in self.activity_cells if all(cell[k] == v for k, v in match.items()))

    def activity_sum(self, figure: str, **match) -> int:
        return sum(cell[figure] for cell in self.activity_cells if all(cell[k] == v for k, v in match.items()))

    @property
    def income(self) -> dict[str, Decimal]:
        grant = self.county_grant.amount if self.county_grant is not None else ZERO
        municipal = sum((row.amount for row in self.contributions), ZERO)
        cash = sum((row.amount for row in self.partner_cash), ZERO)
        return {"county": grant, "municipal": municipal, "partners": cash, "total": grant + municipal + cash}

    @property
    def in_kind_total(self) -> Decimal:
        return sum((row.amount for row in self.in_kind), ZERO)

    @property
    def activity_value(self) -> Decimal:
        return sum((row["activity_value"] for row in self.school_money.values()), ZERO)


def period_figures(period: ReportPeriod) -> PeriodFigures:
    """The raw figures of a period (a fixed number of queries, whatever the network's size)."""
    start, end = period.start, period.end
    schools = school_list_in_period(start=start, end=end)
    ids = {school["pk"] for school in schools}
    enrolment = dict(
        Enrolment.objects.filter(school_year=period.gsi_school_year, school_id__in=ids).values_list(
            "school_id", "pupils"
        )
    )
    named = participation.school_pupils_by_age_band(calendar_year=period.kind == CALENDAR_YEAR, year=period.year)
    budget = money.budget_for_report(year=period.money_year)
    return PeriodFigures(
        period=period,
        schools=schools,
        enrolment=enrolment,
        named={school_id: bands for school_id, bands in named.items() if school_id in ids},
        school_participation=participation.school_participation_in_period(start=start, end=end),
        activity_cells=participation.network_activity_cells(start=start, end=end),
        area_cells=participation.network_area_cells(start=start, end=end),
        nmh_teachers=participation.network_nmh_teachers(start=start, end=end),
        county_grant=money.county_grant_get(year=period.money_year),
        contributions=list(money.municipal_contribution_list(year=period.money_year)),
        partner_cash=list(money.partner_contribution_list(year=period.money_year, form=PartnerContribution.Form.CASH)),
        in_kind=list(money.partner_contribution_list(year=period.money_year, form=PartnerContribution.Form.IN_KIND)),
        budget=budget,
        school_money={row["pk"]: row for row in money_figures.school_money_list(year=period.money_year)},
    )


def figures_latest_as_of(*, finished: dict[str, datetime] | None = None) -> datetime | None:
    """When the figures the reports read were last written: the later of the enrolment and the
    money rollups' last success (core.rollups; None when neither has run) — what «Tall per …»
    says on the report's page, its files and the municipality sheet, and what tells the kept
    files they are out of date. One query unless `finished` is given."""
    finished = rollup_last_success_by_kind() if finished is None else finished
    times = [finished[kind] for kind in (ENROLMENT, BUDGET) if finished.get(kind)]
    return max(times) if times else None


# --- Small numbers ---------------------------------------------------------------------------------


@dataclass
class NamedShown:
    """The named-pupil counts of a period as every report may show them (a count, «<5» or
    «:»): per school, sub-region, municipality (the municipality sheet: all its member and
    pilot schools), the network, and per age band for each municipality and the network."""

    schools: dict[int, int | str]
    regions: dict[int, int | str]
    municipalities: dict[int, int | str]
    network: int | str
    municipality_bands: dict[tuple[int, str], int | str]
    network_bands: dict[str, int | str]


def named_shown(*, schools: list[dict], named: dict[int, dict[str, int]]) -> NamedShown:
    """The named pupils of a period, hidden where the annual report and the municipality
    sheets together would show a small count or let one be computed back
    (core.privacy.suppressed_cells): the sums they publish are a region's total of its schools,
    a municipality's total of its schools and of its age bands, the network's total of its
    regions and of its age bands, and each age band's network total of the municipalities'.
    `schools`: the period's schools (schools.selectors.school_list_in_period); `named`: school
    id → age band → named pupils (activities.figures.school_pupils_by_age_band)."""
    schools = {school["pk"]: school for school in schools}
    values: dict[tuple, int] = {("s", pk): sum(named.get(pk, {}).values()) for pk in schools}
    members: dict[tuple, list[tuple]] = defaultdict(list)
    for pk, school in schools.items():
        members[("r", school["region_id"])].append(("s", pk))
        members[("m", school["municipality_id"])].append(("s", pk))
    for key, parts in list(members.items()):
        values[key] = sum(values[part] for part in parts)
    bands = [band for band, _label in AGE_BANDS]
    municipalities = [key[1] for key in members if key[0] == "m"]
    for municipality in municipalities:
        for band in bands:
            values[("mb", municipality, band)] = sum(
                named.get(part[1], {}).get(band, 0) for part in members[("m", municipality)]
            )
    for band in bands:
        values[("nb", band)] = sum(values[("mb", municipality, band)] for municipality in municipalities)
    values[("n",)] = sum(values[("s", pk)] for pk in schools)
    totals = list(members.items())
    totals.append((("n",), [key for key in members if key[0] == "r"]))
    totals += [(("m", m), [("mb", m, band) for band in bands]) for m in municipalities]
    totals += [(("nb", band), [("mb", m, band) for m in municipalities]) for band in bands]
    totals.append((("n",), [("nb", band) for band in bands]))
    hidden = suppressed_cells(values, totals)

    def shown(key):
        return cell_shown(values[key], hidden=key in hidden)

    return NamedShown(
        schools={pk: shown(("s", pk)) for pk in schools},
        regions={key[1]: shown(key) for key in members if key[0] == "r"},
        municipalities={m: shown(("m", m)) for m in municipalities},
        network=shown(("n",)),
        municipality_bands={(m, band): shown(("mb", m, band)) for m in municipalities for band in bands},
        network_bands={band: shown(("nb", band)) for band in bands},
    )


def share_shown(count: int | str, enrolment: int | None) -> Decimal | str | None:
    """Named pupils as a share of the enrolment, in per cent with one decimal; hidden with its
    count, as «:» (a share hidden as «<5» would read as "under 5 %")."""
    if is_suppressed(count):
        return HIDDEN
    return participation.share_percent(count, enrolment)


def change(now, before):
    """now - before, None when either is missing or hidden."""
    if now is None or before is None or is_suppressed(now) or is_suppressed(before):
        return None
    return now - before
