"""The money figures people read, beside the budget that owns them: per school and calendar
year, its allocation and its region's pool in the approved budget, its municipality's
contribution, and the value of the activities its pupils took part in (the budget rollup's
SchoolMoneyRollup: funding/rollups.py writes it by COST_SHARING_RULE, the only place that rule
is computed).

A fresh installation has no money summary yet: `money_figures_ensure()` runs the budget rollup
once, in the request; saves of activities enqueue it incrementally afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.rollups import rollup_last_success_by_kind
from core.schedules import BUDGET
from schools.models import Membership, School

from .models import BudgetLine, MunicipalContribution, SchoolMoneyRollup
from .selectors import budget_list_approved

MONEY = DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# How the value of an activity is shared between the schools that took part in it; computed
# by funding/rollups.py (_school_values), described here for the pages that show the figure.
COST_SHARING_RULE = gettext_lazy(
    "Hver aktivitets samlede kostnader deles mellom skolene som deltok, i forhold til hvor mange "
    "elever hver skole hadde med. En aktivitet uten elever (for eksempel et lærerkurs) deles likt "
    "mellom de deltakende skolene. Avlyste aktiviteter og aktiviteter som ikke har startet, er ikke med."
)

# What a school shows on its "paid in" side when the county's grant pays for it.
THROUGH_COUNTY = gettext_lazy("gjennom fylket")


@dataclass(frozen=True)
class PaidIn:
    """What a school puts in to the network in a year (see `school_paid_in`): `amount` in
    kroner, or None when it pays nothing in kroner of its own (`through_county`: the county's
    grant pays for it; else no contribution is registered). `shared_by`: the number of culture
    schools its municipality's contribution is split between (1 when not split)."""

    amount: Decimal | None
    through_county: bool = False
    shared_by: int = 1

    @property
    def label(self) -> str:
        """«gjennom fylket» for a school the county pays for, else ""."""
        return str(THROUGH_COUNTY) if self.through_county else ""


def _split_exact(total: Decimal, parts: int) -> list[Decimal]:
    """`total` in `parts` equal shares to the øre that add up to it exactly (the first shares
    take the øre left over)."""
    cents = int(money(total) * 100)
    base, left = divmod(cents, parts)
    return [Decimal(base + (1 if i < left else 0)) / 100 for i in range(parts)]


def school_paid_in(schools, contributions: dict[int, Decimal]) -> dict[int, PaidIn]:
    """What each school "pays in" for a year: the one rule for the dashboard, the network
    overview (page, CSV and PDF) and the budget's fairness table.

    The 2020 report (section 2, "Økonomi", and section 7, "Nye skoler som er med fra
    2019/2020"; ../shared/DOMAIN.md, "Money") says that the upper-secondary schools (vgs) and
    folk high schools (fhs) "were participants through Akershus fylkeskommune's grant, while
    the culture schools depended on financial support from their own municipalities": the
    municipal contribution (60,000/80,000/100,000 kr by population) is the culture school's
    side of the "spleiselag". So:

    - a culture school (kulturskole) pays in its municipality's contribution of the year
      (`amount`; None when none is registered);
    - a vgs or fhs pays in no kroner of its own: `amount` None, `through_county` («gjennom
      fylket»). The county grant is one sum for the network; neither the report nor the
      domain page divides it between schools, so no per-school county share is invented.
      Its municipality's contribution is not its money (it was counted twice before).

    A municipality with more than one culture school (the report has one per municipality,
    as has the demo network; the data model allows more): its contribution is split equally
    between its culture schools among `schools` that take part in the network (member or
    pilot; `participating`), to the øre and adding up exactly, the lower primary keys taking
    any øre left over. When none of them takes part, between all its culture schools among
    `schools`, so that a registered contribution is never lost from the sums. Every
    contribution of a municipality with a culture school among `schools` is thus counted
    exactly once.

    `schools`: rows with "pk", "kind", "municipality_id" and optionally "participating"
    (dicts or objects); `contributions`: municipality id -> the year's amount. No query."""

    def get(school, name, default=None):
        return school.get(name, default) if isinstance(school, dict) else getattr(school, name, default)

    schools = list(schools)
    culture: dict[int, list] = {}
    for school in schools:
        if get(school, "kind") == School.Kind.KULTURSKOLE:
            culture.setdefault(get(school, "municipality_id"), []).append(school)
    result: dict[int, PaidIn] = {}
    for municipality_id, members in culture.items():
        amount = contributions.get(municipality_id)
        payers = [school for school in members if get(school, "participating", True)] or members
        payers.sort(key=lambda school: get(school, "pk"))
        shares = _split_exact(amount, len(payers)) if amount is not None else [None] * len(payers)
        for school, share in zip(payers, shares, strict=True):
            result[get(school, "pk")] = PaidIn(share, shared_by=len(payers))
    for school in schools:
        pk = get(school, "pk")
        if get(school, "kind") != School.Kind.KULTURSKOLE:
            result[pk] = PaidIn(None, through_county=True)
        elif pk not in result:  # a culture school that does not take part while another does
            result[pk] = PaidIn(None)
    return result


