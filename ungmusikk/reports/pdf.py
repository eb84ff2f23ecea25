"""The reports as PDFs (reportlab, no network needed), drawn with DejaVu Sans (core/pdf.py),
embedded, so Sámi and other letters print; every page numbered «Side N av M».

- `annual_report_pdf`: a title page, a table of contents with page numbers (a link and an
  outline entry for each section), then each section: its paragraphs, each table (the header
  repeated when a table runs over a page) and, right under a table, the bar charts drawn from
  it, so every chart has its numbers beside it.
- `municipality_sheet_pdf`: one A4 page, whatever the content: when it would not fit, the
  whole page is scaled down (`KeepInFrame`), never continued on a second page.

Every cell is printed as `Table.display_rows` gives it (Column.display: Norwegian grouping, a
money column with the same decimals in each row, «<5» as it is); no figure is recomputed here.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.textlabels import NA_Label
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepInFrame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.tableofcontents import TableOfContents

from core.formatting import datetime_text, money_places, money_text, number_text
from core.pdf import FONT, FONT_BOLD, NumberedCanvas, pdf_styles
from core.periods import OSLO
from core.privacy import HIDDEN, SUPPRESSED, is_suppressed
from ungmusikk.dashboards.tables import Chart, Table

from .shapes import PERIOD_KINDS, AnnualReport, MunicipalitySheet, ReportSection

MARGIN = 15 * mm
HEADER_BACKGROUND = colors.HexColor("#1f3a5f")
STRIPE = colors.HexColor("#f1f4f8")
BAR_COLOURS = (colors.HexColor("#1f3a5f"), colors.HexColor("#d9822b"), colors.HexColor("#4a8c5c"))
CELL_PADDING = 3  # points each side of a cell (reportlab's default is 6)
TEXT_MIN_WIDTH = 50  # points: a text column narrower than this wraps every word

Progress = Callable[[int, int], None]


def figures_as_of_text(report: AnnualReport | MunicipalitySheet) -> str:
    """When the figures were summed, in Oslo time («Tall per 05.03.2021 kl. 10.00»), or that
    they are not summed yet."""
    if report.figures_as_of is None:
        return _("Tallene er ikke oppsummert ennå.")
    with timezone.override(OSLO):
        return _("Tall per %(time)s") % {"time": datetime_text(report.figures_as_of)}


# --- Tables -----------------------------------------------------------------------------


def _cell_styles(size: float) -> dict[str, ParagraphStyle]:
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=size * 1.2)
    header = ParagraphStyle("header", parent=cell, fontName=FONT_BOLD, textColor=colors.white)
    return {
        "cell": cell,
        "header": header,
        "header_number": ParagraphStyle("header_number", parent=header, alignment=TA_RIGHT),
    }


def _column_widths(table: Table, rows: list[list[str]], width: float, size: float) -> list[float]:
    """Each column as wide as its widest cell and header, when the table fits. Else every
    column gets at least its longest word (a number is one word; a header wraps between its
    words), a text column at least TEXT_MIN_WIDTH too, and the text columns share what is left
    in proportion to the room they lack; when even the longest words do not fit, every column
    shrinks alike (a word is then broken)."""

    def text_width(text: str, font: str = FONT) -> float:
        return stringWidth(text, font, size) + 2 * CELL_PADDING + 1

    minimums, fulls = [], []
    for index, column in enumerate(table.columns):
        texts = [row[index] for row in rows]
        cells = max((text_width(text) for text in texts), default=0)
        header = [text_width(word, FONT_BOLD) for word in str(column.label).split()]
        words = cells if column.numeric else max((text_width(w) for text in texts for w in text.split()), default=0)
        full = max(cells, text_width(str(column.label), FONT_BOLD))
        minimum = max(words, *header, 0)
        minimums.append(minimum if column.numeric else min(full, max(minimum, TEXT_MIN_WIDTH)))
        fulls.append(full)
    if sum(fulls) <= width:
        return fulls
    spare = width - sum(minimums)
    if spare < 0:
        return [minimum * width / sum(minimums) for minimum in minimums]
    wants = [
        0 if column.numeric else full - minimum
        for column, full, minimum in zip(table.columns, fulls, minimums, strict=True)
    ]
    share = min(1, spare / sum(wants)) if sum(wants) else 0
    return [minimum + want * share for minimum, want in zip(minimums, wants, strict=True)]


def table_flowable(table: Table, *, width: float, size: float = 8, zebra: bool = True) -> PdfTable | Paragraph:
    """A report table: its header row (bold on dark, repeated on each page the table runs
    over), its rows as `Table.display_rows` writes them, numbers aligned right."""
    styles = _cell_styles(size)
    if not table.rows:
        return Paragraph(escape(_("Ingen tall.")), styles["cell"])
    rows = table.display_rows
    header = [
        Paragraph(escape(str(column.label)), styles["header_number" if column.numeric else "header"])
        for column in table.columns
    ]
    body = [
        [
            text if column.numeric else Paragraph(escape(text), styles["cell"])
            for column, text in zip(table.columns, row, strict=True)
        ]
        for row in rows
    ]
    pdf_table = PdfTable(
        [header, *body], colWidths=_column_widths(table, rows, width, size), repeatRows=1, hAlign="LEFT"
    )
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.2),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]))
    commands += [("ALIGN", (index, 1), (index, -1), "RIGHT") for index, c in enumerate(table.columns) if c.numeric]
    pdf_table.setStyle(TableStyle(commands))
    return pdf_table


# --- Charts -----------------------------------------------------------------------------


def _axis_number(value: float) -> str:
    return number_text(value, 0 if value == int(value) else 1)


def _shortened(text: str, width: float, size: float) -> str:
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


class _MarkedBarChart(HorizontalBarChart):
    """Bars whose missing values are labelled each with its own mark: «<5» for a small count,
    «:» for one hidden to protect another (core.privacy), where reportlab has one label for
    every missing value. `_marks[series][category]` (a name reportlab's attribute checks let
    through); the hook is reportlab's own `_addNABarLabel`."""

    _marks: list[list[str]] = []

    def _addNABarLabel(self, g, rowNo, colNo, x, y, width, height, calcOnly=False, na=None):  # noqa: N802, N803
        label = copy.copy(na or self.naLabel)
        label.text = self._marks[rowNo][colNo]
        return super()._addNABarLabel(g, rowNo, colNo, x, y, width, height, calcOnly=calcOnly, na=label)


