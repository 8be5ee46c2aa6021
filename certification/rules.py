"""Versioned rule sets: TOML text in, a validated, frozen ``RuleSet`` out (STANDARD.md section 2).

Every threshold, comparator, tolerance, condition, sample count, required test, label wording,
classification-code format, certificate validity and reviewer quorum lives in a rule set file in
``certification/rulesets/``; this module holds none of those numbers. It only knows the shape of
a rule set and the fixed vocabulary of the scheme (class codes, criterion codes, sheet columns).

Validation is strict: an unknown key, a number without a source, an unknown comparator, a negative
threshold, content bands that overlap or leave a gap, a label that contains a term its own class
forbids, ... all raise ``RuleSetInvalid`` whose message starts with a path into the file, e.g.
``criteria.weight_loss.max_loss_pct: missing source``.

Numbers become ``Decimal`` (TOML floats via their shortest repr, so ``0.01`` stays ``0.01``) and
limits are compared with the full, unrounded value (GB/T 8170 "full-value comparison").
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

COMPARATORS = ("<=", "<", ">=", ">", "between_inclusive")
# The scheme's classes, lowest to highest: a claim "above" the determined class is further right.
CLASS_CODES = ("liquid", "hybrid_solid_liquid", "all_solid_state")
CRITERION_CODES = ("electrolyte_content", "weight_loss", "energy_density", "safety")
# Mirrors certification.parsers.sheets.SAFETY_TESTS (kept here so this module imports nothing).
SAFETY_TESTS = (
    "nail_penetration",
    "crush",
    "heating",
    "immersion",
    "overcharge",
    "overdischarge",
    "external_short",
    "temperature_cycling",
    "fast_charge_short",
)
SAFETY_FAILURE_INDICATORS = ("fire", "explosion")
ELECTROLYTE_FAMILIES = ("sulfide", "oxide", "polymer", "halide", "composite", "liquid")
CONDUCTING_IONS = ("lithium", "sodium", "other")
APPLICATIONS = ("high_energy", "high_power")
EVIDENCE_SOURCES = ("lab", "maker")
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
ENERGY_CONDITIONS = ("temperature_c",)

DEFAULT_RULESET_CODE = "gbt-ssb-2026"
RULESET_DIR = Path(__file__).resolve().parent / "rulesets"

_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RuleSetInvalid(ValueError):
    """A rule set file that must not be loaded; the message starts with the offending path."""


# --- the frozen rule set ----------------------------------------------------------------------


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


@dataclass(frozen=True)
class WeightLossRule:
    source: str
    procedure: str
    max_loss_pct: Limit
    leakage_allowed: bool
    min_samples: Limit
    conditions: tuple[Limit, ...]  # each named by the sheet column it checks
    note: str | None = None

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
class RuleSet:
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
    classes: tuple[ClassRule, ...]  # in CLASS_CODES order
    weight_loss: WeightLossRule | None = None
    electrolyte_content: ContentRule | None = None
    energy_density: EnergyRule | None = None
    safety: SafetyRule | None = None
    effective_until: date | None = None
    standard_id_note: str | None = None

    def class_rule(self, code: str | None) -> ClassRule | None:
        return next((c for c in self.classes if c.code == code), None)

    @property
    def has_content_bands(self) -> bool:
        return any(c.content_pct is not None for c in self.classes)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


# --- loading ----------------------------------------------------------------------------------


def ruleset_files() -> list[Path]:
    """The rule set files shipped with the portal, sorted by name."""
    return sorted(RULESET_DIR.glob("*.toml"))


def load_ruleset(text: str) -> RuleSet:
    """Parse and validate one rule set file; raise ``RuleSetInvalid`` with a path on any fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetInvalid(f"(file): not valid TOML: {exc}") from None
    return _Loader(data).ruleset()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Table:
    """One TOML table being read: marks the keys it used and rejects the rest."""

    def __init__(self, data: Any, path: str, sources: frozenset[str]):
        if not isinstance(data, dict):
            raise RuleSetInvalid(f"{path or '(file)'}: must be a table")
        self.data = data
        self.path = path
        self.sources = sources
        self._used: set[str] = set()

    def at(self, key: str) -> str:
        return _join(self.path, key)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, *, required: bool = True) -> Any:
        self._used.add(key)
        if key not in self.data:
            if required:
                raise RuleSetInvalid(f"{self.path or '(file)'}: missing {key}")
            return None
        return self.data[key]

    def string(self, key: str, *, required: bool = True, choices=None) -> str | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise RuleSetInvalid(f"{self.at(key)}: must be a non-empty string")
        if choices is not None and value not in choices:
            raise RuleSetInvalid(
                f"{self.at(key)}: unknown value {value!r}; expected one of {', '.join(choices)}"
            )
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        value = self.raw(key, required=default is None)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise RuleSetInvalid(f"{self.at(key)}: must be true or false")
        return value

    def strings(self, key: str, *, required: bool = True, choices=None, empty_ok=False):
        value = self.raw(key, required=required)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise RuleSetInvalid(f"{self.at(key)}: must be a list of non-empty strings")
        if not value and not empty_ok:
            raise RuleSetInvalid(f"{self.at(key)}: must not be empty")
        if len(set(value)) != len(value):
            raise RuleSetInvalid(f"{self.at(key)}: lists a value twice")
        if choices is not None:
            for v in value:
                if v not in choices:
                    raise RuleSetInvalid(
                        f"{self.at(key)}: unknown value {v!r}; expected one of {', '.join(choices)}"
                    )
        return tuple(value)

    def table(self, key: str, *, required: bool = True) -> _Table | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        return _Table(value, self.at(key), self.sources)

    def source_ref(self, key: str = "source") -> str:
        if key not in self.data:
            self._used.add(key)
            raise RuleSetInvalid(f"{self.path}: missing {key}")
        value = self.string(key)
        if value not in self.sources:
            raise RuleSetInvalid(
                f"{self.at(key)}: unknown source {value!r}; declare it in [[sources]]"
            )
        return value

    def done(self) -> None:
        for key in self.data:
            if key not in self._used:
                raise RuleSetInvalid(f"{self.at(key)}: unknown key")


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleSetInvalid(f"{path}: must be a number")
    try:
        # repr() of a float is its shortest round-trip form: 0.01 -> "0.01", not 0.0100000000...
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise RuleSetInvalid(f"{path}: must be a number (got {value!r})") from None
    if not number.is_finite():
        raise RuleSetInvalid(f"{path}: must be a finite number")
    if number < 0:
        raise RuleSetInvalid(f"{path}: must not be negative (got {value})")
    return number


