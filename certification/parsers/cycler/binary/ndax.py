"""Neware .ndax files (BTS 8 and later), decoded with fastnda (BSD-3-Clause).

An .ndax is a ZIP container: ``data.ndc`` holds the records (voltage, current), and in newer
versions ``data_runInfo.ndc`` their times and ``data_step.ndc`` the steps. The container has
passed ``zipguard`` before we get it; we inflate those members ourselves and let fastnda decode
them (``read_ndc``), then join and fill them as fastnda's own ``read_ndax`` does (its
``_data_interpolation`` and ``_add_total_time``: fastnda reads only from a path, and the pure
core reads only the stream it is given). Hence the pinned fastnda version in pyproject.toml.

Columns: ``total_time_s`` (the test time), ``voltage_V``, ``current_mA`` (Neware writes
discharge negative), and ``step_count`` (a running count of the steps, so a new step always has
a new number).
"""

from __future__ import annotations

import warnings
import zipfile

import numpy as np

from certification.parsers.cycler.binary.zipguard import names, read_member
from certification.parsers.cycler.checks import check_main_discharge
from certification.parsers.cycler.columnar import Progress, summarise_columns
from certification.parsers.cycler.messages import MSG_NDAX_BAD, MSG_NDAX_MISSING
from certification.parsers.cycler.summary import CyclerSummary
from certification.parsers.errors import RawDataRejected

FORMAT = "neware_ndax"
DATA = "data.ndc"
RUN_INFO = "data_runInfo.ndc"
STEPS = "data_step.ndc"
_MA = 1e-3
# What fastnda and polars raise on members they cannot decode.
_DECODE_ERRORS = (ValueError, NotImplementedError, KeyError, IndexError, TypeError, OSError)


def summarise(
    archive: zipfile.ZipFile,
    *,
    progress: Progress | None = None,
    max_duration_s: float | None = None,
) -> CyclerSummary:
    members = names(archive)
    if DATA not in members:
        raise RawDataRejected(MSG_NDAX_MISSING, {"member": DATA}, file_format=FORMAT)
    buffers = {
        name: read_member(archive, name, FORMAT)
        for name in (DATA, RUN_INFO, STEPS)
        if name in members
    }
    archive.close()
    try:
        time_s, voltage_v, current_a, step = _columns(buffers)
    except _DECODE_ERRORS as exc:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise RawDataRejected(MSG_NDAX_BAD, {"detail": detail}, file_format=FORMAT) from None
    summary = summarise_columns(
        time_s,
        voltage_v,
        current_a,
        step,
        file_format=FORMAT,
        progress=progress,
        max_duration_s=max_duration_s,
    )
    return check_main_discharge(summary)


def _columns(
    buffers: dict[str, bytes],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Time (s), voltage (V), current (A) and step count of each record."""
    import polars as pl
    from fastnda._ndc import read_ndc
    from fastnda.ndax import _data_interpolation
    from fastnda.utils import _add_total_time

    with warnings.catch_warnings():
        # fastnda warns of .ndc versions it has not verified; the summary's checks still apply.
        warnings.simplefilter("ignore")
        frames = {name: read_ndc(data) for name, data in buffers.items() if data}
    if DATA not in frames:
        raise ValueError(f"{DATA} is empty")
    df = frames[DATA]
    if RUN_INFO in frames:
        df = _data_interpolation(df.join(frames[RUN_INFO], how="left", on="index"))
        if STEPS in frames:
            df = df.join(frames[STEPS], how="left", on="step_count")
    if "total_time_s" not in df.columns:
        df = _add_total_time(df)
    df = df.sort("index") if "index" in df.columns else df
    time_s = df["total_time_s"].cast(pl.Float64).to_numpy()
    voltage_v = df["voltage_V"].cast(pl.Float64).to_numpy()
    current_a = df["current_mA"].cast(pl.Float64).to_numpy() * _MA
    step = df["step_count"].to_numpy() if "step_count" in df.columns else None
    return time_s, voltage_v, current_a, step
