"""Reading an import file (issue 11): counts that are not whole numbers, the encodings Excel and
Windows write (UTF-8 with or without BOM, UTF-16, Windows-1252), Excel's `sep=` line, and rows
wider than the header. Each fault is a row problem in the preview, never a 500 or a whole file
refused for one row; nothing is written by a preview."""

import contextlib
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from activities.imports import ImportFileError, preview_import, read_table
from activities.models import Participation
from core.tests.hostile import hostile_settings
from schools.tests.factories import SchoolFactory

LIMIT = "100\xa0000"


def _preview(client, activity, content: bytes, name="deltakelse.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("activities:import"), {"aktivitet": activity.pk, "file": upload})


def _participations(activity):
    return sorted(activity.participations.values_list("school__name", "pupils", "teachers"))


BEFORE = [("Skole A", 4, 1)]  # follo_activity's participation


@pytest.mark.parametrize(
    "value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e1", "2.5", "-1", "100001", "100 001", "1,000", "1 2"]
)
def test_a_count_that_is_not_a_whole_number_is_a_row_problem(client_as, coord_follo, follo_activity, value):
    response = _preview(client_as(coord_follo), follo_activity, f"skole;elever\nSkole A;{value}\n".encode())
    assert response.status_code == 200
    assert [(row.number, row.problems) for row in response.context["preview"].rows] == [
        (2, [f"Ugyldig tall i «elever»: «{value}» (et helt tall fra 0 til {LIMIT})."])
    ]
    assert response.context["payload"] is None
    assert _participations(follo_activity) == BEFORE


@pytest.mark.parametrize(("value", "pupils"), [("12", 12), ("1 200", 1200), ("1\xa0200", 1200), ("100 000", 100_000)])
def test_whole_numbers_with_spaces_between_the_thousands_are_read(
    client_as, coord_follo, follo_activity, network, value, pupils
):
    response = _preview(client_as(coord_follo), follo_activity, f"skole;elever\nSkole B;{value}\n".encode())
    assert response.status_code == 200
    [participation] = response.context["preview"].participations
    assert participation.pupils == pupils
    assert _participations(follo_activity) == BEFORE


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-8", ";"), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1252", ";"), ("cp1252", ",")],
)
def test_the_file_is_read_in_the_encoding_it_was_written_in(
    client_as, coord_follo, follo_activity, encoding, separator
):
    """Š Ž š ž ’ – € are bytes 0x80–0x9F in Windows-1252, which Latin-1 reads as control characters."""
    name = "Ivana Šaric Žž’–€"
    text = f"skole{separator}fornavn{separator}etternavn\r\nSkole A{separator}{name}{separator}Berg\r\n"
    response = _preview(client_as(coord_follo), follo_activity, text.encode(encoding))
    assert response.status_code == 200
    [row] = response.context["preview"].rows
    assert row.values["first_name"] == name
    assert row.problems == [f"Ukjent elev ved Skole A: «{name} Berg»."]
    assert response.context["payload"] is None
    assert _participations(follo_activity) == BEFORE


def test_latin1_is_the_last_resort():
    """0x81 is undefined in Windows-1252: such a file can only be Latin-1."""
    table = read_table(name="d.csv", content="skole;navn\nSkole A;\x81Åse\n".encode("latin-1"))
    assert table.rows == [["Skole A", "\x81Åse"]]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_an_excel_sep_line_names_the_separator_and_is_skipped(client_as, coord_follo, follo_activity, separator):
    """The counts hold the other separators ("1,0", "2;"), so only the sep= line tells them apart."""
    text = (
        f"sep={separator}\n"
        f"skole{separator}elever{separator}lærere\n"
        f"Skole A{separator}tre{separator}1\n"
        f"Skole A2{separator}2{separator}1\n"
    )
    response = _preview(client_as(coord_follo), follo_activity, text.encode("cp1252"))
    assert response.status_code == 200
    assert [(row.number, row.values, row.problems) for row in response.context["preview"].rows] == [
        (
            2,
            {"school": "Skole A", "pupils": "tre", "teachers": "1"},
            [f"Ugyldig tall i «elever»: «tre» (et helt tall fra 0 til {LIMIT})."],
        ),
        (3, {"school": "Skole A2", "pupils": "2", "teachers": "1"}, []),
    ]
    assert response.context["payload"] is None
    assert _participations(follo_activity) == BEFORE