def chart_drawing(chart: Chart, section: ReportSection, *, width: float, max_height: float) -> Drawing | None:
    """The chart as horizontal bars, one per row of its table (first row on top), one colour
    per value column, each bar labelled with its number as the table writes it; a suppressed
    count («<5», or «:» for a cell hidden to protect another) is no bar, only its mark. None
    when the chart has no rows."""
    data = chart.data(section.tables_by_name)
    labels = data["labels"]
    if not labels:
        return None
    table = section.table(chart.table)
    columns = [table.column(key) for key in chart.values]
    series = [[None if value is None else float(value) for value in dataset["data"]] for dataset in data["datasets"]]
    # Each bar's label as the table writes its number: a money column with the table's decimals.
    places = [
        max((money_places(v) for row in table.rows if isinstance(v := column.value(row), int | Decimal)), default=0)
        for column in columns
    ]
    formats = [
        (lambda value, column=column, places=places: column.display(Decimal(str(value)), money_places=places))
        for column, places in zip(columns, places, strict=True)
    ]
    size = 7

    def room(sign: int) -> float:
        """The width of the widest label beside a bar on that side of zero."""
        texts = [
            text_format(value)
            for text_format, values in zip(formats, series, strict=True)
            for value in values
            if value is not None and value * sign > 0
        ]
        return max((stringWidth(text, FONT, size) + 4 for text in texts), default=0)

    right = max(room(1), stringWidth(SUPPRESSED, FONT, size) + 4, 20)
    left = room(-1)  # the widest label left of a bar below zero
    legend_height = 16 if len(series) > 1 else 0  # one row of swatches under the axis
    label_width = min(max(stringWidth(label, FONT, size) for label in labels) + 6, width * 0.4)
    bar = 9.0  # points per bar
    gap = 5.0  # between categories
    per_category = bar * len(series) + gap
    plot_height = min(per_category * len(labels), max_height - 20 - legend_height)
    height = plot_height + 20 + legend_height

    bars = _MarkedBarChart()
    rows = [row for row in table.rows if chart.include is None or chart.include(row)]  # as Chart.data
    bars._marks = [[value if is_suppressed(value := column.value(row)) else "" for row in rows] for column in columns]
    bars.x = label_width
    bars.y = 15 + legend_height
    bars.width = width - bars.x - right
    bars.height = plot_height
    bars.data = series
    bars.barSpacing = 0
    bars.groupSpacing = gap * plot_height / (per_category * len(labels))
    bars.categoryAxis.categoryNames = [_shortened(label, label_width - 6, size) for label in labels]
    bars.categoryAxis.reverseDirection = 1
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = size
    bars.categoryAxis.labels.boxAnchor = "e"
    bars.categoryAxis.labels.dx = -3
    bars.categoryAxis.joinAxisMode = "left"  # the names at the left edge, not at zero
    bars.categoryAxis.tickLeft = 0
    shown = [value for values in series for value in values if value is not None]
    if not any(shown):
        bars.valueAxis.valueMin, bars.valueAxis.valueMax = 0, 1  # nothing but zeros and «<5»
    elif min(shown) >= 0:
        bars.valueAxis.valueMin = 0
    else:
        # Below zero: the axis starts far enough left of the least bar for its label (`left`
        # points at the chart's scale).
        least, most, plot = min(shown), max(0, *shown), bars.width
        bars.valueAxis.valueMin = (least - left * most / plot) / (1 - left / plot)
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = size
    bars.valueAxis.labelTextFormat = _axis_number
    bars.valueAxis.visibleGrid = 1
    bars.valueAxis.gridStrokeColor = colors.lightgrey
    bars.valueAxis.gridStrokeWidth = 0.25
    bars.barLabels.fontName = FONT
    bars.barLabels.fontSize = size
    bars.barLabels.boxAnchor = "w"  # a BarChartLabel: "e" for a bar below zero
    bars.barLabels.nudge = 2
    bars.barLabelFormat = formats
    bars.naLabel = NA_Label()
    bars.naLabel.fontName = FONT
    bars.naLabel.fontSize = size
    bars.naLabel.boxAnchor = "w"
    bars.naLabel.nudge = 2
    for index in range(len(series)):
        bars.bars[index].fillColor = BAR_COLOURS[index % len(BAR_COLOURS)]
        bars.bars[index].strokeColor = None

    drawing = Drawing(width, height, initialFontName=FONT)  # else Helvetica joins the fonts
    drawing.add(bars)
    if legend_height:
        legend = Legend()  # one row under the axis: a swatch, then its column's name
        legend.x = label_width
        legend.y = 10
        legend.alignment = "right"
        legend.fontName = FONT
        legend.fontSize = size
        legend.dy = legend.dx = 6
        legend.dxTextSpace = 3
        legend.columnMaximum = 1
        legend.deltax = max(stringWidth(dataset["label"], FONT, size) for dataset in data["datasets"]) + 20
        legend.colorNamePairs = [
            (BAR_COLOURS[index % len(BAR_COLOURS)], dataset["label"]) for index, dataset in enumerate(data["datasets"])
        ]
        drawing.add(legend)
    return drawing


