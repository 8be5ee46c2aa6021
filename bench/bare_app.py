"""The baseline for bench/verify_load.py: a bare Django JSON view, served by the same gunicorn.

No apps, no middleware, no database: Django's request handling, URL routing and JsonResponse,
nothing else. Served as ``bench.bare_app:application``.
"""

from __future__ import annotations

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-only-not-a-secret",  # noqa: S106 -- never used to sign anything
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1"],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402 -- after settings.configure
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def bare(request):
    return JsonResponse({"number": "SSB-2026-000001", "status": "valid"})


urlpatterns = [path("bare/", bare)]
application = get_wsgi_application()
