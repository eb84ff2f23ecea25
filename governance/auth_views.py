"""A way back for a forgotten password, and changing one's own: Django's views with the
portal's Norwegian templates (templates/registration/).

The reset page answers the same whether or not the address belongs to anyone (Django sends
only to active users with that address and a usable password), and whether or not the
address has had its PASSWORD_RESET_MAX_PER_HOUR e-mails this hour. The link in the e-mail
starts with PORTAL_BASE_URL, not with whatever Host the request named.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from .security import lockout_response, password_reset_allowed, security_log


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        if not password_reset_allowed(email=form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "base_url": settings.PORTAL_BASE_URL,
            "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The person proved they read the account's e-mail: a lockout of their username ends.
        username = form.user.get_username()
        axes_reset(username=username)
        security_log.info("Password reset: username=%r", username)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's own password. A wrong old password counts as a failed login for the
    person (the login lockout's count, django-axes, and the security log): someone holding a
    stolen session cannot guess the password here without limit. When the count locks the
    person out, the session ends and the login page says so."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_invalid(self, form):
        if "old_password" in form.errors:
            credentials = {"username": self.request.user.get_username()}
            user_login_failed.send(sender=type(self), credentials=credentials, request=self.request)
            if AxesProxyHandler.is_locked(self.request, credentials):
                logout(self.request)
                return lockout_response(self.request, credentials=credentials)
        return super().form_invalid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
