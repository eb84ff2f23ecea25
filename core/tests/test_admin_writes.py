"""The admin is no back door: every admin model × every staff persona. Each write the admin
offers (add, change, delete, the changelist's actions) either goes through a service (the
row changes and an audit entry appears) or is refused (403, or no button), and a refused
write changes nothing. What central staff may write is listed in WRITES; every other model of
the portal is read-only in the admin, and the steering group only reads."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from core.forms import form_token_new
from core.permissions import PORTAL_APP_LABELS
from core.tests.test_admin_forms import _page_data, one_of_each  # noqa: F401 - the fixture: a row of every model
from governance.models import AuditEntry

pytestmark = pytest.mark.django_db

STAFF_PERSONAS = ["daily_leader", "nmh_coordinator", "steering_member", "steering_leader", "superuser"]
CENTRAL_STAFF = {"daily_leader", "nmh_coordinator", "superuser"}
# Written by superusers and access managers only, not by central staff.
ACCESS_MANAGERS_ONLY = {"governance.Role", "governance.Body"}
PORTAL_MODELS = sorted(m._meta.label for m in admin.site._registry if m._meta.app_label in PORTAL_APP_LABELS)
OTHER_MODELS = sorted(m._meta.label for m in admin.site._registry if m._meta.app_label not in PORTAL_APP_LABELS)

# What central staff write in the admin, each through its app's services. Every other model of
# the portal is read-only there.
WRITES = {
    "schools.MunicipalityPopulation": {"add", "change"},
    "schools.School": {"add", "change"},
    "schools.Membership": {"add", "change", "delete"},
    "schools.Enrolment": {"add", "change", "delete"},
    "schools.Pupil": {"add", "change"},  # never deleted: erased (activities.privacy)
    "governance.Partner": {"add", "change"},
    "governance.Agreement": {"add", "change"},
    "governance.Body": {"add", "change"},
    "governance.Role": {"add", "change", "delete"},
    "governance.PortalSetting": {"change"},
    "funding.MunicipalContribution": {"add", "change"},
    "funding.CountyGrant": {"add", "change"},
    "funding.PartnerContribution": {"add", "change", "delete"},
    "funding.BudgetAssumptions": {"add", "change"},
    "funding.Budget": {"add", "change"},
    "funding.ActivityBooking": {"add", "change", "delete"},
}
# The budget's own actions, for whom they show (the services check again).
BUDGET_ACTIONS = {
    # Laid forward and voted on one at a time, after a confirmation page: no bulk actions.
    "daily_leader": [],
    "nmh_coordinator": [],
    # Votes are cast one budget at a time, after a confirmation page, not as a bulk action.
    "steering_member": [],
    "steering_leader": [],
    "superuser": [],
}
# The contributions' bulk marks (the finance office's, issue 12), for central staff.
CONTRIBUTION_ACTIONS = ["action_mark_invoiced", "action_mark_paid"]


@pytest.fixture
def world(one_of_each, network):  # noqa: F811 - the imported fixture
    """A row of every model (core/tests/test_admin_forms.py), the superuser with no role, and
    what the writes below need: populations for 2021 (a budget draft), a second activity to
    book, and someone else's role to change and delete."""
    from activities.tests.factories import ActivityFactory
    from governance.models import Role
    from governance.tests.factories import RoleFactory, UserFactory
    from schools.tests.factories import PopulationFactory

    superuser = one_of_each
    Role.objects.filter(user=superuser).delete()
    for school in (network.school_a, network.school_a2, network.school_b):
        for year in (2020, 2021):
            if not school.municipality.populations.filter(year=year).exists():
                PopulationFactory(municipality=school.municipality, year=year, population=20_000)
    someone = UserFactory(username="noen")
    role = RoleFactory(user=someone, kind=Role.Kind.MEMBER, body=network.steering_group, valid_from=date(2019, 1, 1))
    return {"network": network, "another_activity": ActivityFactory(region=network.follo), "role": role}


