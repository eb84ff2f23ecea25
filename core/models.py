"""The ground floor's one table: the one-time tokens of forms that create something."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionToken(models.Model):
    """A create form that has been submitted: its one-time token and what it made.

    Written in the same transaction as the object it made, so a token exists exactly when the
    object does; a second submission with the same token finds the row and leads to the
    object instead of making another (see `core.submissions.submit_once`)."""

    token = models.CharField(_("engangsmerke"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    object_type = models.CharField(_("objekttype"), max_length=100, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("sendt"), auto_now_add=True)

    class Meta:
        verbose_name = _("innsendt skjema")
        verbose_name_plural = _("innsendte skjemaer")

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"