def money_figures_ensure(*, finished: dict | None = None) -> None:
    """Run the budget rollup now when it has never finished (a fresh installation).
    `finished` is core.rollups.rollup_last_success_by_kind(), when the caller has it; a
    successful run here is recorded in it."""
    finished = rollup_last_success_by_kind() if finished is None else finished
    if BUDGET not in finished:
        from .rollups import rollup_budget  # the rollup imports the selectors; read paths don't

        run = rollup_budget()
        if run.finished_at and run.status == run.Status.SUCCEEDED:
            finished[BUDGET] = run.finished_at


def default_money_year(school_year: int, *, today: date | None = None) -> int:
    """The calendar year whose money goes with a school year: the one it ends in, but never
    a year that has not started."""
    today = today or timezone.localdate()
    return min(school_year + 1, today.year)


def money(value) -> Decimal:
    """A sum in kroner with two decimals (0.00 for nothing)."""
    return (Decimal(value) if value is not None else ZERO).quantize(CENT, rounding=ROUND_HALF_UP)


def _school_money_rows(*, year: int, schools=None, sums_only: bool = False):
    """The schools (all, or the `schools` queryset) annotated with the money of a calendar
    year that school_money_list reads: participating, the approved budget's revision and
    date, allocation, region_pool, activity_value and the municipality's contribution; with
    `sums_only`, participating, allocation and activity_value alone."""
    budget = budget_list_approved(year=year)

    def budget_line_total(**filters):
        return (
            BudgetLine.objects.filter(budget=Subquery(budget.values("pk")[:1]), **filters)
            .values("budget")
            .annotate(total=Sum("amount"))
            .values("total")
        )

    contribution = MunicipalContribution.objects.filter(municipality=OuterRef("municipality"), year=year)
    participating = Membership.objects.valid_in_year(year).filter(
        school=OuterRef("pk"), status__in=Membership.PARTICIPATING
    )
    rows = (School.objects.all() if schools is None else schools).annotate(
        participating=Exists(participating),
        allocation=Subquery(
            budget_line_total(kind=BudgetLine.Kind.SCHOOL_ALLOCATION, school=OuterRef("pk")),
            output_field=MONEY,
        ),
        activity_value=Subquery(
            SchoolMoneyRollup.objects.filter(year=year, school=OuterRef("pk")).values("activity_value")[:1],
            output_field=MONEY,
        ),
    )
    if sums_only:
        return rows
    return rows.annotate(
        budget_revision=Subquery(budget.values("revision")[:1]),
        budget_decided_at=Subquery(budget.values("decided_at")[:1]),
        region_pool=Subquery(
            budget_line_total(kind=BudgetLine.Kind.REGION_POOL, region=OuterRef("region")),
            output_field=MONEY,
        ),
        contribution_amount=Subquery(contribution.values("amount")[:1], output_field=MONEY),
        contribution_population=Subquery(contribution.values("population")[:1]),
        contribution_tier_from=Subquery(contribution.values("tier__min_population")[:1]),
        contribution_tier_below=Subquery(contribution.values("tier__max_population_below")[:1]),
        contribution_invoiced_on=Subquery(contribution.values("invoiced_on")[:1]),
        contribution_paid_on=Subquery(contribution.values("paid_on")[:1]),
    )


def school_money_list(*, year: int, schools=None) -> list[dict]:
    """Per school, for a calendar year: whether it was a member or pilot some time in the
    year (participating), its allocation and its region's pool in the year's approved budget
    (the latest approved revision: budget_revision, budget_decided_at), the value of the
    activities its pupils took part in (activity_value, see COST_SHARING_RULE), and its
    municipality's contribution (contribution_amount, _population, _tier_from, _tier_below,
    _invoiced_on, _paid_on) on the culture school(s) it belongs to only (None on an
    upper-secondary or folk high school, which the county pays for), and what the school pays
    in (paid_in, a PaidIn: `school_paid_in`). Sums in kroner. `schools` (a queryset) limits
    the rows; it must hold every culture school of a municipality it holds one of (they share
    its contribution). One query."""
    rows = (
        _school_money_rows(year=year, schools=schools)
        .values(
            "pk",
            "region_id",
            "municipality_id",
            "kind",
            "participating",
            "budget_revision",
            "budget_decided_at",
            "allocation",
            "region_pool",
            "activity_value",
            "contribution_amount",
            "contribution_population",
            "contribution_tier_from",
            "contribution_tier_below",
            "contribution_invoiced_on",
            "contribution_paid_on",
        )
        .order_by("pk")
    )
    result = list(rows)
    paid_in = school_paid_in(
        result,
        {
            row["municipality_id"]: row["contribution_amount"]
            for row in result
            if row["contribution_amount"] is not None
        },
    )
    for row in result:
        row["allocation"] = money(row["allocation"])
        row["region_pool"] = money(row["region_pool"])
        row["activity_value"] = money(row["activity_value"])
        row["paid_in"] = paid_in[row["pk"]]
        if row["paid_in"].amount is None:  # not this school's money: its municipality's (or none)
            for name in CONTRIBUTION_FIELDS:
                row[name] = None
        else:
            row["contribution_amount"] = money(row["contribution_amount"])
    return result


