"""Versioned rule sets: TOML text in, a validated, frozen ``RuleSetData`` out (STANDARD.md §2).

Every threshold, comparator, tolerance, condition, sample count, required test, label wording,
classification-code format, certificate validity and reviewer quorum lives in a rule set file in
``certification/rulesets/``; this package holds none of those numbers. It only knows the shape of
a rule set; the scheme's codes (classes, criteria, safety tests, ...) are
``certification.vocabulary``'s.

- ``schema``: the frozen dataclasses and ``RuleSetInvalid``.
- ``reader``: one TOML table read strictly; numbers and limits with their sources.
- ``loader``: a whole file, top to bottom (``load_ruleset``, ``ruleset_files``), with
  ``criteria_section`` and ``classes_section`` for the two large parts.
- ``consistency``: the rules that span tables (requirements, fallbacks, content bands).

Validation is strict: an unknown key, a number without a source or citing one the file does not
declare, an unknown comparator, a negative threshold, content bands that overlap or leave a gap, a
label that contains a term its own class forbids, ... all raise ``RuleSetInvalid`` whose message
starts with a path into the file, e.g. ``criteria.weight_loss.max_loss_pct: missing source``.

Numbers become ``Decimal`` (TOML floats via their shortest repr, so ``0.01`` stays ``0.01``) and
limits are compared with the full, unrounded value (GB/T 8170 "full-value comparison").
"""

from certification.rules.loader import RULESET_DIR, load_ruleset, ruleset_files
from certification.rules.schema import (
    ClassRule,
    CodeFormat,
    ContentRule,
    EnergyRule,
    EvidencePolicy,
    LabelSet,
    Limit,
    Number,
    PlausibleRange,
    RateCurrentLimit,
    RuleSetData,
    RuleSetInvalid,
    SafetyRequirement,
    SafetyRule,
    Source,
    WeightLossRule,
)

__all__ = [
    "RULESET_DIR",
    "ClassRule",
    "CodeFormat",
    "ContentRule",
    "EnergyRule",
    "EvidencePolicy",
    "LabelSet",
    "Limit",
    "Number",
    "PlausibleRange",
    "RateCurrentLimit",
    "RuleSetData",
    "RuleSetInvalid",
    "SafetyRequirement",
    "SafetyRule",
    "Source",
    "WeightLossRule",
    "load_ruleset",
    "ruleset_files",
]
