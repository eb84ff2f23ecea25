"""Reads of the funding app: contributions, budgets, the allocation keys with their
fairness table, the scenario of the whole county joining, and budget against actual."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Activity
from core.formatting import datetime_text
from core.periods import calendar_year_bounds
from governance.decisions import Seat, decision_rule_met, decision_rule_needs, steering_seats_on
from governance.models import AuditEntry, CooperationArea, DecisionRule
from governance.presentation import AuditMinute, audit_minutes, person_text
from governance.selectors import portal_settings_get
from schools.models import Enrolment, Membership, Municipality, Region, School
from schools.selectors import population_of, school_list_participating

from .models import (
    ActivityBooking,
    Budget,
    BudgetAssumptions,
    BudgetLine,
    BudgetVote,
    ContributionTier,
    CountyGrant,
    MunicipalContribution,
    PartnerContribution,
)

if TYPE_CHECKING:
    from .figures import PaidIn


def tier_for(*, population: int, year: int) -> ContributionTier | None:
    """The tier in force on 1 January of `year` whose band covers `population`."""
    for tier in ContributionTier.objects.valid_on(date(year, 1, 1)).order_by("min_population"):
        if tier.covers(population):
            return tier
    return None


def contribution_due(*, municipality: Municipality, year: int) -> tuple[int, ContributionTier] | None:
    """(population, tier) that the formula gives a municipality for a year, or None when
    the population of that year is unknown."""
    population = population_of(municipality=municipality, year=year)
    if population is None:
        return None
    tier = tier_for(population=population, year=year)
    return (population, tier) if tier else None


def county_grant_get(*, year: int) -> CountyGrant | None:
    """The county's grant for a calendar year (with its county), None when not set."""
    return CountyGrant.objects.filter(year=year).select_related("county").first()


def municipal_contribution_list(*, year: int) -> QuerySet[MunicipalContribution]:
    """The municipalities' contributions for a calendar year, with the municipality and the
    tier, by municipality name."""
    return (
        MunicipalContribution.objects.filter(year=year)
        .select_related("municipality", "tier")
        .order_by("municipality__name", "municipality__number")
    )


def partner_contribution_list(*, year: int, form: str | None = None) -> QuerySet[PartnerContribution]:
    """Partners' contributions for a calendar year (cash or in kind: `form`,
    PartnerContribution.Form; both when None), with the partner, by partner and category."""
    rows = PartnerContribution.objects.filter(year=year).select_related("partner")
    if form is not None:
        rows = rows.filter(form=form)
    return rows.order_by("partner__name", "form", "category")


def budget_list() -> QuerySet[Budget]:
    return Budget.objects.select_related("created_by", "submitted_by", "decided_by", "replaces")


# ---------------------------------------------------------------------------------------------
# Budgets
# ---------------------------------------------------------------------------------------------

KRONE = Decimal("1")
BOOKABLE = (BudgetLine.Kind.REGION_POOL, BudgetLine.Kind.SCHOOL_ALLOCATION, BudgetLine.Kind.AREA_EARMARK)


def budget_for_report(*, year: int) -> Budget | None:
    """The budget a report of the year shows: the one in force (its newest approved revision),
    else the year's newest revision whatever its status (a draft, laid forward or returned),
    which the report names as not approved; None when the year has no budget."""
    return budget_in_force(year=year) or budget_list().filter(year=year).order_by("-revision").first()


def budget_list_approved(*, year: int) -> QuerySet[Budget]:
    """A year's approved revisions, newest (the one in force) first."""
    return Budget.objects.filter(year=year, status=Budget.Status.APPROVED).order_by("-revision")


def budget_in_force(*, year: int) -> Budget | None:
    """The budget in force for a year: its newest approved revision. Older approved
    revisions stay approved and readable; they are superseded, not changed."""
    return (
        budget_list_approved(year=year).select_related("created_by", "submitted_by", "decided_by", "replaces").first()
    )


def budget_line_list(*, budget: Budget) -> QuerySet[BudgetLine]:
    return budget.lines.select_related("region", "school", "school__region", "municipality", "cooperation_area")


def budget_audit_entries(*, budget: Budget) -> QuerySet[AuditEntry]:
    """The budget's audit trail: its transitions and every change to its lines."""
    return AuditEntry.objects.filter(object_type=Budget._meta.label_lower, object_id=str(budget.pk)).select_related(
        "actor"
    )


