"""The municipality sheet (kommuneark, issue 16): the list of the sheets a person may open, a
sheet as a printable page and as a one-page PDF, making a signed link to it, and the signed
link's page and PDF for a reader without a login.

Who may open a sheet is one rule, `schools.view_municipality_sheet` (governance/rules.py:
central staff, the rector(s) of the municipality's schools and the coordinator(s) of their
sub-regions); making a link is `schools.share_municipality_sheet`, held by the same people.
Refusals, one way everywhere:

- not logged in: the login page (the signed link's pages need no login);
- a person who may open no sheet at all (a steering-group member who is not central staff, a
  partner): 403 on every sheet address. It says "this is not for you" and nothing about any
  municipality;
- a person who may open some sheets: 404 for a municipality that is not theirs, the same 404
  as for an unknown number, so the answer does not tell whether it exists;
- a year in which the municipality had no member or pilot school: 404 with a sentence;
- a year after this one (Oslo): the same 404 as an unknown municipality (no figures yet);
- a signed link that is expired, altered, truncated or made up, or whose maker may no longer
  open the sheet (links.sheet_link_read): the same 404 whatever is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core.formatting import datetime_text
from core.forms import FormTokenField
from core.http import NotFound
from core.params import id_param, year_param
from core.privacy import SUPPRESSED
from core.submissions import AlreadySubmitted, submit_once
from schools.models import Municipality

from . import links, sheet
from .pdf import municipality_sheet_pdf, sheet_key_figures, sheet_small_numbers_note
from .shapes import MunicipalitySheet

VIEW_PERMISSION = "schools.view_municipality_sheet"
# The network's records start in 2013; the list offers its years up to this one.
FIRST_SHEET_YEAR = 2013
_NUMBER = re.compile(r"[0-9]{4}")


def not_found_sheet() -> NotFound:
    return NotFound(_("Fant ikke kommunearket, eller du har ikke tilgang til det."))


def not_found_link() -> NotFound:
    # One sentence for every link that opens nothing: never says what is wrong with it.
    return NotFound(_("Lenken til kommunearket virker ikke (lenker virker en tid). Be om en ny lenke."))


def private_response(response: HttpResponse) -> HttpResponse:
    """A page or file a shared link opens, or that shows such a link: kept by no cache and
    indexed by no search engine. Its referrer policy is the portal's own (`same-origin`,
    settings.SECURE_REFERRER_POLICY), which sends no address to another site; `no-referrer`
    would make Chromium post its forms (the language switch, logout, «Lag delingslenke») with
    `Origin: null`, which Django's CSRF check refuses."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _in_sheet_year(municipality: Municipality, year: int) -> bool:
    """Whether the municipality has a sheet for the year: a member or pilot municipality then."""
    return sheet.sheet_municipalities(year=year).filter(pk=municipality.pk).exists()


def sheet_context(sheet_: MunicipalitySheet) -> dict:
    return {
        "sheet": sheet_,
        "key_figures": sheet_key_figures(sheet_),
        "figures_as_of": datetime_text(sheet_.figures_as_of) if sheet_.figures_as_of else "",
        "suppressed": SUPPRESSED,
        "small_numbers_note": sheet_small_numbers_note(),
    }


def pdf_response(sheet_: MunicipalitySheet) -> HttpResponse:
    response = HttpResponse(municipality_sheet_pdf(sheet_), content_type="application/pdf")
    filename = f"kommuneark-{sheet_.municipality_number}-{sheet_.year}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return private_response(response)


def last_sheet_year(today=None) -> int:
    """The last year a sheet may be opened or shared for: this year (Oslo). A later year has
    no figures yet; its sheet would be zeros."""
    return (today or timezone.localdate()).year


def sheet_year_choices(today=None) -> list[int]:
    """The years the list offers, newest first: FIRST_SHEET_YEAR to this year."""
    return list(range(last_sheet_year(today), FIRST_SHEET_YEAR - 1, -1))


def sheets_visible_to(user, municipalities: Iterable[Municipality]) -> list[Municipality]:
    """The municipalities whose sheet `user` may open, in the given order. Their schools are
    loaded in one query for the rule (`leads_school_in_municipality`)."""
    municipalities = list(municipalities)
    prefetch_related_objects(municipalities, "schools")
    return [municipality for municipality in municipalities if user.has_perm(VIEW_PERMISSION, municipality)]


