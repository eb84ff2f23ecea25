"""Builds a national-size network in PostgreSQL for the benchmarks, with set-based inserts
(generate_series) rather than rows from Python: by default 357 municipalities, 400 schools,
120,000 pupils and five school years of activities with about 12 million named-pupil
participations. Run it against an empty, dedicated database."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from schools.models import School

STEPS = [
    (
        "fylke, delregioner og kommuner",
        """
        INSERT INTO schools_county (name, number, valid_from, valid_to)
            VALUES ('Norge (skala)', '99', '2000-01-01', NULL);
        INSERT INTO schools_region (name, slug, valid_from, valid_to)
            SELECT 'Skalaregion ' || g, 'skala-' || g, DATE '2000-01-01', NULL FROM generate_series(1, %(regions)s) g;
        INSERT INTO schools_municipality (number, name, latitude, longitude, valid_from, valid_to)
            SELECT (5000 + g)::text, 'Skalakommune ' || g, 58 + random() * 12, 5 + random() * 25,
                   DATE '2000-01-01', NULL
            FROM generate_series(1, %(municipalities)s) g;
        INSERT INTO schools_municipalitypopulation (municipality_id, year, population)
            SELECT m.id, y, (1000 + random() * 120000)::int
            FROM schools_municipality m CROSS JOIN generate_series(%(first_year)s, %(last_year)s + 1) y;
        INSERT INTO schools_countymembership (municipality_id, county_id, valid_from, valid_to)
            SELECT m.id, (SELECT max(id) FROM schools_county), DATE '2000-01-01', NULL FROM schools_municipality m;
        CREATE TEMP TABLE scale_municipality AS
            SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM schools_municipality;
        CREATE TEMP TABLE scale_region AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM schools_region;
        """,
    ),
    (
        "skoler, medlemskap og elevtall",
        """
        INSERT INTO schools_school (name, slug, kind, municipality_id, region_id, contact_name, contact_email,
                                    contact_phone)
            SELECT 'Skalaskole ' || g, 'skalaskole-' || g,
                   CASE WHEN g %% 10 = 0 THEN 'vgs' WHEN g %% 25 = 1 THEN 'folkehogskole' ELSE 'kulturskole' END,
                   m.id, r.id, '', '', ''
            FROM generate_series(1, %(schools)s) g
            JOIN scale_municipality m ON m.rn = (g - 1) %% %(municipalities)s
            JOIN scale_region r ON r.rn = (g - 1) %% %(regions)s;
        CREATE TEMP TABLE scale_school AS
            SELECT id, region_id, row_number() OVER (ORDER BY id) - 1 AS rn FROM schools_school;
        CREATE UNIQUE INDEX ON scale_school (rn);
        INSERT INTO schools_membership (school_id, status, valid_from, valid_to, note)
            SELECT id, 'member', DATE '2015-01-01', NULL, '' FROM scale_school;
        INSERT INTO schools_enrolment (school_id, school_year, pupils)
            SELECT s.id, y, 200 + (random() * 800)::int
            FROM scale_school s CROSS JOIN generate_series(%(first_year)s, %(last_year)s) y;
        """,
    ),
    (
        "elever",
        """
        INSERT INTO schools_pupil (first_name, last_name, birth_year, main_instrument)
            SELECT 'Elev', 'Nr ' || g, 2002 + g %% 12, 'Fiolin' FROM generate_series(1, %(pupils)s) g;
        CREATE TEMP TABLE scale_pupil AS
            SELECT id, (row_number() OVER (ORDER BY id) - 1) AS rn FROM schools_pupil;
        -- Pupil rn belongs to school rn %% schools, as that school's pupil number rn / schools.
        INSERT INTO schools_pupil_schools (pupil_id, school_id)
            SELECT p.id, s.id FROM scale_pupil p JOIN scale_school s ON s.rn = p.rn %% %(schools)s;
        CREATE UNIQUE INDEX ON scale_pupil (rn);
        """,
    ),
    (
        "aktiviteter, samarbeidsområder og kostnader",
        """
        CREATE TEMP TABLE scale_kind (rn int, kind text);
        INSERT INTO scale_kind VALUES (0, 'masterclass'), (1, 'individual_teaching'), (2, 'seminar'), (3, 'concert'),
            (4, 'course'), (5, 'continuing_education'), (6, 'project'), (7, 'gathering'), (8, 'practice_placement');
        INSERT INTO activities_activity (title, kind, level, region_id, venue_id, host_school_id, starts_at, ends_at,
                                         instrument, nmh_teachers, status, notes, created_at, updated_at, version)
            SELECT 'Skala-aktivitet ' || y || '-' || g, k.kind,
                   CASE g %% 3 WHEN 0 THEN 'local' WHEN 1 THEN 'regional' ELSE 'central' END,
                   s.region_id, NULL, s.id, t.at, t.at + interval '3 hours', '', '',
                   CASE WHEN g %% 20 = 0 THEN 'cancelled' WHEN t.at > now() THEN 'planned' ELSE 'held' END,
                   '', now(), now(), 1
            FROM generate_series(%(first_year)s, %(last_year)s) y
            CROSS JOIN generate_series(0, %(activities_per_year)s - 1) g
            JOIN scale_school s ON s.rn = g %% %(schools)s
            JOIN scale_kind k ON k.rn = g %% 9
            CROSS JOIN LATERAL (
                SELECT (make_date(y, 8, 20) + ((g * 7919) %% 300))::timestamp AT TIME ZONE 'Europe/Oslo'
                       + interval '10 hours' AS at
            ) t;
        CREATE TEMP TABLE scale_activity AS
            SELECT a.id, a.host_school_id, hs.rn AS host_rn, row_number() OVER (ORDER BY a.id) - 1 AS rn
            FROM activities_activity a JOIN scale_school hs ON hs.id = a.host_school_id;
        CREATE TEMP TABLE scale_area AS
            SELECT id, number - 1 AS rn FROM governance_cooperationarea WHERE number BETWEEN 1 AND 10;
        INSERT INTO activities_activity_cooperation_areas (activity_id, cooperationarea_id)
            SELECT a.id, ar.id FROM scale_activity a JOIN scale_area ar ON ar.rn = a.rn %% 10
            UNION ALL
            SELECT a.id, ar.id FROM scale_activity a JOIN scale_area ar ON ar.rn = (a.rn + 3) %% 10 WHERE a.rn %% 3 = 0;
        INSERT INTO activities_activitycost (activity_id, category, description, amount)
            SELECT id, 'fees', 'Honorar', 2000 + (rn %% 40) * 250 FROM scale_activity;
        """,
    ),
    (
        "deltakelser per skole",
        """
        -- Five distinct schools per activity: the host and four more, 37 schools apart.
        INSERT INTO activities_participation (activity_id, school_id, pupils, teachers)
            SELECT a.id, s.id, %(named)s + (a.rn + k) %% 9, 1 + k %% 2
            FROM scale_activity a CROSS JOIN generate_series(0, %(schools_per_activity)s - 1) k
            JOIN scale_school s ON s.rn = (a.host_rn + k * 37) %% %(schools)s;
        """,
    ),
    (
        "navngitte elever",
        """
        -- Distinct pupils of the participating school: number (p * 7 + g * 31) mod pupils-per-school.
        INSERT INTO activities_participation_named_pupils (participation_id, pupil_id)
            SELECT p.id, pu.id
            FROM activities_participation p
            JOIN scale_school s ON s.id = p.school_id
            CROSS JOIN generate_series(1, %(named)s) g
            JOIN scale_pupil pu ON pu.rn = s.rn + %(schools)s * ((p.id * 7 + g * 31) %% %(pupils_per_school)s);
        ANALYZE;
        """,
    ),
]


class Command(BaseCommand):
    help = "Lager et nasjonalt stort nettverk i PostgreSQL for ytelsesmålinger (tom, egen database)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=400)
        parser.add_argument("--pupils", type=int, default=120_000)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--municipalities", type=int, default=357)
        parser.add_argument("--regions", type=int, default=40)
        parser.add_argument("--activities-per-school", type=int, default=100, help="per år")
        parser.add_argument("--schools-per-activity", type=int, default=5)
        parser.add_argument("--named-per-participation", type=int, default=12)
        parser.add_argument("--first-year", type=int, default=2020)

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale trenger PostgreSQL (DATABASE_URL=postgres://…).")
        if School.objects.exists():
            raise CommandError("Databasen har allerede skoler: bruk en tom, egen database for skalatestene.")
        pupils_per_school = o["pupils"] // o["schools"]
        if pupils_per_school < o["named_per_participation"]:
            raise CommandError("For få elever per skole til så mange navngitte elever per deltakelse.")
        if len({k * 37 % o["schools"] for k in range(o["schools_per_activity"])}) < o["schools_per_activity"]:
            raise CommandError("Skoletallet gir ikke nok ulike skoler per aktivitet (velg et annet antall).")
        params = {
            "schools": o["schools"],
            "pupils": pupils_per_school * o["schools"],
            "pupils_per_school": pupils_per_school,
            "municipalities": o["municipalities"],
            "regions": o["regions"],
            "first_year": o["first_year"],
            "last_year": o["first_year"] + o["years"] - 1,
            "activities_per_year": o["schools"] * o["activities_per_school"],
            "schools_per_activity": o["schools_per_activity"],
            "named": o["named_per_participation"],
        }
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            for label, sql in STEPS:
                step = time.monotonic()
                cursor.execute(sql, params)
                self.stdout.write(f"{label}: {time.monotonic() - step:.1f} s")
        counts = {}
        with connection.cursor() as cursor:
            for table in (
                "schools_school",
                "schools_pupil",
                "activities_activity",
                "activities_participation",
                "activities_participation_named_pupils",
            ):
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
                counts[table] = cursor.fetchone()[0]
        self.stdout.write(
            self.style.SUCCESS(
                f"Ferdig på {time.monotonic() - started:.0f} s: " + ", ".join(f"{k}={v:,}" for k, v in counts.items())
            )
        )