# What a budget's entries record besides the fields of a budget and its lines (funding.services:
# the totals a draft starts from and a submission lays before the board, the line a change is
# to, the revision a budget was replaced by).
BUDGET_AUDIT_FIELDS: dict[str, models.Field] = {
    "income": models.DecimalField(gettext_lazy("inntekter"), max_digits=14, decimal_places=2),
    "expense": models.DecimalField(gettext_lazy("utgifter"), max_digits=14, decimal_places=2),
    "in_kind": models.DecimalField(gettext_lazy("naturalytelser"), max_digits=14, decimal_places=2),
    "total": models.DecimalField(gettext_lazy("inntekter i alt"), max_digits=14, decimal_places=2),
    "line": models.CharField(gettext_lazy("budsjettlinje")),
    "replaced_by": models.CharField(gettext_lazy("erstattet av")),
    "rule": models.CharField(gettext_lazy("vedtaksregel"), choices=DecisionRule.choices),
    "approved_by": models.CharField(gettext_lazy("stemte for")),
}


def budget_audit_minutes(*, budget: Budget) -> list[AuditMinute]:
    """The budget's audit trail as minutes, newest first: Oslo time, people's names, the
    actions' labels, and its states, line kinds and amounts as people read them (by
    BUDGET_AUDIT_FIELDS and the lines' fields, registered for budgets in funding.apps, as the
    admin's central log reads them)."""
    return audit_minutes(budget_audit_entries(budget=budget))


@dataclass(frozen=True)
class Submission:
    who: str
    when: str


def budget_submission(*, budget: Budget) -> Submission | None:
    """Who laid the budget before the steering group (full name) and when (Oslo time)."""
    if budget.submitted_at is None:
        return None
    return Submission(who=person_text(budget.submitted_by), when=datetime_text(budget.submitted_at))


@dataclass(frozen=True)
class SeatVote:
    """One seat of the steering group on the budget's page, with its vote on this submission
    (None: not voted yet)."""

    seat: Seat
    vote: BudgetVote | None
    when: str


@dataclass(frozen=True)
class Decision:
    """Where the steering group's decision on a budget's current submission stands: the rule
    (a DecisionRule value and its label), each seated member with their vote, the votes of
    people no longer seated, whether the rule is met and what is missing (in words)."""

    rule: str
    rule_label: str
    seats: list[SeatVote]
    unseated_votes: list[BudgetVote]
    approved_by: frozenset[int]
    met: bool
    needs: str


def budget_votes(*, budget: Budget) -> QuerySet[BudgetVote]:
    """The votes on the budget's current submission, oldest first, with the voters."""
    return BudgetVote.objects.filter(budget=budget, submission=budget.submission).select_related("voter")


def budget_decision(*, budget: Budget, on: date | None = None) -> Decision:
    """The decision on the budget's current submission under the rule kept with it when it was
    laid forward (`Budget.decision_rule`; for a budget submitted before rules were kept, the
    portal's rule now, `PortalSetting.budget_decision_rule`; see governance/decisions.py), with
    the seats of `on`
    (default: the day it was decided, else today in Oslo). Two queries and the settings row."""
    rule = budget.decision_rule or portal_settings_get().budget_decision_rule
    day = on or (timezone.localtime(budget.decided_at).date() if budget.decided_at else timezone.localdate())
    seats = steering_seats_on(on=day)
    votes = list(budget_votes(budget=budget))
    by_voter = {vote.voter_id: vote for vote in votes}
    approved = frozenset(vote.voter_id for vote in votes if vote.choice == BudgetVote.Choice.APPROVE)
    seated = {seat.user_id for seat in seats}
    return Decision(
        rule=rule,
        rule_label=str(DecisionRule(rule).label),
        seats=[
            SeatVote(
                seat=seat,
                vote=by_voter.get(seat.user_id),
                when=datetime_text(by_voter[seat.user_id].cast_at) if seat.user_id in by_voter else "",
            )
            for seat in seats
        ],
        unseated_votes=[vote for vote in votes if vote.voter_id not in seated],
        approved_by=approved,
        met=decision_rule_met(rule=rule, seats=seats, approved_by=approved),
        needs=decision_rule_needs(rule=rule, seats=seats, approved_by=approved),
    )


@dataclass
class BudgetTotals:
    income: Decimal
    expense: Decimal
    in_kind: Decimal
    by_kind: dict[str, Decimal]

    @property
    def balance(self) -> Decimal:
        """Cash income minus expenses: zero when the budget balances."""
        return self.income - self.expense

    @property
    def is_balanced(self) -> bool:
        return self.balance == 0