def _integer(number: Decimal, path: str, *, minimum: int) -> None:
    if number != number.to_integral_value() or number < minimum:
        raise RuleSetInvalid(f"{path}: must be a whole number >= {minimum} (got {number})")


def _number(t: _Table, *, integer_min: int | None = None, positive: bool = False) -> Number:
    source = t.source_ref()
    value = _decimal(t.raw("value"), t.at("value"))
    if integer_min is not None:
        _integer(value, t.at("value"), minimum=integer_min)
    if positive and value <= 0:
        raise RuleSetInvalid(f"{t.at('value')}: must be greater than zero")
    number = Number(
        path=t.path,
        value=value,
        source=source,
        assumption=t.boolean("assumption", default=False),
        note=t.string("note", required=False),
    )
    t.done()
    return number


def _limit(
    t: _Table,
    *,
    allowed: tuple[str, ...] = COMPARATORS,
    integer_min: int | None = None,
    may_be_optional: bool = False,
) -> Limit:
    source = t.source_ref()
    comparator = t.string("comparator")
    if comparator not in COMPARATORS:
        raise RuleSetInvalid(
            f"{t.at('comparator')}: unknown comparator {comparator!r}; "
            f"expected one of {', '.join(COMPARATORS)}"
        )
    if comparator not in allowed:
        raise RuleSetInvalid(
            f"{t.at('comparator')}: comparator {comparator!r} not allowed here; "
            f"expected one of {', '.join(allowed)}"
        )
    unit = t.raw("unit")
    if not isinstance(unit, str):
        raise RuleSetInvalid(f"{t.at('unit')}: must be a string (may be empty)")
    fields: dict[str, Any] = {}
    if comparator == "between_inclusive":
        has_range = t.has("min") or t.has("max")
        has_nominal = t.has("value") or t.has("tolerance")
        if has_range == has_nominal:
            raise RuleSetInvalid(
                f"{t.path}: between_inclusive needs either min and max, or value and tolerance"
            )
        if has_range:
            low = _decimal(t.raw("min"), t.at("min"))
            high = _decimal(t.raw("max"), t.at("max"))
            tolerance = None
            value = None
        else:
            value = _decimal(t.raw("value"), t.at("value"))
            tolerance = _number(t.table("tolerance"))
            low, high = value - tolerance.value, value + tolerance.value
        if low > high:
            raise RuleSetInvalid(f"{t.path}: min must not exceed max")
        fields.update(value=value, low=low, high=high, tolerance=tolerance)
    else:
        for key in ("min", "max", "tolerance"):
            if t.has(key):
                raise RuleSetInvalid(f"{t.at(key)}: only allowed with between_inclusive")
        value = _decimal(t.raw("value"), t.at("value"))
        if integer_min is not None:
            _integer(value, t.at("value"), minimum=integer_min)
        fields["value"] = value
    optional = t.boolean("optional", default=False) if may_be_optional else False
    limit = Limit(
        path=t.path,
        comparator=comparator,
        unit=unit,
        source=source,
        assumption=t.boolean("assumption", default=False),
        optional=optional,
        note=t.string("note", required=False),
        **fields,
    )
    t.done()
    return limit


