"""The API's JSON parser: strict about what Python's json module lets through.

DRF's parser already refuses ``NaN`` and ``Infinity``; it still lets a number too large for a
float become ``inf`` (``1e309``: later an OverflowError, a 500) and lets a deeply nested
document (``[[[[...``) exhaust the interpreter's recursion limit (a RecursionError, a 500).
Both are the client's mistake and get a 400 with a message here.
"""

from __future__ import annotations

import codecs
import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("The number %(number)s is too large.") % {"number": text[:40]})
    return value


def _no_constants(name: str):
    raise ValueError(_("%(name)s is not a number JSON allows.") % {"name": name})


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json.loads(text, parse_float=_finite, parse_constant=_no_constants)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        except ValueError as exc:
            raise ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from None
