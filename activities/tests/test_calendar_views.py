"""The calendar (issue 15): it follows every filter of the list, the school year too (and opens
on that year's first month with an activity, or on today's month when today is in it);
previous and next keep the filters; a month picker; a week view (a week across a month's end,
and the weeks of the changes to and from summer time in Oslo); an agenda for a phone; cancelled
activities marked; hostile query strings never a 500; anonymous visitors go to the login."""

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.periods import OSLO, school_year_of

URL = reverse("activities:calendar")


def _make(title, region, start, end=None, **extra):
    return ActivityFactory(title=title, region=region, starts_at=start, ends_at=end or start, **extra)


@pytest.fixture
def year_2019(network):
    """School year 2019/20: Follo in October 2019 and February 2020, Romerike in September
    2019 (a gathering); 2018/19: Follo in May 2019."""
    made = {
        "oct": _make("Follo oktober", network.follo, datetime(2019, 10, 12, 10, tzinfo=OSLO)),
        "feb": _make("Follo februar", network.follo, datetime(2020, 2, 14, 10, tzinfo=OSLO)),
        "sep": _make("Romerike september", network.romerike, datetime(2019, 9, 20, 10, tzinfo=OSLO), kind="gathering"),
        "may": _make("Follo mai", network.follo, datetime(2019, 5, 3, 10, tzinfo=OSLO)),
    }
    ParticipationFactory(activity=made["oct"], school=network.school_a)
    ParticipationFactory(activity=made["sep"], school=network.school_b)
    return made


def _titles(response):
    titles = []
    for key in ("weeks",):
        for week in response.context.get(key) or []:
            for cell in week:
                if cell["in_month"]:
                    titles += [a.title for a in cell["activities"]]
    for cell in response.context.get("days") or response.context.get("week_days") or []:
        titles += [a.title for a in cell["activities"]]
    return sorted(set(titles))


def test_anonymous_visitors_go_to_the_login_and_people_without_a_role_are_refused(client, client_as, network):
    from governance.tests.factories import UserFactory

    for query in ({}, {"visning": "uke"}, {"visning": "liste"}):
        response = client.get(URL, query)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client_as(UserFactory(username="uten-rolle")).get(URL).status_code == 403


def test_the_school_year_opens_its_first_month_with_an_activity(client_as, coord_follo, year_2019):
    client = client_as(coord_follo)
    response = client.get(URL, {"school_year": "2019"})
    assert response.context["month"] == date(2019, 9, 1)
    assert _titles(response) == ["Romerike september"]
    # With the region too, the first Follo month of 2019/20.
    response = client.get(URL, {"school_year": "2019", "region": year_2019["oct"].region.pk})
    assert response.context["month"] == date(2019, 10, 1)
    assert _titles(response) == ["Follo oktober"]
    # A school year without activities opens on its August.
    assert client.get(URL, {"school_year": "2015"}).context["month"] == date(2015, 8, 1)
    # The month the filter form kept, outside the chosen year, gives way to the year's.
    assert client.get(URL, {"school_year": "2018", "maaned": "2019-10"}).context["month"] == date(2019, 5, 1)
    # Within the year it holds.
    assert client.get(URL, {"school_year": "2019", "maaned": "2020-02"}).context["month"] == date(2020, 2, 1)


def test_the_school_year_holds_when_another_filter_is_refused(client_as, coord_follo, year_2019):
    """A region named where an id is expected dropped the school year: the calendar opened
    on today's month, empty."""
    client = client_as(coord_follo)
    for bad in ({"region": "follo"}, {"status": "foo"}):
        response = client.get(URL, {"school_year": "2019", **bad})
        assert response.status_code == 200
        assert response.context["month"] == date(2019, 9, 1), bad


def test_the_current_school_year_opens_on_todays_month(client_as, coord_follo, network):
    today = timezone.localdate()
    response = client_as(coord_follo).get(URL, {"school_year": str(school_year_of(today))})
    assert response.context["month"] == today.replace(day=1)
    assert client_as(coord_follo).get(URL).context["month"] == today.replace(day=1)


