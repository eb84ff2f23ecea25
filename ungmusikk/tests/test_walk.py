"""A walk of the whole product: every demo persona starts at their landing page and follows
every same-site link and GET form breadth-first, on the demo network as `load_demo` builds it.
"Breadth" is by kind of page: a URL answered by a view the walk has not reached yet goes before
a further URL of a view it has, so the page cap cuts variants (another school's dashboard,
another changelist filter), not whole parts of the product.

Every answer is 200, 301, 302, 403 or 404, never a server error; every HTML page has a title,
a language and no template syntax left in it. Each persona's walk is summarised in
`test-results/walk-<persona>.json` and in one line of the test session's summary.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
import re
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from lxml import etree

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(os.environ.get("WALK_RESULTS", ROOT / "test-results"))
HOST = "testserver"
ORIGIN = f"http://{HOST}"

ANONYMOUS = "anonym"
NO_ROLE = "ingen-rolle"  # made by the demo_network fixture
PERSONAS = [
    ANONYMOUS,
    # One rector of each kind of school (the demo has no rector of several schools).
    "rektor-kulturskolen-i-as",
    "rektor-ski-videregaende-skole",
    "rektor-follo-folkehogskole",
    "koord-follo",
    "koord-romerike",
    "koord-vest",
    "koord-ostfold",
    "koord-midtregionen",
    "styre",
    "styreleder",
    "leder",
    "nmh",
    "tilgang",
    "admin",
    NO_ROLE,
]

# At most this many URLs of one shape (the path with its numbers replaced, and the sorted
# names of the query parameters), this many answered by one view (URL pattern: every school's
# dashboard is one view), and this many pages per persona.
SAME_SHAPE = 4
SAME_VIEW = 8
PAGES = 250
ALLOWED = {200, 301, 302, 403, 404}
SKIP_PREFIXES = ("/logg-ut/", "/admin/logout/", "/i18n/", "/static/", "/media/")
TEMPLATE_LEFTOVERS = ("{{", "{%", "%}")


def shape(url: str) -> str:
    parts = urlsplit(url)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "0", parts.path) + "?" + "&".join(names)


def route(url: str) -> str:
    """The URL pattern that answers `url` (its view), or its shape when none does."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return shape(url)
    return f"{match.view_name}:{match.route}"


