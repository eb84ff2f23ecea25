"""Refusals with a sentence a person can read."""

from django.http import Http404


class NotFound(Http404):
    """A 404 whose message is written for the person (translated, no internal names): the
    portal's 404 page shows it. Django's own Http404 messages ("No School matches the given
    query.") are for developers and are not shown."""
