from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    """Two factors for the admin: superusers and central staff confirm their login with a
    one-time code from an authenticator app (TOTP) or a recovery code before they reach
    /admin/. The devices are django-otp's (its otp_totp and otp_static plugins); this app holds
    the pages under /profil/tofaktor/, the services that enrol, verify and remove, and the
    middleware that guards the admin. It has no tables of its own."""

    name = "ungmusikk.two_factor"
    label = "two_factor"
    verbose_name = _("Tofaktorinnlogging")


# django-otp's plugins under Norwegian names in the admin's index (their models keep theirs).
class TotpConfig(AppConfig):
    name = "django_otp.plugins.otp_totp"
    label = "otp_totp"
    verbose_name = _("Tofaktor: autentiseringsapper")
    default_auto_field = "django.db.models.AutoField"


class StaticConfig(AppConfig):
    name = "django_otp.plugins.otp_static"
    label = "otp_static"
    verbose_name = _("Tofaktor: gjenopprettingskoder")
    default_auto_field = "django.db.models.AutoField"
