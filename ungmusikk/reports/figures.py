"""The annual report (årsrapport, issue 16): the network in figures for a calendar year or a
school year, against the period before, as sections of tables (shapes.py), built from a
period's figures (period.py: where each figure comes from, and the small-number rule)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import figures as participation
from activities.models import Activity
from core.formatting import money_text
from core.privacy import is_suppressed
from core.rollups import rollup_last_success_by_kind
from funding import figures as money_figures
from funding import selectors as money
from funding.models import Budget, BudgetLine, PartnerContribution
from governance.selectors import cooperation_area_list
from schools.ages import AGE_BANDS
from schools.models import Membership, Region, School
from ungmusikk.dashboards.tables import INT, MONEY, PERCENT, Chart, Column, Table

from .period import (
    ZERO,
    NamedShown,
    PeriodFigures,
    change,
    figures_latest_as_of,
    named_shown,
    period_figures,
    share_shown,
)
from .shapes import AnnualReport, ReportPeriod, ReportSection

# --- The report ----------------------------------------------------------------------------------

LABEL = Column("label", gettext_lazy("Hva"))


def _comparison_columns(period: ReportPeriod, kind: str) -> list[Column]:
    return [
        Column("now", period.label, kind),
        Column("before", period.previous().label, kind),
        Column("change", gettext_lazy("Endring"), kind),
    ]


def _row(label, now, before) -> dict:
    return {"label": str(label), "now": now, "before": before, "change": change(now, before)}


def annual_report(*, period: ReportPeriod) -> AnnualReport:
    """The annual report of the network for a period, against the period before, as
    sections of tables (shapes.AnnualReport); the figures as of `figures_latest_as_of`. Runs the rollups first on
    a fresh installation, as the dashboards do."""
    finished = rollup_last_success_by_kind()
    participation.enrolment_figures_ensure(finished=finished)
    money_figures.money_figures_ensure(finished=finished)
    now = period_figures(period)
    before = period_figures(period.previous())
    regions = list(Region.objects.order_by("name"))
    report = AnnualReport(
        period=period,
        title=_("Årsrapport for UngMusikk %(period)s") % {"period": period.label},
        figures_as_of=figures_latest_as_of(finished=finished),
    )
    named_now = named_shown(schools=now.schools, named=now.named)
    named_before = named_shown(schools=before.schools, named=before.named)
    report.sections = [
        _summary(now, before, named_now, named_before),
        _schools(now, before, named_now),
        _regions(now, before, regions, named_now),
        _ages(now, before, named_now, named_before),
        _activities(now, before, regions),
        _money(now, before),
    ]
    return report


def _summary(now: PeriodFigures, before: PeriodFigures, named_now: NamedShown, named_before: NamedShown):
    period = now.period
    enrolment_now, enrolment_before = sum(now.enrolment.values()), sum(before.enrolment.values())
    placement = Activity.Kind.PRACTICE_PLACEMENT
    counts = Table(
        "noekkeltall",
        _("Nøkkeltall"),
        [LABEL, *_comparison_columns(period, INT)],
        [
            _row(_("Skoler i nettverket (medlemmer og piloter)"), len(now.schools), len(before.schools)),
            _row(_("Elever i musikk ved skolene (GSI, 1. oktober)"), enrolment_now, enrolment_before),
            _row(_("Navngitte elever som deltok (talt ved hver skole)"), named_now.network, named_before.network),
            _row(_("Aktiviteter"), now.activities(), before.activities()),
            _row(_("Elevdeltakelser"), now.activity_sum("pupils"), before.activity_sum("pupils")),
            _row(_("Skoledeltakelser"), now.activity_sum("schools"), before.activity_sum("schools")),
            _row(_("NMH-lærere involvert"), now.nmh_teachers.get(None, 0), before.nmh_teachers.get(None, 0)),
            _row(_("Praksisplasser"), now.activities(kind=placement), before.activities(kind=placement)),
        ],
    )
    income_now, income_before = now.income, before.income
    money_table = Table(
        "noekkeltall_okonomi",
        _("Økonomi i korte trekk (%(year)s)") % {"year": period.money_year},
        [
            LABEL,
            Column("now", str(period.money_year), MONEY),
            Column("before", str(period.money_year - 1), MONEY),
            Column("change", gettext_lazy("Endring"), MONEY),
        ],
        [
            _row(_("Inntekter i alt (kontanter)"), income_now["total"], income_before["total"]),
            _row(_("Naturalytelser (verdi)"), now.in_kind_total, before.in_kind_total),
            _row(_("Verdi av aktivitetene skolene deltok i"), now.activity_value, before.activity_value),
        ],
    )
    share = share_shown(named_now.network, enrolment_now)
    sentences = [
        _(
            "I %(period)s var %(schools)s skoler med i UngMusikk. De holdt %(activities)s aktiviteter med "
            "%(participations)s elevdeltakelser."
        )
        % {
            "period": period.label,
            "schools": len(now.schools),
            "activities": now.activities(),
            "participations": now.activity_sum("pupils"),
        },
    ]
    if not is_suppressed(named_now.network) and share is not None:
        sentences.append(
            _(
                "%(named)s navngitte elever deltok (en elev ved to skoler telles ved begge), %(share)s %% av "
                "elevene i musikk ved skolene."
            )
            % {"named": named_now.network, "share": str(share).replace(".", ",")}
        )
    sentences.append(
        _("Nettverket hadde %(income)s kr i kontantinntekter og %(in_kind)s kr i naturalytelser i %(year)s.")
        % {
            "income": _money_words(income_now["total"]),
            "in_kind": _money_words(now.in_kind_total),
            "year": period.money_year,
        }
    )
    return ReportSection("sammendrag", _("Sammendrag"), sentences, [counts, money_table])


def _money_words(amount: Decimal) -> str:
    return money_text(amount, unit=False)


STATUS_LABELS = dict(Membership.Status.choices)
KIND_LABELS = dict(School.Kind.choices)


def _schools(now: PeriodFigures, before: PeriodFigures, named_now: NamedShown) -> ReportSection:
    period = now.period
    grid_rows = []
    for kind, label in School.Kind.choices:
        row = {"label": str(label)}
        for status in Membership.PARTICIPATING:
            row[status] = sum(1 for s in now.schools if s["kind"] == kind and s["status"] == status)
        row["total"] = row[Membership.Status.MEMBER] + row[Membership.Status.PILOT]
        row["before"] = sum(1 for s in before.schools if s["kind"] == kind)
        grid_rows.append(row)
    total = {"label": _("I alt")}
    for key in (*Membership.PARTICIPATING, "total", "before"):
        total[key] = sum(row[key] for row in grid_rows)
    by_kind = Table(
        "skoler_slag",
        _("Skoler etter skoleslag og status"),
        [
            Column("label", gettext_lazy("Skoleslag")),
            Column(Membership.Status.MEMBER, STATUS_LABELS[Membership.Status.MEMBER], INT),
            Column(Membership.Status.PILOT, STATUS_LABELS[Membership.Status.PILOT], INT),
            Column("total", gettext_lazy("I alt %(period)s") % {"period": period.label}, INT),
            Column("before", gettext_lazy("I alt %(period)s") % {"period": period.previous().label}, INT),
        ],
        [*grid_rows, total],
    )
    rows = []
    for school in now.schools:
        took_part = now.school_participation.get(school["pk"], {})
        shown = named_now.schools.get(school["pk"], 0)
        rows.append(
            {
                "name": school["name"],
                "region": school["region"],
                "kind": str(KIND_LABELS[school["kind"]]),
                "status": str(STATUS_LABELS[school["status"]]),
                "enrolment": now.enrolment.get(school["pk"]),
                "named": shown,
                "share": share_shown(shown, now.enrolment.get(school["pk"])),
                "activities": took_part.get("activities", 0),
                "pupils": took_part.get("pupils", 0),
            }
        )
    schools = Table(
        "skoler",
        _("Skolene"),
        [
            Column("name", gettext_lazy("Skole")),
            Column("region", gettext_lazy("Delregion")),
            Column("kind", gettext_lazy("Skoleslag")),
            Column("status", gettext_lazy("Status")),
            Column("enrolment", gettext_lazy("Elever i musikk (GSI)"), INT),
            Column("named", gettext_lazy("Navngitte elever som deltok"), INT),
            Column("share", gettext_lazy("Andel som deltok (%)"), PERCENT),
            Column("activities", gettext_lazy("Aktiviteter skolen deltok i"), INT),
            Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
        ],
        rows,
    )
    paragraphs = [
        _(
            "En skole regnes med når den var medlem eller pilot en dag i perioden, med statusen fra sitt siste "
            "medlemskap i perioden. Elevtallet er GSI-tallet per 1. oktober %(year)s."
        )
        % {"year": period.gsi_school_year},
        _(
            "Antall navngitte elever fra 1 til 4 vises som «<5». Et tall som er skjult bare for at et lite tall "
            "ikke skal kunne regnes ut fra en sum, vises som «:»."
        ),
    ]
    charts = [Chart("skoler_slag_diagram", "skoler_slag", "label", ("total", "before"), include=_not_total)]
    return ReportSection(
        "skoler",
        _("Skolene i nettverket"),
        paragraphs,
        [by_kind, schools],
        charts,
        {"skoler_slag_diagram": _("Skoler etter skoleslag")},
    )


def _not_total(row) -> bool:
    return row.get("label") != _("I alt")


def _regions(now: PeriodFigures, before: PeriodFigures, regions: list[Region], named: NamedShown) -> ReportSection:
    rows = []
    for region in regions:
        schools = [s["pk"] for s in now.schools if s["region_id"] == region.pk]
        activities_now = now.activities(region_id=region.pk)
        if not schools and not activities_now:
            continue
        enrolment = sum(now.enrolment.get(pk, 0) for pk in schools)
        shown = named.regions.get(region.pk, 0)
        rows.append(
            {
                "label": region.name,
                "schools": len(schools),
                "enrolment": enrolment,
                "named": shown,
                "share": share_shown(shown, enrolment),
                "activities": activities_now,
                "activities_before": before.activities(region_id=region.pk),
                "pupils": now.activity_sum("pupils", region_id=region.pk),
                "nmh": now.nmh_teachers.get(region.pk, 0),
            }
        )
    enrolment = sum(now.enrolment.values())
    rows.append(
        {
            "label": _("Hele nettverket"),
            "schools": len(now.schools),
            "enrolment": enrolment,
            "named": named.network,
            "share": share_shown(named.network, enrolment),
            "activities": now.activities(),
            "activities_before": before.activities(),
            "pupils": now.activity_sum("pupils"),
            "nmh": now.nmh_teachers.get(None, 0),
        }
    )
    table = Table(
        "delregioner",
        _("Delregionene"),
        [
            Column("label", gettext_lazy("Delregion")),
            Column("schools", gettext_lazy("Skoler"), INT),
            Column("enrolment", gettext_lazy("Elever i musikk (GSI)"), INT),
            Column("named", gettext_lazy("Navngitte elever som deltok"), INT),
            Column("share", gettext_lazy("Andel som deltok (%)"), PERCENT),
            Column("activities", gettext_lazy("Aktiviteter %(period)s") % {"period": now.period.label}, INT),
            Column(
                "activities_before",
                gettext_lazy("Aktiviteter %(period)s") % {"period": now.period.previous().label},
                INT,
            ),
            Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
            Column("nmh", gettext_lazy("NMH-lærere"), INT),
        ],
        rows,
    )
    paragraphs = [
        _(
            "En aktivitet hører til delregionen som holdt den. En NMH-lærer i to delregioner telles i begge, "
            "men én gang for hele nettverket."
        )
    ]
    charts = [
        Chart(
            "delregioner_diagram",
            "delregioner",
            "label",
            ("activities", "activities_before"),
            include=lambda row: row["label"] != _("Hele nettverket"),
        )
    ]
    return ReportSection(
        "delregioner",
        _("Delregionene"),
        paragraphs,
        [table],
        charts,
        {"delregioner_diagram": _("Aktiviteter per delregion")},
    )


def _ages(now: PeriodFigures, before: PeriodFigures, named_now: NamedShown, named_before: NamedShown):
    shown_now, total_now = named_now.network_bands, named_now.network
    shown_before, total_before = named_before.network_bands, named_before.network
    rows = [_row(label, shown_now[key], shown_before[key]) for key, label in AGE_BANDS]
    rows.append(_row(_("I alt"), total_now, total_before))
    table = Table("alder", _("Navngitte elever etter alder"), [LABEL, *_comparison_columns(now.period, INT)], rows)
    paragraphs = [
        _(
            "Alder regnes som i GSI: etter fødselsår, per 1. oktober %(year)s. Grunnskolealder er 6–15 år. "
            "En elev som er navngitt ved to skoler, telles ved hver av dem."
        )
        % {"year": now.period.gsi_school_year}
    ]
    charts = [Chart("alder_diagram", "alder", "label", ("now", "before"), include=_not_total)]
    return ReportSection(
        "alder",
        _("Elever etter alder (GSI)"),
        paragraphs,
        [table],
        charts,
        {"alder_diagram": _("Navngitte elever etter alder")},
    )


def _activities(now: PeriodFigures, before: PeriodFigures, regions: list[Region]) -> ReportSection:
    period = now.period
    areas = list(cooperation_area_list())
    area_rows = []
    for area in areas:
        cells_now = [c for c in now.area_cells if c["area_id"] == area.pk]
        cells_before = [c for c in before.area_cells if c["area_id"] == area.pk]
        row = {
            "label": f"{area.number}. {area.name}",
            "activities": sum(c["activities"] for c in cells_now),
            "pupils": sum(c["pupils"] for c in cells_now),
            "activities_before": sum(c["activities"] for c in cells_before),
        }
        for region in regions:
            row[f"r{region.pk}"] = sum(c["activities"] for c in cells_now if c["region_id"] == region.pk)
        area_rows.append(row)
    now_label = gettext_lazy("Aktiviteter %(period)s") % {"period": period.label}
    before_label = gettext_lazy("Aktiviteter %(period)s") % {"period": period.previous().label}
    by_area = Table(
        "omraader",
        _("Aktiviteter per samarbeidsområde"),
        [
            Column("label", gettext_lazy("Samarbeidsområde")),
            Column("activities", now_label, INT),
            Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
            Column("activities_before", before_label, INT),
        ],
        area_rows,
    )
    used_regions = [r for r in regions if any(row[f"r{r.pk}"] for row in area_rows)]
    area_by_region = Table(
        "omraader_delregioner",
        _("Aktiviteter per samarbeidsområde og delregion"),
        [Column("label", gettext_lazy("Samarbeidsområde"))]
        + [Column(f"r{region.pk}", region.name, INT) for region in used_regions],
        area_rows,
    )
    kind_rows = [
        {
            "label": str(label),
            "activities": now.activities(kind=kind),
            "schools": now.activity_sum("schools", kind=kind),
            "pupils": now.activity_sum("pupils", kind=kind),
            "teachers": now.activity_sum("teachers", kind=kind),
            "activities_before": before.activities(kind=kind),
        }
        for kind, label in Activity.Kind.choices
    ]
    by_kind = Table(
        "typer",
        _("Aktiviteter per type"),
        [
            Column("label", gettext_lazy("Type")),
            Column("activities", now_label, INT),
            Column("schools", gettext_lazy("Skoledeltakelser"), INT),
            Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
            Column("teachers", gettext_lazy("Lærerdeltakelser"), INT),
            Column("activities_before", before_label, INT),
        ],
        kind_rows,
    )
    level_rows = [
        {
            "label": str(label),
            "activities": now.activities(level=level),
            "pupils": now.activity_sum("pupils", level=level),
            "activities_before": before.activities(level=level),
        }
        for level, label in Activity.Level.choices
    ]
    by_level = Table(
        "nivaa",
        _("Aktiviteter per nivå"),
        [
            Column("label", gettext_lazy("Nivå")),
            Column("activities", now_label, INT),
            Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
            Column("activities_before", before_label, INT),
        ],
        level_rows,
    )
    paragraphs = [
        _(
            "Avlyste aktiviteter er ikke med. En aktivitet som tjener flere samarbeidsområder, telles i hvert av "
            "dem; summen per område kan derfor bli større enn antallet aktiviteter (%(activities)s)."
        )
        % {"activities": now.activities()},
        _("Praksisplasser: %(now)s (%(before)s i %(previous)s).")
        % {
            "now": now.activities(kind=Activity.Kind.PRACTICE_PLACEMENT),
            "before": before.activities(kind=Activity.Kind.PRACTICE_PLACEMENT),
            "previous": period.previous().label,
        },
    ]
    charts = [
        Chart("omraader_diagram", "omraader", "label", ("activities", "activities_before")),
        Chart("typer_diagram", "typer", "label", ("activities", "activities_before")),
    ]
    return ReportSection(
        "aktiviteter",
        _("Aktivitetene"),
        paragraphs,
        [by_area, area_by_region, by_kind, by_level],
        charts,
        {"omraader_diagram": _("Aktiviteter per samarbeidsområde"), "typer_diagram": _("Aktiviteter per type")},
    )


def _money(now: PeriodFigures, before: PeriodFigures) -> ReportSection:
    year = now.period.money_year
    columns = [
        LABEL,
        Column("now", str(year), MONEY),
        Column("before", str(year - 1), MONEY),
        Column("change", gettext_lazy("Endring"), MONEY),
    ]
    income_now, income_before = now.income, before.income
    grant = now.county_grant
    grant_label = _("Tilskudd fra fylkeskommunen")
    if grant is not None:
        grant_label = _("Tilskudd fra %(county)s fylkeskommune") % {"county": grant.county.name}
    cash_before = {row.partner_id: row.amount for row in before.partner_cash}
    income_rows = [
        _row(grant_label, income_now["county"], income_before["county"]),
        _row(_("Kommunenes bidrag"), income_now["municipal"], income_before["municipal"]),
        *[
            _row(
                _("Kontantbidrag fra %(partner)s") % {"partner": row.partner.name},
                row.amount,
                cash_before.get(row.partner_id),
            )
            for row in now.partner_cash
        ],
        _row(_("Inntekter i alt"), income_now["total"], income_before["total"]),
    ]
    income = Table("inntekter", _("Inntekter etter kilde"), columns, income_rows)
    before_amounts = {row.municipality_id: row.amount for row in before.contributions}
    contributions = Table(
        "kommunebidrag",
        _("Kommunenes bidrag %(year)s") % {"year": year},
        [
            Column("label", gettext_lazy("Kommune")),
            Column("population", gettext_lazy("Innbyggere 1. januar"), INT),
            Column("tier", gettext_lazy("Sats")),
            Column("now", str(year), MONEY),
            Column("before", str(year - 1), MONEY),
        ],
        [
            {
                "label": row.municipality.name,
                "population": row.population,
                "tier": str(row.tier) if row.tier_id else "",
                "now": row.amount,
                "before": before_amounts.get(row.municipality_id),
            }
            for row in now.contributions
        ],
    )
    tables = [income, contributions]
    paragraphs = []
    if grant is not None and grant.index_factor:
        paragraphs.append(
            _("Fylkeskommunens tilskudd er %(amount)s kr (indeksfaktor %(factor)s).")
            % {"amount": _money_words(grant.amount), "factor": str(grant.index_factor).replace(".", ",")}
        )
    budget = now.budget
    if budget is None:
        paragraphs.append(_("Det finnes ikke noe budsjett for %(year)s.") % {"year": year})
    else:
        if budget.status == Budget.Status.APPROVED:
            paragraphs.append(
                _("Utgiftene er fra budsjettet for %(year)s, revisjon %(revision)s, vedtatt av styringsgruppen.")
                % {"year": year, "revision": budget.revision}
            )
        else:
            paragraphs.append(
                _(
                    "Budsjettet for %(year)s er ikke vedtatt ennå (status: %(status)s). Utgiftene er fra revisjon "
                    "%(revision)s slik den står nå; skolenes tildelinger regnes med først når budsjettet er vedtatt."
                )
                % {"year": year, "revision": budget.revision, "status": budget.get_status_display().lower()}
            )
        labels = dict(BudgetLine.Kind.choices)
        # The budget's own sums per line kind (funding.selectors.budget_totals).
        totals = money.budget_totals(budget=budget)
        earlier = money.budget_totals(budget=before.budget) if before.budget is not None else None
        expense_rows = [
            _row(labels[kind], totals.by_kind.get(kind, ZERO), earlier.by_kind.get(kind, ZERO) if earlier else None)
            for kind in BudgetLine.EXPENSE
            if totals.by_kind.get(kind) or (earlier and earlier.by_kind.get(kind))
        ]
        expense_rows.append(_row(_("Utgifter i alt"), totals.expense, earlier.expense if earlier else None))
        tables.append(Table("utgifter", _("Utgifter etter budsjettpost"), columns, expense_rows))
        actual = money.budget_vs_actual(budget=budget)
        actual_rows = [
            {
                "label": str(row.label),
                "budgeted": row.budgeted,
                "committed": row.committed,
                "spent": row.spent,
                "left": row.left,
            }
            for row in [*actual.regions, *actual.areas]
        ]
        tables.append(
            Table(
                "budsjett_mot_regnskap",
                _("Budsjett mot regnskap %(year)s") % {"year": year},
                [
                    Column("label", gettext_lazy("Delregion eller samarbeidsområde")),
                    Column("budgeted", gettext_lazy("Budsjettert"), MONEY),
                    Column("committed", gettext_lazy("Bundet (planlagt)"), MONEY),
                    Column("spent", gettext_lazy("Brukt (gjennomført)"), MONEY),
                    Column("left", gettext_lazy("Igjen"), MONEY),
                ],
                actual_rows,
            )
        )
    categories = dict(PartnerContribution.Category.choices)
    in_kind_rows = [
        {
            "label": row.partner.name,
            "category": str(categories[row.category]),
            "description": row.description,
            "amount": row.amount,
        }
        for row in now.in_kind
    ]
    in_kind_rows.append(
        {"label": _("Naturalytelser i alt"), "category": "", "description": "", "amount": now.in_kind_total}
    )
    tables.append(
        Table(
            "naturalytelser",
            _("Naturalytelser %(year)s, verdsatt") % {"year": year},
            [
                Column("label", gettext_lazy("Samarbeidspart")),
                Column("category", gettext_lazy("Kategori")),
                Column("description", gettext_lazy("Beskrivelse")),
                Column("amount", gettext_lazy("Verdi (kr)"), MONEY),
            ],
            in_kind_rows,
        )
    )
    school_rows = []
    for school in now.schools:
        row = now.school_money.get(school["pk"])
        if row is None:
            continue
        paid_in = row["paid_in"]
        school_rows.append(
            {
                "name": school["name"],
                "paid_in": paid_in.amount,
                "how": paid_in.label,
                # Allocations are money only once the budget is approved (school_money_list).
                "allocation": row["allocation"] if row["budget_revision"] is not None else None,
                "activity_value": row["activity_value"],
            }
        )
    tables.append(
        Table(
            "skolenes_okonomi",
            _("Skolenes økonomi %(year)s") % {"year": year},
            [
                Column("name", gettext_lazy("Skole")),
                Column("paid_in", gettext_lazy("Betaler inn"), MONEY),
                Column("how", gettext_lazy("Merknad")),
                Column("allocation", gettext_lazy("Tildeling i vedtatt budsjett"), MONEY),
                Column("activity_value", gettext_lazy("Verdi av aktiviteter"), MONEY),
            ],
            school_rows,
        )
    )
    paragraphs.append(str(money_figures.COST_SHARING_RULE))
    charts = [Chart("inntekter_diagram", "inntekter", "label", ("now", "before"), include=_not_income_total)]
    return ReportSection(
        "okonomi", _("Økonomien"), paragraphs, tables, charts, {"inntekter_diagram": _("Inntekter etter kilde")}
    )


def _not_income_total(row) -> bool:
    return row.get("label") != _("Inntekter i alt")
