"""The verdict: the class the evidence supports, the claim, certifiability, labels and the
application sub-class (STANDARD.md sections 3 and 5).

Implements the ``[classes.*]`` tables and ``[classification_code]`` of
certification/rulesets/gbt-ssb-2026.toml:

- class: the band of the measured content decides; a class with ``weight_loss_gate`` needs a
  passed weight loss, and on a failed one the cell falls to ``on_weight_loss_fail`` (flagged);
  a rule set without content bands (t-csae-434-2025) has only the gated class;
- certifiable only when the class is ``certifiable`` and every criterion in its ``requires``
  passed; a failed required criterion makes the evaluation not certifiable, anything missing
  makes it incomplete;
- a claim above the determined class is "not supported" (the product may still be certified in
  the class the evidence supports); the ranking is ``vocabulary.CLASSES``' order;
- labels: a certified class, or a class the scheme never certifies, gets its own wording;
  otherwise nothing is permitted;
- application: high-energy when max continuous power / rated energy holds
  ``high_energy_power_to_energy_ratio``, else high-power.
"""

from __future__ import annotations

from collections.abc import Iterable

from certification.criteria.electrolyte_content import ContentFinding
from certification.criteria.inputs import ProductFacts
from certification.criteria.outcome import CriterionResult, Flag, Sentences
from certification.criteria.values import as_given, to_decimal
from certification.rules import ClassRule, LabelSet, RuleSetData
from certification.vocabulary import CLASSES, gettext_noop

MESSAGES: dict[str, str] = {
    "flag.class_undetermined_content": gettext_noop(
        "No class could be determined: there is no valid lab-measured liquid electrolyte content."
    ),
    "flag.class_undetermined_weight_loss": gettext_noop(
        "No class could be determined: the {band_class_name} class needs a valid vacuum weight "
        "loss result, and there is none."
    ),
    "flag.content_contradicted_by_weight_loss": gettext_noop(
        # xgettext: no-python-format  ("% lies" would read as a %-directive otherwise)
        "The measured content of {content_pct} % lies in the {band_class_name} band, but the "
        "vacuum weight loss failed or showed leakage, so the cell holds liquid and is classed "
        "{class_name}."
    ),
    "flag.not_gated_class": gettext_noop(
        "The vacuum weight loss failed or showed leakage: the cell holds liquid, so it is not in "
        "the {band_class_name} class, and this rule set cannot tell which class it is in."
    ),
    "flag.claim_not_supported": gettext_noop(
        "Claim not supported: the product is claimed as {claimed_class_name} but the evidence "
        "supports {class_name}."
    ),
    "flag.claim_below_determined_class": gettext_noop(
        "The product is claimed as {claimed_class_name}, but the evidence places it in "
        "{class_name}, and it is judged in that class."
    ),
    "flag.claimed_class_not_certifiable": gettext_noop(
        "This rule set does not certify the claimed class {claimed_class_name}."
    ),
    "flag.liquid_not_certifiable": gettext_noop(
        "The cell is a {class_name}: it is not certified under this scheme and may carry no "
        "solid-state wording."
    ),
    "flag.family_inconsistent": gettext_noop(
        "The declared electrolyte family {family} is not consistent with the {class_name} class."
    ),
    "flag.application_undetermined": gettext_noop(
        "The application sub-class cannot be determined: rated energy and maximum continuous power "
        "must both be positive."
    ),
}
SENTENCES = Sentences(MESSAGES)


def class_name(ruleset: RuleSetData, code: str | None) -> str:
    """A class's English name in the rule set, for a sentence."""
    rule = ruleset.class_rule(code)
    if rule is not None:
        return rule.name_en
    return code.replace("_", " ") if code else "no class"


def determine_class(
    ruleset: RuleSetData,
    content: ContentFinding | None,
    weight_loss: CriterionResult | None,
    flags: list[Flag],
) -> str | None:
    """The class from the content band and the weight loss; None when it cannot be told."""
    if ruleset.has_content_bands:
        if content.band is None:
            flags.append(SENTENCES.flag("class_undetermined_content", "warning"))
            return None
        value, band_rule = content.value, ruleset.class_rule(content.band)
    else:
        value, band_rule = None, next(c for c in ruleset.classes if c.weight_loss_gate)
    if not band_rule.weight_loss_gate:
        return band_rule.code
    outcome = weight_loss.outcome if weight_loss is not None else "incomplete"
    if outcome == "pass":
        return band_rule.code
    if outcome == "fail":
        target = band_rule.on_weight_loss_fail
        if target is None:
            flags.append(
                SENTENCES.flag("not_gated_class", "warning", band_class_name=band_rule.name_en)
            )
            return None
        flags.append(
            SENTENCES.flag(
                "content_contradicted_by_weight_loss",
                "warning",
                content_pct=as_given(value),
                band_class_name=band_rule.name_en,
                class_name=class_name(ruleset, target),
            )
        )
        return target
    flags.append(
        SENTENCES.flag(
            "class_undetermined_weight_loss", "warning", band_class_name=band_rule.name_en
        )
    )
    return None


