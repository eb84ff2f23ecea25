"""Demo and seed data for UngMusikk: counties, sub-regions, municipalities (with mergers and
population), the 23 schools of 2020, a few interested schools, venues, NMH's and the county's
money, instrument names and fictional names.

Pure data: no Django imports, no functions. Dates are `datetime.date`, money is `Decimal`.
Validity periods include both ends; `valid_to=None` means "still valid".

Sources, and how sure each figure is
------------------------------------
* The 2020 report "UngMusikk i Viken fylkeskommune – hvorfor er vi med?" (shared/seeds/000_...)
  for schools, regions, rectors, membership history and the money.
* Population is the SSB figure for 1 January (SSB table 07459, "Befolkning 1. januar").
  Each municipality row has a comment tagging every year with one of:
    C  checked in this session against a public copy of the SSB figure (citypopulation.de,
       which republishes SSB, or local papers quoting SSB's release);
    D  derived from SSB figures: "1 April minus the first-quarter change" or
       "1 January of the next year / (1 + growth %)" (SSB table 01222, quarterly population),
       as quoted by Romerikes Blad, Østlandets Blad and Demokraten; within about ±30;
    R  recalled from SSB, not checked here (likely right to within a few hundred);
    E  estimate, interpolated or extrapolated from neighbouring years (round numbers).
  The contribution tiers (< 15,000 / 15,000–49,999 / >= 50,000) are robust to these
  uncertainties for every municipality here, including Moss (49,273 in 2020, 49,668 in 2021).
* Coordinates: the administrative centre (kommunesenter), WGS84, 4 decimals, from general
  geographic knowledge; rows marked "approx." may be off by up to about 1 km.
* Enrolment, NMH's in-kind values and contact e-mail addresses are estimates or plausible
  placeholders, marked as such.

Modelling notes
---------------
* Old counties (amt) became fylker on 1919-01-01, so the old counties start then. Pre-2020
  municipalities older than that are given valid_from 1919-01-01 too, so that every period of a
  municipality has a county; the few formed later carry their real date (noted on the row).
* On 2020-01-01 every municipality in Akershus, Buskerud and Østfold got a new Viken number
  (30xx). A plain renumbering is a merger with one predecessor (see MERGERS).
* On 2024-01-01 the 30xx municipalities were renumbered again (Akershus 32xx, Østfold 31xx,
  Buskerud 33xx) when Viken was split. As asked, the 30xx rows here stay valid and only change
  county from 2024; the real 2024 numbers are in NUMBERS_FROM_2024 for whoever wants to model
  that renumbering too.
* SCHOOLS holds exactly the 23 schools of 2020 (17 kulturskoler, 4 vgs, 2 folkehøgskoler).
  The report lists 17 culture schools but its section 9 says "16 kulturskoler" in 2020,
  probably not yet counting Indre Østfold (from autumn 2020). INTERESTED_SCHOOLS (grey on the
  report's map) is a separate list so SCHOOLS stays at 23.
* Before 2020 the Follo membership of "Nordre Follo kulturskole" was held by Ski kulturskole and
  Oppegård kulturskole (the report: "alle 7 kommunene i Follo"). SCHOOLS keeps one school per
  2020 municipality, so pre-2020 history (membership and enrolment) is attached to the 2020
  school; the same holds for Asker, Moss, Lillestrøm and Indre Østfold.
"""

from datetime import date
from decimal import Decimal

# Hand-laid-out tables: keep the formatter away.
# fmt: off

# ---------------------------------------------------------------------------------------------
# Counties (fylker). A county that comes back in 2024 is a new row with a new number.
# ---------------------------------------------------------------------------------------------

COUNTIES = [
    {"name": "Akershus", "number": "02",
     "valid_from": date(1919, 1, 1), "valid_to": date(2019, 12, 31)},
    {"name": "Buskerud", "number": "06",
     "valid_from": date(1919, 1, 1), "valid_to": date(2019, 12, 31)},
    {"name": "Østfold", "number": "01",
     "valid_from": date(1919, 1, 1), "valid_to": date(2019, 12, 31)},
    {"name": "Viken", "number": "30",
     "valid_from": date(2020, 1, 1), "valid_to": date(2023, 12, 31)},
    {"name": "Akershus", "number": "32", "valid_from": date(2024, 1, 1), "valid_to": None},
    {"name": "Buskerud", "number": "33", "valid_from": date(2024, 1, 1), "valid_to": None},
    {"name": "Østfold", "number": "31", "valid_from": date(2024, 1, 1), "valid_to": None},
    # Oslo is both a county and a municipality; not a member of the network (NMH is there).
    {"name": "Oslo", "number": "03", "valid_from": date(1900, 1, 1), "valid_to": None},
    # Only for Svelvik (0711), which merged into Drammen on 2020-01-01. Vestfold became part of
    # Vestfold og Telemark (38) in 2020.
    {"name": "Vestfold", "number": "07",
     "valid_from": date(1919, 1, 1), "valid_to": date(2019, 12, 31)},
]

# ---------------------------------------------------------------------------------------------
# Sub-regions (delregioner).
# ---------------------------------------------------------------------------------------------

REGIONS = [
    # Follo-piloten started in 2013 (the report's foreword); the Follo schools took part from 2014.
    {"name": "Follo", "slug": "follo", "valid_from": date(2013, 1, 1), "valid_to": None},
    {"name": "Romerike", "slug": "romerike", "valid_from": date(2019, 8, 1), "valid_to": None},
    {"name": "Vest – Asker og Bærum", "slug": "vest",
     "valid_from": date(2019, 8, 1), "valid_to": None},
    {"name": "Østfold", "slug": "ostfold", "valid_from": date(2019, 8, 1), "valid_to": None},
    # The Buskerud pilot region, with Kongsberg (and the interested Drammen and Lier).
    {"name": "Midtregionen", "slug": "midtregionen",
     "valid_from": date(2019, 8, 1), "valid_to": None},
]

# County links reused by many rows (tuples; each row unpacks them into a fresh list).
_VIKEN_AKERSHUS = (("30", date(2020, 1, 1), date(2023, 12, 31)), ("32", date(2024, 1, 1), None))
_VIKEN_OSTFOLD = (("30", date(2020, 1, 1), date(2023, 12, 31)), ("31", date(2024, 1, 1), None))
_VIKEN_BUSKERUD = (("30", date(2020, 1, 1), date(2023, 12, 31)), ("33", date(2024, 1, 1), None))
_OLD_FROM = date(1919, 1, 1)
_OLD_TO = date(2019, 12, 31)
_NEW_FROM = date(2020, 1, 1)

