"""Energy density floor of the determined class (STANDARD.md section 4.3).

Implements ``[criteria.energy_density]`` and the classes' ``energy_floor_wh_per_kg`` of
certification/rulesets/gbt-ssb-2026.toml: energy density = discharge energy (Wh) × 1000 / cell
mass (g), and every sample must hold the floor of the class the evidence determined (the liquid
class has none). The test is invalid, not failed, when a row's conditions (``conditions.*``: the
ambient temperature) or its discharge current (``discharge_current``: rated capacity /
``rate_hours`` h ± ``tolerance_pct`` %, sign ignored) miss their tolerances, or when a cycler file
(the raw data behind the sheet) does not confirm the sheet's discharge energy within
``cycler_tolerance_pct``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from certification.criteria.evidence_independence import (
    Pool,
    flag_declared_disagreement,
    flag_maker_only,
)
from certification.criteria.inputs import CyclerEvidence
from certification.criteria.outcome import CriterionResult, Flag, Sentences
from certification.criteria.text import rated_current, render_text, requirement
from certification.criteria.validity import Problems, flag_unreported, validity_gate
from certification.criteria.values import (
    GRAMS_PER_KG,
    as_given,
    for_display,
    iso_day,
    sample_id_of,
    to_decimal,
)
from certification.rules import ClassRule, EnergyRule, Limit
from certification.vocabulary import gettext_noop

MESSAGES: dict[str, str] = {
    "energy_density.pass": gettext_noop(
        "Energy density passes: the lowest value is {min_energy_density_wh_per_kg} Wh/kg "
        "(n = {sample_count}; floor of the {class_name} class {comparator} {limit} Wh/kg)."
    ),
    "energy_density.fail": gettext_noop(
        "Energy density fails: the lowest value is {min_energy_density_wh_per_kg} Wh/kg, and "
        "{below_floor_count} of {sample_count} samples are below the floor of the {class_name} "
        "class ({comparator} {limit} Wh/kg)."
    ),
    "energy_density.no_data": gettext_noop(
        "Energy density is incomplete: there is no result from an assigned lab accredited on the "
        "test date."
    ),
    "energy_density.missing_values": gettext_noop(
        "Energy density is incomplete: samples {sample_ids} lack valid values for {columns}."
    ),
    "energy_density.invalid_conditions": gettext_noop(
        "The energy density test is invalid, not failed: the test conditions were not met "
        "({conditions}) for samples {sample_ids}."
    ),
    "energy_density.too_few_samples": gettext_noop(
        "Energy density is incomplete: n = {sample_count}, and at least {min_samples} samples are "
        "required."
    ),
    "energy_density.cycler_mismatch": gettext_noop(
        "Energy density is incomplete: the discharge energy on the sheet is not confirmed by the "
        "cycler files ({dataset_refs})."
    ),
    "energy_density.no_floor": gettext_noop(
        "No energy density floor applies to the {class_name} class in this rule set."
    ),
    "energy_density.class_undetermined": gettext_noop(
        "Energy density is not judged: no class was determined, so no floor applies."
    ),
    "flag.no_cycler_data": gettext_noop(
        "No cycler file was provided; the sheet's discharge energy was not cross-checked against "
        "raw data."
    ),
    "flag.cycler_energy_mismatch": gettext_noop(
        "Cycler file {dataset_ref} gives {cycler_energy_wh} Wh, {deviation_pct} % from the "
        "sheet's {sheet_energy_wh} Wh (allowed {comparator} {tolerance_pct} %)."
    ),
    "flag.cycler_sample_unknown": gettext_noop(
        "Cycler file {dataset_ref} belongs to sample {sample_id}, which has no accepted energy "
        "result."
    ),
}
SENTENCES = Sentences(MESSAGES)


def evaluate_energy(
    rule: EnergyRule,
    pool: Pool,
    class_rule: ClassRule | None,
    rated_capacity_ah: Decimal | None,
    cyclers: tuple[CyclerEvidence, ...],
    flags: list[Flag],
) -> CriterionResult:
    """The energy density criterion on the lab's rows, against the floor of ``class_rule``."""
    current = rule.discharge_current
    limits = {c.name: c for c in rule.conditions}
    requirements = {name: requirement(c) for name, c in limits.items()}
    requirements["discharge_current_a"] = rated_current(current)
    capacity = to_decimal(rated_capacity_ah)
    if capacity is not None and capacity <= 0:
        capacity = None
    floor = class_rule.energy_floor_wh_per_kg if class_rule is not None else None
    problems = Problems()
    samples: list[dict[str, Any]] = []
    densities: list[Decimal] = []
    below = 0
    for row, ref in pool.accepted:
        sid = sample_id_of(row)
        energy = to_decimal(row.get("discharge_energy_wh"))
        mass = to_decimal(row.get("cell_mass_g"))
        amps = to_decimal(row.get("discharge_current_a"))
        entry: dict[str, Any] = {
            "sample_id": sid,
            "dataset_ref": ref,
            "test_date": iso_day(row.get("test_date")),
            "discharge_energy_wh": as_given(energy),
            "cell_mass_g": as_given(mass),
            "discharge_current_a": as_given(amps),
        }
        missing = []
        if energy is None or energy < 0:
            missing.append("discharge_energy_wh")
        if mass is None or mass <= 0:
            missing.append("cell_mass_g")
        if amps is None:
            missing.append("discharge_current_a")
        if capacity is None:
            missing.append("rated_capacity_ah")
        conditions_met = problems.check_conditions(row, sid, limits, entry, missing)
        deviation = None
        if amps is not None and capacity is not None:
            deviation = current.deviation_pct(abs(amps), capacity)
            if deviation > current.tolerance_pct.value:
                conditions_met = False
                problems.condition_not_met("discharge_current_a", sid)
        entry["discharge_current_deviation_pct"] = for_display(deviation)
        entry["conditions_met"] = conditions_met
        density = None
        if energy is not None and energy >= 0 and mass is not None and mass > 0:
            # Wh / (g / 1000) written as one division: Wh × 1000 / g.
            density = energy * GRAMS_PER_KG / mass
            densities.append(density)
            if floor is not None and not floor.holds(density):
                below += 1
        entry["energy_density_wh_per_kg"] = for_display(density)
        if missing:
            problems.missing(sid, missing)
        samples.append(entry)

    measured: dict[str, Any] = {
        "compared": "min_energy_density_wh_per_kg",
        "sample_count": len(samples),
        "min_energy_density_wh_per_kg": for_display(min(densities)) if densities else None,
        "nominal_discharge_current_a": for_display(current.nominal_a(capacity))
        if capacity
        else None,
        "samples": samples,
        "ignored_rows": pool.ignored,
        "conditions": {name: render_text(text) for name, text in requirements.items()},
        "cycler": [],
    }
    declared = declared_energy(pool, floor)
    if declared is not None:
        measured["declared"] = declared
    cycler_ok = (
        cross_check_cyclers(rule, pool, cyclers, measured["cycler"], flags) if samples else True
    )
    flag_unreported("energy_density", problems, flags)
    params = {
        "sample_count": len(samples),
        "min_energy_density_wh_per_kg": measured["min_energy_density_wh_per_kg"],
        "below_floor_count": below,
        "min_samples": int(rule.min_samples.value),
    }
    if not samples:
        flag_maker_only("energy_density", flags, declared=bool(pool.declared))
    code = "energy_density"
    if class_rule is None:
        return SENTENCES.result(
            code,
            "not_applicable",
            f"{code}.class_undetermined",
            measured=measured,
            requirements=requirements,
            **params,
        )
    common = {"measured": measured, "requirements": requirements, "class_name": class_rule.name_en}
    if floor is None:
        return SENTENCES.result(code, "not_applicable", f"{code}.no_floor", **common, **params)
    common.update(limit=floor.limit_text, comparator=floor.comparator, unit=floor.unit)
    gate = validity_gate(
        SENTENCES,
        code,
        flags,
        samples=samples,
        problems=problems,
        min_samples=rule.min_samples,
        common=common,
        params=params,
    )
    if gate is not None:
        return gate
    if not cycler_ok:
        return SENTENCES.result(
            code,
            "incomplete",
            f"{code}.cycler_mismatch",
            **common,
            **params,
            dataset_refs=", ".join(c.dataset_ref for c in cyclers),
        )
    outcome = "fail" if below else "pass"
    if declared is not None and declared["outcome"] not in (outcome, "incomplete"):
        flag_declared_disagreement(code, declared["outcome"], outcome, flags)
    return SENTENCES.result(code, outcome, f"{code}.{outcome}", **common, **params)


