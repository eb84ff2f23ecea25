"""Writes of the schools app: keyword-only, one transaction each, validated before save.

The `<entity>_set`/`_upsert`/`_create` services build the network (the loader); the
`<entity>_save`/`_delete` services are a person's writes (the admin): each asks the person's
permission (declared in governance/rules.py, since this app knows no people) and records the
change in the audit log (through core.audit)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import AuditAction
from core.services import audited_delete, audited_save, validated_save

from .models import (
    County,
    CountyMembership,
    Enrolment,
    Membership,
    Municipality,
    MunicipalityMerger,
    MunicipalityPopulation,
    Pupil,
    Region,
    School,
)


@transaction.atomic
def county_upsert(*, number: str, valid_from: date, name: str, valid_to: date | None = None) -> County:
    county = County.objects.filter(number=number, valid_from=valid_from).first() or County()
    return validated_save(county, number=number, valid_from=valid_from, name=name, valid_to=valid_to)


@transaction.atomic
def region_upsert(*, slug: str, name: str, valid_from: date, valid_to: date | None = None) -> Region:
    region = Region.objects.filter(slug=slug).first() or Region()
    return validated_save(region, slug=slug, name=name, valid_from=valid_from, valid_to=valid_to)


@transaction.atomic
def municipality_upsert(
    *,
    number: str,
    name: str,
    latitude: Decimal,
    longitude: Decimal,
    valid_from: date,
    valid_to: date | None = None,
    populations: dict[int, int] | None = None,
    counties: Iterable[tuple[County, date, date | None]] = (),
) -> Municipality:
    """Create or update a municipality with its population table and county memberships."""
    municipality = Municipality.objects.filter(number=number).first() or Municipality()
    validated_save(
        municipality,
        number=number,
        name=name,
        latitude=latitude,
        longitude=longitude,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    for year, population in (populations or {}).items():
        municipality_population_set(municipality=municipality, year=year, population=population)
    for county, start, end in counties:
        membership = CountyMembership.objects.filter(municipality=municipality, county=county).first()
        validated_save(
            membership or CountyMembership(), municipality=municipality, county=county, valid_from=start, valid_to=end
        )
    return municipality


@transaction.atomic
def municipality_population_set(*, municipality: Municipality, year: int, population: int) -> MunicipalityPopulation:
    if population is None or population < 0:
        raise ValidationError({"population": _("Folketallet kan ikke være negativt.")})
    row = MunicipalityPopulation.objects.filter(municipality=municipality, year=year).first()
    return validated_save(row or MunicipalityPopulation(), municipality=municipality, year=year, population=population)


@transaction.atomic
def municipality_merge(
    *, day: date, predecessors: Iterable[Municipality], successor: Municipality
) -> MunicipalityMerger:
    """Record that `predecessors` became `successor` on `day` (a renumbering is a merger of one).
    The predecessors' validity ends the day before."""
    predecessors = list(predecessors)
    if not predecessors:
        raise ValidationError({"predecessors": _("Velg minst én tidligere kommune.")})
    if successor in predecessors:
        raise ValidationError({"predecessors": _("En kommune kan ikke slås sammen med seg selv.")})
    if successor.valid_from != day:
        raise ValidationError({"successor": _("Den nye kommunen må være gyldig fra sammenslåingsdatoen.")})
    for predecessor in predecessors:
        if predecessor.valid_to is None or predecessor.valid_to >= day:
            raise ValidationError(
                {"predecessors": _("%(name)s må ha sluttdato før sammenslåingen.") % {"name": predecessor.name}}
            )
    merger, _created = MunicipalityMerger.objects.get_or_create(successor=successor, date=day)
    merger.predecessors.set(predecessors)
    return merger


