"""The municipality sheet's figures (kommuneark, issue 16): what one member or pilot
municipality paid into the network in a calendar year and what it got back, on one page for
its council. The same read path and the same rules as the annual report (figures.py): money
of the calendar year, participation of the same calendar year from the summary tables, ages
on 1 October of the year (schools.ages), named-pupil counts from 1 to 4 as «<5».

- paid: the municipality's contribution of the year (funding.MunicipalContribution), with the
  population and tier it was computed from;
- its schools: those in the municipality that were members or pilots some day of the year;
- value received: their allocations in the budget in force for the year plus the value of the
  activities they took part in (funding.figures.COST_SHARING_RULE, the money rollup);
- per pupil: value received / the schools' enrolment (GSI, 1 October of the year); the
  network's average the same over every member and pilot school.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities import figures as participation
from core.formatting import money_text, number_text
from core.privacy import is_suppressed
from core.rollups import rollup_last_success_by_kind
from funding import figures as money_figures
from funding import selectors as money
from schools.ages import AGE_BANDS
from schools.models import Enrolment, Membership, Municipality
from schools.selectors import population_of, school_list_in_period
from ungmusikk.dashboards.tables import INT, Column, Table

from .period import figures_latest_as_of, named_shown
from .shapes import MunicipalitySheet

ZERO = Decimal("0")
KRONE = Decimal("1")


def sheet_municipalities(*, year: int) -> QuerySet[Municipality]:
    """The municipalities with a member or pilot school some day of the calendar year, by name."""
    ids = {
        school["municipality_id"] for school in school_list_in_period(start=date(year, 1, 1), end=date(year + 1, 1, 1))
    }
    return Municipality.objects.filter(pk__in=ids).order_by("name", "number")


def per_pupil(value: Decimal, pupils: int) -> Decimal | None:
    """value / pupils in whole kroner (half up), None without pupils."""
    if not pupils:
        return None
    return (value / pupils).quantize(KRONE, rounding=ROUND_HALF_UP)


def municipality_sheet(*, municipality: Municipality, year: int) -> MunicipalitySheet:
    """The sheet of `municipality` for the calendar year `year` (shapes.MunicipalitySheet).
    A municipality without a member or pilot school in the year has a sheet of zeros (the
    views offer only those with one). A fixed number of queries."""
    finished = rollup_last_success_by_kind()
    participation.enrolment_figures_ensure(finished=finished)
    money_figures.money_figures_ensure(finished=finished)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    network = school_list_in_period(start=start, end=end)
    schools = [school for school in network if school["municipality_id"] == municipality.pk]
    ids = [school["pk"] for school in schools]
    statuses = {school["status"] for school in schools}
    status = Membership.Status.MEMBER if Membership.Status.MEMBER in statuses else Membership.Status.PILOT
    contribution = money.municipal_contribution_list(year=year).filter(municipality=municipality).first()
    enrolment_all = dict(
        Enrolment.objects.filter(school_year=year, school_id__in=[s["pk"] for s in network]).values_list(
            "school_id", "pupils"
        )
    )
    enrolment = sum(enrolment_all.get(pk, 0) for pk in ids)

    # The same cells hidden as in the annual report of the calendar year (figures.named_shown).
    named = named_shown(schools=network, named=participation.school_pupils_by_age_band(calendar_year=True, year=year))
    named_total = named.municipalities.get(municipality.pk, 0)

    took_part = participation.school_participation_in_period(start=start, end=end)
    participations = sum(took_part.get(pk, {}).get("pupils", 0) for pk in ids)
    activities = sum(took_part.get(pk, {}).get("activities", 0) for pk in ids)
    held = sum(
        cell["activities"]
        for cell in participation.network_activity_cells(start=start, end=end)
        if cell["municipality_id"] == municipality.pk
    )

    school_money = {row["pk"]: row for row in money_figures.school_money_list(year=year)}
    # Allocations count once the year's budget is approved (school_money_list reads that one).
    approved = money.budget_in_force(year=year) is not None
    allocations = sum((school_money[pk]["allocation"] for pk in ids if pk in school_money), ZERO) if approved else None
    activity_value = sum((school_money[pk]["activity_value"] for pk in ids if pk in school_money), ZERO)
    value_received = (allocations or ZERO) + activity_value
    network_value = sum(
        (
            school_money[s["pk"]]["allocation"] + school_money[s["pk"]]["activity_value"]
            for s in network
            if s["pk"] in school_money
        ),
        ZERO,
    )
    network_pupils = sum(enrolment_all.values())

    by_area = participation.schools_participation_by_area(school_ids=ids, start=start, end=end)
    by_kind = participation.schools_participation_by_kind(school_ids=ids, start=start, end=end)
    tables = [
        Table(
            "omraader",
            _("Deltakelse per samarbeidsområde"),
            [
                Column("name", gettext_lazy("Samarbeidsområde")),
                Column("activities", gettext_lazy("Aktiviteter"), INT),
                Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
            ],
            by_area,
        ),
        Table(
            "typer",
            _("Deltakelse per type"),
            [
                Column("name", gettext_lazy("Type")),
                Column("activities", gettext_lazy("Aktiviteter"), INT),
                Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
            ],
            by_kind,
        ),
        Table(
            "alder",
            _("Navngitte elever etter alder"),
            [Column("name", gettext_lazy("Alder")), Column("pupils", gettext_lazy("Elever"), INT)],
            [
                {"name": str(label), "pupils": named.municipality_bands.get((municipality.pk, key), 0)}
                for key, label in AGE_BANDS
            ]
            + [{"name": _("I alt"), "pupils": named_total}],
        ),
    ]
    sheet = MunicipalitySheet(
        municipality_name=municipality.name,
        municipality_number=municipality.number,
        year=year,
        status=str(Membership.Status(status).label) if schools else "",
        figures_as_of=figures_latest_as_of(finished=finished),
        population=contribution.population if contribution else population_of(municipality=municipality, year=year),
        tier=str(contribution.tier) if contribution and contribution.tier_id else "",
        paid=contribution.amount if contribution else None,
        schools=[school["name"] for school in schools],
        enrolment=enrolment,
        pupils_taking_part=named_total,
        participations=participations,
        activities=activities,
        activities_held=held,
        allocations=allocations,
        activity_value=activity_value,
        value_received=value_received,
        per_pupil=per_pupil(value_received, enrolment),
        network_per_pupil=per_pupil(network_value, network_pupils),
        tables=tables,
    )
    sheet.sentences = sheet_sentences(sheet, by_area=by_area, approved_budget=approved)
    return sheet


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def sheet_sentences(sheet: MunicipalitySheet, *, by_area: list[dict], approved_budget: bool = True) -> list[str]:
    """Two or three sentences from the sheet's figures, for the council: what it paid and got,
    who took part and where most, and the value per pupil against the network's average.
    Without an approved budget for the year, the allocations are not counted as received."""
    values = {
        "name": sheet.municipality_name,
        "paid": money_text(sheet.paid),
        "value": money_text(sheet.value_received.quantize(KRONE, rounding=ROUND_HALF_UP)),
        "year": sheet.year,
    }
    if sheet.paid is not None:
        first = (
            _("%(name)s betalte %(paid)s og fikk aktiviteter og tildelinger verdt %(value)s i %(year)s.")
            if approved_budget
            else _("%(name)s betalte %(paid)s og fikk aktiviteter verdt %(value)s i %(year)s.")
        )
    else:
        first = (
            _("Skolene i %(name)s fikk aktiviteter og tildelinger verdt %(value)s i %(year)s.")
            if approved_budget
            else _("Skolene i %(name)s fikk aktiviteter verdt %(value)s i %(year)s.")
        )
    sentences = [first % values]
    named = sheet.pupils_taking_part
    activities = ngettext("%(count)s aktivitet", "%(count)s aktiviteter", sheet.activities) % {
        "count": number_text(sheet.activities)
    }
    if is_suppressed(named):
        who = _("Færre enn 5 navngitte elever deltok i %(activities)s") % {"activities": activities}
    elif named:
        who = _("%(pupils)s navngitte elever deltok i %(activities)s") % {
            "pupils": number_text(named),
            "activities": activities,
        }
    else:
        who = ngettext(
            "Skolen deltok i %(activities)s med %(participations)s elevdeltakelser",
            "Skolene deltok i %(activities)s med %(participations)s elevdeltakelser",
            len(sheet.schools),
        ) % {"activities": activities, "participations": number_text(sheet.participations)}
    top = max(by_area, key=lambda row: (row["pupils"], row["activities"]), default=None)
    if top is not None and top["pupils"]:  # «flest innen» speaks of pupils
        area = _lower_first(top["name"].split(". ", 1)[-1])
        who = _("%(who)s, flest innen %(area)s.") % {"who": who, "area": area}
    else:
        who = f"{who}."
    sentences.append(who)
    if sheet.per_pupil is not None and sheet.network_per_pupil is not None:
        sentences.append(
            _("Det tilsvarer %(per_pupil)s per elev i musikk; snittet i nettverket er %(average)s.")
            % {"per_pupil": money_text(sheet.per_pupil), "average": money_text(sheet.network_per_pupil)}
        )
    return sentences
