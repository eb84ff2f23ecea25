"""The portal's PDFs draw with DejaVu Sans (reportlab, no network needed), shipped in
ungmusikk/fonts/ with its licence and embedded in every PDF, so Sámi and other letters print
(reportlab's Helvetica has only Latin-1). Every app's PDF registers the fonts here: the font
files are found by path, so no app imports the top floor for them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

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


class NumberedCanvas(Canvas):
    """A canvas that writes the footer («Side 2 av 3» and the document's title) on every page
    once the number of pages is known: the pages are kept until the document is saved.

    A bookmark (the destination of an outline entry or a table of contents' link) names the
    page being written when it is made; as the pages are only written at `save`, a bookmark
    made on a kept page is kept with it and made when its page is written, else every one
    would point at the first page. Works with `multiBuild` (a table of contents): each pass
    makes a new canvas and only the last is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._page_bookmarks: list[tuple[tuple, dict]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._page_bookmarks = []  # a new list: the kept page keeps its own
        self._startPage()

    def bookmarkPage(self, *args, **kwargs):  # noqa: N802 - reportlab's name
        """Kept until the page is written (see the class); returns nothing then."""
        self._page_bookmarks.append((args, kwargs))

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            for args, kwargs in state["_page_bookmarks"]:
                super().bookmarkPage(*args, **kwargs)
            self.saveState()
            self.setFont(FONT, 8)
            width = self._pagesize[0]
            self.drawString(15 * mm, 8 * mm, self._doc.info.title or "")
            self.drawRightString(
                width - 15 * mm, 8 * mm, _("Side %(page)s av %(pages)s") % {"page": self._pageNumber, "pages": total}
            )
            self.restoreState()
            super().showPage()
        super().save()