def _family(result: CriterionResult) -> str:
    return result.code.split(".", 1)[0]


def _required(class_rule: ClassRule, criteria: Iterable[CriterionResult]) -> list[CriterionResult]:
    return [c for c in criteria if _family(c) in class_rule.requires]


def is_certifiable(class_rule: ClassRule | None, criteria: tuple[CriterionResult, ...]) -> bool:
    """The class is certifiable and every criterion it requires is present and passed."""
    if class_rule is None or not class_rule.certifiable:
        return False
    required = _required(class_rule, criteria)
    present = {_family(c) for c in required}
    return present == set(class_rule.requires) and all(c.outcome == "pass" for c in required)


def verdict_of(
    class_rule: ClassRule | None, certifiable: bool, criteria: tuple[CriterionResult, ...]
) -> str:
    """``certifiable``, ``not_certifiable`` (a required criterion failed, or a class the scheme
    never certifies) or ``incomplete`` (something is missing)."""
    if certifiable:
        return "certifiable"
    if class_rule is None:
        if any(c.outcome == "incomplete" for c in criteria):
            return "incomplete"
        return "not_certifiable"
    if not class_rule.certifiable:
        return "not_certifiable"
    if any(c.outcome == "fail" for c in _required(class_rule, criteria)):
        return "not_certifiable"
    return "incomplete"


def claim_supported(
    ruleset: RuleSetData, claimed: str, determined: str | None, flags: list[Flag]
) -> bool:
    """Whether the claimed class is at most the determined one (flagging either way)."""
    claimed_rule = ruleset.class_rule(claimed)
    names = {"claimed_class_name": class_name(ruleset, claimed)}
    if claimed_rule is None or not claimed_rule.certifiable:
        flags.append(SENTENCES.flag("claimed_class_not_certifiable", "warning", **names))
    if determined is None:
        return False
    names["class_name"] = class_name(ruleset, determined)
    rank = CLASSES.codes.index
    if rank(claimed) > rank(determined):
        flags.append(SENTENCES.flag("claim_not_supported", "warning", **names))
        return False
    if rank(claimed) < rank(determined):
        flags.append(SENTENCES.flag("claim_below_determined_class", "info", **names))
    return True


def flag_class_facts(
    class_rule: ClassRule | None, product: ProductFacts, flags: list[Flag]
) -> None:
    """Say what the determined class means for the product: a class never certified (liquid),
    an electrolyte family the class rules out."""
    if class_rule is None:
        return
    if not class_rule.certifiable:
        flags.append(
            SENTENCES.flag("liquid_not_certifiable", "info", class_name=class_rule.name_en)
        )
    if (
        class_rule.consistent_families is not None
        and product.electrolyte_family not in class_rule.consistent_families
    ):
        flags.append(
            SENTENCES.flag(
                "family_inconsistent",
                "warning",
                family=product.electrolyte_family,
                class_name=class_rule.name_en,
            )
        )


def application_of(ruleset: RuleSetData, product: ProductFacts, flags: list[Flag]) -> str | None:
    """High-energy when max continuous power / rated energy meets the rule set's ratio."""
    power = to_decimal(product.max_continuous_power_w)
    energy = to_decimal(product.rated_energy_wh)
    if power is None or energy is None or power <= 0 or energy <= 0:
        flags.append(SENTENCES.flag("application_undetermined", "warning"))
        return None
    ratio = power / energy
    if ruleset.classification_code.high_energy_ratio.holds(ratio):
        return "high_energy"
    return "high_power"


def labels_for(
    ruleset: RuleSetData, class_rule: ClassRule | None, certifiable: bool
) -> tuple[LabelSet, LabelSet]:
    """The wording the maker may and may not print.

    A certified class, or a class the scheme never certifies (liquid), gets its own wording.
    Otherwise nothing is permitted and every certifiable class's wording is forbidden too.
    """
    if class_rule is not None and (certifiable or not class_rule.certifiable):
        return class_rule.permitted, class_rule.forbidden
    # Without a certificate: no certifiable class's wording, and no solid-state wording at
    # all (the terms a never-certified class, i.e. liquid, forbids).
    sources = [class_rule] if class_rule is not None else []
    sources += [rule for rule in ruleset.classes if not rule.certifiable]
    forbidden: dict[str, tuple[str, ...]] = {}
    for lang in ("en", "zh"):
        items: list[str] = []
        for rule in ruleset.classes:
            if rule.certifiable:
                items.extend(getattr(rule.permitted, lang))
        for rule in sources:
            items.extend(getattr(rule.forbidden, lang))
        forbidden[lang] = tuple(dict.fromkeys(items))
    return LabelSet((), ()), LabelSet(forbidden["en"], forbidden["zh"])
