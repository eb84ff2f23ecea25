"""The two lists with pupils' names that grow with a school, each on a page of its own: the
pupils named on masterclasses and NMH teaching (`schools:dashboard-named`) and the pupils' load
per term (`schools:dashboard-load`). The dashboard shows their counts and the top of the load
and links here; the CSV downloads keep the year's whole lists.

A page is PAGE_SIZE rows, cut in SQL (Django's Paginator over a queryset: a count and one
slice), so a page costs the same at a school of 30 pupils and of 3,000. A query-string value
that cannot be used (`?skoleaar=`, `?semester=`, `?side=`) falls back to the default with a
note naming the field; a page number past the end shows the last page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from activities import figures as participation
from activities.selectors import school_named_pupil_ids, school_named_pupils
from core.bounds import FIRST_YEAR, LAST_YEAR
from core.params import int_param, year_param
from core.periods import AUTUMN, SPRING, school_year_label
from core.rollups import FiguresAsOf, figures_as_of, rollup_last_success_by_kind
from core.schedules import ENROLMENT
from schools.models import School

from .school import choose_school_year, named_pupils_table, school_load_threshold
from .tables import Table

PAGE_SIZE = 50
# `?semester=` in the URL → the term's key in the load summary.
TERMS = {"host": AUTUMN, "var": SPRING}
DEFAULT_TERM = "host"
_DIGITS = re.compile(r"[0-9]+")


@dataclass
class PupilListPage:
    school: School
    school_year: int
    school_year_label: str
    year_choices: list[tuple[int, str]]
    page: Page
    notes: list[str] = field(default_factory=list)


@dataclass
class NamedPupilsPage(PupilListPage):
    table: Table | None = None  # the page's pupils, a row per pupil and activity


@dataclass
class PupilLoadPage(PupilListPage):
    term: str = DEFAULT_TERM  # as in the URL: "host" or "var"
    terms: list[dict] = field(default_factory=list)  # both terms: param, label, over
    threshold: int = 0
    rows: list[dict] = field(default_factory=list)  # the page's pupils (figures.pupil_load_row), with their place
    as_of: FiguresAsOf | None = None


def _school_year(*, school: School, raw: str | None, today: date | None) -> tuple[int, list[tuple[int, str]], list]:
    """The school year asked for (else the dashboard's default), the years to choose from
    (those with figures, and the one shown) and a note when the value could not be used. One
    query (activities.figures.school_year_rows)."""
    with_figures = participation.years_with_figures(participation.school_year_rows(school=school))
    requested = year_param(raw)
    chosen = choose_school_year(years=with_figures, requested=requested, today=today)
    notes = []
    if raw not in (None, "") and requested is None:
        notes.append(
            _(
                "«Skoleår» må være årstallet skoleåret begynner i, fra %(first)s til %(last)s; "
                "viser skoleåret %(shown)s."
            )
            % {"first": FIRST_YEAR, "last": LAST_YEAR, "shown": school_year_label(chosen)}
        )
    choices = [(year, school_year_label(year)) for year in sorted(set(with_figures) | {chosen}, reverse=True)]
    return chosen, choices, notes


def _page(items: QuerySet, raw: str | None) -> tuple[Page, list[str]]:
    """The page `raw` of `items` (PAGE_SIZE a page; a count and a slice in SQL), and a note
    when the number could not be used: not a whole number from 1 (page 1), or past the end
    (the last page)."""
    paginator = Paginator(items, PAGE_SIZE)
    notes = []
    number = int_param(raw, minimum=1)
    if number is None and raw and _DIGITS.fullmatch(raw) and raw.strip("0"):
        number = paginator.num_pages + 1  # a whole number too long for any page: past the end
    if number is None:
        if raw not in (None, ""):
            notes.append(_("«Side» må være et helt tall fra 1 og oppover; viser side 1."))
        number = 1
    if number > paginator.num_pages:
        notes.append(
            _("«Side» er større enn antall sider (%(pages)s); viser den siste.") % {"pages": paginator.num_pages}
        )
        number = paginator.num_pages
    return paginator.page(number), notes


def named_pupils_page(
    *, school: School, school_year: str | None, page: str | None, today: date | None = None
) -> NamedPupilsPage:
    """A page of the school's pupils named on masterclasses and NMH teaching in a school year,
    by name, each with their activities. Five queries whatever the school's size: the last
    rollup (a fresh installation runs it first), the years, the count, the page's pupils, and
    their activities."""
    participation.enrolment_figures_ensure(finished=rollup_last_success_by_kind())
    year, choices, notes = _school_year(school=school, raw=school_year, today=today)
    chosen_page, page_notes = _page(school_named_pupil_ids(school=school, school_year=year), page)
    pupils = school_named_pupils(school=school, school_year=year, pupil_ids=list(chosen_page.object_list))
    label = school_year_label(year)
    return NamedPupilsPage(
        school=school,
        school_year=year,
        school_year_label=label,
        year_choices=choices,
        page=chosen_page,
        notes=notes + page_notes,
        table=named_pupils_table(pupils, school_year_label=label),
    )


def pupil_load_page(
    *, school: School, school_year: str | None, term: str | None, page: str | None, today: date | None = None
) -> PupilLoadPage:
    """A page of the school's pupils in one term of a school year (`?semester=host|var`), the
    most loaded first, those at or above the warning threshold marked; with both terms' counts
    over the threshold. Five queries whatever the school's size: the last rollup, the years,
    the count, the page's rows, and the terms' counts over the threshold."""
    finished = rollup_last_success_by_kind()
    participation.enrolment_figures_ensure(finished=finished)
    year, choices, notes = _school_year(school=school, raw=school_year, today=today)
    if term not in TERMS:
        if term not in (None, ""):
            notes.append(_("«Semester» må være «host» eller «var»; viser høstsemesteret."))
        term = DEFAULT_TERM
    threshold = school_load_threshold(school)
    chosen_page, page_notes = _page(
        participation.school_pupil_load_list(school=school, school_year=year, term=TERMS[term]), page
    )
    rows = [
        {"place": place, **participation.pupil_load_row(row, threshold=threshold)}
        for place, row in enumerate(chosen_page.object_list, start=chosen_page.start_index())
    ]
    load = participation.school_pupil_load(school=school, school_year=year, threshold=threshold, top=0)
    params = {key: param for param, key in TERMS.items()}
    return PupilLoadPage(
        school=school,
        school_year=year,
        school_year_label=school_year_label(year),
        year_choices=choices,
        page=chosen_page,
        notes=notes + page_notes,
        term=term,
        terms=[{"param": params[term_load["key"]], **term_load} for term_load in load],
        threshold=threshold,
        rows=rows,
        as_of=figures_as_of(ENROLMENT, finished=finished),
    )
