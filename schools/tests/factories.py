from datetime import date
from decimal import Decimal

import factory

from schools.models import County, Enrolment, Membership, Municipality, MunicipalityPopulation, Pupil, Region, School


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    name = "Viken"
    number = factory.Sequence(lambda n: f"{30 + n % 60:02d}")
    valid_from = date(2020, 1, 1)
    valid_to = None


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")
    valid_from = date(2013, 1, 1)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    number = factory.Sequence(lambda n: f"{n % 10000:04d}")  # max_length 4, enforced by PostgreSQL
    name = factory.Sequence(lambda n: f"Kommune {n}")
    latitude = Decimal("59.70000")
    longitude = Decimal("10.80000")
    valid_from = date(2020, 1, 1)


class PopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityPopulation

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2020
    population = 20_000


class SchoolFactory(factory.django.DjangoModelFactory):
    """A culture school; give `membership=None` for a school with no membership, or a
    status to make one valid from 2013."""

    class Meta:
        model = School
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Skole {n}")
    slug = factory.Sequence(lambda n: f"skole-{n}")
    kind = School.Kind.KULTURSKOLE
    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.SubFactory(RegionFactory)

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        status = Membership.Status.MEMBER if extracted is None else extracted
        if create and status:
            Membership.objects.create(school=self, status=status, valid_from=date(2013, 1, 1))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    school = factory.SubFactory(SchoolFactory)
    school_year = 2019
    pupils = 500


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Elev{n}")
    last_name = "Hansen"
    birth_year = 2005
    main_instrument = "Fiolin"

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.set(extracted)
