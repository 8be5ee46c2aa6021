"""Vacuum weight loss: does the cell hold liquid? (STANDARD.md section 4.1)

Implements ``[criteria.weight_loss]`` of certification/rulesets/gbt-ssb-2026.toml (and of
t-csae-434-2025): per sample, loss % = (m_before − m_after) × 100 / m_before; the criterion passes
when every sample's loss holds ``max_loss_pct`` (full-value comparison) and, unless
``leakage_allowed``, no sample shows visible leakage. The test is *invalid*, not failed, when a
row's conditions (``conditions.*``: chamber temperature, duration, vacuum, balance resolution)
miss their tolerances, when there are fewer than ``min_samples`` samples, or when a chamber log
(the raw data behind the sheet) does not show the required hold. Without a chamber log the
sheet's own condition columns decide, and a flag says so.

A failed weight loss or any leakage means the cell holds liquid; the class it then falls to is
decided in ``certification.criteria.verdict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from certification.criteria.evidence_independence import (
    Pool,
    flag_declared_disagreement,
    flag_maker_only,
)
from certification.criteria.inputs import ChamberEvidence
from certification.criteria.outcome import CriterionResult, Flag, Sentences
from certification.criteria.text import fragment, joined, render_text, requirement
from certification.criteria.validity import Problems, flag_unreported, validity_gate
from certification.criteria.values import (
    SECONDS_PER_HOUR,
    as_given,
    for_display,
    iso_day,
    sample_id_of,
    to_decimal,
)
from certification.rules import ClassRule, Limit, WeightLossRule
from certification.vocabulary import gettext_noop

MESSAGES: dict[str, str] = {
    "weight_loss.pass": gettext_noop(
        "Vacuum weight loss passes: the highest loss is {max_loss_pct} % (limit {comparator} "
        "{limit} %, n = {sample_count}) and no sample shows visible leakage."
    ),
    "weight_loss.fail": gettext_noop(
        "Vacuum weight loss fails: the highest loss is {max_loss_pct} % (limit {comparator} "
        "{limit} %, n = {sample_count}); samples over the limit: {over_limit_count}; samples with "
        "visible leakage: {leakage_count}."
    ),
    "weight_loss.no_data": gettext_noop(
        "Vacuum weight loss is incomplete: there is no result from an assigned lab accredited on "
        "the test date."
    ),
    "weight_loss.missing_values": gettext_noop(
        "Vacuum weight loss is incomplete: samples {sample_ids} lack valid values for {columns}."
    ),
    "weight_loss.invalid_conditions": gettext_noop(
        "Vacuum weight loss is invalid, not failed: the test conditions were not met "
        "({conditions}) for samples {sample_ids}."
    ),
    "weight_loss.too_few_samples": gettext_noop(
        "Vacuum weight loss is incomplete: n = {sample_count}, and at least {min_samples} samples "
        "are required."
    ),
    "weight_loss.invalid_chamber_log": gettext_noop(
        "Vacuum weight loss is invalid, not failed: chamber log {dataset_ref} does not show the "
        "required hold ({conditions})."
    ),
    "weight_loss.not_required": gettext_noop(
        "No vacuum weight-loss result; the {class_name} class does not require one."
    ),
    "flag.no_chamber_log": gettext_noop(
        "No chamber log was provided; the weight-loss conditions were judged from the result "
        "sheet's own columns."
    ),
    "flag.chamber_log_conditions_not_met": gettext_noop(
        "Chamber log {dataset_ref} does not show the required hold: {conditions}."
    ),
}
SENTENCES = Sentences(MESSAGES)


def evaluate_weight_loss(
    rule: WeightLossRule,
    pool: Pool,
    chambers: tuple[ChamberEvidence, ...],
    flags: list[Flag],
) -> CriterionResult:
    """The weight-loss criterion on the lab's rows, cross-checked with the chamber logs."""
    limit = rule.max_loss_pct
    limits = {c.name: c for c in rule.conditions}
    requirements = {name: requirement(c) for name, c in limits.items()}
    problems = Problems()
    samples: list[dict[str, Any]] = []
    losses: list[Decimal] = []
    over = leaking = 0
    for row, ref in pool.accepted:
        sid = sample_id_of(row)
        m0, m1 = to_decimal(row.get("mass_before_g")), to_decimal(row.get("mass_after_g"))
        leakage = row.get("leakage")
        entry: dict[str, Any] = {
            "sample_id": sid,
            "dataset_ref": ref,
            "test_date": iso_day(row.get("test_date")),
            "mass_before_g": as_given(m0),
            "mass_after_g": as_given(m1),
            "leakage": leakage if isinstance(leakage, bool) else None,
        }
        missing = []
        if m0 is None or m0 <= 0:
            missing.append("mass_before_g")
        if m1 is None or m1 < 0:
            missing.append("mass_after_g")
        if not isinstance(leakage, bool):
            missing.append("leakage")
        entry["conditions_met"] = problems.check_conditions(row, sid, limits, entry, missing)
        loss = None
        if "mass_before_g" not in missing and "mass_after_g" not in missing:
            loss = (m0 - m1) * 100 / m0
            losses.append(loss)
            if not limit.holds(loss):
                over += 1
        if leakage is True:
            leaking += 1
        entry["loss_pct"] = for_display(loss)
        if missing:
            problems.missing(sid, missing)
        samples.append(entry)

    measured: dict[str, Any] = {
        "compared": "max_loss_pct",
        "sample_count": len(samples),
        "max_loss_pct": for_display(max(losses)) if losses else None,
        "leakage_count": leaking,
        "samples": samples,
        "ignored_rows": pool.ignored,
        "conditions": {name: render_text(text) for name, text in requirements.items()},
        "chamber_logs": [],
    }
    declared = declared_weight_loss(rule, pool)
    if declared is not None:
        measured["declared"] = declared
    chamber_problems = (
        check_chamber_logs(
            limits,
            chambers,
            measured["chamber_logs"],
            flags,
            name_the_break=rule.chamber_max_gap_s is not None,
        )
        if samples
        else []
    )
    flag_unreported("weight_loss", problems, flags)
    params = {
        "sample_count": len(samples),
        "max_loss_pct": measured["max_loss_pct"],
        "over_limit_count": over,
        "leakage_count": leaking,
        "min_samples": int(rule.min_samples.value),
    }
    common = {
        "measured": measured,
        "limit": limit.limit_text,
        "comparator": limit.comparator,
        "unit": limit.unit,
        "requirements": requirements,
    }
    if not samples:
        flag_maker_only("weight_loss", flags, declared=bool(pool.declared))
    gate = validity_gate(
        SENTENCES,
        "weight_loss",
        flags,
        samples=samples,
        problems=problems,
        min_samples=rule.min_samples,
        common=common,
        params=params,
    )
    if gate is not None:
        return gate
    if chamber_problems:
        ref, conditions = chamber_problems[0]
        return SENTENCES.result(
            "weight_loss",
            "incomplete",
            "weight_loss.invalid_chamber_log",
            **common,
            **params,
            dataset_ref=ref,
            conditions=conditions,
        )
    failed = over > 0 or (leaking > 0 and not rule.leakage_allowed)
    outcome = "fail" if failed else "pass"
    if declared is not None and declared["outcome"] not in (outcome, "incomplete"):
        flag_declared_disagreement("weight_loss", declared["outcome"], outcome, flags)
    return SENTENCES.result("weight_loss", outcome, f"weight_loss.{outcome}", **common, **params)


