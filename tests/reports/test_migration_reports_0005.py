"""Migration 0005 names the compared value in certificates issued before the engine did, so their
page and PDF show each criterion's headline exactly as before."""

from __future__ import annotations

import importlib

from reports import documents

MIGRATION = importlib.import_module("reports.migrations.0005_certificate_content_compared")

ISSUED_BEFORE = {
    "criteria": [
        {
            "code": "electrolyte_content",
            "measured": {"liquid_electrolyte_pct": "3", "sample_count": 1},
        },
        {"code": "weight_loss", "measured": {"max_loss_pct": "0.2", "sample_count": 3}},
        {"code": "energy_density", "measured": {"min_energy_density_wh_per_kg": "600"}},
        {"code": "safety.crush", "measured": {"sample_count": 3, "failed_count": 0}},
        {"code": "safety", "measured": {"tests": {}, "ignored_rows": 0}},
        {"code": "weight_loss", "measured": "0.1"},
    ],
}


def test_each_criterion_of_an_old_certificate_names_its_compared_value():
    content = MIGRATION.with_compared(ISSUED_BEFORE)
    assert [c["measured"].get("compared") for c in content["criteria"][:5]] == [
        "liquid_electrolyte_pct",
        "max_loss_pct",
        "min_energy_density_wh_per_kg",
        "failed_count",
        None,
    ]
    assert content["criteria"][5] == ISSUED_BEFORE["criteria"][5]
    assert MIGRATION.with_compared(content) == content


def test_an_old_certificate_prints_the_same_headlines_after_it():
    criteria = MIGRATION.with_compared(ISSUED_BEFORE)["criteria"]
    rows = [documents._criterion_row({"outcome": "pass", **c}) for c in criteria]
    assert [(r.measured, r.measured_zh) for r in rows] == [
        ("3", ""),  # the same in both languages: printed once
        ("0.2", ""),
        ("600", ""),
        ("0 of 3 failed", "0 / 3 不通过"),
        ("—", ""),
        ("0.1", ""),
    ]
