from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView

from activities.feeds import CalendarTokenRenewView
from governance import auth_views as password_views

from . import views

admin.site.site_header = "UngMusikk"
admin.site.site_title = "UngMusikk"
admin.site.index_title = gettext_lazy("Administrasjon")

handler400 = "ungmusikk.errors.bad_request"
handler403 = "ungmusikk.errors.permission_denied"
handler404 = "ungmusikk.errors.page_not_found"
handler500 = "ungmusikk.errors.server_error"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("helse/", views.health, name="health"),
    path("profil/", views.ProfileView.as_view(), name="profile"),
    path("personvern/", views.PrivacyView.as_view(), name="privacy"),
    path("oppsummeringer/", views.RollupStatusView.as_view(), name="rollups"),
    path("skoler/", include("ungmusikk.dashboards.urls")),
    path("aktiviteter/", include("activities.urls")),
    path("rapporter/", include("ungmusikk.reports.urls")),
    path(
        "logg-inn/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, next_page="schools:start"),
        name="login",
    ),
    path("logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    # A forgotten password, and changing one's own (issue 14); the admin's login page links
    # to the same page ("admin_password_reset").
    path("passord/glemt/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path("passord/glemt/", password_views.PasswordResetView.as_view(), name="admin_password_reset"),
    path("passord/sendt/", password_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "passord/ny/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("passord/endret/", password_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("passord/bytt/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path("passord/byttet/", password_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own password change has no lockout: it leads to the portal's, which counts
    # a wrong old password as a failed login.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
]

# Feide login (issue 14): its addresses exist only when it is configured (settings.FEIDE_ENABLED).
if settings.FEIDE_ENABLED:
    urlpatterns += [path("feide/", include("governance.oidc_urls"))]

# Two factors for the admin (issue 14): set up an authenticator app, confirm a login.
urlpatterns += [
    path("profil/tofaktor/", include("ungmusikk.two_factor.urls")),
]

# The subscribable calendars (issue 15): a new secret for a person's feeds, from the profile page.
urlpatterns += [
    path("profil/kalenderlenke/", CalendarTokenRenewView.as_view(), name="profile-calendar-token"),
]