def not_required(result: CriterionResult, class_rule: ClassRule) -> CriterionResult:
    """No lab result, for a class that needs none (the hybrid class of the default rule set):
    not applicable rather than incomplete."""
    return SENTENCES.result(
        "weight_loss",
        "not_applicable",
        "weight_loss.not_required",
        measured=result.measured,
        limit=result.limit,
        comparator=result.comparator,
        unit=result.unit,
        requirements=result.requirements,
        class_name=class_rule.name_en,
    )


def declared_weight_loss(rule: WeightLossRule, pool: Pool) -> dict[str, Any] | None:
    """The maker's own weight-loss numbers, judged by the same limit (conditions unchecked)."""
    if not pool.declared:
        return None
    losses = []
    leaking = 0
    for row, _ref in pool.declared:
        m0, m1 = to_decimal(row.get("mass_before_g")), to_decimal(row.get("mass_after_g"))
        if m0 is not None and m0 > 0 and m1 is not None:
            losses.append((m0 - m1) * 100 / m0)
        if row.get("leakage") is True:
            leaking += 1
    if not losses:
        outcome = "incomplete"
    else:
        over = any(not rule.max_loss_pct.holds(x) for x in losses)
        outcome = "fail" if over or (leaking and not rule.leakage_allowed) else "pass"
    return {
        "sample_count": len(pool.declared),
        "max_loss_pct": for_display(max(losses)) if losses else None,
        "leakage_count": leaking,
        "outcome": outcome,
        "dataset_refs": sorted({ref for _row, ref in pool.declared}),
    }