# ---------------------------------------------------------------------------------------------
# Municipalities. 30xx rows: 2020-01-01 onwards, population 2020–2024. Pre-2020 rows (01xx,
# 02xx, 06xx, 07xx): valid to 2019-12-31, population 2017–2019, with "successors".
# Population tags (C/D/R/E) are explained in the module docstring.
# ---------------------------------------------------------------------------------------------

MUNICIPALITIES = [
    # --- Oslo (NMH's home; not a member) ---------------------------------------------------
    # 2017-2019 R, 2020 C, 2021-2023 R, 2024 C. Oslo and Aker merged on 1948-01-01.
    {
        "number": "0301", "name": "Oslo", "lat": 59.9120, "lon": 10.7336,
        "valid_from": date(1948, 1, 1), "valid_to": None,
        "counties": [("03", date(1948, 1, 1), None)], "successors": [],
        "population": {
            2017: 666759, 2018: 673469, 2019: 681067, 2020: 693494,
            2021: 697010, 2022: 699827, 2023: 709037, 2024: 717710,
        },
    },
    # --- Follo (2020 municipalities) --------------------------------------------------------
    # Ski + Oppegård. 2020 C, 2021 C, 2022-2024 E. Centre: Ski.
    {
        "number": "3020", "name": "Nordre Follo", "lat": 59.7194, "lon": 10.8356,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 59288, 2021: 60034, 2022: 60800, 2023: 61500, 2024: 62300},
    },
    # 2020 D, 2021 D (growth +248 = 1.37 % in 2020), 2022-2024 E.
    {
        "number": "3019", "name": "Vestby", "lat": 59.6030, "lon": 10.7470,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 18102, 2021: 18350, 2022: 18650, 2023: 18950, 2024: 19350},
    },
    # All E (about 20,500 in 2020).
    {
        "number": "3021", "name": "Ås", "lat": 59.6640, "lon": 10.7915,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 20560, 2021: 20750, 2022: 21100, 2023: 21500, 2024: 21900},
    },
    # All E (about 16,000). Centre: Drøbak.
    {
        "number": "3022", "name": "Frogn", "lat": 59.6630, "lon": 10.6300,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 15920, 2021: 16010, 2022: 16200, 2023: 16350, 2024: 16500},
    },
    # All E (about 19,700). Centre: Nesoddtangen (approx.).
    {
        "number": "3023", "name": "Nesodden", "lat": 59.8500, "lon": 10.6560,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 19650, 2021: 19900, 2022: 20100, 2023: 20250, 2024: 20400},
    },
    # 2020 D, 2021 E, 2022 E, 2023 D, 2024 E. Centre: Kirkebygda (approx.).
    {
        "number": "3028", "name": "Enebakk", "lat": 59.7600, "lon": 11.1450,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 11110, 2021: 11200, 2022: 11300, 2023: 11392, 2024: 11450},
    },
    # --- Romerike (2020 municipalities) -----------------------------------------------------
    # Skedsmo + Fet + Sørum. 2020 D, 2021 E, 2022 E, 2023 C (91,515), 2024 E.
    {
        "number": "3030", "name": "Lillestrøm", "lat": 59.9556, "lon": 11.0492,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 85983, 2021: 87000, 2022: 88700, 2023: 91515, 2024: 93400},
    },
    # 2020 D, 2021 E, 2022 E, 2023 D, 2024 E.
    {
        "number": "3029", "name": "Lørenskog", "lat": 59.9275, "lon": 10.9590,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 41460, 2021: 42900, 2022: 44500, 2023: 46797, 2024: 47600},
    },
    # 2020 D, 2021 E, 2022 E, 2023 D, 2024 E. Centre: Rotnes.
    {
        "number": "3031", "name": "Nittedal", "lat": 60.0590, "lon": 10.8660,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 24249, 2021: 24550, 2022: 25000, 2023: 25440, 2024: 25700},
    },
    # 2020 D, 2021 E, 2022 E, 2023 D, 2024 E. Centre: Jessheim.
    {
        "number": "3033", "name": "Ullensaker", "lat": 60.1417, "lon": 11.1750,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 39625, 2021: 40500, 2022: 41400, 2023: 42866, 2024: 43500},
    },
    # --- Vest – Asker og Bærum (2020 municipalities) ----------------------------------------
    # 2020 C, 2021 C, 2022 D (2023 minus +892 growth in 2022), 2023 C, 2024 E. Centre: Sandvika.
    {
        "number": "3024", "name": "Bærum", "lat": 59.8890, "lon": 10.5220,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 127731, 2021: 128760, 2022: 128982, 2023: 129874, 2024: 131100},
    },
    # Asker + Røyken + Hurum (the latter two from Buskerud); in Akershus from 2024.
    # 2020 R, 2021 C, 2022-2024 E.
    {
        "number": "3025", "name": "Asker", "lat": 59.8353, "lon": 10.4350,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 94441, 2021: 94915, 2022: 95900, 2023: 97300, 2024: 98500},
    },
    # --- Østfold pilots (2020 municipalities) -----------------------------------------------
    # 2020 R, 2021 D, 2022-2024 E.
    {
        "number": "3004", "name": "Fredrikstad", "lat": 59.2181, "lon": 10.9298,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_OSTFOLD], "successors": [],
        "population": {2020: 82385, 2021: 83193, 2022: 83900, 2023: 84600, 2024: 85300},
    },
    # 2020 R, 2021 D, 2022-2024 E.
    {
        "number": "3003", "name": "Sarpsborg", "lat": 59.2839, "lon": 11.1097,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_OSTFOLD], "successors": [],
        "population": {2020: 56732, 2021: 57372, 2022: 58100, 2023: 58800, 2024: 59500},
    },
    # Moss + Rygge. 2020 R, 2021 D, 2022-2024 E (passed 50,000 during 2021).
    {
        "number": "3002", "name": "Moss", "lat": 59.4340, "lon": 10.6590,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_OSTFOLD], "successors": [],
        "population": {2020: 49273, 2021: 49668, 2022: 50300, 2023: 50700, 2024: 51300},
    },
    # Askim + Eidsberg + Hobøl + Spydeberg + Trøgstad. 2020 E, 2021 D, 2022-2024 E.
    # Centre: Mysen.
    {
        "number": "3014", "name": "Indre Østfold", "lat": 59.5690, "lon": 11.3260,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_OSTFOLD], "successors": [],
        "population": {2020: 44900, 2021: 45201, 2022: 45600, 2023: 46100, 2024: 46600},
    },
    # --- Midtregionen pilot (2020 municipality) ---------------------------------------------
    # 2020 C, 2021-2024 E.
    {
        "number": "3006", "name": "Kongsberg", "lat": 59.6689, "lon": 9.6502,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_BUSKERUD], "successors": [],
        "population": {2020: 27716, 2021: 27750, 2022: 27900, 2023: 28200, 2024: 28500},
    },
    # --- INTERESTED municipalities (grey on the report's map; not in the network) -----------
    # 2020 D, 2021 E, 2022 E, 2023 D, 2024 E. Centre: Sundet.
    {
        "number": "3035", "name": "Eidsvoll", "lat": 60.3280, "lon": 11.2600,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 25436, 2021: 25900, 2022: 26600, 2023: 27338, 2024: 27900},
    },
    # 2020 D, 2021 E, 2022 E, 2023 D, 2024 E. Centre: Årnes. The jump from 2019 (21,885) to
    # 2020 (23,092), with Lillestrøm losing about as many, suggests a boundary adjustment
    # with Sørum on 2020-01-01 (not verified here).
    {
        "number": "3034", "name": "Nes", "lat": 60.1236, "lon": 11.4640,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 23092, 2021: 23400, 2022: 23800, 2023: 24283, 2024: 24600},
    },
    # Aurskog-Høland + Rømskog (from Østfold). 2020 C, 2021 C, 2022 E, 2023 D, 2024 E.
    # Centre: Bjørkelangen.
    {
        "number": "3026", "name": "Aurskog-Høland", "lat": 59.8860, "lon": 11.5640,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_AKERSHUS], "successors": [],
        "population": {2020: 17390, 2021: 17591, 2022: 17750, 2023: 17945, 2024: 18100},
    },
    # Drammen + Nedre Eiker + Svelvik (from Vestfold). 2020 R, 2021-2024 E.
    {
        "number": "3005", "name": "Drammen", "lat": 59.7439, "lon": 10.2045,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_BUSKERUD], "successors": [],
        "population": {2020: 101386, 2021: 101900, 2022: 102300, 2023: 103300, 2024: 104500},
    },
    # All E (about 27,000). Centre: Lierbyen.
    {
        "number": "3049", "name": "Lier", "lat": 59.7858, "lon": 10.2430,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_BUSKERUD], "successors": [],
        "population": {2020: 27000, 2021: 27200, 2022: 27500, 2023: 27900, 2024: 28300},
    },
    # 2020 R, 2021 D, 2022-2024 E.
    {
        "number": "3001", "name": "Halden", "lat": 59.1243, "lon": 11.3875,
        "valid_from": _NEW_FROM, "valid_to": None,
        "counties": [*_VIKEN_OSTFOLD], "successors": [],
        "population": {2020: 31444, 2021: 31387, 2022: 31400, 2023: 31600, 2024: 31800},
    },
    # --- Pre-2020 municipalities (ended 2019-12-31) -----------------------------------------
    # Follo. Ski 2019 + Oppegård 2019 = 58,450 D (Nordre Follo 2020 minus growth in 2019:
    # +460 Ski, +378 Oppegård); the split between them and 2017-2018 are E.
    {
        "number": "0213", "name": "Ski", "lat": 59.7194, "lon": 10.8356,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3020"],
        "population": {2017: 30050, 2018: 30450, 2019: 30900},
    },
    # Centre: Kolbotn. See Ski for the population tags (all E, sum with Ski 2019 D).
    {
        "number": "0217", "name": "Oppegård", "lat": 59.8107, "lon": 10.8000,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3020"],
        "population": {2017: 26850, 2018: 27200, 2019: 27550},
    },
    # All E (2017 about 4.1 % below 2018: Ås grew 4.1 % in 2017).
    {
        "number": "0214", "name": "Ås", "lat": 59.6640, "lon": 10.7915,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3021"],
        "population": {2017: 19000, 2018: 19780, 2019: 20250},
    },
    # All E.
    {
        "number": "0211", "name": "Vestby", "lat": 59.6030, "lon": 10.7470,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3019"],
        "population": {2017: 16900, 2018: 17400, 2019: 17850},
    },
    # All E. Formed 1962-01-01 (Drøbak + Frogn).
    {
        "number": "0215", "name": "Frogn", "lat": 59.6630, "lon": 10.6300,
        "valid_from": date(1962, 1, 1), "valid_to": _OLD_TO,
        "counties": [("02", date(1962, 1, 1), _OLD_TO)], "successors": ["3022"],
        "population": {2017: 15650, 2018: 15720, 2019: 15800},
    },
    # All E.
    {
        "number": "0216", "name": "Nesodden", "lat": 59.8500, "lon": 10.6560,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3023"],
        "population": {2017: 19100, 2018: 19300, 2019: 19500},
    },
    # 2017 D, 2018 C, 2019 D.
    {
        "number": "0229", "name": "Enebakk", "lat": 59.7600, "lon": 11.1450,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3028"],
        "population": {2017: 10923, 2018: 10945, 2019: 11026},
    },
    # Romerike. 2017 D, 2018 C, 2019 D for all of Skedsmo, Fet, Sørum, Lørenskog, Nittedal,
    # Ullensaker, Eidsvoll, Nes and Aurskog-Høland (Romerikes Blad quoting SSB).
    {
        "number": "0231", "name": "Skedsmo", "lat": 59.9556, "lon": 11.0492,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3030"],
        "population": {2017: 53273, 2018: 54178, 2019: 55652},
    },
    # Centre: Fetsund.
    {
        "number": "0227", "name": "Fet", "lat": 59.9290, "lon": 11.1620,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3030"],
        "population": {2017: 11559, 2018: 11663, 2019: 11842},
    },
    # Centre: Sørumsand.
    {
        "number": "0226", "name": "Sørum", "lat": 59.9850, "lon": 11.2400,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3030"],
        "population": {2017: 17662, 2018: 17980, 2019: 18263},
    },
    {
        "number": "0230", "name": "Lørenskog", "lat": 59.9275, "lon": 10.9590,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3029"],
        "population": {2017: 37398, 2018: 38670, 2019: 40106},
    },
    {
        "number": "0233", "name": "Nittedal", "lat": 60.0590, "lon": 10.8660,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3031"],
        "population": {2017: 23220, 2018: 23545, 2019: 24089},
    },
    {
        "number": "0235", "name": "Ullensaker", "lat": 60.1417, "lon": 11.1750,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3033"],
        "population": {2017: 35102, 2018: 36576, 2019: 38234},
    },
    # Vest. Bærum 2017 R, 2018-2019 E. Asker 2017-2018 E, 2019 C. Røyken, Hurum all E.
    {
        "number": "0219", "name": "Bærum", "lat": 59.8890, "lon": 10.5220,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3024"],
        "population": {2017: 124008, 2018: 125500, 2019: 126950},
    },
    {
        "number": "0220", "name": "Asker", "lat": 59.8353, "lon": 10.4350,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3025"],
        "population": {2017: 60750, 2018: 61200, 2019: 61523},
    },
    # Buskerud until 2019. Centre: Midtbygda (approx.).
    {
        "number": "0627", "name": "Røyken", "lat": 59.7480, "lon": 10.3900,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("06", _OLD_FROM, _OLD_TO)], "successors": ["3025"],
        "population": {2017: 22300, 2018: 22700, 2019: 23100},
    },
    # Buskerud until 2019. Centre: Sætre (approx.).
    {
        "number": "0628", "name": "Hurum", "lat": 59.6810, "lon": 10.5230,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("06", _OLD_FROM, _OLD_TO)], "successors": ["3025"],
        "population": {2017: 9380, 2018: 9450, 2019: 9500},
    },
    # Østfold. All E for 2017-2019 (Fredrikstad, Sarpsborg, Moss, Rygge, the five Indre Østfold
    # municipalities, Halden). Fredrikstad formed 1994-01-01, Sarpsborg 1992-01-01.
    {
        "number": "0106", "name": "Fredrikstad", "lat": 59.2181, "lon": 10.9298,
        "valid_from": date(1994, 1, 1), "valid_to": _OLD_TO,
        "counties": [("01", date(1994, 1, 1), _OLD_TO)], "successors": ["3004"],
        "population": {2017: 80100, 2018: 81000, 2019: 81700},
    },
    {
        "number": "0105", "name": "Sarpsborg", "lat": 59.2839, "lon": 11.1097,
        "valid_from": date(1992, 1, 1), "valid_to": _OLD_TO,
        "counties": [("01", date(1992, 1, 1), _OLD_TO)], "successors": ["3003"],
        "population": {2017: 55300, 2018: 55800, 2019: 56300},
    },
    {
        "number": "0104", "name": "Moss", "lat": 59.4340, "lon": 10.6590,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3002"],
        "population": {2017: 32400, 2018: 32600, 2019: 32800},
    },
    # Centre: Halmstad (approx.).
    {
        "number": "0136", "name": "Rygge", "lat": 59.3800, "lon": 10.7170,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3002"],
        "population": {2017: 15600, 2018: 15750, 2019: 15900},
    },
    {
        "number": "0124", "name": "Askim", "lat": 59.5835, "lon": 11.1620,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3014"],
        "population": {2017: 15800, 2018: 15950, 2019: 16100},
    },
    # Centre: Mysen.
    {
        "number": "0125", "name": "Eidsberg", "lat": 59.5690, "lon": 11.3260,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3014"],
        "population": {2017: 11400, 2018: 11450, 2019: 11500},
    },
    # Centre: Elvestad (approx.).
    {
        "number": "0138", "name": "Hobøl", "lat": 59.6020, "lon": 10.9900,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3014"],
        "population": {2017: 5500, 2018: 5550, 2019: 5600},
    },
    {
        "number": "0123", "name": "Spydeberg", "lat": 59.6160, "lon": 11.0800,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3014"],
        "population": {2017: 5800, 2018: 5880, 2019: 5950},
    },
    # Centre: Skjønhaug (approx.).
    {
        "number": "0122", "name": "Trøgstad", "lat": 59.6470, "lon": 11.3230,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3014"],
        "population": {2017: 5350, 2018: 5380, 2019: 5400},
    },
    # Buskerud. All E. Formed 1964-01-01 (Kongsberg + Sandsvær).
    {
        "number": "0604", "name": "Kongsberg", "lat": 59.6689, "lon": 9.6502,
        "valid_from": date(1964, 1, 1), "valid_to": _OLD_TO,
        "counties": [("06", date(1964, 1, 1), _OLD_TO)], "successors": ["3006"],
        "population": {2017: 27100, 2018: 27300, 2019: 27600},
    },
    # Pre-2020 rows of the INTERESTED municipalities. Eidsvoll, Nes, Aurskog-Høland: 2017 D,
    # 2018 C, 2019 D. Rømskog 2019 D, 2017-2018 E. Halden, Drammen, Nedre Eiker, Svelvik,
    # Lier: all E.
    {
        "number": "0237", "name": "Eidsvoll", "lat": 60.3280, "lon": 11.2600,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3035"],
        "population": {2017: 24403, 2018: 24647, 2019: 24919},
    },
    {
        "number": "0236", "name": "Nes", "lat": 60.1236, "lon": 11.4640,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("02", _OLD_FROM, _OLD_TO)], "successors": ["3034"],
        "population": {2017: 21235, 2018: 21681, 2019: 21885},
    },
    # Formed 1966-01-01 (Aurskog + Høland).
    {
        "number": "0221", "name": "Aurskog-Høland", "lat": 59.8860, "lon": 11.5640,
        "valid_from": date(1966, 1, 1), "valid_to": _OLD_TO,
        "counties": [("02", date(1966, 1, 1), _OLD_TO)], "successors": ["3026"],
        "population": {2017: 16164, 2018: 16390, 2019: 16500},
    },
    # Østfold until 2019; merged into Aurskog-Høland (Akershus side).
    {
        "number": "0121", "name": "Rømskog", "lat": 59.7300, "lon": 11.8130,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("01", _OLD_FROM, _OLD_TO)], "successors": ["3026"],
        "population": {2017: 660, 2018: 670, 2019: 675},
    },
    # Formed 1967-01-01 (Halden + Berg + Idd).
    {
        "number": "0101", "name": "Halden", "lat": 59.1243, "lon": 11.3875,
        "valid_from": date(1967, 1, 1), "valid_to": _OLD_TO,
        "counties": [("01", date(1967, 1, 1), _OLD_TO)], "successors": ["3001"],
        "population": {2017: 30800, 2018: 31000, 2019: 31300},
    },
    {
        "number": "0602", "name": "Drammen", "lat": 59.7439, "lon": 10.2045,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("06", _OLD_FROM, _OLD_TO)], "successors": ["3005"],
        "population": {2017: 68400, 2018: 68700, 2019: 69000},
    },
    # Centre: Mjøndalen (approx.).
    {
        "number": "0625", "name": "Nedre Eiker", "lat": 59.7460, "lon": 10.0160,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("06", _OLD_FROM, _OLD_TO)], "successors": ["3005"],
        "population": {2017: 24800, 2018: 25000, 2019: 25200},
    },
    # Vestfold until 2019.
    {
        "number": "0711", "name": "Svelvik", "lat": 59.6120, "lon": 10.4080,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("07", _OLD_FROM, _OLD_TO)], "successors": ["3005"],
        "population": {2017: 6650, 2018: 6680, 2019: 6700},
    },
    {
        "number": "0626", "name": "Lier", "lat": 59.7858, "lon": 10.2430,
        "valid_from": _OLD_FROM, "valid_to": _OLD_TO,
        "counties": [("06", _OLD_FROM, _OLD_TO)], "successors": ["3049"],
        "population": {2017: 26300, 2018: 26500, 2019: 26800},
    },
]

