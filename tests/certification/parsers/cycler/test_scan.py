"""The row loop: bad rows and files, time glitches, cut-off files, streaming."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Iterator

import pytest

from certification.parsers.cycler import messages
from certification.parsers.cycler.scan import summarise_cycler
from tests.certification.parsers.cycler.exports import bdf, rejection, summarise
from tests.certification.parsers.streams import GeneratedStream

# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"", None, "The file is empty."),
        (b"a,b,c\n1,2,3\n", None, "This file is not a recognised cycler export"),
        (
            b"Test Time / s,Voltage / V\n0,3.7\n",
            1,
            "The Battery Data Format CSV header (line 1) lacks required columns: current.",
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,n/a,-1\n",
            3,
            'Line 3: column "Voltage / V" holds "n/a", not a number.',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,3.7,nan\n",
            3,
            'Line 3: column "Current / A" holds "nan", not a number.',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\nsoon,3.7,-1\n",
            3,
            'Line 3: column "Test Time / s" holds "soon", which is neither a number',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,3.7\n2,3.7,-1\n",
            3,
            'Line 3 has 2 fields; the column "Current / A" is missing from it.',
        ),
        (
            b"Test Time / s,Voltage / V,Current / kA\n0,3.7,-1\n",
            1,
            'Line 1: column "Current / kA" has the unit "ka"; accepted for current:',
        ),
        (
            b"Test Time / s,Voltage / V,Current / A\n0,3.7,1\n1,3.7,1\n",
            None,
            "No discharge found: none of the 2 data rows",
        ),
        (b"Test Time / s,Voltage / V,Current / A\n", None, "has a header but no data rows"),
        (b"PK\x03\x04rest of a zip", None, "This is a ZIP container"),
        (b"\x00\x01\x02binary", None, "This is not a text file, a binary file."),
    ],
)
def test_it_rejects_bad_files_with_a_clear_message(data, line, message):
    error = rejection(data)

    assert message in error.message
    assert error.line == line


def test_it_rejects_time_that_goes_back_for_good_naming_the_line():
    rows = [(t, 3.7, -1.0) for t in range(100, 110)] + [(t, 3.7, -1.0) for t in range(0, 10)]

    error = rejection(bdf(rows))

    assert error.line == 12
    assert error.message.startswith(
        "Line 12: the test time goes backwards (from 109 to 0) and stays behind for more than 3 "
        "rows."
    )


def test_it_skips_an_isolated_time_glitch_of_up_to_three_rows():
    rows = [(t, 3.7, -1.0) for t in range(0, 10)]
    rows += [(0, 3.7, -1.0), (0.5, 3.7, -1.0), (1, 3.7, -1.0)]
    rows += [(t, 3.7, -1.0) for t in range(10, 20)]

    summary = summarise(bdf(rows))

    assert summary.rows_read == 23
    assert summary.rows_skipped == 3
    assert summary.discharge_segment_count == 1
    assert summary.main_discharge.duration_s == 19
    assert summary.warnings == (
        "Line 12: the test time jumps back from 9 to 0; 3 row(s) skipped as an isolated time "
        "glitch.",
    )


def test_it_reports_a_test_time_that_repeats_inside_a_discharge():
    rows = [(t, 3.7, -1.0) for t in range(0, 10)]
    rows += [(9, 3.6, -1.0), (9, 3.6, -1.0)]  # the same second twice more
    rows += [(t, 3.6, -1.0) for t in range(10, 20)]

    summary = summarise(bdf(rows))

    assert summary.rows_read == 22
    assert summary.main_discharge.duration_s == 19
    assert summary.warnings == (
        "Line 12: the test time repeats inside a discharge (2 row(s) in all at the same time as "
        "the row before); such rows add no time to the energy integral. Check the time column's "
        "resolution.",
    )


def test_it_ignores_a_last_row_cut_off_mid_line_and_says_so():
    data = bdf([(t, 3.7, -1.0) for t in range(10)]) + b"\n10,3.6"

    summary = summarise(data)

    assert summary.rows_read == 10
    assert summary.warnings == (
        "Line 12, the last line, is incomplete (the file was cut off mid-row); it was ignored.",
    )


def test_it_rejects_text_that_stops_decoding_after_the_sniffed_prefix():
    good = bdf([(t, 3.7, -1.0) for t in range(10_000)])  # well past the 64 kB prefix
    data = good + b"\n10000,3.7,-1\xff\n"

    error = rejection(data)

    assert error.message.startswith("The file is not utf-8 text throughout: bytes that cannot")
    assert 9000 < error.line <= 10_002  # decoding runs a block ahead of the rows


def test_it_refuses_a_line_longer_than_a_megabyte():
    data = b"Test Time / s,Voltage / V,Current / A\n" + b"1" * (2 * 1024 * 1024)

    assert "longer than 1048576 characters" in rejection(data).message


def test_its_messages_can_be_translated_from_template_and_params():
    error = rejection(b"Test Time / s,Voltage / V,Current / A\n0,3.7,-1\n1,x,-1\n")

    assert error.template == messages.MSG_NOT_NUMBER
    assert error.template % dict(error.params) == error.message
    assert isinstance(error, ValueError)


# --- streaming ------------------------------------------------------------------------------------


def generated_bdf(rows: int) -> Iterator[bytes]:
    """A BDF file of ``rows`` rows, 1 s apart, 3.7 V at 1.5 A discharge, made 1,000 rows at a
    time: block b holds times b*1000 .. b*1000+999, written as b followed by three digits."""
    yield b"Test Time / s,Voltage / V,Current / A\n"
    template = b"".join(b"@%03d,3.7,-1.5\n" % row for row in range(1000))
    for block in range(rows // 1000):
        yield template.replace(b"@", b"%d" % block)


def test_it_streams_two_million_rows_in_bounded_memory():
    rows = 2_000_000
    tracemalloc.start()
    try:
        summary = summarise_cycler(GeneratedStream(generated_bdf(rows)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The file is ~30 MB; holding its rows would take ~500 MB. The previews hold a bounded
    # number of samples (tens of thousands per series), whatever the length.
    assert peak < 8 * 1024 * 1024
    assert summary.rows_read == rows
    main = summary.main_discharge
    assert main.rows == rows
    assert main.duration_s == rows - 1
    assert main.energy_wh == pytest.approx(3.7 * 1.5 * (rows - 1) / 3600, rel=1e-6)
    assert main.capacity_ah == pytest.approx(1.5 * (rows - 1) / 3600, rel=1e-6)
    assert math.isclose(main.mean_current_a, 1.5, rel_tol=1e-6)


# --- numbers too large to compute with (issue 10) -----------------------------------------------

HEADER = "Test Time / s,Voltage / V,Current / A"
NEWARE_STEP_TIME = "记录序号,状态,步次,电流(A),电压(V),相对时间(s)"


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        pytest.param(
            [HEADER, "0,1e300,-10", "1e10,1e300,-10"],
            2,
            "Lines 2 to 3: the energy or charge of this discharge is too large to compute with",
            id="energy-overflows",
        ),
        pytest.param(
            [HEADER, "0,3.7,-10", "1e308,3.7,-10"],
            2,
            "Lines 2 to 3: the energy or charge of this discharge is too large to compute with",
            id="charge-overflows",
        ),
        pytest.param(
            [HEADER, "0,3.7,0", "1,3.7,-1", "2,3.7,-1", "1e308,3.7,0", "1.5e308,3.7,-1e300",
             "1.7e308,3.7,-1e300"],
            6,
            "Lines 6 to 7: the energy or charge of this discharge",
            id="a-later-segment-overflows",
        ),
        pytest.param(
            [HEADER, "-1e308,3.7,0", "1e308,3.7,-1", "1e308,3.7,-1"],
            4,
            "Line 4: the time from the first data row to this one is too large to compute with",
            id="duration-overflows",
        ),
        pytest.param(
            [HEADER, "0,3.7,-1", "1e309,3.7,-1"],
            3,
            'Line 3: column "Test Time / s" holds "1e309", a number too large to compute with',
            id="time-beyond-float",
        ),
        pytest.param(
            [HEADER, "0,3.7,-1", "1,-1e999,-1"],
            3,
            'Line 3: column "Voltage / V" holds "-1e999", a number too large to compute with',
            id="voltage-beyond-float",
        ),
        pytest.param(
            ["Test Time / h,Voltage / V,Current / A", "0,3.7,-1", "1e306,3.7,-1"],
            3,
            'Line 3: column "Test Time / h" holds "1e306", a number too large to compute with',
            id="overflows-in-seconds",
        ),
        pytest.param(
            [HEADER, "0:00:00,3.7,-1", "9" * 400 + ":00:00,3.7,-1"],
            3,
            'Line 3: column "Test Time / s" holds "' + "9" * 40 + '", a number too large',
            id="duration-with-too-many-hours",
        ),
        pytest.param(
            [NEWARE_STEP_TIME, "1,搁置,1,0,3.5,0", "2,搁置,1,0,3.5,1e308", "3,恒流放电,2,1,3.5,0",
             "4,恒流放电,2,1,3.5,1e308"],
            5,
            "Line 5: the time from the first data row to this one is too large to compute with",
            id="accumulated-step-time-overflows",
        ),
        pytest.param(
            [HEADER, "0,3.7,-1", "1,3.7,-inf"],
            3,
            'Line 3: column "Current / A" holds "-inf", not a number.',
            id="infinity-is-not-a-number",
        ),
    ],
)  # fmt: skip
def test_it_refuses_numbers_and_results_too_large_to_compute_naming_the_line(lines, line, message):
    error = rejection(("\n".join(lines) + "\n").encode())

    assert error.message.startswith(message)
    assert error.line == line
    assert error.template % dict(error.params) == error.message
