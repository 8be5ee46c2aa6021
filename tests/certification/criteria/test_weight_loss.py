"""The vacuum weight loss criterion: the limit, leakage, test conditions, sample count and
chamber logs, on the default rule set and the group standard T/CSAE 434-2025 (no database).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from certification.criteria import (
    ChamberEvidence,
)
from certification.rules import load_ruleset, ruleset_files
from tests.certification.criteria.builders import (
    TCSAE,
    criterion,
    flags,
    hybrid,
    outcome_of,
    run,
    solid_state,
    weight_loss,
)

WEIGHT_LOSS_CASES = [
    # (afters, leakage, weight-loss outcome, determined class)
    (("9.95", "9.95", "9.95"), False, "pass", "all_solid_state"),  # exactly 0.5 %
    (("9.95", "9.9499", "9.98"), False, "fail", "hybrid_solid_liquid"),  # 0.501 %
    (("9.99", "9.99", "9.99"), True, "fail", "hybrid_solid_liquid"),  # 0.1 % but leaking
]


@pytest.mark.parametrize(("afters", "leakage", "expected", "klass"), WEIGHT_LOSS_CASES)
def test_weight_loss_passes_up_to_the_limit_and_fails_above_it_or_with_leakage(
    afters, leakage, expected, klass
):
    result = run(solid_state(weight_loss=weight_loss(*afters, leakage=leakage)))
    assert outcome_of(result, "weight_loss") == expected
    assert result.determined_class == klass


def test_a_loss_of_exactly_half_a_percent_is_computed_exactly_not_as_a_float():
    result = run(solid_state(weight_loss=weight_loss("9.95", "9.95", "9.95")))
    measured = criterion(result, "weight_loss").measured
    assert measured["max_loss_pct"] == "0.5"
    assert measured["samples"][0]["loss_pct"] == "0.5"


def test_a_hybrid_without_a_weight_loss_result_needs_none():
    result = run(hybrid(weight_loss=None), claimed="hybrid_solid_liquid")
    assert result.certifiable
    assert outcome_of(result, "weight_loss") == "not_applicable"


CONDITION_CASES = [
    ("temperature_c", "117.99"),
    ("temperature_c", "122.01"),
    ("duration_h", "5.99"),
    ("pressure_pa", "1000.01"),
    ("balance_resolution_g", "0.02"),
]


@pytest.mark.parametrize(("column", "value"), CONDITION_CASES)
def test_a_weight_loss_test_outside_its_conditions_is_incomplete_not_failed(column, value):
    # even with a loss far over the limit: an invalid test proves nothing either way
    sheet = weight_loss("9.95", "9.50", "9.95", **{column: value})
    result = run(solid_state(weight_loss=sheet))
    assert outcome_of(result, "weight_loss") == "incomplete"
    assert criterion(result, "weight_loss").message_id == "weight_loss.invalid_conditions"
    assert result.determined_class is None and result.verdict == "incomplete"
    assert "invalid_test_conditions" in flags(result)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("temperature_c", "118"),
        ("temperature_c", "122"),
        ("duration_h", "6"),
        ("pressure_pa", "1000"),
        ("balance_resolution_g", "0.01"),
    ],
)
def test_a_weight_loss_test_exactly_on_its_condition_limits_is_valid(column, value):
    result = run(solid_state(weight_loss=weight_loss(**{column: value})))
    assert outcome_of(result, "weight_loss") == "pass"


def test_two_weight_loss_samples_are_too_few():
    result = run(solid_state(weight_loss=weight_loss(n=2)))
    assert outcome_of(result, "weight_loss") == "incomplete"
    assert criterion(result, "weight_loss").message_id == "weight_loss.too_few_samples"
    assert result.verdict == "incomplete"


def test_a_weight_loss_row_with_a_blank_condition_is_incomplete():
    sheet = weight_loss()
    rows = (dict(sheet.rows[0], pressure_pa=None),) + sheet.rows[1:]
    result = run(solid_state(weight_loss=replace(sheet, rows=rows)))
    assert criterion(result, "weight_loss").message_id == "weight_loss.missing_values"


def test_without_a_chamber_log_the_sheet_decides_and_a_flag_says_so():
    assert "no_chamber_log" in flags(run(solid_state()))


CHAMBER_CASES = [
    (6 * 3600, 118.5, 121.9, 40.0, "pass"),
    (6 * 3600 - 60, 118.5, 121.9, 40.0, "incomplete"),  # 5 h 59 min
    (7 * 3600, 117.9, 121.9, 40.0, "incomplete"),
    (7 * 3600, 118.5, 121.9, 1000.5, "incomplete"),
]


@pytest.mark.parametrize(("hold_s", "t_min", "t_max", "p_max", "expected"), CHAMBER_CASES)
def test_a_chamber_log_must_show_the_whole_hold_within_temperature_and_pressure(
    hold_s, t_min, t_max, p_max, expected
):
    log = ChamberEvidence("chamber.csv", hold_s, t_min, t_max, p_max)
    result = run(solid_state(), chambers=(log,))
    assert outcome_of(result, "weight_loss") == expected
    assert "no_chamber_log" not in flags(result)
    assert ("chamber_log_conditions_not_met" in flags(result)) is (expected != "pass")


@pytest.mark.parametrize(
    ("after", "expected", "klass"),
    [("9.90", "pass", "all_solid_state"), ("9.8999", "fail", None)],
)
def test_the_group_standard_certifies_all_solid_state_up_to_one_percent_loss(
    after, expected, klass
):
    result = run([weight_loss(after, after, after, ambient_temperature_c="25")], ruleset=TCSAE)
    assert outcome_of(result, "weight_loss") == expected
    assert result.determined_class == klass
    assert result.certifiable is (expected == "pass")
    assert result.may_label_solid_state is (expected == "pass")
    if expected == "fail":
        assert result.verdict == "not_certifiable"
        assert "not_gated_class" in flags(result)
    else:
        assert result.classification_code == "SS-SUL-LI-HE"


def test_the_group_standard_checks_the_ambient_only_when_reported():
    unreported = run([weight_loss()], ruleset=TCSAE)
    assert unreported.certifiable and "condition_not_reported" in flags(unreported)
    too_warm = run([weight_loss(ambient_temperature_c="27.01")], ruleset=TCSAE)
    assert outcome_of(too_warm, "weight_loss") == "incomplete"


def test_the_thresholds_come_from_the_rule_set_not_the_code():
    text = ruleset_files()[0].read_text(encoding="utf-8")
    assert "value = 0.5\n" in text
    loose = load_ruleset(text.replace("value = 0.5\n", "value = 1\n", 1))
    sheet = weight_loss("9.90", "9.90", "9.90")  # 1 %
    assert outcome_of(run(solid_state(weight_loss=sheet)), "weight_loss") == "fail"
    assert outcome_of(run(solid_state(weight_loss=sheet), ruleset=loose), "weight_loss") == "pass"


# --- why a chamber hold is short (gbt-ssb-2026 version 3: [criteria.weight_loss.chamber_log]) ---

V3 = load_ruleset(
    next(p for p in ruleset_files() if p.stem == "gbt-ssb-2026.v3").read_text(encoding="utf-8")
)
BREAKS = [
    (
        {"cause": "gap", "at": "2:55", "until": "5:20"},
        "hold 2.7 h, required >= 6 h, cut short by a gap with no readings 2:55–5:20",
    ),
    (
        {"cause": "temperature", "at": "3:02", "value": "123.6"},
        "hold 2.7 h, required >= 6 h, cut short by an excursion to 123.6 °C at 3:02",
    ),
    (
        {"cause": "pressure", "at": "5:00", "value": "8400"},
        "hold 2.7 h, required >= 6 h, cut short by a pressure of 8400 Pa at 5:00",
    ),
    (
        {"cause": "end", "at": "2:40"},
        "hold 2.7 h, required >= 6 h, cut short by the end of the log at 2:40",
    ),
]


@pytest.mark.parametrize(("hold_break", "words"), BREAKS)
def test_a_short_hold_says_what_first_cut_it(hold_break, words):
    log = ChamberEvidence("chamber.csv", 9720, 119.0, 121.0, 40.0, hold_break=hold_break)
    result = run(solid_state(), chambers=(log,), ruleset=V3)
    found = criterion(result, "weight_loss")
    assert (found.outcome, found.message_id) == ("incomplete", "weight_loss.invalid_chamber_log")
    assert f"does not show the required hold ({words})." in found.message
    [flag] = [f for f in result.flags if f.code == "chamber_log_conditions_not_met"]
    assert flag.message.endswith(f"{words}.")


def test_earlier_versions_keep_their_sentence_so_old_evaluations_reproduce():
    log = ChamberEvidence(
        "chamber.csv", 9720, 119.0, 121.0, 40.0, hold_break={"cause": "gap", "at": "2:55"}
    )
    found = criterion(run(solid_state(), chambers=(log,)), "weight_loss")
    assert "(hold 2.7 h, required >= 6 h)." in found.message
    assert "cut short" not in found.message


@pytest.mark.parametrize(
    "hold_break",
    [None, {}, {"cause": "gap", "at": "2:55"}, {"cause": "smoke", "at": "1:00"}],
    ids=["none", "empty", "gap-without-end", "unknown-cause"],
)
def test_a_break_that_cannot_be_told_leaves_the_plain_sentence(hold_break):
    log = ChamberEvidence("chamber.csv", 9720, 119.0, 121.0, 40.0, hold_break=hold_break)
    found = criterion(run(solid_state(), chambers=(log,), ruleset=V3), "weight_loss")
    assert "(hold 2.7 h, required >= 6 h)." in found.message


def test_a_long_enough_hold_names_no_break():
    log = ChamberEvidence(
        "chamber.csv", 6 * 3600, 119.0, 121.0, 40.0, hold_break={"cause": "end", "at": "6:20"}
    )
    assert outcome_of(run(solid_state(), chambers=(log,), ruleset=V3), "weight_loss") == "pass"
