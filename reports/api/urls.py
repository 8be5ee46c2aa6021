"""Certificate verification, watchlist and webhook API under /api/v1/ (the certificates
themselves are on the portal's one API router, ``portal/api_urls.py``)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from reports.api import audit, automaker, evaluation_report, operations, verify

router = SimpleRouter()
router.register("watchlist", automaker.WatchlistViewSet, basename="watchlist")
router.register("webhooks", automaker.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("audit/checkpoints/", audit.CheckpointListView.as_view(), name="api-audit-checkpoints"),
    path(
        "audit/checkpoints/latest/",
        audit.CheckpointLatestView.as_view(),
        name="api-audit-checkpoint-latest",
    ),
    path(
        "audit/checkpoints/<int:pk>/",
        audit.CheckpointDetailView.as_view(),
        name="api-audit-checkpoint",
    ),
    path("verify/", verify.VerifyBulkView.as_view(), name="api-verify-bulk"),
    path("verify/<str:number>/", verify.VerifyNumberView.as_view(), name="api-verify"),
    # Not under verify/: reports.middleware answers every GET verify/<x>/ before routing.
    path("documents/verify/", verify.VerifyDocumentView.as_view(), name="api-verify-document"),
    path("portfolio/", include("reports.portfolio.api_urls")),
    path("register/", include("reports.register.api_urls")),
    path("operations/", operations.BacklogView.as_view(), name="api-operations"),
    path(
        "operations/evaluations/<int:pk>/requeue/",
        operations.RequeueView.as_view(),
        name="api-operations-requeue",
    ),
    path("operations/sweep/", operations.SweepView.as_view(), name="api-operations-sweep"),
    path(
        "submissions/<int:pk>/evaluation-report/",
        evaluation_report.EvaluationReportView.as_view(),
        name="api-evaluation-report",
    ),
    *router.urls,
]
