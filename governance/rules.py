"""Permission predicates, in one place (django-rules). Other apps build on these."""

import rules

from . import selectors


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


# Shared rules for templates ({% test_rule %}), which unlike permissions never fall through
# to the model backend's permission queries.
rules.add_rule("is_central_staff", is_central_staff)

rules.add_perm("governance.view_network", has_any_role)
rules.add_perm("governance.manage_network", is_central_staff)
rules.add_perm("schools.view_school_figures", can_see_school)
