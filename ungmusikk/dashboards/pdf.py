"""The school dashboard as a PDF for a municipal council meeting (reportlab, no network
needed): the school, which figures these are, and every table as the page shows it.

Every style draws with DejaVu Sans (core/pdf.py), shipped in ungmusikk/fonts/ (licence
beside it) and embedded in the PDF, so Sámi and other letters print (reportlab's Helvetica has only Latin-1).
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from core.pdf import FONT, FONT_BOLD, FONT_DIR, NumberedCanvas, pdf_styles, register_fonts
from funding.figures import COST_SHARING_RULE

from .school import SchoolDashboard

# The fonts are registered by core/pdf.py (every app's PDFs share them); their names stay
# importable from here, as before.
__all__ = ["FONT_DIR", "Path", "dashboard_pdf", "pdf_styles", "register_fonts"]


def dashboard_pdf(dashboard: SchoolDashboard) -> bytes:
    """The dashboard's figures as a PDF (the charts' numbers are in the tables)."""
    school = dashboard.school
    buffer = io.BytesIO()
    styles = pdf_styles()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("UngMusikk – %(school)s %(year)s") % {"school": school.name, "year": dashboard.school_year_label},
        author="UngMusikk",
        lang="nb",
        initialFontName=FONT,  # else the canvas adds Helvetica to the font resources
    )
    story = [
        Paragraph(escape(school.name), styles["Title"]),
        Paragraph(
            escape(
                _("%(kind)s i %(municipality)s, delregion %(region)s. Skoleåret %(year)s.")
                % {
                    "kind": school.get_kind_display(),
                    "municipality": school.municipality.name,
                    "region": school.region.name,
                    "year": dashboard.school_year_label,
                }
            ),
            styles["Normal"],
        ),
        Paragraph(escape(dashboard.as_of.label), styles["Italic"]),
        Paragraph(escape(str(COST_SHARING_RULE)), styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    header = cell.clone("header", textColor=colors.white, fontName=FONT_BOLD)
    # The lists with pupils' names whole (for whoever may see them): the PDF is not the page.
    for table in dashboard.export_tables:
        story.append(Paragraph(escape(table.title), styles["Heading3"]))
        if not table.rows:
            story.append(Paragraph(escape(_("Ingen tall.")), styles["Normal"]))
            continue
        data = [[Paragraph(escape(text), header) for text in table.header]]
        data += [[Paragraph(escape(text), cell) for text in row] for row in table.display_rows]
        pdf_table = PdfTable(data, repeatRows=1, hAlign="LEFT")
        pdf_table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),  # the cell's own font, set even for Paragraphs
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3a5f")),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(pdf_table)
        story.append(Spacer(1, 3 * mm))
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
