"""Reading a participation file (CSV or Excel .xlsx) into rows with their problems, and what
the import would change.

A file has one row per school (skole, elever, lærere) or one row per pupil (skole, fornavn,
etternavn, fødselsår), or both. It merges into the activity (`services.
participation_import_changes`): per school in the file, only what the file gives changes. The
culture schools' administration systems export such lists. Nothing here writes:
`services.participation_import` commits an error-free file."""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

import openpyxl
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from core.bounds import MAX_COUNT
from core.formatting import number_text
from schools.models import Pupil, School

from .matching import MatchResult, SchoolMatcher, is_total_row, normalise
from .models import Activity
from .selectors import pupil_names_visible
from .services import (
    ImportedSchool,
    ParticipationData,
    SchoolChange,
    participation_errors,
    participation_import_changes,
    participation_import_names_kept,
    participation_import_names_refused,
    participation_import_names_refused_message,
)

SIGNING_SALT = "activities.participation_import"
# The uploaded file itself, carried by a preview with problems (see `signed_file`).
FILE_SIGNING_SALT = "activities.participation_import.file"
# The import's size limit (activities.forms.ImportForm refuses a bigger upload; one home).
MAX_FILE_BYTES = 2 * 1024 * 1024
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
    # A per-pupil row whose pupil is not in the register at its school (the preview offers
    # to register them), with the birth year read from the row (None when it can't be read).
    unknown_pupil: bool = False
    birth_year: int | None = None


