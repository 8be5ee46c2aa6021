"""The one exception the raw-data parsers (cycler exports, chamber logs) raise.

Both parsers refuse a file the same way, so the Django layer catches one class and translates its
message with ``gettext(error.template) % dict(error.params)``. Also here: the messages both give
for a number too large to compute with.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from certification.vocabulary import gettext_noop

# A value or a result beyond a float's range (about ±1.8e308) would reach the database as
# Infinity, which PostgreSQL refuses in JSON; the parsers refuse the file instead, naming the line.
MSG_NUMBER_TOO_LARGE = gettext_noop(
    'Line %(line)s: column "%(column)s" holds "%(value)s", a number too large to compute with '
    "(numbers must lie within ±1.7e308)."
)
MSG_TIME_TOO_LARGE = gettext_noop(
    "Line %(line)s: the time from the first data row to this one is too large to compute with "
    "(numbers must lie within ±1.7e308); check the time column and its unit."
)


class RawDataRejected(ValueError):
    """A raw instrument file that cannot be summarised; ``message`` says why in plain English.

    ``template`` and ``params`` let the Django layer translate: ``gettext(template) % params``.
    ``line`` is the 1-based line of the file where the problem is, when there is one.
    """

    def __init__(
        self,
        template: str,
        params: Mapping[str, object] | None = None,
        *,
        line: int | None = None,
        file_format: str | None = None,
    ) -> None:
        self.template = template
        self.params = MappingProxyType(dict(params or {}))
        self.message = template % self.params if params else template
        self.line = line
        self.file_format = file_format
        super().__init__(self.message)
