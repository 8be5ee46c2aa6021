"""What the engine is given: frozen facts about the product, the lab and the evidence.

The Django layer (``certification.evidence``) builds these from stored files; the engine never
reads a file, a model or a setting. Codes are ``certification.vocabulary``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class LabFacts:
    name: str
    accreditation_number: str
    accreditation_valid_from: date | None
    accreditation_valid_until: date | None
    assigned_to_submission: bool


@dataclass(frozen=True)
class ProductFacts:
    rated_capacity_ah: Decimal
    nominal_voltage_v: Decimal
    rated_energy_wh: Decimal
    max_continuous_power_w: Decimal
    cell_mass_g: Decimal
    declared_liquid_electrolyte_pct: Decimal | None
    electrolyte_family: str  # vocabulary.ELECTROLYTE_FAMILIES
    conducting_ion: str  # vocabulary.CONDUCTING_IONS


@dataclass(frozen=True)
class SheetEvidence:
    """One parsed result sheet (rows as ``certification.parsers.sheets.parse.ParsedSheet.rows``)."""

    kind: str  # vocabulary.SHEET_KINDS
    source: str  # vocabulary.EVIDENCE_SOURCES: "lab" | "maker"
    dataset_ref: str
    rows: tuple[Mapping[str, Any], ...]
    lab: LabFacts | None = None


@dataclass(frozen=True)
class CyclerEvidence:
    """Summary of a cycler file. ``sample_id`` ties it to one sheet row; without it, the file must
    match at least one row of the energy sheet within the rule set's tolerance."""

    dataset_ref: str
    main_discharge_energy_wh: float
    format: str
    sample_id: str | None = None


@dataclass(frozen=True)
class ChamberEvidence:
    """Summary of a chamber log: the longest continuous hold, and the extreme temperature and
    pressure *during that hold* (not over the whole log, which includes the warm-up)."""

    dataset_ref: str
    longest_hold_s: float
    min_temperature_c: float | None
    max_temperature_c: float | None
    max_pressure_pa: float | None
    # What first broke a hold, as text (``ChamberSummary.hold_break_text``): ``cause``
    # ("temperature", "pressure", "gap", "end"), ``at`` (a clock time of the log), and ``value``
    # or ``until``. Named in the sentence when the hold is too short (rule sets with a
    # ``[criteria.weight_loss.chamber_log]`` table).
    hold_break: Mapping[str, str] | None = None


@dataclass(frozen=True)
class EvaluationInput:
    claimed_class: str  # vocabulary.CLASSES
    product: ProductFacts
    sheets: tuple[SheetEvidence, ...] = ()
    cyclers: tuple[CyclerEvidence, ...] = ()
    chambers: tuple[ChamberEvidence, ...] = ()
