"""Which cycler wrote a file, from its header; never from the file's name.

The header is the first line, within a preamble of up to ``MAX_PREAMBLE_LINES`` lines, whose
columns one vendor family recognises; a BioLogic .mpt file announces itself on its first line and
says how long its header is, and a Neware regular export has three header lines.
"""

from __future__ import annotations

from collections.abc import Callable

from certification.parsers.cycler import arbin, bdf, biologic, maccor, neware
from certification.parsers.cycler.columns import Column, Layout, Vendor, column
from certification.parsers.cycler.messages import MSG_UNKNOWN_FORMAT
from certification.parsers.errors import RawDataRejected
from certification.parsers.textstream import LineSource, guess_delimiter, split_line

MAX_PREAMBLE_LINES = 200

# Tried in this order, the first match wins: a Maccor header may also have "current", an Arbin
# one also matches the BDF test (test time and current), a Neware one may have "voltage".
_FAMILIES: tuple[tuple[Vendor, Callable[[set[str], list[Column]], bool]], ...] = (
    (maccor.VENDOR, maccor.recognises),
    (arbin.VENDOR, arbin.recognises),
    (bdf.VENDOR, bdf.recognises),
    (biologic.VENDOR, biologic.recognises),
    (neware.VENDOR, neware.recognises),
)
LOOKED_FOR = "; ".join(
    (maccor.LOOKED_FOR, arbin.LOOKED_FOR, bdf.LOOKED_FOR, biologic.LOOKED_FOR, neware.LOOKED_FOR)
)
# At most this much of the first line is quoted by the header-not-found message.
_QUOTE_CHARS = 80


def identify(columns: list[Column]) -> Vendor | None:
    """The vendor family whose columns these are, or None."""
    names = {c.name for c in columns}
    for vendor, recognises in _FAMILIES:
        if recognises(names, columns):
            return vendor
    return None


def read_header(lines: LineSource) -> Layout:
    """Read up to and including the header; the next line read is the first data row."""
    first = lines.readline()
    if biologic.starts_file(first):
        return biologic.read_header(lines)
    line = first
    quoted: str | None = None  # the first line with text, for the message
    for _ in range(MAX_PREAMBLE_LINES):
        if not line:
            break
        text = line.rstrip("\r\n")
        if text.strip():
            if quoted is None:
                quoted = " ".join(text.lstrip("\ufeff").split())
            delimiter = guess_delimiter(text)
            columns = [column(i, label) for i, label in enumerate(split_line(text, delimiter))]
            if neware.may_start_hierarchy(columns):
                layout = neware.read_hierarchy_header(lines, delimiter)
                if layout is not None:
                    return layout
            vendor = identify(columns)
            if vendor is maccor.VENDOR:
                columns = maccor.milli_units(columns)
            if vendor is not None:
                return Layout(vendor, delimiter, lines.line_no, columns)
        line = lines.readline()
    quoted = quoted or ""
    if len(quoted) > _QUOTE_CHARS:
        quoted = quoted[: _QUOTE_CHARS - 1] + "…"
    raise RawDataRejected(
        MSG_UNKNOWN_FORMAT, {"lines": MAX_PREAMBLE_LINES, "first": quoted, "looked_for": LOOKED_FOR}
    )
