"""Values of a cycler row: durations, clock times, step types and step labels."""

from __future__ import annotations

import math

import pytest

from certification.parsers.cycler.values import (
    ClockParser,
    number_parser,
    parse_duration,
    state_sign,
    step_label,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0:00:01", 1),
        ("31:04:13", 31 * 3600 + 4 * 60 + 13),
        ("1d 02:00:00", 86400 + 7200),
        ("1.02:00:00", 86400 + 7200),
        ("0:01:02.5", 62.5),
        ("0:01:02,5", 62.5),
    ],
)
def test_it_reads_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_a_duration_beyond_a_float_is_infinite_as_float_makes_1e400():
    assert math.isinf(parse_duration("9" * 400 + ":00:00"))


@pytest.mark.parametrize("text", ["1:2", "soon", "1:00:00 pm"])
def test_it_refuses_what_is_not_a_duration(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_clock_times_are_seconds_on_one_scale_and_the_date_order_is_settled_once():
    month_first = ClockParser()
    assert month_first("06/05/2021 12:00:30") - month_first("06/05/2021 11:59:30") == 60
    assert month_first("06/06/2021 00:00:00") - month_first("06/05/2021 00:00:00") == 86400

    day_first = ClockParser()
    assert day_first("13/05/2021 00:00:00") - day_first("12/05/2021 00:00:00") == 86400

    iso = ClockParser()
    assert iso("2026-01-02T00:00:00+08:00") - iso("2026-01-01 23:59:59") == 1


@pytest.mark.parametrize(
    ("factor", "decimal_comma", "text", "value"),
    [(1.0, False, "3.5", 3.5), (0.001, False, "1500", 1.5), (0.001, True, "1500,0", 1.5)],
)
def test_numbers_are_read_in_si_units(factor, decimal_comma, text, value):
    assert number_parser(factor, decimal_comma)(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("state", "sign"),
    [
        ("D", -1),
        ("C", 1),
        ("R", 0),
        ("CC DChg", -1),
        ("CCCV Chg", 1),
        ("恒流放电", -1),
        ("恒流充电", 1),
        ("搁置", 0),
        ("Discharge", -1),
    ],
)
def test_the_step_type_gives_the_sign_of_the_current(state, sign):
    assert state_sign(state) == sign


@pytest.mark.parametrize(
    ("cycle", "step", "label"),
    [("1", "7", "1/7"), ("", "4", "4"), ("1.000E+000", "2.000E+000", "1/2"), ("A", "b", "A/b")],
)
def test_a_step_label_is_cycle_slash_step(cycle, step, label):
    assert step_label(cycle, step) == label


@pytest.mark.parametrize(
    ("earlier", "later", "seconds"),
    [
        ("5/11/2021 3:40:24 PM", "5/11/2021 3:41:24 PM", 60),
        ("5/11/2021 11:59:59 AM", "5/11/2021 12:00:00 PM", 1),  # 12 PM is noon
        ("5/11/2021 11:59:59 PM", "5/12/2021 12:00:00 AM", 1),  # 12 AM is midnight
        ("5/12/2021 12:59:00 AM", "5/12/2021 1:00:00 AM", 60),
        ("5/11/2021 3:40:24 PM", "5/11/2021 15:41:24", 60),  # the same hour on a 24-hour clock
        ("5/11/2021 3:40:24 p.m.", "5/11/2021 3:40:25 pm", 1),
    ],
)
def test_clock_times_on_a_12_hour_clock(earlier, later, seconds):
    parse = ClockParser()
    assert parse(later) - parse(earlier) == seconds


@pytest.mark.parametrize("text", ["5/11/2021 13:40:24 PM", "5/11/2021 0:40:24 AM"])
def test_a_12_hour_clock_refuses_hours_it_does_not_have(text):
    with pytest.raises(ValueError):
        ClockParser()(text)
