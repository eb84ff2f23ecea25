"""Permission predicates, in one place (django-rules). Other apps build on these."""

import rules

from . import selectors
from .models import Role

# Roles that open school dashboards besides central staff and the steering group.
SCHOOL_VIEWING_KINDS = (Role.Kind.RECTOR, Role.Kind.COORDINATOR)


@rules.predicate
def is_central_staff(user) -> bool:
    return selectors.user_is_central_staff(user=user)


@rules.predicate
def is_steering_member(user) -> bool:
    return selectors.user_is_steering_member(user=user)


@rules.predicate
def has_any_role(user) -> bool:
    return selectors.user_has_any_role(user=user)


@rules.predicate
def can_see_school(user, school) -> bool:
    return school is not None and selectors.school_list_visible_to(user=user).filter(pk=school.pk).exists()


@rules.predicate
def sees_any_school(user) -> bool:
    """Whose school dashboards open for this user (school_list_visible_to's roles), read from
    the role kinds cached for the request: the menu costs no query."""
    return selectors.user_has_role_kind(user=user, kinds=SCHOOL_VIEWING_KINDS)


# Shared rules for templates ({% test_rule %}), which unlike permissions never fall through
# to the model backend's permission queries. The menu shows each person only what these
# rules let them open.
rules.add_rule("is_central_staff", is_central_staff)
rules.add_rule("sees_network", is_central_staff | is_steering_member)
rules.add_rule("sees_any_school", is_central_staff | is_steering_member | sees_any_school)

rules.add_perm("governance.view_network", has_any_role)
rules.add_perm("governance.manage_network", is_central_staff)
rules.add_perm("schools.view_school_figures", can_see_school)
