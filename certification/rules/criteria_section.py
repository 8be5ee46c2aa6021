"""The ``[criteria.*]`` tables: how each criterion is measured and what a valid test looks like.

Limits, test conditions (a test outside them is incomplete, not failed), minimum sample counts
and the cross-check tolerances of weight loss, electrolyte content, energy density and abuse
safety (STANDARD.md section 4). A rule set may leave out any of them; the classes say which they
require (checked in ``consistency``).
"""

from __future__ import annotations

from certification.rules.reader import Table, read_limit, read_number, read_samples
from certification.rules.schema import (
    ENERGY_CONDITIONS,
    WEIGHT_LOSS_CONDITIONS,
    ContentRule,
    EnergyRule,
    Limit,
    RateCurrentLimit,
    RuleSetInvalid,
    SafetyRule,
    WeightLossRule,
)
from certification.vocabulary import SAFETY_FAILURE_INDICATORS


def _read_conditions(t: Table, names: tuple[str, ...]) -> tuple[Limit, ...]:
    """One limit per sheet column in ``names``, each named by its column."""
    conditions = []
    for name in t.data:
        if name not in names:
            raise RuleSetInvalid(
                f"{t.at(name)}: unknown condition; expected one of {', '.join(names)}"
            )
        conditions.append(read_limit(t.table(name), may_be_optional=True))
    t.done()
    return tuple(conditions)


def read_weight_loss(t: Table | None) -> WeightLossRule | None:
    if t is None:
        return None
    rule = WeightLossRule(
        source=t.source_ref(),
        procedure=t.string("procedure"),
        note=t.string("note", required=False),
        max_loss_pct=read_limit(t.table("max_loss_pct"), allowed=("<=", "<")),
        leakage_allowed=t.boolean("leakage_allowed"),
        min_samples=read_samples(t.table("min_samples")),
        conditions=_read_conditions(t.table("conditions"), WEIGHT_LOSS_CONDITIONS),
        chamber_max_gap_s=_read_chamber_log(t.table("chamber_log", required=False)),
    )
    t.done()
    return rule


def _read_chamber_log(t: Table | None) -> Limit | None:
    """``[criteria.weight_loss.chamber_log]``: what a chamber log must show beyond the
    conditions; for now ``max_gap_s``, the longest time between two readings a hold may span."""
    if t is None:
        return None
    gap = read_limit(t.table("max_gap_s"), allowed=("<=",))
    if gap.value <= 0:
        raise RuleSetInvalid(f"{gap.path}.value: must be greater than zero")
    if gap.unit != "s":
        raise RuleSetInvalid(f'{gap.path}.unit: must be "s" (seconds)')
    t.done()
    return gap


def read_content(t: Table | None) -> ContentRule | None:
    if t is None:
        return None
    rule = ContentRule(
        source=t.source_ref(),
        note=t.string("note", required=False),
        min_samples=read_samples(t.table("min_samples")),
        declared_tolerance_pct=read_limit(t.table("declared_tolerance_pct"), allowed=("<=", "<")),
    )
    t.done()
    return rule


def read_energy(t: Table | None) -> EnergyRule | None:
    if t is None:
        return None
    current_t = t.table("discharge_current")
    current_source = current_t.source_ref()
    if current_t.string("comparator") != "between_inclusive":
        raise RuleSetInvalid(f"{current_t.at('comparator')}: must be between_inclusive")
    current = RateCurrentLimit(
        path=current_t.path,
        unit=current_t.string("unit"),
        source=current_source,
        rate_hours=read_number(current_t.table("rate_hours"), positive=True),
        tolerance_pct=read_number(current_t.table("tolerance_pct")),
        assumption=current_t.boolean("assumption", default=False),
        note=current_t.string("note", required=False),
    )
    current_t.done()
    rule = EnergyRule(
        source=t.source_ref(),
        note=t.string("note", required=False),
        min_samples=read_samples(t.table("min_samples")),
        conditions=_read_conditions(t.table("conditions"), ENERGY_CONDITIONS),
        discharge_current=current,
        cycler_tolerance_pct=read_limit(t.table("cycler_tolerance_pct"), allowed=("<=", "<")),
    )
    t.done()
    return rule


def read_safety(t: Table | None) -> SafetyRule | None:
    if t is None:
        return None
    rule = SafetyRule(
        source=t.source_ref(),
        failure_indicators=t.strings("failure_indicators", choices=SAFETY_FAILURE_INDICATORS),
        note=t.string("note", required=False),
    )
    t.done()
    return rule