def test_the_calendar_follows_every_filter(client_as, coord_follo, year_2019, network):
    client = client_as(coord_follo)
    cases = [
        ({"kind": "gathering", "maaned": "2019-09"}, ["Romerike september"]),
        ({"kind": "masterclass", "maaned": "2019-09"}, []),
        ({"q": "oktober", "maaned": "2019-10"}, ["Follo oktober"]),
        ({"q": "ingenting", "maaned": "2019-10"}, []),
        ({"region": network.romerike.pk, "maaned": "2019-10"}, []),
        ({"status": "cancelled", "maaned": "2019-10"}, []),
        ({"status": "held", "maaned": "2019-10"}, ["Follo oktober"]),
        ({"level": "central", "maaned": "2019-10"}, ["Follo oktober"]),
        ({"level": "regional", "maaned": "2019-10"}, []),
        ({"school_year": "2018", "maaned": "2019-05"}, ["Follo mai"]),
    ]
    for view in ("maaned", "liste"):
        for query, titles in cases:
            assert _titles(client.get(URL, {**query, "visning": view})) == titles, (view, query)


def test_previous_and_next_keep_the_filters_and_stay_in_the_school_year(client_as, coord_follo, year_2019):
    client = client_as(coord_follo)
    region = year_2019["oct"].region.pk
    response = client.get(URL, {"region": region, "kind": "masterclass", "maaned": "2019-10"})
    page = response.content.decode()
    assert f'href="?region={region}&amp;kind=masterclass&amp;maaned=2019-09"' in page
    assert f'href="?region={region}&amp;kind=masterclass&amp;maaned=2019-11"' in page
    # Within a chosen school year: no «previous» before August, no «next» after July.
    august = client.get(URL, {"school_year": "2019", "maaned": "2019-08"})
    assert august.context["previous"] is None and august.context["following"] == "2019-09"
    july = client.get(URL, {"school_year": "2019", "maaned": "2020-07"})
    assert july.context["following"] is None and july.context["previous"] == "2020-06"
    # The agenda's links keep the view too.
    agenda = client.get(URL, {"region": region, "visning": "liste", "maaned": "2019-10"}).content.decode()
    assert f'href="?region={region}&amp;visning=liste&amp;maaned=2019-11"' in agenda


def test_the_month_picker_is_a_labelled_get_form_keeping_the_filters(client_as, coord_follo, year_2019):
    region = year_2019["oct"].region.pk
    page = client_as(coord_follo).get(URL, {"region": region, "visning": "liste", "maaned": "2019-10"})
    tree = lxml_html.fromstring(page.content)
    (form,) = tree.xpath("//form[@id='calendar-picker']")
    assert form.get("method") == "get"
    (picker,) = form.xpath(".//input[@name='maaned']")
    assert picker.get("type") == "month" and picker.get("value") == "2019-10"
    assert form.xpath(f".//label[@for='{picker.get('id')}']")[0].text_content().strip() == "Gå til måned"
    hidden = {(i.get("name"), i.get("value")) for i in form.xpath(".//input[@type='hidden']")}
    assert hidden == {("region", str(region)), ("visning", "liste")}
    # What the form sends opens that month with the filters.
    response = client_as(coord_follo).get(URL, {"region": region, "visning": "liste", "maaned": "2020-02"})
    assert response.context["month"] == date(2020, 2, 1) and _titles(response) == ["Follo februar"]


def test_an_unusable_month_falls_back_with_a_note(client_as, coord_follo, network):
    response = client_as(coord_follo).get(URL, {"maaned": "2020-13"})
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert "«Måned» må være en måned som 2020-02" in response.content.decode()


def test_week_view_across_a_months_end(client_as, coord_follo, network):
    _make("Fredag januar", network.follo, datetime(2020, 1, 31, 17, tzinfo=OSLO))
    _make("Lørdag februar", network.follo, datetime(2020, 2, 1, 11, tzinfo=OSLO))
    _make("Mandag etter", network.follo, datetime(2020, 2, 3, 11, tzinfo=OSLO))
    response = client_as(coord_follo).get(URL, {"visning": "uke", "uke": "2020-W05"})
    assert response.status_code == 200
    days = response.context["week_days"]
    assert [cell["day"] for cell in days] == [date(2020, 1, 27 + n) for n in range(5)] + [
        date(2020, 2, 1),
        date(2020, 2, 2),
    ]
    assert [a.title for a in days[4]["activities"]] == ["Fredag januar"]
    assert [a.title for a in days[5]["activities"]] == ["Lørdag februar"]
    assert response.context["count"] == 2
    page = response.content.decode()
    assert 'uke=2020-W04"' in page and 'uke=2020-W06"' in page
    assert "Uke 5" in page


