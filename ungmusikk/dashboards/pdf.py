"""The school dashboard as a PDF for a municipal council meeting (reportlab, no network
needed): the school, which figures these are, and every table as the page shows it.

Every style draws with DejaVu Sans, shipped in ungmusikk/fonts/ (licence beside it) and
embedded in the PDF, so Sámi and other letters print (reportlab's Helvetica has only Latin-1).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from funding.figures import COST_SHARING_RULE

from .school import SchoolDashboard

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"


@cache
def register_fonts() -> None:
    """Register DejaVu Sans with reportlab once per process. There is no oblique face, so
    italic draws upright: <i> and the Italic style keep the letters rather than a slant."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def pdf_styles() -> StyleSheet1:
    """reportlab's sample styles with every Helvetica face swapped for DejaVu Sans."""
    register_fonts()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        for attribute in ("fontName", "bulletFontName"):
            name = getattr(style, attribute, None)
            if name:
                setattr(style, attribute, FONT_BOLD if "Bold" in name else FONT)
    return styles


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
    for table in dashboard.tables.values():
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
    document.build(story)
    return buffer.getvalue()
