"""Certificate verification, watchlist and webhook API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reports import api

router = SimpleRouter()
router.register("watchlist", api.WatchlistViewSet, basename="watchlist")
router.register("webhooks", api.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("verify/", api.VerifyBulkView.as_view(), name="api-verify-bulk"),
    path("verify/<str:number>/", api.VerifyNumberView.as_view(), name="api-verify"),
    # Not under verify/: reports.middleware answers every GET verify/<x>/ before routing.
    path("documents/verify/", api.VerifyDocumentView.as_view(), name="api-verify-document"),
    *router.urls,
]
