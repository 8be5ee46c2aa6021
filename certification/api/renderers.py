"""The API's JSON renderer: DRF's, with every datetime that reaches it unserialised (a dict
built by a selector) written in the portal's zone like DRF's own fields
(``certification.timestamps``)."""

from __future__ import annotations

import datetime as dt

from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from certification.timestamps import api_time


class PortalJSONEncoder(JSONEncoder):
    def default(self, obj):
        if isinstance(obj, dt.datetime):
            return api_time(obj)
        return super().default(obj)


class PortalJSONRenderer(JSONRenderer):
    encoder_class = PortalJSONEncoder
