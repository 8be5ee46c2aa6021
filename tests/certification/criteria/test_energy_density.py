"""The energy density floor of the determined class, the discharge current and temperature
conditions, and the cycler cross-check (no database).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from certification.criteria import (
    CyclerEvidence,
)
from tests.certification.criteria.builders import (
    PRODUCT,
    content,
    criterion,
    energy,
    flags,
    outcome_of,
    run,
    solid_state,
)

ENERGY_CASES = [
    # (content %, discharge energy Wh of a 200 g cell, expected outcome)
    ("10", "80", "pass"),  # hybrid, exactly 400 Wh/kg
    ("10", "79.998", "fail"),  # hybrid, 399.99 Wh/kg
    ("3", "100", "pass"),  # all-solid-state, exactly 500 Wh/kg
    ("3", "99.998", "fail"),  # all-solid-state, 499.99 Wh/kg
    ("3", "90", "fail"),  # all-solid-state, 450: enough for hybrid, not for its own class
]


@pytest.mark.parametrize(("pct", "wh", "expected"), ENERGY_CASES)
def test_energy_density_must_reach_the_floor_of_the_determined_class(pct, wh, expected):
    sheets = solid_state(electrolyte_content=content(pct), energy_density=energy(wh))
    result = run(sheets, claimed="hybrid_solid_liquid")
    assert outcome_of(result, "energy_density") == expected
    assert result.certifiable is (expected == "pass")
    if expected == "fail":
        assert result.verdict == "not_certifiable"


def test_every_energy_sample_must_reach_the_floor():
    result = run(solid_state(energy_density=energy("120", "120", "99.998")))
    assert outcome_of(result, "energy_density") == "fail"
    assert criterion(result, "energy_density").params["below_floor_count"] == 1


DISCHARGE_CURRENT_CASES = [
    # rated 30 Ah -> 1 I3 = 10 A, ± 5 %
    ("10.5", "pass"),
    ("9.5", "pass"),
    ("10.5001", "incomplete"),
    ("9.4999", "incomplete"),
    ("-10", "pass"),  # a cycler's sign convention: discharge current negative
]


@pytest.mark.parametrize(("amps", "expected"), DISCHARGE_CURRENT_CASES)
def test_the_discharge_current_must_be_the_three_hour_rate_within_five_percent(amps, expected):
    result = run(solid_state(energy_density=energy("120", current_a=amps)))
    assert outcome_of(result, "energy_density") == expected


def test_a_current_exactly_five_percent_off_a_non_terminating_nominal_still_passes():
    # 10 Ah / 3 h = 3.333... A; 3.5 A is exactly 5 % above it
    product = replace(PRODUCT, rated_capacity_ah=D("10"))
    result = run(solid_state(energy_density=energy("120", current_a="3.5")), product=product)
    assert outcome_of(result, "energy_density") == "pass"
    sample = criterion(result, "energy_density").measured["samples"][0]
    assert D(sample["discharge_current_deviation_pct"]) == 5


@pytest.mark.parametrize(("temperature", "expected"), [("23", "pass"), ("22.99", "incomplete")])
def test_the_energy_test_must_run_at_25_plus_minus_2_degrees(temperature, expected):
    result = run(solid_state(energy_density=energy("120", temperature_c=temperature)))
    assert outcome_of(result, "energy_density") == expected


CYCLER_CASES = [(123.6, "pass"), (116.4, "pass"), (123.61, "incomplete"), (110.0, "incomplete")]


@pytest.mark.parametrize(("cycler_wh", "expected"), CYCLER_CASES)
def test_the_sheet_energy_must_match_the_cycler_file_within_three_percent(cycler_wh, expected):
    cycler = CyclerEvidence("cycler.bdf.csv", cycler_wh, "bdf", sample_id="E1")
    result = run(solid_state(), cyclers=(cycler,))
    assert outcome_of(result, "energy_density") == expected
    assert ("cycler_energy_mismatch" in flags(result)) is (expected != "pass")


def test_a_cycler_file_for_an_unknown_sample_is_an_error():
    cycler = CyclerEvidence("cycler.csv", 120.0, "arbin", sample_id="E9")
    result = run(solid_state(), cyclers=(cycler,))
    assert outcome_of(result, "energy_density") == "incomplete"
    assert "cycler_sample_unknown" in flags(result)
