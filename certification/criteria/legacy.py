"""Sentences stored before their words were text values.

Earlier engines stored these parameters as English text. ``upgrade_params`` reads that text back
into today's text values (exactly: the English renders the same), so an old evaluation shows in
every language and compares equal with its re-run. Text it cannot read stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from certification.criteria.text import _COMPARATOR_FRAGMENTS, fragment, joined

_CONDITION_LIST_MESSAGES = frozenset(
    {
        "weight_loss.invalid_conditions",
        "energy_density.invalid_conditions",
        "flag.invalid_test_conditions",
    }
)
_CHAMBER_MESSAGES = frozenset(
    {"weight_loss.invalid_chamber_log", "flag.chamber_log_conditions_not_met"}
)
_OLD_REQUIREMENTS = (
    (
        re.compile(r"rated capacity / (?P<rate_hours>\S+) h ± (?P<tolerance_pct>\S+) %"),
        "requirement.rated_current",
    ),
    (re.compile(r"(?P<low>\S+) to (?P<high>\S.*)"), "requirement.between"),
    *(
        (re.compile(re.escape(op) + r" (?P<value>\S.*)"), fragment_id)
        for op, fragment_id in _COMPARATOR_FRAGMENTS.items()
        if op != "between_inclusive"
    ),
)
_OLD_CONDITION = re.compile(r"(?P<condition>\w+) required (?P<requirement>\S.*)")
_OLD_CHAMBER = (
    (re.compile(r"hold (?P<hold_h>\S+) h, required (?P<requirement>\S.*)"), "chamber.hold"),
    (
        re.compile(
            r"temperature (?P<min_c>\S+) to (?P<max_c>\S+) °C, required (?P<requirement>\S.*)"
        ),
        "chamber.temperature",
    ),
    (
        re.compile(r"pressure up to (?P<max_pa>\S+) Pa, required (?P<requirement>\S.*)"),
        "chamber.pressure",
    ),
)
_OLD_MORE_IDS = re.compile(r"(?P<ids>.*) \(\+(?P<more>\d+) more\)")


def requirement_from_text(text: str) -> dict[str, Any] | None:
    """A ``Limit.describe()`` text (``118 to 122 °C``, ``>= 6 h``) as a text value, or None."""
    for pattern, fragment_id in _OLD_REQUIREMENTS:
        match = pattern.fullmatch(text)
        if match:
            return fragment(fragment_id, **match.groupdict())
    return None


def _old_value(text: str) -> str | None:
    return None if text == "None" else text  # how str.format showed a missing reading


def _old_condition(text: str) -> dict[str, Any] | None:
    match = _OLD_CONDITION.fullmatch(text)
    requirement = requirement_from_text(match["requirement"]) if match else None
    if requirement is None:
        return None
    return fragment("condition.required", condition=match["condition"], requirement=requirement)


def _old_chamber_item(text: str) -> dict[str, Any] | None:
    for pattern, fragment_id in _OLD_CHAMBER:
        match = pattern.fullmatch(text)
        requirement = requirement_from_text(match["requirement"]) if match else None
        if requirement is not None:
            values = {k: _old_value(v) for k, v in match.groupdict().items() if k != "requirement"}
            return fragment(fragment_id, **values, requirement=requirement)
    return None


def _old_list(
    text: str, separator: str, item: Callable[[str], Any], fragment_id: str
) -> dict[str, Any] | None:
    items = [item(part) for part in text.split(separator)]
    return None if any(i is None for i in items) else joined(fragment_id, items)


def upgrade_params(message_id: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` of a stored sentence with any English-text parameter read back into a text value.

    Idempotent: today's parameters come back unchanged."""
    out = dict(params)
    conditions = out.get("conditions")
    if isinstance(conditions, str):
        upgraded = None
        if message_id in _CONDITION_LIST_MESSAGES:
            upgraded = _old_list(conditions, ", ", _old_condition, "list.conditions")
        elif message_id in _CHAMBER_MESSAGES:
            upgraded = _old_list(conditions, "; ", _old_chamber_item, "list.chamber")
        elif message_id == "flag.condition_not_reported":
            upgraded = joined("list.names", conditions.split(", "))
        if upgraded is not None:
            out["conditions"] = upgraded
    if isinstance(out.get("band"), str):
        out["band"] = requirement_from_text(out["band"]) or out["band"]
    if isinstance(out.get("sample_ids"), str):
        match = _OLD_MORE_IDS.fullmatch(out["sample_ids"])
        if match:
            out["sample_ids"] = fragment("ids.more", ids=match["ids"], more=int(match["more"]))
    if out.get("valid_until") == "open-ended":
        out["valid_until"] = fragment("date.open_ended")
    return out


def upgrade_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """A stored ``EvaluationOutcome.as_dict()`` with every sentence's parameters upgraded."""
    out = dict(result)
    for key in ("criteria", "flags"):
        if isinstance(out.get(key), list):
            out[key] = [
                {**item, "params": upgrade_params(item.get("message_id"), item["params"])}
                if isinstance(item, dict) and isinstance(item.get("params"), dict)
                else item
                for item in out[key]
            ]
    return out
