"""The portal's PDFs draw with DejaVu Sans (reportlab, no network needed), shipped in
ungmusikk/fonts/ with its licence and embedded in every PDF, so Sámi and other letters print
(reportlab's Helvetica has only Latin-1). Every app's PDF registers the fonts here: the font
files are found by path, so no app imports the top floor for them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "ungmusikk" / "fonts"
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
