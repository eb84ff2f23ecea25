"""Hand-built reports for the renderings' tests (and any other test that needs a report without
a database): `sample_report()` is an AnnualReport of three sections with a table of each
column kind, a suppressed count («<5»), a chart, Sámi names in table rows, a formula-looking
text, and a section long enough to run over several pages; `sample_sheet()` a
MunicipalitySheet, `longest_sheet()` the longest plausible one (6 schools, 10 areas, 9 kinds,
a 40-character name)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from core.privacy import SUPPRESSED
from ungmusikk.dashboards.tables import INT, MONEY, PERCENT, TEXT, Chart, Column, Table
from ungmusikk.reports.shapes import CALENDAR_YEAR, AnnualReport, MunicipalitySheet, ReportPeriod, ReportSection

# 2021-03-05 09:00 UTC is 10.00 in Oslo (winter time).
FIGURES_AS_OF = datetime(2021, 3, 5, 9, 0, tzinfo=UTC)
SAMI_NAMES = ("Máret Ánne Sára", "Áilu Ŋuolja")
FORMULA_TEXT = '=HYPERLINK("http://example.com","klikk")'
LONG_ROWS = 120  # rows of the long table: more than two A4 pages of them


def schools_table() -> Table:
    """Every column kind: text, count, money (one amount with øre: the column gets two
    decimals in every row), per cent; one count suppressed."""
    return Table(
        "skoler",
        "Skoler etter kommune",
        [
            Column("municipality", "Kommune", TEXT),
            Column("pupils", "Elever som deltok", INT),
            Column("enrolment", "Elevtall", INT),
            Column("share", "Andel (%)", PERCENT),
            Column("value", "Verdi (kr)", MONEY),
        ],
        [
            {
                "municipality": "Ås",
                "pupils": 1234567,
                "enrolment": 2345678,
                "share": Decimal("52.6"),
                "value": Decimal("80000"),
            },
            {
                "municipality": "Kautokeino",
                "pupils": SUPPRESSED,
                "enrolment": 412,
                "share": SUPPRESSED,
                "value": Decimal("10497.19"),
            },
            {
                "municipality": "Nordre Follo",
                "pupils": 38,
                "enrolment": 1200,
                "share": Decimal("3.2"),
                "value": Decimal("112000"),
            },
        ],
    )


def teachers_table() -> Table:
    """Names (Sámi among them) and a text a spreadsheet would run as a formula."""
    return Table(
        "laerere",
        "Lærere fra NMH",
        [Column("name", "Navn", TEXT), Column("activities", "Aktiviteter", INT)],
        [
            {"name": SAMI_NAMES[0], "activities": 7},
            {"name": SAMI_NAMES[1], "activities": 3},
            {"name": FORMULA_TEXT, "activities": 0},
        ],
    )


def activities_table(rows: int = LONG_ROWS) -> Table:
    return Table(
        "aktiviteter",
        "Aktiviteter i perioden",
        [
            Column("title", "Aktivitet", TEXT),
            Column("participants", "Deltakelser", INT),
            Column("cost", "Kostnad (kr)", MONEY),
        ],
        [
            {"title": f"Aktivitet nummer {number}", "participants": number * 10, "cost": Decimal(number * 1000)}
            for number in range(1, rows + 1)
        ],
    )


def sample_report(*, long_rows: int = LONG_ROWS) -> AnnualReport:
    """Three sections: the network (a chart of its schools' pupils, one of them «<5»), the
    activities (a table long enough to break pages: `long_rows` rows), the people (Sámi
    names, a formula-looking text), so the sections start on different pages."""
    return AnnualReport(
        period=ReportPeriod(CALENDAR_YEAR, 2020),
        title="Årsrapport for UngMusikk",
        figures_as_of=FIGURES_AS_OF,
        sections=[
            ReportSection(
                key="nettverket",
                title="Nettverket i tall",
                paragraphs=["Nettverket hadde 23 skoler i 2020.", "Tallene er fra GSI per 1. oktober."],
                tables=[schools_table()],
                charts=[Chart("elever", "skoler", "municipality", ("pupils",))],
                chart_titles={"elever": "Elever som deltok, etter kommune"},
            ),
            ReportSection(
                key="aktiviteter",
                title="Aktivitetene",
                paragraphs=["Alle aktivitetene i perioden."],
                tables=[activities_table(long_rows)],
            ),
            ReportSection(
                key="folk",
                title="Folk og lærere",
                paragraphs=["Lærerne fra NMH underviste på mange skoler."],
                tables=[teachers_table()],
            ),
        ],
    )


def sheet_tables(areas: int, kinds: int) -> list[Table]:
    by_area = Table(
        "etter_omraade",
        "Etter samarbeidsområde",
        [Column("area", "Område", TEXT), Column("pupils", "Elever", INT), Column("activities", "Aktiviteter", INT)],
        [
            {"area": f"Samarbeidsområde for fag {number}", "pupils": 12 * number, "activities": number}
            for number in range(1, areas + 1)
        ],
    )
    if areas:
        by_area.rows[0]["pupils"] = SUPPRESSED
    by_kind = Table(
        "etter_type",
        "Etter type aktivitet",
        [Column("kind", "Type", TEXT), Column("pupils", "Elever", INT), Column("activities", "Aktiviteter", INT)],
        [
            {"kind": f"Aktivitetstype {number}", "pupils": 5 + number, "activities": number}
            for number in range(1, kinds + 1)
        ],
    )
    by_age = Table(
        "etter_alder",
        "Etter aldersgruppe",
        [Column("band", "Alder", TEXT), Column("pupils", "Elever", INT)],
        [
            {"band": "Under grunnskolealder", "pupils": SUPPRESSED},
            {"band": "Grunnskolealder", "pupils": 1234},
            {"band": "Over grunnskolealder", "pupils": 56},
        ],
    )
    return [by_area, by_kind, by_age]


def sample_sheet() -> MunicipalitySheet:
    """Ås 2020, a member, two schools, with a pupil figure hidden («<5») in a table."""
    return MunicipalitySheet(
        municipality_name="Ås",
        municipality_number="3021",
        year=2020,
        status="Medlem",
        figures_as_of=FIGURES_AS_OF,
        population=20_500,
        tier="Sats 2 (10 000–29 999 innbyggere)",
        paid=Decimal("80000"),
        schools=["Ås kulturskole", "Áilu Ŋuolja musikkskole"],
        enrolment=1234,
        pupils_taking_part=38,
        participations=52,
        activities=16,
        activities_held=4,
        allocations=Decimal("30000"),
        activity_value=Decimal("82000.50"),
        value_received=Decimal("112000.50"),
        per_pupil=Decimal("90.76"),
        network_per_pupil=Decimal("75.10"),
        sentences=[
            "Ås betalte 80 000 kr og fikk aktiviteter verdt 112 000 kr.",
            "38 elever deltok i 16 aktiviteter, flest i talentutvikling.",
        ],
        tables=sheet_tables(areas=3, kinds=2),
    )


def longest_sheet() -> MunicipalitySheet:
    """The longest plausible sheet: a 40-character name, 6 schools with long names, every one
    of the 10 cooperation areas and 9 kinds, long sentences, seven-figure amounts."""
    name = "Kommunen med det aller lengste navnet ÅØ"
    assert len(name) == 40
    return MunicipalitySheet(
        municipality_name=name,
        municipality_number="5444",
        year=2020,
        status="Pilotkommune",
        figures_as_of=None,
        population=1_234_567,
        tier="Sats 5 (over 100 000 innbyggere, også Oslo)",
        paid=Decimal("1234567.89"),
        schools=[f"{SAMI_NAMES[number % 2]} kulturskole og musikkskole nr. {number}" for number in range(1, 7)],
        enrolment=123_456,
        pupils_taking_part=12_345,
        participations=23_456,
        activities=1_234,
        activities_held=345,
        allocations=Decimal("9876543.21"),
        activity_value=Decimal("8765432.10"),
        value_received=Decimal("18641975.31"),
        per_pupil=Decimal("151.00"),
        network_per_pupil=Decimal("149.99"),
        sentences=[
            f"{name} betalte 1 234 567,89 kr og fikk aktiviteter og tildelinger verdt 18 641 975,31 kr.",
            "12 345 elever deltok i 1 234 aktiviteter, flest i talentutvikling og samspill på tvers av skolene.",
            "Verdien per elev var 151 kr, mot 149,99 kr i nettverket som helhet; det er litt over snittet.",
        ],
        tables=sheet_tables(areas=10, kinds=9),
    )
