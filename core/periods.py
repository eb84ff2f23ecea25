"""The network's calendar, in one place: a school year runs August to July, a term is autumn
(August–December) or spring (January–July), a budget year is a calendar year. Bounds are
[start, end) in Oslo time, the time the portal shows; times are stored in UTC.

Also the validity periods of the data models (`Period`: from a day to a day, both included,
open-ended when the end is empty), with their queryset (`valid_on`) and database constraint.
Every app reads these; none writes its own "month >= 8"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

OSLO = ZoneInfo("Europe/Oslo")
# The month a school year (and the autumn term) begins: August.
SCHOOL_YEAR_START_MONTH = 8
# The months of a school year in order, August first.
SCHOOL_YEAR_MONTHS = tuple((SCHOOL_YEAR_START_MONTH - 1 + i) % 12 + 1 for i in range(12))
AUTUMN, SPRING = "autumn", "spring"
TERMS = ((AUTUMN, gettext_lazy("Høst")), (SPRING, gettext_lazy("Vår")))


def school_year_of(day: date) -> int:
    """The start year of the school year a day belongs to (August to July)."""
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def school_year_label(start_year: int) -> str:
    """2019 -> '2019/20'."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def school_year_bounds(school_year: int) -> tuple[datetime, datetime]:
    """1 August to the next 1 August, Oslo time."""
    return (
        datetime(school_year, SCHOOL_YEAR_START_MONTH, 1, tzinfo=OSLO),
        datetime(school_year + 1, SCHOOL_YEAR_START_MONTH, 1, tzinfo=OSLO),
    )


def school_year_month(school_year: int, month: int) -> date:
    """The first day of `month` (1–12) within a school year: 2019, 3 -> 1 March 2020."""
    return date(school_year + (month < SCHOOL_YEAR_START_MONTH), month, 1)


def calendar_year_bounds(year: int) -> tuple[datetime, datetime]:
    """1 January to the next 1 January, Oslo time (budget years are calendar years)."""
    return datetime(year, 1, 1, tzinfo=OSLO), datetime(year + 1, 1, 1, tzinfo=OSLO)


def term_of(day: date) -> str:
    """AUTUMN (August–December) or SPRING (January–July)."""
    return AUTUMN if day.month >= SCHOOL_YEAR_START_MONTH else SPRING


def term_bounds(day: date) -> tuple[datetime, datetime]:
    """The term a day belongs to, as [start, end) in Oslo time."""
    if term_of(day) == AUTUMN:
        return datetime(day.year, SCHOOL_YEAR_START_MONTH, 1, tzinfo=OSLO), datetime(day.year + 1, 1, 1, tzinfo=OSLO)
    return datetime(day.year, 1, 1, tzinfo=OSLO), datetime(day.year, SCHOOL_YEAR_START_MONTH, 1, tzinfo=OSLO)


def term_label(day: date) -> str:
    """'høst 2019' or 'vår 2020'."""
    if term_of(day) == AUTUMN:
        return _("høst %(year)s") % {"year": day.year}
    return _("vår %(year)s") % {"year": day.year}


# --- The same rules as database expressions (of a datetime column, in Oslo time) -------------


def school_year_expression(column: str):
    """The start year of the school year of a datetime column."""
    return ExtractYear(column, tzinfo=OSLO) - Case(
        When(**{f"{column}__month__lt": SCHOOL_YEAR_START_MONTH}, then=Value(1)), default=Value(0)
    )


def term_expression(column: str = ""):
    """AUTUMN or SPRING of a datetime column; with no column, of a `month` (1–12) already
    selected under that name."""
    month = f"{column}__month__gte" if column else "month__gte"
    return Case(
        When(**{month: SCHOOL_YEAR_START_MONTH}, then=Value(AUTUMN)),
        default=Value(SPRING),
        output_field=models.CharField(),
    )


def month_expression(column: str):
    """The month (1–12) of a datetime column, in Oslo time."""
    return ExtractMonth(column, tzinfo=OSLO)


# --- Validity periods ---------------------------------------------------------------------------


class PeriodQuerySet(models.QuerySet):
    def valid_on(self, day: date) -> PeriodQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def valid_on_year_end(self, year: int) -> PeriodQuerySet:
        return self.valid_on(date(year, 12, 31))

    def valid_in_year(self, year: int) -> PeriodQuerySet:
        """Valid some day of the calendar year."""
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=date(year, 1, 1)), valid_from__lte=date(year, 12, 31)
        )


class Period(models.Model):
    """A validity period: from `valid_from` to `valid_to`, both days included; open-ended
    when `valid_to` is empty."""

    valid_from = models.DateField(gettext_lazy("gyldig fra"))
    valid_to = models.DateField(
        gettext_lazy("gyldig til"), null=True, blank=True, help_text=gettext_lazy("Tom betyr fortsatt gyldig.")
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": gettext_lazy("Sluttdatoen kan ikke være før startdatoen.")})

    def overlaps(self, other: Period) -> bool:
        far = date.max
        return self.valid_from <= (other.valid_to or far) and other.valid_from <= (self.valid_to or far)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def period_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message=gettext_lazy("Sluttdatoen kan ikke være før startdatoen."),
    )