# Numbers of the INTERESTED municipalities above, for maps and filters.
INTERESTED_MUNICIPALITIES = ("3035", "3034", "3026", "3005", "3049", "3001")

# ---------------------------------------------------------------------------------------------
# Mergers on 2020-01-01 (a renumbering is a merger with one predecessor).
# ---------------------------------------------------------------------------------------------

_MERGER_DAY = date(2020, 1, 1)

MERGERS = [
    # Real mergers
    {"date": _MERGER_DAY, "predecessors": ["0213", "0217"], "successor": "3020"},
    {"date": _MERGER_DAY, "predecessors": ["0231", "0227", "0226"], "successor": "3030"},
    {"date": _MERGER_DAY, "predecessors": ["0104", "0136"], "successor": "3002"},
    {"date": _MERGER_DAY, "predecessors": ["0220", "0628", "0627"], "successor": "3025"},
    {
        "date": _MERGER_DAY,
        "predecessors": ["0124", "0125", "0138", "0123", "0122"],
        "successor": "3014",
    },
    {"date": _MERGER_DAY, "predecessors": ["0602", "0625", "0711"], "successor": "3005"},
    {"date": _MERGER_DAY, "predecessors": ["0221", "0121"], "successor": "3026"},
    # Renumberings (Akershus, Østfold, Buskerud -> Viken)
    {"date": _MERGER_DAY, "predecessors": ["0211"], "successor": "3019"},
    {"date": _MERGER_DAY, "predecessors": ["0214"], "successor": "3021"},
    {"date": _MERGER_DAY, "predecessors": ["0215"], "successor": "3022"},
    {"date": _MERGER_DAY, "predecessors": ["0216"], "successor": "3023"},
    {"date": _MERGER_DAY, "predecessors": ["0229"], "successor": "3028"},
    {"date": _MERGER_DAY, "predecessors": ["0230"], "successor": "3029"},
    {"date": _MERGER_DAY, "predecessors": ["0233"], "successor": "3031"},
    {"date": _MERGER_DAY, "predecessors": ["0235"], "successor": "3033"},
    {"date": _MERGER_DAY, "predecessors": ["0219"], "successor": "3024"},
    {"date": _MERGER_DAY, "predecessors": ["0106"], "successor": "3004"},
    {"date": _MERGER_DAY, "predecessors": ["0105"], "successor": "3003"},
    {"date": _MERGER_DAY, "predecessors": ["0604"], "successor": "3006"},
    {"date": _MERGER_DAY, "predecessors": ["0237"], "successor": "3035"},
    {"date": _MERGER_DAY, "predecessors": ["0236"], "successor": "3034"},
    {"date": _MERGER_DAY, "predecessors": ["0101"], "successor": "3001"},
    {"date": _MERGER_DAY, "predecessors": ["0626"], "successor": "3049"},
]

