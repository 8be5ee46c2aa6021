"""Test helpers for the streaming parsers."""

from __future__ import annotations

import io
from collections.abc import Iterator


class GeneratedStream(io.RawIOBase):
    """A read-only binary stream over a generator of byte chunks: nothing is held in memory."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
