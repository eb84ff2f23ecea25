"""Logging in: Django's model backend (username and password, active users only), with two
differences that keep the portal's rules the one answer to "may this person do this?"
(core/permissions.py):

- the logged-in user is a `Person`, whose `has_perm` asks the portal's rules for the portal's
  permissions, for a superuser too;
- it grants none of the portal's permissions from groups or user permissions: those are
  the rules' alone. Third-party apps' permissions (users and groups, periodic tasks) are
  granted as Django grants them.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from core.permissions import PORTAL_APP_LABELS, is_portal_perm

from .models import Person


class PortalBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return None if user is None else self.get_user(user.pk)

    def get_user(self, user_id):
        person = Person._default_manager.filter(pk=user_id).first()
        return person if person is not None and self.user_can_authenticate(person) else None

    def get_all_permissions(self, user_obj, obj=None):
        return {perm for perm in super().get_all_permissions(user_obj, obj) if not is_portal_perm(perm)}

    def has_perm(self, user_obj, perm, obj=None):
        return not is_portal_perm(perm) and super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        return app_label not in PORTAL_APP_LABELS and super().has_module_perms(user_obj, app_label)
