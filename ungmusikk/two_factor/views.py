"""The pages under /profil/tofaktor/: set up an authenticator app (QR code and the secret as
text, confirmed by a code), see the ten recovery codes once, make new ones, remove the app,
and confirm a login with a code before the admin opens (`VerifyView`)."""

from __future__ import annotations

import unicodedata
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import urlsplit

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from governance.security import client_ip

from .forms import AppCodeForm, CodeForm
from .rules import must_use_two_factors
from .selectors import recovery_codes_left, totp_device_get
from .services import (
    recovery_codes_replace,
    totp_config_url,
    totp_key_new,
    two_factor_disable,
    two_factor_enable,
    two_factor_verify,
)

# The secret of an app being set up waits in the session until a code confirms it, so that the
# QR code stays the same when the page is loaded again, and nothing is stored before that.
ENROL_KEY_SESSION = "two_factor_enrol_key"
# New recovery codes wait in the session for the one page that shows them.
NEW_CODES_SESSION = "two_factor_new_codes"


def next_path(request: HttpRequest) -> str | None:
    """The `next` of the request (POST, then GET) when it is a path on this site ("/admin/…"),
    else None: no other host, no scheme, no "//host", no backslash and no control characters
    (a browser reads "/\\evil.example" and "/\t/evil.example" as another host)."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(unicodedata.category(char)[0] == "C" for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return None
    return value


def _client_ip(request: HttpRequest) -> str:
    # As the login lockout reads it (behind TRUSTED_PROXY_COUNT proxies, the one they saw).
    return client_ip(request) or ""


def _default_next(request: HttpRequest) -> str:
    return reverse("admin:index") if request.user.is_staff else reverse("two_factor:manage")


def _with_next(url: str, request: HttpRequest) -> str:
    target = next_path(request)
    if target is None:
        return url
    return f"{url}?{urlencode({'next': target})}"


def qr_svg(text: str) -> str:
    """`text` as a QR code in inline SVG (drawn here: nothing is loaded from elsewhere)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=4)
    svg = image.get_image()
    svg.set("role", "img")
    svg.set("aria-label", _("QR-kode for autentiseringsappen"))
    svg.set("id", "totp-qr")
    svg.set("width", "240")
    svg.set("height", "240")
    return image.to_string(encoding="unicode")


