"""REST routes of certification under /api/v1/ (its viewsets are on the portal's one API
router, ``portal/api_urls.py``)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from certification.api import views
from certification.api.account import AccountView
from certification.api.signin import PasswordChangeView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/password/", PasswordChangeView.as_view(), name="api-password"),
    path("account/", AccountView.as_view(), name="api-account"),
    path("templates/<str:kind>/", views.SheetTemplateView.as_view(), name="api-sheet-template"),
    path("audit/", views.AuditLogView.as_view(), name="api-audit-log"),
    path("dataset-kinds/", views.DatasetKindsView.as_view(), name="api-dataset-kinds"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so Swagger UI runs under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Redoc's page (templates/api/redoc.html) loads everything from the portal: its script
    # and start-up script as files. Redoc styles its components with injected <style> elements
    # and runs its search in a worker from a blob: URL; nothing else is relaxed.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-redoc",
    ),
]