CONTRIBUTION_FIELDS = (
    "contribution_amount",
    "contribution_population",
    "contribution_tier_from",
    "contribution_tier_below",
    "contribution_invoiced_on",
    "contribution_paid_on",
)


@dataclass(frozen=True)
class _Sums:
    """Participating schools' allocations and activity values summed, for their averages."""

    schools: int
    allocation: Decimal
    activity_value: Decimal

    def average(self, name: str) -> Decimal | None:
        """The mean to the øre (half up); None when there is no school."""
        if not self.schools:
            return None
        return (getattr(self, name) / self.schools).quantize(CENT, rounding=ROUND_HALF_UP)


def _sums(rows: list[dict]) -> _Sums:
    """The rows' allocations and activity values, each to the øre (money), summed."""
    return _Sums(
        schools=len(rows),
        allocation=sum((money(row["allocation"]) for row in rows), ZERO),
        activity_value=sum((money(row["activity_value"]) for row in rows), ZERO),
    )


def _participating_money(*, year: int, school: School) -> list[dict]:
    """The member and pilot schools (some time in `year`) of `school`'s region or of its kind,
    each with region_id, kind, allocation and activity_value: what the averages need, without
    the other figures school_money_list reads for every school. One query."""
    peers = School.objects.filter(Q(region_id=school.region_id) | Q(kind=school.kind))
    return list(
        _school_money_rows(year=year, schools=peers, sums_only=True)
        .filter(participating=True)
        .values("region_id", "kind", "allocation", "activity_value")
    )


@dataclass
class MoneyComparison:
    label: str
    school: Decimal
    region_average: Decimal | None
    kind_average: Decimal | None


@dataclass
class SchoolMoney:
    year: int
    budget_revision: int | None
    budget_decided_at: datetime | None
    contribution: dict | None  # the municipality's contribution, on its culture school only
    region_pool: Decimal
    paid_in: PaidIn = field(default_factory=lambda: PaidIn(None))
    comparisons: list[MoneyComparison] = field(default_factory=list)
    region_schools: int = 0
    kind_schools: int = 0


def school_money(*, school: School, year: int, rows: list[dict] | None = None) -> SchoolMoney:
    """What the school put in (`school_paid_in`: its municipality's contribution for a culture
    school, «gjennom fylket» for the others) and what it got in a calendar year, against
    the average of the member and pilot schools of its region and of its kind. From `rows`
    (school_money_list's) when given; else two queries whatever the network's size: the
    school's municipality's rows, and the two money figures of the participating schools of
    its region or kind (_participating_money)."""
    if rows is None:
        rows = school_money_list(year=year, schools=School.objects.filter(municipality_id=school.municipality_id))
        peers = _participating_money(year=year, school=school)
    else:
        peers = [row for row in rows if row["participating"]]
    region = _sums([row for row in peers if row["region_id"] == school.region_id])
    kind = _sums([row for row in peers if row["kind"] == school.kind])
    own = next((row for row in rows if row["pk"] == school.pk), None)
    if own is None:  # the school was deleted meanwhile: show nothing rather than fail
        own = {"allocation": ZERO, "activity_value": ZERO, "region_pool": ZERO, "contribution_amount": None}
        own["paid_in"] = school_paid_in([{"pk": school.pk, "kind": school.kind, "municipality_id": None}], {})[
            school.pk
        ]
    contribution = None
    if own.get("contribution_amount") is not None:
        contribution = {
            "amount": own["contribution_amount"],
            "population": own["contribution_population"],
            "tier_from": own["contribution_tier_from"],
            "tier_below": own["contribution_tier_below"],
            "invoiced_on": own["contribution_invoiced_on"],
            "paid_on": own["contribution_paid_on"],
        }
    comparisons = [
        MoneyComparison(
            label=_("Tildeling til skolen i vedtatt budsjett"),
            school=own["allocation"],
            region_average=region.average("allocation"),
            kind_average=kind.average("allocation"),
        ),
        MoneyComparison(
            label=_("Verdien av aktivitetene elevene deltok i"),
            school=own["activity_value"],
            region_average=region.average("activity_value"),
            kind_average=kind.average("activity_value"),
        ),
    ]
    first = rows[0] if rows else {}
    return SchoolMoney(
        year=year,
        budget_revision=first.get("budget_revision"),
        budget_decided_at=first.get("budget_decided_at"),
        contribution=contribution,
        region_pool=own["region_pool"],
        paid_in=own["paid_in"],
        comparisons=comparisons,
        region_schools=region.schools,
        kind_schools=kind.schools,
    )
