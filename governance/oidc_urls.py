"""The Feide login's two addresses, included under /feide/ only when settings.FEIDE_ENABLED
(ungmusikk/urls.py). The callback's address is the redirect URI registered with Feide. The
names are the ones mozilla-django-oidc reverses."""

from django.urls import path

from .oidc import FeideCallbackView, FeideLoginView

urlpatterns = [
    path("logg-inn/", FeideLoginView.as_view(), name="oidc_authentication_init"),
    path("callback/", FeideCallbackView.as_view(), name="oidc_authentication_callback"),
]
