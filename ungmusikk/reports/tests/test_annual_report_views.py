"""The annual report's pages (issue 16): who may open them (every URL × the personas), the
period form and its notes, the files page while the files are made (a <meta> refresh only
then), failed and stale generations, the downloads and their names, the one-time button,
«Rapporter» in the menu, the page's template with its SVG charts, and hostile query strings
and path segments (Hypothesis) that never give a server error."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, note
from hypothesis import strategies as st

from core.forms import form_token_new
from core.models import SubmissionToken
from core.periods import school_year_of
from core.tests.hostile import (
    NAMED_VALUES,
    hostile_client,
    hostile_settings,
    hostile_value,
    send,
    snapshot,
    with_examples,
)
from ungmusikk.reports.charts import chart_render
from ungmusikk.reports.models import AnnualReportFile, stale_after
from ungmusikk.reports.shapes import SCHOOL_YEAR, ReportPeriod
from ungmusikk.reports.views import report_sections

from .task_helpers import BUILT_AT, PERIOD, hand_built_report, kept_files, network_with_figures

pytestmark = pytest.mark.django_db

REFUSED = ["rector_a", "coord_follo", "access_manager"]
ALLOWED = ["daily_leader", "nmh_coordinator", "steering_member", "steering_leader"]
ARGS = {"kind": PERIOD.kind, "year": PERIOD.year}
FILE_ARGS = {**ARGS, "name": "arsrapport-2020"}
# (method, URL name, its arguments)
URLS = [
    ("get", "reports:index", {}),
    ("get", "reports:annual-report", ARGS),
    ("get", "reports:annual-report-files", ARGS),
    ("post", "reports:annual-report-generate", ARGS),
    ("get", "reports:annual-report-pdf", FILE_ARGS),
    ("get", "reports:annual-report-xlsx", FILE_ARGS),
]
URL_IDS = [name.split(":")[1] for _method, name, _args in URLS]
# The last years a report may be made for: this calendar year and the current school year (Oslo).
YEAR_NOW = timezone.localdate().year
SCHOOL_YEAR_NOW = school_year_of(timezone.localdate())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def call(client, method, name, args, **data):
    url = reverse(name, kwargs=args)
    if method == "post":
        return client.post(url, {"form_token": form_token_new(), **data})
    return client.get(url, data)


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "name", "args"), URLS, ids=URL_IDS)
@pytest.mark.parametrize("persona", REFUSED)
def test_every_url_refuses_rectors_coordinators_and_the_access_manager(client_as, request, persona, method, name, args):
    kept_files()
    response = call(client_as(request.getfixturevalue(persona)), method, name, args)

    assert response.status_code == 403
    assert AnnualReportFile.objects.get().status == "done"  # the refused button asked for nothing


@pytest.mark.parametrize(("method", "name", "args"), URLS, ids=URL_IDS)
def test_every_url_sends_an_anonymous_visitor_to_the_login(client, network, method, name, args):
    url = reverse(name, kwargs=args)
    response = call(client, method, name, args)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("persona", ALLOWED)
def test_central_staff_and_the_steering_group_open_the_pages_and_the_files(client_as, request, persona):
    kept_files()
    client = client_as(request.getfixturevalue(persona))

    assert client.get(reverse("reports:index")).status_code == 200
    assert client.get(reverse("reports:annual-report-files", kwargs=ARGS)).status_code == 200
    pdf = client.get(reverse("reports:annual-report-pdf", kwargs=FILE_ARGS))
    xlsx = client.get(reverse("reports:annual-report-xlsx", kwargs=FILE_ARGS))
    assert (pdf.status_code, xlsx.status_code) == (200, 200)
    assert b"".join(pdf.streaming_content) == b"%PDF-1.4 nb"
    assert b"".join(xlsx.streaming_content) == b"PK workbook nb"


@pytest.mark.parametrize("persona", ALLOWED)
def test_central_staff_and_the_steering_group_ask_for_the_files(client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))

    response = client.post(reverse("reports:annual-report-generate", kwargs=ARGS), {"form_token": form_token_new()})

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:annual-report-files", kwargs=ARGS)
    row = AnnualReportFile.objects.get()
    assert (row.kind, row.year, row.language, row.status) == ("kalenderaar", 2020, "nb", "queued")


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_report_page_opens_for_central_staff_and_the_steering_group(client_as, request, network, persona):
    network_with_figures(network)

    response = client_as(request.getfixturevalue(persona)).get(reverse("reports:annual-report", kwargs=ARGS))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figures-as-of"' in html
    assert 'id="table-of-contents"' in html
    assert 'http-equiv="refresh"' not in html


def test_the_menu_shows_rapporter_only_to_those_who_may_open_it(client_as, daily_leader, rector_a, steering_member):
    link = f'href="{reverse("reports:index")}"'

    assert link in client_as(daily_leader).get(reverse("profile")).content.decode()
    assert link in client_as(steering_member).get(reverse("profile")).content.decode()
    assert link not in client_as(rector_a).get(reverse("profile")).content.decode()


# --- The downloads ----------------------------------------------------------------------------


def test_a_download_without_kept_files_is_404(client_as, daily_leader):
    client = client_as(daily_leader)

    assert client.get(reverse("reports:annual-report-pdf", kwargs=FILE_ARGS)).status_code == 404
    AnnualReportFile.objects.create(kind=PERIOD.kind, year=PERIOD.year, language="nb", status="running")
    assert client.get(reverse("reports:annual-report-xlsx", kwargs=FILE_ARGS)).status_code == 404


def test_a_download_names_the_file_by_its_period(client_as, daily_leader):
    kept_files()
    school_year = ReportPeriod(SCHOOL_YEAR, 2019)
    kept_files(school_year)
    client = client_as(daily_leader)

    calendar = client.get(reverse("reports:annual-report-pdf", kwargs=FILE_ARGS))
    school = client.get(
        reverse("reports:annual-report-xlsx", kwargs={"kind": SCHOOL_YEAR, "year": 2019, "name": "arsrapport-2019-20"})
    )

    assert calendar["Content-Disposition"] == 'attachment; filename="arsrapport-2020.pdf"'
    assert calendar["Content-Type"] == "application/pdf"
    assert school["Content-Disposition"] == 'attachment; filename="arsrapport-2019-20.xlsx"'
    assert school["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert calendar["Cache-Control"] == "private, no-store"


def test_a_download_of_another_periods_name_or_a_lost_file_is_404(client_as, daily_leader, media):
    row = kept_files()
    client = client_as(daily_leader)

    assert (
        client.get(reverse("reports:annual-report-pdf", kwargs={**ARGS, "name": "arsrapport-2019"})).status_code == 404
    )
    assert client.get(reverse("reports:annual-report-pdf", kwargs={**ARGS, "name": "passwd"})).status_code == 404
    (media / row.pdf.name).unlink()
    assert client.get(reverse("reports:annual-report-pdf", kwargs=FILE_ARGS)).status_code == 404


def test_an_english_page_gets_the_english_files(client_as, daily_leader):
    kept_files(language="nb")
    kept_files(language="en")
    client = client_as(daily_leader)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    english = client.get(reverse("reports:annual-report-pdf", kwargs={**ARGS, "name": "annual-report-2020"}))

    assert english["Content-Disposition"] == 'attachment; filename="annual-report-2020.pdf"'
    assert b"".join(english.streaming_content) == b"%PDF-1.4 en"


def test_the_files_are_never_public_media(client, network, media):
    row = kept_files()

    assert client.get(f"/media/{row.pdf.name}").status_code == 404
    assert client.get(f"/{row.pdf.name}").status_code == 404
    with pytest.raises(ValueError):
        row.pdf.url  # noqa: B018 - the storage has no public address


# --- The files page ---------------------------------------------------------------------------


def files_page(client) -> str:
    response = client.get(reverse("reports:annual-report-files", kwargs=ARGS))
    assert response.status_code == 200
    return response.content.decode()


def test_the_files_page_reloads_itself_only_while_the_files_are_made(client_as, daily_leader):
    row = AnnualReportFile.objects.create(
        kind=PERIOD.kind, year=PERIOD.year, language="nb", status="running", progress=42, step="Lager PDF-en"
    )
    client = client_as(daily_leader)

    running = files_page(client)
    assert '<meta http-equiv="refresh" content="3">' in running
    assert '<progress id="files-progress-bar" class="w-100" max="100" value="42">' in running
    assert "Lager PDF-en (42 %)" in running
    assert 'id="generate-form"' not in running

    AnnualReportFile.objects.filter(pk=row.pk).update(status="queued", progress=0, step="Venter på en ledig arbeider")
    assert '<meta http-equiv="refresh" content="3">' in files_page(client)

    row.delete()
    kept_files()
    done = files_page(client)
    assert 'http-equiv="refresh"' not in done
    assert 'id="generate-form"' in done
    assert reverse("reports:annual-report-pdf", kwargs=FILE_ARGS) in done
    assert "Laget 06.03.2021 kl. 09.15. Tall per 05.03.2021 kl. 02.30." in done


def test_a_failed_generation_shows_its_error_in_norwegian_and_keeps_the_files(client_as, daily_leader):
    kept_files(status="failed", error="Filene kunne ikke lagres: Not a directory.", finished_at=BUILT_AT)

    html = files_page(client_as(daily_leader))

    assert "Lagingen av filene feilet 06.03.2021 kl. 09.15: Filene kunne ikke lagres: Not a directory." in html
    assert "Filene fra forrige gang er beholdt." in html
    assert reverse("reports:annual-report-pdf", kwargs=FILE_ARGS) in html
    assert 'http-equiv="refresh"' not in html
    assert 'id="generate-form"' in html


def test_a_stale_generation_may_be_asked_for_again(client_as, daily_leader):
    row = AnnualReportFile.objects.create(kind=PERIOD.kind, year=PERIOD.year, language="nb", status="running")
    AnnualReportFile.objects.filter(pk=row.pk).update(updated_at=timezone.now() - stale_after() - timedelta(seconds=5))

    html = files_page(client_as(daily_leader))

    assert 'id="files-stale"' in html
    assert 'http-equiv="refresh"' not in html
    assert 'id="generate-form"' in html


def test_files_made_from_older_figures_say_so(client_as, daily_leader):
    from core.models import RollupRun

    kept_files()
    now = timezone.now()
    RollupRun.objects.create(kind="enrolment", status="succeeded", started_at=now, finished_at=now)

    assert "Det finnes nyere tall enn filene er laget av." in files_page(client_as(daily_leader))


# --- The button ---------------------------------------------------------------------------------


def test_the_button_asks_once_per_page(client_as, daily_leader):
    client = client_as(daily_leader)
    url = reverse("reports:annual-report-generate", kwargs=ARGS)
    token = form_token_new()

    first = client.post(url, {"form_token": token}, follow=True)
    again = client.post(url, {"form_token": token}, follow=True)

    assert [str(message) for message in first.context["messages"]] == [
        "PDF og regneark lages nå. Siden viser framdriften."
    ]
    assert [str(message) for message in again.context["messages"]] == [
        "Bestillingen var allerede sendt. Her er filene."
    ]
    assert AnnualReportFile.objects.count() == 1
    assert SubmissionToken.objects.filter(token=token).count() == 1
    assert '<meta http-equiv="refresh" content="3">' in first.content.decode()


def test_the_button_without_its_token_asks_for_nothing(client_as, daily_leader):
    response = client_as(daily_leader).post(reverse("reports:annual-report-generate", kwargs=ARGS), follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "Skjemaet mangler sitt engangsmerke. Last siden på nytt og send det igjen."
    ]
    assert AnnualReportFile.objects.count() == 0


def test_the_button_on_up_to_date_files_makes_them_again(client_as, daily_leader):
    """The button is an explicit request: kept files made from the newest figures are made
    again (a deploy may have changed the translations), the kept ones stay until then."""
    kept_files(figures_as_of=timezone.now())

    response = client_as(daily_leader).post(
        reverse("reports:annual-report-generate", kwargs=ARGS), {"form_token": form_token_new()}, follow=True
    )

    assert [str(message) for message in response.context["messages"]] == [
        "PDF og regneark lages nå. Siden viser framdriften."
    ]
    row = AnnualReportFile.objects.get()
    assert row.status == "queued"
    assert row.requested_by == daily_leader
    assert row.has_files  # the earlier files are kept while the new ones are made


def test_the_button_while_a_generation_runs_queues_no_second(client_as, daily_leader):
    row = AnnualReportFile.objects.create(kind=PERIOD.kind, year=PERIOD.year, language="nb", status="running")
    AnnualReportFile.objects.filter(pk=row.pk).update(updated_at=timezone.now())

    response = client_as(daily_leader).post(
        reverse("reports:annual-report-generate", kwargs=ARGS), {"form_token": form_token_new()}, follow=True
    )

    assert [str(message) for message in response.context["messages"]] == [
        "Filene lages allerede. Siden viser framdriften."
    ]
    assert AnnualReportFile.objects.get().status == "running"


def test_the_button_is_post_only(client_as, daily_leader):
    assert client_as(daily_leader).get(reverse("reports:annual-report-generate", kwargs=ARGS)).status_code == 405


# --- The period form ------------------------------------------------------------------------------


def test_the_index_proposes_the_last_full_calendar_year_with_data(client_as, network, daily_leader):
    network_with_figures(network)  # an activity in March 2020
    client = client_as(daily_leader)

    response = client.get(reverse("reports:index"))

    assert response.status_code == 200
    assert response.context["default"] == ReportPeriod("kalenderaar", 2020)
    assert (response.context["kind"], response.context["year"]) == ("kalenderaar", 2020)
    assert response.context["notes"] == []
    this_year = timezone.localdate().year
    assert response.context["years"] == list(range(this_year, 2019, -1))


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ({"periode": "kalenderaar", "aar": "2020"}, "/rapporter/arsrapport/kalenderaar/2020/"),
        ({"periode": "skoleaar", "aar": "2019"}, "/rapporter/arsrapport/skoleaar/2019/"),
    ],
)
def test_the_index_form_leads_to_the_report(client_as, daily_leader, query, location):
    response = client_as(daily_leader).get(reverse("reports:index"), query)

    assert response.status_code == 302
    assert response["Location"] == location


@pytest.mark.parametrize(
    ("query", "notes"),
    [
        ({"periode": "maaned", "aar": "2020"}, ["«Periode» må være kalenderår eller skoleår."]),
        ({"periode": "skoleaar", "aar": "²"}, [f"«År» må være et årstall fra 2000 til {SCHOOL_YEAR_NOW}."]),
        (
            {"periode": "", "aar": "99999999999999999999999"},
            ["«Periode» må være kalenderår eller skoleår.", f"«År» må være et årstall fra 2000 til {YEAR_NOW}."],
        ),
        ({"periode": "kalenderaar", "aar": str(YEAR_NOW + 1)}, [f"«År» må være et årstall fra 2000 til {YEAR_NOW}."]),
        ({"periode": "skoleaar", "aar": "2100"}, [f"«År» må være et årstall fra 2000 til {SCHOOL_YEAR_NOW}."]),
    ],
)
def test_an_unusable_value_is_a_note_naming_the_field(client_as, daily_leader, query, notes):
    response = client_as(daily_leader).get(reverse("reports:index"), query)

    assert response.status_code == 200
    assert [str(text) for text in response.context["notes"]] == notes
    assert 'id="period-notes"' in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "year"),
    [
        ("maaned", "2020"),
        ("kalenderaar", "1999"),
        ("kalenderaar", "²"),
        ("kalenderaar", str(YEAR_NOW + 1)),
        ("kalenderaar", "2100"),
        ("skoleaar", str(SCHOOL_YEAR_NOW + 1)),
    ],
)
def test_an_unknown_period_in_the_url_is_404(client_as, daily_leader, kind, year):
    client = client_as(daily_leader)

    assert client.get(f"/rapporter/arsrapport/{quote(kind)}/{quote(year)}/").status_code == 404
    assert client.get(f"/rapporter/arsrapport/{quote(kind)}/{quote(year)}/filer/").status_code == 404


# --- The page's template and charts (a hand-built report) ------------------------------------------


def test_the_report_page_template_has_contents_anchors_captions_and_accessible_charts(daily_leader):
    report = hand_built_report()
    request = RequestFactory().get("/rapporter/arsrapport/kalenderaar/2020/")
    request.user = daily_leader
    from core.rollups import FiguresAsOf

    html = render_to_string(
        "reports/annual_report.html",
        {
            "report": report,
            "period": report.period,
            "as_of": FiguresAsOf(at=report.figures_as_of),
            "sections": report_sections(report),
            "file": None,
            "running": False,
        },
        request=request,
    )

    assert '<a href="#skolene">Skolene</a>' in html
    assert '<h2 id="skolene" class="h3">Skolene</h2>' in html
    assert '<h2 id="okonomi" class="h3">Økonomien</h2>' in html
    assert "<caption>Skolene</caption>" in html
    assert "<caption>Tallene i diagrammet: Elever og aktiviteter per skole</caption>" in html
    assert "Tall per 05.03.2021 kl. 10.00" in html
    assert html.count('role="img"') == 2
    assert '<title id="chart-skolene-elever-title">Elever og aktiviteter per skole</title>' in html
    assert "&lt;b&gt;Skole B&lt;/b&gt;" in html
    assert "<b>Skole B</b>" not in html
    assert " style=" not in html
    assert "<script" not in html.split('<main id="main"')[1].split("</main>")[0]


def test_a_chart_draws_no_bar_for_a_hidden_count_and_writes_its_numbers():
    report = hand_built_report()
    section = report.sections[0]

    chart = chart_render(section.charts[0], section.tables_by_name, title="Elever", element_id="c")

    assert chart.numbers.headings == ["Elever", "Aktiviteter"]
    assert chart.numbers.rows == [
        ("Skole A", ["120", "7"]),
        ("Guovdageainnu kulturskuvla", ["<5", "2"]),
        ("<b>Skole B</b>", ["45", "3"]),
    ]
    assert chart.svg.count("<rect") == 5 + 2  # six values, one hidden, and two legend keys
    assert "&lt;5</text>" in chart.svg
    assert chart.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="c"')


def test_a_chart_of_negative_amounts_draws_from_the_zero_line():
    report = hand_built_report()
    section = report.sections[1]

    chart = chart_render(section.charts[0], section.tables_by_name, title="Avvik", element_id="d")

    assert chart.numbers.rows == [("Aktiviteter", ["-12\xa0500"]), ("Reiser", ["4\xa0000"])]
    assert chart.svg.count("<rect") == 2
    assert "<line" in chart.svg


# --- Hostile input ------------------------------------------------------------------------------------

SEGMENT = st.one_of(st.sampled_from(["kalenderaar", "skoleaar", "2020", "2019", "arsrapport-2020"]), hostile_value())


def _segment(value: str) -> str:
    return quote(value, safe="") or "x"


def _read(client, url, params=None):
    before = snapshot(AnnualReportFile, SubmissionToken)
    note(f"GET {url} {params!r}")
    response = send(client, "get", url, params or {})
    assert snapshot(AnnualReportFile, SubmissionToken) == before, f"reading {url} changed the database"
    return response


@pytest.fixture
def readers(daily_leader, steering_member, rector_a):
    kept_files()
    return {
        "daily_leader": hostile_client(daily_leader),
        "steering_member": hostile_client(steering_member),
        "rector_a": hostile_client(rector_a),
    }


@hostile_settings(25)
@with_examples(
    *({"reader": "daily_leader", "params": {"periode": value, "aar": value}} for value in NAMED_VALUES),
    {"reader": "daily_leader", "params": {"periode": ["kalenderaar", "skoleaar"], "aar": ["2020", "x"]}},
)
@given(
    reader=st.sampled_from(["daily_leader", "steering_member", "rector_a"]),
    params=st.dictionaries(
        st.sampled_from(["periode", "aar", "x"]),
        st.one_of(hostile_value(), st.lists(hostile_value(), max_size=3)),
        max_size=3,
    ),
)
def test_the_index_never_fails_on_hostile_query_strings(readers, reader, params):
    response = _read(readers[reader], reverse("reports:index"), params)

    assert response.status_code in (200, 302, 403)


FILE_PAGES = ["filer/", "arsrapport-2020.pdf", "arsrapport-2020.xlsx", "{name}.pdf", "{name}.xlsx"]


@hostile_settings(25)
@with_examples(
    *(
        {"reader": "daily_leader", "kind": "kalenderaar", "year": value, "page": "filer/", "name": "x"}
        for value in NAMED_VALUES
    ),
    *(
        {"reader": "daily_leader", "kind": value, "year": "2020", "page": "{name}.pdf", "name": value}
        for value in NAMED_VALUES
    ),
)
@given(
    reader=st.sampled_from(["daily_leader", "steering_member", "rector_a"]),
    kind=SEGMENT,
    year=SEGMENT,
    page=st.sampled_from(FILE_PAGES),
    name=SEGMENT,
)
def test_the_files_and_downloads_never_fail_on_hostile_paths(readers, reader, kind, year, page, name):
    url = f"/rapporter/arsrapport/{_segment(kind)}/{_segment(year)}/{page.format(name=_segment(name))}"

    response = _read(readers[reader], url)

    assert response.status_code in (200, 403, 404)


@pytest.fixture
def figures(network):
    return network_with_figures(network)


@hostile_settings(15)
@with_examples(*({"reader": "daily_leader", "kind": "kalenderaar", "year": value} for value in NAMED_VALUES[:8]))
@given(reader=st.sampled_from(["daily_leader", "rector_a"]), kind=SEGMENT, year=SEGMENT)
def test_the_report_page_never_fails_on_hostile_paths(figures, readers, reader, kind, year):
    response = _read(readers[reader], f"/rapporter/arsrapport/{_segment(kind)}/{_segment(year)}/")

    assert response.status_code in (200, 403, 404)


@hostile_settings(20)
@with_examples(
    *({"reader": "daily_leader", "token": [value]} for value in NAMED_VALUES),
    {"reader": "daily_leader", "token": []},
    {"reader": "daily_leader", "token": ["a" * 20, "b" * 20]},
)
@given(
    reader=st.sampled_from(["daily_leader", "rector_a"]),
    token=st.lists(st.one_of(hostile_value(), st.from_regex(r"[A-Za-z0-9_-]{16,64}", fullmatch=True)), max_size=3),
)
def test_the_button_never_fails_on_a_hostile_token(readers, reader, token):
    url = reverse("reports:annual-report-generate", kwargs=ARGS)
    note(f"POST {url} form_token={token!r}")

    response = send(readers[reader], "post", url, {"form_token": token} if token else {})

    assert response.status_code in (302, 403)


def test_the_index_without_data_proposes_last_year(client_as, daily_leader):
    response = client_as(daily_leader).get(reverse("reports:index"))

    assert response.context["default"] == ReportPeriod("kalenderaar", timezone.localdate().year - 1)


# --- Queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("periods", [1, 3])
def test_the_files_page_and_the_index_read_the_same_queries_however_many_files_are_kept(
    client_as, daily_leader, django_assert_num_queries, periods
):
    for year in range(2020, 2020 + periods):
        kept_files(ReportPeriod("kalenderaar", year))
    client = client_as(daily_leader)
    client.get(reverse("reports:index"))  # the session's first write

    # session, user, roles (the permission), the period's row, the rollups' last success,
    # and the session's expiry moved on (SAVEPOINT, UPDATE, RELEASE)
    with django_assert_num_queries(8):
        assert client.get(reverse("reports:annual-report-files", kwargs=ARGS)).status_code == 200
    # session, user, roles, the years with data, the session's expiry (3)
    with django_assert_num_queries(7):
        assert client.get(reverse("reports:index")).status_code == 200


def test_the_index_links_the_municipality_sheets_for_those_who_may_open_them(client_as, daily_leader, steering_member):
    link = f'href="{reverse("reports:municipality-sheets")}"'

    assert link in client_as(daily_leader).get(reverse("reports:index")).content.decode()
    assert link not in client_as(steering_member).get(reverse("reports:index")).content.decode()


@hostile_settings(20)
@given(
    kind=st.sampled_from(["kalenderaar", "skoleaar"]),
    ahead=st.integers(min_value=1, max_value=2100 - 2000),
    page=st.sampled_from(["", "filer/", "arsrapport-{year}.pdf"]),
)
def test_a_year_not_yet_begun_is_404_and_asks_for_nothing(readers, kind, ahead, page):
    """A calendar year after this one or a school year after the current one (up to 2100, the
    portal's last year) has no report: every page of it is 404, and the button makes no row."""
    year = min((YEAR_NOW if kind == "kalenderaar" else SCHOOL_YEAR_NOW) + ahead, 2100)
    url = f"/rapporter/arsrapport/{kind}/{year}/"
    assert _read(readers["daily_leader"], url + page.format(year=year)).status_code == 404
    before = snapshot(AnnualReportFile)
    response = send(readers["daily_leader"], "post", url + "lag/", {"form_token": form_token_new()})
    assert response.status_code == 404
    assert snapshot(AnnualReportFile) == before
