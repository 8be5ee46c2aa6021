"""BioLogic EC-Lab / BT-Lab .mpt text exports.

The first line names the program, the second gives the number of header lines; the column line
is the last of them. Tab-separated, Windows-1252 text, often decimal commas; ``time/s``,
``Ecell/V`` or ``Ewe/V``, ``I/mA``, ``Ns`` (the sequence step) and ``cycle number``.
"""

from __future__ import annotations

import re

from certification.parsers.cycler.columns import Column, Layout, Vendor, column
from certification.parsers.cycler.messages import MSG_BIOLOGIC_HEADER
from certification.parsers.errors import RawDataRejected
from certification.parsers.textstream import LineSource

VENDOR = Vendor(
    "biologic",
    test_time=("time",),
    voltage=("ecell", "ewe"),
    current=("i",),
    step=("ns",),
    cycle=("cyclenumber",),
)
# The first line of an .mpt file. BioLogic writes Windows-1252 text whatever the language, and
# GB18030 would also "decode" its µ and ° bytes, so a file that starts so is read as latin-1
# unless it is UTF-8.
FIRST_LINES = ("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")
MARKERS = tuple(text.encode("ascii") for text in FIRST_LINES)
MAX_HEADER_LINES = 5000
LOOKED_FOR = 'BioLogic (a first line "EC-Lab ASCII FILE" or "BT-Lab ASCII FILE")'


def recognises(names: set[str], columns: list[Column]) -> bool:
    """A time, a current ("I") and a cell or working-electrode voltage column."""
    return bool("time" in names and "i" in names and names & {"ewe", "ecell"})


def starts_file(first_line: str) -> bool:
    return first_line.lstrip("\ufeff").startswith(FIRST_LINES)


def read_header(lines: LineSource) -> Layout:
    """The header block after the first line: its length, then the column line that ends it."""
    match = re.match(r"\s*Nb header lines\s*:\s*(\d+)", lines.readline())
    count = int(match[1]) if match else 0
    if not 3 <= count <= MAX_HEADER_LINES:
        raise RawDataRejected(MSG_BIOLOGIC_HEADER, line=2, file_format="biologic")
    while lines.line_no < count - 1:
        if not lines.readline():
            break
    header = lines.readline().rstrip("\r\n")
    columns = [column(i, label) for i, label in enumerate(header.split("\t"))]
    return Layout(VENDOR, "\t", lines.line_no, columns)
