"""The admin's audit log reads like minutes (governance/presentation.py): Oslo time, full names
and labelled, formatted changes; the codes stay in the database."""

from datetime import UTC, datetime

import lxml.html
import pytest
from django.urls import reverse

from governance.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_audit_changelist_reads_like_minutes(client, network, daily_leader):
    daily_leader.first_name, daily_leader.last_name = "Kari", "Solheim"
    daily_leader.save()
    entry = AuditEntry.objects.create(
        actor=daily_leader,
        action="school_update",
        object_type="schools.school",
        object_id=str(network.school_a.pk),
        object_repr="Skole A",
        changes={"kind": ["kulturskole", "vgs"], "name": ["Skole A", "Skole Å"]},
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=datetime(2026, 11, 29, 10, 18, tzinfo=UTC))
    client.force_login(daily_leader)

    html = client.get(reverse("admin:governance_auditentry_changelist")).content.decode()

    assert "29.11.2026 kl. 11.18" in html
    assert "Kari Solheim" in html
    assert "Skoleslag: Kulturskole → Videregående skole" in html
    assert AuditEntry.objects.get(pk=entry.pk).changes["kind"] == ["kulturskole", "vgs"]


def test_audit_changelist_looks_up_named_objects_once_per_page(client, network, daily_leader):
    """Twenty entries that each name the same school by id: one lookup for the page."""
    for _ in range(20):
        AuditEntry.objects.create(
            actor=daily_leader,
            action="membership_update",
            object_type="schools.membership",
            object_id="1",
            object_repr="Skole A",
            changes={"school": [network.school_a.pk, network.school_b.pk]},
        )
    client.force_login(daily_leader)
    client.get(reverse("admin:governance_auditentry_changelist"))  # warm the session and caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:governance_auditentry_changelist"))

    assert "Skole A → Skole B" in response.content.decode()
    # the two schools, each once for the page (not once per row)
    assert len([q for q in queries.captured_queries if 'FROM "schools_school"' in q["sql"]]) == 2


def test_audit_changelist_names_the_object_type_and_shows_context_and_the_whole_comment(client, network, daily_leader):
    comment = "Første linje.\n" + "Begrunnelse. " * 150 + "\nSiste ord."
    AuditEntry.objects.create(
        actor=daily_leader,
        action="school_update",
        object_type="schools.school",
        object_id=str(network.school_a.pk),
        object_repr="Skole A",
        changes={"kind": ["kulturskole", "vgs"], "name": ["Skole A", "Skole A"]},
        comment=comment,
    )
    client.force_login(daily_leader)

    response = client.get(reverse("admin:governance_auditentry_changelist"), HTTP_ACCEPT_LANGUAGE="nb")
    tree = lxml.html.fromstring(response.content.decode())

    assert [cell.text_content() for cell in tree.find_class("field-kind")] == ["skole"]
    assert [list(cell.itertext()) for cell in tree.find_class("field-what_changed")] == [
        ["Skoleslag: Kulturskole → Videregående skole", "Navn: Skole A"]
    ]
    assert [lxml.html.tostring(cell, encoding="unicode") for cell in tree.find_class("field-comment_text")] == [
        '<td class="field-comment_text">{}</td>'.format(comment.replace("\n", "<br>"))
    ]


def test_audit_entry_page_reads_like_minutes(client, network, daily_leader):
    entry = AuditEntry.objects.create(
        actor=daily_leader,
        action="school_update",
        object_type="schools.school",
        object_id=str(network.school_a.pk),
        object_repr="Skole A",
        changes={"kind": ["kulturskole", "vgs"]},
        comment="Første linje.\nAndre linje.",
    )
    client.force_login(daily_leader)

    response = client.get(reverse("admin:governance_auditentry_change", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="nb")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Skoleslag: Kulturskole → Videregående skole" in html
    assert "Første linje.<br>Andre linje." in html
    assert "schools.school" not in html
