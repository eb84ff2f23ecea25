"""The English catalogue (locale/en/LC_MESSAGES/django.po): complete, placeholders intact,
the compiled .mo in step with the .po, and actually used when a browser asks for English.

The .po is read with a small standard-library parser so the tests need no gettext tools."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# A %-style conversion as Python (and xgettext's python-format) reads it; "%%" is a literal.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is index 0; msgstr[n] is n

    @property
    def forms(self) -> list[tuple[str, str]]:
        """(source, translation) pairs: msgid with msgstr, or with msgstr[0] and msgid_plural with msgstr[1...]."""
        if self.msgid_plural is None:
            return [(self.msgid, self.msgstr.get(0, ""))]
        return [(self.msgid if n == 0 else self.msgid_plural, text) for n, text in sorted(self.msgstr.items())]


def parse_po(path: Path) -> list[Entry]:
    """The active entries of a .po file, header included (msgid "")."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # obsolete entry, not compiled
            continue
        if line.startswith("#,"):
            current = current or Entry(line=number)
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            current = current or Entry(line=number)
            if keyword == "msgctxt":
                target = ("msgctxt", None)
                current.msgctxt = ""
            elif keyword == "msgid":
                target = ("msgid", None)
            elif keyword == "msgid_plural":
                target = ("msgid_plural", None)
                current.msgid_plural = ""
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                current.msgstr[0] = ""
            elif m := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                target = ("msgstr", int(m.group(1)))
                current.msgstr[target[1]] = ""
            else:
                raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        assert current is not None and target is not None, f"{path}:{number}: text outside an entry"
        name, index = target
        if name == "msgstr":
            current.msgstr[index] += value
        else:
            setattr(current, name, getattr(current, name) + value)
    finish()
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return [entry for entry in parse_po(PO) if entry.msgid != ""]


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text.replace("%%", ""))}


def test_the_catalogue_is_english_with_two_plural_forms():
    header = next(entry for entry in parse_po(PO) if entry.msgid == "")

    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    assert "fuzzy" not in header.flags


def test_every_entry_is_translated_and_none_is_fuzzy(entries):
    untranslated = [entry.msgid for entry in entries if any(not text for _, text in entry.forms)]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]

    assert len(entries) > 700
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_both_english_forms(entries):
    plurals = [entry for entry in entries if entry.msgid_plural is not None]

    assert plurals
    assert [entry.msgid for entry in plurals if sorted(entry.msgstr) != [0, 1]] == []


def test_placeholders_in_every_translation_match_the_source(entries):
    mismatches = [
        (source, text)
        for entry in entries
        for source, text in entry.forms
        if placeholders(source) != placeholders(text)
    ]

    assert mismatches == []


def test_translations_keep_the_sources_leading_and_trailing_whitespace(entries):
    def edges(text: str) -> tuple[str, str]:
        return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]

    assert [source for entry in entries for source, text in entry.forms if text and edges(source) != edges(text)] == []


def test_python_format_translations_can_be_formatted(entries):
    """A named-placeholder translation must survive `%` with its own names (a stray "%" would raise)."""
    broken = []
    for entry in entries:
        for _source, text in entry.forms:
            found = {m.group(1): m.group(0)[-1] for m in PLACEHOLDER.finditer(text.replace("%%", "")) if m.group(1)}
            if not found:
                continue
            try:
                text % {name: 1 if conversion in "diouxXeEfFgGc" else "1" for name, conversion in found.items()}
            except (ValueError, TypeError, KeyError) as error:
                broken.append((text, str(error)))

    assert broken == []


def test_the_compiled_catalogue_matches_the_po_file(entries):
    """The .mo is committed (machines running the portal may lack gettext), so it must be rebuilt
    whenever the .po changes: `manage.py compilemessages --ignore=.venv`."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected = {}
    for entry in entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr[0]
        else:
            for n, text in entry.msgstr.items():
                expected[(key, n)] = text
    catalog = {key: value for key, value in compiled._catalog.items() if key != ""}

    assert catalog == expected


def test_english_login_page(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<h1 class="h3 mb-3">Log in to UngMusikk</h1>' in content
    assert "Logg inn i UngMusikk" not in content


def test_norwegian_login_page_is_unchanged(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nb")
    content = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Language"] == "nb"
    assert '<h1 class="h3 mb-3">Logg inn i UngMusikk</h1>' in content


@pytest.mark.django_db
def test_english_home_page(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in content
    assert ">Skip to content</a>" in content
    assert ">Log in</a>" in content
    assert "Hopp til innholdet" not in content