def budget_totals(*, budget: Budget) -> BudgetTotals:
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    for kind, amount in budget.lines.values_list("kind", "amount"):
        by_kind[kind] += amount
    return BudgetTotals(
        income=sum((by_kind.get(k, Decimal(0)) for k in BudgetLine.INCOME), Decimal(0)),
        expense=sum((by_kind.get(k, Decimal(0)) for k in BudgetLine.EXPENSE), Decimal(0)),
        in_kind=by_kind.get(BudgetLine.Kind.IN_KIND, Decimal(0)),
        by_kind=dict(by_kind),
    )


@dataclass(frozen=True)
class SummaryRow:
    label: str
    amount: Decimal
    previous: Decimal | None
    change_kr: Decimal | None
    change_percent: Decimal | None


PERCENT_STEP = Decimal("0.1")


def budget_summary(*, budget: Budget) -> list[SummaryRow]:
    """The budget in four figures beside the previous year's approved budget, for the top of
    its page: rows for income, expenses, in kind and balance, in that order.

    Each row (all amounts Decimal, in whole or fractional kroner):
    - label: the post, translated ("Inntekter", "Utgifter", "Naturalytelser", "Balanse");
    - amount: this budget's figure (budget_totals; balance is cash income minus expenses,
      negative when expenses are higher; in kind stands outside the balance);
    - previous: the same figure in the budget in force for `budget.year - 1` (its newest
      approved revision), None when that year has no approved budget;
    - change_kr: amount - previous, None when previous is None;
    - change_percent: change_kr as a percentage of |previous| (so a rise is positive even
      from a negative balance), rounded half up to one decimal ("3.2" means 3,2 %); None when
      previous is None or 0.
    """
    current = budget_totals(budget=budget)
    before = budget_in_force(year=budget.year - 1)
    earlier = budget_totals(budget=before) if before is not None else None
    rows = []
    for label, attribute in (
        (_("Inntekter"), "income"),
        (_("Utgifter"), "expense"),
        (_("Naturalytelser"), "in_kind"),
        (_("Balanse"), "balance"),
    ):
        amount = getattr(current, attribute)
        previous = getattr(earlier, attribute) if earlier is not None else None
        change_kr = amount - previous if previous is not None else None
        change_percent = None
        if change_kr is not None and previous:
            change_percent = (change_kr * 100 / abs(previous)).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)
        rows.append(
            SummaryRow(
                label=label, amount=amount, previous=previous, change_kr=change_kr, change_percent=change_percent
            )
        )
    return rows


def municipality_list_paying(*, year: int) -> QuerySet[Municipality]:
    """Municipalities that pay a contribution for a year: those with a member or pilot culture
    school at the end of it. (Upper-secondary schools and folk high schools take part through
    the county grant.)"""
    memberships = (
        Membership.objects.filter(status__in=Membership.PARTICIPATING, school__kind=School.Kind.KULTURSKOLE)
        .valid_on(date(year, 12, 31))
        .values("school__municipality")
    )
    return Municipality.objects.filter(pk__in=memberships).order_by("name")


# ---------------------------------------------------------------------------------------------
# Allocation keys and fairness
# ---------------------------------------------------------------------------------------------

Key = BudgetAssumptions.AllocationKey


@dataclass
class AllocationUnit:
    """A school (or a region, the sum of its schools) as the allocation keys see it."""

    name: str
    region: Region
    school: School | None
    pupils: int
    pays_in: Decimal  # kroner, for the keys and sums: 0 for a school the county pays for
    # What a school pays in as funding.figures.school_paid_in says (None for a region): its
    # `label` is «gjennom fylket» for an upper-secondary or folk high school.
    paid_in: PaidIn | None = None


