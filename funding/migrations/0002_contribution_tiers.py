"""The municipal contribution tiers of the agreement (the 2020 report, section 2):
up to 14,999 inhabitants NOK 60,000; 15,000–49,999 NOK 80,000; 50,000 or more NOK 100,000."""

from datetime import date
from decimal import Decimal

from django.db import migrations

TIERS_FROM = date(2013, 1, 1)
TIERS = [(0, 15_000, Decimal("60000")), (15_000, 50_000, Decimal("80000")), (50_000, None, Decimal("100000"))]


def load_tiers(apps, schema_editor):
    ContributionTier = apps.get_model("funding", "ContributionTier")
    for low, below, amount in TIERS:
        ContributionTier.objects.update_or_create(
            valid_from=TIERS_FROM,
            min_population=low,
            defaults={"max_population_below": below, "amount": amount, "valid_to": None},
        )


def unload_tiers(apps, schema_editor):
    ContributionTier = apps.get_model("funding", "ContributionTier")
    ContributionTier.objects.filter(valid_from=TIERS_FROM, contributions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [migrations.RunPython(load_tiers, unload_tiers)]
