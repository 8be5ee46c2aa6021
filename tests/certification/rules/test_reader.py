"""Numbers and limits in a rule set: exact decimals, each with a declared source; faults refused
with the path of the bad value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from certification.rules import load_ruleset

from .texts import DEFAULT_TEXT, MAX_LOSS_BLOCK, mutate, rejection


def test_floats_in_the_file_become_exact_decimals():
    rs = load_ruleset(DEFAULT_TEXT)
    assert rs.weight_loss.condition("balance_resolution_g").value == Decimal("0.01")
    assert str(rs.weight_loss.max_loss_pct.value) == "0.5"


def test_a_between_limit_may_be_written_as_min_and_max_or_as_value_and_tolerance():
    text = mutate(
        'value = 120\ntolerance = { value = 2, source = "portal-assumption", assumption = true }',
        "min = 118\nmax = 122",
    )
    limit = load_ruleset(text).weight_loss.condition("temperature_c")
    assert (limit.low, limit.high, limit.tolerance) == (118, 122, None)
    assert limit.holds(Decimal("118")) and limit.holds(Decimal("122"))
    assert not limit.holds(Decimal("117.99")) and not limit.holds(Decimal("122.01"))


REJECTED = [
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace('source = "gbt-ssb-press"\n', "")),
        "criteria.weight_loss.max_loss_pct: missing source",
        id="a limit without a source",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace('"<="', '"=<"')),
        "criteria.weight_loss.max_loss_pct.comparator: unknown comparator '=<'",
        id="an unknown comparator",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace("0.5", "-0.5")),
        "criteria.weight_loss.max_loss_pct.value: must not be negative",
        id="a negative threshold",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace('"<="', '">="')),
        "criteria.weight_loss.max_loss_pct.comparator: comparator '>=' not allowed here",
        id="a maximum written as a minimum",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace("gbt-ssb-press", "rumour")),
        "criteria.weight_loss.max_loss_pct.source: unknown source 'rumour'",
        id="a source that is not declared",
    ),
    pytest.param(
        mutate(
            'tolerance = { value = 2, source = "portal-assumption", assumption = true }',
            'tolerance = { value = 2, source = "rumour", assumption = true }',
        ),
        "criteria.weight_loss.conditions.temperature_c.tolerance.source: unknown source 'rumour'",
        id="a tolerance citing a source that is not declared",
    ),
    pytest.param(
        mutate(
            'min = 5, max = 20, unit = "%", source = "gbt-ssb-press"',
            'min = 5, max = 20, unit = "%", source = "rumour"',
        ),
        "classes.hybrid_solid_liquid.content_pct.source: unknown source 'rumour'",
        id="a content band citing a source that is not declared",
    ),
    pytest.param(
        mutate(
            'validity_months = { value = 36, source = "portal-assumption"',
            'validity_months = { value = 36, source = "rumour"',
        ),
        "certificate.validity_months.source: unknown source 'rumour'",
        id="a certificate validity citing a source that is not declared",
    ),
    pytest.param(
        mutate(
            'source = "gb-38031-2025"\nfailure_indicators', 'source = "rumour"\nfailure_indicators'
        ),
        "criteria.safety.source: unknown source 'rumour'",
        id="a criterion citing a source that is not declared",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK.replace("0.5", '"half"')),
        "criteria.weight_loss.max_loss_pct.value: must be a number",
        id="a threshold that is not a number",
    ),
    pytest.param(
        mutate(MAX_LOSS_BLOCK, MAX_LOSS_BLOCK + "tolerence = 1\n"),
        "criteria.weight_loss.max_loss_pct.tolerence: unknown key",
        id="a misspelt key",
    ),
    pytest.param(
        mutate(
            'tolerance = { value = 2, source = "portal-assumption", assumption = true }',
            "tolerance = { value = 2, assumption = true }",
        ),
        "criteria.weight_loss.conditions.temperature_c.tolerance: missing source",
        id="a tolerance without a source",
    ),
    pytest.param(
        mutate(
            '[criteria.weight_loss.min_samples]\ncomparator = ">="\nvalue = 3',
            '[criteria.weight_loss.min_samples]\ncomparator = ">="\nvalue = 2.5',
        ),
        "criteria.weight_loss.min_samples.value: must be a whole number",
        id="a fractional sample count",
    ),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_a_faulty_number_is_rejected_with_the_path_in_the_message(text, message):
    error = rejection(text)
    assert str(error).startswith(message)
    assert isinstance(error, ValueError)
