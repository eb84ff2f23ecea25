"""Recognising a file's schools (issue 11, activities/matching.py): names a person would
recognise ("Ås kulturskole" for "Kulturskolen i Ås", a different spacing, "Å" written as "A"
plus a combining ring) find their school; a near miss gives a suggestion; a municipality with
two schools of a kind gives none; a "Sum" line is a total, not an unknown school."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from activities.matching import MatchResult, SchoolMatcher, is_total_row, normalise
from core.tests.hostile import hostile_settings
from schools.models import Municipality, School
from schools.tests.factories import MunicipalityFactory, SchoolFactory

AAS = "Kulturskolen i Ås"
SKI = "Ski videregående skole"
FHS = "Follo folkehøgskole"


@pytest.fixture
def places(network):
    """Besides the network's Skole A, A2 and B: Kulturskolen i Ås (Ås), Ski videregående
    skole (Ski) and Follo folkehøgskole (Frogn), each alone of its kind in its municipality."""
    aas = MunicipalityFactory(name="Ås")
    ski = MunicipalityFactory(name="Ski")
    frogn = MunicipalityFactory(name="Frogn")
    return {
        AAS: SchoolFactory(name=AAS, slug="kulturskolen-i-as", municipality=aas, region=network.follo),
        SKI: SchoolFactory(name=SKI, slug="ski-vgs", kind=School.Kind.VGS, municipality=ski, region=network.follo),
        FHS: SchoolFactory(
            name=FHS, slug="follo-fhs", kind=School.Kind.FOLKEHOGSKOLE, municipality=frogn, region=network.follo
        ),
        # A culture school of Ski does not make "Ski vgs" ambiguous.
        "Ski kulturskole": SchoolFactory(
            name="Ski kulturskole", slug="ski-kulturskole", municipality=ski, region=network.follo
        ),
    }


@pytest.fixture
def matcher(places):
    return SchoolMatcher(School.objects.all())


@pytest.mark.parametrize(
    ("cell", "name", "how"),
    [
        ("Kulturskolen i Ås", AAS, "name"),
        ("Ås kulturskole", AAS, "municipality_kind"),
        ("kulturskolen i ås", AAS, "name"),
        ("Kulturskole Ås", AAS, "municipality_kind"),
        ("ÅS KULTURSKOLEN", AAS, "municipality_kind"),
        ("Musikk- og kulturskolen i Ås", AAS, "municipality_kind"),
        ("Ås kommunale kulturskole", AAS, "municipality_kind"),
        ("Ski vgs", SKI, "municipality_kind"),
        ("Ski videregående skole", SKI, "name"),
        ("Ski videregaende skole", SKI, "municipality_kind"),
        ("Ski videregående", SKI, "municipality_kind"),
        ("Follo folkehøgskole", FHS, "name"),
        ("Frogn folkehøgskole", FHS, "municipality_kind"),
        ("Frogn folkehogskole", FHS, "municipality_kind"),
        ("Frogn FHS", FHS, "municipality_kind"),
        ("Skole A", "Skole A", "name"),
        ("skole-a", "Skole A", "slug"),
        ("SKOLE-A2", "Skole A2", "slug"),
        ("ski-vgs", SKI, "slug"),
    ],
)
def test_a_name_a_person_would_recognise_finds_its_school(matcher, cell, name, how):
    result = matcher.match(cell)
    assert (result.school.name if result.school else None, result.how, result.suggestion) == (name, how, None)


@pytest.mark.parametrize(
    "cell",
    [
        "Kulturskolen i  Ås",  # two spaces
        "Kulturskolen\u00a0i\u00a0Ås",  # no-break spaces (Excel)
        "Kulturskolen\u202fi\tÅs",  # narrow no-break space, tab
        "  Kulturskolen i Ås \n",
        "Kulturskolen i A\u030as",  # Å as A + combining ring (NFD, as macOS writes file names)
        "KULTURSKOLEN I A\u030aS",
        "Kulturskolen i Å\u200bs",  # a zero-width space
        "Ａs kulturskole".replace("Ａ", "A\u030a"),
        "Ｋｕｌｔｕｒｓｋｏｌｅｎ ｉ Ås",  # full-width letters (NFKC)
    ],
)
def test_a_name_that_differs_only_in_spacing_or_encoding_finds_its_school(matcher, places, cell):
    assert matcher.match(cell).school == places[AAS]


@pytest.mark.parametrize(
    ("cell", "suggestion"),
    [
        ("Kulturskolen i Aas", AAS),
        ("Kulturskolen i As", AAS),
        ("Aas kulturskole", AAS),
        ("Ski videregåend skole", SKI),
        ("Hogwarts", None),
        ("", None),
        ("   ", None),
    ],
)
def test_a_near_miss_is_no_match_but_a_suggestion(matcher, cell, suggestion):
    result = matcher.match(cell)
    assert (result.school, result.how) == (None, "none")
    assert (result.suggestion.name if result.suggestion else None) == suggestion


def test_two_schools_of_a_kind_in_a_municipality_are_no_match_by_municipality_and_kind(places):
    other = SchoolFactory(name="Ås musikkskole", slug="as-musikkskole", municipality=places[AAS].municipality)
    matcher = SchoolMatcher(School.objects.all())
    result = matcher.match("Ås kulturskole")
    assert result == MatchResult(None, suggestion=places[AAS], how="none", candidates=(places[AAS], other))
    # Each is still found by its name, and the other kinds of the municipality are no matter.
    assert matcher.match("Kulturskolen i Ås").school == places[AAS]
    assert matcher.match("ås musikkskole").school == other
    assert matcher.match("Ås vgs") == MatchResult(None)


def test_a_municipality_with_one_name_per_language_is_known_by_each(network):
    porsanger = MunicipalityFactory(name="Porsanger - Porsáŋgu - Porsanki")
    school = SchoolFactory(name="Kulturskolen i Porsanger", slug="porsanger", municipality=porsanger)
    matcher = SchoolMatcher(School.objects.all())
    for cell in ("Porsáŋgu kulturskole", "PORSÁŊGU KULTURSKOLE", "Porsanki kulturskole", "Porsanger kulturskule"):
        assert matcher.match(cell) == MatchResult(school, how="municipality_kind"), cell


def test_the_matcher_reads_the_schools_with_one_query_and_matches_with_none(places, django_assert_num_queries):
    with django_assert_num_queries(1):
        matcher = SchoolMatcher(School.objects.all())
    with django_assert_num_queries(0):
        assert matcher.match("Ås kulturskole").school.municipality.name == "Ås"
        assert matcher.match("Kulturskolen i Aas").suggestion.municipality.name == "Ås"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Kulturskolen\u00a0i  A\u030as ", "kulturskolen i ås"),
        ("ÆØÅ æøå", "æøå æøå"),
        ("ČÁŊŠŦŽĐ Porsáŋgu", "čáŋšŧžđ porsáŋgu"),
        ("Straße", "strasse"),
        ("Musikk\u2010 og kulturskole", "musikk- og kulturskole"),
        ("a\u202fb\u2009c\u3000d\r\ne", "a b c d e"),
        ("\ufeffSkole A", "skole a"),
        ("", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "cell",
    [
        "Sum",
        "SUM",
        "sum:",
        " Sum ",
        "Sum elever",
        "Totalt",
        "Total",
        "TOTALT:",
        "Totalsum",
        "I alt",
        "i  alt",
        "Til sammen",
    ],
)
def test_a_total_line_is_a_total_row(cell):
    assert is_total_row(cell)


@pytest.mark.parametrize(
    "cell",
    ["Summit skole", "Summa kulturskole", "Skole A", "I Alta kulturskole", "Totalen vgs", "", "Kulturskolen i Ås"],
)
def test_a_school_is_no_total_row(cell):
    assert not is_total_row(cell)


# -- properties -------------------------------------------------------------------------------

WHITESPACE = " \t\n\r\u00a0\u202f\u2009\u3000"


def _case_proof(char: str) -> bool:
    """A character whose upper and lower case normalise alike (not "ı", whose upper case is
    "I": a person who writes "I" for it means "i")."""
    return bool(normalise(char)) and normalise(char.upper()) == normalise(char) == normalise(char.lower())


WORD = st.text(st.characters(categories=["L", "M", "N", "P", "S"]).filter(_case_proof), min_size=1, max_size=12)


@st.composite
def written_differently(draw, words: list[str]) -> str:
    """The words of a name with each letter's case changed at random and other whitespace
    between them and at the ends."""
    spaces = st.text(st.sampled_from(WHITESPACE), min_size=1, max_size=3)
    cased = ["".join(draw(st.sampled_from([c, c.upper(), c.lower()])) for c in word) for word in words]
    text = "".join(draw(spaces) + word for word in cased)
    return draw(st.sampled_from(["", *WHITESPACE])) + text + draw(st.sampled_from(["", *WHITESPACE]))


@hostile_settings(150)
@given(data=st.data(), words=st.lists(WORD, min_size=1, max_size=5))
@example(data=None, words=["Kulturskolen", "i", "Ås"])
def test_any_school_is_found_from_its_name_in_any_case_and_spacing(places, data, words):
    name = " ".join(words)
    others = [school for school in places.values() if normalise(school.name) != normalise(name)]
    school = School(name=name, slug="generated", kind=School.Kind.KULTURSKOLE, municipality=Municipality(name="X"))
    matcher = SchoolMatcher([*others, school])
    written = data.draw(written_differently(words)) if data is not None else " kulturSKOLEN\u00a0I  A\u030as"
    result = matcher.match(written)
    assert (result.school, result.how) == (school, "name"), (name, written)


@hostile_settings(300)
@given(cell=st.text())
@example(cell="\x00")
@example(cell="\u0308")  # a combining mark alone
@example(cell="kulturskole kulturskole")
@example(cell="i og skole vgs")
@example(cell="Sum" * 10_000)
def test_any_text_is_matched_without_error(matcher, cell):
    result = matcher.match(cell)
    assert result.school is None or result.how in ("name", "slug", "municipality_kind")
    assert result.school is None or result.suggestion is None
    assert isinstance(is_total_row(cell), bool)
    assert normalise(normalise(cell)) == normalise(cell)


def test_suggestions_stop_after_the_budget_so_a_file_of_made_up_names_stays_quick(places, monkeypatch):
    monkeypatch.setattr("activities.matching.SUGGESTION_BUDGET", 2)
    matcher = SchoolMatcher(School.objects.all())
    assert matcher.match("Kulturskolen i Aas").suggestion == places[AAS]
    assert matcher.match("Hogwarts").suggestion is None
    assert matcher.match("Kulturskolen i As").suggestion is None  # the budget is spent
    assert matcher.match("Kulturskolen i Aas").suggestion == places[AAS]  # seen before
    assert matcher.match("Ås kulturskole").school == places[AAS]  # matches are not budgeted
