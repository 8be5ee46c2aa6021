"""Example result sheets for a cell of each class, used by the tests and bench/ (not the product).

The numbers are illustrative values in the ranges STANDARD.md section 4 reports (true
solid-state cells lost under 0.3 %, hybrid cells 1.68–10.33 %); they are not limits.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from certification.vocabulary import SEED_SAFETY_TESTS

PROFILES = {
    # profile: (loss fraction of mass, liquid electrolyte %, energy density Wh/kg)
    "all_solid_state": (Decimal("0.002"), Decimal("2.5"), Decimal("530")),
    "hybrid_solid_liquid": (Decimal("0.03"), Decimal("12"), Decimal("430")),
    "liquid": (Decimal("0.15"), Decimal("25"), Decimal("270")),
}


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def sample_sheet(
    kind: str,
    *,
    profile: str = "all_solid_state",
    rows: int | None = None,
    rated_capacity_ah: Decimal = Decimal("50"),
    cell_mass_g: Decimal = Decimal("350"),
    test_date: str = "2026-09-01",
) -> bytes:
    """A CSV result sheet of ``kind`` for a cell of ``profile``, with ``rows`` samples."""
    loss, content_pct, density_wh_per_kg = PROFILES[profile]
    energy_wh = (density_wh_per_kg * cell_mass_g / 1000).quantize(Decimal("0.01"))
    if kind == "weight_loss":
        n = rows or 3
        header = [
            "sample_id", "mass_before_g", "mass_after_g", "temperature_c", "duration_h",
            "pressure_pa", "leakage", "balance_resolution_g", "test_date",
        ]  # fmt: skip
        body = []
        for i in range(n):
            before = Decimal("350.00") + Decimal(i % 7)
            after = (before * (1 - loss)).quantize(Decimal("0.01"))
            body.append(
                [f"WL-{i + 1:05d}", before, after, "120.0", "6.0", "500", "no", "0.01", test_date]
            )
        return _csv(header, body)
    if kind == "electrolyte_content":
        n = rows or 3
        header = ["sample_id", "liquid_electrolyte_pct", "test_date"]
        return _csv(header, [[f"EC-{i + 1:05d}", content_pct, test_date] for i in range(n)])
    if kind == "energy_density":
        n = rows or 3
        current = (rated_capacity_ah / 3).quantize(Decimal("0.001"))
        header = [
            "sample_id",
            "discharge_energy_wh",
            "cell_mass_g",
            "temperature_c",
            "discharge_current_a",
            "test_date",
        ]
        return _csv(
            header,
            [
                [f"ED-{i + 1:05d}", energy_wh, cell_mass_g, "25.0", current, test_date]
                for i in range(n)
            ],
        )
    if kind == "safety":
        header = [
            "sample_id",
            "test",
            "fire",
            "explosion",
            "test_date",
            "max_temperature_c",
            "notes",
        ]
        per_test = max(1, (rows or len(SEED_SAFETY_TESTS)) // len(SEED_SAFETY_TESTS))
        body = [
            [f"SF-{t}-{i + 1:04d}", t, "no", "no", test_date, "61.5", ""]
            for t in SEED_SAFETY_TESTS
            for i in range(per_test)
        ]
        return _csv(header, body)
    raise ValueError(f"unknown sheet kind {kind!r}")
