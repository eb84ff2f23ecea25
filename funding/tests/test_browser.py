"""The steering group decides the demo budgets together, in the admin, with a mouse (issue 12):
the leader and a member vote on the 2020 budget the demo leaves waiting for them, each after the
confirmation step; then the daily leader drafts and lays the 2021 budget before them, and they
vote again. The top of the approved 2021 budget, at 1280 px, shows income, expenses and balance
with the change from 2020 without scrolling."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from funding.models import Budget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_network(settings, transactional_db):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    return os.environ.get("DEMO_PASSWORD") or django_settings.DEMO_PASSWORD_DEFAULT


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


def _log_in(page, live_server, username, password):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/funding/budget/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def _vote(page, live_server, password, username, budget, comment):
    """Open the budget, press "Stem for å vedta …", read the confirmation page, confirm."""
    _log_in(page, live_server, username, password)
    page.click(f"text={budget}")
    page.click("#budget-approve")
    assert page.locator("#confirm-approve").is_visible()
    assert page.locator("#confirm-figures").is_visible()  # the figures voted on, beside the button
    page.fill("textarea[name=comment]", comment)
    # The vote is posted and answered with a redirect to the budget: wait for that page, not
    # the confirmation page still showing (counting its messages at once raced the browser).
    with page.expect_navigation():
        page.click("#confirm-approve")
    messages = page.locator(".messagelist").all_inner_texts()
    assert page.locator(".messagelist .success").count() == 1, messages


def test_browser_the_steering_group_votes_and_the_budget_is_approved(live_server, page, demo_network, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    password = demo_network
    first = Budget.objects.get(year=2020)
    assert (first.status, first.submitted_by.username) == ("submitted", "leder")

    # 2020: the member votes first; the budget waits for the leader.
    _vote(page, live_server, password, "styre", first, "For, som drøftet i møtet")
    assert page.inner_text("#budget-status") == "Lagt fram"
    assert "lederens stemme" in page.inner_text("#budget-needs")
    assert page.locator("#budget-approve").count() == 0  # one vote per member
    _vote(page, live_server, password, "styreleder", first, "Vedtatt i styringsgruppens møte")
    assert page.inner_text("#budget-status") == "Vedtatt"
    first.refresh_from_db()
    assert (first.status, first.decided_by.username) == ("approved", "styreleder")

    # 2021: the daily leader drafts it, confirms laying it before the steering group.
    _log_in(page, live_server, "leder", password)
    page.goto(f"{live_server.url}/admin/funding/budget/add/")
    page.fill("input[name=year]", "2021")
    page.click("input[type=submit]")
    second = Budget.objects.get(year=2021)
    page.click("#budget-submit")
    assert page.locator("#confirm-submit").is_visible()
    page.click("#confirm-submit")
    assert page.inner_text("#budget-status") == "Lagt fram"

    _vote(page, live_server, password, "styreleder", second, "For")
    _vote(page, live_server, password, "styre", second, "For")

    assert page.inner_text("#budget-status") == "Vedtatt"
    votes = page.inner_text("#budget-votes")
    assert votes.count("For å vedta") == 2
    second.refresh_from_db()
    assert (second.status, second.votes.count()) == ("approved", 2)

    # The top of the page at 1280 x 800: income, expenses and balance against 2020, unscrolled.
    page.evaluate("window.scrollTo(0, 0)")
    summary = page.locator("#budget-summary")
    box = summary.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800, box
    text = summary.text_content()
    for label in ("Inntekter", "Utgifter", "Balanse", "2020", "Endring"):
        assert label in text, label
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(shots / "budget_2021_approved_top_1280.png"))
