"""Every figure of the annual report and the municipality sheet against the values computed by
hand on a small network (tests/network.py says where each comes from)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from activities.rollups import rollup_enrolment
from funding.rollups import rollup_budget
from ungmusikk.reports.figures import annual_report
from ungmusikk.reports.shapes import CALENDAR_YEAR, SCHOOL_YEAR, ReportPeriod
from ungmusikk.reports.sheet import municipality_sheet, sheet_municipalities

from .network import build_report_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def hand(network):
    built = build_report_network(network)
    rollup_enrolment()
    rollup_budget()
    return built


def rows(report, table: str) -> dict[str, dict]:
    found = next(t for t in report.tables if t.name == table)
    key = found.columns[0].key
    return {str(row[key]): row for row in found.rows}


def test_the_calendar_years_key_figures_against_the_year_before(hand):
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    key = rows(report, "noekkeltall")
    expect = {
        "Skoler i nettverket (medlemmer og piloter)": (3, 3, 0),
        "Elever i musikk ved skolene (GSI, 1. oktober)": (350, 90, 260),
        "Navngitte elever som deltok (talt ved hver skole)": (9, 0, 9),
        "Aktiviteter": (3, 1, 2),  # the shared masterclass, the placement, the lesson; 2019: the concert
        "Elevdeltakelser": (12, 5, 7),  # 6 + 2 + 3 + 1; 2019: 5
        "Skoledeltakelser": (4, 1, 3),
        "NMH-lærere involvert": (2, 0, 2),  # Ingrid Haugland (twice), Áilu Ŋuolja
        "Praksisplasser": (1, 0, 1),
    }
    assert {label: (row["now"], row["before"], row["change"]) for label, row in key.items()} == expect
    money = rows(report, "noekkeltall_okonomi")
    assert money["Inntekter i alt (kontanter)"]["now"] == Decimal("2867500.00")  # 2 577 500 + 140 000 + 150 000
    assert money["Inntekter i alt (kontanter)"]["before"] == Decimal("2500000.00")
    assert money["Naturalytelser (verdi)"]["now"] == Decimal("300000.00")
    assert money["Verdi av aktivitetene skolene deltok i"]["now"] == Decimal("15000.00")  # 12 000 + 2 000 + 1 000
    assert report.figures_as_of is not None
    assert [s.key for s in report.sections] == [
        "sammendrag",
        "skoler",
        "delregioner",
        "alder",
        "aktiviteter",
        "okonomi",
    ]
    assert "3 skoler" in report.sections[0].paragraphs[0]


def test_schools_by_kind_and_status_and_each_schools_row_with_small_numbers_hidden(hand):
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    by_kind = rows(report, "skoler_slag")
    assert (by_kind["Kulturskole"]["member"], by_kind["Kulturskole"]["pilot"], by_kind["Kulturskole"]["total"]) == (
        2,
        0,
        2,
    )
    assert (by_kind["Videregående skole"]["pilot"], by_kind["Videregående skole"]["total"]) == (1, 1)
    assert (by_kind["I alt"]["total"], by_kind["I alt"]["before"]) == (3, 3)
    schools = rows(report, "skoler")
    a, a2, b = (schools[name] for name in ("Skole A", "Guovdageainnu vidaregående skuvla", "Skole B"))
    # A2's one named pupil is «<5»; A's 6 would give it away from Follo's total: «:». A share
    # computed from a hidden count is «:» (as «<5» it would read "under 5 %").
    assert (a["enrolment"], a["named"], a["share"], a["activities"], a["pupils"]) == (100, ":", ":", 1, 6)
    assert (a2["status"], a2["named"], a2["share"], a2["activities"], a2["pupils"]) == ("Pilot", "<5", ":", 1, 1)
    assert (b["enrolment"], b["named"], b["activities"], b["pupils"]) == (200, "<5", 2, 5)


def test_regions_with_the_network_total(hand):
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    regions = rows(report, "delregioner")
    follo, romerike, network = regions["Follo"], regions["Romerike"], regions["Hele nettverket"]
    assert (follo["schools"], follo["enrolment"], follo["activities"], follo["activities_before"]) == (2, 150, 2, 0)
    assert (follo["pupils"], follo["nmh"]) == (9, 2)
    # Romerike's 2 named pupils are «<5»; Follo's 7 would give them away from the network's 9.
    assert (romerike["named"], follo["named"], network["named"]) == ("<5", ":", 9)
    assert (romerike["activities"], romerike["activities_before"], romerike["pupils"]) == (1, 1, 3)
    assert network["share"] == Decimal("2.6")  # 9 / 350
    assert (network["activities"], network["pupils"], network["nmh"]) == (3, 12, 2)


def test_age_bands_as_gsi_counts_them(hand):
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    ages = rows(report, "alder")
    # Born 2016: 4 on 1 October 2020 (under); 2005: 15 (primary-school age); 2003: 17 (over).
    # Within (6) is hidden too: Kárášjohka's sheet hides its own 6 (its under-age 1 would
    # follow from its total 7), and the network's 6 minus Ås's 0 would give that back.
    assert [ages[label]["now"] for label in ages] == ["<5", ":", "<5", 9]
    assert [ages[label]["before"] for label in ages] == [0, 0, 0, 0]


def test_activities_by_area_region_kind_and_level(hand):
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    areas = {label.split(".")[0]: row for label, row in rows(report, "omraader").items()}
    assert (areas["1"]["activities"], areas["1"]["pupils"], areas["1"]["activities_before"]) == (1, 8, 1)
    assert (areas["2"]["activities"], areas["2"]["pupils"], areas["2"]["activities_before"]) == (2, 9, 0)
    assert (areas["5"]["activities"], areas["5"]["pupils"]) == (1, 3)
    grid = next(t for t in report.tables if t.name == "omraader_delregioner")
    assert [c.label for c in grid.columns[1:]] == ["Follo", "Romerike"]
    by_label = {row["label"].split(".")[0]: row for row in grid.rows}
    follo, romerike = (f"r{hand.network.follo.pk}", f"r{hand.network.romerike.pk}")
    assert (by_label["2"][follo], by_label["2"][romerike], by_label["5"][romerike]) == (2, 0, 1)
    kinds = rows(report, "typer")
    master = kinds["Mesterklasse"]
    assert (master["activities"], master["schools"], master["pupils"], master["teachers"]) == (1, 2, 8, 2)
    assert (kinds["Praksisplass"]["activities"], kinds["Praksisplass"]["pupils"]) == (1, 3)
    assert (kinds["Konsert"]["activities"], kinds["Konsert"]["activities_before"]) == (0, 1)
    levels = rows(report, "nivaa")
    assert (levels["Regional"]["activities"], levels["Regional"]["activities_before"]) == (1, 1)
    assert (levels["Lokal"]["activities"], levels["Lokal"]["pupils"]) == (2, 4)


def test_the_money(hand):
    report = annual_report(period=ReportPeriod(CALENDAR_YEAR, 2020))
    income = rows(report, "inntekter")
    assert income["Tilskudd fra Viken fylkeskommune"]["now"] == Decimal("2577500.00")
    assert income["Tilskudd fra Viken fylkeskommune"]["change"] == Decimal("77500.00")
    assert (income["Kommunenes bidrag"]["now"], income["Kommunenes bidrag"]["before"]) == (Decimal("140000.00"), 0)
    assert income["Kontantbidrag fra Norges musikkhøgskole"]["now"] == Decimal("150000.00")
    assert income["Inntekter i alt"]["now"] == Decimal("2867500.00")
    contributions = rows(report, "kommunebidrag")
    assert (contributions["Kárášjohka"]["population"], contributions["Kárášjohka"]["now"]) == (20000, 80000)
    assert contributions["Ås"]["now"] == Decimal("60000.00")
    expenses = rows(report, "utgifter")
    assert expenses["Utgifter i alt"]["now"] == Decimal("160000.00")
    assert expenses["Utgifter i alt"]["before"] is None  # no budget for 2019
    actual = rows(report, "budsjett_mot_regnskap")
    # Follo: its pool 50 000 and A's allocation 10 000; the masterclass (12 000) and A2's local
    # lesson (1 000: A2 has no allocation) on the pool.
    assert (actual["Follo"]["budgeted"], actual["Follo"]["spent"], actual["Follo"]["left"]) == (60000, 13000, 47000)
    in_kind = rows(report, "naturalytelser")
    assert in_kind["Norges musikkhøgskole"]["amount"] == Decimal("300000.00")
    assert in_kind["Naturalytelser i alt"]["amount"] == Decimal("300000.00")
    schools = rows(report, "skolenes_okonomi")
    a, a2, b = (schools[name] for name in ("Skole A", "Guovdageainnu vidaregående skuvla", "Skole B"))
    assert (a["paid_in"], a["allocation"], a["activity_value"]) == (80000, 10000, 9000)  # 6/8 of 12 000
    assert (a2["paid_in"], a2["how"], a2["activity_value"]) == (None, "gjennom fylket", 1000)
    assert (b["paid_in"], b["activity_value"]) == (60000, 5000)  # 2/8 of 12 000 + 2 000


def test_a_school_year_report_covers_august_to_july(hand):
    report = annual_report(period=ReportPeriod(SCHOOL_YEAR, 2019))
    key = rows(report, "noekkeltall")
    # 2019/20: the concert (Oct 2019) and the masterclass (Mar 2020); named: 6 + 2.
    assert (key["Aktiviteter"]["now"], key["Elevdeltakelser"]["now"]) == (2, 13)
    assert key["Navngitte elever som deltok (talt ved hver skole)"]["now"] == 8
    assert key["Elever i musikk ved skolene (GSI, 1. oktober)"]["now"] == 90  # 1 October 2019
    ages = rows(report, "alder")
    # Ages on 1 October 2019: born 2005 → 14, born 2003 → 16. Over (2) is «<5»; the total 8 and
    # the 6 would give it away, so the smallest other band that is not zero is hidden too: a
    # hidden zero protects nothing when another table shows it.
    assert [ages[label]["now"] for label in ages] == [0, ":", "<5", 8]
    assert report.period.money_year == 2020
    assert rows(report, "inntekter")["Inntekter i alt"]["now"] == Decimal("2867500.00")


def test_the_municipality_sheet(hand):
    assert list(sheet_municipalities(year=2020).values_list("name", flat=True)) == sorted(["Kárášjohka", "Ås"])
    sheet = municipality_sheet(municipality=hand.karasjok, year=2020)
    assert (sheet.paid, sheet.population, sheet.status) == (Decimal("80000.00"), 20000, "Fast tilknyttet")
    assert sheet.tier == "15\xa0000–49\xa0999 innbyggere: 80\xa0000\xa0kr"  # core.formatting, in the language
    assert sorted(sheet.schools) == ["Guovdageainnu vidaregående skuvla", "Skole A"]
    assert (sheet.enrolment, sheet.pupils_taking_part, sheet.participations, sheet.activities) == (150, 7, 7, 2)
    assert sheet.activities_held == 2  # the masterclass at A, the lesson at A2 (not the cancelled one)
    assert (sheet.allocations, sheet.activity_value, sheet.value_received) == (10000, 10000, 20000)
    assert (sheet.per_pupil, sheet.network_per_pupil) == (Decimal("133"), Decimal("71"))  # 20 000/150; 25 000/350
    sentences = [sentence.replace("\xa0", " ") for sentence in sheet.sentences]  # money_text's no-break spaces
    assert sentences[0] == "Kárášjohka betalte 80 000 kr og fikk aktiviteter og tildelinger verdt 20 000 kr i 2020."
    assert sentences[1].startswith("7 navngitte elever deltok i 2 aktiviteter, flest innen talentutvikling")
    assert sentences[2] == "Det tilsvarer 133 kr per elev i musikk; snittet i nettverket er 71 kr."
    tables = {t.name: t for t in sheet.tables}
    # Under: 1 («<5»); within (6) hidden with it so the total 7 does not give it away («:»).
    assert [row["pupils"] for row in tables["alder"].rows] == ["<5", ":", 0, 7]
    assert {row["number"]: (row["activities"], row["pupils"]) for row in tables["omraader"].rows} == {
        1: (1, 6),
        2: (2, 7),
    }


def test_a_sheet_with_a_small_number_says_fewer_than_five(hand):
    sheet = municipality_sheet(municipality=hand.aas, year=2020)
    assert (sheet.pupils_taking_part, sheet.activities, sheet.activities_held) == ("<5", 2, 1)
    assert sheet.sentences[1].startswith("Færre enn 5 navngitte elever deltok i 2 aktiviteter")
    assert all("2 navngitte" not in sentence for sentence in sheet.sentences)