def _row(label: str, world):
    model = apps.get_model(label)
    if label == "governance.Role":
        return world["role"]
    return model._default_manager.order_by("pk").first()


def _add_data(label: str, world) -> dict:
    from governance.models import Body, CooperationArea, Partner
    from schools.models import County

    net = world["network"]
    school, municipality = net.school_a, net.school_a.municipality
    return {
        "schools.MunicipalityPopulation": {"municipality": municipality.pk, "year": "2031", "population": "5000"},
        "schools.School": {
            "name": "Kulturskolen Ny",
            "slug": "kulturskolen-ny",
            "kind": "kulturskole",
            "municipality": municipality.pk,
            "region": net.follo.pk,
        },
        "schools.Membership": {
            "school": net.school_b.pk,
            "status": "interested",
            "valid_from": "2000-01-01",
            "valid_to": "2012-12-31",
        },
        "schools.Enrolment": {"school": school.pk, "school_year": "2025", "pupils": "10"},
        "schools.Pupil": {
            "first_name": "Ny",
            "last_name": "Elev",
            "birth_year": "2008",
            "main_instrument": "fiolin",
            "schools": [str(school.pk)],
        },
        "governance.Partner": {"name": "Ny samarbeidspart", "kind": "nmh"},
        "governance.Agreement": {
            "title": "Ny avtale",
            "valid_from": "2023-01-01",
            "partners": [str(Partner.objects.order_by("pk").first().pk)],
            "areas": [str(CooperationArea.objects.get(number=1).pk)],
        },
        "governance.Body": {"name": "Nytt utvalg", "kind": "working_committee"},
        "governance.Role": {
            "user": world["role"].user_id,
            "kind": "leader",
            "body": Body.objects.get(kind="steering_group").pk,
            "valid_from": "2024-01-01",
        },
        "funding.MunicipalContribution": {"municipality": net.school_b.municipality.pk, "year": "2021"},
        "funding.CountyGrant": {
            "year": "2031",
            "county": County.objects.order_by("pk").first().pk,
            "index_factor": "1",
            "amount": "1000",
        },
        "funding.PartnerContribution": {
            "partner": Partner.objects.order_by("pk").first().pk,
            "year": "2021",
            "category": "cash",
            "amount": "5000",
        },
        "funding.BudgetAssumptions": {"year": "2031"},
        "funding.Budget": {"year": "2021", "form_token": form_token_new()},
        "funding.ActivityBooking": {
            "activity": world["another_activity"].pk,
            "kind": "region_pool",
            "region": net.follo.pk,
        },
    }[label]


def _change_data(label: str, world) -> dict:
    net = world["network"]
    return {
        "schools.MunicipalityPopulation": {"population": "12345"},
        "schools.School": {"contact_name": "Kari Kontakt"},
        "schools.Membership": {"note": "Endret i administrasjonen"},
        "schools.Enrolment": {"pupils": "77"},
        "schools.Pupil": {"main_instrument": "bratsj"},
        "governance.Partner": {"name": "NMH (endret)"},
        "governance.Agreement": {"title": "Avtale (endret)"},
        "governance.Body": {"name": "Styringsgruppen (endret)"},
        "governance.Role": {"valid_to": "2030-12-31"},
        "governance.PortalSetting": {"pupil_load_threshold": "7"},
        "funding.MunicipalContribution": {"paid_on": "2020-03-01"},
        "funding.CountyGrant": {"amount": "1100000", "reason": "Endret vedtak"},
        "funding.PartnerContribution": {"amount": "120000"},
        "funding.BudgetAssumptions": {"scenario_pupils": "18000"},
        "funding.Budget": {"notes": "Endret i administrasjonen"},
        "funding.ActivityBooking": {"kind": "region_pool", "region": net.follo.pk, "school": ""},
    }.get(label, {})


def _tables(model_admin) -> list:
    """The tables an admin page can write: the model's, its inlines', their many-to-many."""
    models = [model_admin.model, *(inline.model for inline in model_admin.inlines)]
    through = [field.remote_field.through for model in models for field in model._meta.many_to_many]
    return [*models, *through]


