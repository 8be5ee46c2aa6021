"""What a lab must know before it tests, from the rule set handed in: never a number of code's."""

from pathlib import Path

import pytest

from certification.parsers.sheets.conditions import allowed_values, conditions_for, line_text
from certification.rules import RULESET_DIR, load_ruleset


def ruleset(name="gbt-ssb-2026.v2.toml", **replace):
    text = (Path(RULESET_DIR) / name).read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return load_ruleset(text)


def lines(rules, kind):
    return [line_text(item) for item in conditions_for(rules, kind)]


def test_the_weight_loss_conditions_are_the_rule_sets():
    assert lines(ruleset(), "weight_loss") == [
        "Chamber temperature during drying: 120 ± 2 °C (the portal's assumption until a "
        "published text says otherwise)",
        "Time held at temperature under vacuum: at least 6 h",
        "Absolute chamber pressure during drying: at most 1000 Pa (the portal's assumption "
        "until a published text says otherwise)",
        "Balance resolution: at most 0.01 g (the portal's assumption until a published text "
        "says otherwise)",
        "Samples: at least 3 samples (the portal's assumption until a published text says "
        "otherwise)",
    ]


def test_another_rule_set_says_other_numbers():
    changed = ruleset(
        **{
            'value = 6\nunit = "h"': 'value = 8\nunit = "h"',
            'value = 1000\nunit = "Pa"': 'value = 500\nunit = "Pa"',
            "rate_hours = { value = 3,": "rate_hours = { value = 5,",
        }
    )
    weight_loss = lines(changed, "weight_loss")
    assert "Time held at temperature under vacuum: at least 8 h" in weight_loss
    assert any(
        line.startswith("Absolute chamber pressure during drying: at most 500 Pa")
        for line in weight_loss
    )
    assert any(
        "1 I5: rated capacity / 5 h, ± 5 %" in line for line in lines(changed, "energy_density")
    )


def test_a_rule_set_that_does_not_judge_a_kind_states_no_conditions_for_it():
    predecessor = ruleset("t-csae-434-2025.toml")
    assert conditions_for(predecessor, "energy_density") == ()
    assert conditions_for(predecessor, "safety") == ()
    assert "Ambient temperature: 25 ± 2 °C" in lines(predecessor, "weight_loss")


def test_a_range_without_a_nominal_value_reads_low_to_high():
    rules = ruleset(
        **{
            'comparator = "between_inclusive"\nvalue = 25\ntolerance = { value = 2, source = '
            '"gbt-31486-2024" }': 'comparator = "between_inclusive"\nmin = 23\nmax = 27.5',
        }
    )
    assert "Ambient temperature during the discharge: 23 to 27.5 °C" in lines(
        rules, "energy_density"
    )


@pytest.mark.parametrize("chinese_headers, header", [(False, "leakage"), (True, "漏液")])
def test_the_accepted_values_name_the_column_as_the_template_does(chinese_headers, header):
    (leakage, date) = allowed_values("weight_loss", chinese_headers=chinese_headers)
    assert line_text(leakage).startswith(f"{header}: yes: yes, true, 1, y, 是; no: no, false, 0")
    assert line_text(date).endswith("YYYY-MM-DD (or YYYY/MM/DD)")
