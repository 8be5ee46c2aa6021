from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from certification.api import views
from reports.certificate_api import CertificateViewSet

router = DefaultRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("labs", views.LabViewSet, basename="lab")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("certificates", CertificateViewSet, basename="certificate")

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("templates/<str:kind>/", views.SheetTemplateView.as_view(), name="api-sheet-template"),
    path("audit/", views.AuditLogView.as_view(), name="api-audit-log"),
    path("dataset-kinds/", views.DatasetKindsView.as_view(), name="api-dataset-kinds"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
]
