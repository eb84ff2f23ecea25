"""django-otp's device pages in the admin, on the portal's base (core.admin.portal_admin), for
superusers (Django's own permissions on these models): they show who has set up an
authenticator app, when it was last used and how many recovery codes are left, but neither a
secret nor a code (OTP_ADMIN_HIDE_SENSITIVE_DATA). Nothing is added or changed here: a person
sets up their own app under «Min profil». Deleting a person's app is how a superuser resets a
lost phone: it removes the recovery codes with it, through the service, and is audited."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import portal_admin

from .services import two_factor_reset


class _NoAddOrChange:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PortalTOTPDeviceAdmin(_NoAddOrChange, portal_admin(TOTPDeviceAdmin)):
    def delete_model(self, request, obj):
        two_factor_reset(actor=request.user, user=obj.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all the selected resets, or none
            for device in queryset.select_related("user"):
                two_factor_reset(actor=request.user, user=device.user)


class PortalStaticDeviceAdmin(_NoAddOrChange, portal_admin(StaticDeviceAdmin)):
    """The recovery codes go with the app: deleting the app (above) deletes them."""

    list_display = ["user", "name", "created_at", "last_used_at", "codes_left"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").annotate(unused_codes=Count("token_set"))

    @admin.display(description=_("ubrukte koder"), ordering="unused_codes")
    def codes_left(self, device) -> int:
        return device.unused_codes


for _model, _admin in ((TOTPDevice, PortalTOTPDeviceAdmin), (StaticDevice, PortalStaticDeviceAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
