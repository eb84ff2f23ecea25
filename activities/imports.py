"""Reading a participation file (CSV or Excel .xlsx) into rows with their problems.

A file has one row per school (skole, elever, lærere) or one row per pupil (skole, fornavn,
etternavn, fødselsår), or both: a school's pupil count is its school row's `elever`, or else
the number of its named pupils. The culture schools' administration systems export such
lists. Nothing here writes: `services.participation_import` commits an error-free file."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

import openpyxl
import tablib
from django.core import signing
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from schools.models import Pupil, School

from .forms import MAX_COUNT
from .models import Activity
from .services import ParticipationData, participation_errors

SIGNING_SALT = "activities.participation_import"
# The column names the import page's help text gives, in Norwegian and in English.
HEADER_ALIASES = {
    "skole": "school",
    "school": "school",
    "elever": "pupils",
    "antall elever": "pupils",
    "pupils": "pupils",
    "lærere": "teachers",
    "laerere": "teachers",
    "antall lærere": "teachers",
    "teachers": "teachers",
    "fornavn": "first_name",
    "first name": "first_name",
    "etternavn": "last_name",
    "last name": "last_name",
    "fødselsår": "birth_year",
    "fodselsar": "birth_year",
    "født": "birth_year",
    "year of birth": "birth_year",
    "birth year": "birth_year",
}
# More data rows than any activity has schools or named pupils; a bigger file is refused at
# once instead of keeping a worker busy for a minute (190 000 rows fit in 2 MB of .xlsx).
MAX_ROWS = 5_000


class ImportFileError(Exception):
    """The file can't be read at all (wrong format, no header row, no known columns)."""


class StalePreview(Exception):  # noqa: N818 - a state of the preview, not a programming error
    """The activity changed after the preview was made: committing it would overwrite the
    newer change without the person having seen it."""


class PreviewGone(StalePreview):
    """A school or a pupil the preview names has been deleted since it was made."""


@dataclass
class ImportRow:
    number: int  # the row's line in the file; the header is line 1
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    school: School | None = None
    pupil: Pupil | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    participations: list[ParticipationData]

    @property
    def has_problems(self) -> bool:
        return any(row.problems for row in self.rows)

    @property
    def problem_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    def payload(self, *, activity: Activity) -> str:
        """The checked rows, signed, for the commit step (the file is not uploaded twice)."""
        return signing.dumps(
            {
                "activity": activity.pk,
                "version": activity.version,
                "rows": [
                    {
                        "school": p.school.pk,
                        "pupils": p.pupils,
                        "teachers": p.teachers,
                        "named": [pupil.pk for pupil in p.named_pupils],
                    }
                    for p in self.participations
                ],
            },
            salt=SIGNING_SALT,
            compress=True,
        )


def participations_from_payload(*, payload: str, activity: Activity) -> list[ParticipationData]:
    """The rows a preview signed; raises signing.BadSignature for anything else, and
    StalePreview when the activity has been saved since the preview was made, or a school or
    pupil it names has been deleted."""
    data = signing.loads(payload, salt=SIGNING_SALT)
    if data.get("activity") != activity.pk:
        raise signing.BadSignature("payload for another activity")
    if data.get("version") != activity.version:
        raise StalePreview
    schools = School.objects.in_bulk([row["school"] for row in data["rows"]])
    pupils = Pupil.objects.in_bulk([pk for row in data["rows"] for pk in row["named"]])
    if any(row["school"] not in schools or not set(row["named"]) <= pupils.keys() for row in data["rows"]):
        raise PreviewGone
    return [
        ParticipationData(
            school=schools[row["school"]],
            pupils=row["pupils"],
            teachers=row["teachers"],
            named_pupils=[pupils[pk] for pk in row["named"]],
        )
        for row in data["rows"]
    ]


def read_table(*, name: str, content: bytes) -> tablib.Dataset:
    """A CSV (UTF-8 or Latin-1, comma or semicolon) or .xlsx file as a tablib Dataset of at
    most MAX_ROWS data rows."""
    try:
        if name.lower().endswith(".xlsx"):
            return _xlsx_table(content)
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
        if text.count("\n") > MAX_ROWS + 1:
            raise _TooManyRows
        try:
            delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=";,\t").delimiter
        except csv.Error:
            delimiter = ","
        return tablib.Dataset().load(io.StringIO(text).read(), format="csv", delimiter=delimiter)
    except _TooManyRows as error:
        raise ImportFileError(
            _("Filen har for mange rader (høyst %(limit)s).") % {"limit": number_format(MAX_ROWS, force_grouping=True)}
        ) from error
    except Exception as error:  # tablib and openpyxl raise many kinds for a broken file
        raise ImportFileError(_("Filen kan ikke leses som CSV eller Excel (.xlsx).")) from error


class _TooManyRows(Exception):
    pass


def _xlsx_table(content: bytes) -> tablib.Dataset:
    """The first sheet of an .xlsx file. A formula is read as its last computed value; a
    formula that was never computed (a file written by a script, not saved in Excel) is read
    as its text ("=1+2"), so that the preview names it as a problem instead of taking it as
    an empty cell, that is 0."""
    values = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    formulas = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False).worksheets[0]
    rows = []
    for number, (row, source) in enumerate(
        zip(values.iter_rows(values_only=True), formulas.iter_rows(values_only=True), strict=False)
    ):
        if number > MAX_ROWS:
            raise _TooManyRows
        rows.append(
            [
                text if value is None and isinstance(text, str) and text.startswith("=") else value
                for value, text in zip(row, source, strict=False)
            ]
        )
    if not rows:
        return tablib.Dataset()
    width = max(len(row) for row in rows)
    rows = [list(row) + [None] * (width - len(row)) for row in rows]
    headers = ["" if cell is None else str(cell) for cell in rows[0]]
    return tablib.Dataset(*[tuple(row) for row in rows[1:]], headers=headers)


