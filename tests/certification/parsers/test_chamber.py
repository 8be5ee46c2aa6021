"""Chamber logs of the vacuum weight-loss test: the longest continuous hold, streamed.

The thresholds are always passed in; the values used here are deliberately varied (not only the
default rule set's 120 ± 2 °C, 1 kPa) to show that nothing is built into the parser.
"""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal

import pytest

from certification.parsers.chamber import (
    ChamberHold,
    ChamberReading,
    ChamberSummary,
    chamber_template,
    longest_hold,
    summarise_chamber_log,
)
from certification.parsers.errors import RawDataRejected
from tests.certification.parsers.streams import GeneratedStream

D = Decimal
DEFAULT = {"target_c": D(120), "tolerance_c": D(2), "max_pressure_pa": D(1000)}


def log(rows: list[tuple], header: str = "time_s,temperature_c,pressure_pa") -> bytes:
    lines = [header, *(",".join(str(value) for value in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def summarise(data: bytes, **thresholds) -> ChamberSummary:
    return summarise_chamber_log(io.BytesIO(data), **(thresholds or DEFAULT))


def rejection(data: bytes, **thresholds) -> RawDataRejected:
    with pytest.raises(RawDataRejected) as caught:
        summarise(data, **thresholds)
    return caught.value


def readings(rows: list[tuple]) -> list[ChamberReading]:
    return [
        ChamberReading(line, D(str(t)), D(str(temp)), D(str(p)))
        for line, (t, temp, p) in enumerate(rows, start=2)
    ]


# --- the hold -----------------------------------------------------------------------------------

HEATING = [(0, 25, 101000), (600, 90, 5000), (1200, 117.5, 800)]


@pytest.mark.parametrize(
    ("rows", "thresholds", "duration_s", "first_line", "last_line"),
    [
        pytest.param(
            [*HEATING, (1800, 120.1, 600), (21600, 121.9, 550), (23400, 119, 400)],
            DEFAULT,
            D(21600),
            5,
            7,
            id="holds-from-first-to-last-complying-reading",
        ),
        pytest.param(
            [(0, 120, 100), (3600, 122.5, 100), (7200, 120, 100), (18000, 120, 100)],
            DEFAULT,
            D(10800),
            4,
            5,
            id="an-excursion-splits-the-hold-and-the-longer-run-wins",
        ),
        pytest.param(
            [(0, 118, 1000), (100, 122, 1000), (200, "117.99", 1000)],
            DEFAULT,
            D(100),
            2,
            3,
            id="band-and-pressure-limit-include-their-ends",
        ),
        pytest.param(
            [(0, 120, 100), (100, 120, 1001), (200, 120, 100), (400, 120, 100)],
            DEFAULT,
            D(200),
            4,
            5,
            id="a-pressure-spike-breaks-the-hold",
        ),
        pytest.param(
            [(0, 120, 100), (60, 120, 100), (120, 90, 100), (180, 120, 100), (240, 120, 100)],
            DEFAULT,
            D(60),
            2,
            3,
            id="a-tie-keeps-the-earlier-run",
        ),
        pytest.param(
            [(0, 150, 40), (60, 154, 50), (120, 146, 45), (180, 120, 10)],
            {"target_c": D(150), "tolerance_c": D(5), "max_pressure_pa": D(50)},
            D(120),
            2,
            4,
            id="thresholds-come-from-the-caller",
        ),
        pytest.param(
            [(0, "119.9", 10), (60, "120.1", 10), (120, "119.89", 10)],
            {"target_c": 120, "tolerance_c": 0.1, "max_pressure_pa": "10"},
            D(60),
            2,
            3,
            id="exact-decimal-comparison-even-for-a-float-tolerance",
        ),
    ],
)
def test_it_finds_the_longest_continuous_hold(rows, thresholds, duration_s, first_line, last_line):
    summary = summarise(log(rows), **thresholds)

    assert summary.hold.duration_s == summary.longest_hold_s == duration_s
    assert (summary.hold.first_line, summary.hold.last_line) == (first_line, last_line)
    assert longest_hold(readings(rows), **thresholds) == summary.hold


def test_its_hold_reports_the_extremes_inside_the_hold_only():
    rows = [*HEATING, (1800, "120.4", 600), (3600, "121.8", 900), (7200, "118.2", 300)]

    hold = summarise(log(rows)).hold

    assert hold == ChamberHold(
        duration_s=D(5400),
        start_s=D(1800),
        end_s=D(7200),
        first_line=5,
        last_line=7,
        readings=3,
        min_temperature_c=D("118.2"),
        max_temperature_c=D("121.8"),
        max_pressure_pa=D(900),
    )


def test_it_reports_no_hold_when_no_reading_complies():
    summary = summarise(log(HEATING))

    assert summary.hold == ChamberHold(duration_s=D(0))
    assert summary.longest_hold_s == 0


def test_a_gap_longer_than_max_gap_breaks_the_hold_and_is_warned():
    rows = [(0, 120, 100), (60, 120, 100), (120, 120, 100), (3720, 120, 100), (3780, 120, 100)]

    summary = summarise(log(rows), **DEFAULT, max_gap_s=D(300))

    assert summary.hold.duration_s == 120
    assert summary.max_interval_s == 3600
    assert summary.warnings == (
        "Line 5: 3600 s passed since the previous reading, more than the 300 s allowed; a hold "
        "cannot span this gap.",
    )
    assert summarise(log(rows)).hold.duration_s == 3780  # without a limit the gap is accepted


def test_it_summarises_the_whole_log_and_echoes_the_thresholds():
    rows = [(100, 25, 101325), (700, 119, 900), (1300, 121, 20), (1900, 60, 70000)]

    summary = summarise(log(rows), target_c="120", tolerance_c="1.5", max_pressure_pa=950)

    assert summary.rows_read == 4
    assert summary.time_column == "time_s"
    assert summary.duration_s == 1800  # times are counted from the first reading
    assert summary.hold.start_s == 600
    assert (summary.min_temperature_c, summary.max_temperature_c) == (D(25), D(121))
    assert (summary.min_pressure_pa, summary.max_pressure_pa) == (D(20), D(101325))
    assert summary.max_interval_s == 600
    assert (summary.target_c, summary.tolerance_c, summary.pressure_limit_pa) == (
        D(120),
        D("1.5"),
        D(950),
    )
    assert summary.max_gap_s is None


# --- file layouts -------------------------------------------------------------------------------


def test_it_reads_iso_timestamps_with_offsets():
    rows = [
        ("2026-07-01T08:00:00+08:00", 120, 100),
        ("2026-07-01T00:30:00Z", "120.5", 100),  # the same clock, in UTC
        ("2026-07-01T14:00:00.250+08:00", 121, 100),
    ]

    summary = summarise(log(rows, "timestamp,temperature_c,pressure_pa"))

    assert summary.time_column == "timestamp"
    assert summary.duration_s == D("21600.25")
    assert summary.hold.end_s == D("21600.25")


def test_it_reads_naive_timestamps_as_a_uniform_clock():
    rows = [("2026-07-01 08:00:00", 120, 100), ("2026-07-01 14:00:00", 120, 100)]

    assert summarise(log(rows, "timestamp,temperature_c,pressure_pa")).longest_hold_s == 21600


def test_it_reads_semicolons_decimal_commas_comments_extra_columns_and_gb18030():
    text = (
        "# 真空失重试验 箱体记录\n"  # a Chinese comment, so the file is GB18030
        "Chamber 3 log\n"  # a title line before the header
        "Time_s;Temperature_C;Pressure_Pa;operator\n"
        "0;120,5;85,5;王\n"
        "60;121,0;80;王\n"
    )

    summary = summarise(text.encode("gb18030"))

    assert summary.encoding == "gb18030"
    assert summary.hold.duration_s == 60
    assert summary.hold.max_pressure_pa == D("85.5")


def test_the_template_is_a_parseable_header_with_no_thresholds_in_it():
    template = chamber_template()

    assert template.decode("utf-8").splitlines()[-1] == "time_s,temperature_c,pressure_pa"
    assert b"120" not in template and b"1000" not in template
    summary = summarise(template + b"0,120,100\n3600,120,100\n")
    assert summary.longest_hold_s == 3600
    assert "no readings" in rejection(template).message


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"", None, "The file is empty."),
        (b"PK\x03\x04....", None, "a binary file. Accepted are text exports: a CSV chamber log"),
        (b"a,b\n1,2\n", None, "No header row was found"),
        (
            b"time_s,temperature_c\n0,120\n",
            1,
            "The header (line 1) lacks required columns: pressure_pa.",
        ),
        (
            b"temperature_c,pressure_pa\n120,100\n",
            1,
            "lacks required columns: time_s (or timestamp).",
        ),
        (
            b"time_s,temperature_c,pressure_pa,pressure_pa\n",
            1,
            "The header (line 1) has the column pressure_pa twice.",
        ),
        (
            b"time_s,temperature_c,pressure_pa\n0,120,100\n60,hot,100\n",
            3,
            'Line 3: column "temperature_c" holds "hot", not a number.',
        ),
        (
            b"time_s,temperature_c,pressure_pa\n0,120,100\n60,120,\n",
            3,
            'Line 3: column "pressure_pa" is empty.',
        ),
        (
            b"time_s,temperature_c,pressure_pa\n0,120,NaN\n",
            2,
            'Line 2: column "pressure_pa" holds "NaN", not a number.',
        ),
        (
            b"time_s,temperature_c,pressure_pa\n0,120,100\n60,120,100\n30,120,100\n",
            4,
            "Line 4: the time goes backwards (from 60 s to 30 s after the first reading)",
        ),
        (
            b"time_s,temperature_c,pressure_pa\n0,120,-99000\n",
            2,
            "Line 2: pressure_pa is -99000; it must be the absolute pressure",
        ),
        (
            b"time_s,temperature_c,pressure_pa\n0,-300,100\n",
            2,
            "Line 2: temperature_c is -300, below absolute zero.",
        ),
        (
            b"timestamp,temperature_c,pressure_pa\nyesterday,120,100\n",
            2,
            'Line 2: "yesterday" is not an ISO 8601 date and time',
        ),
        (
            b"timestamp,temperature_c,pressure_pa\n"
            b"2026-07-01T08:00:00+08:00,120,100\n2026-07-01T09:00:00,120,100\n",
            3,
            "Line 3: this timestamp has no UTC offset and the first one has one",
        ),
    ],
)
def test_it_rejects_bad_logs_with_a_clear_message(data, line, message):
    error = rejection(data)

    assert message in error.message
    assert error.line == line


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        pytest.param(
            [(0, 120, "1e309")],
            2,
            'Line 2: column "pressure_pa" holds "1e309", a number too large to compute with',
            id="pressure-beyond-float",
        ),
        pytest.param(
            [(0, "-1e400", 100)],
            2,
            'Line 2: column "temperature_c" holds "-1e400", a number too large to compute with',
            id="temperature-beyond-float",
        ),
        pytest.param(
            [(0, 120, 100), ("1e999999999", 120, 100)],
            3,
            'Line 3: column "time_s" holds "1e999999999", a number too large to compute with',
            id="time-far-beyond-float",
        ),
        pytest.param(
            [("-1e308", 120, 100), ("1e308", 120, 100)],
            3,
            "Line 3: the time from the first data row to this one is too large to compute with",
            id="elapsed-time-overflows",
        ),
        pytest.param(
            [(0, 120, "inf")],
            2,
            'Line 2: column "pressure_pa" holds "inf", not a number.',
            id="infinity-is-not-a-number",
        ),
    ],
)
def test_it_refuses_numbers_too_large_to_compute_naming_the_line(rows, line, message):
    error = rejection(log(rows))

    assert error.message.startswith(message)
    assert error.line == line
    assert error.template % dict(error.params) == error.message


