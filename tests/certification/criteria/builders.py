"""Evidence builders for the engine's tests: a cell that passes everything as all-solid-state,
and one sheet kind at a time to change (no database).

Every boundary of the default rule set ``gbt-ssb-2026`` is tested next to its neighbour on the
other side, plus the predecessor ``t-csae-434-2025``; the baseline is ``solid_state()``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from certification.criteria import EvaluationInput, LabFacts, ProductFacts, SheetEvidence, evaluate
from certification.rules import load_ruleset, ruleset_files

RULESETS = {p.stem: load_ruleset(p.read_text(encoding="utf-8")) for p in ruleset_files()}
DEFAULT = RULESETS["gbt-ssb-2026"]
TCSAE = RULESETS["t-csae-434-2025"]

TEST_DAY = date(2026, 7, 15)
LAB = LabFacts(
    name="Tianjin Battery Test Centre",
    accreditation_number="CNAS L0001",
    accreditation_valid_from=date(2025, 1, 1),
    accreditation_valid_until=date(2028, 12, 31),
    assigned_to_submission=True,
)
EXPIRED = replace(LAB, accreditation_valid_until=date(2026, 6, 30))
NOT_YET = replace(LAB, accreditation_valid_from=date(2026, 8, 1))
UNASSIGNED = replace(LAB, assigned_to_submission=False)
PRODUCT = ProductFacts(
    rated_capacity_ah=D("30"),  # 1 I3 = 10 A
    nominal_voltage_v=D("3.7"),
    rated_energy_wh=D("111"),
    max_continuous_power_w=D("333"),  # 3 W/Wh: high-energy
    cell_mass_g=D("200"),
    declared_liquid_electrolyte_pct=None,
    electrolyte_family="sulfide",
    conducting_ion="lithium",
)
SEED_TESTS = ("nail_penetration", "crush", "heating", "immersion")


def wl_row(sid="W1", *, before="10.00", after="9.98", **overrides):
    row = {
        "sample_id": sid,
        "mass_before_g": D(before),
        "mass_after_g": D(after),
        "temperature_c": D("120"),
        "duration_h": D("6"),
        "pressure_pa": D("100"),
        "leakage": False,
        "balance_resolution_g": D("0.01"),
        "test_date": TEST_DAY,
    }
    row.update({k: D(v) if isinstance(v, str) else v for k, v in overrides.items()})
    return row


def weight_loss(*afters, n=3, source="lab", lab=LAB, **overrides):
    """n samples of 10.00 g; ``afters`` gives each sample's mass after drying."""
    afters = afters or ("9.98",) * n
    rows = tuple(wl_row(f"W{i}", after=a, **overrides) for i, a in enumerate(afters, 1))
    return SheetEvidence("weight_loss", source, f"{source}-weight-loss.csv", rows, lab)


def content(*values, source="lab", lab=LAB):
    rows = tuple(
        {"sample_id": f"C{i}", "liquid_electrolyte_pct": D(v), "test_date": TEST_DAY}
        for i, v in enumerate(values or ("3",), 1)
    )
    return SheetEvidence("electrolyte_content", source, f"{source}-content.csv", rows, lab)


def energy(*energies_wh, mass_g="200", current_a="10", temperature_c="25", source="lab", lab=LAB):
    rows = tuple(
        {
            "sample_id": f"E{i}",
            "discharge_energy_wh": D(e),
            "cell_mass_g": D(mass_g),
            "temperature_c": D(temperature_c),
            "discharge_current_a": D(current_a),
            "test_date": TEST_DAY,
        }
        for i, e in enumerate(energies_wh or ("120",), 1)  # 120 Wh / 0.2 kg = 600 Wh/kg
    )
    return SheetEvidence("energy_density", source, f"{source}-energy.csv", rows, lab)


def safety(tests=SEED_TESTS, *, fire=(), explosion=(), source="lab", lab=LAB):
    rows = tuple(
        {
            "sample_id": f"S-{test}",
            "test": test,
            "fire": test in fire,
            "explosion": test in explosion,
            "test_date": TEST_DAY,
            "max_temperature_c": D("61.5"),
            "notes": None,
        }
        for test in tests
    )
    return SheetEvidence("safety", source, f"{source}-safety.csv", rows, lab)


def solid_state(**sheets):
    """Evidence of a cell that passes every all-solid-state criterion; override by kind."""
    base = {
        "weight_loss": weight_loss(),
        "electrolyte_content": content("3"),
        "energy_density": energy("120"),
        "safety": safety(),
    }
    base.update(sheets)
    return tuple(s for s in base.values() if s is not None)


def hybrid(**sheets):
    return solid_state(electrolyte_content=content("10"), energy_density=energy("90"), **sheets)


def run(sheets, *, claimed="all_solid_state", ruleset=DEFAULT, product=PRODUCT, **raw):
    return evaluate(
        ruleset,
        EvaluationInput(claimed_class=claimed, product=product, sheets=tuple(sheets), **raw),
    )


def outcome_of(result, code):
    return next(c for c in result.criteria if c.code == code).outcome


def criterion(result, code):
    return next(c for c in result.criteria if c.code == code)


def flags(result):
    return {f.code for f in result.flags}
