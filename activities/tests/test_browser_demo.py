"""The demo network as a coordinator clicks it in Chromium: ten activities opened from the
list, no console error, no answer of 500 or more (the demo's history entries have no person,
which once broke every activity page)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_opens_ten_demo_activities_without_an_error(page, live_server, settings):
    call_command("load_demo", force=True, verbosity=0)
    user = get_user_model().objects.get(username="koord-follo")
    user.set_password("pw-for-the-browser-1")
    user.save()

    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda answer: answer.status >= 400 and problems.append(f"{answer.status} {answer.url}"))

    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Brukernavn").fill("koord-follo")
    page.get_by_label("Passord").fill("pw-for-the-browser-1")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Aktiviteter", exact=True).first.click()
    page.wait_for_url(f"{live_server.url}{reverse('activities:list')}")
    titles = page.locator("#activity-table tbody tr td:nth-child(2) > a")
    count = titles.count()
    assert count >= 10
    opened = []
    for index in range(10):
        link = page.locator("#activity-table tbody tr td:nth-child(2) > a").nth(index)
        title = link.inner_text()
        link.click()
        page.wait_for_load_state()
        assert page.locator("h1").first.inner_text() == title
        assert page.locator("#history").count() == 1
        opened.append(page.url)
        page.go_back()
        page.wait_for_load_state()
    assert len(set(opened)) == 10
    assert problems == []