# The real municipality numbers from 2024-01-01 (Viken split). Not modelled as rows above;
# kept here so the renumbering can be added later without guessing.
NUMBERS_FROM_2024 = {
    "3019": "3216", "3020": "3207", "3021": "3218", "3022": "3214", "3023": "3212",
    "3024": "3201", "3025": "3203", "3026": "3226", "3028": "3220", "3029": "3222",
    "3030": "3205", "3031": "3232", "3033": "3209", "3034": "3228", "3035": "3240",
    "3001": "3101", "3002": "3103", "3003": "3105", "3004": "3107", "3014": "3118",
    "3005": "3301", "3006": "3303", "3049": "3312",
}

# ---------------------------------------------------------------------------------------------
# Schools: exactly the 23 of 2020. Enrolment = pupils in music as reported to GSI (1 October);
# ALL enrolment figures are estimates (culture schools: music pupils only, not all disciplines).
# Before 2020 a merged municipality's figure is the sum of its predecessors' culture schools.
# Contact e-mail addresses are plausible placeholders, not verified.
# ---------------------------------------------------------------------------------------------

_FOLLO_PILOT = [("member", date(2014, 1, 1), None)]  # "var med fra 2014" (report, section 5)
_COUNTY_SCHOOL = [("member", date(2017, 8, 1), None)]  # Akershus joined in 2017
_NEW_MEMBER_2019 = [("member", date(2019, 8, 1), None)]  # Romerike and Vest from autumn 2019
_PILOT_2019 = [("pilot", date(2019, 8, 1), None)]  # pilot schools from 2019/2020