def split_whole_kroner(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split a whole-krone total by weights into whole kroner that add up to the total exactly
    (largest remainder). Zero weights everywhere means equal shares."""
    if not weights:
        return []
    weights = [Decimal(w) for w in weights]
    if sum(weights) == 0:
        weights = [Decimal(1)] * len(weights)
    total = Decimal(total).quantize(KRONE, rounding=ROUND_FLOOR)
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    shares = [e.to_integral_value(rounding=ROUND_FLOOR) for e in exact]
    left = int(total - sum(shares))
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares


def allocation_weights(*, units: Sequence[AllocationUnit], weights: dict[str, Decimal]) -> list[Decimal]:
    """Each unit's share (summing to 1) under a key given as weights of equal share, pupils
    and contribution. A basis that is zero for everyone (no pupils counted, nobody pays)
    falls back to equal shares, so the weights still add up."""
    n = len(units)
    if n == 0:
        return []
    bases = {
        Key.EQUAL: [Decimal(1)] * n,
        Key.PUPILS: [Decimal(u.pupils) for u in units],
        Key.CONTRIBUTION: [u.pays_in for u in units],
    }
    shares = [Decimal(0)] * n
    for key, weight in weights.items():
        basis = bases[key] if sum(bases[key]) else bases[Key.EQUAL]
        basis_sum = sum(basis)
        for i, value in enumerate(basis):
            shares[i] += weight * value / basis_sum
    return shares


def allocation_propose(
    *, units: Sequence[AllocationUnit], total: Decimal, weights: dict[str, Decimal]
) -> list[Decimal]:
    """Whole-krone amounts for the units under a key, adding up to `total`."""
    return split_whole_kroner(total, allocation_weights(units=units, weights=weights))


def allocation_units(*, year: int) -> list[AllocationUnit]:
    """The schools taking part in a budget year (members and pilots on 31 December), with
    their pupils (GSI count of the school year that started the year before, the newest known
    when the budget is made) and what they pay in, by funding.figures.school_paid_in (the one
    rule, see there): a culture school its municipality's contribution for the year (split
    equally when the municipality has more than one taking part); an upper-secondary school
    or folk high school pays through the county grant, so 0 kroner here («gjennom fylket»)."""
    from .figures import school_paid_in  # figures imports this module

    schools = list(school_list_participating(on=date(year, 12, 31)).order_by("region__name", "name").distinct())
    pupils = dict(Enrolment.objects.filter(school__in=schools, school_year=year - 1).values_list("school_id", "pupils"))
    contributions = dict(
        MunicipalContribution.objects.filter(
            year=year, municipality__in=[s.municipality_id for s in schools]
        ).values_list("municipality_id", "amount")
    )
    paid_in = school_paid_in(schools, contributions)
    return [
        AllocationUnit(
            school.name,
            school.region,
            school,
            pupils.get(school.pk, 0),
            paid_in[school.pk].amount or Decimal(0),
            paid_in[school.pk],
        )
        for school in schools
    ]


def allocation_units_by_region(*, units: Sequence[AllocationUnit]) -> list[AllocationUnit]:
    regions: dict[int, AllocationUnit] = {}
    for unit in units:
        region = regions.setdefault(unit.region.pk, AllocationUnit(unit.region.name, unit.region, None, 0, Decimal(0)))
        region.pupils += unit.pupils
        region.pays_in += unit.pays_in
    return sorted(regions.values(), key=lambda u: u.name)


KEY_WEIGHTS = {
    Key.EQUAL: {Key.EQUAL: Decimal(1)},
    Key.PUPILS: {Key.PUPILS: Decimal(1)},
    Key.CONTRIBUTION: {Key.CONTRIBUTION: Decimal(1)},
}


@dataclass
class FairnessRow:
    unit: AllocationUnit
    gets: Decimal
    by_key: dict[str, Decimal]

    @property
    def per_pupil(self) -> Decimal | None:
        return (self.gets / self.unit.pupils).quantize(KRONE) if self.unit.pupils else None

    @property
    def net(self) -> Decimal:
        """What the school gets minus what it pays in."""
        return self.gets - self.unit.pays_in


@dataclass
class Fairness:
    key_label: str
    schools: list[FairnessRow]
    regions: list[FairnessRow]
    keys: list[tuple[str, str]] = field(default_factory=list)


def budget_fairness(*, budget: Budget, assumptions: BudgetAssumptions | None = None) -> Fairness:
    """School by school (and region by region): pupils, what it pays in, what the budget
    gives it, and what it would get under each key with the same totals, so the steering
    group sees who gains and who loses by a choice of key. A region gets its pool plus its
    schools' allocations."""
    assumptions = assumptions or BudgetAssumptions.objects.filter(year=budget.year).first() or BudgetAssumptions()
    keys = [(Key.EQUAL, KEY_WEIGHTS[Key.EQUAL]), (Key.PUPILS, KEY_WEIGHTS[Key.PUPILS])]
    keys += [(Key.CONTRIBUTION, KEY_WEIGHTS[Key.CONTRIBUTION]), (Key.MIXED, assumptions_mixed_weights(assumptions))]
    units = allocation_units(year=budget.year)
    lines = list(budget.lines.filter(kind__in=[BudgetLine.Kind.SCHOOL_ALLOCATION, BudgetLine.Kind.REGION_POOL]))
    to_school: dict[int, Decimal] = defaultdict(Decimal)
    to_region: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.kind == BudgetLine.Kind.SCHOOL_ALLOCATION:
            to_school[line.school_id] += line.amount
        else:
            to_region[line.region_id] += line.amount
    school_total = sum(to_school.values(), Decimal(0))
    proposals = {key: allocation_propose(units=units, total=school_total, weights=w) for key, w in keys}
    schools = [
        FairnessRow(unit, to_school.get(unit.school.pk, Decimal(0)), {k: proposals[k][i] for k, _w in keys})
        for i, unit in enumerate(units)
    ]
    regions = []
    region_units = allocation_units_by_region(units=units)
    pool_total = sum(to_region.values(), Decimal(0))
    region_proposals = {key: allocation_propose(units=region_units, total=pool_total, weights=w) for key, w in keys}
    for i, unit in enumerate(region_units):
        from_schools = {
            k: sum((r.by_key[k] for r in schools if r.unit.region.pk == unit.region.pk), Decimal(0)) for k, _w in keys
        }
        gets = to_region.get(unit.region.pk, Decimal(0)) + sum(
            (r.gets for r in schools if r.unit.region.pk == unit.region.pk), Decimal(0)
        )
        regions.append(FairnessRow(unit, gets, {k: region_proposals[k][i] + from_schools[k] for k, _w in keys}))
    return Fairness(
        key_label=assumptions.get_allocation_key_display(),
        schools=schools,
        regions=regions,
        keys=[(key, Key(key).label) for key, _w in keys],
    )


