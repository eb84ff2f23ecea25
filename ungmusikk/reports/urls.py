"""The reports under /rapporter/ (issue 16)."""

from django.urls import path

from . import views
from .sheet_urls import urlpatterns as sheet_urlpatterns

app_name = "reports"

urlpatterns = [
    path("", views.ReportsIndexView.as_view(), name="index"),
]

# --- The annual report (årsrapport): the page, its kept files and their generation ---
ANNUAL_REPORT = "arsrapport/<str:kind>/<str:year>/"
urlpatterns += [
    path(ANNUAL_REPORT, views.AnnualReportView.as_view(), name="annual-report"),
    path(f"{ANNUAL_REPORT}filer/", views.AnnualReportFilesView.as_view(), name="annual-report-files"),
    path(f"{ANNUAL_REPORT}lag/", views.AnnualReportGenerateView.as_view(), name="annual-report-generate"),
    path(
        f"{ANNUAL_REPORT}<str:name>.pdf",
        views.AnnualReportDownloadView.as_view(extension="pdf"),
        name="annual-report-pdf",
    ),
    path(
        f"{ANNUAL_REPORT}<str:name>.xlsx",
        views.AnnualReportDownloadView.as_view(extension="xlsx"),
        name="annual-report-xlsx",
    ),
]

# --- The municipality sheet (kommuneark): its list, page, PDF and signed links ---
urlpatterns += sheet_urlpatterns
