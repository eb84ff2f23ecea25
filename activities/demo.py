"""Two school years (2018/19 and 2019/20) of plausible activities for the demo network,
built through the activities services from a fixed random seed. Idempotent: an activity
that exists (same title and start) is left as it is, pupils are matched by name and year."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from governance.models import CooperationArea
from schools import demo_data as data
from schools.models import Enrolment, Membership, Municipality, Pupil, Region, School
from schools.services import pupil_create

from .models import Activity, ActivityCost, Venue
from .services import ActivityData, CostData, ParticipationData, activity_save, venue_upsert

OSLO = ZoneInfo("Europe/Oslo")
SEED = 2020
SCHOOL_YEARS = (2018, 2019)
# Schools closed on 12 March 2020 (covid-19): later activities that school year were cancelled.
LOCKDOWN = date(2020, 3, 12)
NAMED_PUPILS_PER_SCHOOL = 12


def _venues() -> dict[str, Venue]:
    venues = {}
    for row in data.VENUES:
        number, _name = row["municipality"]
        venues[number] = venue_upsert(
            name=row["name"],
            municipality=Municipality.objects.get(number=number),
            latitude=Decimal(str(row["lat"])),
            longitude=Decimal(str(row["lon"])),
        )
    return venues


def _pupils(rng: random.Random) -> dict[int, list[Pupil]]:
    """Fictional named pupils per participating school. Some older culture-school pupils
    also attend the upper-secondary school of their region (the pupil-load case)."""
    schools = list(School.objects.filter(memberships__status__in=Membership.PARTICIPATING).distinct().order_by("name"))
    vgs_by_region = {s.region_id: s for s in schools if s.kind == School.Kind.VGS}
    by_school: dict[int, list[Pupil]] = {s.pk: [] for s in schools}
    for school in schools:
        count = NAMED_PUPILS_PER_SCHOOL if school.kind == School.Kind.KULTURSKOLE else 4
        for _ in range(count):
            first, last = rng.choice(data.PUPIL_FIRST_NAMES), rng.choice(data.PUPIL_LAST_NAMES)
            born = rng.randint(2000, 2002) if school.kind == School.Kind.FOLKEHOGSKOLE else rng.randint(2002, 2010)
            instrument = rng.choice(data.INSTRUMENTS[:20])
            attends = [school]
            older = school.kind == School.Kind.KULTURSKOLE and born <= 2004
            if older and school.region_id in vgs_by_region and rng.random() < 0.5:
                attends.append(vgs_by_region[school.region_id])
            pupil = Pupil.objects.filter(first_name=first, last_name=last, birth_year=born).first()
            if pupil is None:
                pupil = pupil_create(
                    first_name=first, last_name=last, birth_year=born, main_instrument=instrument, schools=attends
                )
            for attended in pupil.schools.all():
                by_school.setdefault(attended.pk, [])
                if pupil not in by_school[attended.pk]:
                    by_school[attended.pk].append(pupil)
    return by_school


def _saturday(rng: random.Random, school_year: int) -> date:
    """A Saturday in the school year's teaching months (September–May, not December)."""
    month = rng.choice([9, 10, 11, 1, 2, 3, 4, 5])
    year = school_year if month >= 8 else school_year + 1
    day = date(year, month, rng.randint(1, 22))
    return day + timedelta(days=(5 - day.weekday()) % 7)


def _at(day: date, hour: int, hours: int) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(hour, 0), tzinfo=OSLO)
    return start, start + timedelta(hours=hours)


