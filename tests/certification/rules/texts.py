"""The shipped rule set texts, and how the rule-set tests make a faulty copy of one."""

from __future__ import annotations

import pytest

from certification.rules import RuleSetInvalid, load_ruleset, ruleset_files

FILES = {path.stem: path for path in ruleset_files()}
DEFAULT_TEXT = FILES["gbt-ssb-2026"].read_text(encoding="utf-8")
TCSAE_TEXT = FILES["t-csae-434-2025"].read_text(encoding="utf-8")

MAX_LOSS_BLOCK = """[criteria.weight_loss.max_loss_pct]
comparator = "<="
value = 0.5
unit = "%"
source = "gbt-ssb-press"
"""


def mutate(old: str, new: str, text: str = DEFAULT_TEXT) -> str:
    assert old in text, f"test fixture out of date: {old!r} not in the rule set"
    return text.replace(old, new, 1)


def rejection(text: str) -> RuleSetInvalid:
    """The error loading ``text`` raises (the test fails if it loads)."""
    with pytest.raises(RuleSetInvalid) as caught:
        load_ruleset(text)
    return caught.value
