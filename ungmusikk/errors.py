"""The portal's error pages: 400, 403 (and the CSRF refusal), 404 in the portal's layout with
its menu, and a 500 page that needs nothing but the template (it renders when the database is
down). Each says what happened in a sentence and links onward, in the visitor's language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token

from core.http import NotFound


def _page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    response = TemplateResponse(request, template, context, status=status).render()
    response.portal_page = True
    return response


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: our PermissionDenied messages are written for people; an empty one gets the
    page's general sentence."""
    message = exception.args[0] if isinstance(exception, PermissionDenied) and exception.args else ""
    return _page(request, "403.html", 403, message=message if isinstance(message, str) else "")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception.args[0]) if isinstance(exception, NotFound) and exception.args else ""
    return _page(request, "404.html", 404, message=message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (opened long ago, in another tab, or with
    cookies off): nothing was saved, and the page says how to go on."""
    return _page(request, "403_csrf.html", 403)


class ErrorPages:
    """The portal's pages where Django would answer otherwise:

    - a link to a button's address (logging out, a budget's "Vedta"): Django's 405 is empty
      and the browser shows its own English error page;
    - a page not found while DEBUG is on (the embedded default of `make run`, what a newcomer
      sees first): Django's technical 404 page lists the URL patterns in English.
    Nothing was done in either case."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = _page(request, "405.html", 405, logout=request.path == reverse("logout"))
            page["Allow"] = response.get("Allow", "")
            return page
        if response.status_code == 404 and settings.DEBUG and not getattr(response, "portal_page", False):
            return page_not_found(request, getattr(request, "not_found", None))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404):
            request.not_found = exception  # its message, for the page drawn above


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the template alone, no context processors, no database."""
    return HttpResponse(loader.get_template("500.html").render(), status=500)