def same_site(url: str, base: str) -> str | None:
    """The path and query of `url` (relative to the page at `base`) when it stays on the
    site and is worth a visit, otherwise None."""
    parts = urlsplit(urljoin(ORIGIN + base, url.strip()))
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None
    path = parts.path or "/"
    if path.startswith(SKIP_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Fault:
    url: str
    found_on: str | None
    status: int
    problem: str
    detail: str = ""

    def key(self) -> tuple:
        # One line per distinct fault: the same problem at the same place on pages of one shape.
        return (self.status, self.problem, shape(self.url))

    def describe(self, persona: str) -> str:
        origin = f" (linked from {self.found_on})" if self.found_on else ""
        text = f"{persona}: GET {self.url}{origin} -> {self.status}: {self.problem}"
        return text + (f"\n{self.detail}" if self.detail else "")


@dataclass
class Walk:
    persona: str
    statuses: Counter = field(default_factory=Counter)
    shapes: Counter = field(default_factory=Counter)
    faults: list[Fault] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    found_on: dict[str, str | None] = field(default_factory=dict)
    queue: list[tuple[int, int, str]] = field(default_factory=list)
    views: Counter = field(default_factory=Counter)
    visited_views: Counter = field(default_factory=Counter)
    pages: list[tuple[str, int, int]] = field(default_factory=list)  # url, status, milliseconds
    visited: int = 0
    seconds: float = 0.0
    truncated: bool = False

    def enqueue(self, url: str | None, found_on: str | None, *, bounded: bool = True) -> None:
        if url is None or url in self.seen:
            return
        view = route(url)
        if bounded and (self.shapes[shape(url)] >= SAME_SHAPE or self.views[view] >= SAME_VIEW):
            return
        self.seen.add(url)
        self.shapes[shape(url)] += 1
        self.found_on[url] = found_on
        # New kinds of page first: a URL waits behind every URL of a view not seen yet.
        heapq.heappush(self.queue, (self.views[view], len(self.seen), url))
        self.views[view] += 1

    def next_url(self) -> str:
        return heapq.heappop(self.queue)[2]

    def summary(self) -> dict:
        server_errors = sum(n for status, n in self.statuses.items() if status >= 500)
        return {
            "persona": self.persona,
            "pages_visited": self.visited,
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "server_errors": server_errors,
            "faults": len(self.faults),
            "distinct_faults": len({f.key() for f in self.faults}),
            "stopped_at_page_cap": self.truncated,
            "seconds": round(self.seconds, 1),
            "views_reached": len(self.visited_views),
            "pages_per_view": dict(self.visited_views.most_common()),
            "slowest": [{"url": u, "status": s, "ms": ms} for u, s, ms in sorted(self.pages, key=lambda p: -p[2])[:20]],
            "pages": [{"url": u, "status": s, "ms": ms, "found_on": self.found_on[u]} for u, s, ms in self.pages],
            "fault_list": [
                {"url": f.url, "found_on": f.found_on, "status": f.status, "problem": f.problem, "detail": f.detail}
                for f in self.faults
            ],
        }

    def line(self) -> str:
        statuses = ", ".join(f"{n}×{status}" for status, n in sorted(self.statuses.items()))
        server_errors = sum(n for status, n in self.statuses.items() if status >= 500)
        cap = " (page cap reached)" if self.truncated else ""
        return (
            f"walk {self.persona}: {self.visited} pages{cap} in {self.seconds:.1f} s; {statuses}; "
            f"{server_errors}×5xx; {len(self.faults)} faults"
        )


def exception_detail(exc_info) -> tuple[str, str]:
    """The exception's type and message, and the deepest frame of the project's own code
    with the traceback's last lines."""
    exc_type, exc, tb = exc_info
    frames = traceback.extract_tb(tb)
    own = [f for f in frames if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename]
    deepest = own[-1] if own else (frames[-1] if frames else None)
    where = "?"
    if deepest is not None:
        filename = Path(deepest.filename).relative_to(ROOT) if own else deepest.filename
        where = f"{filename}:{deepest.lineno} in {deepest.name}"
    tail = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip().splitlines()[-8:]
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{exc_type.__name__}: {message} at {where}", "\n".join("    " + t for t in tail)


def check_html(walk: Walk, url: str, response) -> lxml.html.HtmlElement | None:
    found_on = walk.found_on.get(url)
    charset = response.charset or "utf-8"
    try:
        doc = lxml.html.document_fromstring(
            response.content, parser=lxml.html.HTMLParser(encoding=charset), base_url=ORIGIN + url
        )
    except (ValueError, etree.ParserError) as exc:
        walk.faults.append(Fault(url, found_on, response.status_code, f"HTML does not parse: {exc}"))
        return None
    if response.status_code != 200:
        return doc
    title = doc.find(".//title")
    if title is None or not (title.text_content() or "").strip():
        walk.faults.append(Fault(url, found_on, 200, "no <title> or an empty one"))
    if not (doc.get("lang") or "").strip():
        walk.faults.append(Fault(url, found_on, 200, "no lang attribute on <html>"))
    texts = [
        text
        for element in doc.iter()
        if isinstance(element.tag, str) and element.tag not in ("script", "style")
        for text in (element.text, *element.attrib.values())
        if text
    ]
    texts += [element.tail for element in doc.iter() if isinstance(element.tag, str) and element.tail]
    hits = [(text, text.index(leftover)) for text in texts for leftover in TEMPLATE_LEFTOVERS if leftover in text]
    if hits:
        text, at = hits[0]
        context = " ".join(text[max(0, at - 60) : at + 60].split())
        walk.faults.append(Fault(url, found_on, 200, f"template syntax left in the page: …{context}…"))
    return doc


def follow(walk: Walk, url: str, doc: lxml.html.HtmlElement) -> None:
    for anchor in doc.xpath("//a[@href]"):
        href = anchor.get("href", "").strip()
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        walk.enqueue(same_site(href.split("#", 1)[0], url), url)
    for form in doc.forms:
        if (form.method or "GET").upper() != "GET":
            continue
        target = same_site((form.action or ORIGIN + url).split("#", 1)[0], url)
        if target is None:
            continue
        query = urlencode(form.form_values())
        walk.enqueue(target.split("?", 1)[0] + (f"?{query}" if query else ""), url)


def visit(walk: Walk, client: Client, url: str) -> None:
    found_on = walk.found_on.get(url)
    # Every request in a savepoint of its own: a GET that writes, or an error that leaves a
    # PostgreSQL transaction aborted, cannot change what the next page sees.
    started = time.monotonic()
    with transaction.atomic():
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    walk.visited += 1
    walk.visited_views[route(url)] += 1
    status = response.status_code
    walk.pages.append((url, status, round((time.monotonic() - started) * 1000)))
    walk.statuses[status] += 1
    if status not in ALLOWED:
        exc_info = getattr(response, "exc_info", None)
        problem, detail = exception_detail(exc_info) if exc_info else (f"unexpected status {status}", "")
        walk.faults.append(Fault(url, found_on, status, problem, detail))
        return
    if status in (301, 302):
        walk.enqueue(same_site(response["Location"], url), url, bounded=False)
        return
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return
    doc = check_html(walk, url, response)
    if doc is not None and status == 200:
        follow(walk, url, doc)


def start_urls(user) -> list[str]:
    urls = ["/", reverse("schools:start"), reverse("login"), reverse("profile"), reverse("privacy")]
    if user is not None and user.is_staff:
        urls.append("/admin/")
    # The subscribable calendars (issue 15): each feed the profile page offers the person (the
    # page shows their addresses in fields, not as links; the secret is made here).
    if user is not None:
        from activities.feeds import feed_links
        from governance.services import profile_calendar_token_get

        profile_calendar_token_get(user=user)
        for link in feed_links(user=user):
            parts = urlsplit(link["url"])
            urls.append(f"{parts.path}?{parts.query}")
    return urls


# The views the walks of this session reached, all personas together (the module runs in one
# worker: --dist loadfile), for the checks below that every page a feature adds is walked.
REACHED_VIEWS: set[str] = set()
WALKED: set[str] = set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_walk(persona, demo_network, record_property):
    user = None if persona == ANONYMOUS else get_user_model().objects.get(username=persona)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    assert connection.in_atomic_block
    walk = Walk(persona)
    for url in start_urls(user):
        walk.enqueue(url, None, bounded=False)

    started = time.monotonic()
    while walk.queue:
        if walk.visited >= PAGES:
            walk.truncated = True
            break
        visit(walk, client, walk.next_url())
    walk.seconds = time.monotonic() - started
    for url, _status, _ms in walk.pages:
        with contextlib.suppress(Resolver404):
            REACHED_VIEWS.add(resolve(urlsplit(url).path).view_name)
    WALKED.add(persona)

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"walk-{persona}.json").write_text(json.dumps(walk.summary(), indent=2, ensure_ascii=False) + "\n")
    record_property("walk", walk.line())
    print(walk.line())

    distinct = {}
    for fault in walk.faults:
        distinct.setdefault(fault.key(), fault)
    assert walk.visited > 1, f"{persona}: the walk went nowhere"
    assert not distinct, f"{len(distinct)} distinct faults ({len(walk.faults)} pages):\n\n" + "\n\n".join(
        fault.describe(persona) for fault in distinct.values()
    )


