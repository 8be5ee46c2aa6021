import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping", ignore_result=False)
def ping() -> str:
    """A no-op round trip: a health check for the worker, and bench/'s Celery baseline."""
    return "pong"
