"""Downsampled previews: extremes survive, memory stays flat, small series are kept whole."""

from __future__ import annotations

import numpy as np
import pytest

from certification.parsers.preview import PreviewBuilder, SeriesPreview


def _feed(builder: PreviewBuilder, t: np.ndarray, y: np.ndarray, batch: int) -> None:
    for start in range(0, len(t), batch):
        builder.add(t[start : start + batch], y[start : start + batch])


def test_a_one_sample_spike_in_ten_million_points_is_in_the_preview():
    n = 10_000_000
    t = np.arange(n, dtype=np.float64) * 0.1
    y = 3.7 + 0.01 * np.sin(t / 500.0)
    y[7_654_321] = 9.5  # one sample
    y[1_234_567] = -2.0  # and one trough
    builder = PreviewBuilder(points=2000)
    _feed(builder, t, y, 1_000_000)
    preview = builder.result()
    assert len(preview.t) == 2000 == len(preview.y)
    assert 9.5 in preview.y and -2.0 in preview.y
    spike = preview.y.index(9.5)
    assert preview.t[spike] == pytest.approx(765_432.1)
    assert list(preview.t) == sorted(preview.t)
    assert preview.t[0] == 0.0 and preview.t[-1] == pytest.approx((n - 1) * 0.1)


def test_memory_stays_flat_whatever_the_length():
    builder = PreviewBuilder(points=500)
    rng = np.random.default_rng(1)
    held = []
    for k in range(200):
        t = np.arange(k * 5000, (k + 1) * 5000, dtype=np.float64)
        builder.add(t, rng.normal(size=5000))
        held.append(builder.held)
    assert max(held) <= 24 * 500
    assert len(builder.result().t) == 500


def test_small_chunks_from_a_row_loop_give_the_same_extremes():
    n = 300_000
    t = np.linspace(0.0, 3600.0, n)
    y = np.cos(t / 100.0)
    y[123_456] = 5.0
    builder = PreviewBuilder(points=1000)
    _feed(builder, t, y, 4096)
    preview = builder.result()
    assert len(preview.t) == 1000 and 5.0 in preview.y
    assert min(preview.y) == pytest.approx(-1.0, abs=1e-3)


def test_a_series_shorter_than_the_points_is_kept_whole():
    builder = PreviewBuilder(points=2000)
    builder.add(np.array([10.0, 11.0, 12.5]), np.array([3.0, 3.1, 3.2]))
    builder.add(np.array([13.0]), np.array([3.3]))
    assert builder.result() == SeriesPreview(t=(0.0, 1.0, 2.5, 3.0), y=(3.0, 3.1, 3.2, 3.3))


def test_times_are_scaled_to_seconds_from_the_first_sample():
    builder = PreviewBuilder(points=10)
    builder.add(np.array([2.0, 3.0]), np.array([1.0, 2.0]))
    assert builder.result(time_scale=60.0).t == (0.0, 60.0)


def test_an_empty_builder_gives_an_empty_preview():
    assert PreviewBuilder().result() == SeriesPreview((), ())


def test_a_series_at_one_time_only_is_reduced_without_looping():
    builder = PreviewBuilder(points=100)
    builder.add(np.zeros(50_000), np.arange(50_000, dtype=np.float64))
    preview = builder.result()
    assert len(preview.t) <= 100 and 49_999.0 in preview.y and 0.0 in preview.y


def test_mismatched_arrays_are_refused():
    with pytest.raises(ValueError):
        PreviewBuilder().add(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError):
        PreviewBuilder(points=2)
