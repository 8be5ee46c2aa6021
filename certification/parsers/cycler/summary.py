"""What a cycler summary holds: the formats, the discharge segments, the warnings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from certification.parsers.cycler.messages import WARN_MORE
from certification.parsers.preview import SeriesPreview

CYCLER_FORMATS: Mapping[str, str] = MappingProxyType(
    {
        "bdf": "Battery Data Format CSV",
        "arbin": "Arbin CSV export",
        "maccor": "Maccor text export",
        "neware": "Neware CSV export",
        "biologic": "BioLogic EC-Lab/BT-Lab .mpt text export",
        "biologic_mpr": "BioLogic EC-Lab .mpr file",
        "neware_ndax": "Neware .ndax file",
        "neware_xlsx": "Neware .xlsx export",
        "arbin_xlsx": "Arbin .xlsx export",
        "xlsx": "cycler export in an .xlsx workbook",
    }
)
ACCEPTED_FORMATS = (
    "Battery Data Format CSV (Test Time / s, Voltage / V, Current / A), Arbin CSV, "
    "Maccor text, Neware CSV (English or Chinese headers) and BioLogic .mpt text; binary: "
    "BioLogic .mpr, Neware .ndax, Neware or Arbin .xlsx"
)

# At most this many warnings are listed; one more line sums up the rest.
MAX_WARNINGS = 20


@dataclass(frozen=True)
class DischargeSegment:
    """One discharge: a contiguous run of rows with negative current (in the vendor's step).

    Times are seconds from the file's first data row (a chart marks the segment from
    ``start_time_s`` for ``duration_s``); lines are 1-based lines of the file (records of a
    binary file).
    """

    index: int  # 1-based position among all discharge segments of the file
    first_line: int
    last_line: int
    rows: int
    step: str | None  # the vendor's step index (and cycle, "cycle/step") where the file has one
    start_time_s: float
    duration_s: float
    energy_wh: float  # ∫ V·|I| dt
    capacity_ah: float  # ∫ |I| dt
    mean_current_a: float  # capacity / duration, a positive number
    start_voltage_v: float
    end_voltage_v: float


@dataclass(frozen=True)
class CyclerSummary:
    file_format: str  # a key of CYCLER_FORMATS
    encoding: str
    rows_read: int  # data rows, header and preamble excluded, skipped glitch rows included
    rows_skipped: int  # rows dropped as isolated time glitches
    duration_s: float  # first to last data row
    discharge_segment_count: int
    segments: tuple[DischargeSegment, ...]  # the first MAX_SEGMENTS_KEPT, in file order
    main_discharge: DischargeSegment  # the segment with the largest energy
    warnings: tuple[str, ...] = field(default=())
    # Downsampled series for a chart, keys "voltage_v" and "current_a" (discharge negative);
    # times in seconds from the first data row, as the segments' start_time_s.
    preview: Mapping[str, SeriesPreview] = field(default_factory=lambda: MappingProxyType({}))


class Warnings:
    """The warnings of one file: the first MAX_WARNINGS in full, then a count of the rest."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.dropped = 0

    def add(self, template: str, params: Mapping[str, object]) -> None:
        if len(self.items) < MAX_WARNINGS:
            self.items.append(template % params)
        else:
            self.dropped += 1

    def as_tuple(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.items, WARN_MORE % {"count": self.dropped})
        return tuple(self.items)