def _state(model_admin) -> dict:
    return {model._meta.label: list(model._base_manager.order_by("pk").values_list()) for model in _tables(model_admin)}


def _audits() -> int:
    return AuditEntry.objects.count()


class Walk:
    """Posts a write and checks the rule: it changed the database and wrote an audit entry, or
    it was refused and changed nothing."""

    def __init__(self, client, model_admin):
        self.client, self.model_admin = client, model_admin

    def post(self, url: str, data: dict, *, allowed: bool, what: str):
        before, audits = _state(self.model_admin), _audits()
        response = self.client.post(url, data)
        changed = _state(self.model_admin) != before
        audited = _audits() > audits
        if allowed:
            assert (response.status_code, changed, audited) == (302, True, True), (what, _messages(response))
        else:
            assert response.status_code in (200, 302, 403), what
            assert (changed, audited) == (False, False), what
        return response


def _messages(response) -> list[str]:
    context = response.context or {}
    errors = []
    if "adminform" in context:
        errors += [str(e) for e in context["adminform"].form.errors.items()]
    return errors + [str(m) for m in getattr(response.wsgi_request, "_messages", [])]


def _admin_url(label: str, view: str, *args) -> str:
    app_label, model_name = label.lower().split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
@pytest.mark.parametrize("label", PORTAL_MODELS)
def test_admin_writes_go_through_services_or_are_refused(client, request, world, label, persona):
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    client.force_login(user)
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    walk = Walk(client, model_admin)
    writes = WRITES.get(label, set()) if persona in CENTRAL_STAFF else set()
    if label in ACCESS_MANAGERS_ONLY and persona != "superuser":
        writes = set()  # roles are granted by superusers and access managers (governance/duties.py)

    # add
    add_url = _admin_url(label, "add")
    page = client.get(add_url)
    if "add" in writes:
        assert page.status_code == 200
        drawn = _page_data(page.context)[0] if "adminform" in page.context else {}
        walk.post(add_url, drawn | _add_data(label, world), allowed=True, what=f"add {label}")
    else:
        assert page.status_code == 403, f"{persona} may not add {label}"
        walk.post(add_url, {}, allowed=False, what=f"add {label}")

    # change
    row = _row(label, world)
    change_url = _admin_url(label, "change", row.pk)
    page = client.get(change_url)
    if "change" in writes:
        assert (page.status_code, page.context["has_change_permission"]) == (200, True)
        walk.post(change_url, _page_data(page.context)[0] | _change_data(label, world), allowed=True, what=label)
    else:
        # view-only (no save button), or not even that
        assert page.status_code == 403 or not page.context["has_change_permission"], f"{persona} changes {label}"
        data = _page_data(page.context)[0] | _change_data(label, world) if page.status_code == 200 else {}
        response = walk.post(change_url, data, allowed=False, what=f"change {label}")
        assert response.status_code == 403

    # the changelist's actions
    changelist = client.get(_admin_url(label, "changelist"))
    if changelist.status_code == 200:
        form = changelist.context["action_form"]
        offered = [name for name, _label in form.fields["action"].choices if name] if form else []
        expected = BUDGET_ACTIONS[persona] if label == "funding.Budget" else []
        if label == "funding.MunicipalContribution" and "change" in writes:
            expected = CONTRIBUTION_ACTIONS
        expected = [*(["delete_selected"] if "delete" in writes else []), *expected]
        assert offered == expected
        for action in offered:
            if action == "delete_selected":
                # the row the add made
                victim = model._default_manager.order_by("-pk").first()
                data = {"action": action, "_selected_action": [victim.pk], "post": "yes"}
                walk.post(_admin_url(label, "changelist"), data, allowed=True, what=f"{action} {label}")
            elif action in CONTRIBUTION_ACTIONS:
                # invoiced or paid on a day, through contribution_payment_set (tests in
                # funding/tests/test_finance_lists.py); the row was invoiced 1 Feb, paid 1 March
                data = {"action": action, "_selected_action": [row.pk], "apply": "1", "day": "2020-02-20"}
                walk.post(_admin_url(label, "changelist"), data, allowed=True, what=f"{action} {label}")
            else:
                # the budget's transitions: their services decide (tests in funding/tests/)
                data = {"action": action, "_selected_action": [row.pk], "comment": "Behandlet"}
                before, audits = _budget_state(), _audits()
                client.post(_admin_url(label, "changelist"), data)
                assert (_budget_state() != before) == (_audits() > audits), action
    else:
        assert changelist.status_code == 403

    # delete
    row = _row(label, world)
    delete_url = _admin_url(label, "delete", row.pk)
    page = client.get(delete_url)
    if "delete" in writes:
        assert page.status_code == 200
        walk.post(delete_url, {"post": "yes"}, allowed=True, what=f"delete {label}")
        assert not model._default_manager.filter(pk=row.pk).exists()
    else:
        assert page.status_code == 403, f"{persona} may delete {label}"
        walk.post(delete_url, {"post": "yes"}, allowed=False, what=f"delete {label}")