# --- The annual report --------------------------------------------------------------------


class _SectionHeading(Paragraph):
    """A section's heading: an entry of the table of contents and of the outline, and the
    destination of both (the anchor `toc_key` in its text: the section's number, as a
    section's `key` could hold what a PDF's name or reportlab's markup cannot)."""

    def __init__(self, section: ReportSection, number: int, style: ParagraphStyle):
        self.toc_key = f"section-{number}"
        self.toc_text = section.title
        super().__init__(f'<a name="{self.toc_key}"/>{escape(section.title)}', style)


class _SectionEnd(Flowable):
    """Takes no room; tells the document a section has been laid out (its progress)."""

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        pass


class _ReportDocument(BaseDocTemplate):
    """A4 pages of one frame; tells the contents and the outline where each section starts."""

    def __init__(self, buffer, *, title: str, on_section_end: Callable[[], None]):
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author="UngMusikk",
            lang="nb",
            initialFontName=FONT,  # else the canvas adds Helvetica to the font resources
        )
        self._on_section_end = on_section_end
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    def afterFlowable(self, flowable):  # noqa: N802 - reportlab's name
        if isinstance(flowable, _SectionHeading):
            self.canv.addOutlineEntry(flowable.toc_text, flowable.toc_key, level=0)
            # the contents read their text as markup
            self.notify("TOCEntry", (0, escape(flowable.toc_text), self.page, flowable.toc_key))
        elif isinstance(flowable, _SectionEnd):
            self._on_section_end()


