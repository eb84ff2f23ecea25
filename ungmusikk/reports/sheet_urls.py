"""The municipality sheet's addresses (issue 16), included into ungmusikk/reports/urls.py
under the app's namespace "reports" (so: `reports:municipality-sheets`, …)."""

from django.urls import path

from . import sheet_views

urlpatterns = [
    path("kommuner/", sheet_views.MunicipalitySheetListView.as_view(), name="municipality-sheets"),
    path("kommuner/<str:number>/<str:year>/", sheet_views.MunicipalitySheetView.as_view(), name="municipality-sheet"),
    path(
        "kommuner/<str:number>/<str:year>/kommuneark.pdf",
        sheet_views.MunicipalitySheetPdfView.as_view(),
        name="municipality-sheet-pdf",
    ),
    path(
        "kommuner/<str:number>/<str:year>/lenke/",
        sheet_views.MunicipalitySheetShareView.as_view(),
        name="municipality-sheet-share",
    ),
    # A signed link (ungmusikk/reports/links.py): no login.
    path("delt/<str:token>/", sheet_views.SharedSheetView.as_view(), name="shared-sheet"),
    path("delt/<str:token>/kommuneark.pdf", sheet_views.SharedSheetPdfView.as_view(), name="shared-sheet-pdf"),
]
