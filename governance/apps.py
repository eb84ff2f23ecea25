from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Styring")

    def ready(self) -> None:
        from core.audit import audit_writer_set

        from . import security  # noqa: F401 - connects the log of failed logins and lockouts
        from .models import Person, Profile
        from .presentation import register_audit_fields
        from .services import audit_record

        # The apps below governance (schools) write to the audit log through core.audit.
        audit_writer_set(audit_record)
        # A person's entries (a linked Feide account) name their profile's fields.
        register_audit_fields(Person._meta.label_lower, {}, also=(Profile,))
