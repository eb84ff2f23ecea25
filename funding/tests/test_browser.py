"""The steering group approves the demo budget in the admin, with a mouse."""

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


def test_browser_styre_approves_the_demo_budget(live_server, page, demo_network, tmp_path):
    budget = Budget.objects.get(year=2020)
    assert (budget.status, budget.submitted_by.username) == ("submitted", "leder")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/funding/budget/")
    page.fill("#id_username", "styre")
    page.fill("#id_password", demo_network)
    page.click("input[type=submit]")
    page.click("text=Budsjett 2020, revisjon 1")
    page.fill("#approve-comment", "Vedtatt i styringsgruppens møte")
    page.click("#budget-approve")

    assert page.inner_text("#budget-status") == "Vedtatt"
    assert page.locator("#budget-readonly").is_visible()
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("#budget-approve").count() == 0
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "budget_approved_by_styre.png"))
    budget.refresh_from_db()
    assert (budget.status, budget.decided_by.username) == ("approved", "styre")
