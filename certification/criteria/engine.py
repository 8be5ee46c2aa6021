"""The evaluation: a rule set and the evidence in, a reproducible outcome out.

Runs the criterion families in the decision order of STANDARD.md section 5:

1. evidence: only rows of an assigned lab accredited on the row's test date count
   (``evidence_independence``); the maker's rows are declarations;
2. vacuum weight loss and liquid electrolyte content, each *incomplete* when its data or its test
   conditions are not valid, never failed (``weight_loss``, ``electrolyte_content``);
3. the class from the content band and the weight loss (``verdict.determine_class``);
4. the energy density floor of that class, then its safety tests (``energy_density``,
   ``safety``);
5. certifiable only when the class is certifiable and every criterion it requires passed on
   complete, valid data; then the claim, the labels and the classification code (``verdict``).

The order of the flags is the order in which the steps raise them, and is part of the stored
outcome a re-run must reproduce.
"""

from __future__ import annotations

from decimal import localcontext

from certification.criteria import verdict as verdicts
from certification.criteria.electrolyte_content import check_declarations, evaluate_content
from certification.criteria.energy_density import evaluate_energy
from certification.criteria.evidence_independence import pool_evidence
from certification.criteria.inputs import EvaluationInput
from certification.criteria.outcome import CriterionResult, EvaluationOutcome, Flag
from certification.criteria.safety import evaluate_safety
from certification.criteria.values import DECIMAL_CONTEXT
from certification.criteria.weight_loss import evaluate_weight_loss, not_required
from certification.rules import RuleSetData
from certification.vocabulary import (
    CLASSES,
    CONDUCTING_IONS,
    ELECTROLYTE_FAMILIES,
    EVIDENCE_SOURCES,
    SHEET_KINDS,
)


def evaluate(ruleset: RuleSetData, data: EvaluationInput) -> EvaluationOutcome:
    """Evaluate ``data`` against ``ruleset`` (STANDARD.md section 5; see the module docstring).

    Raises ``ValueError`` only for inputs the Django layer must never build (an unknown class,
    sheet kind or evidence source); missing or doubtful evidence is an outcome, not an error.
    """
    _check_input(data)
    with localcontext(DECIMAL_CONTEXT):
        return _run(ruleset, data)


def _check_input(data: EvaluationInput) -> None:
    if data.claimed_class not in CLASSES:
        raise ValueError(f"unknown claimed class {data.claimed_class!r}")
    if data.product.electrolyte_family not in ELECTROLYTE_FAMILIES:
        raise ValueError(f"unknown electrolyte family {data.product.electrolyte_family!r}")
    if data.product.conducting_ion not in CONDUCTING_IONS:
        raise ValueError(f"unknown conducting ion {data.product.conducting_ion!r}")
    for sheet in data.sheets:
        if sheet.kind not in SHEET_KINDS:
            raise ValueError(f"{sheet.dataset_ref}: unknown sheet kind {sheet.kind!r}")
        if sheet.source not in EVIDENCE_SOURCES:
            raise ValueError(f"{sheet.dataset_ref}: unknown source {sheet.source!r}")


def _run(rs: RuleSetData, data: EvaluationInput) -> EvaluationOutcome:
    product = data.product
    flags: list[Flag] = []
    pools = pool_evidence(rs.evidence, data.sheets, flags)

    weight_loss = (
        evaluate_weight_loss(rs.weight_loss, pools["weight_loss"], data.chambers, flags)
        if rs.weight_loss
        else None
    )
    content = (
        evaluate_content(
            rs, pools["electrolyte_content"], product.declared_liquid_electrolyte_pct, flags
        )
        if rs.electrolyte_content
        else None
    )
    determined = verdicts.determine_class(rs, content, weight_loss, flags)
    class_rule = rs.class_rule(determined)
    if content is not None:
        check_declarations(rs, content, weight_loss, product.declared_liquid_electrolyte_pct, flags)
    if (
        weight_loss is not None
        and weight_loss.message_id == "weight_loss.no_data"
        and class_rule is not None
        and "weight_loss" not in class_rule.requires
    ):
        weight_loss = not_required(weight_loss, class_rule)
    energy = (
        evaluate_energy(
            rs.energy_density,
            pools["energy_density"],
            class_rule,
            product.rated_capacity_ah,
            data.cyclers,
            flags,
        )
        if rs.energy_density
        else None
    )
    safety = evaluate_safety(rs.safety, pools["safety"], class_rule, flags) if rs.safety else ()

    measured: tuple[CriterionResult | None, ...] = (
        content.result if content else None,
        weight_loss,
        energy,
    )
    criteria = tuple(c for c in measured if c is not None) + safety

    certifiable = verdicts.is_certifiable(class_rule, criteria)
    verdict = verdicts.verdict_of(class_rule, certifiable, criteria)
    claim_supported = verdicts.claim_supported(rs, data.claimed_class, determined, flags)
    verdicts.flag_class_facts(class_rule, product, flags)
    application = verdicts.application_of(rs, product, flags)
    code = None
    if certifiable and application is not None:
        code = rs.classification_code.build(
            battery_class=determined,
            family=product.electrolyte_family,
            ion=product.conducting_ion,
            application=application,
        )
    permitted, forbidden = verdicts.labels_for(rs, class_rule, certifiable)
    approvals = (
        class_rule.reviewer_approvals.as_int()
        if class_rule is not None and class_rule.reviewer_approvals is not None
        else None
    )
    return EvaluationOutcome(
        ruleset_code=rs.code,
        ruleset_version=rs.version,
        verdict=verdict,
        determined_class=determined,
        certifiable=certifiable,
        may_label_solid_state=certifiable and determined == "all_solid_state",
        claim_supported=claim_supported,
        classification_code=code,
        application=application,
        reviewer_approvals_required=approvals,
        permitted_labels=permitted,
        forbidden_labels=forbidden,
        flags=tuple(flags),
        criteria=criteria,
    )
