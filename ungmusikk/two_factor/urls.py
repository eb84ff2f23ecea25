from django.urls import path

from . import views

app_name = "two_factor"

urlpatterns = [
    path("", views.TwoFactorView.as_view(), name="manage"),
    path("koder/", views.RecoveryCodesView.as_view(), name="codes"),
    path("nye-koder/", views.RecoveryCodesReplaceView.as_view(), name="codes_replace"),
    path("fjern/", views.TwoFactorRemoveView.as_view(), name="remove"),
    path("bekreft/", views.VerifyView.as_view(), name="verify"),
]
