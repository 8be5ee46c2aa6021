"""Abuse safety: the tests the determined class requires (STANDARD.md section 4.4).

Implements ``[criteria.safety]`` and the classes' ``safety`` tables of
certification/rulesets/gbt-ssb-2026.toml: one result per test the class requires (``tests``),
each passing only when no sample shows any of the ``failure_indicators`` (fire, explosion) and at
least ``min_samples`` samples were tested. A fire or an explosion is decisive even when another
sample lacks a value. A failure in a test the class does not require is flagged, not held
against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from certification.criteria.evidence_independence import (
    Pool,
    Row,
    flag_declared_disagreement,
    flag_maker_only,
)
from certification.criteria.outcome import CriterionResult, Flag, Sentences
from certification.criteria.text import sample_ids
from certification.criteria.values import as_given, iso_day, sample_id_of, to_decimal
from certification.rules import ClassRule, Limit, SafetyRule
from certification.vocabulary import gettext_noop

MESSAGES: dict[str, str] = {
    "safety.pass": gettext_noop("{test}: no {indicators} in any sample (n = {sample_count})."),
    "safety.fail": gettext_noop(
        "{test} fails: {indicators} in {failed_count} of {sample_count} samples."
    ),
    "safety.no_data": gettext_noop(
        "{test} is incomplete: the {class_name} class requires it and there is no result from an "
        "assigned lab accredited on the test date."
    ),
    "safety.missing_values": gettext_noop(
        "{test} is incomplete: samples {sample_ids} lack valid values for {columns}."
    ),
    "safety.too_few_samples": gettext_noop(
        "{test} is incomplete: n = {sample_count}, and at least {min_samples} samples are required."
    ),
    "safety.class_undetermined": gettext_noop(
        "Safety tests are not judged: no class was determined."
    ),
    "safety.not_required": gettext_noop(
        "Safety tests are not judged: the {class_name} class requires none in this rule set."
    ),
    "flag.safety_failure_other_test": gettext_noop(
        "{test}, not required for this class, showed {indicators} in {failed_count} samples."
    ),
}
SENTENCES = Sentences(MESSAGES)


def evaluate_safety(
    rule: SafetyRule, pool: Pool, class_rule: ClassRule | None, flags: list[Flag]
) -> tuple[CriterionResult, ...]:
    """One result per abuse test ``class_rule`` requires, or one ``safety`` result saying why
    none is judged."""
    indicators = rule.failure_indicators
    by_test: dict[str, list[Row]] = {}
    for item in pool.accepted:
        by_test.setdefault(str(item[0].get("test")), []).append(item)
    declared_by_test: dict[str, list[Mapping[str, Any]]] = {}
    for row, _ref in pool.declared:
        declared_by_test.setdefault(str(row.get("test")), []).append(row)
    requirement = class_rule.safety if class_rule is not None else None
    required = requirement.tests if requirement is not None else ()

    for test, items in by_test.items():
        if test in required:
            continue
        failed = sum(1 for row, _ in items if _failed(row, indicators))
        if failed:
            flags.append(
                SENTENCES.flag(
                    "safety_failure_other_test",
                    "warning",
                    test=test,
                    indicators=" or ".join(indicators),
                    failed_count=failed,
                )
            )
    if class_rule is None or requirement is None:
        measured = {
            "compared": None,
            "tests": {
                test: {"sample_count": len(items)} for test, items in sorted(by_test.items())
            },
            "ignored_rows": pool.ignored,
        }
        if class_rule is None:
            message_id, params = "safety.class_undetermined", {}
        else:
            message_id, params = "safety.not_required", {"class_name": class_rule.name_en}
        return (
            SENTENCES.result("safety", "not_applicable", message_id, measured=measured, **params),
        )
    return tuple(
        _safety_test(
            test,
            by_test.get(test, []),
            declared_by_test.get(test, []),
            requirement.min_samples,
            indicators,
            class_rule,
            flags,
        )
        for test in required
    )


def _failed(row: Mapping[str, Any], indicators: tuple[str, ...]) -> bool:
    return any(row.get(i) is True for i in indicators)


def _safety_test(
    test: str,
    items: list[Row],
    declared: list[Mapping[str, Any]],
    min_samples: Limit,
    indicators: tuple[str, ...],
    class_rule: ClassRule,
    flags: list[Flag],
) -> CriterionResult:
    """One required abuse test: passes only with no fire and no explosion in every sample."""
    samples = []
    missing_ids: list[str] = []
    missing_columns: dict[str, None] = {}
    failed = 0
    for row, ref in items:
        sid = sample_id_of(row)
        entry = {"sample_id": sid, "dataset_ref": ref, "test_date": iso_day(row.get("test_date"))}
        absent = []
        hit = False
        for name in indicators:
            value = row.get(name)
            entry[name] = value if isinstance(value, bool) else None
            if not isinstance(value, bool):
                absent.append(name)
            elif value:
                hit = True
        entry["max_temperature_c"] = as_given(to_decimal(row.get("max_temperature_c")))
        if hit:
            failed += 1
        if absent:
            missing_ids.append(sid)
            missing_columns.update(dict.fromkeys(absent))
        samples.append(entry)
    measured: dict[str, Any] = {
        "compared": "failed_count",
        "test": test,
        "sample_count": len(samples),
        "failed_count": failed,
        "samples": samples,
    }
    if declared:
        declared_failed = sum(1 for row in declared if _failed(row, indicators))
        measured["declared"] = {
            "sample_count": len(declared),
            "failed_count": declared_failed,
            "outcome": "fail" if declared_failed else "pass",
        }
    code = f"safety.{test}"
    common = {
        "measured": measured,
        "limit": ", ".join(indicators),
        "comparator": "none_in_any_sample",
        "test": test,
        "indicators": " or ".join(indicators),
        "sample_count": len(samples),
        "failed_count": failed,
        "min_samples": int(min_samples.value),
        "class_name": class_rule.name_en,
    }
    # A fire or an explosion is decisive even if another sample lacks a value.
    if failed:
        outcome, message_id = "fail", "safety.fail"
    elif not samples:
        flag_maker_only(code, flags, declared=bool(declared))
        outcome, message_id = "incomplete", "safety.no_data"
    elif missing_ids:
        return SENTENCES.result(
            code,
            "incomplete",
            "safety.missing_values",
            **common,
            sample_ids=sample_ids(missing_ids),
            columns=", ".join(missing_columns),
        )
    elif not min_samples.holds(Decimal(len(samples))):
        outcome, message_id = "incomplete", "safety.too_few_samples"
    else:
        outcome, message_id = "pass", "safety.pass"
    if declared and outcome in ("pass", "fail") and measured["declared"]["outcome"] != outcome:
        flag_declared_disagreement(code, measured["declared"]["outcome"], outcome, flags)
    return SENTENCES.result(code, outcome, message_id, **common)
