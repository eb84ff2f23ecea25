"""The audit log's registry (governance/presentation.py): an app registers the keys its models'
entries record besides their fields, and every page that shows the log reads entries by them;
a context value that did not change shows without an arrow; a comment is shown whole."""

from datetime import UTC, datetime

import pytest
from django.db import models
from django.utils import translation

from governance.models import AuditEntry
from governance.presentation import (
    ChangeMinute,
    audit_minute,
    audit_minutes,
    object_type_text,
    register_audit_fields,
    registered_audit_fields,
)
from schools.models import Region

AT = datetime(2026, 11, 29, 10, 18, tzinfo=UTC)
EXTRA = {"pupils_total": models.IntegerField("elever i alt", choices=[(1, "én")])}


@pytest.fixture(autouse=True)
def _bokmal():
    with translation.override("nb"):
        yield


@pytest.fixture
def registered_school_fields():
    """Extra fields registered for schools for one test, the registry restored after."""
    before = registered_audit_fields("schools.school")
    register_audit_fields("schools.School", EXTRA, also=(Region,))
    yield
    register_audit_fields("schools.school", before.fields, also=before.also)


def _entry(changes, object_type="schools.school", comment=""):
    return AuditEntry(
        at=AT, action="school_update", object_type=object_type, object_id="1", changes=changes, comment=comment
    )


def test_registered_fields_read_an_entry_when_none_are_given(registered_school_fields):
    minute = audit_minute(_entry({"pupils_total": [None, 1], "fylke": ["a", "b"]}))

    assert [str(change) for change in minute.changes] == ["Elever i alt: – → én", "fylke: a → b"]
    assert registered_audit_fields("SCHOOLS.SCHOOL").fields is EXTRA


def test_registered_models_lend_their_fields(registered_school_fields):
    """A school's entry that records a region's field (as a budget's records its lines')."""
    minute = audit_minutes([_entry({"valid_from": ["2013-01-01", "2020-08-01"]})])[0]

    assert [str(change) for change in minute.changes] == ["Gyldig fra: 01.01.2013 → 01.08.2020"]


def test_fields_given_replace_the_registered_ones(registered_school_fields):
    minute = audit_minute(_entry({"pupils_total": [None, 1]}), fields={})

    assert [str(change) for change in minute.changes] == ["pupils_total: – → 1"]


def test_an_unregistered_type_reads_by_its_model_alone():
    minute = audit_minute(_entry({"pupils_total": [None, 1]}, object_type="governance.partner"))

    assert [str(change) for change in minute.changes] == ["pupils_total: – → 1"]
    assert minute.object_type == "samarbeidspart"


def test_object_type_is_the_models_verbose_name():
    assert object_type_text("schools.school") == "skole"
    assert object_type_text("nope.nothing") == "nope.nothing"
    assert object_type_text("") == "–"


def test_a_value_that_did_not_change_shows_without_an_arrow():
    minute = audit_minute(_entry({"name": ["Skole A", "Skole A"], "kind": ["vgs", "vgs"]}))

    assert [str(change) for change in minute.changes] == ["Navn: Skole A", "Skoleslag: Videregående skole"]
    assert str(ChangeMinute(label="Navn", old="A", new="B")) == "Navn: A → B"
    assert str(ChangeMinute(label="Navn", old="–", new="–")) == "Navn: –"


def test_a_comment_is_shown_whole_with_its_line_breaks():
    comment = "Første linje.\n" + "x" * 1990 + "\nSiste."

    assert audit_minute(_entry({}, comment=comment)).comment == comment
    assert audit_minute(_entry({})).comment == "–"