def assumptions_mixed_weights(assumptions: BudgetAssumptions) -> dict[str, Decimal]:
    return {
        Key.EQUAL: Decimal(assumptions.weight_equal) / 100,
        Key.PUPILS: Decimal(assumptions.weight_pupils) / 100,
        Key.CONTRIBUTION: Decimal(assumptions.weight_contribution) / 100,
    }


@dataclass
class Scenario:
    """What the budget would have to be if all music education in the county joined, to
    keep today's money per pupil. Central management is kept as it is; everything that
    reaches the schools and regions (allocations, pools, earmarks, reserve) grows with the
    pupils."""

    pupils_now: int
    pupils_then: int
    central: Decimal
    to_pupils: Decimal
    income_now: Decimal

    @property
    def factor(self) -> Decimal:
        return Decimal(self.pupils_then) / Decimal(self.pupils_now) if self.pupils_now else Decimal(0)

    @property
    def per_pupil(self) -> Decimal:
        return (self.to_pupils / self.pupils_now).quantize(KRONE) if self.pupils_now else Decimal(0)

    @property
    def increase_percent(self) -> Decimal:
        return ((self.factor - 1) * 100).quantize(Decimal("0.1"))

    @property
    def to_pupils_then(self) -> Decimal:
        return (self.to_pupils * self.factor).quantize(KRONE)

    @property
    def required_total(self) -> Decimal:
        return self.central + self.to_pupils_then

    @property
    def gap(self) -> Decimal:
        return self.required_total - self.income_now


def budget_scenario(*, budget: Budget, pupils: int | None = None) -> Scenario:
    if pupils is None:
        assumptions = BudgetAssumptions.objects.filter(year=budget.year).first()
        pupils = assumptions.scenario_pupils if assumptions else BudgetAssumptions().scenario_pupils
    totals = budget_totals(budget=budget)
    central = totals.by_kind.get(BudgetLine.Kind.CENTRAL_MANAGEMENT, Decimal(0))
    return Scenario(
        pupils_now=sum(unit.pupils for unit in allocation_units(year=budget.year)),
        pupils_then=pupils,
        central=central,
        to_pupils=totals.expense - central,
        income_now=totals.income,
    )


# ---------------------------------------------------------------------------------------------
# Budget against actual
# ---------------------------------------------------------------------------------------------


@dataclass
class ActualRow:
    kind: str
    target: object
    label: str
    budgeted: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    spent: Decimal = Decimal(0)
    region: Region | None = None
    budgeted_line: bool = True

    @property
    def left(self) -> Decimal:
        return self.budgeted - self.committed - self.spent

    @property
    def over_budget(self) -> bool:
        return self.left < 0


@dataclass
class BudgetActual:
    lines: list[ActualRow]
    regions: list[ActualRow]
    areas: list[ActualRow]
    area_costs: dict[int, Decimal]

    @property
    def total(self) -> ActualRow:
        row = ActualRow("total", None, str(_("Sum")))
        for line in self.lines:
            row.budgeted += line.budgeted
            row.committed += line.committed
            row.spent += line.spent
        return row


