"""Builds the real 2020 network (schools/demo_data.py) through the schools services.
Idempotent: running it twice gives the same database."""

from __future__ import annotations

from decimal import Decimal

from . import demo_data as data
from .models import County, Municipality, Region, School
from .services import (
    county_upsert,
    enrolment_set,
    membership_set,
    municipality_merge,
    municipality_upsert,
    region_upsert,
    school_upsert,
)


def _school_year(label: str) -> int:
    return int(label.split("/")[0])


def load_network() -> dict[str, int]:
    for row in data.COUNTIES:
        county_upsert(**row)
    counties = {c.number: c for c in County.objects.all()}
    for row in data.REGIONS:
        region_upsert(**row)
    for row in data.MUNICIPALITIES:
        municipality_upsert(
            number=row["number"],
            name=row["name"],
            latitude=Decimal(str(row["lat"])),
            longitude=Decimal(str(row["lon"])),
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
            populations=row["population"],
            counties=[(counties[number], start, end) for number, start, end in row["counties"]],
        )
    municipalities = {m.number: m for m in Municipality.objects.all()}
    for merger in data.MERGERS:
        municipality_merge(
            day=merger["date"],
            predecessors=[municipalities[number] for number in merger["predecessors"]],
            successor=municipalities[merger["successor"]],
        )
    regions = {r.slug: r for r in Region.objects.all()}
    for row in [*data.SCHOOLS, *data.INTERESTED_SCHOOLS]:
        school = school_upsert(
            slug=row["slug"],
            name=row["name"],
            kind=row["kind"],
            municipality=municipalities[row["municipality"]],
            region=regions[row["region"]],
            contact_name=row["contact_name"],
            contact_email=row["contact_email"],
        )
        for status, valid_from, valid_to in row["memberships"]:
            membership_set(school=school, status=status, valid_from=valid_from, valid_to=valid_to)
        for label, pupils in row["enrolment"].items():
            enrolment_set(school=school, school_year=_school_year(label), pupils=pupils)
    return {
        "counties": County.objects.count(),
        "regions": Region.objects.count(),
        "municipalities": Municipality.objects.count(),
        "schools": School.objects.count(),
    }
