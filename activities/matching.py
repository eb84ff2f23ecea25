"""Recognising the schools a participation file names (issue 11), without writing anything.

A coordinator's file names a school the way a person would: "Ås kulturskole" for the school
the register calls "Kulturskolen i Ås", with two spaces or a no-break space from Excel, with
"Å" typed as "A" plus a combining ring, and often ends with a "Sum" line. What is here:

- `normalise(text) -> str`: the form two spellings of one name share (Unicode compatibility
  normalised, case folded, whitespace collapsed);
- `SchoolMatcher(schools)`: built once per file from the schools (a queryset is read with one
  query); `.match(cell) -> MatchResult` finds a school by name, by slug or by municipality and
  kind, and otherwise names the nearest school as a suggestion ("mente du …?");
- `is_total_row(cell) -> bool`: a first cell that reads like a total line ("Sum", "Totalt",
  "I alt"), which is no school and no problem.

The import asks the matcher first and `is_total_row` only for a cell no school matches, so a
school really called "Sum kulturskole" is still found.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Manager, QuerySet

from schools.models import School

# Characters that show nothing and only get between letters (zero-width space, zero-width
# no-break space/BOM, word joiner, soft hyphen): "Å\u200bs" is "Ås". Dropped before the
# Unicode normalisation, so that a combining ring after them joins its letter again.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"))
# Every dash (hyphen, non-breaking hyphen, en and em dash, minus sign) reads as "-".
_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d]")

# Near misses: difflib's ratio over normalised names. 0.8 takes "Kulturskolen i Aas" for
# "Kulturskolen i Ås" (0.91) and "Skole A" for "Skole A2" (0.93), not "Skole A" for "Skole B"
# when both exist (the exact name wins first anyway).
SUGGESTION_CUTOFF = 0.8
# A near miss costs a comparison with every school (a few milliseconds with hundreds of
# schools): a matcher looks for suggestions for this many different unknown cells and then
# stops, so a file of 5 000 made-up names does not keep a worker busy (its rows are problems
# all the same, only without "mente du …?").
SUGGESTION_BUDGET = 200

# The words that name a kind of school, in Bokmål, Nynorsk and without ø/å (normalised).
KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ["kulturskole", "kulturskolen", "kulturskule", "kulturskulen", "musikkskole", "musikkskolen"],
        School.Kind.KULTURSKOLE,
    ),
    **dict.fromkeys(
        ["vgs", "videregående", "videregaende", "vidaregåande", "vidaregaande", "vgskole"],
        School.Kind.VGS,
    ),
    **dict.fromkeys(
        [
            "folkehøgskole",
            "folkehogskole",
            "folkehøgskolen",
            "folkehogskolen",
            "folkehøgskule",
            "folkehogskule",
            "folkehøgskulen",
            "fhs",
        ],
        School.Kind.FOLKEHOGSKOLE,
    ),
}
# Words around a municipality and a kind word that say nothing more: "Kulturskolen i Ås",
# "Musikk- og kulturskolen i Ås", "Ås kommunale kulturskole", "Ski videregående skole".
FILLER_WORDS = frozenset(
    ["i", "på", "pa", "og", "musikk", "kommune", "kommunes", "kommunale", "skole", "skolen", "skule", "skulen"]
)
# A municipality with names in more than one language ("Porsanger - Porsáŋgu - Porsanki")
# is recognised by any one of them; a hyphen inside a name ("Aurskog-Høland") is no separator.
_NAME_PARTS = re.compile(r"\s+[-/]\s+|\s*/\s*")
_WORD = re.compile(r"\w+")

# The first words of a total line: "Sum", "SUM:", "Sum elever", "Totalt", "Total", "Totalsum",
# "I alt", "Til sammen". Whole words: "Summit skole" and "I Alta" are no totals.
_TOTAL = re.compile(
    r"(?:sum|summer|summert|totalt?|totalsum|sum totalt|i alt|til sammen|tilsammen|samlet|grand total)(?!\w)"
)


def normalise(text: str) -> str:
    """`normalise("  Kulturskolen\\u00a0i  A\\u030as ") == "kulturskolen i ås"`.

    The form two spellings of a name share when they differ only in how the letters are
    encoded, in case or in spacing: invisible characters dropped (zero-width space, BOM, soft
    hyphen); Unicode NFKC (composed letters, so "A" + combining ring is "å", and compatibility
    forms such as the "ﬁ" ligature or full-width letters read as plain ones); case folded
    (`casefold`, so "SS" and "ß" meet); every dash as "-"; every run of whitespace (spaces,
    tabs, line breaks, U+00A0 and U+202F no-break spaces) as one space; no space at the ends.
    Letters stay letters: æ, ø, å and the Sámi letters (á, č, đ, ŋ, š, ŧ, ž) are not reduced
    to a, o or s, so "Ås" and "As" are different names (a near miss gives a suggestion)."""
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    text = unicodedata.normalize("NFKC", text.casefold())
    text = _DASHES.sub("-", text)
    return " ".join(text.split())


def is_total_row(cell: str) -> bool:
    """`is_total_row("Sum elever") is True`, `is_total_row("Summit skole") is False`.

    Whether a row's first cell reads like a spreadsheet's total line ("Sum", "SUM", "Sum:",
    "Totalt", "Total", "Totalsum", "I alt", "Til sammen", "Sum elever"): a total word as a
    whole word at the start of the normalised cell. The import skips such a row instead of
    reporting an unknown school; ask the matcher first, so a school whose name starts with
    such a word is still a school."""
    return _TOTAL.match(normalise(cell)) is not None


@dataclass(frozen=True)
class MatchResult:
    """What a file's school cell names.

    - `school`: the school it names, or None;
    - `suggestion`: when `school` is None, the school it most likely means ("mente du
      «Kulturskolen i Ås»?"), or None;
    - `how`: the rule that found `school` — "name" (the normalised name), "slug" (the school's
      short name), "municipality_kind" (a municipality and a kind word, "Ås kulturskole") —
      or "none";
    - `candidates`: when a municipality and kind name more than one school, all of them (the
      suggestion is the nearest); otherwise empty."""

    school: School | None
    suggestion: School | None = None
    how: str = "none"
    candidates: tuple[School, ...] = ()


class SchoolMatcher:
    """`SchoolMatcher(School.objects.all()).match("Ås kulturskole") -> MatchResult`.

    Built once per file: a queryset is read with one query (municipalities joined); any
    iterable of schools with their municipality will do. `match` asks no more of the database,
    and a cell seen before is answered from a cache (a file repeats a school on every pupil's
    row). The rules, in order:

    1. name: the normalised cell is a school's normalised name;
    2. slug: the normalised cell is a school's slug ("skole-a");
    3. municipality_kind: the cell's words are a municipality's name and a kind word
       ("Ås kulturskole", "Kulturskolen i Ås", "Ski vgs", "Ski videregående skole", "Follo
       folkehøgskole"), and exactly one school of that municipality is of that kind; with
       more, no school, and the nearest of them as the suggestion;
    4. otherwise no school, and as the suggestion the school whose name (or municipality and
       kind, as in rule 3) is nearest the cell, if near enough (difflib, `SUGGESTION_CUTOFF`;
       for the first `SUGGESTION_BUDGET` different unknown cells of a file)."""

    def __init__(self, schools: Iterable[School]):
        if isinstance(schools, QuerySet | Manager):
            schools = schools.select_related("municipality")
        self.schools: list[School] = list(schools)
        self._by_name: dict[str, list[School]] = defaultdict(list)
        self._by_slug: dict[str, list[School]] = defaultdict(list)
        # (municipality name's words, kind) -> the schools of that municipality and kind.
        self._by_place: dict[tuple[tuple[str, ...], str], list[School]] = defaultdict(list)
        for school in self.schools:
            self._by_name[normalise(school.name)].append(school)
            self._by_slug[normalise(school.slug)].append(school)
            for words in _municipality_names(school.municipality.name):
                bucket = self._by_place[(words, school.kind)]
                if school not in bucket:
                    bucket.append(school)
        # What a near miss is measured against: every name, and "<municipality> <kind>" for a
        # school alone of its kind in its municipality ("ås kulturskole").
        self._near: dict[str, School] = {}
        for (words, kind), found in self._by_place.items():
            if len(found) == 1:
                self._near.setdefault(f"{' '.join(words)} {_KIND_LABEL[kind]}", found[0])
        for name, found in self._by_name.items():
            self._near[name] = found[0]
        self._cache: dict[str, MatchResult] = {}
        self._suggestions_left = SUGGESTION_BUDGET

    def match(self, cell: str) -> MatchResult:
        """The school a file's cell names, or a suggestion; see the class's rules."""
        key = normalise(cell)
        if key not in self._cache:
            self._cache[key] = self._match(key)
        return self._cache[key]

    def _match(self, key: str) -> MatchResult:
        if not key:
            return MatchResult(None)
        for how, index in (("name", self._by_name), ("slug", self._by_slug)):
            found = index.get(key, [])
            if len(found) == 1:
                return MatchResult(found[0], how=how)
        place = _place(key)
        if place is not None:
            found = self._by_place.get(place, [])
            if len(found) == 1:
                return MatchResult(found[0], how="municipality_kind")
            if found:
                nearest = max(found, key=lambda school: _ratio(key, normalise(school.name)))
                return MatchResult(None, suggestion=nearest, candidates=tuple(found))
        if self._suggestions_left <= 0:
            return MatchResult(None)
        self._suggestions_left -= 1
        near = difflib.get_close_matches(key, self._near, n=1, cutoff=SUGGESTION_CUTOFF)
        return MatchResult(None, suggestion=self._near[near[0]] if near else None)


# The kind word a near miss of rule 3 is measured against ("ås kulturskole", "ski vgs").
_KIND_LABEL = {
    School.Kind.KULTURSKOLE: "kulturskole",
    School.Kind.VGS: "vgs",
    School.Kind.FOLKEHOGSKOLE: "folkehøgskole",
}


def _municipality_names(name: str) -> set[tuple[str, ...]]:
    """The words of a municipality's name, and of each of its names in other languages:
    "Porsanger - Porsáŋgu - Porsanki" -> {("porsanger", "porsáŋgu", "porsanki"),
    ("porsanger",), ("porsáŋgu",), ("porsanki",)}; "Aurskog-Høland" -> {("aurskog", "høland")}."""
    name = normalise(name)
    return {words for part in [name, *_NAME_PARTS.split(name)] if (words := _place_words(part))}


def _place(key: str) -> tuple[tuple[str, ...], str] | None:
    """A normalised cell read as a municipality and a kind: "kulturskolen i ås" ->
    (("ås",), "kulturskole"); None unless the cell has kind words of exactly one kind and
    other words beside the filler words ("i", "og", "musikk", "kommunale", "skole")."""
    kinds = {KIND_WORDS[word] for word in _WORD.findall(key) if word in KIND_WORDS}
    rest = _place_words(key)
    if len(kinds) != 1 or not rest:
        return None
    return rest, kinds.pop()


def _place_words(text: str) -> tuple[str, ...]:
    """The words of a normalised text that may name a place: all but kind and filler words
    (the same for a cell and a municipality's name, so a name with "og" or "i" still meets)."""
    return tuple(word for word in _WORD.findall(text) if word not in KIND_WORDS and word not in FILLER_WORDS)


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()