def secret_text(key: str) -> str:
    """The secret as an app asks for it when typed by hand: base32, in groups of four."""
    secret = b32encode(unhexlify(key)).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class TwoFactorView(LoginRequiredMixin, FormView):
    """The person's own second factor. Without an app: the QR code, the secret as text and a
    field for the code that confirms it. With one: how many recovery codes are left, and two
    forms that each need a valid code: new recovery codes, and removing the app (to set up a
    new one)."""

    form_class = AppCodeForm

    def get_template_names(self):
        return ["two_factor/manage.html" if self.device else "two_factor/enrol.html"]

    def dispatch(self, request, *args, **kwargs):
        self.device = totp_device_get(user=request.user) if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def _enrol_key(self) -> str:
        key = self.request.session.get(ENROL_KEY_SESSION)
        if not key:
            key = self.request.session[ENROL_KEY_SESSION] = totp_key_new()
        return key

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["required"] = must_use_two_factors(user)
        context["next"] = next_path(self.request) or ""
        if self.device:
            context["device"] = self.device
            context["codes_left"] = recovery_codes_left(user=user)
            context["recovery_form"] = CodeForm(prefix="recovery")
            context["remove_form"] = CodeForm(prefix="remove")
        else:
            key = self._enrol_key()
            context["qr_svg"] = mark_safe(qr_svg(totp_config_url(user=user, key=key)))  # noqa: S308 - drawn here from our own data
            context["secret"] = secret_text(key)
        return context

    def post(self, request, *args, **kwargs):
        if self.device:
            return redirect("two_factor:manage")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        request = self.request
        try:
            device, codes = two_factor_enable(
                user=request.user,
                key=request.session.get(ENROL_KEY_SESSION, ""),
                code=form.cleaned_data["code"],
                ip=_client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        request.session.pop(ENROL_KEY_SESSION, None)
        request.session.cycle_key()
        django_otp.login(request, device)
        request.session[NEW_CODES_SESSION] = codes
        messages.success(request, _("Tofaktorinnlogging er slått på."))
        return redirect(_with_next(reverse("two_factor:codes"), request))


class RecoveryCodesView(LoginRequiredMixin, TemplateView):
    """The new recovery codes, shown once (loading the page again shows them no more)."""

    template_name = "two_factor/codes.html"

    def get(self, request, *args, **kwargs):
        codes = request.session.pop(NEW_CODES_SESSION, None)
        if not codes:
            return redirect("two_factor:manage")
        return self.render_to_response(
            self.get_context_data(codes=codes, next=next_path(request) or _default_next(request))
        )


class _CodeActionView(LoginRequiredMixin, FormView):
    """A POST with a valid code that changes the person's second factor."""

    http_method_names = ["post"]
    template_name = "two_factor/manage.html"

    def form_invalid(self, form):
        user = self.request.user
        context = {
            "device": totp_device_get(user=user),
            "codes_left": recovery_codes_left(user=user),
            "required": must_use_two_factors(user),
            "recovery_form": CodeForm(prefix="recovery"),
            "remove_form": CodeForm(prefix="remove"),
            "next": next_path(self.request) or "",
            f"{self.prefix}_form": form,
        }
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        if totp_device_get(user=request.user) is None:
            return redirect("two_factor:manage")
        return super().post(request, *args, **kwargs)


class RecoveryCodesReplaceView(_CodeActionView):
    form_class = CodeForm
    prefix = "recovery"

    def form_valid(self, form):
        request = self.request
        try:
            device, codes = recovery_codes_replace(
                user=request.user, code=form.cleaned_data["code"], ip=_client_ip(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        django_otp.login(request, device)
        request.session[NEW_CODES_SESSION] = codes
        messages.success(request, _("Du har fått nye gjenopprettingskoder. De gamle virker ikke lenger."))
        return redirect(_with_next(reverse("two_factor:codes"), request))


class TwoFactorRemoveView(_CodeActionView):
    form_class = CodeForm
    prefix = "remove"

    def form_valid(self, form):
        request = self.request
        try:
            two_factor_disable(user=request.user, code=form.cleaned_data["code"], ip=_client_ip(request))
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        request.session.pop(ENROL_KEY_SESSION, None)
        if must_use_two_factors(request.user):
            messages.warning(
                request,
                _(
                    "Autentiseringsappen og gjenopprettingskodene er fjernet. Sett opp en ny app før du går til "
                    "administrasjonen."
                ),
            )
        else:
            messages.success(request, _("Autentiseringsappen og gjenopprettingskodene er fjernet."))
        return redirect("two_factor:manage")


class VerifyView(LoginRequiredMixin, FormView):
    """Confirm this login with a code from the app or a recovery code (used once), then go on
    to `next` (a path on this site; the admin's front page otherwise). Without an app the
    person is sent to set one up first."""

    template_name = "two_factor/verify.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and totp_device_get(user=request.user) is None:
            return redirect(_with_next(reverse("two_factor:manage"), request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = next_path(self.request) or ""
        return context

    def form_valid(self, form):
        request = self.request
        try:
            device = two_factor_verify(user=request.user, code=form.cleaned_data["code"], ip=_client_ip(request))
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        request.session.cycle_key()
        django_otp.login(request, device)
        if recovery_codes_left(user=request.user) <= 2:
            messages.warning(
                request,
                _("Du har få gjenopprettingskoder igjen. Lag nye under «Min profil» → «Tofaktorinnlogging»."),
            )
        return redirect(next_path(request) or _default_next(request))
