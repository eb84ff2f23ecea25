"""The annual report's charts on the web page: horizontal bar charts drawn on the server as
inline SVG, so they need no JavaScript and print as they show. Each chart is drawn from one
of its section's tables (`Chart`, ungmusikk/dashboards/tables.py) and comes with the same
numbers as a small table beside it.

Accessible: the SVG is `role="img"` with a <title> and a <desc> (aria-labelledby), and its
numbers are in the table. Under the Content-Security-Policy: no style attribute, only SVG
presentation attributes (width, height, fill …) and classes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.privacy import is_suppressed
from ungmusikk.dashboards.tables import Chart, Table

# The drawing's units (the SVG scales to the width of its box).
WIDTH = 640
LABEL_WIDTH = 210  # the row labels, left
VALUE_WIDTH = 90  # the value written after the longest bar
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 10
TOP = 6
LEGEND_ROW = 22
LABEL_CHARACTERS = 30
# The datasets' colours (the portal's blue first), readable on white with white text beside.
FILLS = ("#1f3a5f", "#b3261e", "#2f7d4f", "#8a5a00", "#5b3f8c", "#0f6f7f")


@dataclass(frozen=True)
class ChartNumbers:
    """The chart's numbers as the table beside it shows them: its label column's heading, the
    datasets' headings, and per row the label and the displayed values."""

    label_heading: str
    headings: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class RenderedChart:
    key: str
    title: str
    svg: SafeString
    numbers: ChartNumbers


def chart_render(chart: Chart, tables: dict[str, Table], *, title: str, element_id: str) -> RenderedChart:
    """The chart as inline SVG (escaped: every label and value is the report's text) and its
    numbers. A value hidden by core.privacy («<5») or missing draws no bar and writes its text
    where the bar would start."""
    table = tables[chart.table]
    rows = [row for row in table.rows if chart.include is None or chart.include(row)]
    label_column = table.column(chart.label)
    value_columns = [table.column(key) for key in chart.values]
    labels = [str(label_column.display(label_column.value(row))) for row in rows]
    raw = [[column.value(row) for column in value_columns] for row in rows]
    shown = [[column.display(value) for column, value in zip(value_columns, values, strict=True)] for values in raw]
    numbers = ChartNumbers(
        label_heading=str(label_column.label),
        headings=[str(column.label) for column in value_columns],
        rows=list(zip(labels, shown, strict=True)),
    )
    svg = _svg(
        title=title,
        element_id=element_id,
        labels=labels,
        values=[[_number(value) for value in values] for values in raw],
        shown=shown,
        legend=numbers.headings if len(value_columns) > 1 else [],
    )
    return RenderedChart(key=chart.key, title=title, svg=svg, numbers=numbers)


def _number(value) -> float | None:
    if value is None or value == "" or is_suppressed(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


def _svg(
    *,
    title: str,
    element_id: str,
    labels: list[str],
    values: list[list[float | None]],
    shown: list[list[str]],
    legend: list[str],
) -> SafeString:
    datasets = len(legend) or (len(values[0]) if values else 1)
    group = datasets * BAR_HEIGHT + (datasets - 1) * BAR_GAP
    legend_height = LEGEND_ROW * ((len(legend) + 1) // 2) if legend else 0
    height = TOP + len(labels) * (group + GROUP_GAP) + legend_height + 4
    numbers = [value for row in values for value in row if value is not None]
    low, high = min([0.0, *numbers]), max([0.0, *numbers])
    span = (high - low) or 1.0
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    zero = LABEL_WIDTH + plot * (-low / span)

    def x(value: float) -> float:
        return LABEL_WIDTH + plot * ((value - low) / span)

    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    description = (
        _("Liggende stolpediagram med %(count)s rader. Tallene står i tabellen ved siden av.") % {"count": len(labels)}
        if labels
        else _("Ingen tall å vise.")
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{escape(element_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" font-family="system-ui, sans-serif" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    y = TOP
    for label, row, texts in zip(labels, values, shown, strict=True):
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + group / 2:.1f}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="12" fill="#212529">{escape(_short(label))}</text>'
        )
        for index, (value, text) in enumerate(zip(row, texts, strict=True)):
            top = y + index * (BAR_HEIGHT + BAR_GAP)
            middle = top + BAR_HEIGHT / 2
            if value is None:
                parts.append(
                    f'<text x="{zero + 4:.1f}" y="{middle:.1f}" dominant-baseline="middle" font-size="11" '
                    f'fill="#495057">{escape(text)}</text>'
                )
                continue
            left, right = sorted((zero, x(value)))
            fill = FILLS[index % len(FILLS)]
            parts.append(
                f'<rect x="{left:.1f}" y="{top:.1f}" width="{max(right - left, 0.5):.1f}" height="{BAR_HEIGHT}" '
                f'fill="{fill}"></rect>'
            )
            parts.append(
                f'<text x="{right + 4:.1f}" y="{middle:.1f}" dominant-baseline="middle" font-size="11" '
                f'fill="#212529">{escape(text)}</text>'
            )
        y += group + GROUP_GAP
    if low < 0:
        parts.append(
            f'<line x1="{zero:.1f}" y1="{TOP - 2}" x2="{zero:.1f}" y2="{y - GROUP_GAP + 2}" stroke="#6c757d" '
            f'stroke-width="1"></line>'
        )
    for index, heading in enumerate(legend):
        column, line = index % 2, index // 2
        left = LABEL_WIDTH + column * (plot / 2 + VALUE_WIDTH / 2)
        top = y + line * LEGEND_ROW
        parts.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="12" height="12" fill="{FILLS[index % len(FILLS)]}"></rect>'
        )
        parts.append(
            f'<text x="{left + 16:.1f}" y="{top + 6:.1f}" dominant-baseline="middle" font-size="11" '
            f'fill="#212529">{escape(_short(heading))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