class SheetAccessMixin(LoginRequiredMixin):
    """A person who may open no sheet at all gets 403 (see the module's docstring)."""

    permission = VIEW_PERMISSION
    refusal = gettext_lazy("Kommunearkene er for rektorene og koordinatorene i kommunene og for daglig leder og NMH.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied(str(self.refusal))
        return super().dispatch(request, *args, **kwargs)


class MunicipalitySheetMixin(SheetAccessMixin):
    """The municipality (by number) and year of the address, when the user may open its sheet
    and it has one that year; else 404."""

    def get_municipality_and_year(self) -> tuple[Municipality, int]:
        if not hasattr(self, "_municipality_and_year"):
            number = self.kwargs["number"]
            year = year_param(self.kwargs["year"], last=last_sheet_year())
            municipality = Municipality.objects.filter(number=number).first() if _NUMBER.fullmatch(number) else None
            if municipality is None or year is None or not self.request.user.has_perm(VIEW_PERMISSION, municipality):
                raise not_found_sheet()
            if not _in_sheet_year(municipality, year):
                raise NotFound(
                    _("%(municipality)s hadde ingen medlems- eller pilotskole i UngMusikk i %(year)s.")
                    % {"municipality": municipality.name, "year": year}
                )
            self._municipality_and_year = (municipality, year)
        return self._municipality_and_year

    def get_sheet(self) -> MunicipalitySheet:
        municipality, year = self.get_municipality_and_year()
        return sheet.municipality_sheet(municipality=municipality, year=year)


class MunicipalitySheetListView(SheetAccessMixin, TemplateView):
    """`/rapporter/kommuner/?aar=2020`: the member and pilot municipalities of a year whose
    sheet the user may open (central staff: all; a rector: their schools'; a coordinator:
    their sub-regions' schools'). By default last year; an unusable «År» is named in a note."""

    template_name = "reports/municipality_sheet_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        choices = sheet_year_choices()
        default = choices[1] if len(choices) > 1 else choices[0]  # last year: a whole year
        raw = self.request.GET.get("aar")
        year = year_param(raw, first=FIRST_SHEET_YEAR, last=choices[0])
        note = ""
        if year is None:
            if raw not in (None, ""):
                note = _("«År» må være et år fra %(first)s til %(last)s; viser %(shown)s.") % {
                    "first": FIRST_SHEET_YEAR,
                    "last": choices[0],
                    "shown": default,
                }
            year = default
        context.update(
            year=year,
            year_choices=choices,
            note=note,
            municipalities=sheets_visible_to(self.request.user, sheet.sheet_municipalities(year=year)),
        )
        return context


class ShareForm(forms.Form):
    """«Lag delingslenke»: its one-time token only (core.submissions)."""

    form_token = FormTokenField()


class MunicipalitySheetView(MunicipalitySheetMixin, TemplateView):
    """`/rapporter/kommuner/<number>/<year>/`: the sheet as a printable page (one A4 page when
    printed), with its PDF, and «Lag delingslenke» for those who may share it. After a link is
    made (`?delt=<audit entry>`) the page shows it, its expiry (Oslo time) and a field to copy
    it from."""

    template_name = "reports/municipality_sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality, year = self.get_municipality_and_year()
        sheet_ = self.get_sheet()
        link = None
        entry_id = id_param(self.request.GET.get("delt"))
        if entry_id is not None:
            link = links.sheet_link_of_entry(
                entry_id=entry_id, user=self.request.user, municipality=municipality, year=year
            )
        context.update(
            sheet_context(sheet_),
            municipality=municipality,
            year=year,
            pdf_url=reverse("reports:municipality-sheet-pdf", args=[municipality.number, year]),
            may_share=self.request.user.has_perm(links.SHARE_PERMISSION, municipality),
            share_form=ShareForm(),
            link=link,
            link_url=links.sheet_link_url(link) if link else "",
            link_valid_until=datetime_text(link.valid_until) if link else "",
            link_days=links.link_lifetime().days,
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        return private_response(super().render_to_response(context, **response_kwargs))


class MunicipalitySheetPdfView(MunicipalitySheetMixin, View):
    """`/rapporter/kommuner/<number>/<year>/kommuneark.pdf`: the sheet on one A4 page."""

    def get(self, request, *args, **kwargs):
        return pdf_response(self.get_sheet())


class MunicipalitySheetShareView(MunicipalitySheetMixin, View):
    """«Lag delingslenke» (POST only): a signed link to the sheet, recorded in the audit log
    (links.sheet_link_share), once per form (its one-time token: a second click shows the
    first link). Then back to the sheet, which shows the link."""

    http_method_names = ["post"]
    permission = links.SHARE_PERMISSION

    def post(self, request, *args, **kwargs):
        municipality, year = self.get_municipality_and_year()
        sheet_url = reverse("reports:municipality-sheet", args=[municipality.number, year])
        form = ShareForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("form_token", [])))
            return redirect(sheet_url)
        try:
            entry = submit_once(
                token=form.cleaned_data["form_token"],
                user=request.user,
                create=lambda: links.sheet_link_share(user=request.user, municipality=municipality, year=year),
            )
        except AlreadySubmitted as done:
            messages.info(request, _("Lenken var allerede laget. Her er den."))
            return redirect(f"{sheet_url}?delt={done.object_id}#delt-lenke")
        messages.success(request, _("Lenken er laget. Kopier den og send den til den som skal lese kommunearket."))
        return redirect(f"{sheet_url}?delt={entry.pk}#delt-lenke")


class SharedSheetMixin:
    """The sheet a signed link opens, without a login; 404 for every link that opens nothing
    (expired, altered, truncated, made up, or a municipality without a sheet that year)."""

    def get_link_and_sheet(self) -> tuple[links.SheetLink, MunicipalitySheet]:
        link = links.sheet_link_read(self.kwargs["token"])
        if link is None:
            raise not_found_link()
        municipality = Municipality.objects.filter(pk=link.municipality_id).first()
        if municipality is None or not _in_sheet_year(municipality, link.year):
            raise not_found_link()
        return link, sheet.municipality_sheet(municipality=municipality, year=link.year)


class SharedSheetView(SharedSheetMixin, TemplateView):
    """`/rapporter/delt/<token>/`: the sheet as the signed link shows it: a note «Delt lenke,
    gyldig til …», no portal menu for a visitor who is not logged in, not indexed."""

    template_name = "reports/municipality_sheet_shared.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        link, sheet_ = self.get_link_and_sheet()
        context.update(
            sheet_context(sheet_),
            link_valid_until=datetime_text(link.valid_until),
            pdf_url=reverse("reports:shared-sheet-pdf", args=[link.token]),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        return private_response(super().render_to_response(context, **response_kwargs))


class SharedSheetPdfView(SharedSheetMixin, View):
    """`/rapporter/delt/<token>/kommuneark.pdf`: the PDF a signed link opens."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        _link, sheet_ = self.get_link_and_sheet()
        return pdf_response(sheet_)