def declared_energy(pool: Pool, floor: Limit | None) -> dict[str, Any] | None:
    """The maker's own energy numbers, judged by the same floor (conditions unchecked)."""
    if not pool.declared:
        return None
    densities = []
    for row, _ref in pool.declared:
        energy = to_decimal(row.get("discharge_energy_wh"))
        mass = to_decimal(row.get("cell_mass_g"))
        if energy is not None and mass is not None and mass > 0:
            densities.append(energy * GRAMS_PER_KG / mass)
    if not densities or floor is None:
        outcome = "incomplete" if not densities else "not_applicable"
    else:
        outcome = "pass" if all(floor.holds(d) for d in densities) else "fail"
    return {
        "sample_count": len(pool.declared),
        "min_energy_density_wh_per_kg": for_display(min(densities)) if densities else None,
        "outcome": outcome,
        "dataset_refs": sorted({ref for _row, ref in pool.declared}),
    }


def cross_check_cyclers(
    rule: EnergyRule,
    pool: Pool,
    cyclers: tuple[CyclerEvidence, ...],
    out: list,
    flags: list[Flag],
) -> bool:
    """Cross-check the sheet's discharge energy with each cycler file (raw data); each file's
    comparison goes to ``out``. True when every file confirms a row of the sheet."""
    if not cyclers:
        flags.append(SENTENCES.flag("no_cycler_data", "info"))
        return True
    tolerance = rule.cycler_tolerance_pct
    ok = True
    for cycler in cyclers:
        raw = to_decimal(cycler.main_discharge_energy_wh)
        raw = abs(raw) if raw is not None else None
        candidates = [
            (row, ref)
            for row, ref in pool.accepted
            if cycler.sample_id is None or sample_id_of(row) == cycler.sample_id
        ]
        if not candidates:
            ok = False
            out.append({"dataset_ref": cycler.dataset_ref, "sample_id": cycler.sample_id})
            flags.append(
                SENTENCES.flag(
                    "cycler_sample_unknown",
                    "error",
                    dataset_ref=cycler.dataset_ref,
                    sample_id=cycler.sample_id,
                )
            )
            continue
        best = closest_row(candidates, raw)
        within = best is not None and tolerance.holds(best[0])
        out.append(
            {
                "dataset_ref": cycler.dataset_ref,
                "format": cycler.format,
                "sample_id": best[2] if best else cycler.sample_id,
                "cycler_discharge_energy_wh": for_display(raw),
                "sheet_discharge_energy_wh": as_given(best[1]) if best else None,
                "deviation_pct": for_display(best[0]) if best else None,
                "within_tolerance": within,
            }
        )
        if not within:
            ok = False
            flags.append(
                SENTENCES.flag(
                    "cycler_energy_mismatch",
                    "error",
                    dataset_ref=cycler.dataset_ref,
                    cycler_energy_wh=for_display(raw),
                    sheet_energy_wh=as_given(best[1]) if best else None,
                    deviation_pct=for_display(best[0]) if best else None,
                    comparator=tolerance.comparator,
                    tolerance_pct=tolerance.limit_text,
                )
            )
    return ok


def closest_row(candidates: list, raw: Decimal | None) -> tuple[Decimal, Decimal, str] | None:
    """(deviation %, sheet energy, sample id) of the row whose energy the cycler's is nearest."""
    best = None
    for row, _ref in candidates:
        sheet = to_decimal(row.get("discharge_energy_wh"))
        if sheet is None or sheet <= 0 or raw is None:
            continue
        deviation = abs(sheet - raw) * 100 / sheet
        if best is None or deviation < best[0]:
            best = (deviation, sheet, sample_id_of(row))
    return best
