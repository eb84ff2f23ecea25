"""The reports' pages under /rapporter/ (issue 16), for central staff and the steering group
(`schools.view_network`; everyone else 403, anonymous visitors to the login):

- `/rapporter/`: choose the annual report's period (a GET form; an unusable value is a note
  naming the field, never an error);
- `/rapporter/arsrapport/<kind>/<year>/`: the annual report as a web page, rendered live from
  the figures (`figures.annual_report`), with the panel of its kept files;
- `…/filer/`: the kept files and the progress of their generation, a light page that reloads
  itself every few seconds while the files are being made (a <meta> refresh: no JavaScript);
- `…/lag/` (POST, one-time token): ask for the files (services.annual_report_request);
- `…/arsrapport-<period>.pdf` and `.xlsx`: the kept files, sent only through this
  permission-checked view (MEDIA_ROOT is never served).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from activities.models import Activity
from activities.selectors import activity_counted_q
from core.bounds import FIRST_YEAR
from core.forms import FormTokenField
from core.http import NotFound
from core.params import year_param
from core.rollups import FiguresAsOf
from core.submissions import AlreadySubmitted, submit_once

from .charts import chart_render
from .figures import annual_report
from .models import AnnualReportFile
from .period import figures_latest_as_of
from .services import (
    annual_report_file_get,
    annual_report_language,
    annual_report_outdated,
    annual_report_request,
    report_year_last,
)
from .shapes import CALENDAR_YEAR, PERIOD_KINDS, SCHOOL_YEAR, AnnualReport, ReportPeriod

# Seconds between the files page's reloads while the files are being made.
REFRESH_SECONDS = 3
# The download's file name: "arsrapport-2020.pdf", "arsrapport-2019-20.xlsx" (English:
# "annual-report-2020.pdf"). The URL ends in the same name.
FILE_STEMS = {AnnualReportFile.Language.NB: "arsrapport", AnnualReportFile.Language.EN: "annual-report"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportsAccessMixin(LoginRequiredMixin):
    """Central staff and the steering group (`schools.view_network`, governance/rules.py)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("schools.view_network"):
            raise PermissionDenied(_("Rapportene er for styringsgruppen, daglig leder og NMH."))
        return super().dispatch(request, *args, **kwargs)


def data_years() -> tuple[int, int] | None:
    """The first and the last calendar year (Oslo) with an activity that counts as taken part
    in (activities.selectors.activity_counted_q), or None (one query)."""
    bounds = Activity.objects.filter(activity_counted_q()).aggregate(first=Min("starts_at"), last=Max("starts_at"))
    if bounds["first"] is None:
        return None
    return timezone.localtime(bounds["first"]).year, timezone.localtime(bounds["last"]).year


def report_years(*, bounds: tuple[int, int] | None, today=None) -> list[int]:
    """The years a report may be chosen for, newest first: from the first year with data (or
    last year) to this year."""
    this_year = (today or timezone.localdate()).year
    first = min(bounds[0], this_year) if bounds else this_year - 1
    return list(range(this_year, max(first, FIRST_YEAR) - 1, -1))


def default_report_period(*, bounds: tuple[int, int] | None, today=None) -> ReportPeriod:
    """The last full calendar year with data: the last year with data, but not this year or
    later (last year when there is no data)."""
    this_year = (today or timezone.localdate()).year
    latest = bounds[1] if bounds else this_year - 1
    return ReportPeriod(CALENDAR_YEAR, max(FIRST_YEAR, min(latest, this_year - 1)))


def period_from_url(kind: str, year: str) -> ReportPeriod:
    """The period the URL names, or a 404 (an unknown kind, a year before 2000 or after
    `report_year_last(kind)`: this calendar year, the current school year)."""
    if kind not in PERIOD_KINDS:
        raise NotFound(_("Fant ikke rapporten: ukjent periode eller år."))
    parsed = year_param(year, last=report_year_last(kind))
    if parsed is None:
        raise NotFound(_("Fant ikke rapporten: ukjent periode eller år."))
    return ReportPeriod(kind, parsed)


def file_name(period: ReportPeriod, language: str, extension: str) -> str:
    return f"{FILE_STEMS[language]}-{period.slug}.{extension}"


class ReportsIndexView(ReportsAccessMixin, TemplateView):
    """«Rapporter»: the annual report's period chosen with a GET form (periode, aar). Both
    usable: to the report. Otherwise the form again, with a note naming each unusable field
    and the default (the last full calendar year with data) in its place."""

    template_name = "reports/annual_report_index.html"

    def get(self, request, *args, **kwargs):
        bounds = data_years()
        default = default_report_period(bounds=bounds)
        kind, year, notes = default.kind, default.year, []
        raw_kind, raw_year = request.GET.get("periode"), request.GET.get("aar")
        if raw_kind is not None:
            if raw_kind in PERIOD_KINDS:
                kind = raw_kind
            else:
                notes.append(_("«Periode» må være kalenderår eller skoleår."))
        if raw_year is not None:
            last = report_year_last(kind)
            parsed = year_param(raw_year, last=last)
            if parsed is None:
                notes.append(
                    _("«År» må være et årstall fra %(first)s til %(last)s.") % {"first": FIRST_YEAR, "last": last}
                )
            else:
                year = parsed
        if (raw_kind is not None or raw_year is not None) and not notes:
            return redirect("reports:annual-report", kind=kind, year=year)
        years = report_years(bounds=bounds)
        if year not in years:
            years = sorted({*years, year}, reverse=True)
        context = self.get_context_data(
            notes=notes,
            kind=kind,
            year=year,
            kinds=[(CALENDAR_YEAR, PERIOD_KINDS[CALENDAR_YEAR]), (SCHOOL_YEAR, PERIOD_KINDS[SCHOOL_YEAR])],
            years=years,
            default=default,
        )
        return self.render_to_response(context)


