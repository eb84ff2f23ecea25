"""The network overview: every school side by side (participation from activities.figures,
money from funding.figures), declared once as a table (NETWORK_COLUMNS) that the page, its
sorting and its CSV all use; and the map of the municipalities by status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import figures as participation
from activities.models import Activity, Participation
from activities.selectors import activity_counted_q
from core.periods import school_year_of
from core.privacy import count_shown, derived_shown
from core.rollups import FiguresAsOf, figures_as_of, rollup_last_success_by_kind
from core.schedules import ENROLMENT
from funding import figures as money
from schools.models import Enrolment, Membership, School

from .tables import DATE, INT, MONEY, PERCENT, TEXT, Column, Table

STATUS_ORDER = {Membership.Status.MEMBER: 0, Membership.Status.PILOT: 1, Membership.Status.INTERESTED: 2}
SCHOOL, STATUS = "school", "status"  # column kinds the page draws as a link and a status dot

# The overview's columns, in order: the page's table, its sorting and its CSV.
NETWORK_COLUMNS = (
    Column("name", gettext_lazy("Skole"), SCHOOL, sort_key=lambda row: row["name"].lower()),
    Column(
        "region", gettext_lazy("Delregion"), TEXT, sort_key=lambda row: (row["region"].lower(), row["name"].lower())
    ),
    Column("kind", gettext_lazy("Skoleslag"), TEXT, sort_key=lambda row: (row["kind"], row["name"].lower())),
    Column(
        "status_label",
        gettext_lazy("Status"),
        STATUS,
        sort_key=lambda row: (STATUS_ORDER.get(row["status"], 9), row["name"].lower()),
    ),
    Column("enrolment", gettext_lazy("Elevtall (GSI)"), INT),
    Column("activities", gettext_lazy("Aktiviteter"), INT),
    Column("pupils", gettext_lazy("Elevdeltakelser"), INT),
    # Named pupils: "<5" for a small count to a viewer who may not see the school's names
    # (core.privacy), and the share with it, else the count follows from the enrolment.
    Column(
        "unique_pupils",
        gettext_lazy("Unike navngitte elever"),
        INT,
        get=lambda row: count_shown(row["unique_pupils"], exact=row["names_visible"]),
    ),
    Column(
        "share",
        gettext_lazy("Andel av elevtallet (%)"),
        PERCENT,
        get=lambda row: derived_shown(row["share"], count=row["unique_pupils"], exact=row["names_visible"]),
    ),
    Column("allocation", gettext_lazy("Tildeling (kr)"), MONEY),
    Column(
        "region_pool", gettext_lazy("Delregionens pott (kr)"), MONEY, get=lambda row: row["money"].get("region_pool")
    ),
    Column("activity_value", gettext_lazy("Aktivitetsverdi (kr)"), MONEY),
    # What the school put in (funding.figures.school_paid_in): its municipality's contribution
    # for a culture school; no kroner but «gjennom fylket» for the schools the county pays for.
    Column("paid_in", gettext_lazy("Lagt inn (kr)"), MONEY),
    Column("paid_in_how", gettext_lazy("Finansiering"), TEXT),
    Column("contribution_paid_on", gettext_lazy("Tilskudd betalt"), DATE),
)
SORTS = tuple(column.key for column in NETWORK_COLUMNS)
# Sorting by these starts ascending; by a figure, descending (the largest first).
ASCENDING_FIRST = (SCHOOL, STATUS, TEXT)


def network_default_school_year(*, today: date | None = None) -> int:
    """The latest school year with participation that has started (this one when none)."""
    now = timezone.now()
    # The latest started activity with a participation: walks the starts_at index from now
    # backwards and stops at the first (MAX over the join read every participation: 0.3 s at
    # national scale).
    latest = (
        Activity.objects.filter(activity_counted_q(until=now))
        .filter(Exists(Participation.objects.filter(activity=OuterRef("pk"))))
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    current = school_year_of(today or timezone.localdate())
    return min(school_year_of(timezone.localtime(latest).date()), current) if latest else current


def network_table(
    *,
    schools: QuerySet[School],
    school_year: int,
    money_year: int,
    day: date,
    names_visible: Callable[[School], bool] = lambda school: False,
) -> tuple[Table, FiguresAsOf]:
    """Every school of `schools` side by side: status on `day`, enrolment, activities, pupil
    participations, unique named pupils and share of enrolment in the school year, and the
    money of `money_year` (funding.figures.school_money_list; what a school put in by
    funding.figures.school_paid_in, so a municipality's contribution is counted once). Three queries (the last
    rollup runs, the schools with their figures, the money), plus whatever `schools`
    prefetches; and the figures "as of" the last enrolment rollup. `names_visible(school)`:
    whether the viewer may see the school's pupils' names (`schools.view_pupil_names`); when
    not, the table's columns show a small count of named pupils as "<5" (core.privacy; the
    rows keep the exact figures, for code that reads them)."""
    finished = rollup_last_success_by_kind()
    participation.enrolment_figures_ensure(finished=finished)
    money.money_figures_ensure(finished=finished)
    schools = participation.school_list_with_year_figures(schools, school_year=school_year).annotate(
        status_on_day=Subquery(
            Membership.objects.valid_on(day).filter(school=OuterRef("pk")).order_by("-valid_from").values("status")[:1]
        ),
        enrolment=Subquery(
            Enrolment.objects.filter(school=OuterRef("pk"), school_year=school_year).values("pupils")[:1]
        ),
    )
    money_by_school = {row["pk"]: row for row in money.school_money_list(year=money_year)}
    statuses = dict(Membership.Status.choices)
    kinds = dict(School.Kind.choices)
    rows = []
    for school in schools.select_related("region", "municipality").order_by("name"):
        own = money_by_school.get(school.pk, {})
        paid_in = own.get("paid_in") or money.school_paid_in([school], {})[school.pk]
        unique_pupils = school.year_unique_pupils or 0
        rows.append(
            {
                "school": school,
                "name": school.name,
                "slug": school.slug,
                "region": school.region.name,
                "kind": str(kinds[school.kind]),
                "municipality": school.municipality,
                "status": school.status_on_day or "",
                "status_label": str(statuses.get(school.status_on_day, _("Ikke med"))),
                "enrolment": school.enrolment,
                "activities": school.year_activities or 0,
                "pupils": school.year_pupils or 0,
                "unique_pupils": unique_pupils,
                "names_visible": names_visible(school),
                "teachers": school.year_teachers or 0,
                "share": participation.share_percent(unique_pupils, school.enrolment),
                "allocation": own.get("allocation", money.ZERO),
                "activity_value": own.get("activity_value", money.ZERO),
                "paid_in": paid_in.amount,
                "paid_in_how": _paid_in_how(paid_in),
                "contribution_paid_on": own.get("contribution_paid_on"),
                # every money figure of the school's row (funding.figures.school_money_list),
                # for a column to pick: Column(..., get=lambda row: row["money"].get(name))
                "money": own,
            }
        )
    table = Table("nettverket", _("Nettverket"), NETWORK_COLUMNS, rows)
    return table, figures_as_of(ENROLMENT, finished=finished)


def _paid_in_how(paid_in: money.PaidIn) -> str:
    """The overview's words for how a school put in its money (its CSV and PDF say the same)."""
    if paid_in.through_county:
        return paid_in.label
    if paid_in.amount is None:
        return ""
    if paid_in.shared_by > 1:
        return _("kommunens tilskudd, delt på %(count)s kulturskoler") % {"count": paid_in.shared_by}
    return _("kommunens tilskudd")


