"""A coordinator registers an activity that clashes with another for the same school on the
same day, sees the warning naming it, saves anyway («Lagre likevel»), and finds both marked
on the list (issue 15; Playwright on the system Chromium, headless)."""

import re
from datetime import datetime

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.periods import OSLO

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_sees_the_clash_saves_anyway_and_the_list_marks_both(
    page, live_server, network, coord_follo, areas
):
    other = ActivityFactory(
        title="Samspill Follo",
        region=network.follo,
        starts_at=datetime(2019, 11, 9, 17, tzinfo=OSLO),
        ends_at=datetime(2019, 11, 9, 20, tzinfo=OSLO),
        status=Activity.Status.PLANNED,
        areas=[areas[3]],
    )
    ParticipationFactory(activity=other, school=network.school_a, pupils=5)

    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Brukernavn").fill("koord-follo")
    page.get_by_label("Passord").fill("pw-for-tests-1")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}{reverse('activities:create')}")
    page.get_by_label("Tittel").fill("Mesterklasse trompet")
    page.get_by_label("Type").select_option("masterclass")
    page.get_by_label("Nivå").select_option("central")
    page.check(f"input[name=cooperation_areas][value='{areas[2].pk}']")
    page.get_by_label("Delregion").select_option(str(network.follo.pk))
    page.get_by_label("Starter").fill("2019-11-09T10:00")
    page.get_by_label("Slutter").fill("2019-11-09T15:00")
    page.get_by_label("Instrument/instrumentgruppe").fill("Trompet")
    page.select_option("#id_deltakelse-0-school", str(network.school_a.pk))
    page.fill("#id_deltakelse-0-pupils", "3")
    page.locator("#save-activity").click()

    warning = page.locator("#clash-warning")
    warning.wait_for()
    assert Activity.objects.count() == 1, "nothing is saved before «Lagre likevel»"
    link = warning.get_by_role("link", name="Samspill Follo")
    assert link.get_attribute("href") == reverse("activities:detail", args=[other.pk])
    assert "09.11.2019" in warning.inner_text() and "Follo" in warning.inner_text()
    assert "Skole A" in warning.inner_text()

    page.get_by_label("Lagre likevel: jeg har sjekket kollisjonene med andre aktiviteter").check()
    page.locator("#save-activity").click()
    page.wait_for_url(re.compile(r"/aktiviteter/\d+/$"))
    created = Activity.objects.get(title="Mesterklasse trompet")

    page.goto(f"{live_server.url}{reverse('activities:list')}?school_year=2019")
    for activity in (other, created):
        mark = page.locator(f"tr[data-activity='{activity.pk}'] .clash-mark")
        assert mark.count() == 1
        assert mark.inner_text().startswith("Kollisjon")
        assert (mark.get_attribute("title") or "").startswith("Kollisjon:")
