"""Text exports as a stream of lines: encoding, binary refusal, bounded lines, CSV fields.

Shared by the cycler and chamber-log parsers. A binary upload is read as text lazily: only the
first 64 kB are read ahead, to refuse binary files and choose the encoding; the rest is decoded
as the rows are read, so memory stays bounded whatever the file's size. Every line is bounded in
length too, so a file without line ends cannot fill memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import BinaryIO, Protocol, TextIO

from certification.parsers.errors import RawDataRejected
from certification.vocabulary import gettext_noop

PREFIX_BYTES = 64 * 1024
MAX_LINE_CHARS = 1024 * 1024

MSG_EMPTY = gettext_noop("The file is empty.")
MSG_BINARY = gettext_noop(
    "This is %(what)s, a binary file. Accepted are text exports: %(accepted)s. "
    "Export the data as text (CSV or .mpt) and upload that."
)
MSG_BAD_TEXT = gettext_noop(
    "The file is not %(encoding)s text throughout: bytes that cannot be decoded follow line "
    "%(line)s (text is decoded in blocks, so they may be some lines further on); save it as "
    "UTF-8 (or GB18030)."
)
MSG_LINE_TOO_LONG = gettext_noop(
    "Line %(line)s is longer than %(limit)s characters; this is not a cycler text export."
)
MSG_LINE_TOO_LONG_DATA = gettext_noop(
    "A line is longer than %(limit)s characters; this is not a cycler text export."
)

_BINARY_MAGIC = (
    (b"PK\x03\x04", "a ZIP container (an .xlsx workbook or an archive)"),
    (b"BIO-LOGIC MODULAR FILE", "a BioLogic .mpr file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls (or other OLE) file"),
    (b"\x00\x01\x00\x00Standard Jet DB", "an Arbin .res (Access) database"),
    (b"\x00\x01\x00\x00Standard ACE DB", "an Arbin .res (Access) database"),
    (b"PAR1", "a Parquet file"),
    (b"\x89HDF", "an HDF5 file"),
    (b"%PDF", "a PDF document"),
)


class _PrefixedRaw(io.RawIOBase):
    """The bytes already read for sniffing, then the rest of the caller's stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        if not data:
            return 0
        n = len(data)
        buffer[:n] = data
        return n


def _read_prefix(stream: BinaryIO, size: int = PREFIX_BYTES) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        decoder.decode(data, final=False)  # the prefix may end inside a character
    except UnicodeDecodeError:
        return False
    return True


def sniff_text_encoding(prefix: bytes, *, latin1_first: bool = False) -> str:
    """Encoding of a text export from its first bytes: BOM, UTF-8, GB18030, then latin-1.

    ``latin1_first`` prefers latin-1 over GB18030 when the bytes are not UTF-8 (BioLogic writes
    Windows-1252; GB18030 would also "decode" its µ and ° bytes, into Chinese characters).
    """
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if prefix.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(prefix, "utf-8"):
        return "utf-8"
    if not latin1_first and _decodes(prefix, "gb18030"):
        return "gb18030"
    return "latin-1"


def reject_binary(prefix: bytes, accepted: str) -> None:
    """Refuse a binary file with a message naming the text formats that are accepted."""
    for magic, what in _BINARY_MAGIC:
        if prefix.startswith(magic):
            raise RawDataRejected(MSG_BINARY, {"what": what, "accepted": accepted})
    head = prefix[:4096]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RawDataRejected(MSG_BINARY, {"what": "not a text file", "accepted": accepted})


def open_text_stream(
    stream: BinaryIO, *, accepted: str, latin1_markers: tuple[bytes, ...] = ()
) -> tuple[TextIO, str]:
    """Wrap a binary stream as text, choosing the encoding from its first 64 kB.

    Nothing but that prefix is read ahead; the returned text stream reads the rest lazily.
    Raises ``RawDataRejected`` for an empty or binary file (``accepted`` names what is accepted
    instead). A file that starts with one of ``latin1_markers`` is read as latin-1 unless it is
    UTF-8 (see ``sniff_text_encoding``).
    """
    prefix = _read_prefix(stream)
    if not prefix.strip():
        raise RawDataRejected(MSG_EMPTY)
    reject_binary(prefix, accepted)
    encoding = sniff_text_encoding(prefix, latin1_first=prefix.startswith(latin1_markers))
    raw = _PrefixedRaw(prefix, stream)
    text = io.TextIOWrapper(io.BufferedReader(raw, 64 * 1024), encoding=encoding, newline="")
    return text, encoding


class CsvReader(Protocol):
    """What ``csv.reader`` returns: rows, and the number of lines read so far."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


class LineSource:
    """Lines of a text stream, each bounded in length (a file without line ends cannot fill
    memory), counting line numbers."""

    def __init__(self, text: TextIO, encoding: str) -> None:
        self._readline = text.readline
        self._pending: list[str] = []
        self.encoding = encoding
        self.line_no = 0

    def unread(self, line: str) -> None:
        """Give back a line read ahead (the last one read goes back first)."""
        if line:
            self._pending.append(line)
            self.line_no -= 1

    def readline(self) -> str:
        if self._pending:
            self.line_no += 1
            return self._pending.pop()
        try:
            line = self._readline(MAX_LINE_CHARS)
        except UnicodeDecodeError:
            raise RawDataRejected(
                MSG_BAD_TEXT, {"encoding": self.encoding, "line": self.line_no}
            ) from None
        if line:
            self.line_no += 1
            if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                raise RawDataRejected(
                    MSG_LINE_TOO_LONG,
                    {"line": self.line_no, "limit": MAX_LINE_CHARS},
                    line=self.line_no,
                )
        return line

    def only_blank_lines_left(self) -> bool:
        """Read ahead: True when nothing but blank lines follows (consumes them). Meant for
        deciding, at a bad row, whether it was the last one; the caller stops reading after."""
        while line := self.readline():
            if line.strip():
                self.unread(line)
                return False
        return True

    def __iter__(self) -> Iterator[str]:
        """The remaining lines, fast: no line counting (the csv reader counts), so a decoding
        error surfaces as UnicodeDecodeError for the caller to place."""
        while self._pending:
            yield self.readline()
        readline = self._readline
        while line := readline(MAX_LINE_CHARS):
            if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                raise RawDataRejected(MSG_LINE_TOO_LONG_DATA, {"limit": MAX_LINE_CHARS})
            yield line


def guess_delimiter(line: str) -> str:
    """The delimiter of a header line: tab, else semicolon if more than commas, else comma."""
    if "\t" in line:
        return "\t"
    return ";" if line.count(";") > line.count(",") else ","


def split_line(line: str, delimiter: str) -> list[str]:
    """The fields of one line, quotes honoured as a CSV reader would."""
    return next(csv.reader([line], delimiter=delimiter), [])