def booking_target_default(*, level: str, region_id: int, host_school_id: int | None, allocated: set[int]):
    """Where an activity without a booking is booked: a local activity at a school that has
    an allocation in the budget goes on that allocation; everything else on the pool of the
    activity's region."""
    if level == Activity.Level.LOCAL and host_school_id in allocated:
        return (BudgetLine.Kind.SCHOOL_ALLOCATION, host_school_id)
    return (BudgetLine.Kind.REGION_POOL, region_id)


def budget_vs_actual(*, budget: Budget) -> BudgetActual:
    """Per bookable line (region pool, school allocation, area earmark) of the budget:
    budgeted, committed (costs of planned activities), spent (costs of held activities) and
    left, for the activities that start in the budget year. Cancelled activities count for
    nothing. Costs booked on a target without a line show as unbudgeted (budgeted 0, over).
    Totals per region (its pool and its schools' allocations) and per area (its earmark; and,
    for information, all costs of activities in the area: an activity in two areas counts in
    both). A fixed number of queries, whatever the size of the budget."""
    rows: dict[tuple[str, int], ActualRow] = {}
    for line in budget_line_list(budget=budget).filter(kind__in=BOOKABLE):
        target = {"region_pool": line.region, "school_allocation": line.school}.get(line.kind, line.cooperation_area)
        region = line.region if line.kind == BudgetLine.Kind.REGION_POOL else getattr(line.school, "region", None)
        row = rows.setdefault((line.kind, target.pk), ActualRow(line.kind, target, line.label, region=region))
        row.budgeted += line.amount
    allocated = {pk for kind, pk in rows if kind == BudgetLine.Kind.SCHOOL_ALLOCATION}
    start, end = calendar_year_bounds(budget.year)
    activities = list(
        Activity.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Activity.Status.CANCELLED)
        .values("pk", "status", "level", "region_id", "host_school_id")
        .annotate(cost=Sum("costs__amount"))
    )
    bookings = {
        b["activity_id"]: b
        for b in ActivityBooking.objects.filter(activity__in=[a["pk"] for a in activities]).values(
            "activity_id", "kind", "region_id", "school_id", "cooperation_area_id"
        )
    }
    unbudgeted: list[tuple[tuple[str, int], ActualRow]] = []
    area_costs: dict[int, Decimal] = defaultdict(Decimal)
    areas_of: dict[int, list[int]] = defaultdict(list)
    for activity_id, area_id in Activity.cooperation_areas.through.objects.filter(
        activity_id__in=[a["pk"] for a in activities]
    ).values_list("activity_id", "cooperationarea_id"):
        areas_of[activity_id].append(area_id)
    for activity in activities:
        cost = activity["cost"] or Decimal(0)
        booking = bookings.get(activity["pk"])
        if booking:
            target_id = {"region_pool": booking["region_id"], "school_allocation": booking["school_id"]}.get(
                booking["kind"], booking["cooperation_area_id"]
            )
            key = (booking["kind"], target_id)
        else:
            key = booking_target_default(
                level=activity["level"],
                region_id=activity["region_id"],
                host_school_id=activity["host_school_id"],
                allocated=allocated,
            )
        row = rows.get(key)
        if row is None:
            row = rows[key] = ActualRow(key[0], None, "", budgeted_line=False)
            unbudgeted.append((key, row))
        if activity["status"] == Activity.Status.HELD:
            row.spent += cost
        else:
            row.committed += cost
        for area_id in areas_of[activity["pk"]]:
            area_costs[area_id] += cost
    _name_unbudgeted(unbudgeted)
    lines = sorted(rows.values(), key=lambda r: (BOOKABLE.index(r.kind), str(r.label)))

    regions: dict[int, ActualRow] = {}
    areas: dict[int, ActualRow] = {}
    for row in lines:
        if row.kind == BudgetLine.Kind.AREA_EARMARK:
            total = areas.setdefault(row.target.pk, ActualRow("area", row.target, str(row.target)))
        elif row.region is not None:
            total = regions.setdefault(row.region.pk, ActualRow("region", row.region, row.region.name))
        else:
            continue
        total.budgeted += row.budgeted
        total.committed += row.committed
        total.spent += row.spent
    for area in CooperationArea.objects.filter(pk__in=set(area_costs) - set(areas)):
        areas[area.pk] = ActualRow("area", area, str(area))
    return BudgetActual(
        lines=lines,
        regions=sorted(regions.values(), key=lambda r: r.label),
        areas=sorted(areas.values(), key=lambda r: r.target.number),
        area_costs=dict(area_costs),
    )


