"""Pseudonymise the pupils past the retention period now (the nightly job's service), or with
--dry-run list what it would do: how many, and their ids (names only with --names)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.privacy import pupil_is_erased, pupils_past_retention, pupils_retention


class Command(BaseCommand):
    help = "Pseudonymiser elever som har passert oppbevaringstiden (--dry-run: vis bare hva som ville skjedd)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Endre ingenting, vis bare antall og elev-id-er.")
        parser.add_argument("--names", action="store_true", help="Vis også navnene (bare med --dry-run).")

    def handle(self, *args, dry_run: bool = False, names: bool = False, **options):
        if dry_run:
            pupils = [p for p in pupils_past_retention() if not pupil_is_erased(p)]
            self.stdout.write(
                ngettext("Ville pseudonymisert %(count)s elev.", "Ville pseudonymisert %(count)s elever.", len(pupils))
                % {"count": len(pupils)}
            )
            for pupil in pupils:
                line = f"{pupil.pk}"
                if names:
                    line += f"\t{pupil.first_name} {pupil.last_name}"
                self.stdout.write(line)
            return
        result = pupils_retention()
        if result.skipped:
            self.stdout.write(_("Hoppet over: en annen kjøring holder låsen."))
            return
        self.stdout.write(
            ngettext(
                "Pseudonymiserte %(count)s elev: %(ids)s", "Pseudonymiserte %(count)s elever: %(ids)s", result.count
            )
            % {"count": result.count, "ids": " ".join(map(str, result.pupil_ids))}
        )