def test_a_trailing_separator_is_ignored(client_as, coord_follo, follo_activity, network):
    SchoolFactory(name="Kulturskolen i Ås", region=network.follo)
    text = "skole;elever;lærere\nKulturskolen i Ås;12;2;\nSkole A;3;1;;\n"
    response = _preview(client_as(coord_follo), follo_activity, text.encode())
    assert response.status_code == 200
    assert [(row.number, row.values, row.problems) for row in response.context["preview"].rows] == [
        (2, {"school": "Kulturskolen i Ås", "pupils": "12", "teachers": "2"}, []),
        (3, {"school": "Skole A", "pupils": "3", "teachers": "1"}, []),
    ]
    assert response.context["payload"]
    assert _participations(follo_activity) == BEFORE


def test_a_row_wider_than_the_header_is_a_row_problem(client_as, coord_follo, follo_activity, enrolment):
    """Only that row: the others are read, a short row with its missing cells empty (as before)."""
    text = "skole;elever;lærere\nSkole A2;3;1;;\nSkole A;4;1;x;y\n\nSkole B;1\n"
    response = _preview(client_as(coord_follo), follo_activity, text.encode())
    assert response.status_code == 200
    assert [(row.number, row.values, row.problems) for row in response.context["preview"].rows] == [
        (2, {"school": "Skole A2", "pupils": "3", "teachers": "1"}, []),
        (3, {"school": "Skole A", "pupils": "4", "teachers": "1"}, ["Raden har 5 felt, overskriften 3."]),
        (5, {"school": "Skole B", "pupils": "1", "teachers": ""}, []),
    ]
    assert response.context["payload"] is None
    assert _participations(follo_activity) == BEFORE


def test_a_file_whose_every_row_is_too_wide_is_refused_with_the_reason(client_as, coord_follo, follo_activity):
    response = _preview(client_as(coord_follo), follo_activity, b"skole;elever\nSkole A;1;2;3\n")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["Ingen rad i filen kan leses (rad 2: Raden har 4 felt, overskriften 2.)"]
    }
    assert _participations(follo_activity) == BEFORE


def test_a_cell_too_long_for_the_csv_module_is_a_row_problem(client_as, coord_follo, follo_activity):
    text = "skole;elever\nSkole A;" + "1" * 200_000 + "\nSkole A2;2\n"
    response = _preview(client_as(coord_follo), follo_activity, text.encode())
    assert response.status_code == 200
    assert [(row.number, row.problems) for row in response.context["preview"].rows] == [
        (2, ["Raden kan ikke leses: et felt er lengre enn 131\xa0072 tegn."]),
        (3, []),
    ]
    assert response.context["payload"] is None
    assert _participations(follo_activity) == BEFORE


# -- property: any text and numbers, in any of the encodings and separators, read back as written

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]
HEADER = ["skole", "elever", "lærere"]


def _encodable(encoding):
    if encoding == "cp1252":
        return st.characters(codec="cp1252")
    return st.characters(exclude_categories=["Cs"])


@st.composite
def files(draw):
    encoding = draw(st.sampled_from(ENCODINGS))
    separator = draw(st.sampled_from([";", ",", "\t"]))
    cell = st.one_of(
        st.text(_encodable(encoding), max_size=12),
        st.integers(-(10**12), 10**12).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["nan", "inf", "-inf", "Infinity", "1e1", "2.5", "-1", "1 200", "Skole A", "Skole A2"]),
    )
    rows = draw(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=6))
    buffer = io.StringIO()
    if draw(st.booleans()):
        buffer.write(f"sep={separator}" + draw(st.sampled_from(["\r\n", "\n"])))
    # "\r\n" as Excel writes: the csv module then quotes a cell holding "\r" or "\n" (with "\n"
    # alone it leaves a "\r" bare, and no reader can tell that from a line's end).
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows([HEADER, *rows])
    return encoding, buffer.getvalue().encode(encoding), rows


@hostile_settings(60)
@given(file=files())
@example(file=("cp1252", b"sep=;\nskole;elever;l\xe6rere\n\x8aaric;1 200;\x81\n", None))
def test_any_file_is_read_as_written_or_refused(coord_follo, follo_activity, file):
    encoding, content, rows = file
    try:
        table = read_table(name="d.csv", content=content)
    except ImportFileError:
        table = None
    if table is not None and rows is not None:
        # "Ã©" in cp1252 is "é" in UTF-8: a file that is not UTF-8 as a whole is read line by
        # line, so a cp1252 line that is also valid UTF-8 (and reads differently) is ambiguous.
        ambiguous = encoding == "cp1252" and any(
            _valid_utf8(line) and line.decode("utf-8") != line.decode("cp1252") for line in content.splitlines()
        )
        if not ambiguous:
            assert table.headers == HEADER
            written = [row for row in rows if any(cell.strip() for cell in row)]
            assert table.rows == written
            assert not table.problems
    with contextlib.suppress(ImportFileError):
        preview_import(user=coord_follo, activity=follo_activity, name="d.csv", content=content)
    assert _participations(follo_activity) == BEFORE