def check_chamber_logs(
    limits: dict[str, Limit],
    chambers: tuple[ChamberEvidence, ...],
    out: list,
    flags: list[Flag],
    *,
    name_the_break: bool = False,
) -> list[tuple[str, dict]]:
    """Check each chamber log's longest hold against the weight-loss conditions; each log's
    summary goes to ``out``, and (ref, what failed) of each log that fails is returned.

    Absent logs leave the decision to the sheet's own condition columns (flagged).
    ``name_the_break`` (rule sets with ``[criteria.weight_loss.chamber_log]``, gbt-ssb-2026 from
    version 3; earlier ones keep their sentences so their evaluations reproduce): a hold too
    short says what first cut it, with the log's clock time and value."""
    if not chambers:
        flags.append(SENTENCES.flag("no_chamber_log", "info"))
        return []
    problems = []
    for log in chambers:
        summary, failed = _chamber_hold(log, limits, name_the_break=name_the_break)
        out.append(summary)
        if failed:
            text = joined("list.chamber", failed)
            problems.append((log.dataset_ref, text))
            flags.append(
                SENTENCES.flag(
                    "chamber_log_conditions_not_met",
                    "warning",
                    dataset_ref=log.dataset_ref,
                    conditions=text,
                )
            )
    return problems


def _chamber_hold(
    log: ChamberEvidence, limits: dict[str, Limit], *, name_the_break: bool = False
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One log's longest hold as recorded, and what it failed of hold time, temperature and
    pressure (text values)."""
    duration = limits.get("duration_h")
    temperature = limits.get("temperature_c")
    pressure = limits.get("pressure_pa")
    hold_h = to_decimal(log.longest_hold_s)
    hold_h = hold_h / SECONDS_PER_HOUR if hold_h is not None else None
    t_min, t_max = to_decimal(log.min_temperature_c), to_decimal(log.max_temperature_c)
    p_max = to_decimal(log.max_pressure_pa)
    failed = []
    if duration is not None and (hold_h is None or not duration.holds(hold_h)):
        cause = _break_cause(log.hold_break) if name_the_break else None
        if cause is None:
            failed.append(
                fragment(
                    "chamber.hold", hold_h=for_display(hold_h), requirement=requirement(duration)
                )
            )
        else:
            failed.append(
                fragment(
                    "chamber.hold_cut",
                    hold_h=for_display(hold_h),
                    requirement=requirement(duration),
                    cause=cause,
                )
            )
    if temperature is not None and (
        t_min is None
        or t_max is None
        or not (temperature.holds(t_min) and temperature.holds(t_max))
    ):
        failed.append(
            fragment(
                "chamber.temperature",
                min_c=as_given(t_min),
                max_c=as_given(t_max),
                requirement=requirement(temperature),
            )
        )
    if pressure is not None and (p_max is None or not pressure.holds(p_max)):
        failed.append(
            fragment("chamber.pressure", max_pa=as_given(p_max), requirement=requirement(pressure))
        )
    summary = {
        "dataset_ref": log.dataset_ref,
        "longest_hold_h": for_display(hold_h),
        "min_temperature_c": as_given(t_min),
        "max_temperature_c": as_given(t_max),
        "max_pressure_pa": as_given(p_max),
        "conditions_met": not failed,
    }
    return summary, failed


_CAUSE_PARAMS = {
    "temperature": ("value", "at"),
    "pressure": ("value", "at"),
    "gap": ("at", "until"),
    "end": ("at",),
}


def _break_cause(found: Mapping[str, str] | None) -> dict[str, Any] | None:
    """What first broke the log's hold as a text value ("a gap with no readings 2:55–5:20"),
    or None when the log names none (it never reached the conditions)."""
    if not found or found.get("cause") not in _CAUSE_PARAMS:
        return None
    names = _CAUSE_PARAMS[found["cause"]]
    if any(not found.get(name) for name in names):
        return None
    return fragment(f"chamber.cause.{found['cause']}", **{name: found[name] for name in names})
