"""The ``[classes.*]`` and ``[classification_code]`` tables: what each class needs and is called.

Per class: whether it can be certified, the criteria it requires, its content band, energy
floor, abuse tests, reviewer quorum, and the wording a maker may and may not print in English
and Chinese (STANDARD.md sections 3 and 5); then the format of the classification code
(``SS-SUL-LI-HE``) built from class, electrolyte family, conducting ion and application.
"""

from __future__ import annotations

import string

from certification.rules.reader import Table, read_code_map, read_limit, read_number, read_samples
from certification.rules.schema import (
    CODE_FIELDS,
    ClassRule,
    CodeFormat,
    LabelSet,
    RuleSetInvalid,
    SafetyRequirement,
)
from certification.vocabulary import (
    APPLICATIONS,
    CLASSES,
    CONDUCTING_IONS,
    CRITERIA,
    ELECTROLYTE_FAMILIES,
    SAFETY_TESTS,
)


def read_classes(t: Table) -> tuple[ClassRule, ...]:
    """The classes the file defines, lowest to highest (the order of ``vocabulary.CLASSES``)."""
    for key in t.data:
        if key not in CLASSES:
            raise RuleSetInvalid(
                f"{t.at(key)}: unknown class; expected one of {', '.join(CLASSES)}"
            )
    classes = tuple(_read_class(t.table(code), code) for code in CLASSES if t.has(code))
    t.done()
    if not classes:
        raise RuleSetInvalid("classes: define at least one class")
    return classes


def _read_labels(t: Table) -> LabelSet:
    labels = LabelSet(
        en=t.strings("en", empty_ok=True),
        zh=t.strings("zh", empty_ok=True),
    )
    t.done()
    return labels


def _read_class(t: Table, code: str) -> ClassRule:
    name = t.table("name")
    name_en, name_zh = name.string("en"), name.string("zh")
    name.done()
    labels = t.table("labels")
    permitted = _read_labels(labels.table("permitted"))
    forbidden = _read_labels(labels.table("forbidden"))
    labels.done()
    content_t = t.table("content_pct", required=False)
    energy_t = t.table("energy_floor_wh_per_kg", required=False)
    safety_t = t.table("safety", required=False)
    safety = None
    if safety_t is not None:
        safety = SafetyRequirement(
            tests=safety_t.strings("tests", choices=SAFETY_TESTS),
            min_samples=read_samples(safety_t.table("min_samples")),
        )
        safety_t.done()
    approvals_t = t.table("reviewer_approvals", required=False)
    rule = ClassRule(
        code=code,
        name_en=name_en,
        name_zh=name_zh,
        certifiable=t.boolean("certifiable"),
        requires=t.strings("requires", choices=CRITERIA, empty_ok=True),
        permitted=permitted,
        forbidden=forbidden,
        content_pct=read_limit(content_t) if content_t is not None else None,
        weight_loss_gate=t.boolean("weight_loss_gate", default=False),
        on_weight_loss_fail=t.string("on_weight_loss_fail", required=False, choices=CLASSES),
        energy_floor_wh_per_kg=(
            read_limit(energy_t, allowed=(">=", ">")) if energy_t is not None else None
        ),
        safety=safety,
        reviewer_approvals=(
            read_number(approvals_t, integer_min=1) if approvals_t is not None else None
        ),
        consistent_families=t.strings(
            "consistent_families", required=False, choices=ELECTROLYTE_FAMILIES
        ),
    )
    t.done()
    return rule


def read_code_format(t: Table) -> CodeFormat:
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
        class_codes=read_code_map(t, "class_codes", CLASSES, complete=False),
        family_codes=read_code_map(t, "family_codes", ELECTROLYTE_FAMILIES, complete=True),
        ion_codes=read_code_map(t, "ion_codes", CONDUCTING_IONS, complete=True),
        application_codes=read_code_map(t, "application_codes", APPLICATIONS, complete=True),
        high_energy_ratio=read_limit(t.table("high_energy_power_to_energy_ratio")),
    )
    t.done()
    return code_format