SCHOOLS = [
    # --- Follo (8) --------------------------------------------------------------------------
    {
        "name": "Enebakk kommunale kulturskole", "slug": "enebakk-kommunale-kulturskole",
        "kind": "kulturskole", "municipality": "3028", "region": "follo",
        "contact_name": "", "contact_email": "post@enebakk.kommune.no",
        "memberships": [*_FOLLO_PILOT],
        "enrolment": {"2017/18": 150, "2018/19": 155, "2019/20": 160, "2020/21": 150},
    },
    {
        "name": "Frogn Kulturskole", "slug": "frogn-kulturskole",
        "kind": "kulturskole", "municipality": "3022", "region": "follo",
        "contact_name": "Hege Elnæs", "contact_email": "post@frogn.kommune.no",
        "memberships": [*_FOLLO_PILOT],
        "enrolment": {"2017/18": 285, "2018/19": 290, "2019/20": 300, "2020/21": 290},
    },
    {
        "name": "Nesodden kulturskole", "slug": "nesodden-kulturskole",
        "kind": "kulturskole", "municipality": "3023", "region": "follo",
        "contact_name": "Tone Winje", "contact_email": "post@nesodden.kommune.no",
        "memberships": [*_FOLLO_PILOT],
        "enrolment": {"2017/18": 320, "2018/19": 330, "2019/20": 340, "2020/21": 330},
    },
    {
        # Before 2020: Ski kulturskole + Oppegård kulturskole (see module docstring).
        "name": "Nordre Follo kulturskole", "slug": "nordre-follo-kulturskole",
        "kind": "kulturskole", "municipality": "3020", "region": "follo",
        "contact_name": "Rune Molvær", "contact_email": "post@nordrefollo.kommune.no",
        "memberships": [*_FOLLO_PILOT],
        "enrolment": {"2017/18": 950, "2018/19": 970, "2019/20": 980, "2020/21": 955},
    },
    {
        "name": "Vestby Kulturskole", "slug": "vestby-kulturskole",
        "kind": "kulturskole", "municipality": "3019", "region": "follo",
        "contact_name": "Ole Thomas Evensen", "contact_email": "post@vestby.kommune.no",
        "memberships": [*_FOLLO_PILOT],
        "enrolment": {"2017/18": 240, "2018/19": 250, "2019/20": 260, "2020/21": 255},
    },
    {
        # The report quotes its former rector (Alexander Krohg Plur); the 2020 one is not named.
        "name": "Kulturskolen i Ås", "slug": "kulturskolen-i-as",
        "kind": "kulturskole", "municipality": "3021", "region": "follo",
        "contact_name": "", "contact_email": "post@as.kommune.no",
        "memberships": [*_FOLLO_PILOT],
        "enrolment": {"2017/18": 360, "2018/19": 370, "2019/20": 380, "2020/21": 370},
    },
    {
        "name": "Ski videregående skole", "slug": "ski-videregaende-skole",
        "kind": "vgs", "municipality": "3020", "region": "follo",
        "contact_name": "", "contact_email": "post@ski.vgs.no",
        "memberships": [*_COUNTY_SCHOOL],
        "enrolment": {"2017/18": 90, "2018/19": 92, "2019/20": 95, "2020/21": 94},
    },
    {
        # Postal address 1540 Vestby.
        "name": "Follo folkehøgskole", "slug": "follo-folkehogskole",
        "kind": "folkehogskole", "municipality": "3019", "region": "follo",
        "contact_name": "", "contact_email": "post@follo.fhs.no",
        "memberships": [*_COUNTY_SCHOOL],
        "enrolment": {"2017/18": 42, "2018/19": 44, "2019/20": 45, "2020/21": 40},
    },
    # --- Romerike (7) -----------------------------------------------------------------------
    {
        # "Lillestrøm kulturskole blir med i UngMusikk fra 1.1.2020" (report, section 7e).
        # Before 2020: Skedsmo + Fet + Sørum kulturskoler.
        "name": "Lillestrøm kulturskole", "slug": "lillestrom-kulturskole",
        "kind": "kulturskole", "municipality": "3030", "region": "romerike",
        "contact_name": "Trude Nordeng Rougnø", "contact_email": "post@lillestrom.kommune.no",
        "memberships": [("member", date(2020, 1, 1), None)],
        "enrolment": {"2017/18": 1200, "2018/19": 1230, "2019/20": 1250, "2020/21": 1210},
    },
    {
        "name": "Lørenskog musikk- og kulturskole", "slug": "lorenskog-musikk-og-kulturskole",
        "kind": "kulturskole", "municipality": "3029", "region": "romerike",
        "contact_name": "Finn Evensen", "contact_email": "post@lorenskog.kommune.no",
        "memberships": [*_NEW_MEMBER_2019],
        "enrolment": {"2017/18": 490, "2018/19": 505, "2019/20": 520, "2020/21": 505},
    },
    {
        "name": "Nittedal Kulturskole", "slug": "nittedal-kulturskole",
        "kind": "kulturskole", "municipality": "3031", "region": "romerike",
        "contact_name": "", "contact_email": "post@nittedal.kommune.no",
        "memberships": [*_NEW_MEMBER_2019],
        "enrolment": {"2017/18": 315, "2018/19": 320, "2019/20": 330, "2020/21": 320},
    },
    {
        "name": "Ullensaker kulturskole", "slug": "ullensaker-kulturskole",
        "kind": "kulturskole", "municipality": "3033", "region": "romerike",
        "contact_name": "", "contact_email": "post@ullensaker.kommune.no",
        "memberships": [*_NEW_MEMBER_2019],
        "enrolment": {"2017/18": 400, "2018/19": 415, "2019/20": 430, "2020/21": 420},
    },
    {
        "name": "Lillestrøm videregående skole", "slug": "lillestrom-videregaende-skole",
        "kind": "vgs", "municipality": "3030", "region": "romerike",
        "contact_name": "", "contact_email": "post@lillestrom.vgs.no",
        "memberships": [*_COUNTY_SCHOOL],
        "enrolment": {"2017/18": 105, "2018/19": 108, "2019/20": 110, "2020/21": 108},
    },
    {
        "name": "Jessheim videregående skole", "slug": "jessheim-videregaende-skole",
        "kind": "vgs", "municipality": "3033", "region": "romerike",
        "contact_name": "", "contact_email": "post@jessheim.vgs.no",
        "memberships": [*_COUNTY_SCHOOL],
        "enrolment": {"2017/18": 80, "2018/19": 82, "2019/20": 85, "2020/21": 84},
    },
    {
        # At Jessheim (Ullensaker).
        "name": "Romerike folkehøgskole", "slug": "romerike-folkehogskole",
        "kind": "folkehogskole", "municipality": "3033", "region": "romerike",
        "contact_name": "", "contact_email": "post@romerike.fhs.no",
        "memberships": [*_COUNTY_SCHOOL],
        "enrolment": {"2017/18": 48, "2018/19": 50, "2019/20": 50, "2020/21": 46},
    },
    # --- Vest – Asker og Bærum (3) ----------------------------------------------------------
    {
        # Before 2020: Asker + Røyken + Hurum kulturskoler.
        "name": "Asker kulturskole", "slug": "asker-kulturskole",
        "kind": "kulturskole", "municipality": "3025", "region": "vest",
        "contact_name": "Kim Stian Gjerdingen Bakke", "contact_email": "post@asker.kommune.no",
        "memberships": [*_NEW_MEMBER_2019],
        "enrolment": {"2017/18": 1430, "2018/19": 1470, "2019/20": 1500, "2020/21": 1460},
    },
    {
        "name": "Bærum kulturskole", "slug": "baerum-kulturskole",
        "kind": "kulturskole", "municipality": "3024", "region": "vest",
        "contact_name": "Kirsten Fuglseth", "contact_email": "post@baerum.kommune.no",
        "memberships": [*_NEW_MEMBER_2019],
        "enrolment": {"2017/18": 2050, "2018/19": 2080, "2019/20": 2100, "2020/21": 2040},
    },
    {
        "name": "Rud videregående skole", "slug": "rud-videregaende-skole",
        "kind": "vgs", "municipality": "3024", "region": "vest",
        "contact_name": "", "contact_email": "post@rud.vgs.no",
        "memberships": [*_COUNTY_SCHOOL],
        "enrolment": {"2017/18": 96, "2018/19": 98, "2019/20": 100, "2020/21": 99},
    },
    # --- Pilot schools (5): formerly Østfold and Buskerud -----------------------------------
    {
        "name": "Kulturskolen i Fredrikstad", "slug": "kulturskolen-i-fredrikstad",
        "kind": "kulturskole", "municipality": "3004", "region": "ostfold",
        "contact_name": "John Einar Halvorsrød", "contact_email": "post@fredrikstad.kommune.no",
        "memberships": [*_PILOT_2019],
        "enrolment": {"2017/18": 1020, "2018/19": 1040, "2019/20": 1050, "2020/21": 1010},
    },
    {
        "name": "Kongsberg kulturskole", "slug": "kongsberg-kulturskole",
        "kind": "kulturskole", "municipality": "3006", "region": "midtregionen",
        "contact_name": "", "contact_email": "post@kongsberg.kommune.no",
        "memberships": [*_PILOT_2019],
        "enrolment": {"2017/18": 400, "2018/19": 410, "2019/20": 420, "2020/21": 405},
    },
    {
        # Before 2020: Moss + Rygge kulturskoler.
        "name": "Moss kulturskole", "slug": "moss-kulturskole",
        "kind": "kulturskole", "municipality": "3002", "region": "ostfold",
        "contact_name": "", "contact_email": "post@moss.kommune.no",
        "memberships": [*_PILOT_2019],
        "enrolment": {"2017/18": 500, "2018/19": 510, "2019/20": 520, "2020/21": 505},
    },
    {
        "name": "Sarpsborg kulturskole", "slug": "sarpsborg-kulturskole",
        "kind": "kulturskole", "municipality": "3003", "region": "ostfold",
        "contact_name": "Gisle Haus", "contact_email": "post@sarpsborg.kommune.no",
        "memberships": [*_PILOT_2019],
        "enrolment": {"2017/18": 630, "2018/19": 640, "2019/20": 650, "2020/21": 630},
    },
    {
        # "Indre Østfold kulturskole (fra høsten 2020)". Before 2020: the five predecessors.
        "name": "Indre Østfold kulturskole", "slug": "indre-ostfold-kulturskole",
        "kind": "kulturskole", "municipality": "3014", "region": "ostfold",
        "contact_name": "", "contact_email": "post@indre-ostfold.kommune.no",
        "memberships": [
            ("interested", date(2020, 1, 1), date(2020, 7, 31)),
            ("pilot", date(2020, 8, 1), None),
        ],
        "enrolment": {"2017/18": 460, "2018/19": 470, "2019/20": 480, "2020/21": 470},
    },
]

