"""Exports of the dashboards: every table as CSV (semicolon-separated, decimal comma, UTF-8
with BOM, as Norwegian spreadsheets expect) and the school dashboard as a PDF for a
municipal council meeting (reportlab, no network needed)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from .dashboard import COST_SHARING_RULE, SchoolDashboard


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]

    @property
    def display_rows(self) -> list[list[str]]:
        """The rows formatted for the page: grouped thousands, decimal comma."""
        return [[_display(value) for value in row] for row in self.rows]


def _display(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    if isinstance(value, Decimal):
        places = 0 if value == value.to_integral() else 2
        return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nei")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",") if value != value.to_integral() else f"{value:.0f}"
    return str(value)


def _when(value) -> str:
    return date_format(timezone.localtime(value), "j. F Y H:i") if value else ""


def dashboard_tables(dashboard: SchoolDashboard) -> dict[str, Table]:
    """The dashboard's tables by URL name, as shown on the page. Tables with pupils' names
    are left out for users who may not see names."""
    label = dashboard.school_year_label
    tables = {
        "skoleaar": Table(
            _("Deltakelse per skoleår"),
            [
                _("Skoleår"),
                _("Aktiviteter"),
                _("Elevdeltakelser"),
                _("Unike navngitte elever"),
                _("Lærere"),
                _("Elevtall (GSI)"),
                _("Andel som deltok (%)"),
            ],
            [
                [row.label, row.activities, row.pupils, row.unique_pupils, row.teachers, row.enrolment, row.share]
                for row in dashboard.years
            ],
        ),
        "samarbeidsomrader": Table(
            _("Deltakelse per samarbeidsområde %(year)s") % {"year": label},
            [_("Samarbeidsområde"), _("Aktiviteter"), _("Elevdeltakelser")],
            [[row["name"], row["activities"], row["pupils"]] for row in dashboard.by_area],
        ),
        "aktivitetstyper": Table(
            _("Deltakelse per aktivitetstype %(year)s") % {"year": label},
            [_("Aktivitetstype"), _("Aktiviteter"), _("Elevdeltakelser"), _("Lærere")],
            [[row["name"], row["activities"], row["pupils"], row["teachers"]] for row in dashboard.by_kind],
        ),
        "maneder": Table(
            _("Deltakelse per måned %(year)s") % {"year": label},
            [_("Måned"), _("Aktiviteter"), _("Elevdeltakelser"), _("Lærere")],
            [[row["name"], row["activities"], row["pupils"], row["teachers"]] for row in dashboard.by_month],
        ),
        "kommende": Table(
            _("Kommende aktiviteter åpne for skolens elever"),
            [_("Aktivitet"), _("Type"), _("Nivå"), _("Starter"), _("Sted"), _("Kommune"), _("Avstand (km)")],
            [
                [
                    row["title"],
                    row["kind"],
                    row["level"],
                    _when(row["starts_at"]),
                    row["venue"],
                    row["place"],
                    _cell(Decimal(str(row["distance_km"]))) if row["distance_km"] is not None else "",
                ]
                for row in dashboard.upcoming
            ],
        ),
        "okonomi": Table(
            _("Økonomi %(year)s: hva vi la inn, og hva vi fikk") % {"year": dashboard.money.year},
            [_("Post"), _("Skolen (kr)"), _("Snitt i delregionen (kr)"), _("Snitt for skoleslaget (kr)")],
            _money_rows(dashboard),
        ),
    }
    if dashboard.show_names:
        tables["navngitte_elever"] = Table(
            _("Elever på mesterklasser og NMH-undervisning %(year)s") % {"year": label},
            [_("Elev"), _("Hovedinstrument"), _("Aktivitet"), _("Type"), _("Dato")],
            [
                [pupil["name"], pupil["instrument"], activity["title"], activity["kind"], _when(activity["starts_at"])]
                for pupil in dashboard.named_pupils or []
                for activity in pupil["activities"]
            ],
        )
        tables["elevbelastning"] = Table(
            _("Elevbelastning %(year)s (varselgrense %(threshold)s aktiviteter)")
            % {"year": label, "threshold": dashboard.load_threshold},
            [_("Semester"), _("Elev"), _("Hovedinstrument"), _("Aktiviteter"), _("På eller over grensen")],
            [
                [term["label"], pupil["name"], pupil["instrument"], pupil["activities"], pupil["over"]]
                for term in dashboard.load
                for pupil in term["pupils"]
            ],
        )
    return tables


def _money_rows(dashboard: SchoolDashboard) -> list[list]:
    money = dashboard.money
    rows = []
    if money.contribution:
        rows.append([_("Kommunens tilskudd (lagt inn)"), money.contribution["amount"], None, None])
    rows.append([_("Regional pott for delregionen"), money.region_pool, None, None])
    for comparison in money.comparisons:
        rows.append([comparison.label, comparison.school, comparison.region_average, comparison.kind_average])
    return rows


def dashboard_csv(table: Table) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def network_csv(rows: list[dict]) -> str:
    table = Table(
        _("Nettverket"),
        [
            _("Skole"),
            _("Delregion"),
            _("Skoleslag"),
            _("Status"),
            _("Elevtall (GSI)"),
            _("Aktiviteter"),
            _("Elevdeltakelser"),
            _("Unike navngitte elever"),
            _("Andel av elevtallet (%)"),
            _("Tildeling (kr)"),
            _("Aktivitetsverdi (kr)"),
            _("Kommunens tilskudd (kr)"),
            _("Tilskudd betalt"),
        ],
        [
            [
                row["name"],
                row["region"],
                row["kind"],
                row["status_label"],
                row["enrolment"],
                row["activities"],
                row["pupils"],
                row["unique_pupils"],
                row["share"],
                row["allocation"],
                row["activity_value"],
                row["contribution"],
                row["contribution_paid_on"].isoformat() if row["contribution_paid_on"] else "",
            ]
            for row in rows
        ],
    )
    return dashboard_csv(table)


def _pdf_cell(value) -> str:
    if isinstance(value, Decimal):
        return (
            f"{value:,.0f}".replace(",", " ")
            if value == value.to_integral()
            else f"{value:,.2f}".replace(",", " ").replace(".", ",")
        )
    return _cell(value)


def dashboard_pdf(dashboard: SchoolDashboard) -> bytes:
    """The dashboard's figures as a PDF: the school, the note on which figures these are,
    and every table (the charts' numbers are in the tables)."""
    school = dashboard.school
    buffer = io.BytesIO()
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
    )
    styles = getSampleStyleSheet()
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
    for table in dashboard_tables(dashboard).values():
        story.append(Paragraph(escape(table.title), styles["Heading3"]))
        if not table.rows:
            story.append(Paragraph(escape(_("Ingen tall.")), styles["Normal"]))
            continue
        cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
        header = cell.clone("header", textColor=colors.white, fontName="Helvetica-Bold")
        data = [[Paragraph(escape(str(h)), header) for h in table.header]]
        data += [[Paragraph(escape(_pdf_cell(value)), cell) for value in row] for row in table.rows]
        pdf_table = PdfTable(data, repeatRows=1, hAlign="LEFT")
        pdf_table.setStyle(
            TableStyle(
                [
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
