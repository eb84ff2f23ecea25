"""Send the rectors' weekly digest and the coordinators' reminders about missing participation
figures now (what Celery beat runs on Mondays at 07:00 and daily at 07:30), or with --dry-run
list who would get what. Either way, what was sent already this week (the digest) or at this
step (7 or 21 days) is not sent again (activities.reminders)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from activities.reminders import digests_send, figure_reminders_send

KINDS = ("digest", "reminders")


class Command(BaseCommand):
    help = "Send ukeoversikten til rektorer og påminnelser om deltakertall (--dry-run: vis bare mottakerne)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Send og lagre ingenting, vis bare mottakerne.")
        parser.add_argument(
            "--only", choices=KINDS, help="Bare ukeoversikten (digest) eller bare påminnelsene (reminders)."
        )

    def handle(self, *args, dry_run: bool = False, only: str | None = None, **options):
        runs = []
        if only in (None, "digest"):
            runs.append((_("Ukeoversikt"), digests_send))
        if only in (None, "reminders"):
            runs.append((_("Påminnelser om deltakertall"), figure_reminders_send))
        for label, send in runs:
            result = send(dry_run=dry_run)
            if dry_run:
                self.stdout.write(
                    _("%(label)s: ville sendt %(count)s e-poster.") % {"label": label, "count": len(result.planned)}
                )
                for planned in result.planned:
                    self.stdout.write(f"  {planned.recipient.email}\t{len(planned.rows)}")
            else:
                self.stdout.write(_("%(label)s: sendte %(count)s e-poster.") % {"label": label, "count": result.sent})
