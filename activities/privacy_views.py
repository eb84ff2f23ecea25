"""The pages of a pupil's privacy (issue 13): erasing a pupil's personal data on request (a
confirmation page with the reason; only a POST acts), and everything stored about a pupil as
JSON and as a PDF. For the people `schools.erase_pupil` names: central staff, or the rector
of a pupil at their school only. A pupil the user may not see is a 404."""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from core.formatting import date_text, datetime_text
from core.pdf import FONT, NumberedCanvas, pdf_styles
from core.periods import OSLO, school_year_label
from schools.models import Pupil

from .models import PupilLoadRollup
from .privacy import pupil_access_report, pupil_erase, pupil_is_erased


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Begrunnelse"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Hvorfor opplysningene slettes, for eksempel «krav fra foresatte». Ikke skriv navnet."),
    )


class PupilPrivacyMixin(LoginRequiredMixin):
    """The pupil of the URL: a 404 for who may not see them, a 403 for who may see but not
    erase them."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm("schools.view_pupil", self.pupil):
            raise Http404
        if not request.user.has_perm("schools.erase_pupil", self.pupil):
            raise PermissionDenied(_("Bare sentralt ansatte og rektor ved elevens eneste skole kan gjøre dette."))
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def pupil(self) -> Pupil:
        pupil = Pupil.objects.filter(pk=self.kwargs["pk"]).prefetch_related("schools").first()
        if pupil is None:
            raise Http404
        return pupil


class PupilEraseView(PupilPrivacyMixin, TemplateView):
    template_name = "activities/privacy/pupil_erase.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", EraseForm())
        return super().get_context_data(pupil=self.pupil, erased=pupil_is_erased(self.pupil), **kwargs)

    def post(self, request, *args, **kwargs):
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        pupil = pupil_erase(pupil=self.pupil, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("Elevens personopplysninger er slettet. Eleven heter nå «%(name)s».")
            % {"name": f"{pupil.first_name} {pupil.last_name}"},
        )
        return redirect("activities:pupil-erase", pk=pupil.pk)


class PupilAccessJsonView(PupilPrivacyMixin, View):
    def get(self, request, *args, **kwargs):
        report = pupil_access_report(pupil=self.pupil, user=request.user)
        response = JsonResponse(report, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="elev-{self.pupil.pk}.json"'
        return response


def _oslo_time(iso: str | None) -> str:
    """An ISO time of the report (UTC) as people read it: «12.03.2020 kl. 10.15», Oslo time."""
    return datetime_text(datetime.fromisoformat(iso)) if iso else "–"


def _value_text(value) -> str:
    return "–" if value in (None, "", []) else ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _field_label(key: str) -> str:
    try:
        return str(Pupil._meta.get_field(key).verbose_name).capitalize()
    except FieldDoesNotExist:
        return key


def _entry_sentence(entry: dict) -> str:
    """One log entry as a sentence: «12.03.2020 kl. 10.15 – Kari Solheim: navngitt på
    aktiviteten «Samspill» (09.11.2019)»; «systemet» where no person acted."""
    who = entry["actor"] or _("systemet")
    if "activity" in entry:
        activity = entry["activity"]
        when = ""
        if activity.get("starts_at"):  # None when the activity is gone since
            when = f" ({date_text(datetime.fromisoformat(activity['starts_at']).astimezone(OSLO).date())})"
        what = ", ".join(entry["about_pupil"]) + f" «{activity['title']}»" + when
    else:
        what = entry["action_label"]
    return f"{_oslo_time(entry['at'])} – {who}: {what}"


def access_report_pdf(report: dict) -> bytes:
    """The access report as a document a guardian can read (DejaVu Sans, core/pdf.py): the
    pupil, their schools, the participations as a table, the load per term and the log as
    sentences, every time in Oslo time."""
    styles = pdf_styles()
    body, heading, title = styles["BodyText"], styles["Heading2"], styles["Title"]
    detail = ParagraphStyle("detail", parent=body, leftIndent=8 * mm, spaceBefore=0)
    width = A4[0] - 40 * mm

    def p(text) -> Paragraph:
        return Paragraph(escape(str(text)), body)

    def table(rows: list[list], widths: list[float], *, header: bool = True) -> Table:
        pdf_table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT", splitInRow=1)
        commands = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
        pdf_table.setStyle(TableStyle(commands))
        return pdf_table

    record = report["pupil"]
    story = [
        Paragraph(escape(_("Opplysninger om en elev")), title),
        p(_("Laget %(time)s.") % {"time": _oslo_time(report["generated_at"])}),
        Paragraph(escape(_("Eleven")), heading),
        table(
            [
                [p(_("Navn")), p(f"{record['first_name']} {record['last_name']}")],
                [p(_("Fødselsår")), p(record["birth_year"])],
                [p(_("Hovedinstrument")), p(record["main_instrument"] or "–")],
                [p(_("Personopplysningene slettet")), p(_("Ja") if record["erased"] else _("Nei"))],
            ],
            [0.35 * width, 0.65 * width],
            header=False,
        ),
        Paragraph(escape(_("Skoler")), heading),
        p(", ".join(school["name"] for school in report["schools"]) or _("Ingen")),
        Paragraph(escape(_("Deltakelse")), heading),
    ]
    if report["participations"]:
        rows = [[p(_("Aktivitet")), p(_("Tid")), p(_("Sted")), p(_("Skole"))]]
        rows += [
            [p(row["title"]), p(_oslo_time(row["starts_at"])), p(row["venue"] or "–"), p(row["school"])]
            for row in report["participations"]
        ]
        story.append(table(rows, [0.34 * width, 0.24 * width, 0.2 * width, 0.22 * width]))
    else:
        story.append(p(_("Ingen")))
    story.append(Paragraph(escape(_("Elevbelastning per semester")), heading))
    for load in report["load_warnings"]:
        mark = _(" (over varselgrensen)") if load["warning"] else ""
        term = PupilLoadRollup.Term(load["term"]).label
        count = ngettext("%(count)s aktivitet", "%(count)s aktiviteter", load["activities"]) % {
            "count": load["activities"]
        }
        line = f"{school_year_label(load['school_year'])} {term}: {count}{mark}"
        story.append(p(line))
    if not report["load_warnings"]:
        story.append(p(_("Ingen")))
    story.append(Paragraph(escape(_("Revisjonslogg")), heading))
    for entry in report["audit_entries"]:
        story.append(p(_entry_sentence(entry)))
        lines = [
            f"{_field_label(key)}: {_value_text(pair[0])} → {_value_text(pair[1])}"
            for key, pair in (entry.get("changes") or {}).items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        if entry.get("comment"):
            lines.append(_("Kommentar: %(comment)s") % {"comment": entry["comment"]})
        story += [Paragraph(escape(line), detail) for line in lines]
    if not report["audit_entries"]:
        story.append(p(_("Ingen")))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=_("Opplysninger om en elev"), leftMargin=20 * mm, rightMargin=20 * mm
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


class PupilAccessPdfView(PupilPrivacyMixin, View):
    def get(self, request, *args, **kwargs):
        report = pupil_access_report(pupil=self.pupil, user=request.user)
        response = HttpResponse(access_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="elev-{self.pupil.pk}.pdf"'
        return response