# INTERESTED culture schools (grey on the report's map: "har vist interesse og vil bli invitert
# til møter om dette i 2020"). Not members, not among the 23. Which municipalities were grey is
# not legible in the text of the report: these six are plausible examples. Enrolment estimates.
_INTERESTED_2020 = [("interested", date(2020, 1, 1), None)]

INTERESTED_SCHOOLS = [
    {
        "name": "Eidsvoll kulturskole", "slug": "eidsvoll-kulturskole",
        "kind": "kulturskole", "municipality": "3035", "region": "romerike",
        "contact_name": "", "contact_email": "post@eidsvoll.kommune.no",
        "memberships": [*_INTERESTED_2020],
        "enrolment": {"2017/18": 290, "2018/19": 295, "2019/20": 300, "2020/21": 290},
    },
    {
        "name": "Nes kulturskole", "slug": "nes-kulturskole",
        "kind": "kulturskole", "municipality": "3034", "region": "romerike",
        "contact_name": "", "contact_email": "post@nes-ak.kommune.no",
        "memberships": [*_INTERESTED_2020],
        "enrolment": {"2017/18": 240, "2018/19": 245, "2019/20": 250, "2020/21": 240},
    },
    {
        "name": "Aurskog-Høland kulturskole", "slug": "aurskog-holand-kulturskole",
        "kind": "kulturskole", "municipality": "3026", "region": "romerike",
        "contact_name": "", "contact_email": "post@ahk.no",
        "memberships": [*_INTERESTED_2020],
        "enrolment": {"2017/18": 190, "2018/19": 195, "2019/20": 200, "2020/21": 195},
    },
    {
        "name": "Drammen kulturskole", "slug": "drammen-kulturskole",
        "kind": "kulturskole", "municipality": "3005", "region": "midtregionen",
        "contact_name": "", "contact_email": "post@drammen.kommune.no",
        "memberships": [*_INTERESTED_2020],
        "enrolment": {"2017/18": 870, "2018/19": 885, "2019/20": 900, "2020/21": 870},
    },
    {
        "name": "Lier kulturskole", "slug": "lier-kulturskole",
        "kind": "kulturskole", "municipality": "3049", "region": "midtregionen",
        "contact_name": "", "contact_email": "post@lier.kommune.no",
        "memberships": [*_INTERESTED_2020],
        "enrolment": {"2017/18": 340, "2018/19": 345, "2019/20": 350, "2020/21": 340},
    },
    {
        "name": "Halden kulturskole", "slug": "halden-kulturskole",
        "kind": "kulturskole", "municipality": "3001", "region": "ostfold",
        "contact_name": "", "contact_email": "post@halden.kommune.no",
        "memberships": [*_INTERESTED_2020],
        "enrolment": {"2017/18": 390, "2018/19": 395, "2019/20": 400, "2020/21": 385},
    },
]

