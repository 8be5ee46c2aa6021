"""REST routes of certification under /api/v1/ (its viewsets are on the portal's one API
router, ``portal/api_urls.py``)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from certification.api import views
from certification.api.signin import TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("templates/<str:kind>/", views.SheetTemplateView.as_view(), name="api-sheet-template"),
    path("audit/", views.AuditLogView.as_view(), name="api-audit-log"),
    path("dataset-kinds/", views.DatasetKindsView.as_view(), name="api-dataset-kinds"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
