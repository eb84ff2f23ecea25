"""Loads the real 2020 UngMusikk network as demo data, through each app's services.
Idempotent: running it twice gives the same database."""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.demo import load_activities
from core.enqueue import enqueues_paused
from funding.demo import load_funding
from governance.demo import load_governance
from schools.demo import load_network
from schools.models import School


class Command(BaseCommand):
    help = "Laster UngMusikk-nettverket slik det var i 2020, med demo-innlogging for hver rolle."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Kjør selv om DEBUG er av (produksjon).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Hopp over lastingen når nettverket allerede finnes."
        )

    def handle(self, *args, force=False, if_empty=False, verbosity=1, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo lager demo-brukere med kjent passord; DEBUG er av. Bruk --force om du mener det."
            )
        password = os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT
        started = time.monotonic()
        if if_empty and School.objects.exists():
            self.stdout.write("Demonettverket finnes allerede; hopper over lastingen.")
            from governance.models import Role

            logins = sorted({(r.user.username, r.get_kind_display()) for r in Role.objects.select_related("user")})
        else:
            # A bulk load: its rows are marked for the incremental rollup, which the nightly run
            # (or `manage.py rollup`, or the first save after it) takes up; none is enqueued.
            with transaction.atomic(), enqueues_paused():
                counts = load_network()
                logins = load_governance(password=password)
                counts |= load_activities()
                counts |= load_funding()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demonettverket er lastet på {time.monotonic() - started:.1f} s: "
                    + ", ".join(f"{k}={v}" for k, v in counts.items())
                )
            )
        if verbosity == 0:
            return
        self.stdout.write(
            "\nDemo-innlogginger (passord: %s):"
            % (password if password == settings.DEMO_PASSWORD_DEFAULT else "fra DEMO_PASSWORD")
        )
        for username, role in logins:
            self.stdout.write(f"  {username:<45} {role}")
        self.stdout.write("\nPortalen: http://127.0.0.1:8000/   Administrasjon: http://127.0.0.1:8000/admin/")
