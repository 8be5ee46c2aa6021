"""The one exception the raw-data parsers (cycler exports, chamber logs) raise.

Both parsers refuse a file the same way, so the Django layer catches one class and translates its
message with ``gettext(error.template) % dict(error.params)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


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
