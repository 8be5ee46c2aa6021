"""REST routes of certification under /api/v1/ (its viewsets are on the portal's one API
router, ``portal/api_urls.py``)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser

from certification.api import views
from certification.api.parsers import StrictJSONParser

urlpatterns = [
    path(
        "auth/token/",
        # ObtainAuthToken names its own parsers; it gets the API's strict JSON parser too.
        ObtainAuthToken.as_view(parser_classes=[StrictJSONParser, FormParser, MultiPartParser]),
        name="api-token",
    ),
    path("templates/<str:kind>/", views.SheetTemplateView.as_view(), name="api-sheet-template"),
    path("audit/", views.AuditLogView.as_view(), name="api-audit-log"),
    path("dataset-kinds/", views.DatasetKindsView.as_view(), name="api-dataset-kinds"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
