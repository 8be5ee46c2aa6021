"""The portal's URLs plus the baseline view at /bench/bare/, for bench/verify_load.py."""

from django.http import JsonResponse
from django.urls import include, path


def bare_in_portal(request):
    return JsonResponse({"number": "SSB-2026-000001", "status": "valid"})


urlpatterns = [path("bench/bare/", bare_in_portal), path("", include("portal.urls"))]
