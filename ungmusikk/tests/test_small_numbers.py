"""Small numbers (issue 13): a count of named pupils from 1 to 4 is "<5" to whoever may not see
the school's names (core.privacy), on the network overview, its CSV and a school's dashboard;
the school's rector, its region's coordinator and central staff see it exactly. No figure
shown beside it lets it be computed back.

Skole A (Follo) in school year 2019/20: one masterclass on 12 October 2019 with 6 pupils, 3 of
them named; 500 pupils in music (GSI)."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from activities.rollups import rollup_enrolment
from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.privacy import SUPPRESSED, count_is_small, count_shown, derived_shown, suppressed_grid
from funding.rollups import rollup_budget
from governance.models import PortalSetting
from schools.tests.factories import EnrolmentFactory, PupilFactory

OSLO = ZoneInfo("Europe/Oslo")
NETWORK_QUERY = {"skoleaar": 2019, "pengeaar": 2019}


@pytest.fixture
def three_named(network):
    school = network.school_a
    day = datetime(2019, 10, 12, 10, tzinfo=OSLO)
    masterclass = ActivityFactory(
        title="Mesterklasse", kind="masterclass", region=network.follo, starts_at=day, ends_at=day + timedelta(hours=4)
    )
    participation = ParticipationFactory(activity=masterclass, school=school, pupils=6, teachers=1)
    participation.named_pupils.set([PupilFactory(schools=[school]) for _ in range(3)])
    EnrolmentFactory(school=school, school_year=2019, pupils=500)
    # The pages read the summary tables: what the rollups write after a day's saves.
    rollup_enrolment()
    rollup_budget()
    return school


def network_csv_row(client, name: str) -> dict[str, str]:
    response = client.get(reverse("schools:network-csv"), NETWORK_QUERY)
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    return next(row for row in rows if row["Skole"] == name)


def network_page_cells(client, name: str) -> dict[str, str]:
    response = client.get(reverse("schools:network"), NETWORK_QUERY)
    table = response.context["table"]
    row = next(row for row in table.rows if row["name"] == name)
    return {column.key: column.display(value) for column, value in zip(table.columns, table.values(row), strict=True)}


@pytest.mark.django_db
def test_network_overview_small_count_is_hidden_from_a_steering_member(client_as, steering_member, three_named):
    client = client_as(steering_member)
    cells = network_page_cells(client, "Skole A")

    assert (cells["unique_pupils"], cells["share"], cells["pupils"], cells["enrolment"]) == ("<5", "<5", "6", "500")
    html = client.get(reverse("schools:network"), NETWORK_QUERY).content.decode()
    assert html.count('<td class="text-end">&lt;5</td>') == 2


@pytest.mark.django_db
def test_network_csv_small_count_cannot_be_recovered_by_a_steering_member(client_as, steering_member, three_named):
    row = network_csv_row(client_as(steering_member), "Skole A")

    assert (row["Unike navngitte elever"], row["Andel av elevtallet (%)"]) == ("<5", "<5")
    # Every count from 1 to 4 fits every figure of the row: the share (the only figure computed
    # from the named pupils) is hidden with the count, and the typed pupil count is another figure.
    enrolment = int(row["Elevtall (GSI)"])
    share = row["Andel av elevtallet (%)"]
    consistent = {
        n
        for n in range(1, 5)
        if share in (SUPPRESSED, f"{(Decimal(n) * 100 / enrolment).quantize(Decimal('0.1'))}".replace(".", ","))
    }
    assert consistent == {1, 2, 3, 4}
    assert row["Elevdeltakelser"] == "6"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["daily_leader", "superuser"])
def test_network_csv_small_count_is_exact_for_central_staff(client_as, request, persona, three_named):
    row = network_csv_row(client_as(request.getfixturevalue(persona)), "Skole A")

    assert (row["Unike navngitte elever"], row["Andel av elevtallet (%)"]) == ("3", "0,6")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["rector_a", "coord_follo", "daily_leader"])
def test_school_dashboard_small_count_is_exact_for_those_who_see_names(client_as, request, persona, three_named):
    client = client_as(request.getfixturevalue(persona))
    response = client.get(reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019})

    assert (response.context["dashboard"].year_unique_shown, response.context["dashboard"].year_share_text) == (
        3,
        "0,6\xa0%",
    )
    assert '<dd class="display-6 mb-0" id="figure-unique">3</dd>' in response.content.decode()
    years_csv = client.get(reverse("schools:dashboard-csv", args=["skole-a", "skoleaar"]), {"skoleaar": 2019})
    assert years_csv.content.decode().splitlines()[1] == "2019/20;1;6;3;1;500;0,6"


@pytest.mark.django_db
def test_school_dashboard_small_count_is_hidden_from_a_steering_member(client_as, steering_member, three_named):
    client = client_as(steering_member)
    response = client.get(reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019})

    html = response.content.decode()
    assert '<dd class="display-6 mb-0" id="figure-unique">&lt;5</dd>' in html
    assert '<dd class="display-6 mb-0" id="figure-share">&lt;5</dd>' in html
    years_csv = client.get(reverse("schools:dashboard-csv", args=["skole-a", "skoleaar"]), {"skoleaar": 2019})
    assert years_csv.content.decode().splitlines()[1] == "2019/20;1;6;<5;1;500;<5"
    chart = client.get(reverse("schools:dashboard-chart", args=["skole-a", "enrolment"]), {"skoleaar": 2019}).json()
    assert chart["datasets"][1]["data"] == [None]


@pytest.mark.django_db
def test_school_dashboard_pdf_for_a_steering_member_has_no_small_count(client_as, steering_member, three_named):
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF's text")
    response = client_as(steering_member).get(reverse("schools:dashboard-pdf", args=["skole-a"]), {"skoleaar": 2019})

    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "2019/20 1 6 <5 1 500 <5" in text.replace("\n", " ")


@pytest.mark.django_db
def test_school_dashboard_pupils_over_the_load_threshold_is_a_small_count(
    client_as, steering_member, rector_a, three_named
):
    """The three named pupils, each in one activity, are all at a threshold of 1."""
    PortalSetting.objects.update_or_create(pk=1, defaults={"pupil_load_threshold": 1})
    url = reverse("schools:dashboard", args=["skole-a"])

    steering = client_as(steering_member).get(url, {"skoleaar": 2019}).content.decode()
    assert "Høsten 2019: &lt;5 elever på eller over grensen</h3>" in steering
    rector = client_as(rector_a).get(url, {"skoleaar": 2019}).content.decode()
    assert "Høsten 2019: 3 elever på eller over grensen</h3>" in rector


# --- The rule itself -----------------------------------------------------------------------------


def test_count_shown_hides_one_to_four_only():
    assert [count_shown(n, exact=False) for n in (None, 0, 1, 4, 5, 12)] == [None, 0, "<5", "<5", 5, 12]
    assert [count_shown(n, exact=True) for n in (0, 1, 4, 5)] == [0, 1, 4, 5]
    assert derived_shown(Decimal("0.6"), count=3, exact=False) == "<5"
    assert derived_shown(Decimal("1.2"), count=6, exact=False) == Decimal("1.2")


grids = st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=width, max_size=width), min_size=1, max_size=5
    )
)


@given(cells=grids, row_totals=st.booleans(), column_totals=st.booleans())
def test_suppressed_grid_leaves_no_cell_recoverable_from_a_total(cells, row_totals, column_totals):
    hidden, hidden_rows, hidden_columns = suppressed_grid(cells, row_totals=row_totals, column_totals=column_totals)
    width = len(cells[0])

    # every small count is hidden, and nothing is hidden without a reason
    assert {(r, c) for r in range(len(cells)) for c in range(width) if count_is_small(cells[r][c])} <= hidden
    if not row_totals and not column_totals:
        assert hidden == {(r, c) for r in range(len(cells)) for c in range(width) if count_is_small(cells[r][c])}
    # no row or column whose total is shown has exactly one hidden cell
    if row_totals:
        for r in range(len(cells)):
            if r not in hidden_rows:
                assert sum((r, c) in hidden for c in range(width)) != 1
    if column_totals:
        for c in range(width):
            if c not in hidden_columns:
                assert sum((r, c) in hidden for r in range(len(cells))) != 1
    # a total is hidden only where its line's only cell is hidden
    assert all(width == 1 for _ in hidden_rows)
    assert all(len(cells) == 1 for _ in hidden_columns)


@given(
    st.dictionaries(st.integers(0, 12), st.integers(0, 30), min_size=1, max_size=13),
    st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=6, unique=True), max_size=6),
)
def test_suppressed_cells_leave_no_sum_with_one_hidden_cell(values, groups):
    """Whatever the published sums, after suppressed_cells every small count is hidden and no
    sum has exactly one hidden cell (which its total and the other cells would give back)."""
    from core.privacy import suppressed_cells

    totals = []
    cells = dict(values)
    for index, parts in enumerate(groups):
        parts = [part for part in parts if part in cells]
        if parts:
            cells[("total", index)] = sum(cells[part] for part in parts)
            totals.append((("total", index), parts))
    hidden = suppressed_cells(cells, totals)
    assert {key for key, value in cells.items() if count_is_small(value)} <= hidden
    for total, parts in totals:
        assert sum(1 for key in [total, *parts] if key in hidden) != 1
