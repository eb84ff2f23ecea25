"""Hostile input for the property-based tests (Hypothesis) of every form and query string.

What is here:

- `hostile_value()`: one value a person, a crawler or an attacker could put in a field:
  random text, huge and negative numbers, `nan`/`inf`/`1e309`, Unicode digits, NUL bytes,
  100,000 characters, dates at the ends of the calendar and in Oslo's DST gap and ambiguous
  hour, empty values;
- `RenderedForm`: a form as the server rendered it, read with lxml (its successful controls
  with their default values, hidden inputs included, and the choices of its selects and
  checkboxes), so a test posts what a browser would post and then lets Hypothesis replace
  some fields. New hidden fields (a one-time `form_token`, an edit form's `version` and
  `opened_at`) are carried along without the tests knowing them;
- `send()`: one request through `Client(raise_request_exception=False)`; a 5xx (or an
  exception while streaming a response) re-raises the server's exception, with the request
  and the deepest project frame in a note, so Hypothesis tells distinct faults apart and
  shrinks each to its smallest input;
- `snapshot()`: row counts and a hash of the rows of the tables a form can write, to check
  that an error answer changed nothing.

Explicit examples (`with_examples`) try the brief's values (NAMED_VALUES) in the fields
where they mean something, on every run; Hypothesis then generates more. Example counts:
`examples(n)` is n by default, sized so the three hostile-input modules run in about two
minutes on SQLite on a 2-core machine. `HYPOTHESIS_PROFILE=ci` multiplies them by 5,
`HYPOTHESIS_PROFILE=thorough` by 25, or `HOSTILE_EXAMPLES_SCALE=<factor>` by any factor.
"""

from __future__ import annotations

import hashlib
import logging
import os
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, example, settings
from hypothesis import strategies as st

PROJECT_ROOT = Path(__file__).resolve().parents[2]

settings.register_profile("thorough", parent=settings.get_profile("ci"))
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "")
_SCALE = float(os.environ.get("HOSTILE_EXAMPLES_SCALE") or {"ci": 5, "thorough": 25}.get(_PROFILE, 1))
if _PROFILE in ("ci", "thorough"):
    settings.load_profile(_PROFILE)


def examples(count: int) -> int:
    """The number of examples of a test: `count`, scaled by the environment (see above)."""
    return max(1, round(count * _SCALE))


def hostile_settings(count: int) -> settings:
    """The settings of every hostile-input test: no deadline (a request takes tens of
    milliseconds, and more on a shared machine), fixtures shared by the examples.
    HOSTILE_GENERATED_ONLY=1 leaves the explicit examples out (they stop the generated ones
    from running while one of them fails)."""
    phases = [phase for phase in Phase if not (phase is Phase.explicit and os.environ.get("HOSTILE_GENERATED_ONLY"))]
    return settings(
        max_examples=examples(count),
        deadline=None,
        phases=phases,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- values ------------------------------------------------------------------------------------

LONG = 100_000


class Repeated(str):
    """A long value that shows itself short in Hypothesis's report: 'x' * 100000."""

    def __new__(cls, unit: str, times: int):
        value = super().__new__(cls, unit * times)
        value.unit, value.times = unit, times
        return value

    def __repr__(self) -> str:
        return f"{self.unit!r} * {self.times}"


# The values every form and query string is tried with, by kind (each kind is drawn as often
# as the others, so that a rare kind is not drowned by a long list).
NUMBERS = [
    "0",
    "-1",
    "1",
    "2020",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "1.5",
    "1,5",
    "1 000",
    "+1",
    "-0",
    "0x10",
    "1_000",
]
NON_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-309", "1E400"]
UNICODE_DIGITS = ["²", "١٢٣", "١", "１２", "２０２０", "𝟚𝟘𝟚𝟘", "۲۰۲۰", "߂"]
NUL = ["\x00", "1\x00", "a\x00b", "%00"]
EMPTY = ["", " ", "\t", "None", "null", "true", "[]"]
DATES = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2021-03-28T02:30",
    "2021-10-31T02:30",
    "0001-01-01",
    "9999-12-31",
    "2021-02-30T10:00",
    "2019-11-09T25:61",
    "1999-12-31T23:59",
    "2101-01-01T00:00",
    "0000-00",
    "9999-12",
    "2020-13",
    "2020-00",
    "2020-1",
    "1999-12",
    "2101-01",
]
MARKUP = ["<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%s%n", "{{ 7*7 }}", "ø" * 300]
LONG_VALUES = [Repeated(unit, LONG) for unit in ("x", "9", "ø", "\x00", "1 ")]

