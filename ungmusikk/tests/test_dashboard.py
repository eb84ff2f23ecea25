"""The school dashboard's figures against hand-computed values on a small network.

The network (conftest `network`): Follo with Skole A (kulturskole) and Skole A2 (made a vgs
here), Romerike with Skole B (kulturskole); all three members since 2013.

School year 2019/20 for Skole A:
- X, a central masterclass on 12 October 2019, shared: A 4 pupils 1 teacher, B 2 pupils
  1 teacher; costs 9,000 + 3,000 = 12,000, so A's share 12,000 × 4/6 = 8,000, B's 4,000.
  Areas 2. Pupils Aas and Berg named for A.
- V, NMH individual teaching on 20 November 2019: A 1 pupil (Aas); cost 1,000, all A's.
  Areas 1 and 2.
- Y, a regional seminar on 5 December 2019 for teachers: A 0 pupils 2 teachers, A2 0 pupils
  1 teacher; cost 5,000, no pupils, so shared equally: 2,500 each. Area 6.
- W, cancelled on 1 November 2019 with 10 pupils from A: not counted anywhere.
School year 2018/19: Z, a concert on 10 November 2018, A 3 pupils (Berg named), no costs.

Money 2019 (calendar year): activity value A 8,000 + 1,000 + 2,500 = 11,500; A2 2,500; B 4,000.
Approved budget 2019 revision 2 (revision 1 approved earlier, revision 3 a draft): allocations
A 30,000, A2 20,000, B 25,000; region pools Follo 50,000, Romerike 40,000.
Region average (Follo: A, A2): allocation 25,000, value 7,000.
Kind average (kulturskole: A, B): allocation 27,500, value 7,750.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.rollups import rollup_enrolment
from activities.tests.factories import ActivityCostFactory, ActivityFactory, ParticipationFactory, VenueFactory
from core.rollups import figures_as_of
from core.schedules import ENROLMENT
from funding import figures as money_figures
from funding.models import Budget, BudgetLine, MunicipalContribution
from funding.rollups import rollup_budget
from funding.selectors import tier_for
from governance.models import CooperationArea, PortalSetting
from schools.models import School
from schools.tests.factories import EnrolmentFactory, PupilFactory
from ungmusikk.dashboards.network import network_table
from ungmusikk.dashboards.school import school_dashboard

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
ROOT = Path(__file__).resolve().parents[2]


def at(year, month, day, hour=10):
    return datetime(year, month, day, hour, tzinfo=OSLO)


def activity(*, title, kind, level, region, day, status=Activity.Status.HELD, areas=(), venue=None, host=None):
    return ActivityFactory(
        title=title,
        kind=kind,
        level=level,
        region=region,
        starts_at=day,
        ends_at=day + timedelta(hours=4),
        status=status,
        areas=[CooperationArea.objects.get(number=n) for n in areas],
        venue=venue,
        host_school=host,
    )


def participate(act, school, pupils, teachers, named=()):
    participation = ParticipationFactory(activity=act, school=school, pupils=pupils, teachers=teachers)
    participation.named_pupils.set(named)
    return participation


def budget(year, revision, status, lines):
    b = Budget.objects.create(year=year, revision=revision, status=status)
    for kind, target, amount in lines:
        extra = {"school": target} if kind == BudgetLine.Kind.SCHOOL_ALLOCATION else {"region": target}
        BudgetLine.objects.create(budget=b, kind=kind, label=str(target), amount=Decimal(amount), **extra)
    return b


@pytest.fixture
def net(network):
    n = network
    a, a2, b = n.school_a, n.school_a2, n.school_b
    School.objects.filter(pk=a2.pk).update(kind=School.Kind.VGS)
    a2.refresh_from_db()
    a.municipality.latitude, a.municipality.longitude = Decimal("59.66000"), Decimal("10.79000")
    a.municipality.save()
    PortalSetting.objects.update_or_create(pk=1, defaults={"pupil_load_threshold": 2})

    aas = PupilFactory(first_name="Ada", last_name="Aas", main_instrument="Fiolin", schools=[a])
    berg = PupilFactory(first_name="Bo", last_name="Berg", main_instrument="Cello", schools=[a])

    x = activity(
        title="Mesterklasse fiolin",
        kind="masterclass",
        level="central",
        region=n.follo,
        day=at(2019, 10, 12),
        areas=[2],
    )
    participate(x, a, 4, 1, [aas, berg])
    participate(x, b, 2, 1)
    ActivityCostFactory(activity=x, amount=Decimal("9000.00"))
    ActivityCostFactory(activity=x, category="travel", amount=Decimal("3000.00"))

    v = activity(
        title="Undervisning NMH",
        kind="individual_teaching",
        level="central",
        region=n.follo,
        day=at(2019, 11, 20),
        areas=[1, 2],
    )
    participate(v, a, 1, 0, [aas])
    ActivityCostFactory(activity=v, amount=Decimal("1000.00"))

    y = activity(title="Fagseminar", kind="seminar", level="regional", region=n.follo, day=at(2019, 12, 5), areas=[6])
    participate(y, a, 0, 2)
    participate(y, a2, 0, 1)
    ActivityCostFactory(activity=y, amount=Decimal("5000.00"))

    w = activity(
        title="Avlyst konsert",
        kind="concert",
        level="local",
        region=n.follo,
        day=at(2019, 11, 1),
        status=Activity.Status.CANCELLED,
        areas=[3],
    )
    participate(w, a, 10, 1, [aas])
    ActivityCostFactory(activity=w, amount=Decimal("7000.00"))

    z = activity(title="Konsert", kind="concert", level="local", region=n.follo, day=at(2018, 11, 10), areas=[3])
    participate(z, a, 3, 0, [berg])

    EnrolmentFactory(school=a, school_year=2018, pupils=400)
    EnrolmentFactory(school=a, school_year=2019, pupils=500)

    budget(2019, 1, Budget.Status.APPROVED, [(BudgetLine.Kind.SCHOOL_ALLOCATION, a, "11111")])
    budget(
        2019,
        2,
        Budget.Status.APPROVED,
        [
            (BudgetLine.Kind.SCHOOL_ALLOCATION, a, "30000"),
            (BudgetLine.Kind.SCHOOL_ALLOCATION, a2, "20000"),
            (BudgetLine.Kind.SCHOOL_ALLOCATION, b, "25000"),
            (BudgetLine.Kind.REGION_POOL, n.follo, "50000"),
            (BudgetLine.Kind.REGION_POOL, n.romerike, "40000"),
        ],
    )
    budget(2019, 3, Budget.Status.DRAFT, [(BudgetLine.Kind.SCHOOL_ALLOCATION, a, "99999")])

    tier = tier_for(population=20_000, year=2019)
    MunicipalContribution.objects.create(
        municipality=a.municipality,
        year=2019,
        population=20_000,
        tier=tier,
        computed_amount=tier.amount,
        amount=tier.amount,
        invoiced_on=date(2019, 2, 1),
        paid_on=date(2019, 3, 1),
    )

    # Upcoming: a central masterclass in Oslo (open to all), a regional Follo gathering with no
    # venue yet (open to Follo), a local Romerike concert hosted by B (not open to A).
    soon = timezone.now() + timedelta(days=30)
    oslo = VenueFactory(name="NMH", latitude=Decimal("59.94490"), longitude=Decimal("10.71640"))
    activity(
        title="Mesterklasse piano",
        kind="masterclass",
        level="central",
        region=n.romerike,
        day=soon,
        status=Activity.Status.PLANNED,
        venue=oslo,
    )
    activity(
        title="Follo-samling",
        kind="gathering",
        level="regional",
        region=n.follo,
        day=soon + timedelta(days=1),
        status=Activity.Status.PLANNED,
    )
    activity(
        title="Romerike-konsert",
        kind="concert",
        level="local",
        region=n.romerike,
        day=soon,
        status=Activity.Status.PLANNED,
        host=b,
    )
    # The pages read the summary tables: what the rollups write after a day's saves.
    rollup_enrolment()
    rollup_budget()
    return n


def dashboard_of(school, **kwargs):
    return school_dashboard(school=school, show_names=True, school_year=2019, money_year=2019, **kwargs)


def test_dashboard_years_participation_enrolment_and_share(net):
    board = dashboard_of(net.school_a)

    assert [
        (r.label, r.activities, r.pupils, r.unique_pupils, r.teachers, r.enrolment, r.share) for r in board.years
    ] == [
        ("2018/19", 1, 3, 1, 0, 400, Decimal("0.3")),
        ("2019/20", 3, 5, 2, 3, 500, Decimal("0.4")),
    ]
    assert board.year.school_year == 2019


def test_dashboard_by_kind_month_and_area(net):
    board = dashboard_of(net.school_a)

    assert board.by_kind == [
        {"kind": "masterclass", "name": "Mesterklasse", "activities": 1, "pupils": 4, "teachers": 1},
        {
            "kind": "individual_teaching",
            "name": "Individuell undervisning",
            "activities": 1,
            "pupils": 1,
            "teachers": 0,
        },
        {"kind": "seminar", "name": "Fagseminar", "activities": 1, "pupils": 0, "teachers": 2},
    ]
    months = {row["month"]: (row["activities"], row["pupils"], row["teachers"]) for row in board.by_month}
    assert len(board.by_month) == 12
    assert board.by_month[0]["name"] == "august 2019"
    assert months[date(2019, 10, 1)] == (1, 4, 1)
    assert months[date(2019, 11, 1)] == (1, 1, 0)
    assert months[date(2019, 12, 1)] == (1, 0, 2)
    assert sum(cells[0] for cells in months.values()) == 3
    assert [(row["number"], row["activities"], row["pupils"]) for row in board.by_area] == [
        (1, 1, 1),
        (2, 2, 5),
        (6, 1, 0),
    ]


def test_dashboard_named_pupils_on_masterclasses_and_nmh_teaching(net):
    board = dashboard_of(net.school_a)

    assert "navngitte_elever" not in board.tables
    assert [(row["name"], row["instrument"], row["title"]) for row in board.table("navngitte_elever").rows] == [
        ("Ada Aas", "Fiolin", "Mesterklasse fiolin"),
        ("Ada Aas", "Fiolin", "Undervisning NMH"),
        ("Bo Berg", "Cello", "Mesterklasse fiolin"),
    ]


def test_dashboard_pupil_load_marks_pupils_at_the_threshold(net):
    board = dashboard_of(net.school_a)

    autumn, spring = board.load
    assert board.load_threshold == 2
    assert (autumn["label"], autumn["over"]) == ("Høsten 2019", 1)
    assert [(p["name"], p["activities"], p["over"]) for p in autumn["pupils"]] == [
        ("Ada Aas", 2, True),
        ("Bo Berg", 1, False),
    ]
    assert (spring["label"], spring["over"], spring["pupils"]) == ("Våren 2020", 0, [])


def test_dashboard_upcoming_activities_with_distance(net):
    board = dashboard_of(net.school_a)

    assert [(row["title"], row["venue"], row["distance_km"]) for row in board.upcoming] == [
        ("Mesterklasse piano", "NMH", 31.9),
        ("Follo-samling", "", None),
    ]


def test_dashboard_money_against_region_and_kind_averages(net):
    money = dashboard_of(net.school_a).money

    assert money.year == 2019
    assert money.budget_revision == 2
    assert money.contribution == {
        "amount": Decimal("80000.00"),
        "population": 20_000,
        "tier_from": 15_000,
        "tier_below": 50_000,
        "invoiced_on": date(2019, 2, 1),
        "paid_on": date(2019, 3, 1),
    }
    assert money.region_pool == Decimal("50000.00")
    assert [(c.school, c.region_average, c.kind_average) for c in money.comparisons] == [
        (Decimal("30000.00"), Decimal("25000.00"), Decimal("27500.00")),
        (Decimal("11500.00"), Decimal("7000.00"), Decimal("7750.00")),
    ]
    assert (money.region_schools, money.kind_schools) == (2, 2)


def test_money_cost_sharing_per_school(net):
    rows = {row["pk"]: row["activity_value"] for row in money_figures.school_money_list(year=2019)}

    assert rows == {
        net.school_a.pk: Decimal("11500.00"),
        net.school_a2.pk: Decimal("2500.00"),
        net.school_b.pk: Decimal("4000.00"),
    }


def test_money_without_approved_budget_says_so(net):
    money = money_figures.school_money(school=net.school_b, year=2020)

    assert money.budget_revision is None
    assert money.contribution is None
    assert [(c.school, c.region_average, c.kind_average) for c in money.comparisons] == [
        (Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
    ]


def test_dashboard_default_year_is_the_latest_with_figures(net):
    board = school_dashboard(school=net.school_a, show_names=True)

    assert (board.school_year, board.money.year) == (2019, 2020)


def test_figures_as_of_says_when_the_summary_was_written(net):
    at = timezone.localtime(figures_as_of(ENROLMENT).at)
    assert figures_as_of(ENROLMENT).label == f"Tall per {at:%d.%m.%Y} kl. {at:%H.%M}"


@pytest.mark.django_db
def test_figures_as_of_before_any_summary():
    assert figures_as_of(ENROLMENT).label == "Tallene er ikke oppsummert ennå."


def test_dashboard_page_shows_the_figures(client_as, rector_a, net):
    response = client_as(rector_a).get(
        reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019, "pengeaar": 2019}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="figures-as-of">{figures_as_of(ENROLMENT).label}</p>' in html
    assert '<dd class="display-6 mb-0" id="figure-pupils">5</dd>' in html
    assert '<dd class="col-5 text-end" id="contribution-amount">80\xa0000\xa0kr</dd>' in html
    assert "Tildelingene er fra det vedtatte budsjettet for 2019, revisjon 2." in html
    assert "i forhold til hvor mange elever" in html
    assert response.context["charts"]["kinds"] == {
        "labels": ["Mesterklasse", "Individuell undervisning", "Fagseminar"],
        "datasets": [{"label": "Elevdeltakelser", "data": [4, 1, 0]}],
    }


def test_dashboard_csv_money_table(client_as, rector_a, net):
    response = client_as(rector_a).get(
        reverse("schools:dashboard-csv", args=["skole-a", "okonomi"]), {"skoleaar": 2019, "pengeaar": 2019}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == (
        "\ufeffPost;Skolen (kr);Snitt i delregionen (kr);Snitt for skoleslaget (kr)\r\n"
        "Kommunens tilskudd (lagt inn);80000;;\r\n"
        "Regional pott for delregionen;50000;;\r\n"
        "Tildeling til skolen i vedtatt budsjett;30000;25000;27500\r\n"
        "Verdien av aktivitetene elevene deltok i;11500;7000;7750\r\n"
    )


def test_dashboard_csv_years_table(client_as, rector_a, net):
    response = client_as(rector_a).get(reverse("schools:dashboard-csv", args=["skole-a", "skoleaar"]))

    assert response.content.decode().splitlines() == [
        "\ufeffSkoleår;Aktiviteter;Elevdeltakelser;Unike navngitte elever;Lærere;Elevtall (GSI);Andel som deltok (%)",
        "2018/19;1;3;1;0;400;0,3",
        "2019/20;3;5;2;3;500;0,4",
    ]


def test_dashboard_chart_json(client_as, rector_a, net):
    response = client_as(rector_a).get(reverse("schools:dashboard-chart", args=["skole-a", "areas"]))

    assert response.json() == {
        "school": "skole-a",
        "school_year": 2019,
        "figures_as_of": figures_as_of(ENROLMENT).label,
        "labels": [
            "1. Et helhetlig utdanningsløp",
            "2. Talentutvikling/forutdanning for høyere musikkutdanning",
            "6. Faglig og pedagogisk etter- og videreutdanning for lærere og ledere",
        ],
        "datasets": [{"label": "Elevdeltakelser", "data": [1, 5, 0]}],
    }


def test_dashboard_pdf_is_a_pdf(client_as, rector_a, net):
    response = client_as(rector_a).get(reverse("schools:dashboard-pdf", args=["skole-a"]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert response["Content-Disposition"] == 'attachment; filename="ungmusikk-skole-a-2019.pdf"'


def test_dashboard_unknown_table_or_chart_is_404(client_as, rector_a, net):
    client = client_as(rector_a)

    assert client.get(reverse("schools:dashboard-csv", args=["skole-a", "finnes-ikke"])).status_code == 404
    assert client.get(reverse("schools:dashboard-chart", args=["skole-a", "finnes-ikke"])).status_code == 404


def test_steering_member_sees_figures_but_no_pupil_names(client_as, steering_member, net):
    client = client_as(steering_member)
    response = client.get(reverse("schools:dashboard", args=["skole-a"]), {"skoleaar": 2019})

    assert response.context["dashboard"].show_names is False
    assert 'id="named-pupils-link"' not in response.content.decode()
    assert "Ada Aas" not in response.content.decode()
    assert client.get(reverse("schools:dashboard-csv", args=["skole-a", "navngitte_elever"])).status_code == 404


def test_rector_sees_named_pupils_csv(client_as, rector_a, net):
    response = client_as(rector_a).get(reverse("schools:dashboard-csv", args=["skole-a", "navngitte_elever"]))

    assert response.content.decode().splitlines() == [
        "\ufeffElev;Hovedinstrument;Aktivitet;Type;Dato",
        "Ada Aas;Fiolin;Mesterklasse fiolin;Mesterklasse;12.10.2019 10:00",
        "Ada Aas;Fiolin;Undervisning NMH;Individuell undervisning;20.11.2019 10:00",
        "Bo Berg;Cello;Mesterklasse fiolin;Mesterklasse;12.10.2019 10:00",
    ]


def test_network_overview_rows(net):
    table, _as_of = network_table(
        schools=School.objects.all(), school_year=2019, money_year=2019, day=date(2020, 7, 31)
    )
    rows = table.rows

    assert [
        (
            r["name"],
            r["status"],
            r["enrolment"],
            r["activities"],
            r["pupils"],
            r["unique_pupils"],
            r["teachers"],
            r["allocation"],
            r["activity_value"],
            r["paid_in"],
        )
        for r in rows
    ] == [
        ("Skole A", "member", 500, 3, 5, 2, 3, Decimal("30000.00"), Decimal("11500.00"), Decimal("80000.00")),
        ("Skole A2", "member", None, 1, 0, 0, 1, Decimal("20000.00"), Decimal("2500.00"), None),
        ("Skole B", "member", None, 1, 2, 0, 1, Decimal("25000.00"), Decimal("4000.00"), None),
    ]


def test_network_overview_sorts_by_column(client_as, steering_member, net):
    response = client_as(steering_member).get(
        reverse("schools:network"),
        {"skoleaar": 2019, "pengeaar": 2019, "sorter": "activity_value", "retning": "synkende"},
    )

    assert [row["name"] for row in response.context["table"].rows] == ["Skole A", "Skole B", "Skole A2"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_network_overview_map_legend_and_list_render_server_side(client_as, daily_leader, net):
    response = client_as(daily_leader).get(reverse("schools:network"), {"skoleaar": 2019})

    html = response.content.decode()
    assert 'id="map-legend"' in html
    assert 'id="table-municipalities"' in html
    assert response.context["status_counts"] == {"member": 3, "pilot": 0, "interested": 0}
    assert "tileLayer" not in (ROOT / "static/js/network_map.js").read_text()


def test_network_csv(client_as, steering_member, net):
    response = client_as(steering_member).get(reverse("schools:network-csv"), {"skoleaar": 2019, "pengeaar": 2019})

    assert (
        response.content.decode().splitlines()[1]
        # 2 named pupils: "<5" for a steering-group member (core.privacy), and their share with them
        == "Skole A;Follo;Kulturskole;Fast tilknyttet;500;3;5;<5;<5;30000;50000;11500;80000;kommunens tilskudd;"
        "2019-03-01"
    )


def test_network_overview_shows_each_school_s_sub_region_pool(client_as, daily_leader, net):
    """The pool of the school's sub-region in the latest approved revision (Follo 50,000,
    Romerike 40,000), sortable like every column."""
    response = client_as(daily_leader).get(
        reverse("schools:network"), {"skoleaar": 2019, "pengeaar": 2019, "sorter": "region_pool", "retning": "synkende"}
    )

    table = response.context["table"]
    pool = next(column for column in table.columns if column.key == "region_pool")
    assert [(row["name"], pool.value(row)) for row in table.rows] == [
        ("Skole A", Decimal("50000.00")),
        ("Skole A2", Decimal("50000.00")),
        ("Skole B", Decimal("40000.00")),
    ]
    assert "Delregionens pott (kr)" in response.content.decode()


def test_print_view_has_the_tables_and_no_charts(client_as, rector_a, net):
    response = client_as(rector_a).get(reverse("schools:dashboard-print", args=["skole-a"]), {"skoleaar": 2019})

    html = response.content.decode()
    assert "<canvas" not in html
    assert 'id="table-years"' in html
    assert 'id="table-money"' in html
    assert "data-print-button" in html


def test_dashboard_page_draws_five_charts_from_embedded_data(client_as, rector_a, net):
    html = client_as(rector_a).get(reverse("schools:dashboard", args=["skole-a"])).content.decode()

    assert html.count("<canvas") == 5
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert static("vendor/chartjs/chart.umd.min.js") in html


def test_network_map_json(client_as, steering_member, net):
    response = client_as(steering_member).get(reverse("schools:network-map"), {"skoleaar": 2019})

    data = response.json()
    assert data["day"] == "2020-07-31"
    assert data["figures_as_of"] == figures_as_of(ENROLMENT).label
    assert [
        (m["lat"], m["lon"], m["status"], m["schools"]) for m in data["municipalities"] if m["schools"] == ["Skole A"]
    ] == [(59.66, 10.79, "member", ["Skole A"])]
    assert len(data["municipalities"]) == 3


def test_table_body_html_escapes_every_cell_and_reads_times_in_oslo():
    from django.utils import translation

    from core.formatting import datetime_text
    from ungmusikk.dashboards.tables import DATETIME, INT, Column, Table

    table = Table(
        "t",
        "T",
        (Column("name", "Navn"), Column("pupils", "Elever", INT), Column("at", "Når", DATETIME)),
        [{"name": "<script>alert(1)</script> & Co", "pupils": 1234, "at": datetime(2019, 10, 12, 8, 5, tzinfo=UTC)}],
    )
    with translation.override("nb"):
        html = table.body_html
        assert datetime_text(datetime(2020, 1, 31, 23, 30, tzinfo=UTC)) == "01.02.2020 kl. 00.30"
    assert html == (
        '<tr><th scope="row">&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</th>'
        '<td class="text-end">1\xa0234</td><td>12.10.2019 kl. 10.05</td></tr>\n'
    )
