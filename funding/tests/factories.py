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