# ---------------------------------------------------------------------------------------------
# Venues: NMH plus one per sub-region. Municipality = (2020 number, name).
# ---------------------------------------------------------------------------------------------

VENUES = [
    # NMH at Majorstuen. (The coordinates first suggested, 59.9449 N, are about 1.3 km too far
    # north, near Vinderen; Slemdalsveien 11 is just north of Majorstuen.)
    {
        "name": "Norges musikkhøgskole, Slemdalsveien 11", "municipality": ("0301", "Oslo"),
        "lat": 59.9330, "lon": 10.7165,
    },
    # Follo: Kolben kulturhus, Kolbotn (Nordre Follo).
    {
        "name": "Kolben kulturhus, Kolbotn", "municipality": ("3020", "Nordre Follo"),
        "lat": 59.8105, "lon": 10.7998,
    },
    # Romerike: Lillestrøm kultursenter, by Torvet.
    {
        "name": "Lillestrøm kultursenter", "municipality": ("3030", "Lillestrøm"),
        "lat": 59.9563, "lon": 11.0463,
    },
    # Vest: Asker kulturhus, Asker sentrum.
    {
        "name": "Asker kulturhus", "municipality": ("3025", "Asker"),
        "lat": 59.8340, "lon": 10.4365,
    },
    # Østfold: Blå Grotte, Værste, Fredrikstad (approx.).
    {
        "name": "Blå Grotte, Fredrikstad", "municipality": ("3004", "Fredrikstad"),
        "lat": 59.2120, "lon": 10.9400,
    },
    # Midtregionen: Energimølla kulturhus by Nybrufossen, Kongsberg (approx.).
    {
        "name": "Energimølla, Kongsberg", "municipality": ("3006", "Kongsberg"),
        "lat": 59.6695, "lon": 9.6490,
    },
]

