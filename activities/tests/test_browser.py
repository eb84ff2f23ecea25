"""A coordinator logs an activity with the mouse and keyboard (Playwright on the system
Chromium, headless)."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from core.periods import OSLO
from schools.tests.factories import EnrolmentFactory, PupilFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_a_masterclass_and_is_refused_romerike(
    page, live_server, output_path, network, coord_follo, areas
):
    for school in (network.school_a, network.school_a2, network.school_b):
        EnrolmentFactory(school=school, school_year=2019, pupils=40)
    pupil = PupilFactory(first_name="Ingrid", last_name="Berg", birth_year=2006, schools=[network.school_a])
    PupilFactory(first_name="Ola", last_name="Nordmann", birth_year=2005, schools=[network.school_b])
    romerike = ActivityFactory(
        title="Samspill Romerike",
        region=network.romerike,
        starts_at=datetime(2019, 11, 16, 10, tzinfo=OSLO),
        ends_at=datetime(2019, 11, 16, 14, tzinfo=OSLO),
    )
    area_2 = areas[2]

    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Brukernavn").fill("koord-follo")
    page.get_by_label("Passord").fill("pw-for-tests-1")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("#coordinator-heading").inner_text() == "Aktiviteter i Follo"

    page.get_by_role("link", name="Ny aktivitet").click()
    page.get_by_label("Tittel").fill("Mesterklasse trompet")
    page.get_by_label("Type").select_option("masterclass")
    page.get_by_label("Nivå").select_option("central")
    page.check(f"input[name=cooperation_areas][value='{area_2.pk}']")
    page.get_by_label("Delregion").select_option(str(network.follo.pk))
    page.get_by_label("Starter").fill("2019-11-09T10:00")
    page.get_by_label("Slutter").fill("2019-11-09T15:00")
    page.get_by_label("Instrument/instrumentgruppe").fill("Trompet")
    page.select_option("#id_deltakelse-0-school", str(network.school_a.pk))
    page.fill("#id_deltakelse-0-pupils", "3")
    page.fill("#id_deltakelse-0-teachers", "1")
    # Pupils are minors: the page holds no pupil's name until the person types two letters;
    # the server answers with the row's school's pupils, chosen with the keyboard.
    assert "Ingrid" not in page.content() and "Nordmann" not in page.content()
    page.get_by_label("Søk etter elev (minst to bokstaver)").first.press_sequentially("In")
    matches = page.locator("#deltakelse-0-matches option")
    matches.first.wait_for()
    assert matches.all_inner_texts() == ["Ingrid Berg (2006)"]
    page.locator("#deltakelse-0-search").press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#id_deltakelse-0-named_pupils option:checked").all_inner_texts() == ["Ingrid Berg (2006)"]
    assert page.locator("#id_deltakelse-0-named_pupils").input_value() == str(pupil.pk)
    page.select_option("#id_deltakelse-1-school", str(network.school_a2.pk))
    page.fill("#id_deltakelse-1-pupils", "2")
    screenshots = Path(output_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    screenshot = page.screenshot(path=str(screenshots / "activity-form.png"), full_page=True)
    page.locator("#save-activity").click()

    page.wait_for_url(re.compile(r"/aktiviteter/\d+/$"))
    activity = Activity.objects.get(title="Mesterklasse trompet")
    assert page.locator("h1").inner_text() == "Mesterklasse trompet"
    assert page.locator("#participation-table tbody tr").all_inner_texts() == [
        "Skole A\t3\t1\tIngrid Berg (2006)",
        "Skole A2\t2\t0\t",
    ]
    assert activity.created_by == coord_follo

    page.get_by_role("link", name="Alle aktiviteter").click()
    assert page.locator(f"tr[data-activity='{activity.pk}'] a").first.inner_text() == "Mesterklasse trompet"
    page.get_by_role("link", name="Kalender").click()
    page.goto(f"{live_server.url}{reverse('activities:calendar')}?maaned=2019-11")
    assert page.get_by_role("link", name="10:00 Mesterklasse trompet").count() == 1

    refused = page.goto(f"{live_server.url}{reverse('activities:update', args=[romerike.pk])}")
    assert refused.status == 403
    # (Not a stat of the file: a concurrent pytest-playwright session empties test-results/.)
    assert screenshot[:8] == b"\x89PNG\r\n\x1a\n"
