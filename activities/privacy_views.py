"""The pages of a pupil's privacy (issue 13): erasing a pupil's personal data on request (a
confirmation page with the reason; only a POST acts), and everything stored about a pupil as
JSON and as a PDF. For the people `schools.erase_pupil` names: central staff, or the rector
of a pupil at their school only. A pupil the user may not see is a 404."""

from __future__ import annotations

import io
import json
from xml.sax.saxutils import escape

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from core.pdf import pdf_styles
from core.periods import school_year_label
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


def access_report_pdf(report: dict) -> bytes:
    """The access report as a readable PDF (DejaVu Sans, core/pdf.py)."""
    styles = pdf_styles()
    body, heading, title = styles["BodyText"], styles["Heading2"], styles["Title"]
    record = report["pupil"]
    story = [
        Paragraph(escape(_("Opplysninger om en elev")), title),
        Paragraph(escape(f"{record['first_name']} {record['last_name']}"), heading),
        Paragraph(escape(_("Fødselsår: %(year)s") % {"year": record["birth_year"]}), body),
        Paragraph(escape(_("Hovedinstrument: %(instrument)s") % {"instrument": record["main_instrument"]}), body),
        Paragraph(
            escape(_("Skoler: %(schools)s") % {"schools": ", ".join(s["name"] for s in report["schools"])}), body
        ),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("Deltakelse")), heading),
    ]
    for p in report["participations"] or [{"title": _("Ingen"), "starts_at": "", "ends_at": "", "venue": ""}]:
        line = (
            f"{p['title']} — {p['starts_at'][:10]}–{p['ends_at'][:10]} — {p.get('venue') or ''} ({p.get('school', '')})"
        )
        story.append(Paragraph(escape(line), body))
    story += [Spacer(1, 4 * mm), Paragraph(escape(_("Elevbelastning per semester")), heading)]
    for load in report["load_warnings"]:
        mark = _(" (over varselgrensen)") if load["warning"] else ""
        term = PupilLoadRollup.Term(load["term"]).label
        line = f"{school_year_label(load['school_year'])} {term}: {load['activities']}{mark}"
        story.append(Paragraph(escape(line), body))
    story += [Spacer(1, 4 * mm), Paragraph(escape(_("Revisjonslogg")), heading)]
    for entry in report["audit_entries"]:
        text = f"{entry['at'][:16]} {entry['actor'] or '–'}: {entry['action_label']} {entry['object']}"
        story.append(Paragraph(escape(text), body))
        if entry["changes"]:
            story.append(Paragraph(escape(json.dumps(entry["changes"], ensure_ascii=False)), body))
        if entry["comment"]:
            story.append(Paragraph(escape(entry["comment"]), body))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=_("Opplysninger om en elev")).build(story)
    return buffer.getvalue()


class PupilAccessPdfView(PupilPrivacyMixin, View):
    def get(self, request, *args, **kwargs):
        report = pupil_access_report(pupil=self.pupil, user=request.user)
        response = HttpResponse(access_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="elev-{self.pupil.pk}.pdf"'
        return response
