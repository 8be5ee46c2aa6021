"""What-if: a finished evaluation re-run under another rule set, compared criterion by criterion
with the original (issue 8). Read-only: the stored files are read back (SHA-256 checked) exactly
as a reproduction reads them, and nothing is stored except the audit event that it was done.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from certification import access, criteria
from certification.evidence import EvidenceChanged, build_input, evaluation_datasets, rule_data
from certification.exceptions import InvalidTransition, NotPermitted
from certification.models import Evaluation, RuleSet, User
from certification.rules import RuleSetData
from certification.services.common import audit


def outcome_under(evaluation: Evaluation, rules: RuleSetData) -> dict[str, Any]:
    """The engine's outcome for ``evaluation``'s stored evidence under ``rules`` (read-only;
    raises ``EvidenceChanged`` when a stored file no longer matches its upload)."""
    data, _inputs = build_input(evaluation, evaluation_datasets(evaluation), rules=rules)
    return criteria.evaluate(rules, data).as_dict()


def summary(outcome: dict[str, Any]) -> dict[str, Any]:
    """What a certificate states, from an outcome: class, certifiability and wording."""
    labels = (outcome.get("labels") or {}).get("permitted") or {}
    return {
        "verdict": outcome.get("verdict"),
        "determined_class": outcome.get("determined_class") or None,
        "certifiable": bool(outcome.get("certifiable")),
        "may_label_solid_state": bool(outcome.get("may_label_solid_state")),
        "classification_code": outcome.get("classification_code") or None,
        "permitted_labels": {
            "en": list(labels.get("en") or []),
            "zh": list(labels.get("zh") or []),
        },
    }


def changed_aspects(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Of class, certifiability and permitted label, those that differ between two summaries."""
    changes = []
    if before["determined_class"] != after["determined_class"]:
        changes.append("class")
    if before["certifiable"] != after["certifiable"]:
        changes.append("certifiable")
    if (
        before["permitted_labels"] != after["permitted_labels"]
        or before["may_label_solid_state"] != after["may_label_solid_state"]
    ):
        changes.append("label")
    return changes


def _criterion(item: dict[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "outcome": item.get("outcome"),
        "measured": item.get("measured"),
        "limit": item.get("limit"),
        "comparator": item.get("comparator"),
        "unit": item.get("unit"),
        "message": item.get("message"),
    }


def compare_criteria(original: dict[str, Any], other: dict[str, Any]) -> list[dict[str, Any]]:
    """Each criterion of either outcome, in the original's order then the other's new ones:
    outcome, measured and limit side by side, and whether any of the three differs."""
    before = {c["code"]: c for c in original.get("criteria") or []}
    after = {c["code"]: c for c in other.get("criteria") or []}
    codes = list(before) + [code for code in after if code not in before]
    rows = []
    for code in codes:
        a, b = _criterion(before.get(code)), _criterion(after.get(code))
        keys = ("outcome", "measured", "limit")
        differs = a is None or b is None or any(a[k] != b[k] for k in keys)
        rows.append({"code": code, "original": a, "whatif": b, "changed": differs})
    return rows


def _ruleset_ref(ruleset: RuleSet) -> dict[str, Any]:
    return {
        "id": ruleset.pk,
        "code": ruleset.code,
        "version": ruleset.version,
        "status": ruleset.status,
        "sha256": ruleset.sha256,
    }


def evaluation_whatif(*, user: User, evaluation: Evaluation, ruleset: RuleSet) -> dict[str, Any]:
    """Re-run a finished evaluation under ``ruleset`` (active or proposed) and compare it with
    the stored outcome, criterion by criterion. Regulators and the certification body only;
    nothing is stored but the audit event."""
    if not access.can_audit(user):
        raise NotPermitted(_("Only regulators and the certification body re-run evaluations."))
    if evaluation.status != Evaluation.Status.DONE:
        raise InvalidTransition(_("Only a finished evaluation can be re-run under a rule set."))
    original = evaluation.result or {}
    report: dict[str, Any] = {
        "evaluation": evaluation.pk,
        "submission": evaluation.submission_id,
        "attempt": evaluation.attempt,
        "original_ruleset": _ruleset_ref(evaluation.ruleset),
        "whatif_ruleset": _ruleset_ref(ruleset),
        "original": summary(original),
    }
    try:
        other = outcome_under(evaluation, rule_data(ruleset))
    except EvidenceChanged as exc:
        report.update(whatif=None, changes=[], criteria=[], error=str(exc))
    else:
        report.update(
            whatif=summary(other),
            changes=changed_aspects(summary(original), summary(other)),
            criteria=compare_criteria(original, other),
            error=None,
        )
    audit(
        action="evaluation.whatif",
        actor=user,
        submission=evaluation.submission,
        evaluation=evaluation.pk,
        ruleset=ruleset.pk,
        code=ruleset.code,
        version=ruleset.version,
        changes=report["changes"],
    )
    return report
