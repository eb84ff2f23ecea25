"""The password rules: Django's four validators (settings.AUTH_PASSWORD_VALIDATORS), which
apply wherever a password is set (the reset, changing one's own, the admin's user pages).

Django 5.2 words the minimum-length error with a new message that its Norwegian translation
does not have yet; the portal words it itself, with Norwegian as the source text.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "Passordet er for kort. Det må bestå av minst %(min_length)d tegn.",
            "Passordet er for kort. Det må bestå av minst %(min_length)d tegn.",
            self.min_length,
        ) % {"min_length": self.min_length}
