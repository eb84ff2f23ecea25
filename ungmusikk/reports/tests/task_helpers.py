"""What the tests of the annual report's files (task and pages) share: a small network with
figures and its rollups run, and a hand-built report for the page's template and charts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from core.privacy import SUPPRESSED
from ungmusikk.dashboards.tables import INT, MONEY, TEXT, Chart, Column, Table
from ungmusikk.reports.models import AnnualReportFile, report_storage
from ungmusikk.reports.shapes import CALENDAR_YEAR, AnnualReport, ReportPeriod, ReportSection

OSLO = ZoneInfo("Europe/Oslo")
PERIOD = ReportPeriod(CALENDAR_YEAR, 2020)
BUILT_AT = datetime(2021, 3, 6, 8, 15, tzinfo=UTC)  # 09.15 in Oslo
AS_OF = datetime(2021, 3, 5, 1, 30, tzinfo=UTC)  # 02.30 in Oslo


def network_with_figures(network):
    """School A and B at a shared activity in 2020 (with a cost), enrolment, and the night's
    rollups run: the figures of 2020 exist and are "as of" the rollups."""
    from activities.rollups import rollup_enrolment
    from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory
    from funding.rollups import rollup_budget
    from governance.models import CooperationArea
    from schools.tests.factories import EnrolmentFactory

    activity = ActivityFactory(
        region=network.follo,
        starts_at=datetime(2020, 3, 12, 10, 0, tzinfo=OSLO),
        ends_at=datetime(2020, 3, 12, 15, 0, tzinfo=OSLO),
        areas=[CooperationArea.objects.get(number=2)],
    )
    ParticipationFactory(activity=activity, school=network.school_a, pupils=12, teachers=1)
    ParticipationFactory(activity=activity, school=network.school_b, pupils=8, teachers=1)
    ActivityCostFactory(activity=activity, amount=Decimal("20000"))
    for school in (network.school_a, network.school_b):
        EnrolmentFactory(school=school, school_year=2019, pupils=200)
        EnrolmentFactory(school=school, school_year=2020, pupils=210)
    rollup_enrolment()
    rollup_budget()
    return network


def hand_built_report() -> AnnualReport:
    """Two sections: the schools with a chart of two datasets (one count «<5», a Sámi name,
    markup in a label that must be escaped), and the money with a negative amount."""
    schools = Table(
        "skoler",
        "Skolene",
        [Column("school", "Skole", TEXT), Column("pupils", "Elever", INT), Column("activities", "Aktiviteter", INT)],
        [
            {"school": "Skole A", "pupils": 120, "activities": 7},
            {"school": "Guovdageainnu kulturskuvla", "pupils": SUPPRESSED, "activities": 2},
            {"school": "<b>Skole B</b>", "pupils": 45, "activities": 3},
        ],
    )
    money = Table(
        "okonomi",
        "Budsjett mot regnskap",
        [Column("line", "Post", TEXT), Column("difference", "Avvik (kr)", MONEY)],
        [{"line": "Aktiviteter", "difference": Decimal("-12500")}, {"line": "Reiser", "difference": Decimal("4000")}],
    )
    return AnnualReport(
        period=PERIOD,
        title="Årsrapport for UngMusikk",
        figures_as_of=datetime(2021, 3, 5, 9, 0, tzinfo=UTC),
        sections=[
            ReportSection(
                key="skolene",
                title="Skolene",
                paragraphs=["Tre skoler deltok."],
                tables=[schools],
                charts=[Chart("elever", "skoler", "school", ("pupils", "activities"))],
                chart_titles={"elever": "Elever og aktiviteter per skole"},
            ),
            ReportSection(
                key="okonomi",
                title="Økonomien",
                tables=[money],
                charts=[Chart("avvik", "okonomi", "line", ("difference",))],
            ),
        ],
    )


def kept_files(period: ReportPeriod = PERIOD, *, language="nb", **fields) -> AnnualReportFile:
    """A row with files kept (written straight to the storage, as a finished generation
    leaves them)."""
    stem = f"rapporter/test-{period.slug}-{language}"
    pdf = report_storage.save(f"{stem}.pdf", ContentFile(b"%PDF-1.4 " + language.encode()))
    xlsx = report_storage.save(f"{stem}.xlsx", ContentFile(b"PK workbook " + language.encode()))
    values = {
        "status": "done",
        "progress": 100,
        "step": "Ferdig",
        "built_at": BUILT_AT,
        "finished_at": BUILT_AT,
        "figures_as_of": AS_OF,
        "pdf": pdf,
        "xlsx": xlsx,
    }
    return AnnualReportFile.objects.create(kind=period.kind, year=period.year, language=language, **values | fields)
