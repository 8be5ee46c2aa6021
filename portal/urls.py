from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", views.dashboard, name="dashboard"),
    path("", include("reports.urls")),
    path("", include("certification.urls")),
]

handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
