"""The REST API under /api/v1/: one router over both apps' viewsets (so the API root lists
them all), then each app's own routes."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from certification.api import views as certification_api
from certification.api.signin import ApiTokenViewSet
from reports.api.certificates import CertificateViewSet

# No `.json` suffix routes: undocumented, and the viewsets' actions take no format argument
# (POST /api/v1/certificates/<n>/status.json answered 500).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("products", certification_api.ProductViewSet, basename="product")
router.register("labs", certification_api.LabViewSet, basename="lab")
router.register("submissions", certification_api.SubmissionViewSet, basename="submission")
router.register("datasets", certification_api.DatasetViewSet, basename="dataset")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("auth/tokens", ApiTokenViewSet, basename="api-token-mine")

urlpatterns = [
    path("", include("reports.api.urls")),
    path("", include("certification.api.urls")),
    path("", include("certification.api.proposals_urls")),
    path("", include(router.urls)),
]