class GenerateForm(forms.Form):
    form_token = FormTokenField()


class AnnualReportFilesMixin(ReportsAccessMixin):
    """The period of the URL and the kept files of it in the page's language."""

    def get_period(self) -> ReportPeriod:
        if not hasattr(self, "_period"):
            self._period = period_from_url(self.kwargs["kind"], self.kwargs["year"])
        return self._period

    def files_context(self) -> dict:
        """What the files panel shows (templates/reports/annual_report_panel.html)."""
        period = self.get_period()
        language = annual_report_language()
        row = annual_report_file_get(period=period, language=language)
        stale = row is not None and row.is_stale()
        running = row is not None and row.in_progress and not stale
        outdated = row is not None and row.has_files and annual_report_outdated(row, latest=figures_latest_as_of())
        return {
            "period": period,
            "file": row,
            "running": running,
            "stale": stale,
            "outdated": outdated,
            "files_as_of": FiguresAsOf(at=row.figures_as_of) if row is not None and row.has_files else None,
            "file_stem": f"{FILE_STEMS[language]}-{period.slug}",
            "pdf_name": file_name(period, language, "pdf"),
            "xlsx_name": file_name(period, language, "xlsx"),
            "generate_form": GenerateForm(),
            "refresh_seconds": REFRESH_SECONDS if running else None,
        }


class AnnualReportView(AnnualReportFilesMixin, TemplateView):
    """The annual report as a web page, live from the figures: the table of contents, each
    section with its tables and its charts (inline SVG with their numbers beside), "as of"
    at the top, and the files panel."""

    template_name = "reports/annual_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = annual_report(period=self.get_period())
        context.update(
            report=report,
            as_of=FiguresAsOf(at=report.figures_as_of),
            sections=report_sections(report),
            **self.files_context(),
        )
        return context


def report_sections(report: AnnualReport) -> list[dict]:
    """Each section with its tables and its charts drawn (charts.chart_render)."""
    sections = []
    for section in report.sections:
        tables = section.tables_by_name
        charts = [
            chart_render(
                chart,
                tables,
                title=section.chart_titles.get(chart.key) or tables[chart.table].title,
                element_id=f"chart-{section.key}-{chart.key}",
            )
            for chart in section.charts
            if chart.table in tables
        ]
        sections.append({"section": section, "tables": section.tables, "charts": charts})
    return sections


class AnnualReportFilesView(AnnualReportFilesMixin, TemplateView):
    """The kept files and the generation's progress; reloads itself while it runs."""

    template_name = "reports/annual_report_files.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.files_context()}


class AnnualReportGenerateView(AnnualReportFilesMixin, View):
    """«Lag PDF og regneark»: asks for the files once per page (its one-time token), then to
    the files page, which shows the progress."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        period = self.get_period()
        files = reverse("reports:annual-report-files", kwargs={"kind": period.kind, "year": period.year})
        form = GenerateForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["form_token"]))
            return HttpResponseRedirect(files)
        try:
            row = submit_once(
                token=form.cleaned_data["form_token"],
                user=request.user,
                create=lambda: annual_report_request(
                    kind=period.kind,
                    year=period.year,
                    language=annual_report_language(),
                    user=request.user,
                    force=True,  # the button is an explicit request: make them again
                ),
            )
        except AlreadySubmitted:
            messages.info(request, _("Bestillingen var allerede sendt. Her er filene."))
            return HttpResponseRedirect(files)
        if row.enqueued:
            messages.success(request, _("PDF og regneark lages nå. Siden viser framdriften."))
        else:  # forced: only a generation already queued or running makes none
            messages.info(request, _("Filene lages allerede. Siden viser framdriften."))
        return HttpResponseRedirect(files)


class AnnualReportDownloadView(AnnualReportFilesMixin, View):
    """A kept file (PDF or workbook) of the page's language, as an attachment with its name;
    404 when none is kept or the name is not the period's."""

    extension = "pdf"

    def get(self, request, *args, **kwargs):
        period = self.get_period()
        language = annual_report_language()
        if kwargs["name"] not in {f"{stem}-{period.slug}" for stem in FILE_STEMS.values()}:
            raise NotFound(_("Fant ikke filen."))
        row = annual_report_file_get(period=period, language=language)
        kept = getattr(row, self.extension) if row is not None else None
        if not kept:
            raise NotFound(_("Filen er ikke laget ennå."))
        try:
            handle = kept.open("rb")
        except FileNotFoundError:
            raise NotFound(_("Filen er ikke laget ennå.")) from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=file_name(period, language, self.extension),
            content_type=CONTENT_TYPES[self.extension],
        )
        response["Cache-Control"] = "private, no-store"
        return response
