"""A budget as a PDF for the steering group's minutes (reportlab, no network needed): the
title and status, the summary against last year's approved budget, the lines in their groups
with subtotals and the totals, in kind apart, the record of how it was decided and, once laid
forward, each seated member's vote with its time and whole comment; every page numbered.
Drawn with DejaVu Sans (core/pdf.py), embedded, so every letter prints."""

from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from core.audit import AuditAction
from core.formatting import date_text, datetime_text, money_text, percent_text
from core.pdf import FONT, FONT_BOLD, NumberedCanvas, pdf_styles

from .models import Budget
from .selectors import budget_audit_minutes, budget_decision, budget_line_groups, budget_summary

HEADER_BACKGROUND = colors.HexColor("#1f3a5f")
SUBTOTAL_BACKGROUND = colors.HexColor("#e8edf3")

# The entries of the log that are not part of how the budget was decided: its preparation.
PREPARATION_ACTIONS = (
    AuditAction.BUDGET_UPDATE,
    AuditAction.BUDGET_LINE_ADD,
    AuditAction.BUDGET_LINE_CHANGE,
    AuditAction.BUDGET_LINE_DELETE,
)


def budget_status_text(budget: Budget) -> str:
    """Where the budget stands, with its day (Oslo): «Vedtatt 12.03.2020», «Lagt fram
    10.03.2020, ikke vedtatt», «Sendt tilbake 11.03.2020», «Utkast, ikke lagt fram»."""

    def day(moment) -> str:
        return date_text(timezone.localtime(moment).date()) if moment else "–"

    if budget.status == Budget.Status.APPROVED:
        return _("Vedtatt %(day)s") % {"day": day(budget.decided_at)}
    if budget.status == Budget.Status.SUBMITTED:
        return _("Lagt fram %(day)s, ikke vedtatt") % {"day": day(budget.submitted_at)}
    if budget.status == Budget.Status.RETURNED:
        return _("Sendt tilbake %(day)s, ikke vedtatt") % {"day": day(budget.decided_at)}
    if budget.status == Budget.Status.DRAFT:
        return _("Utkast, ikke lagt fram")
    return str(budget.get_status_display())