@transaction.atomic
def school_upsert(
    *,
    slug: str,
    name: str,
    kind: str,
    municipality: Municipality,
    region: Region,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> School:
    school = School.objects.filter(slug=slug).first() or School()
    return validated_save(
        school,
        slug=slug,
        name=name,
        kind=kind,
        municipality=municipality,
        region=region,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
    )


@transaction.atomic
def membership_set(
    *, school: School, status: str, valid_from: date, valid_to: date | None = None, note: str = ""
) -> Membership:
    """Create (or update, when one starts the same day) a membership period. Periods of one
    school may not overlap: the school row is locked so two saves can't both pass the check."""
    School.objects.select_for_update().get(pk=school.pk)
    membership = Membership.objects.filter(school=school, valid_from=valid_from).first() or Membership()
    return validated_save(membership, school=school, status=status, valid_from=valid_from, valid_to=valid_to, note=note)


@transaction.atomic
def enrolment_set(*, school: School, school_year: int, pupils: int) -> Enrolment:
    if pupils is None or pupils < 0:
        raise ValidationError({"pupils": _("Elevtallet kan ikke være negativt.")})
    enrolment = Enrolment.objects.filter(school=school, school_year=school_year).first() or Enrolment()
    return validated_save(enrolment, school=school, school_year=school_year, pupils=pupils)


@transaction.atomic
def pupil_create(
    *, first_name: str, last_name: str, birth_year: int, main_instrument: str, schools: Iterable[School]
) -> Pupil:
    schools = list(schools)
    if not schools:
        raise ValidationError({"schools": _("En elev må gå på minst én skole.")})
    pupil = validated_save(
        Pupil(), first_name=first_name, last_name=last_name, birth_year=birth_year, main_instrument=main_instrument
    )
    pupil.schools.set(schools)
    return pupil


@transaction.atomic
def municipality_population_save(*, population: MunicipalityPopulation, user) -> MunicipalityPopulation:
    """A municipality's population for a year, as a person entered it (the contributions are
    computed from it)."""
    return audited_save(
        population, user=user, created=AuditAction.POPULATION_CREATE, updated=AuditAction.POPULATION_UPDATE
    )


@transaction.atomic
def school_save(*, school: School, user) -> School:
    """A school's own data (name, kind, municipality, region, contact), as a person entered it."""
    return audited_save(school, user=user, created=AuditAction.SCHOOL_CREATE, updated=AuditAction.SCHOOL_UPDATE)


@transaction.atomic
def membership_save(*, membership: Membership, user) -> Membership:
    """A membership period as a person entered it. Periods of one school may not overlap: the
    school row is locked, as in membership_set, so two saves can't both pass the check."""
    School.objects.select_for_update().filter(pk=membership.school_id).first()
    return audited_save(
        membership, user=user, created=AuditAction.MEMBERSHIP_CREATE, updated=AuditAction.MEMBERSHIP_UPDATE
    )


@transaction.atomic
def membership_delete(*, membership: Membership, user) -> None:
    audited_delete(membership, user=user, action=AuditAction.MEMBERSHIP_DELETE)


@transaction.atomic
def enrolment_save(*, enrolment: Enrolment, user) -> Enrolment:
    """A school's enrolment for a school year, as a person entered it."""
    return audited_save(
        enrolment, user=user, created=AuditAction.ENROLMENT_CREATE, updated=AuditAction.ENROLMENT_UPDATE
    )


@transaction.atomic
def enrolment_delete(*, enrolment: Enrolment, user) -> None:
    audited_delete(enrolment, user=user, action=AuditAction.ENROLMENT_DELETE)


@transaction.atomic
def pupil_save(*, pupil: Pupil, user, schools: Iterable[School]) -> Pupil:
    """A pupil's record as a person entered it (the admin; a new pupil also from the import's
    preview, by the rector or coordinator of its school): at least one school; audited (the log then
    holds the pupil's name, and is read by those who may see pupils' names)."""
    schools = list(schools)
    if not schools:
        raise ValidationError({"schools": _("En elev må gå på minst én skole.")})
    # The add rule (governance.rules, schools.add_pupil) reads the schools a new pupil is
    # registered at: their rectors and coordinators may register pupils there.
    pupil.registering_at = schools
    return audited_save(
        pupil,
        user=user,
        created=AuditAction.PUPIL_CREATE,
        updated=AuditAction.PUPIL_UPDATE,
        m2m={"schools": schools},
    )