def _samples(t: _Table) -> Limit:
    return _limit(t, allowed=(">=",), integer_min=1)


def _code_map(t: _Table, key: str, keys: tuple[str, ...], *, complete: bool) -> tuple:
    m = t.table(key)
    pairs = []
    for k in m.data:
        if k not in keys:
            raise RuleSetInvalid(f"{m.at(k)}: unknown key; expected one of {', '.join(keys)}")
        pairs.append((k, m.string(k)))
    if complete:
        for k in keys:
            if k not in m.data:
                raise RuleSetInvalid(f"{m.path}: missing {k}")
    m.done()
    return tuple(pairs)


class _Loader:
    def __init__(self, data: dict):
        self.data = data

    def ruleset(self) -> RuleSet:
        sources = self._sources()
        top = _Table(self.data, "", frozenset(s.id for s in sources))
        top.raw("sources")

        code = top.string("code")
        if not _CODE_RE.match(code):
            raise RuleSetInvalid("code: use lower-case letters, digits and hyphens")
        version = top.raw("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise RuleSetInvalid("version: must be a whole number >= 1")
        effective_from = self._date(top, "effective_from", required=True)
        effective_until = self._date(top, "effective_until", required=False)
        if effective_until is not None and effective_until <= effective_from:
            raise RuleSetInvalid("effective_until: must be after effective_from")

        comparison_t = top.table("comparison")
        comparison_t.source_ref()
        comparison = comparison_t.string("method", choices=COMPARISON_METHODS)
        comparison_t.string("note", required=False)
        comparison_t.done()

        evidence = self._evidence(top.table("evidence"))
        criteria_t = top.table("criteria")
        weight_loss = self._weight_loss(criteria_t.table("weight_loss", required=False))
        content = self._content(criteria_t.table("electrolyte_content", required=False))
        energy = self._energy(criteria_t.table("energy_density", required=False))
        safety = self._safety(criteria_t.table("safety", required=False))
        criteria_t.done()

        classes = self._classes(top.table("classes"))
        code_format = self._code_format(top.table("classification_code"))
        cert_t = top.table("certificate")
        validity = _number(cert_t.table("validity_months"), integer_min=1)
        cert_t.done()

        ruleset = RuleSet(
            code=code,
            version=version,
            title=top.string("title"),
            standard_id=top.string("standard_id"),
            standard_id_note=top.string("standard_id_note", required=False),
            effective_from=effective_from,
            effective_until=effective_until,
            description=top.string("description"),
            sources=sources,
            comparison=comparison,
            evidence=evidence,
            classification_code=code_format,
            certificate_validity_months=validity,
            classes=classes,
            weight_loss=weight_loss,
            electrolyte_content=content,
            energy_density=energy,
            safety=safety,
        )
        top.done()
        _check_consistency(ruleset)
        return ruleset

    @staticmethod
    def _date(t: _Table, key: str, *, required: bool) -> date | None:
        value = t.raw(key, required=required)
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise RuleSetInvalid(f"{key}: must be a TOML date such as 2026-07-01")
        return value

    def _sources(self) -> tuple[Source, ...]:
        raw = self.data.get("sources")
        if not isinstance(raw, list) or not raw:
            raise RuleSetInvalid("sources: declare at least one [[sources]] table")
        sources: list[Source] = []
        for i, item in enumerate(raw):
            t = _Table(item, f"sources[{i}]", frozenset())
            source = Source(
                id=t.string("id"),
                title=t.string("title"),
                confidence=t.string("confidence"),
                note=t.string("note", required=False),
            )
            t.done()
            if any(s.id == source.id for s in sources):
                raise RuleSetInvalid(f"sources[{i}].id: duplicate id {source.id!r}")
            sources.append(source)
        return tuple(sources)

    @staticmethod
    def _evidence(t: _Table) -> EvidencePolicy:
        policy = EvidencePolicy(
            source=t.source_ref(),
            accepted_sources=t.strings("accepted_sources", choices=EVIDENCE_SOURCES),
            require_assigned_lab=t.boolean("require_assigned_lab"),
            require_accreditation_on_test_date=t.boolean("require_accreditation_on_test_date"),
        )
        t.string("note", required=False)
        t.done()
        return policy

    @staticmethod
    def _conditions(t: _Table, names: tuple[str, ...]) -> tuple[Limit, ...]:
        conditions = []
        for name in t.data:
            if name not in names:
                raise RuleSetInvalid(
                    f"{t.at(name)}: unknown condition; expected one of {', '.join(names)}"
                )
            conditions.append(_limit(t.table(name), may_be_optional=True))
        t.done()
        return tuple(conditions)

    def _weight_loss(self, t: _Table | None) -> WeightLossRule | None:
        if t is None:
            return None
        rule = WeightLossRule(
            source=t.source_ref(),
            procedure=t.string("procedure"),
            note=t.string("note", required=False),
            max_loss_pct=_limit(t.table("max_loss_pct"), allowed=("<=", "<")),
            leakage_allowed=t.boolean("leakage_allowed"),
            min_samples=_samples(t.table("min_samples")),
            conditions=self._conditions(t.table("conditions"), WEIGHT_LOSS_CONDITIONS),
        )
        t.done()
        return rule

    @staticmethod
    def _content(t: _Table | None) -> ContentRule | None:
        if t is None:
            return None
        rule = ContentRule(
            source=t.source_ref(),
            note=t.string("note", required=False),
            min_samples=_samples(t.table("min_samples")),
            declared_tolerance_pct=_limit(t.table("declared_tolerance_pct"), allowed=("<=", "<")),
        )
        t.done()
        return rule

    def _energy(self, t: _Table | None) -> EnergyRule | None:
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
            rate_hours=_number(current_t.table("rate_hours"), positive=True),
            tolerance_pct=_number(current_t.table("tolerance_pct")),
            assumption=current_t.boolean("assumption", default=False),
            note=current_t.string("note", required=False),
        )
        current_t.done()
        rule = EnergyRule(
            source=t.source_ref(),
            note=t.string("note", required=False),
            min_samples=_samples(t.table("min_samples")),
            conditions=self._conditions(t.table("conditions"), ENERGY_CONDITIONS),
            discharge_current=current,
            cycler_tolerance_pct=_limit(t.table("cycler_tolerance_pct"), allowed=("<=", "<")),
        )
        t.done()
        return rule

    @staticmethod
    def _safety(t: _Table | None) -> SafetyRule | None:
        if t is None:
            return None
        rule = SafetyRule(
            source=t.source_ref(),
            failure_indicators=t.strings("failure_indicators", choices=SAFETY_FAILURE_INDICATORS),
            note=t.string("note", required=False),
        )
        t.done()
        return rule

    def _classes(self, t: _Table) -> tuple[ClassRule, ...]:
        for key in t.data:
            if key not in CLASS_CODES:
                raise RuleSetInvalid(
                    f"{t.at(key)}: unknown class; expected one of {', '.join(CLASS_CODES)}"
                )
        classes = tuple(self._class(t.table(code), code) for code in CLASS_CODES if t.has(code))
        t.done()
        if not classes:
            raise RuleSetInvalid("classes: define at least one class")
        return classes

    @staticmethod
    def _labels(t: _Table) -> LabelSet:
        labels = LabelSet(
            en=t.strings("en", empty_ok=True),
            zh=t.strings("zh", empty_ok=True),
        )
        t.done()
        return labels

    def _class(self, t: _Table, code: str) -> ClassRule:
        name = t.table("name")
        name_en, name_zh = name.string("en"), name.string("zh")
        name.done()
        labels = t.table("labels")
        permitted = self._labels(labels.table("permitted"))
        forbidden = self._labels(labels.table("forbidden"))
        labels.done()
        content_t = t.table("content_pct", required=False)
        energy_t = t.table("energy_floor_wh_per_kg", required=False)
        safety_t = t.table("safety", required=False)
        safety = None
        if safety_t is not None:
            safety = SafetyRequirement(
                tests=safety_t.strings("tests", choices=SAFETY_TESTS),
                min_samples=_samples(safety_t.table("min_samples")),
            )
            safety_t.done()
        approvals_t = t.table("reviewer_approvals", required=False)
        rule = ClassRule(
            code=code,
            name_en=name_en,
            name_zh=name_zh,
            certifiable=t.boolean("certifiable"),
            requires=t.strings("requires", choices=CRITERION_CODES, empty_ok=True),
            permitted=permitted,
            forbidden=forbidden,
            content_pct=_limit(content_t) if content_t is not None else None,
            weight_loss_gate=t.boolean("weight_loss_gate", default=False),
            on_weight_loss_fail=t.string(
                "on_weight_loss_fail", required=False, choices=CLASS_CODES
            ),
            energy_floor_wh_per_kg=(
                _limit(energy_t, allowed=(">=", ">")) if energy_t is not None else None
            ),
            safety=safety,
            reviewer_approvals=(
                _number(approvals_t, integer_min=1) if approvals_t is not None else None
            ),
            consistent_families=t.strings(
                "consistent_families", required=False, choices=ELECTROLYTE_FAMILIES
            ),
        )
        t.done()
        return rule

    @staticmethod
    def _code_format(t: _Table) -> CodeFormat:
        source = t.source_ref()
        fmt = t.string("format")
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None]
        except ValueError as exc:
            raise RuleSetInvalid(f"{t.at('format')}: {exc}") from None
        for f in fields:
            if f not in CODE_FIELDS:
                raise RuleSetInvalid(
                    f"{t.at('format')}: unknown field {{{f}}}; expected {', '.join(CODE_FIELDS)}"
                )
        code_format = CodeFormat(
            source=source,
            format=fmt,
            assumption=t.boolean("assumption", default=False),
            note=t.string("note", required=False),
            class_codes=_code_map(t, "class_codes", CLASS_CODES, complete=False),
            family_codes=_code_map(t, "family_codes", ELECTROLYTE_FAMILIES, complete=True),
            ion_codes=_code_map(t, "ion_codes", CONDUCTING_IONS, complete=True),
            application_codes=_code_map(t, "application_codes", APPLICATIONS, complete=True),
            high_energy_ratio=_limit(t.table("high_energy_power_to_energy_ratio")),
        )
        t.done()
        return code_format