# A count as a person types it, or as Excel stores a whole number ("12", "12.0", "12,0"): ASCII
# digits only, so "nan", "inf", "1e1", "-3", "2.5" or "²" are row problems, never a crash.
WHOLE_NUMBER = re.compile(r"([0-9]{1,9})(?:[.,]0+)?")


def _count(value: str, column: str, problems: list[str]) -> int | None:
    """A whole number from 0 to MAX_COUNT from a cell, or None with the row's problem named."""
    value = str(value).strip()
    if value == "":
        return 0
    match = WHOLE_NUMBER.fullmatch(value)
    if match is None or int(match[1]) > MAX_COUNT:
        problems.append(
            _("Ugyldig tall i «%(column)s»: «%(value)s» (et helt tall fra 0 til %(limit)s).")
            % {"column": column, "value": value[:40], "limit": number_format(MAX_COUNT, force_grouping=True)}
        )
        return None
    return int(match[1])


def preview_import(*, activity: Activity, name: str, content: bytes) -> ImportPreview:
    """Every row of the file with its problems (unknown school, unknown pupil, bad number,
    duplicate, and the activity's rules: membership on the day, enrolment), and the
    participations the file would set when it has none."""
    table = read_table(name=name, content=content)
    headers = [HEADER_ALIASES.get(str(h or "").strip().lower()) for h in (table.headers or [])]
    if "school" not in headers:
        raise ImportFileError(_("Filen mangler kolonnen «skole» i første rad."))
    column_label = {key: str(h).strip() for key, h in zip(headers, table.headers, strict=True) if key}

    schools = list(School.objects.all())
    by_name = {s.name.casefold(): s for s in schools} | {s.slug.casefold(): s for s in schools}
    rows: list[ImportRow] = []
    for number, raw in enumerate(table, start=2):
        values = {
            key: "" if cell is None else str(cell).strip() for key, cell in zip(headers, raw, strict=False) if key
        }
        if not any(values.values()):
            continue
        row = ImportRow(number=number, values=values)
        school_name = values.get("school", "")
        row.school = by_name.get(school_name.casefold())
        if row.school is None:
            row.problems.append(_("Ukjent skole: «%(school)s».") % {"school": school_name})
        rows.append(row)
    if not rows:
        raise ImportFileError(_("Filen har ingen rader under overskriftene: det er ingenting å importere."))

    mentioned = {row.school.pk for row in rows if row.school}
    pupils_by_school: dict[int, list[Pupil]] = defaultdict(list)
    for pupil in Pupil.objects.filter(schools__in=mentioned).distinct().prefetch_related("schools"):
        for school in pupil.schools.all():
            pupils_by_school[school.pk].append(pupil)

    school_rows: dict[int, ImportRow] = {}
    pupil_rows: dict[tuple[int, int], ImportRow] = {}
    counts: dict[int, tuple[int, int]] = {}
    named: dict[int, list[Pupil]] = defaultdict(list)
    first_row_of: dict[int, ImportRow] = {}
    for row in rows:
        values = row.values
        is_pupil_row = bool(values.get("first_name") or values.get("last_name"))
        if is_pupil_row:
            birth_year = _count(values.get("birth_year", ""), column_label.get("birth_year", "fødselsår"), row.problems)
            if row.school is None:
                continue
            matches = [
                p
                for p in pupils_by_school[row.school.pk]
                if p.first_name.casefold() == values.get("first_name", "").casefold()
                and p.last_name.casefold() == values.get("last_name", "").casefold()
                and (not birth_year or p.birth_year == birth_year)
            ]
            full_name = f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()
            if not matches:
                row.problems.append(
                    _("Ukjent elev ved %(school)s: «%(pupil)s».") % {"school": row.school, "pupil": full_name}
                )
            elif len(matches) > 1:
                row.problems.append(
                    _("Flere elever ved %(school)s heter «%(pupil)s»: oppgi fødselsår.")
                    % {"school": row.school, "pupil": full_name}
                )
            else:
                row.pupil = matches[0]
                key = (row.school.pk, row.pupil.pk)
                if key in pupil_rows:
                    row.problems.append(
                        _("Duplikat: eleven står allerede på rad %(row)s.") % {"row": pupil_rows[key].number}
                    )
                else:
                    pupil_rows[key] = row
                    named[row.school.pk].append(row.pupil)
        else:
            pupils = _count(values.get("pupils", ""), column_label.get("pupils", "elever"), row.problems)
            teachers = _count(values.get("teachers", ""), column_label.get("teachers", "lærere"), row.problems)
            if row.school is None:
                continue
            if row.school.pk in school_rows:
                row.problems.append(
                    _("Duplikat: skolen står allerede på rad %(row)s.") % {"row": school_rows[row.school.pk].number}
                )
                continue
            school_rows[row.school.pk] = row
            if pupils is not None and teachers is not None:
                counts[row.school.pk] = (pupils, teachers)
        if row.school is not None:
            first_row_of.setdefault(row.school.pk, row)

    participations = []
    school_of_row = []
    for school_pk, first_row in first_row_of.items():
        pupils, teachers = counts.get(school_pk, (len(named[school_pk]), 0))
        participations.append(
            ParticipationData(school=first_row.school, pupils=pupils, teachers=teachers, named_pupils=named[school_pk])
        )
        school_of_row.append(school_rows.get(school_pk, first_row))
    for index, errors in participation_errors(starts_at=activity.starts_at, participations=participations).items():
        school_of_row[index].problems.extend(str(message) for message in errors.values())
    return ImportPreview(rows=rows, participations=participations)
