"""Downsampled previews of long time series that keep their peaks and troughs.

A chart of a 10-million-row cycler file must draw at once, so the parser stores about 2,000
points of each series. Plain decimation would drop a one-sample spike; this keeps, as the data
streams past, every time bucket's first, last, lowest and highest sample (M4), then picks the
final points with tsdownsample's MinMaxLTTB (min/max preselection, then largest-triangle-three-
buckets), which keeps extremes and draws like the original.

Streaming with flat memory: ``PreviewBuilder.add`` takes one batch at a time (the columnar reader's
batches, or a few thousand rows from the row loop). A large batch is first cut to the lowest and
highest sample of each run of ``_BLOCK`` consecutive samples (cheap, and an extreme survives);
whenever the kept samples exceed ``_KEEP_FACTOR`` · points, they are reduced to M4 over at most
``_BUCKET_FACTOR`` · points equal time buckets, and the bucket width doubles as the time axis
grows. So the builder holds a few ten thousand samples whatever the length of the series.

Pure: numpy arrays in, a frozen ``SeriesPreview`` out. Times must not decrease and values must
not be NaN (callers drop NaN rows and time glitches before adding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tsdownsample import MinMaxLTTBDownsampler

DEFAULT_POINTS = 2000
_BLOCK = 64  # samples per block in the first cut of a large batch
_BUCKET_FACTOR = 4  # time buckets kept, per output point
_KEEP_FACTOR = 24  # kept samples that trigger a reduction, per output point
_MIN_POINTS = 3  # LTTB needs the first, the last and one between


@dataclass(frozen=True)
class SeriesPreview:
    """At most ``points`` samples of a series, in time order; ``t`` in seconds since the
    first sample of the series."""

    t: tuple[float, ...]
    y: tuple[float, ...]


class PreviewBuilder:
    """Collects a series batch by batch and downsamples it (see the module docstring)."""

    def __init__(self, points: int = DEFAULT_POINTS) -> None:
        if points < _MIN_POINTS:
            raise ValueError(f"a preview needs at least {_MIN_POINTS} points")
        self.points = points
        self._origin: float | None = None
        self._width: float | None = None  # time-bucket width, once a reduction happened
        self._parts_t: list[np.ndarray] = []
        self._parts_y: list[np.ndarray] = []
        self._held = 0  # samples in the parts
        self._added = 0  # samples added in all

    @property
    def held(self) -> int:
        """Samples held now (bounded whatever was added; for tests)."""
        return self._held

    def add(self, t: np.ndarray, y: np.ndarray) -> None:
        """Add a batch: times (non-decreasing, continuing the previous batch) and values."""
        t = np.asarray(t, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if t.shape != y.shape or t.ndim != 1:
            raise ValueError("t and y must be one-dimensional arrays of the same length")
        n = len(t)
        if n == 0:
            return
        if self._origin is None:
            self._origin = float(t[0])
        self._added += n
        limit = _KEEP_FACTOR * self.points
        if n >= 4 * _BLOCK and self._added > limit:
            t, y = _block_extremes(t, y)
        else:  # the caller may reuse its buffers
            t, y = t.copy(), y.copy()
        self._parts_t.append(t)
        self._parts_y.append(y)
        self._held += len(t)
        if self._held > limit:
            self._reduce()

    def result(self, time_scale: float = 1.0) -> SeriesPreview:
        """The preview: all samples when there are at most ``points``, else ``points`` chosen
        by MinMaxLTTB. ``time_scale`` converts the time unit of the added samples to seconds."""
        if self._origin is None:
            return SeriesPreview((), ())
        t, y = self._joined()
        if len(t) > self.points:
            # Bins in time; in sample order when all samples share one time (tsdownsample
            # cannot bin a zero-length axis).
            x = t if t[-1] > t[0] else np.arange(len(t), dtype=np.float64)
            index = MinMaxLTTBDownsampler().downsample(x, y, n_out=self.points)
            t, y = t[index], y[index]
        seconds = (t - self._origin) * time_scale
        return SeriesPreview(tuple(seconds.tolist()), tuple(y.tolist()))

    def _joined(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self._parts_t) > 1:
            self._parts_t = [np.concatenate(self._parts_t)]
            self._parts_y = [np.concatenate(self._parts_y)]
        return self._parts_t[0], self._parts_y[0]

    def _reduce(self) -> None:
        """M4 over equal time buckets; the width doubles until there are few enough."""
        t, y = self._joined()
        assert self._origin is not None
        buckets = _BUCKET_FACTOR * self.points
        if self._width is None:
            span = float(t[-1]) - self._origin
            self._width = span / (buckets // 2) if span > 0 else 1.0
        for _ in range(64):  # a width doubled 64 times covers any finite span
            index = _m4(t, y, self._origin, self._width, buckets)
            if index is not None:
                t, y = t[index], y[index]
                break
            self._width *= 2
        self._parts_t, self._parts_y = [t], [y]
        self._held = len(t)


def _block_extremes(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each block's lowest and highest sample (in time order), then the tail that fills no
    whole block; the first and last samples are kept too."""
    n = len(t)
    whole = n - n % _BLOCK
    blocks = y[:whole].reshape(-1, _BLOCK)
    pairs = np.sort(np.stack((blocks.argmin(axis=1), blocks.argmax(axis=1)), axis=1), axis=1)
    index = (pairs + np.arange(0, whole, _BLOCK)[:, None]).ravel()
    index = np.concatenate(([0], index, np.arange(whole, n), [n - 1]))
    index = index[np.concatenate(([True], index[1:] != index[:-1]))]  # sorted: drop repeats
    return t[index], y[index]


def _m4(t: np.ndarray, y: np.ndarray, origin: float, width: float, most: int) -> np.ndarray | None:
    """Indices of each time bucket's first, last, lowest and highest sample; None when the
    samples fall in more than ``most`` buckets of this width."""
    bucket = np.floor((t - origin) / width)
    change = np.flatnonzero(bucket[1:] != bucket[:-1]) + 1
    if len(change) + 1 > most:
        return None
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [len(t)])) - 1
    run = np.repeat(np.arange(len(starts)), ends - starts + 1)
    picks = [starts, ends]
    for extreme in (np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)):
        hits = np.flatnonzero(y == extreme[run])
        first = np.concatenate(([True], run[hits[1:]] != run[hits[:-1]]))
        picks.append(hits[first])
    return np.unique(np.concatenate(picks))