_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


def hostile_value() -> st.SearchStrategy[str]:
    """One hostile string (simplest kinds first, so Hypothesis shrinks towards them)."""
    return st.one_of(
        st.sampled_from(EMPTY),
        st.sampled_from(NUMBERS),
        st.sampled_from(NON_FINITE),
        st.sampled_from(UNICODE_DIGITS),
        st.sampled_from(NUL),
        st.sampled_from(DATES),
        st.sampled_from(LONG_VALUES),
        st.sampled_from(MARKUP),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        _TEXT,
    )


# The values of the brief every test tries at least once, as explicit examples.
NAMED_VALUES = [
    "",
    "-1",
    "99999999999999999999999999999",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "²",
    "١٢٣",
    "１２",
    "\x00",
    Repeated("x", LONG),
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2021-03-28T02:30",
    "2021-10-31T02:30",
]


def with_examples(*cases: dict):
    """Hypothesis's @example for each case (keyword arguments of the test)."""

    def decorate(test):
        for case in reversed(cases):
            test = example(**case)(test)
        return test

    return decorate


MISSING = object()


@dataclass(frozen=True)
class Choice:
    """The n-th value the rendered field offers (its n-th option or checkbox), taken when the
    example runs: strategies do not depend on the database."""

    index: int

    def __repr__(self) -> str:
        return f"Choice({self.index})"


@dataclass(frozen=True)
class Rendered:
    """The n-th named control of the rendered form, whatever its name turns out to be."""

    index: int

    def __repr__(self) -> str:
        return f"Rendered({self.index})"


def field_value() -> st.SearchStrategy:
    """What a field gets: left out (MISSING), one value (a hostile one, or one of the
    field's own choices), or several values where one is expected."""
    one = st.one_of(hostile_value(), st.integers(min_value=0, max_value=50).map(Choice))
    return st.one_of(
        one.map(lambda value: [value]),
        st.just(MISSING),
        st.lists(one, min_size=2, max_size=3),
    )


def form_changes(names: list[str] = (), *, max_fields: int = 4) -> st.SearchStrategy[dict]:
    """{field: MISSING or a list of values} over some fields: the named ones, or any of the
    rendered form's controls (Rendered)."""
    rendered = st.integers(min_value=0, max_value=500).map(Rendered)
    key = st.one_of(st.sampled_from(list(names)), rendered) if names else rendered
    return st.dictionaries(key, field_value(), max_size=max_fields)


def resolve(changes: dict, names: list[str], choices: dict[str, list[str]] | None = None) -> dict:
    """The changes with Rendered keys named and Choice values taken from the field's choices
    (their index as text when the field offers none)."""
    choices = choices or {}
    resolved = {}
    for key, value in changes.items():
        name = names[key.index % len(names)] if isinstance(key, Rendered) else key
        if value is not MISSING:
            offered = choices.get(name) or []
            value = [
                (offered[item.index % len(offered)] if offered else str(item.index))
                if isinstance(item, Choice)
                else item
                for item in value
            ]
        resolved[name] = value
    return resolved


# -- rendered forms ----------------------------------------------------------------------------


@dataclass
class RenderedForm:
    """A form as rendered: `values` are what a browser would send untouched (name → list of
    values, in page order); `names` every named control, filled or not; `choices` the values
    a select or checkbox offers."""

    values: dict[str, list[str]]
    names: list[str]
    choices: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(
        cls, html: bytes | str, *, form_id: str | None = None, containing: str | None = None, action: str = ""
    ) -> RenderedForm:
        """The form with id `form_id`, or the first form with a control named `containing`
        (and an action ending with `action`)."""
        document = lxml.html.fromstring(html)
        if form_id is not None:
            form = document.get_element_by_id(form_id)
        else:
            form = next(
                f
                for f in document.forms
                if f.xpath(".//*[@name=$name]", name=containing) and (f.get("action") or "").endswith(action)
            )
        values: dict[str, list[str]] = {}
        for name, value in form.form_values():
            if "__prefix__" in name:  # the empty row of a <template>, not sent by a browser
                continue
            values.setdefault(name, []).append(value)
        names: list[str] = []
        choices: dict[str, list[str]] = {}
        for element in form.inputs:
            name = element.get("name")
            if not name or "__prefix__" in name:
                continue
            if name not in names:
                names.append(name)
            if element.tag == "select":
                choices.setdefault(name, []).extend(
                    o.get("value", o.text_content()) for o in element.iter("option") if o.get("value") is not None
                )
            elif element.get("type") in ("checkbox", "radio") and element.get("value") is not None:
                choices.setdefault(name, []).append(element.get("value"))
        return cls(values=values, names=names, choices=choices)

    def resolve(self, changes: dict) -> dict:
        """`changes` (see form_changes) for this form."""
        return resolve(changes, self.names, self.choices)

    def data(self, **overrides) -> dict[str, list[str]]:
        """The values with some replaced (None leaves a field out)."""
        data = {name: list(values) for name, values in self.values.items()}
        for name, value in overrides.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value if isinstance(value, list) else [value]
        return data


