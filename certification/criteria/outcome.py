"""What the engine answers: per criterion a result, flags for the reviewer, and the verdict.

Everything is JSON-safe through ``as_dict`` (Decimals as strings, dates ISO), which is what
``Evaluation.result`` stores and what a re-run is compared with (STANDARD.md section 5). A result
and a flag carry their sentence three ways: the message id, its parameters (text values, see
``certification.criteria.text``) and the English text rendered from them.

A criterion's ``measured`` record names, under ``compared``, the key of the value the limit is
compared with (``max_loss_pct``, ``liquid_electrolyte_pct``, ``min_energy_density_wh_per_kg``,
``failed_count``; None when nothing is compared), so a page shows that value without guessing.
``requirements`` holds what the rule set requires of each test condition as text values; the
record's ``measured["conditions"]`` is the same in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from certification.criteria.text import render_template
from certification.rules import LabelSet

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Flag:
    code: str
    severity: str  # SEVERITIES
    message_id: str
    params: dict[str, Any]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message_id": self.message_id,
            "params": self.params,
            "message": self.message,
        }


@dataclass(frozen=True)
class CriterionResult:
    code: str  # "weight_loss", "electrolyte_content", "energy_density", "safety.<test>"
    outcome: str  # vocabulary.OUTCOMES
    measured: dict[str, Any] | list[Any]
    limit: str
    comparator: str
    unit: str
    message_id: str
    params: dict[str, Any]
    message: str
    requirements: dict[str, Any] = field(default_factory=dict)  # condition -> text value

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "outcome": self.outcome,
            "measured": self.measured,
            "limit": self.limit,
            "comparator": self.comparator,
            "unit": self.unit,
            "message_id": self.message_id,
            "params": self.params,
            "message": self.message,
            "requirements": self.requirements,
        }


@dataclass(frozen=True)
class EvaluationOutcome:
    ruleset_code: str
    ruleset_version: int
    verdict: str  # "certifiable" | "not_certifiable" | "incomplete"
    determined_class: str | None
    certifiable: bool
    may_label_solid_state: bool
    claim_supported: bool
    classification_code: str | None
    application: str | None  # vocabulary.APPLICATIONS or None
    reviewer_approvals_required: int | None
    permitted_labels: LabelSet
    forbidden_labels: LabelSet
    flags: tuple[Flag, ...]
    criteria: tuple[CriterionResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """The outcome as plain JSON values, as stored in ``Evaluation.result``."""
        return {
            "ruleset": {"code": self.ruleset_code, "version": self.ruleset_version},
            "verdict": self.verdict,
            "determined_class": self.determined_class,
            "certifiable": self.certifiable,
            "may_label_solid_state": self.may_label_solid_state,
            "claim_supported": self.claim_supported,
            "classification_code": self.classification_code,
            "application": self.application,
            "reviewer_approvals_required": self.reviewer_approvals_required,
            "labels": {
                "permitted": self.permitted_labels.as_dict(),
                "forbidden": self.forbidden_labels.as_dict(),
            },
            "flags": [f.as_dict() for f in self.flags],
            "criteria": [c.as_dict() for c in self.criteria],
        }


class Sentences:
    """One module's sentence templates (its ``MESSAGES``), and the results and flags worded with
    them: each criterion family says its own sentences."""

    def __init__(self, templates: Mapping[str, str]):
        self.templates = templates

    def flag(self, code: str, severity: str, **params: Any) -> Flag:
        message_id = f"flag.{code}"
        message = render_template(self.templates[message_id], params)
        return Flag(code, severity, message_id, params, message)

    def result(
        self,
        code: str,
        outcome: str,
        message_id: str,
        *,
        measured: dict[str, Any],
        limit: str = "",
        comparator: str = "",
        unit: str = "",
        requirements: dict[str, Any] | None = None,
        **params: Any,
    ) -> CriterionResult:
        params.setdefault("limit", limit)
        params.setdefault("comparator", comparator)
        params.setdefault("unit", unit)
        return CriterionResult(
            code=code,
            outcome=outcome,
            measured=measured,
            limit=limit,
            comparator=comparator,
            unit=unit,
            message_id=message_id,
            params=params,
            message=render_template(self.templates[message_id], params),
            requirements=dict(requirements or {}),
        )