def _budget_state() -> list:
    from funding.models import Budget

    return list(Budget.objects.order_by("pk").values_list())


def test_admin_walk_covers_every_portal_model_with_writes():
    assert set(WRITES) <= set(PORTAL_MODELS)


# Central staff read the failed logins and unlock (governance/rules.py; tested in
# governance/tests/test_login_lockout.py).
LOGIN_LOG_MODELS = {"axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog"}


@pytest.mark.parametrize(
    ("label", "persona"),
    [
        (label, persona)
        for label in OTHER_MODELS
        for persona in STAFF_PERSONAS
        if persona != "superuser" and not (label in LOGIN_LOG_MODELS and persona in CENTRAL_STAFF)
    ],
)
def test_admin_third_party_models_refused_to_staff_without_django_permissions(client, request, label, persona):
    """Users, groups and periodic tasks keep Django's own permissions: a superuser's, or what a
    group grants. A role in the network opens none of them (but central staff's opens the log of
    failed logins)."""
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    client.force_login(user)

    assert client.get(_admin_url(label, "changelist")).status_code == 403
    assert client.get(_admin_url(label, "add")).status_code == 403


def test_admin_group_permissions_open_nothing_of_the_portal(client, network):
    """A Django group holding every permission of the portal's apps gives a staff user without
    a role nothing of them: the rules are the only answer."""
    from django.contrib.auth.models import Group, Permission

    from conftest import make_persona

    user = make_persona("gruppe", is_staff=True)
    group = Group.objects.create(name="Sentral stab")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=PORTAL_APP_LABELS))
    user.groups.set([group])
    client.force_login(user)

    assert client.get(reverse("admin:funding_budget_changelist")).status_code == 403
    assert client.get(reverse("admin:governance_role_add")).status_code == 403
    assert client.get(reverse("admin:schools_pupil_changelist")).status_code == 403
    assert [
        perm for perm in ("funding.view_budget", "governance.add_role", "schools.view_pupil") if user.has_perm(perm)
    ] == []


def test_admin_budget_draft_by_central_staff_is_audited(client, world, daily_leader):
    """The budget's add page is the draft form: covered by the walk; here what it wrote."""
    daily_leader.is_staff = True
    daily_leader.save()
    client.force_login(daily_leader)

    response = client.post(reverse("admin:funding_budget_add"), {"year": "2021", "form_token": form_token_new()})

    assert response.status_code == 302
    # the draft, the county grant it indexed and the contributions it computed, by the leader
    actions = AuditEntry.objects.filter(actor=daily_leader).values_list("action", flat=True)
    assert sorted(set(actions)) == ["budget_draft", "contribution_compute", "county_grant_set"]


