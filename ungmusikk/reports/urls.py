from django.urls import path  # noqa: F401

from .sheet_urls import urlpatterns as sheet_urlpatterns

app_name = "reports"

urlpatterns: list = []

# The municipality sheet (kommuneark): its list, page, PDF and signed links.
urlpatterns += sheet_urlpatterns