def test_a_tiny_number_is_no_overflow():
    summary = summarise(log([(0, 120, "1e-999999999"), (60, 120, 100)]))

    assert summary.min_pressure_pa == D("1e-999999999")
    assert summary.longest_hold_s == 60


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ({**DEFAULT, "tolerance_c": -1}, "tolerance_c must not be negative"),
        ({**DEFAULT, "max_pressure_pa": "lots"}, "max_pressure_pa must be a number"),
        ({**DEFAULT, "max_gap_s": 0}, "max_gap_s must be positive"),
        ({**DEFAULT, "target_c": float("nan")}, "target_c must be finite"),
    ],
)
def test_it_refuses_invalid_thresholds_as_a_programming_error(thresholds, message):
    with pytest.raises(ValueError, match=message):
        summarise_chamber_log(io.BytesIO(log([(0, 120, 100)])), **thresholds)


# --- streaming ----------------------------------------------------------------------------------


def a_day_of_readings() -> Iterator[bytes]:
    """24 h at one reading a second; in range from hour 1 to hour 23."""
    yield b"time_s,temperature_c,pressure_pa\n"
    for hour in range(24):
        temperature = b"120.3" if 1 <= hour < 23 else b"80.0"
        yield b"".join(
            b"%d,%s,55.5\n" % (second, temperature)
            for second in range(hour * 3600, (hour + 1) * 3600)
        )


def test_it_streams_a_long_log_in_bounded_memory():
    tracemalloc.start()
    try:
        summary = summarise_chamber_log(GeneratedStream(a_day_of_readings()), **DEFAULT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Flat whatever the length: the readings stream past; the two chart previews (about 2,000
    # points each) hold at most some ten thousand samples each before they reduce.
    assert peak < 4 * 1024 * 1024
    assert summary.rows_read == 86400
    assert all(len(series.t) <= 2000 for series in summary.preview.values())
    assert summary.longest_hold_s == 22 * 3600 - 1
