"""Public verification and automaker pages."""

from django.urls import path

from reports import pages

urlpatterns = [
    path("verify/", pages.verify, name="verify"),
    # Before verify/<number>/, which would take "document" for a number.
    path("verify/document/", pages.verify_document, name="verify-document"),
    path("verify/<str:number>", pages.verify_certificate, name="verify-certificate"),
    # QR readers and hand-typed links sometimes add the slash.
    path("verify/<str:number>/", pages.verify_certificate, name="verify-certificate-slash"),
    path("watchlist/", pages.watchlist, name="watchlist"),
    path("watchlist/bulk/", pages.watchlist_bulk, name="watchlist-bulk"),
    path("watchlist/<int:pk>/remove/", pages.watchlist_remove, name="watchlist-remove"),
    path("webhooks/", pages.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/active/", pages.webhook_active, name="webhook-active"),
    path("webhooks/<int:pk>/delete/", pages.webhook_delete, name="webhook-delete"),
]
