"""Erasing a pupil's personal data on request (issue 13, activities.privacy.pupil_erase): who may,
that every trace of the name leaves every text column of the database, that every figure the
portal shows is the same before and after, and the page that does it."""

import csv
import io
import json
import re
from datetime import datetime

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.urls import reverse

from activities import services
from activities.models import (
    Activity,
    EnrolmentRollup,
    ParticipationMonthRollup,
    PupilLoadRollup,
    SchoolYearRollup,
)
from activities.privacy import pupil_erase, pupil_is_erased, pupil_pseudonym
from activities.services import ActivityData, ParticipationData
from core.audit import AuditAction
from core.periods import OSLO
from governance.models import AuditEntry
from schools.models import Pupil
from schools.services import pupil_save
from schools.tests.factories import PupilFactory

NAME_FIRST, NAME_LAST = "Zyxwå", "Qorblund"
OLD_LAST = "Vemundsrud"


def database_mentions(*words: str) -> list[tuple[str, str, int]]:
    """Every (table, column, row) whose text or JSON value contains one of the words, in every
    table of the database."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, (models.CharField, models.TextField, models.JSONField)):
                continue
            q = Q()
            for word in words:
                q |= Q(**{f"{f.name}__icontains": word})
                if isinstance(f, models.JSONField):
                    q |= Q(**{f"{f.name}__icontains": json.dumps(word)[1:-1]})
            for pk in model._base_manager.filter(q).values_list("pk", flat=True):
                found.append((model._meta.db_table, f.column, pk))
    return found


def _activity(network, areas, pupil, *, user, comment="") -> Activity:
    return services.activity_save(
        user=user,
        data=ActivityData(
            title="Mesterklasse cello",
            kind=Activity.Kind.MASTERCLASS,
            level=Activity.Level.CENTRAL,
            region=network.follo,
            starts_at=datetime(2019, 11, 9, 10, tzinfo=OSLO),
            ends_at=datetime(2019, 11, 9, 15, tzinfo=OSLO),
            cooperation_areas=[areas[2]],
            status=Activity.Status.HELD,
            notes=f"{NAME_FIRST} {NAME_LAST} kom for sent.",
        ),
        participations=[ParticipationData(school=network.school_a, pupils=2, teachers=1, named_pupils=[pupil])],
        costs=[],
        comment=comment,
    )


@pytest.fixture
def traced_pupil(network, areas, enrolment, daily_leader):
    """A pupil at school A, renamed once (the log holds the old name), named on an activity
    whose notes, log values and comment name them."""
    pupil = PupilFactory(
        first_name=NAME_FIRST, last_name=OLD_LAST, birth_year=2007, main_instrument="Theremin", schools=[]
    )
    pupil = pupil_save(pupil=pupil, user=daily_leader, schools=[network.school_a])
    pupil.last_name = NAME_LAST
    pupil = pupil_save(pupil=pupil, user=daily_leader, schools=[network.school_a])
    _activity(network, areas, pupil, user=daily_leader, comment=f"La til {NAME_FIRST} {NAME_LAST}")
    return pupil


# --- Who may -------------------------------------------------------------------------------


def test_central_staff_and_the_rector_of_the_pupils_only_school_may_erase(
    network, daily_leader, rector_a, rector_b, coord_follo, steering_member
):
    alone = PupilFactory(schools=[network.school_a])
    shared = PupilFactory(schools=[network.school_a, network.school_b])
    assert daily_leader.has_perm("schools.erase_pupil", shared)
    assert rector_a.has_perm("schools.erase_pupil", alone)
    assert not rector_a.has_perm("schools.erase_pupil", shared)
    for other in (rector_b, coord_follo, steering_member):
        assert not other.has_perm("schools.erase_pupil", alone)


def test_others_are_refused_and_nothing_changes(network, coord_follo):
    pupil = PupilFactory(first_name="Ola", last_name="Nordmann", schools=[network.school_a])
    with pytest.raises(PermissionDenied):
        pupil_erase(pupil=pupil, user=coord_follo, reason="krav")
    pupil.refresh_from_db()
    assert (pupil.first_name, pupil.last_name) == ("Ola", "Nordmann")
    assert not AuditEntry.objects.filter(action=AuditAction.PUPIL_ERASE).exists()


# --- Every trace of the name ---------------------------------------------------------------


def test_erasure_removes_every_trace_of_the_name_from_every_table(traced_pupil, daily_leader):
    assert database_mentions(NAME_LAST, OLD_LAST, "Theremin")  # the log, the notes, the record

    pupil = pupil_erase(
        pupil=traced_pupil, user=daily_leader, reason=f"Foresatte ba om det for {NAME_FIRST} {NAME_LAST}"
    )

    assert database_mentions(NAME_LAST, OLD_LAST, "Theremin", NAME_FIRST) == []
    code = pupil_pseudonym(pupil)
    assert (pupil.first_name, pupil.last_name, pupil.birth_year) == ("Elev", code, 2007)
    assert pupil_is_erased(pupil)
    assert pupil.schools.get().pk == traced_pupil.schools.get().pk
    assert pupil.participations.count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.PUPIL_ERASE)
    assert (entry.actor, entry.object_id, entry.comment) == (
        daily_leader,
        str(pupil.pk),
        f"Foresatte ba om det for Elev {code}",
    )
    # The log still says what happened, with the pseudonym in the name's place.
    activity_entry = AuditEntry.objects.get(action=AuditAction.ACTIVITY_CREATE)
    assert f"Elev {code} (2007)" in json.dumps(activity_entry.changes, ensure_ascii=False)
    assert activity_entry.comment == f"La til Elev {code}"


def test_a_second_erasure_changes_nothing(traced_pupil, daily_leader):
    pupil_erase(pupil=traced_pupil, user=daily_leader, reason="krav")
    before = list(AuditEntry.objects.order_by("pk").values_list("pk", "object_repr", "changes", "comment"))
    pupil_erase(pupil=traced_pupil, user=daily_leader, reason="krav")
    assert list(AuditEntry.objects.order_by("pk").values_list("pk", "object_repr", "changes", "comment")) == before


def test_another_pupil_with_the_same_first_name_keeps_theirs(traced_pupil, network, daily_leader):
    other = PupilFactory(first_name=NAME_FIRST, last_name="Annensen", schools=[network.school_a])
    pupil_erase(pupil=traced_pupil, user=daily_leader, reason="krav")
    other.refresh_from_db()
    assert (other.first_name, other.last_name) == (NAME_FIRST, "Annensen")


# --- Every figure is the same --------------------------------------------------------------


def _rollup_rows() -> dict[str, list]:
    from funding.models import SchoolMoneyRollup

    tables = {}
    for model in (EnrolmentRollup, SchoolYearRollup, ParticipationMonthRollup, PupilLoadRollup, SchoolMoneyRollup):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "run_id")]
        tables[model.__name__] = sorted(map(repr, model.objects.values_list(*fields)))
    return tables


def _figures(client) -> dict[str, list[str]]:
    """Every figure page as text: each school's dashboard tables (CSV), the network overview's
    CSV, the activity export, and every budget's budget-against-actual."""
    from funding.models import Budget
    from funding.selectors import budget_vs_actual
    from schools.models import School

    pages = {"network": client.get(reverse("schools:network-csv")), "export": client.get(reverse("activities:export"))}
    for school in School.objects.order_by("slug"):
        dashboard = client.get(reverse("schools:dashboard", args=[school.slug]))
        assert dashboard.status_code == 200
        for table in sorted(set(re.findall(r"/tabell/([\w-]+)\.csv", dashboard.content.decode()))):
            pages[f"{school.slug}/{table}"] = client.get(reverse("schools:dashboard-csv", args=[school.slug, table]))
    texts = {}
    for key, response in pages.items():
        assert response.status_code == 200, key
        body = b"".join(response.streaming_content) if response.streaming else response.content
        texts[key] = sorted(map(repr, csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")))
    for budget in Budget.objects.order_by("pk"):
        texts[f"budget-{budget.pk}"] = [repr(budget_vs_actual(budget=budget))]
    return texts


@pytest.mark.django_db
def test_every_figure_is_the_same_before_and_after(demo_network, client):
    from activities.rollups import rollup_enrolment
    from funding.rollups import rollup_budget
    from governance.tests.factories import UserFactory

    admin = UserFactory(username="personvern", is_superuser=True, is_staff=True)
    # A demo pupil named on activities whose name no other pupil has.
    pupil = next(
        p
        for p in Pupil.objects.filter(participations__isnull=False).distinct().order_by("pk")
        if Pupil.objects.filter(first_name=p.first_name, last_name=p.last_name).count() == 1
    )
    old = (pupil.first_name, pupil.last_name, pupil.main_instrument)
    client.force_login(admin)
    rollup_enrolment()
    rollup_budget()
    rows_before, figures_before = _rollup_rows(), _figures(client)

    erased = pupil_erase(pupil=pupil, user=admin, reason="krav fra foresatte")

    # The pages that list names show the pseudonym in the erased pupil's row, and no instrument.
    pseudonym = f"{erased.first_name} {erased.last_name}"

    def as_erased(lines: list[str]) -> list[str]:
        renamed = [line.replace(f"{old[0]} {old[1]}", pseudonym) for line in lines]
        return sorted(
            line.replace(f"'{old[2]}'", f"'{erased.main_instrument}'", 1) if pseudonym in line else line
            for line in renamed
        )

    figures_after = _figures(client)
    assert _rollup_rows() == rows_before
    assert set(figures_after) == set(figures_before)
    for key, lines in figures_before.items():
        assert sorted(figures_after[key]) == as_erased(lines), key
    # Rebuilt from scratch after the erasure, the summary tables hold the same figures.
    rollup_enrolment()
    rollup_budget()
    assert _rollup_rows() == rows_before
    assert database_mentions(f"{old[0]} {old[1]}") == []


# --- The page ------------------------------------------------------------------------------


def test_the_page_asks_for_a_reason_and_only_a_post_erases(traced_pupil, daily_leader, client_as):
    client = client_as(daily_leader)
    url = reverse("activities:pupil-erase", args=[traced_pupil.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert NAME_LAST in page.content.decode()
    traced_pupil.refresh_from_db()
    assert traced_pupil.last_name == NAME_LAST

    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    traced_pupil.refresh_from_db()
    assert traced_pupil.last_name == NAME_LAST

    response = client.post(url, {"reason": "krav fra foresatte"})
    assert response.status_code == 302
    traced_pupil.refresh_from_db()
    assert pupil_is_erased(traced_pupil)
    assert NAME_LAST not in client.get(url).content.decode()


def test_the_page_is_refused_to_others(traced_pupil, network, coord_follo, rector_b, client_as):
    url = reverse("activities:pupil-erase", args=[traced_pupil.pk])
    assert client_as(coord_follo).post(url, {"reason": "x"}).status_code == 403  # sees the name, may not erase
    assert client_as(rector_b).post(url, {"reason": "x"}).status_code == 404  # may not see the pupil
    traced_pupil.refresh_from_db()
    assert traced_pupil.last_name == NAME_LAST


def test_the_pupils_admin_page_links_to_the_erasure(traced_pupil, daily_leader, client_as):
    page = client_as(daily_leader).get(reverse("admin:schools_pupil_change", args=[traced_pupil.pk]))
    assert page.status_code == 200
    assert reverse("activities:pupil-erase", args=[traced_pupil.pk]) in page.content.decode()