@dataclass
class ImportPreview:
    """What a file would change: its rows with their problems, what it says per school
    (`imported`), and each of those schools' participation before → after (`changes`, by
    `services.participation_import_changes`, as the commit computes it), with every row of
    the activity after the import (`after`). `replace`: the person chose "Erstatt navngitte
    elever". A preview made again from a signed payload has no `rows`, only `row_count`."""

    rows: list[ImportRow]
    imported: list[ImportedSchool] = field(default_factory=list)
    changes: list[SchoolChange] = field(default_factory=list)
    after: list[ParticipationData] = field(default_factory=list)
    replace: bool = False
    file_name: str = ""
    row_count: int = 0
    other_problems: list[str] = field(default_factory=list)
    replace_would_remove: list[SchoolChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read differently, e.g. a skipped "Sum" row

    @property
    def has_problems(self) -> bool:
        return bool(self.other_problems) or any(row.problems for row in self.rows)

    @property
    def problem_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def participations(self) -> list[ParticipationData]:
        """The participation of each school in the file after the import."""
        return [change.after for change in self.changes]

    @property
    def removed(self) -> list[SchoolChange]:
        """The schools that lose named pupils, with whom (only when `replace`)."""
        return [change for change in self.changes if change.removed]

    @property
    def untouched(self) -> int:
        """How many of the activity's schools the file leaves as they are."""
        return len(self.after) - len(self.changes)

    def payload(self, *, activity: Activity) -> str:
        """What the file says, signed, for the commit step (the file is not uploaded twice):
        the commit computes the same "after" from it."""
        return signing.dumps(
            {
                "activity": activity.pk,
                "version": activity.version,
                "file": self.file_name,
                "rows": self.row_count,
                "replace": self.replace,
                "schools": [
                    {
                        "school": row.school.pk,
                        "pupils": row.pupils,
                        "teachers": row.teachers,
                        "named": [pupil.pk for pupil in row.named_pupils],
                    }
                    for row in self.imported
                ],
            },
            salt=SIGNING_SALT,
            compress=True,
        )


@dataclass
class SignedImport:
    """A preview's signed payload, read back: what the file said, at the activity's version."""

    schools: list[ImportedSchool]
    version: int
    replace: bool
    file_name: str
    row_count: int


def import_from_payload(*, payload: str, activity: Activity) -> SignedImport:
    """What a preview signed; raises signing.BadSignature for anything else, and StalePreview
    when the activity has been saved since the preview was made, or PreviewGone when a school
    or pupil it names has been deleted."""
    data = signing.loads(payload, salt=SIGNING_SALT)
    if not isinstance(data, dict) or data.get("activity") != activity.pk:
        raise signing.BadSignature("payload for another activity")
    if data.get("version") != activity.version:
        raise StalePreview
    try:
        rows = [
            (int(row["school"]), _optional(row["pupils"]), _optional(row["teachers"]), [int(pk) for pk in row["named"]])
            for row in data["schools"]
        ]
        replace, file_name, row_count = bool(data["replace"]), str(data["file"]), int(data["rows"])
    except (KeyError, TypeError, ValueError) as error:
        raise signing.BadSignature("not a preview's payload") from error
    schools = School.objects.in_bulk([school for school, *_rest in rows])
    pupils = Pupil.objects.in_bulk([pk for *_rest, named in rows for pk in named])
    if any(school not in schools or not set(named) <= pupils.keys() for school, _p, _t, named in rows):
        raise PreviewGone
    return SignedImport(
        schools=[
            ImportedSchool(
                school=schools[school], pupils=count, teachers=teachers, named_pupils=[pupils[pk] for pk in named]
            )
            for school, count, teachers, named in rows
        ],
        version=activity.version,
        replace=replace,
        file_name=file_name,
        row_count=row_count,
    )


def signed_file(*, activity: Activity, user, name: str, content: bytes) -> str | None:
    """The uploaded file (its name and bytes), signed and compressed, for a form of a preview
    with problems that shows the preview again without a second upload (registering a pupil
    the file names). Bound to the activity and the person. None when the file is above the
    import's size limit, or would not fit in a form's POST (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    if len(content) > MAX_FILE_BYTES:
        return None
    value = signing.dumps(
        {
            "activity": activity.pk,
            "user": user.pk,
            "name": str(name),
            "content": base64.b64encode(content).decode("ascii"),
        },
        salt=FILE_SIGNING_SALT,
        compress=True,
    )
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and len(value) > limit - 64 * 1024:
        return None
    return value


def file_from_signed(*, value: str, activity: Activity, user) -> tuple[str, bytes]:
    """The file `signed_file` signed, as (name, bytes); raises signing.BadSignature for
    anything else (tampered, another activity's or person's, not a file)."""
    data = signing.loads(value, salt=FILE_SIGNING_SALT)
    if not isinstance(data, dict) or data.get("activity") != activity.pk or data.get("user") != user.pk:
        raise signing.BadSignature("a file for another activity or person")
    try:
        name, content = data["name"], base64.b64decode(data["content"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise signing.BadSignature("not a signed file") from error
    if not isinstance(name, str) or len(content) > MAX_FILE_BYTES:
        raise signing.BadSignature("not a signed file")
    return name, content


def _optional(value) -> int | None:
    return None if value is None else int(value)


def preview_again(*, user, activity: Activity, signed: SignedImport, replace: bool) -> ImportPreview:
    """The preview of a signed payload (with "Erstatt navngitte elever" chosen or not),
    without the file's rows: they were checked when it was uploaded. Pupils it names at a
    school whose pupils' names the user may not see (a payload signed for someone else) are
    a problem of the preview, as the commit refuses them."""
    preview = ImportPreview(rows=[], file_name=signed.file_name, row_count=signed.row_count)
    preview.other_problems.extend(
        participation_import_names_refused_message(school=school)
        for school in participation_import_names_refused(user=user, participations=signed.schools)
    )
    _changes(preview, user=user, activity=activity, imported=signed.schools, replace=replace, row_of={})
    return preview


def _changes(
    preview: ImportPreview,
    *,
    user,
    activity: Activity,
    imported: list[ImportedSchool],
    replace: bool,
    row_of: dict[int, ImportRow],
) -> None:
    """Fill in the preview's before → after (the commit's own function), and the problems of
    the rows after the import: each at the file's row of its school (`row_of`), those of
    schools not in the file (or of a preview made again) as the preview's other problems."""
    current = [
        ParticipationData.of(participation)
        for participation in activity.participations.select_related("school").prefetch_related("named_pupils")
    ]
    preview.imported = imported
    preview.replace = replace
    kept = participation_import_names_kept(user=user, participations=imported)
    preview.changes, preview.after = participation_import_changes(
        current=current, imported=imported, replace=replace, names_kept_at=kept
    )
    if not replace:
        would = participation_import_changes(current=current, imported=imported, replace=True, names_kept_at=kept)[0]
        preview.replace_would_remove = [change for change in would if change.removed]
    errors = participation_errors(starts_at=activity.starts_at, participations=preview.after)
    for index, row_errors in errors.items():
        school = preview.after[index].school
        messages = [str(message) for message in row_errors.values()]
        if school.pk in row_of:
            row_of[school.pk].problems.extend(messages)
        else:
            preview.other_problems.extend(
                _("%(school)s: %(problem)s") % {"school": school, "problem": message} for message in messages
            )


