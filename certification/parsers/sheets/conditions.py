"""What a lab must know before it tests: the rule set's test conditions and sample counts for
each result sheet, and the values a sheet's yes/no and choice columns accept.

The numbers come from the rule set handed in (``RuleSetData``), never from code; the words are
English templates marked for translation, put into a language by the caller's ``translate``
(Django's ``gettext``), as the criteria's sentences are. The templates (``templates``) and the
submission page both state them from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from certification.parsers.sheets.columns import COLUMNS, HEADERS_ZH
from certification.parsers.sheets.values import BOOLEAN_WORDS
from certification.rules import Limit, RateCurrentLimit, RuleSetData
from certification.vocabulary import CLASSES, SAFETY_TESTS, gettext_noop

Translate = Callable[[str], str]

# What each test condition a rule set may name is, by sheet kind and column.
_SUBJECTS = {
    ("weight_loss", "temperature_c"): gettext_noop("Chamber temperature during drying"),
    ("weight_loss", "duration_h"): gettext_noop("Time held at temperature under vacuum"),
    ("weight_loss", "pressure_pa"): gettext_noop("Absolute chamber pressure during drying"),
    ("weight_loss", "balance_resolution_g"): gettext_noop("Balance resolution"),
    ("weight_loss", "ambient_temperature_c"): gettext_noop("Ambient temperature"),
    ("energy_density", "temperature_c"): gettext_noop("Ambient temperature during the discharge"),
}
_SAMPLES = gettext_noop("Samples")
_SAFETY_SUBJECT = gettext_noop("Abuse tests (%(class_name)s)")
_CURRENT_SUBJECT = gettext_noop("Discharge current")

_REQUIREMENTS = {
    "nominal": gettext_noop("%(value)s ± %(tolerance)s%(unit)s"),
    "between_inclusive": gettext_noop("%(low)s to %(high)s%(unit)s"),
    ">=": gettext_noop("at least %(value)s%(unit)s"),
    ">": gettext_noop("more than %(value)s%(unit)s"),
    "<=": gettext_noop("at most %(value)s%(unit)s"),
    "<": gettext_noop("less than %(value)s%(unit)s"),
}
_ONE_SAMPLE = gettext_noop("at least 1 sample")
_SAMPLE_COUNT = gettext_noop("at least %(count)s samples")
_SAFETY_REQUIREMENT = gettext_noop("%(tests)s; of each, %(samples)s")
_RATED_CURRENT = gettext_noop(
    "1 I%(rate_hours)s: rated capacity / %(rate_hours)s h, ± %(tolerance)s %%"
)
# Translators: joins the items of a list (abuse test names, accepted words).
_SEPARATOR = gettext_noop(", ")

_COLUMN = "%(column)s"  # a column's header, as the sheet writes it: nothing to translate
# Translators: one line of a list of conditions, e.g. "Chamber temperature: 120 ± 2 °C".
_LINE = gettext_noop("%(subject)s: %(requirement)s")
_YES_NO = gettext_noop("yes: %(yes)s; no: %(no)s (any letter case)")
_CHOICE = gettext_noop("%(code)s (%(label)s)")
_DATE = gettext_noop("YYYY-MM-DD (or YYYY/MM/DD)")

_HEADING = gettext_noop("Test conditions of rule set %(code)s version %(version)s (%(standard)s)")
_ALLOWED_HEADING = gettext_noop("Accepted values")
_ASSUMPTION = gettext_noop("(the portal's assumption until a published text says otherwise)")
_HEADERS_NOTE = gettext_noop(
    "Column headers may be the English names or the Chinese headers; one row per sample."
)


def untranslated(message: str) -> str:
    return message


@dataclass(frozen=True)
class Condition:
    """One thing a test must meet (``subject`` and ``requirement`` are templates marked for
    translation, with ``params``) and whether the rule set marks its number an assumption."""

    subject: str
    requirement: str
    params: Mapping[str, object] = field(default_factory=dict)
    subject_params: Mapping[str, object] = field(default_factory=dict)
    assumption: bool = False

    def subject_text(self, translate: Translate = untranslated) -> str:
        params = {k: _words(v, translate) for k, v in self.subject_params.items()}
        return translate(self.subject) % params

    def requirement_text(self, translate: Translate = untranslated) -> str:
        params = {k: _words(v, translate) for k, v in self.params.items()}
        return translate(self.requirement) % params


@dataclass(frozen=True)
class Words:
    """Items joined by the language's list separator: requirements (``Condition``), words to
    translate (``translated``) or codes and numbers shown as they are."""

    items: tuple[str | Condition | CodeLabel, ...]
    translated: bool = False


@dataclass(frozen=True)
class CodeLabel:
    """A code to write in a sheet, with its label in the reader's language when that says more
    than the code itself ("crush" needs none in English)."""

    code: str
    label: str | None = None


def _words(value: object, translate: Translate) -> str:
    if isinstance(value, Words):
        return translate(_SEPARATOR).join(
            _words(item, translate)
            if isinstance(item, Condition | CodeLabel)
            else (translate(item) if value.translated else item)
            for item in value.items
        )
    if isinstance(value, Condition):
        return value.requirement_text(translate)
    if isinstance(value, CodeLabel):
        label = translate(value.label) if value.label else None
        if not label or label == value.code.replace("_", " "):
            return value.code
        return translate(_CHOICE) % {"code": value.code, "label": label}
    return str(value)


def _number(value: Decimal | None) -> str:
    if value is None:
        return "?"
    normal = value.normalize()
    return format(normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal, "f")


def _unit(limit: Limit) -> str:
    # Symbols (°C, h, Pa, g, %) follow the number after a space; "samples" is said in words.
    return f" {limit.unit}" if limit.unit else ""


def requirement(limit: Limit) -> Condition:
    """A limit as a requirement: "120 ± 2 °C", "at least 6 h", "at most 1000 Pa"."""
    unit = _unit(limit)
    if limit.comparator == "between_inclusive":
        if limit.tolerance is not None and limit.value is not None:
            params = {
                "value": _number(limit.value),
                "tolerance": _number(limit.tolerance.value),
                "unit": unit,
            }
            return Condition("", _REQUIREMENTS["nominal"], params)
        params = {"low": _number(limit.low), "high": _number(limit.high), "unit": unit}
        return Condition("", _REQUIREMENTS["between_inclusive"], params)
    params = {"value": _number(limit.value), "unit": unit}
    return Condition("", _REQUIREMENTS[limit.comparator], params)


def _is_assumption(limit: Limit) -> bool:
    return limit.assumption or (limit.tolerance is not None and limit.tolerance.assumption)


def _sample_count(limit: Limit) -> Condition:
    count = limit.value if limit.comparator == ">=" else (limit.value or Decimal(0)) + 1
    if count == 1:
        return Condition("", _ONE_SAMPLE)
    return Condition("", _SAMPLE_COUNT, {"count": _number(count)})


def _samples(limit: Limit) -> Condition:
    count = _sample_count(limit)
    return Condition(_SAMPLES, count.requirement, count.params, assumption=_is_assumption(limit))


def _limit_condition(kind: str, limit: Limit) -> Condition:
    shown = requirement(limit)
    return Condition(
        _SUBJECTS.get((kind, limit.name), limit.name),
        shown.requirement,
        shown.params,
        assumption=_is_assumption(limit),
    )


def _current(current: RateCurrentLimit) -> Condition:
    return Condition(
        _CURRENT_SUBJECT,
        _RATED_CURRENT,
        {
            "rate_hours": _number(current.rate_hours.value),
            "tolerance": _number(current.tolerance_pct.value),
        },
        assumption=current.assumption
        or current.rate_hours.assumption
        or current.tolerance_pct.assumption,
    )


def conditions_for(rules: RuleSetData, kind: str) -> tuple[Condition, ...]:
    """What the rule set requires of the test behind a sheet of ``kind``: its conditions, the
    discharge current, the sample count and, for the abuse tests, which tests each class needs.
    Empty when the rule set does not judge that kind."""
    out: list[Condition] = []
    if kind == "weight_loss" and rules.weight_loss is not None:
        out.extend(_limit_condition(kind, c) for c in rules.weight_loss.conditions)
        out.append(_samples(rules.weight_loss.min_samples))
    elif kind == "electrolyte_content" and rules.electrolyte_content is not None:
        out.append(_samples(rules.electrolyte_content.min_samples))
    elif kind == "energy_density" and rules.energy_density is not None:
        rule = rules.energy_density
        out.extend(_limit_condition(kind, c) for c in rule.conditions)
        out.append(_current(rule.discharge_current))
        out.append(_samples(rule.min_samples))
    elif kind == "safety" and rules.safety is not None:
        for class_rule in rules.classes:
            needs = class_rule.safety
            if needs is None or not class_rule.certifiable:
                continue
            samples = _sample_count(needs.min_samples)
            out.append(
                Condition(
                    _SAFETY_SUBJECT,
                    _SAFETY_REQUIREMENT,
                    {"tests": Words(needs.tests), "samples": samples},
                    subject_params={"class_name": Words((CLASSES[class_rule.code],), True)},
                    assumption=_is_assumption(needs.min_samples),
                )
            )
    return tuple(out)


def allowed_values(kind: str, *, chinese_headers: bool = False) -> tuple[Condition, ...]:
    """What the yes/no, choice and date columns of ``kind`` accept; the subject is the column's
    header (English name, or Chinese header with ``chinese_headers``)."""
    out = []
    for column in COLUMNS[kind]:
        header = {"column": HEADERS_ZH[column.name] if chinese_headers else column.name}
        if column.type == "boolean":
            params = {
                "yes": Words(tuple(yes for yes, _no in BOOLEAN_WORDS)),
                "no": Words(tuple(no for _yes, no in BOOLEAN_WORDS)),
            }
            out.append(Condition(_COLUMN, _YES_NO, params, header))
        elif column.type == "choice":
            labels = SAFETY_TESTS if column.name == "test" else {}
            choices = tuple(CodeLabel(c, labels.get(c)) for c in column.choices)
            out.append(Condition(_COLUMN, "%(choices)s", {"choices": Words(choices)}, header))
        elif column.type == "date":
            out.append(Condition(_COLUMN, _DATE, {}, header))
    return tuple(out)


def instruction_lines(
    rules: RuleSetData | None,
    kind: str,
    translate: Translate = untranslated,
    *,
    chinese_headers: bool = False,
) -> list[str]:
    """The conditions and accepted values of ``kind`` as lines of text, for a template's notes."""
    lines = []
    if rules is not None:
        conditions = conditions_for(rules, kind)
        if conditions:
            lines.append(
                translate(_HEADING)
                % {"code": rules.code, "version": rules.version, "standard": rules.standard_id}
            )
            for item in conditions:
                lines.append(f"- {line_text(item, translate)}")
    lines.append(translate(_ALLOWED_HEADING))
    for item in allowed_values(kind, chinese_headers=chinese_headers):
        lines.append(f"- {line_text(item, translate)}")
    lines.append(translate(_HEADERS_NOTE))
    return lines


def line_text(item: Condition, translate: Translate = untranslated) -> str:
    """One condition as "subject: requirement", with the assumption note when it has one."""
    text = translate(_LINE) % {
        "subject": item.subject_text(translate),
        "requirement": item.requirement_text(translate),
    }
    return f"{text} {translate(_ASSUMPTION)}" if item.assumption else text
