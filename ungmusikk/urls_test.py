"""The tests' URLconf (ungmusikk/settings_test.py): the portal's, plus the local OpenID Connect
provider under /o/."""

from django.urls import include, path

from ungmusikk import urls as portal_urls

handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500

urlpatterns = [
    *portal_urls.urlpatterns,
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
