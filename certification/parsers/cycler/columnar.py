"""Cycler data already in columns: the summary computed over numpy arrays, batch by batch.

For binary exports (.mpr, .ndax, .xlsx), whose readers hand over whole columns, and for the
fast path of the text formats (``fastcsv``), which reads them in column batches. The results are
those of the row loop (``scan``), to the last bit: same segments, same sums in the same order,
same warnings and line numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from certification.parsers.cycler.summary import CyclerSummary

# progress(rows_read, bytes_read)
Progress = Callable[[int, int], None]


def summarise_columns(
    time_s: np.ndarray,
    voltage_v: np.ndarray,
    current_a: np.ndarray,
    step: np.ndarray | None = None,
    *,
    file_format: str,
    encoding: str = "",
    warnings: Iterable[str] = (),
    progress: Progress | None = None,
    max_duration_s: float | None = None,
) -> CyclerSummary:
    """Summarise a cycler file read into columns (one value per record, in file order).

    ``time_s`` in seconds (test time), ``voltage_v`` in volts, ``current_a`` in amperes with the
    sign normalised (charge positive, discharge negative); ``step`` the vendor's step index per
    record, where the file has one (a change of step ends a segment, and zero-current records
    inside a discharge step do not). ``file_format`` is a key of ``CYCLER_FORMATS``;
    ``warnings`` are the reader's own, listed first. Record k (0-based) is reported as line
    k + 1. Raises ``RawDataRejected`` as ``summarise_cycler`` does (a NaN names its record).
    """
    raise NotImplementedError  # the engine lands in the next commit
