"""Discharge segments: where they start and end, their energy, how many are listed."""

from __future__ import annotations

import pytest

from certification.parsers.cycler import integration
from tests.certification.parsers.cycler.exports import bdf, summarise


def test_it_splits_discharges_at_charge_and_rest_and_picks_the_largest_as_main():
    rows = [(t, 3.7, -1.0) for t in range(0, 11)]  # 10 s at 1 A
    rows += [(t, 3.9, 1.0) for t in range(11, 21)]
    rows += [(t, 3.7, -2.0) for t in range(21, 41)]  # 19 s at 2 A: the main one
    rows += [(t, 3.7, 0.0) for t in range(41, 45)]
    rows += [(t, 3.7, -1.0) for t in range(45, 50)]

    summary = summarise(bdf(rows))

    assert summary.discharge_segment_count == 3
    assert [s.duration_s for s in summary.segments] == [10, 19, 4]
    assert summary.main_discharge.index == 2
    assert summary.main_discharge.energy_wh == pytest.approx(3.7 * 2 * 19 / 3600)
    assert (summary.main_discharge.first_line, summary.main_discharge.last_line) == (23, 42)


def test_a_step_change_ends_a_segment_and_zero_current_inside_a_step_does_not():
    header = "Test Time / s,Voltage / V,Current / A,Step Index / 1"
    rows = [(t, 3.7, -1.0, 1) for t in range(0, 10)]
    rows += [(10, 3.7, 0.0, 1)]  # a zero reading inside step 1
    rows += [(t, 3.7, -1.0, 1) for t in range(11, 20)]
    rows += [(t, 3.7, -1.0, 2) for t in range(20, 30)]  # still discharging, next step

    summary = summarise(bdf(rows, header))

    assert summary.discharge_segment_count == 2
    first, second = summary.segments
    assert (first.step, first.duration_s, first.rows) == ("1", 19, 20)
    assert first.capacity_ah == pytest.approx(18 / 3600)  # the zero row costs half a second twice
    assert (second.step, second.duration_s) == ("2", 9)


def test_a_zero_current_row_ends_a_segment_when_there_is_no_step_column():
    rows = [(t, 3.7, -1.0) for t in range(0, 10)] + [(10, 3.7, 0.0)]
    rows += [(t, 3.7, -1.0) for t in range(11, 20)]

    assert summarise(bdf(rows)).discharge_segment_count == 2


def test_a_single_discharge_row_is_not_a_segment():
    rows = [(0, 3.7, 0.0), (1, 3.7, -1.0), (2, 3.7, 0.0), (3, 3.7, -1.0), (4, 3.7, -1.0)]

    summary = summarise(bdf(rows))

    assert summary.discharge_segment_count == 1
    assert summary.main_discharge.first_line == 5


def test_it_keeps_a_bounded_list_of_segments_but_always_the_main_one(monkeypatch):
    monkeypatch.setattr(integration, "MAX_SEGMENTS_KEPT", 3)
    rows = []
    for k, seconds in enumerate((5, 5, 5, 5, 50, 5)):
        start = k * 100
        rows += [(start + t, 3.7, -1.0) for t in range(seconds + 1)]
        rows += [(start + 90, 3.7, 0.0)]

    summary = summarise(bdf(rows))

    assert summary.discharge_segment_count == 6
    assert len(summary.segments) == 3
    assert summary.main_discharge.index == 5
    assert summary.main_discharge.duration_s == 50
    assert summary.warnings == ("Only the first 3 of 6 discharge segments are listed.",)
