"""Checks on a finished summary that no vendor's reader can make on its own.

``check_main_discharge``: the main discharge (the segment with the largest energy) must deliver
energy. When even the largest is zero or negative, the voltage over every discharge is zero or
negative: a half cell against a reference electrode, a symmetric cell, or a reversed voltage
column, and not the energy test of a cell. Such a file is refused; a negative "energy" must never
reach the criterion as the discharge energy.
"""

from __future__ import annotations

from certification.parsers.cycler.messages import MSG_NO_POSITIVE_ENERGY
from certification.parsers.cycler.summary import CYCLER_FORMATS, CyclerSummary
from certification.parsers.errors import RawDataRejected


def check_main_discharge(summary: CyclerSummary) -> CyclerSummary:
    """The summary unchanged, or ``RawDataRejected`` when its main discharge has no positive
    energy."""
    main = summary.main_discharge
    if main.energy_wh > 0:
        return summary
    raise RawDataRejected(
        MSG_NO_POSITIVE_ENERGY,
        {
            "first": main.first_line,
            "last": main.last_line,
            "format": CYCLER_FORMATS.get(summary.file_format, summary.file_format),
            "energy": f"{main.energy_wh:.4g}",
            "start": f"{main.start_voltage_v:.4g}",
            "end": f"{main.end_voltage_v:.4g}",
        },
        line=main.first_line,
        file_format=summary.file_format,
    )
