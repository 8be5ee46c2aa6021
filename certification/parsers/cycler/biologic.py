"""BioLogic EC-Lab / BT-Lab .mpt text exports.

The first line names the program, the second gives the number of header lines; the column line
is the last of them. Tab-separated, Windows-1252 text, often decimal commas; ``time/s``,
``Ecell/V`` or ``Ewe/V``, ``I/mA``, ``Ns`` (the sequence step) and ``cycle number``.

The header names the technique (the fourth line, or one line after each ``Technique : n`` of
linked techniques). A file whose every technique cannot be an energy test (voltammetry,
impedance, open-circuit voltage, chronoamperometry, ...: ``NON_CYCLING``) is refused naming it;
cycling and constant-current techniques (GCPL, Modulo Bat, Chronopotentiometry, ...) and
techniques not listed are read.
"""

from __future__ import annotations

import re

from certification.parsers.cycler.columns import Column, Layout, Vendor, column
from certification.parsers.cycler.messages import MSG_BIOLOGIC_HEADER, MSG_BIOLOGIC_TECHNIQUE
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
# Words of EC-Lab technique names that hold the potential, sweep it, measure impedance or only
# watch: none of these runs the constant-current discharge whose energy the criterion needs.
NON_CYCLING = (
    "voltammetry",  # CV, CVA, LSV, DPV, SWV, NPV, ...
    "voltamperometry",
    "impedance",  # PEIS, GEIS, SPEIS, SGEIS, ZIR "IR compensation (PEIS)"
    "ir compensation",
    "open circuit voltage",  # OCV
    "wait",
    "chronoamperometry",  # CA (potential held)
    "potentiostatic",
    "linear polarization",
    "polarization resistance",
    "tafel",
    "corrosion",
    "mott-schottky",
    "zero resistance ammeter",
)
_TECHNIQUE_NUMBER = re.compile(r"\s*Technique\s*:\s*\d+\s*$")


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
    techniques: list[tuple[int, str]] = []  # (line, name)
    after_number = False
    while lines.line_no < count - 1:
        line = lines.readline()
        if not line:
            break
        text = line.strip()
        if (lines.line_no == 4 or after_number) and text:
            techniques.append((lines.line_no, text))
        after_number = bool(_TECHNIQUE_NUMBER.fullmatch(line))
    _refuse_non_cycling(techniques)
    header = lines.readline().rstrip("\r\n")
    columns = [column(i, label) for i, label in enumerate(header.split("\t"))]
    return Layout(VENDOR, "\t", lines.line_no, columns)


def is_cycling(technique: str) -> bool:
    """False for a technique that cannot be an energy test (see ``NON_CYCLING``)."""
    name = technique.lower()
    return not any(word in name for word in NON_CYCLING)


def _refuse_non_cycling(techniques: list[tuple[int, str]]) -> None:
    """Refuse a file whose every technique is one of ``NON_CYCLING``; the fourth line of a file
    of linked techniques is no name ("Number of linked techniques : 2") and is skipped."""
    named = [(line, name) for line, name in techniques if " : " not in name]
    if named and not any(is_cycling(name) for _, name in named):
        raise RawDataRejected(
            MSG_BIOLOGIC_TECHNIQUE,
            {"line": named[0][0], "technique": ", ".join(name for _, name in named)},
            line=named[0][0],
            file_format="biologic",
        )
