"""The register's API (included under /api/v1/register/ by ``reports.api.urls``)."""

from django.urls import path

from reports.register import api

urlpatterns = [
    path("", api.RegisterListView.as_view(), name="api-register"),
    path("export.csv", api.RegisterCsvView.as_view(), name="api-register-csv"),
    path("export.json", api.RegisterJsonView.as_view(), name="api-register-json"),
    path("<str:number>/", api.RegisterEntryView.as_view(), name="api-register-entry"),
]
