"""A coordinator who forgot their password finds the way back on a phone (issue 14): at 390 px
wide, «Glemt passordet?» on the login page, the address, the link from the e-mail, a refused
weak password and then a good one, and logging in with it, with no page wider than the screen.
Five wrong passwords before it show the lockout message."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "Fiolin-og-tromme-2027"  # noqa: S105


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def coordinator(transactional_db, settings, live_server):
    from governance.tests.factories import UserFactory

    settings.PORTAL_BASE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return UserFactory(username="koord-vest", email="koord.vest@example.org", first_name="Vera")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_browser_a_forgotten_password_on_a_phone(live_server, page, coordinator):
    page.goto(f"{live_server.url}/logg-inn/")
    for _ in range(5):
        page.fill("#id_username", "koord-vest")
        page.fill("#id_password", "feil-passord")
        page.click("main button[type=submit]")
    assert "For mange mislykkede forsøk" in page.inner_text("#login-locked")
    _fits(page)

    page.click("#forgot-password-link")
    _fits(page)
    page.get_by_label("E-post").fill("koord.vest@example.org")
    page.get_by_role("button", name="Send meg en lenke").click()
    assert "Sjekk e-posten din" in page.inner_text("h1")
    _fits(page)

    link = re.search(r"http://\S+/passord/ny/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    assert page.inner_text("h1") == "Velg nytt passord"
    _fits(page)
    page.get_by_label(re.compile(r"^\s*Nytt passord")).fill("kort1")
    page.get_by_label("Bekreft nytt passord").fill("kort1")
    page.get_by_role("button", name="Lagre nytt passord").click()
    assert "Passordet er for kort" in page.inner_text("main")
    _fits(page)
    page.get_by_label(re.compile(r"^\s*Nytt passord")).fill(NEW_PASSWORD)
    page.get_by_label("Bekreft nytt passord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lagre nytt passord").click()
    assert page.inner_text("h1") == "Passordet er endret"

    # The new password ends the lockout of the username.
    page.click("main >> text=Logg inn")
    page.fill("#id_username", "koord-vest")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("main button[type=submit]")
    assert "/logg-inn/" not in page.url
    page.goto(f"{live_server.url}/profil/")
    assert page.locator("#password-change-link").is_visible()
    _fits(page)
