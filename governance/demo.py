"""Builds the network's governance for the demo: partners, the agreements, the bodies and
a demo login for every role. Idempotent."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from schools.models import County, Membership, Municipality, Region, School

from .models import Body, CooperationArea, Partner, Role
from .services import agreement_upsert, body_upsert, partner_upsert, role_assign, user_upsert

NMH_NAME = "Norges musikkhøgskole"
START = date(2013, 1, 1)
VIKEN_START = date(2020, 1, 1)
REGION_COORDINATORS = {
    "follo": ("koord-follo", "Kari", "Follo-koordinator"),
    "romerike": ("koord-romerike", "Per", "Romerike-koordinator"),
    "vest": ("koord-vest", "Lise", "Vest-koordinator"),
    "ostfold": ("koord-ostfold", "Anders", "Østfold-koordinator"),
    "midtregionen": ("koord-midtregionen", "Mona", "Midtregion-koordinator"),
}
# Reference groups exist in three regions on 1 January 2020 (the report, section 3).
REFERENCE_GROUP_REGIONS = {"follo": date(2014, 1, 1), "romerike": date(2019, 8, 1), "vest": date(2019, 8, 1)}


def load_governance(*, password: str) -> list[tuple[str, str]]:
    """Partners, agreements, bodies and demo users. Returns (username, role) pairs."""
    viken = County.objects.get(number="30")
    akershus = County.objects.get(number="02")
    nmh = partner_upsert(name=NMH_NAME, kind=Partner.Kind.NMH)
    viken_partner = partner_upsert(name="Viken fylkeskommune", kind=Partner.Kind.COUNTY, county=viken)
    akershus_partner = partner_upsert(name="Akershus fylkeskommune", kind=Partner.Kind.COUNTY, county=akershus)
    municipality_partners = {}
    schools = School.objects.select_related("municipality").order_by("name")
    participating = schools.filter(memberships__status__in=Membership.PARTICIPATING).distinct()
    for school in participating.filter(kind=School.Kind.KULTURSKOLE):
        municipality: Municipality = school.municipality
        municipality_partners[municipality.pk] = partner_upsert(
            name=f"{municipality.name} kommune", kind=Partner.Kind.MUNICIPALITY, municipality=municipality
        )

    areas = list(CooperationArea.objects.all())
    follo_partners = [p for p in municipality_partners.values() if p.municipality.schools.filter(region__slug="follo")]
    agreement_upsert(
        title="Follo-piloten",
        valid_from=date(2013, 1, 1),
        valid_to=date(2017, 12, 31),
        partners=[nmh, *follo_partners],
        areas=[a for a in areas if a.since_year <= 2013],
        signed_on=date(2013, 6, 1),
    )
    agreement_upsert(
        title="UngMusikk",
        valid_from=date(2018, 1, 1),
        valid_to=date(2022, 12, 31),
        partners=[nmh, akershus_partner, viken_partner, *municipality_partners.values()],
        areas=areas,
        signed_on=date(2018, 1, 15),
    )

    steering = body_upsert(name="Styringsgruppen", kind=Body.Kind.STEERING_GROUP, established=date(2013, 1, 1))
    committee = body_upsert(name="Arbeidsutvalget", kind=Body.Kind.WORKING_COMMITTEE, established=date(2019, 8, 1))
    regions = {r.slug: r for r in Region.objects.all()}
    reference_groups = {
        slug: body_upsert(
            name=f"Referansegruppe {regions[slug].name}",
            kind=Body.Kind.REFERENCE_GROUP,
            region=regions[slug],
            established=established,
        )
        for slug, established in REFERENCE_GROUP_REGIONS.items()
    }

    # No groups: what each person may do in the portal and its admin follows from their roles
    # (the permissions' rules); `staff` only lets them log in to the admin.
    # One hash for every demo login: hashing is slow on purpose, and the password is shared.
    existing = get_user_model().objects.filter(username="admin").first()
    password_hash = existing.password if existing and existing.check_password(password) else make_password(password)
    logins: list[tuple[str, str]] = []

    def user(username, first, last, *, staff=False, superuser=False):
        return user_upsert(
            username=username,
            password_hash=password_hash,
            first_name=first,
            last_name=last,
            email=f"{username}@ungmusikk.example",
            is_staff=staff,
            is_superuser=superuser,
        )

    user("admin", "Admin", "UngMusikk", superuser=True)
    logins.append(("admin", "superbruker"))

    leder = user("leder", "Kari", "Solheim", staff=True)
    role_assign(user=leder, kind=Role.Kind.DAILY_LEADER, valid_from=START)
    role_assign(user=leder, kind=Role.Kind.CASE_PREPARER, body=steering, valid_from=START)
    role_assign(user=leder, kind=Role.Kind.LEADER, body=committee, valid_from=date(2019, 8, 1))
    logins.append(("leder", "daglig leder"))

    nmh_user = user("nmh", "Bjørg", "Bjøntegaard", staff=True)
    role_assign(user=nmh_user, kind=Role.Kind.NMH_COORDINATOR, partner=nmh, valid_from=START)
    role_assign(user=nmh_user, kind=Role.Kind.CASE_PREPARER, body=steering, partner=nmh, valid_from=START)
    role_assign(user=nmh_user, kind=Role.Kind.MEMBER, body=committee, partner=nmh, valid_from=date(2019, 8, 1))
    logins.append(("nmh", "koordinator for NMH"))

    chair = user("styreleder", "Alexander", "Krohg Plur", staff=True)
    role_assign(user=chair, kind=Role.Kind.LEADER, body=steering, valid_from=START)
    logins.append(("styreleder", "leder av styringsgruppen (hovedansvarlig)"))

    styre = user("styre", "Sigrid", "Styremedlem", staff=True)
    role_assign(user=styre, kind=Role.Kind.MEMBER, body=steering, partner=viken_partner, valid_from=VIKEN_START)
    logins.append(("styre", "medlem av styringsgruppen"))

    # The access manager grants the others' roles and holds no other (governance/duties.py).
    keeper = user("tilgang", "Tone", "Tilgangsforvalter", staff=True)
    role_assign(user=keeper, kind=Role.Kind.ACCESS_MANAGER, valid_from=START)
    logins.append(("tilgang", "tilgangsforvalter (gir og avslutter roller)"))

    for slug, (username, first, last) in REGION_COORDINATORS.items():
        region = regions[slug]
        coordinator = user(username, first, last)
        role_assign(user=coordinator, kind=Role.Kind.COORDINATOR, region=region, valid_from=region.valid_from)
        role_assign(
            user=coordinator,
            kind=Role.Kind.MEMBER,
            body=committee,
            valid_from=max(region.valid_from, committee.established),
        )
        if slug in reference_groups:
            role_assign(
                user=coordinator,
                kind=Role.Kind.LEADER,
                body=reference_groups[slug],
                valid_from=reference_groups[slug].established,
            )
        logins.append((username, f"koordinator, {region.name}"))

    for school in schools:
        first_membership = school.memberships.order_by("valid_from").first()
        since = first_membership.valid_from if first_membership else VIKEN_START
        names = (school.contact_name or f"Rektor {school.name}").rsplit(" ", 1)
        rector = user(f"rektor-{school.slug}", names[0], names[1] if len(names) > 1 else "")
        role_assign(user=rector, kind=Role.Kind.RECTOR, school=school, valid_from=since)
        takes_part = first_membership and first_membership.status in Membership.PARTICIPATING
        if takes_part and school.region.slug in reference_groups:
            role_assign(
                user=rector,
                kind=Role.Kind.MEMBER,
                body=reference_groups[school.region.slug],
                valid_from=max(since, reference_groups[school.region.slug].established),
            )
        logins.append((f"rektor-{school.slug}", f"rektor, {school.name}"))
    return logins