class _Plan:
    """Builds one school year's activities."""

    def __init__(self, rng, school_year, venues, pupils):
        self.rng, self.school_year, self.venues, self.pupils = rng, school_year, venues, pupils
        self.areas = {a.number: a for a in CooperationArea.objects.all()}
        self.regions = {r.slug: r for r in Region.objects.all()}
        self.enrolment = dict(Enrolment.objects.filter(school_year=school_year).values_list("school_id", "pupils"))
        self.created = 0

    def participating(self, day: date, *, region: str | None = None, kinds=None) -> list[School]:
        schools = School.objects.filter(
            memberships__in=Membership.objects.valid_on(day).filter(status__in=Membership.PARTICIPATING)
        ).select_related("region")
        if region:
            schools = schools.filter(region__slug=region)
        if kinds:
            schools = schools.filter(kind__in=kinds)
        return list(schools.order_by("name"))

    def rows(self, day, schools, *, pupils=(1, 4), teachers=(0, 1), named=0) -> list[ParticipationData]:
        rows = []
        for school in schools:
            count = min(self.rng.randint(*pupils), self.enrolment.get(school.pk, 0))
            chosen = self.rng.sample(
                self.pupils.get(school.pk, []), min(named, count, len(self.pupils.get(school.pk, [])))
            )
            rows.append(
                ParticipationData(
                    school=school, pupils=count, teachers=self.rng.randint(*teachers), named_pupils=chosen
                )
            )
        return rows

    def add(
        self,
        *,
        title,
        kind,
        level,
        region,
        day,
        areas,
        schools,
        hours=5,
        hour=10,
        venue=None,
        host=None,
        instrument="",
        teachers_nmh="",
        costs=(),
        **row_options,
    ):
        if day > date(self.school_year + 1, 7, 31) or not schools:
            return
        starts_at, ends_at = _at(day, hour, hours)
        status = Activity.Status.CANCELLED if LOCKDOWN <= day <= date(2020, 6, 30) else Activity.Status.HELD
        # Draw the rows before looking for an existing activity, so that a second run draws the
        # same random numbers as the first and builds the same plan.
        rows = self.rows(day, schools, **row_options)
        if Activity.objects.filter(title=title, starts_at=starts_at).exists():
            return
        activity_save(
            user=None,
            data=ActivityData(
                title=title,
                kind=kind,
                level=level,
                region=self.regions[region],
                starts_at=starts_at,
                ends_at=ends_at,
                cooperation_areas=[self.areas[n] for n in areas],
                venue=venue,
                host_school=host,
                instrument=instrument,
                nmh_teachers=teachers_nmh,
                status=status,
            ),
            participations=[] if status == Activity.Status.CANCELLED else rows,
            costs=costs,
            # The plan is the 2020 network's as it was, loads, amounts, clashes and journeys included.
            confirm_pupil_load=True,
            confirm_large_amount=True,
            confirm_clash=True,
            confirm_overload=True,
            confirm_travel=True,
        )
        self.created += 1

    def fee(self, low, high) -> Decimal:
        return Decimal(self.rng.randrange(low, high, 500))

    def build(self) -> int:
        rng, y = self.rng, self.school_year
        nmh_venue = self.venues["0301"]
        home_region = "follo" if y == 2018 else None
        regional = ["follo"] if y == 2018 else ["follo", "romerike", "vest", "ostfold", "midtregionen"]
        region_venues = {
            "follo": self.venues["3020"],
            "romerike": self.venues["3030"],
            "vest": self.venues["3025"],
            "ostfold": self.venues["3004"],
            "midtregionen": self.venues["3006"],
        }
        teachers = list(data.NMH_TEACHERS)

        # Masterclasses at NMH on an instrument or a group (area 2), central.
        for instrument in rng.sample(data.INSTRUMENTS, 16 if y == 2018 else 22):
            day = _saturday(rng, y)
            schools = self.participating(day)
            teacher = rng.choice(teachers)[0]
            self.add(
                title=f"Mesterklasse {instrument.lower()}",
                kind=Activity.Kind.MASTERCLASS,
                level=Activity.Level.CENTRAL,
                region=home_region or rng.choice(regional),
                day=day,
                areas=[2],
                schools=rng.sample(schools, min(len(schools), rng.randint(3, 7))),
                venue=nmh_venue,
                instrument=instrument,
                teachers_nmh=teacher,
                pupils=(1, 3),
                teachers=(0, 1),
                named=2,
                costs=[CostData(ActivityCost.Category.FEES, self.fee(4000, 12000), f"Honorar {teacher}")],
            )
        # Extra individual teaching at NMH for pupils who show effort beyond the ordinary (areas 1, 2).
        for index in range(14 if y == 2018 else 24):
            day = _saturday(rng, y) - timedelta(days=rng.randint(1, 4))
            schools = self.participating(day, kinds=[School.Kind.KULTURSKOLE, School.Kind.VGS])
            school = rng.choice(schools)
            teacher, instrument = rng.choice(teachers)
            self.add(
                title=f"Fordypningsundervisning {instrument.lower()} ({school.name})",
                kind=Activity.Kind.INDIVIDUAL_TEACHING,
                level=Activity.Level.CENTRAL,
                region=home_region or school.region.slug,
                day=day,
                hour=16,
                hours=2,
                areas=[1, 2],
                schools=[school],
                venue=nmh_venue,
                instrument=instrument,
                teachers_nmh=teacher,
                pupils=(1, 2),
                teachers=(1, 1),
                named=2,
                costs=[CostData(ActivityCost.Category.FEES, self.fee(3000, 8000), f"Undervisning {index + 1}")],
            )
        # Seminars: for teachers in each region (area 6), and at NMH on the relevance of study programmes (area 8).
        for region in regional:
            day = _saturday(rng, y) - timedelta(days=3)
            self.add(
                title=f"Fagseminar for lærere – {self.regions[region].name}",
                kind=Activity.Kind.SEMINAR,
                level=Activity.Level.REGIONAL,
                region=region,
                day=day,
                hour=17,
                hours=3,
                areas=[6],
                schools=self.participating(day, region=region),
                venue=region_venues[region],
                pupils=(0, 0),
                teachers=(2, 8),
                costs=[
                    CostData(ActivityCost.Category.FEES, self.fee(6000, 15000), "Foredragsholdere"),
                    CostData(ActivityCost.Category.VENUE, self.fee(2000, 6000), "Leie"),
                ],
            )
        day = _saturday(rng, y)
        self.add(
            title="Seminar: studietilbudenes relevans for kulturskoler og musikklinjer",
            kind=Activity.Kind.SEMINAR,
            level=Activity.Level.CENTRAL,
            region=home_region or "follo",
            day=day,
            areas=[8, 1],
            schools=self.participating(
                day, kinds=[School.Kind.VGS, School.Kind.FOLKEHOGSKOLE, School.Kind.KULTURSKOLE]
            ),
            venue=nmh_venue,
            pupils=(0, 0),
            teachers=(1, 2),
            costs=[CostData(ActivityCost.Category.OTHER, self.fee(3000, 8000), "Servering og materiell")],
        )
        # Concerts in NMH's concert series and in the regions (area 3).
        for title, region in [("UngMusikk i NMHs konsertserie", None), ("Regional elevkonsert", rng.choice(regional))]:
            day = _saturday(rng, y)
            region = region or home_region or "follo"
            venue = nmh_venue if title.startswith("UngMusikk i NMH") else region_venues[region]
            self.add(
                title=f"{title} {y}/{(y + 1) % 100:02d}",
                kind=Activity.Kind.CONCERT,
                level=Activity.Level.CENTRAL if venue == nmh_venue else Activity.Level.REGIONAL,
                region=region,
                day=day,
                hour=18,
                hours=2,
                areas=[3],
                schools=rng.sample(self.participating(day), min(6, len(self.participating(day)))),
                venue=venue,
                pupils=(2, 10),
                teachers=(1, 2),
                named=1,
                costs=[
                    CostData(ActivityCost.Category.VENUE, self.fee(3000, 12000), "Sal og teknikk"),
                    CostData(ActivityCost.Category.TRAVEL, self.fee(1000, 6000), "Buss for elever"),
                ],
            )
        # Courses: orchestra and ensemble (area 2), young conductors from 2019 (area 4), cultural industries (9),
        # an international masterclass (10).
        day = _saturday(rng, y)
        self.add(
            title="Kammermusikkurs",
            kind=Activity.Kind.COURSE,
            level=Activity.Level.CENTRAL,
            region=home_region or "romerike",
            day=day,
            hours=6,
            areas=[2, 3],
            schools=self.participating(day)[:6],
            venue=nmh_venue,
            pupils=(2, 6),
            teachers=(0, 1),
            named=2,
            costs=[CostData(ActivityCost.Category.FEES, self.fee(10000, 25000), "Kursledere")],
        )
        if y >= 2019:
            day = _saturday(rng, y)
            self.add(
                title="Unge dirigenter – dirigentkurs",
                kind=Activity.Kind.COURSE,
                level=Activity.Level.CENTRAL,
                region="vest",
                day=day,
                hours=6,
                areas=[4, 2],
                schools=self.participating(day, kinds=[School.Kind.VGS, School.Kind.FOLKEHOGSKOLE]),
                venue=nmh_venue,
                pupils=(1, 4),
                teachers=(0, 1),
                named=1,
                costs=[CostData(ActivityCost.Category.FEES, self.fee(8000, 20000), "Dirigentlærer")],
            )
            day = _saturday(rng, y)
            self.add(
                title="Kulturnæringsseminar: musiker som yrke",
                kind=Activity.Kind.SEMINAR,
                level=Activity.Level.CENTRAL,
                region="romerike",
                day=day,
                hours=4,
                areas=[9],
                schools=self.participating(day, kinds=[School.Kind.VGS, School.Kind.FOLKEHOGSKOLE]),
                venue=nmh_venue,
                pupils=(3, 12),
                teachers=(1, 2),
                costs=[CostData(ActivityCost.Category.FEES, self.fee(5000, 12000), "Innledere")],
            )
            day = _saturday(rng, y)
            self.add(
                title="Internasjonal mesterklasse med gjestelærer",
                kind=Activity.Kind.MASTERCLASS,
                level=Activity.Level.CENTRAL,
                region="vest",
                day=day,
                areas=[10, 2],
                schools=rng.sample(self.participating(day), 4),
                venue=nmh_venue,
                instrument="Strykere",
                teachers_nmh="Gjestelærer (Sibelius-akademiet) og Ingrid Haugland",
                pupils=(1, 3),
                named=2,
                costs=[
                    CostData(ActivityCost.Category.FEES, self.fee(15000, 30000), "Gjestelærer"),
                    CostData(ActivityCost.Category.TRAVEL, self.fee(5000, 12000), "Fly og hotell"),
                ],
            )
        # Continuing education for teachers and leaders (area 6).
        day = _saturday(rng, y) - timedelta(days=2)
        self.add(
            title="Etterutdanningskurs: talentutvikling i kulturskolen",
            kind=Activity.Kind.CONTINUING_EDUCATION,
            level=Activity.Level.CENTRAL,
            region=home_region or "follo",
            day=day,
            hour=9,
            hours=7,
            areas=[6, 1],
            schools=self.participating(day),
            venue=nmh_venue,
            pupils=(0, 0),
            teachers=(1, 4),
            costs=[CostData(ActivityCost.Category.FEES, self.fee(10000, 20000), "Kursholdere")],
        )
        # Regional projects and gatherings: an ensemble gathering in Follo; the saxophone project in Østfold.
        day = _saturday(rng, y)
        self.add(
            title="Samspillsamling Follo",
            kind=Activity.Kind.GATHERING,
            level=Activity.Level.REGIONAL,
            region="follo",
            day=day,
            hours=6,
            areas=[2, 3],
            schools=self.participating(day, region="follo"),
            venue=self.venues["3020"],
            pupils=(3, 10),
            teachers=(1, 2),
            named=2,
            costs=[
                CostData(ActivityCost.Category.FEES, self.fee(5000, 15000), "Instruktører"),
                CostData(ActivityCost.Category.VENUE, self.fee(2000, 5000), "Kolben"),
            ],
        )
        if y >= 2019:
            day = date(2019, 11, 16)
            self.add(
                title="Saksofonprosjekt i Østfold",
                kind=Activity.Kind.PROJECT,
                level=Activity.Level.REGIONAL,
                region="ostfold",
                day=day,
                hours=6,
                areas=[2, 3],
                schools=self.participating(day, region="ostfold"),
                venue=self.venues["3004"],
                instrument="Saksofon",
                teachers_nmh="Kristin Saksofonlærer",
                pupils=(2, 6),
                teachers=(1, 1),
                named=2,
                costs=[
                    CostData(ActivityCost.Category.FEES, self.fee(8000, 15000), "Instruktør fra NMH"),
                    CostData(ActivityCost.Category.TRAVEL, self.fee(2000, 5000), "Reise Oslo–Fredrikstad"),
                ],
            )
            day = _saturday(rng, y)
            self.add(
                title="Storbandsamling Romerike",
                kind=Activity.Kind.GATHERING,
                level=Activity.Level.REGIONAL,
                region="romerike",
                day=day,
                hours=6,
                areas=[3],
                schools=self.participating(day, region="romerike"),
                venue=self.venues["3030"],
                pupils=(3, 8),
                teachers=(1, 2),
                named=1,
                costs=[CostData(ActivityCost.Category.FEES, self.fee(6000, 12000), "Instruktører")],
            )
        # Practice placements for NMH students at culture schools (area 5), local.
        hosts = self.participating(date(y, 9, 1), kinds=[School.Kind.KULTURSKOLE])
        for host in rng.sample(hosts, min(len(hosts), 5 if y == 2018 else 10)):
            day = _saturday(rng, y) - timedelta(days=4)
            self.add(
                title=f"Praksisplass for NMH-studenter – {host.name}",
                kind=Activity.Kind.PRACTICE_PLACEMENT,
                level=Activity.Level.LOCAL,
                region=home_region or host.region.slug,
                day=day,
                hour=15,
                hours=3,
                areas=[5],
                schools=[host],
                host=host,
                pupils=(4, 10),
                teachers=(1, 2),
                costs=[CostData(ActivityCost.Category.OTHER, self.fee(2000, 5000), "Praksisveiledning")],
            )
        # Research and development (area 7).
        day = _saturday(rng, y) - timedelta(days=1)
        self.add(
            title="FoU-prosjekt: fra kulturskole til høyere utdanning",
            kind=Activity.Kind.PROJECT,
            level=Activity.Level.CENTRAL,
            region=home_region or "follo",
            day=day,
            hours=3,
            areas=[7, 1],
            schools=self.participating(day, region="follo")[:3],
            venue=nmh_venue,
            pupils=(0, 0),
            teachers=(1, 1),
            costs=[CostData(ActivityCost.Category.OTHER, self.fee(5000, 10000), "CERM, datainnsamling")],
        )
        return self.created


def load_activities() -> dict[str, int]:
    rng = random.Random(SEED)
    venues = _venues()
    pupils = _pupils(rng)
    created = sum(_Plan(rng, year, venues, pupils).build() for year in SCHOOL_YEARS)
    return {"activities_created": created, "activities": Activity.objects.count(), "pupils": Pupil.objects.count()}
