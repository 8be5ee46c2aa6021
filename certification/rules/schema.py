"""What a loaded rule set is: frozen dataclasses, and the error raised when a file is not one.

Only the names a rule set file itself may use live here (comparators, the comparison method,
classification-code fields, the sheet columns a test condition may name); the scheme's codes
(classes, criteria, safety tests, ...) come from ``certification.vocabulary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from certification.vocabulary import RAW_KINDS, SHEET_KINDS

COMPARATORS = ("<=", "<", ">=", ">", "between_inclusive")
COMPARISON_METHODS = ("full_value",)
CODE_FIELDS = ("class", "family", "ion", "application")
# Sheet columns a test condition may name. ``ambient_temperature_c`` is not in the published
# weight-loss template yet; a rule set marks it ``optional`` so it is checked only when reported.
WEIGHT_LOSS_CONDITIONS = (
    "temperature_c",
    "duration_h",
    "pressure_pa",
    "balance_resolution_g",
    "ambient_temperature_c",
)
# The result-sheet columns that hold a measured number: what a [plausibility] table may bound
# (tests/certification/rules keep it equal to the sheet parser's numeric columns).
PLAUSIBILITY_COLUMNS = (
    "mass_before_g",
    "mass_after_g",
    "temperature_c",
    "duration_h",
    "pressure_pa",
    "balance_resolution_g",
    "liquid_electrolyte_pct",
    "discharge_energy_wh",
    "cell_mass_g",
    "discharge_current_a",
    "max_temperature_c",
)
ENERGY_CONDITIONS = ("temperature_c",)
# What ``[evidence] required`` may list: the dataset kinds a submission can carry (the result
# sheets, the raw instrument data, the lab's PDF test report; ``certification.models.Dataset``).
EVIDENCE_KINDS = (*SHEET_KINDS.codes, *RAW_KINDS.codes, "test_report")
# The criterion each kind of evidence is judged for: a result sheet is its own criterion's
# (``SHEET_KINDS`` codes are ``CRITERIA`` codes), the chamber log backs the weight loss, the cycler
# file the energy density. The test report backs no single criterion.
EVIDENCE_CRITERION = {
    **{kind: kind for kind in SHEET_KINDS.codes},
    "chamber_log": "weight_loss",
    "cycler": "energy_density",
}
# Raw-data quantities a ``[raw_plausibility]`` table may bound (not sheet columns): the time a
# cycler file spans, first to last row, in hours.
RAW_PLAUSIBILITY_QUANTITIES = ("cycler_duration_h",)


class RuleSetInvalid(ValueError):
    """A rule set file that must not be loaded; the message starts with the offending path."""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    confidence: str
    note: str | None = None


@dataclass(frozen=True)
class Number:
    """A bare number (count, months, tolerance) with the source it comes from."""

    path: str
    value: Decimal
    source: str
    assumption: bool = False
    note: str | None = None

    def as_int(self) -> int:
        return int(self.value)


@dataclass(frozen=True)
class Limit:
    """A value compared with a limit. ``between_inclusive`` has ``low``/``high`` (from min/max, or
    from a nominal ``value`` ± ``tolerance``); the other comparators have ``value``."""

    path: str
    comparator: str
    unit: str
    source: str
    assumption: bool = False
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    tolerance: Number | None = None
    optional: bool = False
    note: str | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def holds(self, x: Decimal) -> bool:
        """Full-value comparison (GB/T 8170): ``x`` is compared unrounded."""
        c = self.comparator
        if c == "between_inclusive":
            return self.low <= x <= self.high
        if c == "<=":
            return x <= self.value
        if c == "<":
            return x < self.value
        if c == ">=":
            return x >= self.value
        return x > self.value

    @property
    def limit_text(self) -> str:
        if self.comparator == "between_inclusive":
            return f"{self.low} to {self.high}"
        return str(self.value)

    def describe(self) -> str:
        """``<= 0.5 %``, ``118 to 122 °C``: for messages and the certificate."""
        unit = f" {self.unit}" if self.unit else ""
        if self.comparator == "between_inclusive":
            return f"{self.low} to {self.high}{unit}"
        return f"{self.comparator} {self.value}{unit}"


@dataclass(frozen=True)
class RateCurrentLimit:
    """Discharge current: nominal = rated capacity / ``rate_hours``, ± ``tolerance_pct`` %."""

    path: str
    unit: str
    source: str
    rate_hours: Number
    tolerance_pct: Number
    assumption: bool = False
    note: str | None = None
    comparator: str = "between_inclusive"

    def deviation_pct(self, current_a: Decimal, capacity_ah: Decimal) -> Decimal:
        """|I − C/h| / (C/h) × 100, computed as |I·h − C| × 100 / C so that only one division
        happens and a current exactly on the tolerance compares equal to it."""
        return abs(current_a * self.rate_hours.value - capacity_ah) * 100 / capacity_ah

    def holds(self, current_a: Decimal, capacity_ah: Decimal) -> bool:
        return self.deviation_pct(current_a, capacity_ah) <= self.tolerance_pct.value

    def nominal_a(self, capacity_ah: Decimal) -> Decimal:
        return capacity_ah / self.rate_hours.value


@dataclass(frozen=True)
class LabelSet:
    en: tuple[str, ...]
    zh: tuple[str, ...]

    def as_dict(self) -> dict[str, list[str]]:
        return {"en": list(self.en), "zh": list(self.zh)}


@dataclass(frozen=True)
class SafetyRequirement:
    tests: tuple[str, ...]
    min_samples: Limit


@dataclass(frozen=True)
class ClassRule:
    code: str
    name_en: str
    name_zh: str
    certifiable: bool
    requires: tuple[str, ...]
    permitted: LabelSet  # exact phrases the maker may print
    forbidden: LabelSet  # terms that must not appear in any wording (case-insensitive substring)
    content_pct: Limit | None = None
    weight_loss_gate: bool = False
    on_weight_loss_fail: str | None = None
    energy_floor_wh_per_kg: Limit | None = None
    safety: SafetyRequirement | None = None
    reviewer_approvals: Number | None = None
    consistent_families: tuple[str, ...] | None = None


@dataclass(frozen=True)
class EvidencePolicy:
    source: str
    accepted_sources: tuple[str, ...]
    require_assigned_lab: bool
    require_accreditation_on_test_date: bool
    # ``[evidence] required``: the dataset kinds (``EVIDENCE_KINDS``) a submission must carry
    # before the maker may submit; ``None`` when the file has no list (versions before it).
    required: tuple[str, ...] | None = None


@dataclass(frozen=True)
class WeightLossRule:
    source: str
    procedure: str
    max_loss_pct: Limit
    leakage_allowed: bool
    min_samples: Limit
    conditions: tuple[Limit, ...]  # each named by the sheet column it checks
    note: str | None = None
    # ``[criteria.weight_loss.chamber_log] max_gap_s``: the longest time between two chamber
    # readings that a hold may span (a longer gap breaks it). ``None``: any gap is accepted.
    chamber_max_gap_s: Limit | None = None

    def condition(self, name: str) -> Limit | None:
        return next((c for c in self.conditions if c.name == name), None)


@dataclass(frozen=True)
class ContentRule:
    source: str
    min_samples: Limit
    declared_tolerance_pct: Limit  # |declared − measured| in percentage points
    note: str | None = None


@dataclass(frozen=True)
class EnergyRule:
    source: str
    min_samples: Limit
    conditions: tuple[Limit, ...]
    discharge_current: RateCurrentLimit
    cycler_tolerance_pct: Limit  # |sheet − cycler| / sheet × 100
    note: str | None = None

    def condition(self, name: str) -> Limit | None:
        return next((c for c in self.conditions if c.name == name), None)


@dataclass(frozen=True)
class SafetyRule:
    source: str
    failure_indicators: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class CodeFormat:
    source: str
    format: str
    class_codes: tuple[tuple[str, str], ...]
    family_codes: tuple[tuple[str, str], ...]
    ion_codes: tuple[tuple[str, str], ...]
    application_codes: tuple[tuple[str, str], ...]
    high_energy_ratio: Limit  # max continuous power (W) / rated energy (Wh) for "high_energy"
    assumption: bool = False
    note: str | None = None

    def build(self, *, battery_class: str, family: str, ion: str, application: str) -> str | None:
        parts = {
            "class": dict(self.class_codes).get(battery_class),
            "family": dict(self.family_codes).get(family),
            "ion": dict(self.ion_codes).get(ion),
            "application": dict(self.application_codes).get(application),
        }
        if any(v is None for v in parts.values()):
            return None
        return self.format.format(**parts)


@dataclass(frozen=True)
class PlausibleRange:
    """The physically possible values of one result-sheet column (``[plausibility.<column>]``):
    an uploaded value outside is refused with its row and column. Input hygiene, not a criterion:
    a value inside may still fail a limit."""

    column: str
    minimum: Decimal
    maximum: Decimal
    source: str
    assumption: bool = False
    note: str | None = None


@dataclass(frozen=True)
class RuleSetData:
    code: str
    version: int
    title: str
    standard_id: str
    effective_from: date
    description: str
    sources: tuple[Source, ...]
    comparison: str
    evidence: EvidencePolicy
    classification_code: CodeFormat
    certificate_validity_months: Number
    classes: tuple[ClassRule, ...]  # in vocabulary.CLASSES order
    weight_loss: WeightLossRule | None = None
    electrolyte_content: ContentRule | None = None
    energy_density: EnergyRule | None = None
    safety: SafetyRule | None = None
    effective_until: date | None = None
    standard_id_note: str | None = None
    plausibility: tuple[PlausibleRange, ...] = ()
    raw_plausibility: tuple[PlausibleRange, ...] = ()  # RAW_PLAUSIBILITY_QUANTITIES

    def plausible_range(self, column: str) -> PlausibleRange | None:
        return next((r for r in self.plausibility if r.column == column), None)

    def raw_plausible_range(self, quantity: str) -> PlausibleRange | None:
        """``[raw_plausibility.<quantity>]``, or ``None`` when the rule set bounds nothing."""
        return next((r for r in self.raw_plausibility if r.column == quantity), None)

    @property
    def cycler_duration_h(self) -> PlausibleRange | None:
        """The time a cycler file may plausibly span, first to last row, in hours (a file
        spanning 42 years is no energy test); ``None`` before rule sets bounded it."""
        return self.raw_plausible_range("cycler_duration_h")

    @property
    def cycler_max_duration_s(self) -> Decimal | None:
        """``cycler_duration_h``'s maximum in seconds (a cycler parser's unit); ``None``: no
        bound."""
        span = self.cycler_duration_h
        return None if span is None else span.maximum * 3600

    @property
    def chamber_max_gap_s(self) -> Decimal | None:
        """The longest gap between chamber readings a hold may span; ``None``: any gap."""
        rule = self.weight_loss
        return (
            None if rule is None or rule.chamber_max_gap_s is None else rule.chamber_max_gap_s.value
        )

    @property
    def required_evidence(self) -> tuple[str, ...]:
        """The dataset kinds a submission must carry before the maker may submit: the file's
        ``[evidence] required`` list, or (in versions without it) the result sheet of each
        criterion the rule set has."""
        if self.evidence.required is not None:
            return self.evidence.required
        present = {
            "weight_loss": self.weight_loss,
            "electrolyte_content": self.electrolyte_content,
            "energy_density": self.energy_density,
            "safety": self.safety,
        }
        return tuple(kind for kind in SHEET_KINDS.codes if present[EVIDENCE_CRITERION[kind]])

    def required_evidence_for(self, class_code: str | None) -> tuple[str, ...]:
        """``required_evidence`` for a claim of ``class_code``: evidence that backs a criterion
        the class does not require is not required (a hybrid claim needs no weight-loss sheet
        or chamber log in the default rule set); an unknown class gets the whole list."""
        rule = self.class_rule(class_code)
        if rule is None:
            return self.required_evidence
        return tuple(
            kind
            for kind in self.required_evidence
            if EVIDENCE_CRITERION.get(kind) is None or EVIDENCE_CRITERION[kind] in rule.requires
        )

    def class_rule(self, code: str | None) -> ClassRule | None:
        return next((c for c in self.classes if c.code == code), None)

    @property
    def has_content_bands(self) -> bool:
        return any(c.content_pct is not None for c in self.classes)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)
