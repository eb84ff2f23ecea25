"""The main pages under the Content-Security-Policy in Chromium, as a few personas see them on
the demo network: every page answers with the policy, reports no violation (the root
conftest's watch fails any browser test that meets one), and its scripts run — the charts are
drawn, the map is drawn, the activity form's enhancements are on. And the watch itself: a page
with an inline script, handler and style under the portal's policy is caught."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1280, 900


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    return os.environ.get("DEMO_PASSWORD") or django_settings.DEMO_PASSWORD_DEFAULT


class Walk:
    """Opens pages as one persona after another and checks each against the policy."""

    def __init__(self, page, live_server, csp_violations, shots: Path):
        self.page, self.base, self.violations, self.shots = page, live_server.url, csp_violations, shots
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
        page.route("**/*", self._only_local)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _only_local(self, route):
        if route.request.url.startswith(self.base):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def log_in(self, username: str, password: str) -> None:
        self.page.context.clear_cookies()
        self.open(reverse("login"))
        self.page.get_by_label("Brukernavn").fill(username)
        self.page.get_by_label("Passord").fill(password)
        self.page.get_by_role("button", name="Logg inn").click()
        self.page.wait_for_load_state()
        assert "logg-inn" not in self.page.url, f"{username} was not logged in"

    def open(self, path: str, shot: str | None = None):
        response = self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("load")
        assert response.status == 200, f"{path}: {response.status}"
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe" not in policy, f"{path}: {policy!r}"
        if shot:
            self.page.screenshot(path=str(self.shots / f"{shot}.png"), full_page=True)
        self.check(path)
        return response

    def check(self, path: str) -> None:
        held = self.page.evaluate("window.__cspViolations")
        assert held == [], f"{path}: {held}"
        assert self.violations == [], f"{path}: {self.violations}"
        assert self.errors == [], self.errors


def test_main_pages_work_under_the_policy(page, live_server, demo, csp_violations, tmp_path):
    from activities.models import Activity
    from funding.models import Budget

    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    walk = Walk(page, live_server, csp_violations, shots)
    get_user_model().objects.create_superuser("csp-admin", "csp-admin@example.org", demo)

    # Nobody logged in.
    walk.open(reverse("login"))
    walk.open(reverse("privacy"))
    walk.open(reverse("home"))

    # A coordinator: the activities, one of them and its form (with its script's enhancements).
    walk.log_in("koord-follo", demo)
    coordinator = get_user_model().objects.get(username="koord-follo")
    activity = next(
        activity
        for activity in Activity.objects.order_by("-starts_at")
        if coordinator.has_perm("activities.change_activity", activity)
    )
    walk.open(reverse("home"))
    walk.open(reverse("activities:list"))
    walk.open(reverse("activities:calendar") + f"?maaned={activity.starts_at:%Y-%m}")
    assert page.locator("table.calendar td.calendar-day").count() >= 28
    walk.open(reverse("activities:detail", args=[activity.pk]))
    walk.open(reverse("activities:update", args=[activity.pk]), shot="csp-activity-form")
    assert page.locator(".pupil-search-box:not(.d-none)").count() >= 1, "the form's script did not run"
    page.locator(".pupil-search-box input.pupil-search").first.fill("an")
    page.wait_for_timeout(600)  # the search asks the server (connect-src 'self')
    walk.check("the pupil search")
    walk.open(reverse("activities:create"))
    walk.open(reverse("profile"))

    # A rector: the school's dashboard, its charts drawn by Chart.js from static/vendor.
    walk.log_in("rektor-kulturskolen-i-as", demo)
    walk.open(reverse("schools:dashboard", args=["kulturskolen-i-as"]))
    charts = page.locator("canvas[data-chart]").count()
    assert charts >= 1
    page.wait_for_function(f"document.querySelectorAll('canvas[data-drawn=true]').length === {charts}")
    walk.page.screenshot(path=str(shots / "csp-school-dashboard.png"), full_page=True)
    walk.check("the dashboard's charts")
    walk.open(reverse("schools:dashboard-print", args=["kulturskolen-i-as"]))

    # The steering group: the network with its map (Leaflet, no tiles) and the budget in the admin.
    walk.log_in("styreleder", demo)
    walk.open(reverse("schools:network"))
    page.wait_for_selector("#network-map[data-drawn=true]")
    assert page.locator("#network-map path.leaflet-interactive").count() > 20
    assert page.locator("#network-map img.leaflet-tile").count() == 0
    walk.check("the network map")
    budget = Budget.objects.order_by("-year", "-revision").first()
    walk.open(reverse("admin:funding_budget_changelist"))
    walk.open(reverse("admin:funding_budget_change", args=[budget.pk]), shot="csp-budget-admin")
    walk.page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    walk.check("the budget's folded sections")
    walk.open(reverse("profile"))
    walk.open(reverse("two_factor:manage"))

    # A superuser in the admin: lists, a change form with widgets, and the periodic tasks.
    walk.log_in("csp-admin", demo)
    walk.open(reverse("admin:index"))
    walk.open(reverse("admin:activities_activity_change", args=[activity.pk]))
    walk.open(reverse("admin:django_celery_beat_periodictask_add"))
    # The admin's date widgets, and the crontab's meaning from static/js/admin-periodic-task.js.
    page.locator(".datetimeshortcuts a").first.click()
    page.locator("a[id^=calendarlink]").first.click()
    assert page.locator(".calendarbox").first.is_visible()
    page.select_option("#id_crontab", index=1)
    assert page.locator(".crontab-meaning").inner_text().startswith("Betyr: ")
    walk.check("the periodic task's widgets")
    walk.open(reverse("admin:django_celery_beat_periodictask_changelist"))

    assert walk.outside == []


def test_the_watch_catches_inline_script_handler_and_style(page, live_server, csp_violations, db):
    """The portal's own header on a page that breaks it: the browser refuses the inline
    script, the handler and the style attribute, and the watch has seen each."""
    policy = page.goto(f"{live_server.url}{reverse('login')}").headers["content-security-policy"]
    probe = f"{live_server.url}/csp-probe/"
    page.route(
        probe,
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy},
            body='<!doctype html><p id="p" style="color: red">x</p>'
            '<script>document.title = "ran";</script>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onerror="document.title = \'ran\'">',
        ),
    )

    page.goto(probe)
    page.wait_for_timeout(300)

    assert page.title() != "ran"
    seen = " | ".join(csp_violations + page.evaluate("window.__cspViolations"))
    for directive in ("script-src-elem", "script-src-attr", "style-src-attr"):
        assert directive in seen, seen
    # Caught as meant; the page is left so that this test's own teardown passes.
    page.goto("about:blank")
    csp_violations.clear()
