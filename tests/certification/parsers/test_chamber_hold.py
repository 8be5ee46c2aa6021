"""What broke a chamber hold, and what a chart of the log needs: a logging gap longer than the
rule set allows breaks the hold (issue 11), excursions and gaps are kept with their time and value,
the first break is told with the log's clock, and the preview and the first timestamp come along.

The two logs of the issue: one with no readings from 2:55 to 5:20 (an excursion could hide
there), one of two in-range readings 6.5 h apart. Both held "6 h" before a gap broke a hold.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from certification.parsers.chamber import ChamberSummary, clock_text, summarise_chamber_log
from certification.parsers.chamber_hold import (
    MAX_MARKS,
    ChamberExcursion,
    ChamberGap,
    HoldBreak,
)

D = Decimal
LIMITS = {"target_c": D(120), "tolerance_c": D(2), "max_pressure_pa": D(1000)}
GAP = {**LIMITS, "max_gap_s": D(300)}
START = datetime.fromisoformat("2026-07-01T00:00:00+08:00")


def stamped(rows: list[tuple[int, object, object]], start: datetime = START) -> bytes:
    """A log of ISO timestamps: (minutes after ``start``, temperature, pressure)."""
    lines = ["timestamp,temperature_c,pressure_pa"]
    for minute, temperature, pressure in rows:
        lines.append(f"{(start + timedelta(minutes=minute)).isoformat()},{temperature},{pressure}")
    return ("\n".join(lines) + "\n").encode()


def seconds(rows: list[tuple[int, object, object]]) -> bytes:
    lines = ["time_s,temperature_c,pressure_pa", *(",".join(map(str, row)) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def summarise(data: bytes, **limits) -> ChamberSummary:
    return summarise_chamber_log(io.BytesIO(data), **(limits or GAP))


def minutes(first: int, last: int, temperature=120, pressure=500) -> list[tuple]:
    return [(m, temperature, pressure) for m in range(first, last + 1)]


# The first log: warm-up, in range from 0:20 to 2:55, nothing logged until 5:20, in range
# again until 8:00. Any gap accepted, that is one "hold" of 7 h 40 min.
HIDDEN = stamped([(0, 25, 101325), (10, 90, 5000), *minutes(20, 175), *minutes(320, 480)])
# The second log: two in-range readings 6.5 h apart.
TWO_READINGS = seconds([(0, 120, 500), (23400, 120, 500)])


def test_without_a_gap_limit_a_logging_gap_still_counts_as_a_hold():
    # Versions 1 and 2 of the rule set give no limit: their evaluations reproduce as they were.
    assert summarise(HIDDEN, **LIMITS).longest_hold_s == 460 * 60
    assert summarise(TWO_READINGS, **LIMITS).longest_hold_s == 23400
    assert summarise(HIDDEN, **LIMITS).gaps == ()


def test_a_gap_over_the_limit_breaks_the_hold_and_is_the_first_break():
    summary = summarise(HIDDEN)
    assert summary.longest_hold_s == 160 * 60  # 5:20 to 8:00, the longer of the two runs
    assert (summary.hold.start_s, summary.hold.end_s) == (320 * 60, 480 * 60)
    assert summary.gaps == (ChamberGap(D(175 * 60), D(320 * 60), line=160),)
    assert summary.hold_break == HoldBreak("gap", D(175 * 60), 160, end_s=D(320 * 60))
    assert summary.hold_break_text() == {"cause": "gap", "at": "2:55", "until": "5:20"}
    assert summary.start_clock == "2026-07-01T00:00:00+08:00"
    assert summary.excursions == ()  # the warm-up is no excursion


def test_two_readings_six_and_a_half_hours_apart_hold_nothing():
    summary = summarise(TWO_READINGS)
    assert summary.longest_hold_s == 0
    assert summary.hold_break_text() == {"cause": "gap", "at": "0:00", "until": "6:30"}
    assert summary.start_clock is None  # a time_s log: hours and minutes since the first reading


def test_a_gap_exactly_at_the_limit_does_not_break():
    summary = summarise(seconds([(0, 120, 500), (300, 120, 500), (600, 120, 500)]))
    assert summary.longest_hold_s == 600 and summary.gaps == ()
    assert summary.hold_break == HoldBreak("end", D(600), 4)


def test_an_excursion_is_named_by_its_worst_value_and_that_values_time():
    rows = [
        *minutes(0, 180, 120.4),
        (181, 122.8, 500),
        (182, "123.6", 500),
        (183, 122.1, 500),
        *minutes(184, 390, 120.4),
    ]
    summary = summarise(stamped(rows))
    assert summary.excursions == (
        ChamberExcursion(
            time_s=D(182 * 60),
            line=184,
            quantity="temperature",
            value=D("123.6"),
            start_s=D(181 * 60),
            end_s=D(183 * 60),
            readings=3,
        ),
    )
    assert summary.hold_break_text() == {"cause": "temperature", "at": "3:02", "value": "123.6"}
    assert summary.longest_hold_s == (390 - 184) * 60


def test_a_temperature_below_the_band_is_an_excursion_to_its_lowest_value():
    rows = [*minutes(0, 60), (61, 117, 500), (62, "116.5", 500), *minutes(63, 70)]
    [excursion] = summarise(seconds([(m * 60, t, p) for m, t, p in rows])).excursions
    assert (excursion.quantity, excursion.value, excursion.time_s) == (
        "temperature",
        D("116.5"),
        3720,
    )


def test_a_pressure_over_the_limit_is_named_with_its_value():
    rows = [*minutes(0, 299), (300, 120, 8400), (301, 120, 2000), *minutes(302, 420)]
    summary = summarise(seconds([(m * 60, t, p) for m, t, p in rows]))
    assert summary.hold_break_text() == {"cause": "pressure", "at": "5:00", "value": "8400"}
    [excursion] = summary.excursions
    assert (excursion.quantity, excursion.value, excursion.readings) == ("pressure", D(8400), 2)


def test_the_first_break_is_the_earliest_even_when_a_later_one_ended_the_longest_hold():
    rows = [*minutes(0, 30), (31, 125, 500), *minutes(32, 300), (301, 60, 101325)]
    summary = summarise(seconds([(m * 60, t, p) for m, t, p in rows]))
    assert summary.hold_break_text() == {"cause": "temperature", "at": "0:31", "value": "125"}
    assert [e.quantity for e in summary.excursions] == ["temperature", "temperature"]
    assert summary.excursions[1].value == 60  # the cool-down at the end is an excursion too


def test_a_log_that_holds_to_its_end_names_the_end():
    summary = summarise(seconds([(m * 60, 120, 500) for m in range(0, 301)]))
    assert summary.longest_hold_s == 5 * 3600
    assert summary.hold_break_text() == {"cause": "end", "at": "5:00"}


def test_a_log_that_never_reaches_the_conditions_names_no_break():
    summary = summarise(seconds([(0, 25, 101325), (60, 90, 5000), (120, 110, 900)]))
    assert summary.longest_hold_s == 0
    assert summary.hold_break is None and summary.hold_break_text() is None
    assert summary.excursions == ()


def test_only_the_first_marks_are_kept_and_the_rest_counted():
    rows = []
    for i in range(MAX_MARKS + 7):  # each in-range minute followed by one 20 min gap
        rows += [(i * 1500, 120, 500), (i * 1500 + 60, 130, 500)]
    summary = summarise(seconds(rows))
    assert len(summary.excursions) == MAX_MARKS and summary.excursions_omitted == 7
    assert len(summary.gaps) == MAX_MARKS and summary.gaps_omitted == 6  # 56 gaps
    assert summary.hold_break.cause == "temperature"


@pytest.mark.parametrize(
    ("time_s", "start", "expected"),
    [
        (D(0), None, "0:00"),
        (D(10500), None, "2:55"),
        (D("10530.9"), None, "2:55:30"),
        (D(30 * 3600), None, "30:00"),
        (D(10500), "2026-07-01T00:00:00+08:00", "2:55"),
        (D(3600), "2026-07-01T23:30:00", "2026-07-02 0:30"),
        (D(90), "2026-07-01T08:15:00+08:00", "8:16:30"),
    ],
)
def test_the_clock_is_the_logs_own(time_s, start, expected):
    assert clock_text(time_s, start) == expected


def test_the_summary_carries_a_bounded_preview_of_both_series():
    summary = summarise(HIDDEN)
    assert set(summary.preview) == {"temperature_c", "pressure_pa"}
    temperature = summary.preview["temperature_c"]
    assert len(temperature.t) == summary.rows_read  # a short log is kept whole
    assert temperature.t[0] == 0 and temperature.y[0] == 25
    assert summary.preview["pressure_pa"].y[0] == 101325
    assert temperature.t[-1] == 480 * 60


def test_progress_is_reported_with_rows_read():
    seen = []
    rows = [(s, 120, 500) for s in range(0, 10_000)]
    summarise_chamber_log(
        io.BytesIO(seconds(rows)), **GAP, progress=lambda count, size: seen.append((count, size))
    )
    assert seen[-1][0] == 10_000
    assert [count for count, _ in seen] == sorted(count for count, _ in seen)
