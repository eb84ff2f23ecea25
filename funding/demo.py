"""The 2019 and 2020 money of the demo network: municipal contributions by tier, the county
grant (2.5 MNOK in 2019, index-regulated for 2020), NMH's cash and in-kind contributions."""

from __future__ import annotations

from datetime import date

from governance.models import Partner
from schools import demo_data as data
from schools.models import County, Membership, Municipality

from .models import MunicipalContribution
from .services import contribution_compute, county_grant_set, partner_contribution_set

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
        memberships = (
            Membership.objects.filter(status__in=Membership.PARTICIPATING, school__kind="kulturskole")
            .valid_on(date(year, 12, 31))
            .values("school__municipality")
        )
        for municipality in Municipality.objects.filter(pk__in=memberships):
            contribution = contribution_compute(municipality=municipality, year=year)
            if year == 2019 and contribution.paid_on is None:
                contribution.invoiced_on, contribution.paid_on = date(2019, 2, 1), date(2019, 3, 1)
                contribution.save(update_fields=["invoiced_on", "paid_on"])
    return {"contributions": MunicipalContribution.objects.count()}
