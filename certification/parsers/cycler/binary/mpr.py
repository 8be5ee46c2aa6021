"""BioLogic EC-Lab .mpr files, read with galvani (GPL-3.0-or-later).

galvani's ``MPRfile`` decodes the modules of the file (settings, data, log). From the data we
take ``time/s``, the cell voltage (``Ecell/V``, else ``Ewe/V``; galvani names ``<Ewe>/V`` so
too), the current (``I/mA`` or ``<I>/mA``, to amperes; BioLogic's sign is already discharge
negative) and the sequence step ``Ns``. EC-Lab's GCPL often records no current column, only the
charge passed since the record before (``dq/mA.h``): the current is then that charge over the
time between the two records, with a warning.

The first byte of the settings module names the technique; the IDs of techniques that cannot be
an energy test (``NON_CYCLING``) are refused naming the technique, as the .mpt reader does from
its header. The IDs are those of cheminfo/biologic-converter's ``techniqueFromId`` (MIT), which
took them from dgbowl/yadg.
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
from galvani import BioLogic

from certification.parsers.cycler.checks import check_main_discharge
from certification.parsers.cycler.columnar import Progress, summarise_columns
from certification.parsers.cycler.messages import (
    MSG_BINARY_TECHNIQUE,
    MSG_MPR_BAD,
    MSG_MPR_COLUMNS,
    WARN_CURRENT_FROM_DQ,
)
from certification.parsers.cycler.summary import CyclerSummary
from certification.parsers.errors import RawDataRejected

FORMAT = "biologic_mpr"
NON_CYCLING = {
    0x06: "Cyclic Voltammetry",
    0x0B: "Open Circuit Voltage",
    0x18: "Chronoamperometry / Chronocoulometry",
    0x1C: "Wait",
    0x1D: "Potentio Electrochemical Impedance Spectroscopy",
    0x1E: "Galvano Electrochemical Impedance Spectroscopy",
    0x32: "IR compensation (PEIS)",
    0x6C: "Linear Sweep Voltammetry",
}
_VOLTAGE = ("Ecell/V", "Ewe/V", "<Ewe>/V")
_CURRENT = ("I/mA", "<I>/mA")
_MA = 1e-3
_SECONDS_PER_HOUR = 3600.0
# What galvani raises on a damaged or unknown file (it asserts some of its expectations).
_GALVANI_ERRORS = (
    ValueError,
    AssertionError,
    OSError,
    EOFError,
    NotImplementedError,
    KeyError,
    IndexError,
    TypeError,
)


def summarise(
    stream: BinaryIO, *, progress: Progress | None = None, max_duration_s: float | None = None
) -> CyclerSummary:
    try:
        mpr = BioLogic.MPRfile(stream)
    except _GALVANI_ERRORS as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise RawDataRejected(MSG_MPR_BAD, {"detail": detail}, file_format=FORMAT) from None
    _refuse_non_cycling(mpr)
    data = mpr.data
    fields = data.dtype.names or ()
    voltage = next((name for name in _VOLTAGE if name in fields), None)
    current = next((name for name in _CURRENT if name in fields), None)
    missing = [
        what
        for what, found in (
            ("time/s", "time/s" in fields),
            ("a cell voltage (Ewe/V or Ecell/V)", voltage is not None),
            ("a current (I/mA or dq/mA.h)", current is not None or "dq/mA.h" in fields),
        )
        if not found
    ]
    if missing or voltage is None:
        raise RawDataRejected(
            MSG_MPR_COLUMNS,
            {
                "missing": ", ".join(missing),
                "columns": ", ".join(f for f in fields if f != "flags"),
            },
            file_format=FORMAT,
        )
    time_s = np.asarray(data["time/s"], dtype=np.float64)
    warnings: list[str] = []
    if current is not None:
        current_a = np.asarray(data[current], dtype=np.float64) * _MA
    else:
        current_a = current_from_charge(time_s, np.asarray(data["dq/mA.h"], dtype=np.float64))
        warnings.append(WARN_CURRENT_FROM_DQ)
    step = np.asarray(data["Ns"]) if "Ns" in fields else None
    summary = summarise_columns(
        time_s,
        np.asarray(data[voltage], dtype=np.float64),
        current_a,
        step,
        file_format=FORMAT,
        warnings=warnings,
        progress=progress,
        max_duration_s=max_duration_s,
    )
    return check_main_discharge(summary)


def current_from_charge(time_s: np.ndarray, dq_mah: np.ndarray) -> np.ndarray:
    """Amperes from the charge passed since the record before (mA·h) and the time between;
    zero for the first record and where no time passed."""
    current = np.zeros(len(time_s))
    if len(time_s) > 1:
        dt = np.diff(time_s)
        dq = dq_mah[1:] * _MA * _SECONDS_PER_HOUR  # A·s
        np.divide(dq, dt, out=current[1:], where=dt > 0)
    return current


def _refuse_non_cycling(mpr: BioLogic.MPRfile) -> None:
    settings = next((m for m in mpr.modules if m["shortname"].startswith(b"VMP Set")), None)
    if settings is None or not settings["data"]:
        return
    technique = NON_CYCLING.get(settings["data"][0])
    if technique is not None:
        raise RawDataRejected(MSG_BINARY_TECHNIQUE, {"technique": technique}, file_format=FORMAT)
