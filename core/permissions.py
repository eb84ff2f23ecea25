"""How the portal answers "may this person do this?": one table of permissions, declared with
django-rules, and nothing else.

Each app declares the permissions on its models in the model's Meta (`rules_permissions`,
predicates from the app's `rules.py`); the models below governance (schools, core), which know
no people, get theirs from `governance/rules.py`, the app that holds the roles. Their names are
Django's: `<app>.<action>_<model>` ("funding.submit_budget", "schools.view_school").

A permission of the portal's apps is answered by its rule alone:

- Django's model backend grants none of them (`governance.auth.PortalBackend`), so a group or
  a user permission set in the admin opens nothing of the portal by accident;
- a superuser holds them as the rules say, not all of them: Django's `User.has_perm` answers
  yes to a superuser before any backend is asked, so the people who log in are
  `governance.models.Person` (the same table), whose `has_perm` asks the rules. A superuser
  is central staff in the rules: they may prepare a budget, but not lay it before the steering
  group nor decide it.

The permissions of the installed third-party apps (users and groups, periodic tasks) stay
Django's own: superusers, and what a group grants.
"""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

# The apps whose permissions are the portal's (declared with django-rules, nowhere else).
PORTAL_APP_LABELS = frozenset({"core", "schools", "governance", "activities", "funding"})


def is_portal_perm(perm: str) -> bool:
    """Whether `perm` ("app.codename") is one of the portal's: its rule is the only answer."""
    return perm.partition(".")[0] in PORTAL_APP_LABELS


def portal_has_perm(user, perm: str, obj=None) -> bool:
    """The portal's answer for one of its permissions: its rule, for an active user. A
    permission that no rule declares is refused."""
    return bool(getattr(user, "is_active", False) and rules.has_perm(perm, user, obj))


def user_has_perm(user, perm: str, obj=None) -> bool:
    """`user.has_perm(perm, obj)` as a logged-in person's own answers it, for any user object
    (a service may be called with a plain `User`, whose `has_perm` would let a superuser do
    anything)."""
    if is_portal_perm(perm):
        return portal_has_perm(user, perm, obj)
    return user.has_perm(perm, obj)


def require_perm(user, perm: str, obj=None, *, message: str = "") -> None:
    """Refuse with PermissionDenied (a 403 in a view, with `message` as its reason) unless
    `user` holds `perm` (on `obj`). Services call this before they change anything."""
    if not user_has_perm(user, perm, obj):
        raise PermissionDenied(message or _("Du har ikke tilgang til å gjøre dette."))


def perm_name(model_or_instance, action: str) -> str:
    """The permission for `action` ("view", "add", "change", "delete", or a model's own such
    as "submit") on a model: "funding.submit_budget"."""
    opts = model_or_instance._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"