@pytest.mark.parametrize(
    ("week", "cases"),
    [
        # Summer time begins Sunday 28 March 2027 at 02:00.
        (
            "2027-W12",
            [
                (datetime(2027, 3, 22, 10, tzinfo=OSLO), 0, "10:00"),
                (datetime(2027, 3, 28, 10, tzinfo=OSLO), 6, "10:00"),
                (datetime(2027, 3, 28, 23, 30, tzinfo=OSLO), 6, "23:30"),
            ],
        ),
        # It ends Sunday 31 October 2027 at 03:00.
        (
            "2027-W43",
            [
                (datetime(2027, 10, 25, 0, 30, tzinfo=OSLO), 0, "00:30"),
                (datetime(2027, 10, 31, 18, tzinfo=OSLO), 6, "18:00"),
                (datetime(2027, 10, 31, 23, 30, tzinfo=OSLO), 6, "23:30"),
            ],
        ),
    ],
)
def test_week_view_over_the_change_of_summer_time(client_as, coord_follo, network, week, cases):
    for number, (start, _index, _shown) in enumerate(cases):
        _make(f"Aktivitet {number}", network.follo, start)
    # Just outside the week on either side, in Oslo time (inside it in UTC).
    sunday_before = cases[0][0].date() - timedelta(days=1)
    monday_after = cases[-1][0].date() + timedelta(days=1)
    _make("Søndag før", network.follo, datetime.combine(sunday_before, time(23, 30), tzinfo=OSLO))
    _make("Mandag etter", network.follo, datetime.combine(monday_after, time(0, 30), tzinfo=OSLO))
    response = client_as(coord_follo).get(URL, {"visning": "uke", "uke": week})
    days = response.context["week_days"]
    assert response.context["count"] == len(cases)
    for number, (_start, index, shown) in enumerate(cases):
        (activity,) = [a for a in days[index]["activities"] if a.title == f"Aktivitet {number}"]
        assert f"{activity.oslo_start:%H:%M}" == shown
    page = response.content.decode()
    assert "Søndag før" not in page and "Mandag etter" not in page
    for _start, _index, shown in cases:
        assert f"{shown}–" in page


@pytest.mark.parametrize("week", ["2020-W54", "2021-W53", "1999-W10", "2020-W00", "uke7", "2020-W7x", "x" * 500])
def test_an_unusable_week_falls_back_with_a_note(client_as, coord_follo, network, week):
    response = client_as(coord_follo).get(URL, {"visning": "uke", "uke": week, "maaned": "2020-02"})
    assert response.status_code == 200
    assert response.context["week"] == "2020-W05"  # the week of 1 February 2020
    assert "«Uke» må være en uke som 2020-W07" in response.content.decode()


def test_agenda_lists_the_days_with_activities_and_marks_the_cancelled(client_as, coord_follo, network):
    _make("Samspill", network.follo, datetime(2019, 10, 5, 10, tzinfo=OSLO), datetime(2019, 10, 6, 14, tzinfo=OSLO))
    _make(
        "Avlyst konsert",
        network.follo,
        datetime(2019, 10, 9, 18, tzinfo=OSLO),
        status=Activity.Status.CANCELLED,
    )
    response = client_as(coord_follo).get(URL, {"visning": "liste", "maaned": "2019-10"})
    days = response.context["days"]
    assert [(cell["day"].day, [a.title for a in cell["activities"]]) for cell in days] == [
        (5, ["Samspill"]),
        (6, ["Samspill"]),
        (9, ["Avlyst konsert"]),
    ]
    tree = lxml_html.fromstring(response.content)
    (cancelled,) = tree.xpath("//li[@data-day='2019-10-09']//li[@data-activity]")
    assert "Avlyst" in cancelled.xpath(".//span[contains(@class,'badge')]")[0].text_content()
    assert "text-decoration-line-through" in cancelled.xpath(".//a")[0].get("class")
    # The month view marks it visibly too.
    month = client_as(coord_follo).get(URL, {"maaned": "2019-10"}).content.decode()
    assert 'class="badge text-bg-danger calendar-cancelled">Avlyst</span>' in month
    assert "Saturday" not in response.content.decode() and "Lørdag 5. oktober" in response.content.decode()


