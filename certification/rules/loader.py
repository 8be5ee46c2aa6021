"""One rule set file, read top to bottom: header, [[sources]], [comparison], [evidence],
[criteria.*], [classes.*], [classification_code], [plausibility.*], [raw_plausibility.*],
[certificate]; then the cross-table checks."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path

from certification.rules.classes_section import read_classes, read_code_format
from certification.rules.consistency import check_consistency
from certification.rules.criteria_section import (
    read_content,
    read_energy,
    read_safety,
    read_weight_loss,
)
from certification.rules.plausibility_section import read_plausibility, read_raw_plausibility
from certification.rules.reader import Table, read_number
from certification.rules.schema import (
    COMPARISON_METHODS,
    EVIDENCE_KINDS,
    EvidencePolicy,
    RuleSetData,
    RuleSetInvalid,
    Source,
)
from certification.vocabulary import EVIDENCE_SOURCES

RULESET_DIR = Path(__file__).resolve().parent.parent / "rulesets"

_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def ruleset_files() -> list[Path]:
    """The rule set files shipped with the portal, sorted by name."""
    return sorted(RULESET_DIR.glob("*.toml"))


def load_ruleset(text: str) -> RuleSetData:
    """Parse and validate one rule set file; raise ``RuleSetInvalid`` with a path on any fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetInvalid(f"(file): not valid TOML: {exc}") from None
    sources = _read_sources(data)
    top = Table(data, "", frozenset(s.id for s in sources))
    top.raw("sources")

    code = top.string("code")
    if not _CODE_RE.match(code):
        raise RuleSetInvalid("code: use lower-case letters, digits and hyphens")
    version = top.raw("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RuleSetInvalid("version: must be a whole number >= 1")
    effective_from = _read_date(top, "effective_from", required=True)
    effective_until = _read_date(top, "effective_until", required=False)
    if effective_until is not None and effective_until <= effective_from:
        raise RuleSetInvalid("effective_until: must be after effective_from")

    comparison_t = top.table("comparison")
    comparison_t.source_ref()
    comparison = comparison_t.string("method", choices=COMPARISON_METHODS)
    comparison_t.string("note", required=False)
    comparison_t.done()

    evidence = _read_evidence(top.table("evidence"))
    criteria_t = top.table("criteria")
    weight_loss = read_weight_loss(criteria_t.table("weight_loss", required=False))
    content = read_content(criteria_t.table("electrolyte_content", required=False))
    energy = read_energy(criteria_t.table("energy_density", required=False))
    safety = read_safety(criteria_t.table("safety", required=False))
    criteria_t.done()

    classes = read_classes(top.table("classes"))
    code_format = read_code_format(top.table("classification_code"))
    plausibility = read_plausibility(top.table("plausibility", required=False))
    raw_plausibility = read_raw_plausibility(top.table("raw_plausibility", required=False))
    cert_t = top.table("certificate")
    validity = read_number(cert_t.table("validity_months"), integer_min=1)
    cert_t.done()

    ruleset = RuleSetData(
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
        plausibility=plausibility,
        raw_plausibility=raw_plausibility,
    )
    top.done()
    check_consistency(ruleset)
    return ruleset


def _read_date(t: Table, key: str, *, required: bool) -> date | None:
    value = t.raw(key, required=required)
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RuleSetInvalid(f"{key}: must be a TOML date such as 2026-07-01")
    return value


def _read_sources(data: dict) -> tuple[Source, ...]:
    """The [[sources]] every number cites; read first, since every other table refers to them."""
    raw = data.get("sources")
    if not isinstance(raw, list) or not raw:
        raise RuleSetInvalid("sources: declare at least one [[sources]] table")
    sources: list[Source] = []
    for i, item in enumerate(raw):
        t = Table(item, f"sources[{i}]", frozenset())
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


def _read_evidence(t: Table) -> EvidencePolicy:
    policy = EvidencePolicy(
        source=t.source_ref(),
        accepted_sources=t.strings("accepted_sources", choices=EVIDENCE_SOURCES),
        require_assigned_lab=t.boolean("require_assigned_lab"),
        require_accreditation_on_test_date=t.boolean("require_accreditation_on_test_date"),
        required=t.strings("required", required=False, choices=EVIDENCE_KINDS),
    )
    t.string("note", required=False)
    t.done()
    return policy