def _report_styles():
    styles = pdf_styles()
    return {
        "title": styles["Title"].clone("report_title", fontSize=24, leading=30, spaceBefore=60 * mm),
        "subtitle": styles["Title"].clone("report_subtitle", fontName=FONT, fontSize=16, leading=20),
        "as_of": styles["Normal"].clone("as_of", alignment=1, spaceBefore=6 * mm),
        "contents": styles["Heading1"].clone("contents"),
        "section": styles["Heading1"].clone("section", keepWithNext=1, spaceBefore=6 * mm),
        "table_title": styles["Heading3"].clone("table_title", keepWithNext=0, spaceBefore=4 * mm),
        "chart_title": styles["Heading4"].clone("chart_title", keepWithNext=1, spaceBefore=2 * mm),
        "body": styles["BodyText"],
        "toc": ParagraphStyle("toc", fontName=FONT, fontSize=11, leading=16, leftIndent=0, firstLineIndent=0),
    }


def _section_story(section: ReportSection, number: int, styles, *, width: float, height: float) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(50 * mm), _SectionHeading(section, number, styles["section"])]
    story += [Paragraph(escape(text), styles["body"]) for text in section.paragraphs]
    for table in section.tables:
        # Room for the title, the header and a few rows, else the table starts on the next page.
        story.append(CondPageBreak(30 * mm))
        story.append(Paragraph(escape(table.title), styles["table_title"]))
        story.append(table_flowable(table, width=width))
        for chart in section.charts:
            if chart.table != table.name:
                continue
            drawing = chart_drawing(chart, section, width=width, max_height=height - 20 * mm)
            if drawing is None:
                continue
            title = section.chart_titles.get(chart.key) or table.title
            story.append(KeepTogether([Paragraph(escape(title), styles["chart_title"]), drawing]))
    story.append(_SectionEnd())
    return story