QUERY_NAMES = [
    *("visning", "uke", "maaned", "school_year", "region", "kind"),
    *("level", "status", "q", "side", "host_school"),
]
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["2020-W07", "2020-W53", "2020-02", "9999-W99", "0000-01", "uke", "liste", "maaned", "-1", "²"]),
    st.from_regex(r"[0-9]{1,5}-W?[0-9]{1,3}", fullmatch=True),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.dictionaries(st.sampled_from(QUERY_NAMES), st.lists(hostile_text, min_size=1, max_size=3), max_size=6))
def test_hostile_query_strings_never_give_a_server_error(client_as, coord_follo, network, query):
    query = {name: [value.replace("\x00", "") for value in values] for name, values in query.items()}
    response = client_as(coord_follo).get(URL, query)
    assert response.status_code in (200, 400), query
    if response.status_code == 200:
        assert response.context["view_name"] in ("maaned", "uke", "liste")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agenda_and_week_fit_a_phone_without_javascript(
    browser, browser_context_args, live_server, network, coord_follo, output_path
):
    """At 390 px, with JavaScript off: the agenda and the week view are no wider than the
    screen, the month picker's form opens the month it names, and the cancelled mark shows."""
    _make("Samspill", network.follo, datetime(2019, 10, 5, 10, tzinfo=OSLO), datetime(2019, 10, 5, 14, tzinfo=OSLO))
    _make("Avlyst konsert", network.follo, datetime(2019, 11, 9, 18, tzinfo=OSLO), status=Activity.Status.CANCELLED)
    from conftest import csp_violations_seen, csp_watch

    args = {**browser_context_args, "viewport": {"width": 390, "height": 844}, "java_script_enabled": False}
    context = browser.new_context(**args)
    violations: list[str] = []
    csp_watch(context, violations)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Brukernavn").fill("koord-follo")
    page.get_by_label("Passord").fill("pw-for-tests-1")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{URL}?visning=liste&maaned=2019-10&region={network.follo.pk}")
    assert page.locator("li[data-day='2019-10-05']").inner_text().count("Samspill") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Gå til måned").fill("2019-11")
    page.get_by_role("button", name="Vis", exact=True).click()
    assert "maaned=2019-11" in page.url and f"region={network.follo.pk}" in page.url and "visning=liste" in page.url
    assert page.locator("li[data-day='2019-11-09'] .calendar-cancelled").inner_text() == "Avlyst"
    page.screenshot(path=str(Path(output_path) / "calendar-agenda-390.png"), full_page=True)

    page.goto(f"{live_server.url}{URL}?visning=uke&uke=2019-W40")
    assert page.locator("li.calendar-agenda-day").count() == 7
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert csp_violations_seen(context, violations) == []
    context.close()


def test_the_week_view_keeps_to_the_chosen_school_year(client_as, coord_follo, year_2019):
    """A week of another school year was shown, and previous/next crossed the year's ends."""
    client = client_as(coord_follo)
    response = client.get(URL, {"visning": "uke", "school_year": "2019", "uke": "2019-W31"})
    assert response.status_code == 200
    assert response.context["week"] == "2019-W31"  # 29 July–4 August: it touches 2019/20
    assert response.context["previous_week"] is None  # 22–28 July is 2018/19
    response = client.get(URL, {"visning": "uke", "school_year": "2020", "uke": "2019-W01"})
    assert response.context["week"] == "2020-W31"  # 27 Jul–2 Aug 2020: the week of 1 August
    assert any("utenfor det valgte skoleåret" in note for note in response.context["notes"])
    last = client.get(URL, {"visning": "uke", "school_year": "2019", "uke": "2020-W31"})
    assert last.context["following_week"] is None