def _name_unbudgeted(unbudgeted: list[tuple[tuple[str, int], ActualRow]]) -> None:
    """Give unbudgeted targets their objects and labels (one query per kind at most)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for kind, pk in (key for key, _row in unbudgeted):
        ids[kind].add(pk)
    objects = {
        BudgetLine.Kind.REGION_POOL: Region.objects.in_bulk(ids[BudgetLine.Kind.REGION_POOL]),
        BudgetLine.Kind.SCHOOL_ALLOCATION: School.objects.select_related("region").in_bulk(
            ids[BudgetLine.Kind.SCHOOL_ALLOCATION]
        ),
        BudgetLine.Kind.AREA_EARMARK: CooperationArea.objects.in_bulk(ids[BudgetLine.Kind.AREA_EARMARK]),
    }
    for (kind, pk), row in unbudgeted:
        row.target = objects[kind].get(pk)
        row.region = row.target if kind == BudgetLine.Kind.REGION_POOL else getattr(row.target, "region", None)
        row.label = _("%(target)s (ikke budsjettert)") % {"target": row.target}


# ---------------------------------------------------------------------------------------------
# The budget as the steering group reads it: its lines in groups, and what a revision changed
# ---------------------------------------------------------------------------------------------

# The order the groups are read in: income, then expenses; in kind stands apart.
LINE_GROUP_ORDER = (*BudgetLine.INCOME, *BudgetLine.EXPENSE)


@dataclass(frozen=True)
class GroupedLine:
    """One line as read: its text, amount, what it concerns ("where": the school with its
    region, the region, municipality, cooperation area or partner; "" for none) and its note."""

    label: str
    amount: Decimal
    where: str
    note: str


@dataclass(frozen=True)
class LineGroup:
    """The lines of one kind (BudgetLine.Kind value `kind`, its label `title`) and their sum."""

    kind: str
    title: str
    lines: list[GroupedLine]
    subtotal: Decimal


@dataclass(frozen=True)
class BudgetLineGroups:
    income: list[LineGroup]
    expense: list[LineGroup]
    in_kind: LineGroup
    total_income: Decimal
    total_expense: Decimal

    @property
    def balance(self) -> Decimal:
        """Cash income minus expenses (in kind stands outside): zero when it balances."""
        return self.total_income - self.total_expense

    @property
    def line_count(self) -> int:
        return sum(len(group.lines) for group in (*self.income, *self.expense, self.in_kind))

    @property
    def sections(self) -> list[tuple[str, str, list[LineGroup]]]:
        """(key, heading, groups) for income, expenses and in kind, in that order: the page
        and the PDF draw them alike. In kind is listed only when it has lines."""
        sections = [("income", _("Inntekter"), self.income), ("expense", _("Utgifter"), self.expense)]
        if self.in_kind.lines:
            sections.append(("in_kind", _("Naturalytelser (utenfor kontantbudsjettet)"), [self.in_kind]))
        return sections


def _line_where(line: BudgetLine) -> str:
    """What a line concerns, in words: "Skole A (Follo)", "Follo", "Ås", "4. Unge dirigenter"."""
    if line.school_id:
        school = line.school
        region = getattr(school, "region", None)
        return f"{school.name} ({region.name})" if region is not None else school.name
    for target in (line.region, line.municipality, line.partner):
        if target is not None:
            return target.name
    return str(line.cooperation_area) if line.cooperation_area_id else ""


def budget_line_groups(*, budget: Budget) -> BudgetLineGroups:
    """The budget's lines grouped by kind as the steering group reads them (one query).

    - income: the income groups with lines, in this order: county grant, municipal
      contributions, partners' cash, other income (BudgetLine.INCOME);
    - expense: central management, region pools, school allocations, earmarks, reserve
      (BudgetLine.EXPENSE), again only the groups with lines;
    - in_kind: the in-kind lines, always present (empty lines and subtotal 0 when none),
      kept out of the cash totals and the balance;
    - each LineGroup: kind (a BudgetLine.Kind value), title (its label), lines (GroupedLine:
      label, amount as Decimal, where, note) in text order, subtotal (Decimal);
    - total_income, total_expense (Decimal) and balance = total_income - total_expense.
    """
    lines: dict[str, list[GroupedLine]] = defaultdict(list)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in budget_line_list(budget=budget).select_related("partner").order_by("kind", "label", "pk"):
        lines[line.kind].append(GroupedLine(line.label, line.amount, _line_where(line), line.note))
        sums[line.kind] += line.amount
    kinds = BudgetLine.Kind

    def group(kind: str) -> LineGroup:
        return LineGroup(kind=kind, title=str(kinds(kind).label), lines=lines[kind], subtotal=sums[kind])

    income = [group(kind) for kind in BudgetLine.INCOME if lines[kind]]
    expense = [group(kind) for kind in BudgetLine.EXPENSE if lines[kind]]
    return BudgetLineGroups(
        income=income,
        expense=expense,
        in_kind=group(kinds.IN_KIND),
        total_income=sum((g.subtotal for g in income), Decimal(0)),
        total_expense=sum((g.subtotal for g in expense), Decimal(0)),
    )


@dataclass(frozen=True)
class LineChange:
    """A line added (old None), removed (new None) or with another amount."""

    kind: str
    kind_label: str
    label: str
    where: str
    old: Decimal | None
    new: Decimal | None

    @property
    def difference(self) -> Decimal:
        return (self.new or Decimal(0)) - (self.old or Decimal(0))


@dataclass(frozen=True)
class TotalChange:
    label: str
    old: Decimal
    new: Decimal

    @property
    def difference(self) -> Decimal:
        return self.new - self.old


@dataclass(frozen=True)
class BudgetChanges:
    previous: Budget
    added: list[LineChange]
    removed: list[LineChange]
    changed: list[LineChange]
    totals: list[TotalChange]

    @property
    def line_count(self) -> int:
        """How many lines were added, removed or changed."""
        return len(self.added) + len(self.removed) + len(self.changed)


def _line_key(line: BudgetLine) -> tuple:
    """What makes a line the same line in two revisions: its kind, what it concerns and its text."""
    return (
        line.kind,
        line.region_id,
        line.school_id,
        line.municipality_id,
        line.cooperation_area_id,
        line.partner_id,
        line.label,
    )


def budget_changes_since(*, budget: Budget) -> BudgetChanges | None:
    """What changed since the revision `budget` replaces (`budget.replaces`); None for a first
    revision. Two queries for the lines, two for the totals.

    Lines are matched by kind, region, school, municipality, cooperation area, partner and text
    (two lines with the same of all these are matched in order of amount). The result:
    - previous: the replaced revision;
    - added / removed: LineChange with old None / new None; changed: both set and different;
      each with kind (BudgetLine.Kind value), kind_label, label, where, old, new (Decimal or
      None) and difference = new - old (a missing side counts 0); lines in kind order (income,
      expenses, in kind), then text;
    - totals: TotalChange (label, old, new, difference) for income, expenses, in kind and
      balance, in that order.
    Lines whose amount is the same in both revisions are not listed."""
    previous = budget.replaces
    if previous is None:
        return None

    def keyed(of: Budget) -> dict[tuple, list[BudgetLine]]:
        found: dict[tuple, list[BudgetLine]] = defaultdict(list)
        for line in budget_line_list(budget=of).select_related("partner").order_by("amount", "pk"):
            found[_line_key(line)].append(line)
        return found

    before, after = keyed(previous), keyed(budget)
    added, removed, changed = [], [], []

    def change(line: BudgetLine, old: Decimal | None, new: Decimal | None) -> LineChange:
        return LineChange(line.kind, str(BudgetLine.Kind(line.kind).label), line.label, _line_where(line), old, new)

    for key in before.keys() | after.keys():
        olds, news = before.get(key, []), after.get(key, [])
        for old, new in zip(olds, news, strict=False):
            if old.amount != new.amount:
                changed.append(change(new, old.amount, new.amount))
        removed += [change(old, old.amount, None) for old in olds[len(news) :]]
        added += [change(new, None, new.amount) for new in news[len(olds) :]]
    order = {kind: position for position, kind in enumerate((*LINE_GROUP_ORDER, BudgetLine.Kind.IN_KIND))}

    def ordered(changes: list[LineChange]) -> list[LineChange]:
        return sorted(changes, key=lambda c: (order.get(c.kind, len(order)), c.label, c.where))

    old_totals, new_totals = budget_totals(budget=previous), budget_totals(budget=budget)
    totals = [
        TotalChange(label, getattr(old_totals, attribute), getattr(new_totals, attribute))
        for label, attribute in (
            (_("Inntekter"), "income"),
            (_("Utgifter"), "expense"),
            (_("Naturalytelser"), "in_kind"),
            (_("Balanse"), "balance"),
        )
    ]
    return BudgetChanges(
        previous=previous, added=ordered(added), removed=ordered(removed), changed=ordered(changed), totals=totals
    )
