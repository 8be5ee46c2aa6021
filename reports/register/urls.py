"""The register's pages (included under /register/ by ``reports.urls``)."""

from django.urls import path

from reports.register import pages

urlpatterns = [
    path("", pages.register, name="register"),
    path("<str:number>/", pages.register_entry, name="register-entry"),
]
