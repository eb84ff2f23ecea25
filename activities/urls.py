from django.urls import path

from . import feeds, picker, privacy_views, views

app_name = "activities"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="list"),
    path("kalender/", views.ActivityCalendarView.as_view(), name="calendar"),
    # Subscribable calendars (issue 15): private by `?nokkel=` (activities/feeds.py).
    path("kalender/region/<slug:slug>.ics", feeds.RegionFeedView.as_view(), name="feed-region"),
    path("kalender/skole/<slug:slug>.ics", feeds.SchoolFeedView.as_view(), name="feed-school"),
    path("kalender/mine.ics", feeds.PersonFeedView.as_view(), name="feed-person"),
    path("eksport.csv", views.ActivityExportView.as_view(), name="export"),
    path("eksport.xlsx", views.ActivityExportView.as_view(file_format="xlsx"), name="export-xlsx"),
    path("ny/", views.ActivityCreateView.as_view(), name="create"),
    path("importer/", views.ParticipationImportView.as_view(), name="import"),
    path("importer/registrer-elev/", views.ParticipationImportPupilView.as_view(), name="import-register-pupil"),
    path(
        "importer/mal-<slug:shape>.<slug:file_format>",
        views.ParticipationImportTemplateView.as_view(),
        name="import-template",
    ),
    path("elever/sok/", picker.PupilSearchView.as_view(), name="pupil-search"),
    path("elever/<int:pk>/slett/", privacy_views.PupilEraseView.as_view(), name="pupil-erase"),
    path("elever/<int:pk>/innsyn.json", privacy_views.PupilAccessJsonView.as_view(), name="pupil-access-json"),
    path("elever/<int:pk>/innsyn.pdf", privacy_views.PupilAccessPdfView.as_view(), name="pupil-access-pdf"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="detail"),
    path("<int:pk>/endre/", views.ActivityUpdateView.as_view(), name="update"),
    path("<int:pk>/kopier/", views.ActivityCopyView.as_view(), name="copy"),
    path("<int:pk>/avlys/", views.ActivityCancelView.as_view(), name="cancel"),
]