@dataclass
class Table:
    """A file's header and its data rows, each row as wide as the header. `numbers` holds each
    row's number (the header is row 1; blank lines count, as in a spreadsheet, and an Excel
    `sep=` line does not, as Excel hides it); `problems` names the rows that could not be read
    (more non-empty cells than the header) by their number."""

    headers: list[str]
    rows: list[list] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    problems: dict[int, str] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.rows)


# Byte order marks: Excel's "Unicode text" is UTF-16 (little-endian, tab-separated) with one.
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
DELIMITERS = (";", "\t", ",")
# Excel's first line naming the separator: "sep=;", "sep=," or "sep=" and a tab (or the two
# characters "\t", as people type it).
SEP_LINE = re.compile(r"sep=(;|,|\t|\\t|\|)\s*", re.IGNORECASE)


def decode(content: bytes) -> str:
    """The text of a CSV file: by its byte order mark (UTF-8, UTF-16, UTF-32), else UTF-8, else
    line by line UTF-8, Windows-1252 (what Excel for Windows writes as "CSV") or Latin-1, which
    reads any bytes (Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined)."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            return content.decode(encoding)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8 as a whole: line by line, so that one row pasted in from a Windows-1252 file
    # does not turn a UTF-8 header ("lærere") into "lÃ¦rere".
    return "".join(_decode_line(line) for line in content.splitlines(keepends=True))


def _decode_line(line: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1")


def _delimiter(first_line: str) -> str:
    """The separator that splits the header line into the most cells (";" before tab before ","
    when they tie, a file of one column is ","), each candidate tried with the csv module."""
    widths = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in DELIMITERS}
    best = max(widths.values())
    return next((d for d in DELIMITERS if widths[d] == best), ",") if best > 1 else ","


def read_table(*, name: str, content: bytes) -> Table:
    """A CSV (UTF-8, UTF-16, Windows-1252 or Latin-1; semicolon, tab or comma, or the separator
    an Excel `sep=` first line names) or .xlsx file as a Table of at most MAX_ROWS data rows.
    Raises ImportFileError when no row of it can be read, with the reason."""
    try:
        if name.lower().endswith(".xlsx"):
            return _xlsx_table(content)
        return _csv_table(decode(content))
    except _TooManyRows as error:
        raise ImportFileError(
            _("Filen har for mange rader (høyst %(limit)s).") % {"limit": number_text(MAX_ROWS)}
        ) from error
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("Filen kan ikke leses som CSV eller Excel (.xlsx).")) from error


def _csv_table(text: str) -> Table:
    if text.count("\n") > MAX_ROWS + 2:
        raise _TooManyRows
    lines = io.StringIO(text, newline="")
    first = lines.readline()
    sep = SEP_LINE.fullmatch(first.rstrip("\r\n"))
    if sep:
        delimiter = {"|": "|", "\\t": "\t"}.get(sep[1], sep[1])
    else:
        delimiter = _delimiter(first.rstrip("\r\n"))
        lines.seek(0)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise ImportFileError(
            _("Overskriftsraden kan ikke leses: et felt er lengre enn %(limit)s tegn.")
            % {"limit": number_text(csv.field_size_limit())}
        ) from error
    while header and not str(header[-1]).strip():
        header.pop()
    table = Table(headers=header)
    width = len(header)
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:  # a cell longer than the csv module's limit; the reader goes on after it
            table.problems[number] = _("Raden kan ikke leses: et felt er lengre enn %(limit)s tegn.") % {
                "limit": number_text(csv.field_size_limit())
            }
            table.rows.append([""] * width)
            table.numbers.append(number)
            continue
        if len(table.rows) >= MAX_ROWS:
            raise _TooManyRows
        if not any(cell.strip() for cell in cells):
            continue
        filled = len(cells)
        while filled > width and not cells[filled - 1].strip():
            filled -= 1
        if filled > width:
            table.problems[number] = _("Raden har %(cells)s felt, overskriften %(header)s.") % {
                "cells": filled,
                "header": width,
            }
        table.rows.append((cells + [""] * width)[:width])
        table.numbers.append(number)
    if table.rows and len(table.problems) == len(table.rows):
        first_problem = next(iter(table.problems.items()))
        raise ImportFileError(
            _("Ingen rad i filen kan leses (rad %(row)s: %(reason)s)")
            % {"row": first_problem[0], "reason": first_problem[1]}
        )
    return table


class _TooManyRows(Exception):
    pass


def _xlsx_table(content: bytes) -> Table:
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
        return Table(headers=[])
    width = max(len(row) for row in rows)
    rows = [list(row) + [None] * (width - len(row)) for row in rows]
    headers = ["" if cell is None else str(cell) for cell in rows[0]]
    return Table(headers=headers, rows=rows[1:], numbers=list(range(2, len(rows) + 1)))


# A count as a person types it, or as Excel stores a whole number ("12", "12.0", "12,0"), with
# spaces or no-break spaces between the thousands ("1 200", as Norwegian Excel writes it): ASCII
# digits only, so "nan", "inf", "1e1", "-3", "2.5" or "²" are row problems, never a crash, and so
# is "1,000" or "1.000" (a thousand, or one with three decimals?).
WHOLE_NUMBER = re.compile(r"([0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3}){1,2}|[0-9]{1,9})(?:[.,]0{1,2})?")


def _count(value: str, column: str, problems: list[str]) -> int | None:
    """A whole number from 0 to MAX_COUNT from a cell, or None with the row's problem named."""
    value = str(value).strip()
    if value == "":
        return 0
    match = WHOLE_NUMBER.fullmatch(value)
    if match is None or _whole(match[1]) > MAX_COUNT:
        problems.append(
            _("Ugyldig tall i «%(column)s»: «%(value)s» (et helt tall fra 0 til %(limit)s).")
            % {"column": column, "value": value[:40], "limit": number_text(MAX_COUNT)}
        )
        return None
    return _whole(match[1])