def annual_report_pdf(report: AnnualReport, *, progress: Progress | None = None) -> bytes:
    """The annual report as an A4 PDF (bytes): a title page (title, period, when the figures
    were summed), the table of contents, then every section.

    `progress(done, total)`, when given, is called after each section is laid out. The table
    of contents needs the document laid out twice (the first time finds the sections' pages),
    so `total` is twice the number of sections, `done` grows by one per section laid out and
    stays below `total` until the PDF is written; the last call is `progress(total, total)`."""
    styles = _report_styles()
    total = 2 * len(report.sections)
    laid_out = 0

    def section_end() -> None:
        nonlocal laid_out
        laid_out += 1
        if progress is not None:
            progress(min(laid_out, total - 1), total)

    buffer = io.BytesIO()
    period = f"{PERIOD_KINDS[report.period.kind]} {report.period.label}"
    document = _ReportDocument(buffer, title=report.title, on_section_end=section_end)
    story: list[Flowable] = [
        Paragraph(escape(report.title), styles["title"]),
        Paragraph(escape(period), styles["subtitle"]),
        Paragraph(escape(figures_as_of_text(report)), styles["as_of"]),
        PageBreak(),
    ]
    if report.sections:
        contents = TableOfContents(
            levelStyles=[styles["toc"]],
            dotsMinLevel=0,
            # reportlab's own style, with the cells' font set (else Helvetica joins the fonts)
            tableStyle=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            ),
        )
        story += [Paragraph(escape(_("Innhold")), styles["contents"]), contents, PageBreak()]
    else:
        story.append(Paragraph(escape(_("Rapporten har ingen deler.")), styles["body"]))
    for number, section in enumerate(report.sections, start=1):
        story += _section_story(section, number, styles, width=document.width, height=document.height)
    document.multiBuild(story, canvasmaker=NumberedCanvas)
    if progress is not None:
        progress(total, total)
    return buffer.getvalue()


# --- The municipality sheet ---------------------------------------------------------------


def sheet_key_figures(sheet: MunicipalitySheet) -> list[tuple[str, str]]:
    """The sheet's key figures as (label, text) pairs, in the order the council reads them:
    the PDF and the sheet's page (sheet_views) print the same list."""

    kr = money_text
    paid = kr(sheet.paid)
    details = [
        text
        for text in (
            sheet.tier,
            _("%(population)s innbyggere") % {"population": number_text(sheet.population)}
            if sheet.population is not None
            else "",
        )
        if text
    ]
    if details:
        paid = f"{paid} ({', '.join(details)})"
    pupils = sheet.pupils_taking_part
    pupils_text = pupils if isinstance(pupils, str) else number_text(pupils)
    per_pupil = kr(sheet.per_pupil)
    if sheet.network_per_pupil is not None:
        per_pupil = _("%(municipality)s (nettverket: %(network)s)") % {
            "municipality": per_pupil,
            "network": kr(sheet.network_per_pupil),
        }
    return [
        (_("Betalt kommunebidrag"), paid),
        (
            _("Elever som deltok / elevtall"),
            f"{pupils_text} / {number_text(sheet.enrolment)}",
        ),
        (_("Elevdeltakelser"), number_text(sheet.participations)),
        (_("Aktiviteter skolene deltok i"), number_text(sheet.activities)),
        (_("Aktiviteter holdt i kommunen"), number_text(sheet.activities_held)),
        (
            _("Tildelinger til skolene"),
            kr(sheet.allocations) if sheet.allocations is not None else _("– (budsjettet er ikke vedtatt)"),
        ),
        (_("Verdi av aktivitetene"), kr(sheet.activity_value)),
        (_("Verdi mottatt (tildelinger + aktiviteter)"), kr(sheet.value_received)),
        (_("Verdi per elev"), per_pupil),
    ]


def _split_in_two(tables: Sequence[Table]) -> tuple[list[Table], list[Table]]:
    """The tables in two columns of about the same number of rows, in their order."""
    rows = [len(table.rows) + 3 for table in tables]  # a title and a header take room too
    half = sum(rows) / 2
    left, count = [], 0
    for table, size in zip(tables, rows, strict=True):
        if left and count + size / 2 > half:
            break
        left.append(table)
        count += size
    return left, list(tables[len(left) :])


# The sheet's note on small numbers, as its page says it (templates/reports/municipality_sheet_body.html).
SMALL_NUMBERS_NOTE = gettext_lazy(
    "Antall navngitte elever fra 1 til 4 vises som «%(suppressed)s» av personvernhensyn, og et tall som er skjult "
    "bare for at et lite tall ikke skal kunne regnes ut fra summen, som «%(hidden)s»."
)


