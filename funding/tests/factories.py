from decimal import Decimal

import factory

from funding.models import Budget, BudgetLine


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    year = 2020
    revision = factory.Sequence(lambda n: n + 1)
    status = Budget.Status.DRAFT


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    budget = factory.SubFactory(BudgetFactory)
    kind = BudgetLine.Kind.OTHER_INCOME
    label = factory.Sequence(lambda n: f"Linje {n}")
    amount = Decimal("1000.00")


def costed_activity(
    region,
    cost,
    status="held",
    level="regional",
    host_school=None,
    when=None,
    areas=(4,),
):
    """An activity in `region` starting `when` (default 1 March 2020, Oslo) with one cost line."""
    from datetime import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from activities.tests.factories import ActivityCostFactory, ActivityFactory
    from governance.models import CooperationArea

    when = when or datetime(2020, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    activity = ActivityFactory(
        region=region,
        status=status,
        level=level,
        host_school=host_school,
        starts_at=when,
        ends_at=when,
        areas=list(CooperationArea.objects.filter(number__in=areas)),
    )
    ActivityCostFactory(activity=activity, amount=Decimal(cost))
    return activity
