"""The column path gives the row loop's results exactly; summarise_columns over arrays."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from certification.parsers.cycler import fastcsv
from certification.parsers.cycler.columnar import summarise_columns
from certification.parsers.cycler.scan import summarise_cycler
from certification.parsers.errors import RawDataRejected
from tests.certification.parsers.streams import GeneratedStream

DATA = Path(__file__).resolve().parents[3] / "data" / "cyclers"
TEXT_FILES = sorted(
    p.relative_to(DATA).as_posix()
    for p in DATA.rglob("*")
    if p.is_file()
    and p.suffix.lower() not in (".md", ".mpr", ".xlsx", ".ndax", ".res", ".txt_license")
)


def _outcome(stream):
    try:
        return summarise_cycler(stream)
    except RawDataRejected as exc:
        return (exc.message, exc.line, exc.file_format)


def _both(data: bytes):
    """(column path where it applies, row loop): a one-way stream always takes the row loop."""
    return _outcome(io.BytesIO(data)), _outcome(GeneratedStream(iter([data])))


@pytest.mark.parametrize("name", TEXT_FILES)
def test_every_real_file_gives_the_row_loops_result(name):
    fast, rows = _both((DATA / name).read_bytes())
    assert fast == rows


@pytest.mark.parametrize(
    "name",
    [
        "bdf/SINTEF__SLPBA842124HV__2024-10-23__Rate_25degC__Neware__Time_Bug__lines_7132-9620.bdf.csv",
        "bdf/batmo_bdf__lines_1-569.csv",
        "bdf/sample.bdf.csv",
    ],
)
def test_the_bdf_files_take_the_column_path(name):
    stream = io.BytesIO((DATA / name).read_bytes())
    assert fastcsv.read_columns(stream, 0, None) is not None


HEADER = b"Test Time / s,Voltage / V,Current / A\n"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"0,3.7,1\n1,3.6,-1\n2,3.5,-1\n\n3,3.4,-1\n4,3.4,1\n", id="blank-line"),
        pytest.param(b"0,3.7,1\n1,3.6,-1\n2,3.5,-1\n3,3.4,-1\n4,3.4,1\n\n\n", id="blank-end"),
        pytest.param(b"0,3.7,-1\n1,3.6,-1\n2,3.5,-1\n3,3.4", id="cut-off"),
        pytest.param(b"0,3.7,-1\n1,3.6,-1\n0.5,3.5,-1\n2,3.4,-1\n", id="glitch"),
        pytest.param(
            b"0,3.7,-1\n1,3.6,-1\n0.5,3.5,-1\n0.6,3.5,-1\n0.7,3,-1\n0.8,3,-1\n", id="back"
        ),
        pytest.param(b"0,3.7,-1\n1,3.6,-1\n1,3.5,-1\n2,-3.4,-1\n", id="repeat-negative"),
        pytest.param(b"0,3.7,-1\n1,3.6,-1\n2,x,-1\n", id="not-a-number"),
        pytest.param(b"0,3.7,-1\n1,3.6,-1\n2,inf,-1\n", id="infinite"),
        pytest.param(b'0,3.7,-1\n1,"3.6",-1\n2,3.5,-1\n', id="quoted"),
        pytest.param(b"0,3.7,-1\r\n1,3.6,-1\r\n2,3.5,-1\r\n", id="crlf"),
        pytest.param(b"0,3.7,-1\r1,3.6,-1\r2,3.5,-1\r", id="cr"),
        pytest.param(b"0,3.7,-1\n1,3.6,-1,9\n2,3.5,-1\n", id="extra-field"),
        pytest.param(b"0,3.7,-1\n1,3.6,1_0\n2,3.5,-1\n", id="python-only-number"),
        pytest.param(b"0,3.7,1\n1,3.6,1\n", id="no-discharge"),
        pytest.param(b"", id="header-only"),
    ],
)
def test_unusual_bdf_files_give_the_row_loops_result(body):
    fast, rows = _both(HEADER + body)
    assert fast == rows


def test_a_step_column_splits_segments_and_zero_current_does_not():
    data = (
        b"Test Time / s,Voltage / V,Current / A,Step Index / 1,Cycle Count / 1\n"
        b"0,4.1,-1,1,1\n1,4.0,0,1,1\n2,3.9,-1,1,1\n3,3.8,-1,2,1\n4,3.7,-1,2,1\n5,3.6,1,3,1\n"
    )
    fast, rows = _both(data)
    assert fast == rows
    assert [s.step for s in fast.segments] == ["1/1", "1/2"]


def test_a_long_file_in_many_batches_gives_the_row_loops_result():
    rng = np.random.default_rng(7)
    n = 300_000
    t = np.cumsum(rng.uniform(0.5, 1.5, n))
    t[[1000, 150_000, 150_001]] = 5.0  # glitches
    current = np.where((np.arange(n) // 7000) % 3 == 1, -1.5, 1.0)
    current[rng.integers(0, n, 50)] = 0.0
    voltage = 3.7 + 0.1 * np.sin(np.arange(n) / 900)
    lines = [f"{a:.6f},{b:.5f},{c:g}" for a, b, c in zip(t, voltage, current, strict=True)]
    data = HEADER + ("\n".join(lines) + "\n").encode()
    assert len(data) > 4 << 20  # several of pyarrow's blocks
    assert fastcsv.read_columns(io.BytesIO(data), 0, None) is not None
    fast, rows = _both(data)
    # The previews are picked from differently sized batches (a chart's points, not results).
    assert replace(fast, preview={}) == replace(rows, preview={})
    assert max(fast.preview["voltage_v"].y) == max(rows.preview["voltage_v"].y)
    assert fast.rows_skipped == 3 and fast.discharge_segment_count > 10


def test_progress_is_reported_with_rows_and_bytes():
    data = HEADER + b"".join(b"%d,3.7,-1\n" % k for k in range(250_000))
    seen: list[tuple[int, int]] = []
    summarise_cycler(io.BytesIO(data), progress=lambda rows, size: seen.append((rows, size)))
    assert seen[-1] == (250_000, len(data))
    assert len(seen) <= 4
    seen.clear()
    summarise_cycler(GeneratedStream(iter([data])), progress=lambda r, b: seen.append((r, b)))
    assert seen[-1][0] == 250_000 and 2 <= len(seen) <= 4


def test_a_time_axis_longer_than_the_rule_sets_limit_is_warned_about():
    data = HEADER + b"0,3.7,-1\n1,3.6,-1\n1325000000,3.5,1\n"  # 42 years
    for stream in (io.BytesIO(data), GeneratedStream(iter([data]))):
        summary = summarise_cycler(stream, max_duration_s=365 * 86400)
        assert any("The time axis spans 15,335.6 days" in w for w in summary.warnings)
    assert not summarise_cycler(io.BytesIO(data)).warnings


def test_the_summary_carries_previews_of_voltage_and_current():
    data = HEADER + b"0,3.7,1\n1,3.6,1\n2,3.5,-2\n3,3.4,-2\n"
    summary = summarise_cycler(io.BytesIO(data))
    assert summary.preview["voltage_v"].y == (3.7, 3.6, 3.5, 3.4)
    assert summary.preview["current_a"].y == (1.0, 1.0, -2.0, -2.0)
    assert summary.preview["current_a"].t == (0.0, 1.0, 2.0, 3.0)
    assert summary.main_discharge.start_time_s == 2.0


def test_summarise_columns_matches_the_text_path():
    data = HEADER + b"0,3.7,1\n1,3.6,-1\n2,3.5,-1\n1.5,3.5,-1\n3,3.4,-1\n4,3.4,1\n"
    text = summarise_cycler(io.BytesIO(data))
    t = np.array([0, 1, 2, 1.5, 3, 4.0])
    columns = summarise_columns(
        t,
        np.array([3.7, 3.6, 3.5, 3.5, 3.4, 3.4]),
        np.array([1, -1, -1, -1, -1, 1.0]),
        file_format="bdf",
    )
    assert columns.segments[0].energy_wh == text.segments[0].energy_wh
    assert columns.rows_skipped == 1 and columns.warnings[0].startswith("Line 4:")


def test_summarise_columns_splits_by_step_and_names_a_nan_record():
    summary = summarise_columns(
        np.arange(6.0),
        np.full(6, 3.7),
        np.array([-1, 0, -1, -1, -1, 1.0]),
        np.array([3, 3, 3, 4, 4, 5]),
        file_format="neware_ndax",
        warnings=("read with fastnda",),
    )
    assert [(s.step, s.rows) for s in summary.segments] == [("3", 3), ("4", 2)]
    assert summary.warnings == ("read with fastnda",)
    with pytest.raises(RawDataRejected) as caught:
        summarise_columns(
            np.arange(3.0), np.array([3.7, np.nan, 3.6]), np.ones(3), file_format="biologic_mpr"
        )
    assert caught.value.line == 2 and caught.value.file_format == "biologic_mpr"
