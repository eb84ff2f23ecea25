"""The load test's simulated people (Locust), run by `bench/load.py`, which creates the bench
users and writes the plan this file reads (LOAD_PLAN, JSON). Three kinds of people:

- rectors open their school's dashboard and its tables as CSV;
- coordinators list and filter the activities and save activities of their own region: each
  coordinator edits only the few activities the plan gives them (their «notes» field), so two
  simulated people never edit the same activity;
- staff (daily leaders) open the network overview and its CSV.

Each logs in once at start (django-axes: distinct usernames, right passwords). The test
targets 127.0.0.1 only: any other host is refused before a request is sent."""

import json
import os
import random
import time
from itertools import count
from urllib.parse import urlsplit

import gevent
import lxml.html
from gevent.event import Event
from locust import HttpUser, between, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
ALLOWED_HOST = "127.0.0.1"
WAIT = [float(part) for part in os.environ.get("LOAD_WAIT", "1,2").split(",")]
MEASURE = float(os.environ.get("LOAD_MEASURE", "60"))
_next = {kind: count() for kind in ("rectors", "coordinators", "staff")}
# Everyone logs in first; the measured minute starts when the last one has (their password
# hashing is not the pages' load), and the logins' own figures are kept aside (LOAD_LOGINS).
_logged_in = Event()
_waiting = {"left": 0}


def _host_check(host: str | None) -> None:
    if not host or urlsplit(host).hostname != ALLOWED_HOST:
        raise SystemExit(f"The load test targets only http://{ALLOWED_HOST}:<port>, not {host!r}.")


@events.test_start.add_listener
def _refuse_other_hosts(environment, **kwargs):
    _host_check(environment.host)
    _waiting["left"] = sum(user_class.fixed_count for user_class in (Rector, Coordinator, Staff))
    _waiting["environment"] = environment


def _login_done() -> None:
    """One more person has logged in (or failed to): after the last, keep the logins'
    figures, reset the statistics, and stop the test MEASURE seconds later."""
    _waiting["left"] -= 1
    if _waiting["left"] > 0 or _logged_in.is_set():
        return
    environment = _waiting["environment"]
    login = environment.stats.get("login", "POST")
    window = {
        "logins": {
            "requests": login.num_requests,
            "failures": login.num_failures,
            "p50": login.get_response_time_percentile(0.5),
            "max": login.max_response_time,
        },
        "load_before": os.getloadavg(),
        "cpu_before": _cpu_times(),
        "started": time.time(),
    }
    environment.stats.reset_all()
    _logged_in.set()

    def stop():
        window.update(load_after=os.getloadavg(), cpu_after=_cpu_times(), stopped=time.time())
        with open(os.environ["LOAD_WINDOW"], "w", encoding="utf-8") as file:
            json.dump(window, file)
        environment.runner.quit()

    gevent.spawn_later(MEASURE, stop)


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    kind = ""

    def on_start(self):
        _host_check(self.host)
        people = PLAN[self.kind]
        self.person = people[next(_next[self.kind]) % len(people)]
        self.client.get("/logg-inn/", name="login form")
        token = self.client.cookies.get("csrftoken")
        with self.client.post(
            "/logg-inn/",
            data={"username": self.person["username"], "password": PLAN["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/logg-inn/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            refused = response.status_code != 302
            if refused:
                response.failure(f"login refused for {self.person['username']}: {response.status_code}")
        _login_done()
        _logged_in.wait()
        if refused:
            raise StopUser()

    def get_ok(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
            return response


class Rector(PortalUser):
    kind = "rectors"
    fixed_count = int(os.environ.get("LOAD_RECTORS", "20"))

    def on_start(self):
        super().on_start()
        self.tables = []

    @task(3)
    def dashboard(self):
        response = self.get_ok(f"/skoler/{self.person['school']}/", "rector: dashboard")
        if response.status_code == 200 and not self.tables:
            page = lxml.html.fromstring(response.content)
            self.tables = sorted({href for href in page.xpath("//a/@href") if "/tabell/" in href})

    @task(2)
    def csv(self):
        if not self.tables:
            return self.dashboard()
        self.get_ok(random.choice(self.tables), "rector: dashboard CSV")


class Coordinator(PortalUser):
    kind = "coordinators"
    fixed_count = int(os.environ.get("LOAD_COORDINATORS", "20"))

    @task(3)
    def activity_list(self):
        self.get_ok("/aktiviteter/", "coordinator: activity list")

    @task(3)
    def activity_list_filtered(self):
        params = {"region": self.person["region_id"], "school_year": random.choice(PLAN["school_years"])}
        extra = random.choice(
            [{}, {"status": "held"}, {"kind": random.choice(PLAN["kinds"])}, {"q": random.choice(PLAN["words"])}]
        )
        self.get_ok("/aktiviteter/", "coordinator: activity list filtered", params={**params, **extra})

    @task(2)
    def activity_save(self):
        pk = random.choice(self.person["activities"])
        response = self.get_ok(f"/aktiviteter/{pk}/endre/", "coordinator: activity form")
        if response.status_code != 200:
            return
        data = _form_data(response.content)
        who = self.person["username"]
        data["notes"] = f"Lasttest (bench/load.py): lagret av {who}, runde {random.randint(1, 10**6)}"
        self.save(pk, data, "coordinator: activity save")

    def save(self, pk: int, data: dict, name: str, confirmed: bool = False):
        url = f"/aktiviteter/{pk}/endre/"
        with self.client.post(
            url,
            data=data,
            headers={"Referer": f"{self.host}{url}"},
            allow_redirects=False,
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers.get("Location", "").endswith(f"/aktiviteter/{pk}/"):
                return
            boxes = _confirmation_boxes(response.content) if response.status_code == 200 else []
            if boxes and not confirmed:
                # A warning with «Lagre likevel» boxes: the person ticks them and saves again.
                response.success()
                again = _form_data(response.content)
                again.update(dict.fromkeys(boxes, "on"))
                return self.save(pk, again, "coordinator: activity save (Lagre likevel)", confirmed=True)
            response.failure(f"not saved: {response.status_code} {_errors(response.content)}")


class Staff(PortalUser):
    kind = "staff"
    fixed_count = int(os.environ.get("LOAD_STAFF", "10"))

    @task(3)
    def network(self):
        self.get_ok("/skoler/", "staff: network overview")

    @task(1)
    def network_csv(self):
        self.get_ok("/skoler/oversikt.csv", "staff: network CSV")


def _activity_form(content: bytes):
    page = lxml.html.fromstring(content)
    for form in page.forms:
        if form.method.upper() == "POST" and "version" in form.fields:
            return form
    raise ValueError("no activity form on the page")


def _form_data(content: bytes) -> dict:
    """What a browser sends: the form's fields as rendered (hidden version and opening time
    included), several values under one name as a list."""
    data: dict = {}
    for name, value in _activity_form(content).form_values():
        data.setdefault(name, []).append(value)
    return data


def _confirmation_boxes(content: bytes) -> list[str]:
    page = lxml.html.fromstring(content)
    return sorted(set(page.xpath("//input[@type='checkbox'][starts-with(@name, 'confirm_')]/@name")))


def _errors(content: bytes) -> str:
    page = lxml.html.fromstring(content)
    texts = page.xpath("//*[contains(@class, 'invalid-feedback') or contains(@class, 'alert-danger')]//text()")
    return " ".join(" ".join(texts).split())[:300]