def sheet_small_numbers_note() -> str:
    """The sheet's note on small numbers, for its page and its PDF alike."""
    return str(SMALL_NUMBERS_NOTE) % {"suppressed": SUPPRESSED, "hidden": HIDDEN}


def municipality_sheet_pdf(sheet: MunicipalitySheet) -> bytes:
    """The municipality sheet as ONE A4 page (bytes): the municipality's name, number, year
    and status, when the figures were summed, its sentences, the key figures (paid with its
    tier and population; pupils taking part against enrolment; activities; allocations + value
    of activities = value received; per pupil against the network), its schools, and its
    tables side by side. Content that would not fit is scaled down to the page, never
    continued: a council gets one sheet."""
    styles = pdf_styles()
    size = 8
    heading = styles["Title"].clone("sheet_title", fontSize=17, leading=21, alignment=0, spaceAfter=2)
    subheading = styles["Normal"].clone("sheet_sub", fontName=FONT_BOLD, fontSize=10, leading=13)
    small = styles["Normal"].clone(
        "sheet_small", fontSize=size, leading=size * 1.25, textColor=colors.HexColor("#444444")
    )
    lead = styles["Normal"].clone("sheet_lead", fontSize=10, leading=13, spaceBefore=4, spaceAfter=4)
    table_title = styles["Heading4"].clone("sheet_table_title", fontSize=9, leading=11, spaceBefore=4, spaceAfter=2)
    cells = _cell_styles(size)
    label = cells["cell"]
    value = ParagraphStyle("sheet_value", parent=label, fontName=FONT_BOLD)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_("Kommuneark %(year)s – %(municipality)s")
        % {"year": sheet.year, "municipality": sheet.municipality_name},
        author="UngMusikk",
        lang="nb",
        initialFontName=FONT,
    )
    width = document.width
    key_figures = PdfTable(
        [
            [Paragraph(escape(text), label), Paragraph(escape(figure), value)]
            for text, figure in sheet_key_figures(sheet)
        ],
        colWidths=[width * 0.42, width * 0.58],
        hAlign="LEFT",
    )
    key_figures.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # the cell's own font, set even for Paragraphs
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("BACKGROUND", (0, 7), (-1, 7), STRIPE),  # the value received: the sum
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    gutter = 6 * mm
    column_width = (width - gutter) / 2

    def column(tables: list[Table]) -> list[Flowable]:
        flowables: list[Flowable] = []
        for table in tables:
            flowables.append(Paragraph(escape(table.title), table_title))
            flowables.append(table_flowable(table, width=column_width, size=size - 0.5))
        return flowables

    left, right = _split_in_two(sheet.tables)
    tables = PdfTable([[column(left), column(right)]], colWidths=[column_width + gutter, column_width], hAlign="LEFT")
    tables.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    schools = _("Skoler: %(schools)s") % {"schools": ", ".join(sheet.schools)} if sheet.schools else _("Ingen skoler.")
    content: list[Flowable] = [
        Paragraph(
            escape(f"{sheet.municipality_name} ({sheet.municipality_number})"),
            heading,
        ),
        Paragraph(
            escape(_("UngMusikk · kommuneark %(year)s · %(status)s") % {"year": sheet.year, "status": sheet.status}),
            subheading,
        ),
        Paragraph(escape(figures_as_of_text(sheet)), small),
        Paragraph(escape(" ".join(sheet.sentences)), lead),
        key_figures,
        Spacer(1, 2 * mm),
        Paragraph(escape(schools), small),
    ]
    if sheet.tables:
        content.append(tables)
    content.append(Spacer(1, 2 * mm))
    content.append(Paragraph(escape(sheet_small_numbers_note()), small))
    # The page's frame is 6 points narrower and taller than its margins (the frame's padding);
    # a little less than it, so the scaled content never spills onto a second page.
    page = KeepInFrame(width - 14, document.height - 14, content, mode="shrink", hAlign="LEFT", vAlign="TOP")
    document.build([page], canvasmaker=NumberedCanvas)
    return buffer.getvalue()