def _whole(digits: str) -> int:
    return int(re.sub(r"[^0-9]", "", digits))


def preview_import(*, user, activity: Activity, name: str, content: bytes, replace: bool = False) -> ImportPreview:
    """Every row of the file with its problems (unknown school, unknown pupil, bad number,
    duplicate, and the activity's rules after the import: membership on the day, enrolment,
    fewer pupils than named), and what the import would change per school (see
    `services.participation_import_changes`).

    A pupil row at a school whose pupils' names the user may not see
    (`selectors.pupil_names_visible`) is refused without looking the pupil up: the same
    problem for a pupil in the register and one who is not, so that the import confirms
    nobody's existence, and no «Registrer eleven». Per-school rows of such a school (counts)
    import as any other."""
    table = read_table(name=name, content=content)
    headers = [HEADER_ALIASES.get(normalise(str(h or ""))) for h in (table.headers or [])]
    if "school" not in headers:
        raise ImportFileError(_("Filen mangler kolonnen «skole» i første rad."))
    repeated = sorted(
        {str(h).strip() for h, key in zip(table.headers, headers, strict=True) if key and headers.count(key) > 1}
    )
    if repeated:
        raise ImportFileError(
            _("Samme kolonne står flere ganger i første rad: %(columns)s. La hver kolonne stå én gang.")
            % {"columns": ", ".join(f"«{name}»" for name in repeated)}
        )
    ignored = [
        str(h).strip() for h, key in zip(table.headers, headers, strict=True) if not key and str(h or "").strip()
    ]
    column_label = {key: str(h).strip() for key, h in zip(headers, table.headers, strict=True) if key}

    matcher = SchoolMatcher(School.objects.all())
    rows: list[ImportRow] = []
    notes: list[str] = []
    if ignored:
        notes.append(
            _("Disse kolonnene er ikke med i importen (ukjent overskrift): %(columns)s.")
            % {"columns": ", ".join(f"«{name[:40]}»" for name in ignored)}
        )
    for number, raw in zip(table.numbers, table.rows, strict=True):
        values = {
            key: "" if cell is None else str(cell).strip() for key, cell in zip(headers, raw, strict=False) if key
        }
        if number in table.problems:
            rows.append(ImportRow(number=number, values=values, problems=[table.problems[number]]))
            continue
        if not any(values.values()):
            continue
        row = ImportRow(number=number, values=values)
        school_name = values.get("school", "")
        match = matcher.match(school_name)
        row.school = match.school
        if row.school is None:
            if is_total_row(school_name):
                notes.append(
                    _("Rad %(row)s («%(cell)s») ser ut som en sumlinje og er hoppet over.")
                    % {"row": number, "cell": school_name[:40]}
                )
                continue
            row.problems.append(_unknown_school(school_name, match))
        rows.append(row)
    if not rows:
        raise ImportFileError(_("Filen har ingen rader under overskriftene: det er ingenting å importere."))

    mentioned = {row.school.pk: row.school for row in rows if row.school}
    names_visible = {pk for pk, school in mentioned.items() if pupil_names_visible(user=user, school=school)}
    pupils_by_school: dict[int, list[Pupil]] = defaultdict(list)
    for pupil in Pupil.objects.filter(schools__in=names_visible).distinct().prefetch_related("schools"):
        for school in pupil.schools.all():
            pupils_by_school[school.pk].append(pupil)

    school_rows: dict[int, ImportRow] = {}
    pupil_rows: dict[tuple[int, int], ImportRow] = {}
    counts: dict[int, tuple[int | None, int | None]] = {}
    named: dict[int, list[Pupil]] = defaultdict(list)
    first_row_of: dict[int, ImportRow] = {}
    for row in rows:
        if row.number in table.problems:
            continue
        values = row.values
        is_pupil_row = bool(values.get("first_name") or values.get("last_name"))
        if is_pupil_row:
            birth_year = _count(values.get("birth_year", ""), column_label.get("birth_year", "fødselsår"), row.problems)
            if row.school is None:
                continue
            if row.school.pk not in names_visible:
                row.problems.append(
                    _("Rad %(row)s: %(problem)s")
                    % {"row": row.number, "problem": participation_import_names_refused_message(school=row.school)}
                )
                continue
            first_name, last_name = normalise(values.get("first_name", "")), normalise(values.get("last_name", ""))
            matches = [
                p
                for p in pupils_by_school[row.school.pk]
                if normalise(p.first_name) == first_name
                and normalise(p.last_name) == last_name
                and (not birth_year or p.birth_year == birth_year)
            ]
            full_name = f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()
            if not matches:
                row.unknown_pupil, row.birth_year = True, birth_year or None
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
            # An empty cell (or no such column) leaves the school's figure as it is.
            pupils = _given(values.get("pupils", ""), column_label.get("pupils", "elever"), row.problems)
            teachers = _given(values.get("teachers", ""), column_label.get("teachers", "lærere"), row.problems)
            if row.school is None:
                continue
            if row.school.pk in school_rows:
                row.problems.append(
                    _("Duplikat: skolen står allerede på rad %(row)s.") % {"row": school_rows[row.school.pk].number}
                )
                continue
            school_rows[row.school.pk] = row
            counts[row.school.pk] = (pupils, teachers)
        if row.school is not None:
            first_row_of.setdefault(row.school.pk, row)

    imported = [
        ImportedSchool(
            school=first_row.school,
            pupils=counts.get(school_pk, (None, None))[0],
            teachers=counts.get(school_pk, (None, None))[1],
            named_pupils=named[school_pk],
        )
        for school_pk, first_row in first_row_of.items()
    ]
    preview = ImportPreview(rows=rows, file_name=_file_name(name), row_count=len(rows), notes=notes)
    row_of = {pk: school_rows.get(pk, first_row) for pk, first_row in first_row_of.items()}
    _changes(preview, user=user, activity=activity, imported=imported, replace=replace, row_of=row_of)
    return preview


def _unknown_school(cell: str, match: MatchResult) -> str:
    """The problem of a row whose school is not found, with the school the person probably
    meant (activities.matching)."""
    if match.candidates:
        return _("«%(school)s» kan være flere skoler: %(schools)s. Skriv skolens fulle navn.") % {
            "school": cell,
            "schools": ", ".join(f"«{school.name}»" for school in match.candidates),
        }
    if match.suggestion is not None:
        return _("Ukjent skole: «%(school)s» – mente du «%(suggestion)s»?") % {
            "school": cell,
            "suggestion": match.suggestion.name,
        }
    return _("Ukjent skole: «%(school)s».") % {"school": cell}


def _given(value: str, column: str, problems: list[str]) -> int | None:
    """A count the file gives, or None when the cell is empty (or the row's problem is named)."""
    return None if str(value).strip() == "" else _count(value, column, problems)


def _file_name(name: str) -> str:
    """The upload's name as the history records it: printable, at most 120 characters."""
    return "".join(char for char in str(name) if char.isprintable())[:120]
