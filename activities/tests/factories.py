from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from activities.models import Activity, ActivityCost, Participation, Venue
from schools.tests.factories import MunicipalityFactory, RegionFactory, SchoolFactory

OSLO = ZoneInfo("Europe/Oslo")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Arena {n}")
    municipality = factory.SubFactory(MunicipalityFactory)
    latitude = Decimal("59.94490")
    longitude = Decimal("10.71640")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Mesterklasse {n}")
    kind = Activity.Kind.MASTERCLASS
    level = Activity.Level.CENTRAL
    region = factory.SubFactory(RegionFactory)
    starts_at = datetime(2019, 10, 12, 10, 0, tzinfo=OSLO)
    ends_at = datetime(2019, 10, 12, 15, 0, tzinfo=OSLO)
    status = Activity.Status.HELD

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.cooperation_areas.set(extracted)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation
        skip_postgeneration_save = True

    activity = factory.SubFactory(ActivityFactory)
    school = factory.SubFactory(SchoolFactory)
    pupils = 4
    teachers = 1


class ActivityCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityCost

    activity = factory.SubFactory(ActivityFactory)
    category = ActivityCost.Category.FEES
    amount = Decimal("10000.00")