def test_demo_network_nests_every_test_in_a_savepoint(demo_network):
    """The module's demo network is an outer transaction; this test's `db` is a savepoint in it."""
    from governance.models import Role
    from schools.models import School

    assert School.objects.filter(slug="kulturskolen-i-as").exists()
    no_role = get_user_model().objects.get(username=NO_ROLE)
    assert not Role.objects.filter(user=no_role).exists()
    assert len(connection.atomic_blocks) >= 2
    assert connection.savepoint_ids, "the test's atomic block should be a savepoint, not the transaction"


def test_the_walk_has_every_kind_of_demo_login(demo_network):
    """Every demo login but the rectors walks; the rectors walk one per kind of school, and
    any rector of several schools (the demo has none today) must be added to PERSONAS."""
    from governance.models import Role
    from schools.models import School

    rectors = Role.objects.filter(kind=Role.Kind.RECTOR)
    others = set(get_user_model().objects.exclude(roles__in=rectors).values_list("username", flat=True))
    assert others <= set(PERSONAS)
    walked_kinds = set(rectors.filter(user__username__in=PERSONAS).values_list("school__kind", flat=True))
    assert walked_kinds == set(School.objects.values_list("kind", flat=True))
    several = {
        username
        for username, schools in Counter(rectors.values_list("user__username", flat=True)).items()
        if schools > 1
    }
    assert several <= set(PERSONAS)


# The reports' pages (issue 16) a person reaches by links: the files page (linked while files
# are being made), the downloads of kept files and the shared links exist only after a POST
# (tested in ungmusikk/reports/tests).
REPORT_PAGES = {
    "reports:index",
    "reports:annual-report",
    "reports:municipality-sheets",
    "reports:municipality-sheet",
    "reports:municipality-sheet-pdf",
}


def test_the_walks_reach_every_report_page():
    if set(PERSONAS) - WALKED:
        pytest.skip("needs every persona's walk in this session (run the module)")
    missing = REPORT_PAGES - REACHED_VIEWS
    assert not missing, f"no persona's walk reached {sorted(missing)}"


# The pages with a school's pupils by name (issue 17), linked from the dashboard for whoever
# may see the school's names (the rectors, the coordinators and central staff walk).
DASHBOARD_PUPIL_PAGES = {"schools:dashboard-named", "schools:dashboard-load"}


def test_the_walks_reach_the_dashboard_s_pupil_pages():
    if set(PERSONAS) - WALKED:
        pytest.skip("needs every persona's walk in this session (run the module)")
    missing = DASHBOARD_PUPIL_PAGES - REACHED_VIEWS
    assert not missing, f"no persona's walk reached {sorted(missing)}"
