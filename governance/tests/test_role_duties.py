"""Separation of duties in people's roles (issue 14, governance/duties.py): only superusers and
the access manager grant, change or end roles; nobody touches their own; the people who
prepare a budget do not decide it; the access manager holds no other role. Asked by the
services and by the admin's role form alike, and every grant is audited."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audit import AuditAction
from governance.models import AuditEntry, Role
from governance.services import role_assign, role_delete, role_save
from governance.tests.factories import RoleFactory, UserFactory

ADD_URL = reverse("admin:governance_role_add")


def _role_post(*, user, kind, valid_from="2020-01-01", valid_to="", body=None, region=None, school=None):
    return {
        "user": user.pk,
        "kind": kind,
        "body": body.pk if body else "",
        "region": region.pk if region else "",
        "school": school.pk if school else "",
        "partner": "",
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _seat_for(user, network, **post):
    return _role_post(user=user, kind=Role.Kind.MEMBER, body=network.steering_group, **post)


def _roles_and_audits():
    return Role.objects.count(), AuditEntry.objects.count()


# --- The finding: central staff gave themselves a steering-group seat ----------------------------


def test_the_daily_leader_cannot_give_themselves_a_steering_group_seat(client_as, daily_leader, network):
    before = _roles_and_audits()
    client = client_as(daily_leader)
    assert client.get(ADD_URL).status_code == 403
    response = client.post(ADD_URL, _seat_for(daily_leader, network))
    assert response.status_code == 403
    assert _roles_and_audits() == before
    assert not daily_leader.has_perm("funding.decide_budget")


@pytest.mark.parametrize("persona", ["daily_leader", "nmh_coordinator", "steering_leader", "rector_a", "coord_follo"])
def test_only_superusers_and_the_access_manager_grant_roles(client_as, request, network, persona, rector_b):
    user = request.getfixturevalue(persona)
    before = _roles_and_audits()
    response = client_as(user).post(ADD_URL, _role_post(user=rector_b, kind=Role.Kind.RECTOR, school=network.school_a))
    assert response.status_code in (302, 403)
    if response.status_code == 302:  # not staff: sent to the admin's login
        assert "/login/" in response["Location"]
    assert _roles_and_audits() == before
    with pytest.raises(PermissionDenied):
        role_assign(
            user=rector_b, kind=Role.Kind.RECTOR, school=network.school_a, valid_from=date(2020, 1, 1), actor=user
        )


def test_central_staff_and_the_steering_group_still_read_the_roles(client_as, daily_leader, steering_member):
    for user in (daily_leader, steering_member):
        page = client_as(user).get(reverse("admin:governance_role_changelist"))
        assert page.status_code == 200
        assert not page.context["has_add_permission"]


# --- Granting: the access manager and superusers -----------------------------------------------


@pytest.mark.parametrize("persona", ["access_manager", "superuser"])
def test_a_grant_is_saved_and_audited_with_who_whom_what_and_period(client_as, request, network, persona, rector_b):
    actor = request.getfixturevalue(persona)
    response = client_as(actor).post(
        ADD_URL, _role_post(user=rector_b, kind=Role.Kind.RECTOR, school=network.school_a, valid_to="2024-07-31")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    role = Role.objects.get(user=rector_b, school=network.school_a)
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_ASSIGN, object_id=str(role.pk))
    assert entry.actor == actor
    assert entry.changes["user"][1] == str(rector_b)
    assert entry.changes["kind"][1] == Role.Kind.RECTOR
    assert entry.changes["school"][1] == "Skole A"
    assert (entry.changes["valid_from"][1], entry.changes["valid_to"][1]) == ("2020-01-01", "2024-07-31")


def test_ending_a_role_is_audited(client_as, access_manager, rector_b):
    role = rector_b.roles.get()
    change_url = reverse("admin:governance_role_change", args=[role.pk])
    client = client_as(access_manager)
    data = _role_post(user=rector_b, kind=role.kind, school=role.school, valid_from="2013-01-01", valid_to="2021-07-31")
    page = client.get(change_url)
    initial = {f"initial-{name}": value for name, value in data.items()}
    initial.update({"initial-valid_to": "", "initial-school": role.school_id})
    response = client.post(change_url, data | initial)
    assert response.status_code == 302, page.status_code
    role.refresh_from_db()
    assert role.valid_to == date(2021, 7, 31)
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_UPDATE, object_id=str(role.pk))
    assert (entry.actor, entry.changes["valid_to"]) == (access_manager, [None, "2021-07-31"])


# --- Nobody touches their own roles --------------------------------------------------------------


def test_a_superuser_cannot_grant_themselves_a_role(client_as, superuser, network):
    before = _roles_and_audits()
    response = client_as(superuser).post(ADD_URL, _seat_for(superuser, network))
    assert response.status_code == 200
    assert "Du kan ikke gi, endre eller avslutte dine egne roller" in response.content.decode()
    assert "user" in response.context["adminform"].form.errors
    assert _roles_and_audits() == before


def test_the_access_manager_cannot_extend_or_end_their_own_role(access_manager):
    role = access_manager.roles.get()
    role.valid_to = date(2040, 12, 31)
    with pytest.raises(ValidationError, match="egne roller"):
        role_save(role=role, user=access_manager)
    with pytest.raises(ValidationError, match="egne roller"):
        role_delete(role=Role.objects.get(pk=role.pk), user=access_manager)
    assert Role.objects.get(pk=role.pk).valid_to is None


def test_moving_ones_own_role_to_someone_else_is_refused_too(access_manager, rector_a):
    role = access_manager.roles.get()
    role.user = rector_a
    with pytest.raises(ValidationError, match="egne roller"):
        role_save(role=role, user=access_manager)


# --- Preparing and deciding ---------------------------------------------------------------------


@pytest.mark.parametrize("preparer", ["daily_leader", "nmh_coordinator"])
def test_a_preparer_cannot_get_a_deciding_seat_in_an_overlapping_period(
    client_as, request, access_manager, network, preparer
):
    user = request.getfixturevalue(preparer)
    before = _roles_and_audits()
    response = client_as(access_manager).post(ADD_URL, _seat_for(user, network))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Den som forbereder budsjettet, kan ikke vedta det" in html
    assert "kind" in response.context["adminform"].form.errors
    assert _roles_and_audits() == before
    with pytest.raises(ValidationError, match="forbereder budsjettet"):
        role_assign(user=user, kind=Role.Kind.LEADER, body=network.steering_group, valid_from=date(2020, 1, 1))


def test_a_member_cannot_become_the_steering_groups_case_preparer(access_manager, steering_member, network):
    with pytest.raises(ValidationError, match="forbereder budsjettet"):
        role_assign(
            user=steering_member,
            kind=Role.Kind.CASE_PREPARER,
            body=network.steering_group,
            valid_from=date(2020, 1, 1),
            actor=access_manager,
        )


def test_the_seats_may_follow_each_other(access_manager, network):
    """A daily leader who left in 2019 may sit in the steering group from 2020."""
    person = UserFactory(username="tidligere-leder")
    RoleFactory(user=person, kind=Role.Kind.DAILY_LEADER, valid_from=date(2013, 1, 1), valid_to=date(2019, 12, 31))
    seat = role_assign(
        user=person,
        kind=Role.Kind.MEMBER,
        body=network.steering_group,
        valid_from=date(2020, 1, 1),
        actor=access_manager,
    )
    assert seat.pk
    # …but not one day earlier.
    with pytest.raises(ValidationError, match="forbereder budsjettet"):
        role_assign(
            user=person,
            kind=Role.Kind.LEADER,
            body=network.steering_group,
            valid_from=date(2019, 12, 31),
            actor=access_manager,
        )


def test_another_bodys_seat_is_no_conflict(access_manager, daily_leader):
    """The daily leader may lead the working committee: it does not decide the budget."""
    from governance.models import Body
    from governance.tests.factories import BodyFactory

    committee = BodyFactory(name="Arbeidsutvalget", kind=Body.Kind.WORKING_COMMITTEE)
    role = role_assign(
        user=daily_leader, kind=Role.Kind.LEADER, body=committee, valid_from=date(2020, 1, 1), actor=access_manager
    )
    assert role.pk


def test_changing_a_period_into_an_overlap_is_refused(access_manager, network):
    person = UserFactory(username="senere-medlem")
    RoleFactory(user=person, kind=Role.Kind.DAILY_LEADER, valid_from=date(2013, 1, 1), valid_to=date(2019, 12, 31))
    seat = RoleFactory(user=person, kind=Role.Kind.MEMBER, body=network.steering_group, valid_from=date(2020, 1, 1))
    seat.valid_from = date(2019, 6, 1)
    with pytest.raises(ValidationError, match="forbereder budsjettet"):
        role_save(role=seat, user=access_manager)
    assert Role.objects.get(pk=seat.pk).valid_from == date(2020, 1, 1)


# --- The access manager holds no other role -------------------------------------------------------


def test_the_access_manager_holds_no_other_role(superuser, access_manager, network):
    with pytest.raises(ValidationError, match="tilgangsforvalter kan ikke ha andre roller"):
        role_assign(
            user=access_manager,
            kind=Role.Kind.RECTOR,
            school=network.school_a,
            valid_from=date(2020, 1, 1),
            actor=superuser,
        )


def test_a_person_with_a_role_cannot_become_access_manager(superuser, rector_a):
    with pytest.raises(ValidationError, match="tilgangsforvalter kan ikke ha andre roller"):
        role_assign(user=rector_a, kind=Role.Kind.ACCESS_MANAGER, valid_from=date(2020, 1, 1), actor=superuser)


def test_the_home_page_leads_the_access_manager_to_the_roles(client_as, access_manager, daily_leader):
    page = client_as(access_manager).get(reverse("home")).content.decode()
    assert reverse("admin:governance_role_changelist") in page
    assert 'id="roles-admin-link"' not in client_as(daily_leader).get(reverse("home")).content.decode()


def test_the_access_manager_finds_people_in_the_role_forms_search(client_as, access_manager, rector_b):
    url = reverse("admin:autocomplete") + "?app_label=governance&model_name=role&field_name=user&term=rektor-b"
    response = client_as(access_manager).get(url)
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [str(rector_b)]


# --- Hostile input --------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(
        st.sampled_from(["user", "kind", "body", "region", "school", "partner", "valid_from", "valid_to"]),
        st.one_of(st.text(max_size=40), st.integers(min_value=-(2**63), max_value=2**63).map(str)),
    )
)
def test_hostile_role_posts_never_fail_and_save_nothing_invalid(client_as, access_manager, data):
    before = _roles_and_audits()
    response = client_as(access_manager).post(ADD_URL, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert _roles_and_audits() == before


# --- Found by a newcomer's attempt to break this (issue 14) ---------------------------------------


def _committee_with_seat_for(user):
    from governance.models import Body
    from governance.tests.factories import BodyFactory

    committee = BodyFactory(name="Arbeidsutvalget", kind=Body.Kind.WORKING_COMMITTEE)
    RoleFactory(user=user, kind=Role.Kind.LEADER, body=committee, valid_from=date(2019, 8, 1))
    return committee


def _body_post(body, **changes):
    data = {"name": body.name, "kind": body.kind, "region": "", "established": ""}
    data.update(changes)
    # The body page's role inline, empty.
    data.update({"roles-TOTAL_FORMS": "0", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0"})
    data.update({"roles-MAX_NUM_FORMS": "1000"})
    return data


def test_central_staff_cannot_make_a_body_the_steering_group(client_as, daily_leader):
    """The daily leader turned the working committee (where she leads) into a steering group,
    and every seat in it into a deciding one, without touching a role."""
    committee = _committee_with_seat_for(daily_leader)
    client = client_as(daily_leader)
    url = reverse("admin:governance_body_change", args=[committee.pk])
    assert client.post(url, _body_post(committee, kind="steering_group")).status_code == 403
    assert (
        client.post(
            reverse("admin:governance_body_add"), _body_post(committee, name="Ny styringsgruppe", kind="steering_group")
        ).status_code
        == 403
    )
    committee.refresh_from_db()
    assert committee.kind == "working_committee"
    assert not daily_leader.has_perm("funding.decide_budget")


def test_a_body_with_a_preparers_seat_cannot_become_the_steering_group(access_manager, daily_leader):
    from governance.services import body_save

    committee = _committee_with_seat_for(daily_leader)
    committee.kind = "steering_group"
    with pytest.raises(ValidationError, match="forbereder budsjettet"):
        body_save(body=committee, user=access_manager)
    committee.refresh_from_db()
    assert committee.kind == "working_committee"


def test_a_superuser_holds_no_deciding_seat(access_manager, superuser, network):
    with pytest.raises(ValidationError, match="superbruker"):
        role_assign(
            user=superuser,
            kind=Role.Kind.MEMBER,
            body=network.steering_group,
            valid_from=date(2026, 1, 1),
            actor=access_manager,
        )


def test_the_same_role_twice_is_refused(client_as, access_manager, rector_b, network):
    data = _role_post(user=rector_b, kind=Role.Kind.MEMBER, body=network.steering_group, valid_from="2026-01-01")
    client = client_as(access_manager)
    assert client.post(ADD_URL, data).status_code == 302
    again = client.post(ADD_URL, data)
    assert again.status_code == 200
    assert "Personen har allerede denne rollen fra samme dag" in again.content.decode()
    assert rector_b.roles.filter(kind=Role.Kind.MEMBER).count() == 1


def test_ones_own_role_has_no_delete_page_and_a_selection_with_it_deletes_nothing(client_as, access_manager, rector_b):
    own, other = access_manager.roles.get(), rector_b.roles.get()
    client = client_as(access_manager)
    assert client.get(reverse("admin:governance_role_delete", args=[own.pk])).status_code == 403
    assert client.post(reverse("admin:governance_role_delete", args=[own.pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:governance_role_changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk, own.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Role.objects.filter(pk__in=[own.pk, other.pk]).count() == 2
