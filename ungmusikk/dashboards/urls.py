"""The school dashboards and the network overview, under /skoler/. The namespace is `schools`
(a school's dashboard is `schools:dashboard`, by slug); the pages live in `ungmusikk/`
because they compose several apps."""

from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.NetworkOverviewView.as_view(), name="network"),
    path("oversikt.csv", views.NetworkCsvView.as_view(), name="network-csv"),
    path("kart.json", views.NetworkMapDataView.as_view(), name="network-map"),
    path("mine/", views.SchoolChooseView.as_view(), name="mine"),
    path("start/", views.StartView.as_view(), name="start"),
    path("<slug:slug>/", views.SchoolDashboardView.as_view(), name="dashboard"),
    path("<slug:slug>/navngitte-elever/", views.SchoolNamedPupilsView.as_view(), name="dashboard-named"),
    path("<slug:slug>/elevbelastning/", views.SchoolPupilLoadView.as_view(), name="dashboard-load"),
    path("<slug:slug>/utskrift/", views.SchoolDashboardPrintView.as_view(), name="dashboard-print"),
    path("<slug:slug>/dashbord.pdf", views.SchoolDashboardPdfView.as_view(), name="dashboard-pdf"),
    path("<slug:slug>/tabell/<slug:table>.csv", views.SchoolDashboardCsvView.as_view(), name="dashboard-csv"),
    path("<slug:slug>/diagram/<slug:chart>.json", views.SchoolChartDataView.as_view(), name="dashboard-chart"),
]

# --- Tilbud per måned (issue 15): a school's activities per month against the limit ---
urlpatterns += [
    path("<slug:slug>/tilbud/", views.SchoolMonthOffersView.as_view(), name="month-offers"),
]