def _check_consistency(rs: RuleSet) -> None:
    """Rules that span tables: what a class requires must exist, bands must partition 0–100 %."""
    criteria = {
        "weight_loss": rs.weight_loss,
        "electrolyte_content": rs.electrolyte_content,
        "energy_density": rs.energy_density,
        "safety": rs.safety,
    }
    if not any(c.certifiable for c in rs.classes):
        raise RuleSetInvalid("classes: no class is certifiable")
    class_codes = dict(rs.classification_code.class_codes)
    for c in rs.classes:
        path = f"classes.{c.code}"
        if c.code == "liquid" and c.certifiable:
            raise RuleSetInvalid(f"{path}.certifiable: a liquid battery is never certifiable")
        for needed in c.requires:
            if criteria[needed] is None:
                raise RuleSetInvalid(
                    f"{path}.requires: needs [criteria.{needed}], which is missing"
                )
        if "energy_density" in c.requires and c.energy_floor_wh_per_kg is None:
            raise RuleSetInvalid(
                f"{path}: requires energy_density but has no energy_floor_wh_per_kg"
            )
        if "safety" in c.requires and c.safety is None:
            raise RuleSetInvalid(f"{path}: requires safety but has no [safety] table")
        if "electrolyte_content" in c.requires and c.content_pct is None:
            raise RuleSetInvalid(
                f"{path}: requires electrolyte_content but has no content_pct band"
            )
        if c.weight_loss_gate and "weight_loss" not in c.requires:
            raise RuleSetInvalid(f"{path}.requires: weight_loss_gate needs weight_loss listed")
        if c.on_weight_loss_fail is not None:
            if not c.weight_loss_gate:
                raise RuleSetInvalid(f"{path}.on_weight_loss_fail: only with weight_loss_gate")
            target = rs.class_rule(c.on_weight_loss_fail)
            if target is None or CLASS_CODES.index(target.code) >= CLASS_CODES.index(c.code):
                raise RuleSetInvalid(
                    f"{path}.on_weight_loss_fail: must name a lower class defined in this rule set"
                )
        if c.certifiable:
            if c.reviewer_approvals is None:
                raise RuleSetInvalid(f"{path}: missing reviewer_approvals")
            if c.code not in class_codes:
                raise RuleSetInvalid(f"classification_code.class_codes: missing {c.code}")
            if not (c.permitted.en and c.permitted.zh):
                raise RuleSetInvalid(f"{path}.labels.permitted: needs English and Chinese wording")
        for lang in ("en", "zh"):
            for phrase in getattr(c.permitted, lang):
                for term in getattr(c.forbidden, lang):
                    if term.casefold() in phrase.casefold():
                        raise RuleSetInvalid(
                            f"{path}.labels.permitted.{lang}: {phrase!r} contains the forbidden "
                            f"term {term!r}"
                        )
    banded = [c for c in rs.classes if c.content_pct is not None]
    if banded:
        if len(banded) != len(rs.classes):
            raise RuleSetInvalid("classes: either every class has a content_pct band or none has")
        if rs.electrolyte_content is None:
            raise RuleSetInvalid("criteria: content_pct bands need [criteria.electrolyte_content]")
        _check_bands_partition(banded)
    else:
        gated = [c for c in rs.classes if c.weight_loss_gate]
        if len(gated) != 1 or not gated[0].certifiable:
            raise RuleSetInvalid(
                "classes: without content bands exactly one certifiable class must have "
                "weight_loss_gate = true"
            )


def _check_bands_partition(banded: list[ClassRule]) -> None:
    """Every content value from 0 to 100 % must fall in exactly one band.

    The bands are intervals, so probing every boundary and every midpoint between two
    neighbouring boundaries proves it exactly.
    """
    points = {Decimal(0), Decimal(100)}
    for c in banded:
        limit = c.content_pct
        points.update(v for v in (limit.value, limit.low, limit.high) if v is not None)
    ordered = sorted(p for p in points if 0 <= p <= 100)
    probes = ordered + [(a + b) / 2 for a, b in zip(ordered, ordered[1:], strict=False)]
    for p in probes:
        hits = [c.code for c in banded if c.content_pct.holds(p)]
        if len(hits) != 1:
            where = "no class" if not hits else ", ".join(hits)
            raise RuleSetInvalid(
                f"classes: content bands must cover 0-100 % exactly once; {p} % falls in {where}"
            )