def _valid_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- Names a person would recognise (activities/matching.py) -----------------------------------


@pytest.fixture
def as_kulturskole(network):
    from schools.models import Membership
    from schools.tests.factories import MunicipalityFactory, SchoolFactory

    school = SchoolFactory(
        name="Kulturskolen i Ås",
        slug="kulturskolen-i-as",
        region=network.follo,
        municipality=MunicipalityFactory(name="Ås"),
    )
    Membership.objects.filter(school=school).update(status=Membership.Status.MEMBER)
    return school


def test_a_school_written_as_people_write_it_is_found(client_as, coord_follo, follo_activity, as_kulturskole):
    text = "skole;elever;lærere\nÅs kulturskole;3;1\nkulturskolen\u00a0i  ÅS;;\n"
    response = _preview(client_as(coord_follo), follo_activity, text.encode())

    rows = response.context["preview"].rows
    assert [(row.number, row.school, row.problems) for row in rows][:1] == [(2, as_kulturskole, [])]


def test_a_near_miss_asks_whether_the_person_meant_the_school(client_as, coord_follo, follo_activity, as_kulturskole):
    response = _preview(client_as(coord_follo), follo_activity, b"skole;elever\nKulturskolen i Aas;3\n")

    assert response.context["preview"].rows[0].problems == [
        "Ukjent skole: «Kulturskolen i Aas» – mente du «Kulturskolen i Ås»?"
    ]
    assert not Participation.objects.filter(school=as_kulturskole).exists()


def test_a_sum_row_is_skipped_with_a_note(client_as, coord_follo, follo_activity, network, enrolment):
    response = _preview(client_as(coord_follo), follo_activity, "skole;elever;lærere\nSkole A;3;1\nSum;3;1\n".encode())

    preview = response.context["preview"]
    assert [row.number for row in preview.rows] == [2]
    assert not preview.has_problems
    assert preview.notes == ["Rad 3 («Sum») ser ut som en sumlinje og er hoppet over."]
    assert 'id="import-notes"' in response.content.decode()


# --- Found by trying to break the import (a newcomer's files) ----------------------------------


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("skole;elever;skole\nSkole A;6;Skole A2\n", "«skole»"),
        ("skole;elever;lærere;elever\nSkole A;6;1;\n", "«elever»"),
        ("skole;elever;Antall elever\nSkole A;6;7\n", "«Antall elever», «elever»"),
    ],
)
def test_a_column_named_twice_refuses_the_file_and_names_it(client_as, coord_follo, follo_activity, text, columns):
    response = _preview(client_as(coord_follo), follo_activity, text.encode())

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        f"Samme kolonne står flere ganger i første rad: {columns}. La hver kolonne stå én gang."
    ]


def test_a_column_the_import_does_not_know_is_named_in_a_note(client_as, coord_follo, follo_activity, enrolment):
    response = _preview(client_as(coord_follo), follo_activity, "skole;elever;Lærer\nSkole A;6;3\n".encode())

    assert response.context["preview"].notes == ["Disse kolonnene er ikke med i importen (ukjent overskrift): «Lærer»."]


def test_one_windows_1252_row_in_a_utf8_file_keeps_the_header(
    client_as, coord_follo, follo_activity, enrolment, as_kulturskole
):
    """A row pasted in from a Windows-1252 file: the UTF-8 header ("lærere") and the other rows
    are still read as UTF-8, the pasted row as Windows-1252."""
    content = "skole;elever;lærere\n".encode() + "Kulturskolen i Ås;6;1\n".encode("cp1252") + b"Skole A;2;1\n"

    response = _preview(client_as(coord_follo), follo_activity, content)

    preview = response.context["preview"]
    assert [(row.number, row.school, row.values.get("teachers")) for row in preview.rows] == [
        (2, as_kulturskole, "1"),
        (3, preview.rows[1].school, "1"),
    ]
    assert preview.rows[1].school.name == "Skole A"
    assert preview.notes == []


def test_the_preview_tables_scroll_inside_the_page_on_a_phone(client_as, coord_follo, follo_activity, enrolment):
    """A newcomer's phone (390 px): the preview's wide tables scroll inside their own box."""
    response = _preview(client_as(coord_follo), follo_activity, b"skole;elever\nSkole A;3\nNordpolen;1\n")
    html = response.content.decode()

    assert '<div class="table-responsive">\n    <table class="table table-sm" id="import-preview">' in html
