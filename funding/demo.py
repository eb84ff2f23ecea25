"""The 2019 and 2020 money of the demo network: municipal contributions by tier, the county
grant (2.5 MNOK in 2019, index-regulated for 2020), NMH's cash and in-kind contributions, and
the 2020 budget drafted from them and submitted by the daily leader (`leder`), waiting for
the steering group."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from governance.models import Partner
from schools import demo_data as data
from schools.models import County

from .models import Budget, MunicipalContribution
from .selectors import municipality_list_paying
from .services import (
    budget_assumptions_ensure,
    budget_draft,
    budget_submit,
    contribution_compute,
    county_grant_set,
    partner_contribution_set,
)

YEARS = (2019, 2020)


def load_funding() -> dict[str, int]:
    akershus = County.objects.get(number="02")
    viken = County.objects.get(number="30")
    county_grant_set(year=2019, county=akershus, amount=data.COUNTY_GRANT[2019]["amount"])
    county_grant_set(
        year=2020,
        county=viken,
        index_factor=data.COUNTY_GRANT[2020]["index_factor"],
        reason="Videreført og indeksregulert (kommunal deflator 2020)",
    )
    nmh = Partner.objects.get(kind=Partner.Kind.NMH)
    for year, amount in data.NMH["cash_per_year"].items():
        partner_contribution_set(partner=nmh, year=year, category="cash", amount=amount, description="Budsjettert")
    for category, description, amount in data.NMH["in_kind_2020"]:
        partner_contribution_set(partner=nmh, year=2020, category=category, amount=amount, description=description)

    # Every municipality with a member or pilot culture school during the year pays that year.
    # (Upper-secondary schools and folk high schools take part through the county grant.)
    for year in YEARS:
        for municipality in municipality_list_paying(year=year):
            contribution = contribution_compute(municipality=municipality, year=year)
            if year == 2019 and contribution.paid_on is None:
                contribution.invoiced_on, contribution.paid_on = date(2019, 2, 1), date(2019, 3, 1)
                contribution.save(update_fields=["invoiced_on", "paid_on"])
    load_budget()
    return {"contributions": MunicipalContribution.objects.count(), "budgets": Budget.objects.count()}


def load_budget() -> Budget:
    """The 2020 budget as the daily leader lays it before the steering group: drafted from the
    formula and the assumptions (one 100 % position split 70/30, 25 % per region coordinator)
    and submitted. Left alone when a 2020 budget exists, so a second run changes nothing."""
    budget = Budget.objects.filter(year=2020).order_by("revision").first()
    if budget is not None:
        return budget
    budget_assumptions_ensure(year=2020, defaults={"county_index_factor": data.COUNTY_GRANT[2020]["index_factor"]})
    leder = get_user_model().objects.get(username="leder")
    budget = budget_draft(year=2020, user=leder)
    return budget_submit(budget=budget, user=leder)
