"""When a measured criterion cannot be judged: missing values, unmet test conditions, too few
samples.

STANDARD.md section 5: missing data or invalid test conditions make a criterion *incomplete*,
never a pass and never a fail either (an invalid test proves nothing). The conditions, their
tolerances and the sample counts are rule-set data: ``[criteria.weight_loss.conditions.*]``,
``[criteria.energy_density.conditions.*]`` and each criterion's ``min_samples`` in
certification/rulesets/gbt-ssb-2026.toml. A condition the rule set marks ``optional`` is checked
only when a sheet reports it; one left out is said, not held against the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from certification.criteria.outcome import CriterionResult, Flag, Sentences
from certification.criteria.text import fragment, joined, sample_ids
from certification.criteria.values import as_given, to_decimal
from certification.rules import Limit
from certification.vocabulary import gettext_noop

MESSAGES: dict[str, str] = {
    "flag.invalid_test_conditions": gettext_noop(
        "The {kind} test did not meet its conditions ({conditions}); it is invalid, not failed, "
        "and must be repeated."
    ),
    "flag.condition_not_reported": gettext_noop(
        "The {kind} results do not report {conditions}; that condition was not verified."
    ),
}
SENTENCES = Sentences(MESSAGES)


@dataclass
class Problems:
    """Why a criterion's data cannot be judged, collected over all rows."""

    missing_ids: list[str] = field(default_factory=list)
    missing_columns: dict[str, None] = field(default_factory=dict)
    bad_conditions: dict[str, list[str]] = field(default_factory=dict)  # condition -> sample ids
    unreported: dict[str, None] = field(default_factory=dict)  # optional conditions not reported

    def missing(self, sample_id: str, columns: list[str]) -> None:
        self.missing_ids.append(sample_id)
        self.missing_columns.update(dict.fromkeys(columns))

    def condition_not_met(self, name: str, sample_id: str) -> None:
        self.bad_conditions.setdefault(name, []).append(sample_id)

    def condition_text(self, requirements: Mapping[str, Any]) -> dict[str, Any]:
        """The failed conditions, each with what the rule set requires (text values by name)."""
        return joined(
            "list.conditions",
            (
                fragment("condition.required", condition=name, requirement=requirements[name])
                for name in self.bad_conditions
            ),
        )

    def check_conditions(
        self,
        row: Mapping[str, Any],
        sample_id: str,
        limits: Mapping[str, Limit],
        entry: dict[str, Any],
        missing: list[str],
    ) -> bool:
        """Record the row's test conditions in ``entry`` and whether each holds its limit.

        An unreported required condition is added to ``missing``, an unreported optional one
        noted; returns True when every reported condition holds."""
        met = True
        for name, cond in limits.items():
            value = to_decimal(row.get(name))
            entry[name] = as_given(value)
            if value is None:
                if cond.optional:
                    self.unreported[name] = None
                else:
                    missing.append(name)
            elif not cond.holds(value):
                met = False
                self.condition_not_met(name, sample_id)
        return met

    def bad_ids(self) -> list[str]:
        return [sid for ids in self.bad_conditions.values() for sid in ids]


def flag_unreported(kind: str, problems: Problems, flags: list[Flag]) -> None:
    """Conditions the results leave out were not verified: said, not held against them."""
    if problems.unreported:
        flags.append(
            SENTENCES.flag(
                "condition_not_reported",
                "info",
                kind=kind,
                conditions=joined("list.names", problems.unreported),
            )
        )


def validity_gate(
    sentences: Sentences,
    code: str,
    flags: list[Flag],
    *,
    samples: list,
    problems: Problems,
    min_samples: Limit,
    common: dict[str, Any],
    params: dict[str, Any],
) -> CriterionResult | None:
    """The criterion ``code`` as *incomplete* when its data cannot be judged, before its limit is
    ever compared: no lab samples, missing values, conditions outside the rule set's tolerances,
    too few samples. None when the data can be judged. ``sentences`` is the criterion family's
    (``<code>.no_data``, ``<code>.missing_values``, ...); ``common`` holds the result's measured
    record, limit and condition requirements."""
    if not samples:
        return sentences.result(code, "incomplete", f"{code}.no_data", **common, **params)
    if problems.missing_ids:
        return sentences.result(
            code,
            "incomplete",
            f"{code}.missing_values",
            **common,
            **params,
            sample_ids=sample_ids(problems.missing_ids),
            columns=", ".join(problems.missing_columns),
        )
    if problems.bad_conditions:
        conditions = problems.condition_text(common["requirements"])
        flags.append(
            SENTENCES.flag("invalid_test_conditions", "warning", kind=code, conditions=conditions)
        )
        return sentences.result(
            code,
            "incomplete",
            f"{code}.invalid_conditions",
            **common,
            **params,
            conditions=conditions,
            sample_ids=sample_ids(problems.bad_ids()),
        )
    if not min_samples.holds(Decimal(len(samples))):
        return sentences.result(code, "incomplete", f"{code}.too_few_samples", **common, **params)
    return None
