"""Rules that span tables, checked once a file has been read table by table.

What a class requires must be defined, the weight-loss fallback must be a lower class, a
certifiable class needs a quorum, a code and wording in both languages, a permitted label must
not contain a term its own class forbids, and the content bands must partition 0-100 %.
"""

from __future__ import annotations

from decimal import Decimal

from certification.rules.schema import (
    EVIDENCE_CRITERION,
    ClassRule,
    RuleSetData,
    RuleSetInvalid,
)
from certification.vocabulary import CLASSES


def check_consistency(rs: RuleSetData) -> None:
    """Rules that span tables: what a class requires must exist, bands must partition 0–100 %."""
    criteria = {
        "weight_loss": rs.weight_loss,
        "electrolyte_content": rs.electrolyte_content,
        "energy_density": rs.energy_density,
        "safety": rs.safety,
    }
    for kind in rs.evidence.required or ():
        criterion = EVIDENCE_CRITERION.get(kind)
        if criterion is not None and criteria[criterion] is None:
            raise RuleSetInvalid(
                f"evidence.required: {kind} backs [criteria.{criterion}], which is missing"
            )
    if not any(c.certifiable for c in rs.classes):
        raise RuleSetInvalid("classes: no class is certifiable")
    class_codes = dict(rs.classification_code.class_codes)
    _check_class_codes(rs, class_codes)
    rank = CLASSES.codes.index
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
            if target is None or rank(target.code) >= rank(c.code):
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
        check_bands_partition(banded)
    else:
        gated = [c for c in rs.classes if c.weight_loss_gate]
        if len(gated) != 1 or not gated[0].certifiable:
            raise RuleSetInvalid(
                "classes: without content bands exactly one certifiable class must have "
                "weight_loss_gate = true"
            )


def _check_class_codes(rs: RuleSetData, class_codes: dict[str, str]) -> None:
    """A class code names a class the file defines, and no two classes share one (a printed
    classification code must say which class it is)."""
    seen: dict[str, str] = {}
    for code, abbreviation in class_codes.items():
        path = f"classification_code.class_codes.{code}"
        if rs.class_rule(code) is None:
            raise RuleSetInvalid(f"{path}: no [classes.{code}] in this rule set")
        if abbreviation in seen:
            raise RuleSetInvalid(
                f"{path}: {abbreviation!r} is already the code of {seen[abbreviation]}"
            )
        seen[abbreviation] = code


def check_bands_partition(banded: list[ClassRule]) -> None:
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
        if len(hits) > 1:
            # The path of the band that overlaps one before it, so the message points at a value.
            raise RuleSetInvalid(
                f"classes.{hits[-1]}.content_pct: overlaps classes.{hits[0]}.content_pct; "
                f"content bands must cover 0-100 % exactly once; {p} % falls in "
                f"{', '.join(hits)}"
            )
        if not hits:
            raise RuleSetInvalid(
                f"classes: content bands must cover 0-100 % exactly once; {p} % falls in no class"
            )