def _signed_money(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + money_text(value)


def budget_pdf(*, budget: Budget) -> bytes:
    """The budget for the minutes, as a PDF."""
    styles = pdf_styles()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    number = cell.clone("number", alignment=2)  # right
    bold = cell.clone("bold", fontName=FONT_BOLD)
    bold_number = number.clone("bold_number", fontName=FONT_BOLD)
    header = cell.clone("header", textColor=colors.white, fontName=FONT_BOLD)
    header_number = header.clone("header_number", alignment=2)

    def p(text, style=cell) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def whole(text) -> Paragraph:
        """A comment or name in full: its line breaks kept, a word longer than the cell broken
        (never cut), and a row taller than a page split across pages (the tables' splitInRow)."""
        return Paragraph(escape(str(text or "")).replace("\r\n", "\n").replace("\n", "<br/>"), cell)

    def table(data, widths, *, subtotal_rows=(), total_rows=()) -> PdfTable:
        pdf_table = PdfTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=1)
        commands = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),  # the cell's own font, set even for Paragraphs
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        commands += [("BACKGROUND", (0, row), (-1, row), SUBTOTAL_BACKGROUND) for row in subtotal_rows]
        commands += [("LINEABOVE", (0, row), (-1, row), 1, colors.black) for row in total_rows]
        pdf_table.setStyle(TableStyle(commands))
        return pdf_table

    title = _("Budsjett %(year)s, revisjon %(revision)s") % {"year": budget.year, "revision": budget.revision}
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=_("UngMusikk – %(budget)s") % {"budget": title},
        author="UngMusikk",
        lang="nb",
        initialFontName=FONT,  # else the canvas adds Helvetica to the font resources
    )
    width = A4[0] - 30 * mm
    story = [
        p(_("UngMusikk – %(budget)s") % {"budget": title}, styles["Title"]),
        p(_("Status: %(status)s.") % {"status": budget_status_text(budget)}, styles["Normal"]),
    ]
    if budget.replaces_id:
        story.append(
            p(_("Erstatter revisjon %(revision)s.") % {"revision": budget.replaces.revision}, styles["Normal"])
        )
    story.append(Spacer(1, 4 * mm))

    # The summary against last year.
    previous_year = budget.year - 1
    summary = budget_summary(budget=budget)
    story.append(p(_("Budsjettet i tall, mot vedtatt budsjett %(year)s") % {"year": previous_year}, styles["Heading3"]))
    data = [
        [
            p(_("Post"), header),
            p(budget.year, header_number),
            p(previous_year, header_number),
            p(_("Endring"), header_number),
        ]
    ]
    for row in summary:
        change = _signed_money(row.change_kr)
        if row.change_percent is not None:
            change += " (" + ("+" if row.change_percent > 0 else "") + percent_text(row.change_percent) + ")"
        data.append(
            [p(row.label), p(money_text(row.amount), number), p(money_text(row.previous), number), p(change, number)]
        )
    story.append(table(data, [0.34 * width, 0.2 * width, 0.2 * width, 0.26 * width]))
    if summary and summary[0].previous is None:
        story.append(
            p(_("Ingen vedtatt budsjett for %(year)s å sammenligne med.") % {"year": previous_year}, styles["Italic"])
        )

    # The lines, group by group.
    groups = budget_line_groups(budget=budget)
    widths = [0.36 * width, 0.24 * width, 0.16 * width, 0.24 * width]

    def group_table(heading: str, line_groups, totals: list[tuple[str, Decimal]]) -> PdfTable:
        data = [[p(heading, header), p(_("Gjelder"), header), p(_("Beløp"), header_number), p(_("Merknad"), header)]]
        subtotal_rows = []
        for group in line_groups:
            for line in group.lines:
                data.append([p(line.label), p(line.where), p(money_text(line.amount), number), p(line.note)])
            subtotal_rows.append(len(data))
            data.append(
                [
                    p(_("Sum %(group)s") % {"group": group.title.lower()}, bold),
                    "",
                    p(money_text(group.subtotal), bold_number),
                    "",
                ]
            )
        total_rows = []
        for label, amount in totals:
            total_rows.append(len(data))
            data.append([p(label, bold), "", p(money_text(amount), bold_number), ""])
        return table(data, widths, subtotal_rows=subtotal_rows, total_rows=total_rows[:1])

    story.append(p(_("Inntekter"), styles["Heading3"]))
    story.append(group_table(_("Inntekter"), groups.income, [(_("Inntekter i alt"), groups.total_income)]))
    story.append(p(_("Utgifter"), styles["Heading3"]))
    story.append(
        group_table(
            _("Utgifter"),
            groups.expense,
            [
                (_("Utgifter i alt"), groups.total_expense),
                (_("Inntekter i alt"), groups.total_income),
                (_("Balanse (inntekter minus utgifter)"), groups.balance),
            ],
        )
    )
    in_kind = [
        p(_("Naturalytelser"), styles["Heading3"]),
        p(_("Holdes utenfor kontantbudsjettet og balansen."), styles["Italic"]),
    ]
    if groups.in_kind.lines:
        in_kind.append(group_table(_("Naturalytelser"), [groups.in_kind], []))
    else:
        in_kind.append(p(_("Ingen naturalytelser."), styles["Normal"]))
    story.append(KeepTogether(in_kind))

    # How it was decided.
    preparation = {str(action.label) for action in PREPARATION_ACTIONS}
    minutes = [minute for minute in budget_audit_minutes(budget=budget) if minute.what not in preparation]
    story.append(p(_("Behandling"), styles["Heading3"]))
    if minutes:
        data = [
            [p(_("Tidspunkt"), header), p(_("Utført av"), header), p(_("Handling"), header), p(_("Kommentar"), header)]
        ]
        for minute in reversed(minutes):  # oldest first, as minutes are read
            data.append([p(minute.at), whole(minute.who), p(minute.what), whole(minute.comment)])
        story.append(table(data, [0.2 * width, 0.22 * width, 0.26 * width, 0.32 * width]))
    else:
        story.append(p(_("Ingen behandling registrert."), styles["Normal"]))

    # The steering group's votes on the current submission, once it has been laid forward.
    if budget.submission:
        decision = budget_decision(budget=budget)
        story.append(p(_("Stemmer"), styles["Heading3"]))
        story.append(
            p(
                _("Framlegging %(n)s. Vedtaksregel: %(rule)s.") % {"n": budget.submission, "rule": decision.rule_label},
                styles["Normal"],
            )
        )
        if budget.status == Budget.Status.SUBMITTED and decision.needs:
            story.append(p(decision.needs, styles["Normal"]))
        data = [[p(_("Medlem"), header), p(_("Stemme"), header), p(_("Tidspunkt"), header), p(_("Kommentar"), header)]]
        for row in decision.seats:
            name = row.seat.name + (" (" + _("leder") + ")" if row.seat.is_leader else "")
            if budget.submitted_by_id and row.seat.user_id == budget.submitted_by_id:
                name += " (" + _("la fram budsjettet, stemmer ikke") + ")"
            vote = row.vote
            data.append(
                [
                    whole(name),
                    p(vote.get_choice_display() if vote else "–"),
                    p(datetime_text(vote.cast_at) if vote else "–"),
                    whole(vote.comment if vote else ""),
                ]
            )
        for vote in decision.unseated_votes:
            name = (vote.voter.get_full_name() or vote.voter.get_username()) + " (" + _("har ikke lenger sete") + ")"
            data.append(
                [whole(name), p(vote.get_choice_display()), p(datetime_text(vote.cast_at)), whole(vote.comment)]
            )
        if len(data) == 1:
            data.append([p(_("Ingen har sete i styringsgruppen i dag.")), "", "", ""])
        story.append(table(data, [0.24 * width, 0.14 * width, 0.18 * width, 0.44 * width]))

    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