def network_rows_html(table: Table, *, school_year: int) -> str:
    """The overview's body rows, escaped, built in one pass (the template engine took 0.3 s for
    400 schools × 17 columns): the school a row header linking to its dashboard of the school
    year, the status with its coloured dot, figures aligned right as each column shows them."""
    parts = []
    for row in table.rows:
        parts.append("<tr>")
        for column, value in zip(table.columns, table.values(row), strict=True):
            if column.kind == SCHOOL:
                url = f"{reverse('schools:dashboard', args=[row['slug']])}?skoleaar={int(school_year)}"
                parts.append(f'<th scope="row"><a href="{escape(url)}">{escape(value)}</a></th>')
            elif column.kind == STATUS:
                dot = f'<span class="status-dot status-{escape(row["status"] or "none")}" aria-hidden="true"></span>'
                parts.append(f"<td>{dot} {escape(value)}</td>")
            else:
                opening = '<td class="text-end">' if column.numeric else "<td>"
                parts.append(f"{opening}{escape(column.display(value))}</td>")
        parts.append("</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above


def network_map_points(rows: list[dict]) -> list[dict]:
    """Municipalities with a member, pilot or interested school, coloured by the best status
    among their schools (member before pilot before interested). No query."""
    points: dict[int, dict] = {}
    for row in rows:
        status = row["status"]
        if status not in STATUS_ORDER:
            continue
        municipality = row["municipality"]
        point = points.setdefault(
            municipality.pk,
            {
                "name": municipality.name,
                "lat": float(municipality.latitude),
                "lon": float(municipality.longitude),
                "status": status,
                "schools": [],
            },
        )
        if STATUS_ORDER[status] < STATUS_ORDER[point["status"]]:
            point["status"] = status
        point["schools"].append(row["name"])
    statuses = dict(Membership.Status.choices)
    result = sorted(points.values(), key=lambda point: (STATUS_ORDER[point["status"]], point["name"]))
    for point in result:
        point["status_label"] = str(statuses[point["status"]])
    return result