def apply(data: dict[str, list[str]], changes: dict) -> dict[str, list[str]]:
    data = {name: list(values) for name, values in data.items()}
    for name, value in changes.items():
        if value is MISSING:
            data.pop(name, None)
        else:
            data[name] = list(value)
    return data


def fresh_token(data: dict[str, list[str]]) -> dict[str, list[str]]:
    """A form that carries a one-time token gets a fresh one (the example is a new page)."""
    if "form_token" in data:
        from core.forms import form_token_new

        data = {**data, "form_token": [form_token_new()]}
    return data


# -- requests ----------------------------------------------------------------------------------


def hostile_client(user=None) -> Client:
    """A test client that answers a server error with its 500 page instead of raising, so
    the test sees the answer a person would see and reports the exception itself."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def deepest_project_frame(error: BaseException) -> str:
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(str(PROJECT_ROOT))
        and "/.venv/" not in frame.filename
        and "/tests/" not in frame.filename
    ]
    if not frames:
        return "(no project frame)"
    frame = frames[-1]
    return f"{Path(frame.filename).relative_to(PROJECT_ROOT)}:{frame.lineno} in {frame.name}: {frame.line}"


@contextmanager
def _quiet_request_log():
    """Django logs every 4xx and 5xx with its traceback; the test reports them itself."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _short(data) -> str:
    text = repr(data)
    return text if len(text) <= 600 else text[:600] + f"… ({len(text)} characters)"


class ServerError(AssertionError):
    """A 5xx answer without an exception (the view returned it)."""


def send(client: Client, method: str, url: str, data=None, **extra):
    """One request in a savepoint. A 5xx rolls the savepoint back (on PostgreSQL a failed
    statement spoils the test's transaction) and re-raises the server's exception with the
    request in a note. A streaming answer is read to its end, as a browser would."""
    sid = transaction.savepoint()
    error: BaseException | None = None
    with _quiet_request_log():
        response = getattr(client, method.lower())(url, data if data is not None else {}, **extra)
    if response.status_code >= 500 and response.exc_info:
        error = response.exc_info[1]
    elif getattr(response, "streaming", False):
        try:
            response.body = b"".join(response.streaming_content)
        except Exception as streaming_error:  # the answer breaks off in the browser
            error = streaming_error
    if error is None and response.status_code >= 500:
        error = ServerError(f"{response.status_code} without an exception")
    if error is not None:
        transaction.savepoint_rollback(sid)
        error.add_note(f"{method.upper()} {url} data={_short(data)} -> {response.status_code}")
        error.add_note(f"deepest project frame: {deepest_project_frame(error)}")
        raise error
    transaction.savepoint_commit(sid)
    return response


def body(response) -> bytes:
    return getattr(response, "body", None) or (b"" if getattr(response, "streaming", False) else response.content)


def error_messages(response) -> list[str]:
    """The error messages (django.contrib.messages) this request added (not those of earlier
    requests still waiting in the cookie)."""
    from django.contrib.messages import constants

    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(message) for message in queued if message.level >= constants.ERROR]


# -- the database ------------------------------------------------------------------------------


def snapshot(*models) -> tuple:
    """Per table: its label, its row count and a hash of its rows (ordered by key)."""
    state = []
    for model in models:
        rows = list(model._base_manager.order_by("pk").values_list())
        state.append((model._meta.label, len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()))
    return tuple(state)


def changed_tables(before: tuple, after: tuple) -> list[str]:
    return [f"{b[0]}: {b[1]} -> {a[1]} rows" for b, a in zip(before, after, strict=True) if b != a]