@pytest.mark.parametrize("persona", ["steering_member", "steering_leader"])
def test_admin_pupils_refused_to_steering_group_member(client, request, network, persona):
    """Pupils are minors (README, "Who sees a pupil's name"): a steering-group member who is
    not central staff lists no pupil and opens none in the admin."""
    from schools.tests.factories import PupilFactory

    pupil = PupilFactory(first_name="Ingrid", last_name="Berg", schools=[network.school_a])
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    client.force_login(user)

    assert client.get(reverse("admin:schools_pupil_changelist")).status_code == 403
    assert client.get(reverse("admin:schools_pupil_change", args=[pupil.pk])).status_code == 403
    assert client.get(reverse("admin:schools_pupil_history", args=[pupil.pk])).status_code == 403
    assert b"Ingrid" not in client.get(reverse("admin:index")).content


def _loaded_values(html: str) -> dict[str, list[str]]:
    """The hidden "initial-…" inputs of a change page: each field's value as it was loaded."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        found: dict[str, list[str]] = {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and (attrs.get("name") or "").startswith("initial-"):
                self.found.setdefault(attrs["name"], []).append(attrs.get("value") or "")

    parser = Parser()
    parser.found = {}
    parser.feed(html)
    return parser.found


def _open_change_page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    data, _forms = _page_data(response.context)
    loaded = _loaded_values(response.content.decode())
    assert loaded, "the change page carries the loaded values"
    return data | loaded, response.context["adminform"].form


def test_admin_two_people_changing_different_fields_keep_both(client, network, daily_leader, nmh_coordinator):
    """Two change pages of one membership open; each changes its own field: both changes
    stay (the second save does not put back the value the first changed)."""
    from django.test import Client

    from schools.models import Membership

    membership = Membership.objects.filter(school=network.school_a).first()
    url = reverse("admin:schools_membership_change", args=[membership.pk])
    first, form = _open_change_page(client, daily_leader, url)
    second, _form = _open_change_page(Client(), nmh_coordinator, url)
    first["valid_to"] = form["valid_to"].field.widget.format_value(date(2025, 12, 31))
    second["note"] = "Ny merknad"

    assert client.post(url, first).status_code == 302
    other = Client()
    other.force_login(nmh_coordinator)
    assert other.post(url, second).status_code == 302

    membership.refresh_from_db()
    assert (membership.valid_to, membership.note) == (date(2025, 12, 31), "Ny merknad")
    last = AuditEntry.objects.filter(actor=nmh_coordinator, action="membership_update").get()
    assert set(last.changes) == {"note"}


def test_admin_two_people_changing_the_same_field_refuses_the_second(client, network, daily_leader, nmh_coordinator):
    from django.test import Client

    from schools.models import Membership

    membership = Membership.objects.filter(school=network.school_a).first()
    url = reverse("admin:schools_membership_change", args=[membership.pk])
    first, _form = _open_change_page(client, daily_leader, url)
    second, _form = _open_change_page(Client(), nmh_coordinator, url)
    first["note"] = "Den første"
    second["note"] = "Den andre"
    assert client.post(url, first).status_code == 302

    other = Client()
    other.force_login(nmh_coordinator)
    response = other.post(url, second, follow=True)

    membership.refresh_from_db()
    assert membership.note == "Den første"
    assert [str(m) for m in response.context["messages"]][:2] == [
        "Ingenting ble lagret.",
        "Noen andre har endret «Merknad» siden du åpnet siden. Åpne siden på nytt og gjør endringen igjen.",
    ]
    assert not AuditEntry.objects.filter(actor=nmh_coordinator).exists()


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("write", [" {}".format, "{} ".format, lambda pk: str(pk).translate(FULL_WIDTH)])
def test_admin_reads_an_id_only_in_ascii_digits(client, network, daily_leader, write):
    """Python's int() reads " 12" and a full-width "１２" as 12; the admin's URLs do not: they
    name no object, so a hostile URL never reaches a real one by accident."""
    from urllib.parse import quote

    pk = network.school_a.pk
    client.force_login(daily_leader)

    response = client.get(f"/admin/schools/school/{quote(write(pk), safe='')}/change/")

    assert response.status_code == 302  # "does not exist": back to the admin's start page
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:schools_school_change", args=[pk])).status_code == 200