# ---------------------------------------------------------------------------------------------
# Money.
# ---------------------------------------------------------------------------------------------

NMH = {
    "name": "Norges musikkhøgskole",
    # "NMH budsjetterer med kr. 150.000 til UngMusikk" (report, section 2).
    "cash_per_year": {2019: Decimal("150000"), 2020: Decimal("150000")},
    # ESTIMATES: the report only says NMH gives "langt mer" in kind ("gratis lån av lokaler,
    # administrasjon, diverse lærerutgifter m.m."). About 1 MNOK in all is assumed here.
    "in_kind_2020": [
        ("premises", "Gratis lån av lokaler", Decimal("300000")),
        ("administration", "Administrasjon", Decimal("250000")),
        ("teachers", "Lærerutgifter", Decimal("450000")),
    ],
}

# The county grant: 2.5 MNOK from Akershus for 2019, "videreført og indeksregulert" by Viken for
# 2020. Index: the municipal deflator (kommunal deflator) for 2020 in the state budget,
# Prop. 1 S (2019–2020), 3.1 % (estimate from memory; not checked here). 2020 amount =
# 2019 amount x index = 2,577,500.
COUNTY_GRANT = {
    2019: {"amount": Decimal("2500000"), "index_factor": Decimal("1.0000")},
    2020: {"index_factor": Decimal("1.0310")},
}

# ---------------------------------------------------------------------------------------------
# Instruments and fictional names.
# ---------------------------------------------------------------------------------------------

INSTRUMENTS = [
    "Fiolin", "Bratsj", "Cello", "Kontrabass",
    "Fløyte", "Obo", "Klarinett", "Fagott", "Saksofon",
    "Trompet", "Horn", "Trombone", "Tuba", "Kornett",
    "Slagverk", "Piano", "Orgel", "Gitar", "Harpe", "Sang",
    # Instrument groups (for masterclasses on a group)
    "Blåsere", "Messing", "Treblås", "Strykere",
]

# Common Norwegian first and last names, for generated FICTIONAL pupils (combine at random).
PUPIL_FIRST_NAMES = [
    "Emma", "Nora", "Olivia", "Ella", "Sofie", "Leah", "Frida", "Ingrid", "Sara", "Maja",
    "Ida", "Hedda", "Sofia", "Linnea", "Thea", "Amalie", "Emilie", "Vilde", "Selma", "Astrid",
    "Hanna", "Julie", "Mathilde", "Tiril", "Aurora", "Eva", "Live", "Mina", "Sigrid", "Oda",
    "Jakob", "Emil", "Noah", "Oliver", "Filip", "William", "Lucas", "Liam", "Henrik", "Oskar",
    "Aksel", "Theodor", "Elias", "Isak", "Kasper", "Magnus", "Johannes", "Sander", "Tobias",
    "Jonas", "Mathias", "Adrian", "Sebastian", "Markus", "Even", "Sigurd", "Håkon", "Ulrik",
    "Vetle", "Edvard", "Olav", "Eirik",
]

PUPIL_LAST_NAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Henriksen", "Lund",
    "Halvorsen", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg",
    "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen",
    "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde", "Berge", "Moe",
    "Nygård", "Kristensen", "Fredriksen", "Holm", "Lien", "Hauge", "Christensen", "Andresen",
    "Nielsen", "Knudsen", "Sæther", "Aas", "Myhre", "Thomassen", "Sandvik", "Rønning",
    "Arnesen",
]

# FICTIONAL NMH teachers (any likeness to real people is accidental). Instruments are names
# from INSTRUMENTS.
NMH_TEACHERS = [
    ("Ingrid Haugland", "Fiolin"),
    ("Torstein Vikane", "Fiolin"),
    ("Maren Solstad", "Bratsj"),
    ("Håvard Lindtveit", "Cello"),
    ("Siri Aamodt", "Kontrabass"),
    ("Kristoffer Bråten", "Fløyte"),
    ("Ragnhild Sveen", "Obo"),
    ("Petter Ødegård", "Klarinett"),
    ("Camilla Fjeldheim", "Fagott"),
    ("Anders Tveiten", "Saksofon"),
    ("Eline Rustad", "Trompet"),
    ("Jørgen Skaug", "Horn"),
    ("Tone Grimstad", "Trombone"),
    ("Sindre Holmvik", "Slagverk"),
    ("Lene Marstrander", "Piano"),
    ("Bjørnar Kvalvik", "Gitar"),
    ("Marte Lyngstad", "Sang"),
]
# fmt: on
