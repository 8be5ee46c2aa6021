"""How every API answer and JSON document of the portal writes a moment: ISO 8601 in the
portal's time zone (``TIME_ZONE``) with its offset, e.g. ``2026-12-05T23:42:18.123456+08:00``.

DRF's ``DateTimeField`` already writes the current (the portal's) zone; ``api_time`` is the same
rule for the datetimes that reach JSON another way (a dict rendered by the API's JSON encoder,
``PortalJSONEncoder``, a payload written by hand), so no answer gives UTC beside +08:00.
Dates (a validity's last day) stay plain dates.
"""

from __future__ import annotations

import datetime as dt

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone


def api_time(value: dt.datetime | None) -> str | None:
    """``value`` in the portal's zone, ISO 8601 with its offset; None stays None."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value).isoformat()


class PortalJSONEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, with datetimes written by ``api_time`` (JsonResponse's encoder)."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            return api_time(o)
        return super().default(o)
