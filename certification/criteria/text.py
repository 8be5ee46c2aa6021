"""Words inside the engine's sentences: text values, and how they render in a language.

Every sentence is a template with ``{placeholders}`` (each criterion family's ``MESSAGES``, all of
them in ``certification.criteria.sentences``). A parameter that is itself words (a failed test
condition, a content band, "(+3 more)") is not English text but a *text value*: a plain value (a
number, a sample id, a column name: shown as it is), a fragment ``{"fragment": id, "params":
{...}}`` of ``FRAGMENTS``, or a list ``{"fragment": id, "items": [...]}`` whose template joins the
list so far and the next item (English ", ", Chinese "；" or "、"). So a sentence renders whole in
whichever language the display layer's ``translate`` gives; the engine itself renders English.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from certification.rules import Limit, RateCurrentLimit
from certification.vocabulary import SAFETY_FAILURE_INDICATORS, gettext_noop

# How many sample ids a sentence lists before "(+N more)". Presentation only.
LISTED_IDS = 10

FRAGMENTS: dict[str, str] = {
    # --- a limit as a requirement ("118 to 122 °C", ">= 6 h"); the unit rides on the number
    # Translators: an inclusive range; {high} carries the unit ("118 to 122 °C").
    "requirement.between": gettext_noop("{low} to {high}"),
    "requirement.at_most": gettext_noop("<= {value}"),
    "requirement.below": gettext_noop("< {value}"),
    "requirement.at_least": gettext_noop(">= {value}"),
    "requirement.above": gettext_noop("> {value}"),
    "requirement.rated_current": gettext_noop(
        "rated capacity / {rate_hours} h ± {tolerance_pct} %"
    ),
    # --- a test condition a sheet row did not meet (column name, then what the rule set requires)
    "condition.required": gettext_noop("{condition} required {requirement}"),
    # --- what a chamber log's longest hold showed, against what the rule set requires
    "chamber.hold": gettext_noop("hold {hold_h} h, required {requirement}"),
    "chamber.temperature": gettext_noop(
        "temperature {min_c} to {max_c} °C, required {requirement}"
    ),
    "chamber.pressure": gettext_noop("pressure up to {max_pa} Pa, required {requirement}"),
    # Translators: {cause} is one of the chamber.cause fragments ("hold 2.92 h, required >= 6 h,
    # cut short by a gap with no readings 2:55–5:20").
    "chamber.hold_cut": gettext_noop(
        "hold {hold_h} h, required {requirement}, cut short by {cause}"
    ),
    # Translators: {at} and {until} are clock times of the log (3:02; or hours:minutes since its
    # first reading).
    "chamber.cause.temperature": gettext_noop("an excursion to {value} °C at {at}"),
    "chamber.cause.pressure": gettext_noop("a pressure of {value} Pa at {at}"),
    "chamber.cause.gap": gettext_noop("a gap with no readings {at}–{until}"),
    "chamber.cause.end": gettext_noop("the end of the log at {at}"),
    # --- safety failure indicators (SAFETY_FAILURE_INDICATORS)
    "indicator.fire": gettext_noop("fire"),
    "indicator.explosion": gettext_noop("explosion"),
    # --- odds and ends
    "ids.more": gettext_noop("{ids} (+{more} more)"),
    "date.open_ended": gettext_noop("open-ended"),
    # --- lists: the list so far, then the next item
    # Translators: joins test conditions that were not met, each "<column> required <limit>".
    "list.conditions": gettext_noop("{conditions}, {condition}"),
    # Translators: joins what a chamber log showed for hold time, temperature and pressure.
    "list.chamber": gettext_noop("{conditions}; {condition}"),
    # Translators: joins names (columns, "fire" and "explosion") in an enumeration.
    "list.names": gettext_noop("{names}, {name}"),
}
_COMPARATOR_FRAGMENTS = {
    "between_inclusive": "requirement.between",
    "<=": "requirement.at_most",
    "<": "requirement.below",
    ">=": "requirement.at_least",
    ">": "requirement.above",
}

Translate = Callable[[str], str]


def untranslated(message: str) -> str:
    return message


def render_template(
    template: str, params: Mapping[str, Any], translate: Translate = untranslated
) -> str:
    """``template`` (English, a msgid) in the language ``translate`` gives, with ``params``."""
    values = {key: render_text(value, translate) for key, value in params.items()}
    return translate(template).format(**values)


def render_text(value: Any, translate: Translate = untranslated) -> str:
    """One text value (see the module docstring) as words; anything else as ``str.format``
    shows it."""
    if not isinstance(value, dict):
        return str(value)
    template = translate(FRAGMENTS[value["fragment"]])
    if "items" not in value:
        params = value.get("params") or {}
        return template.format(**{k: render_text(v, translate) for k, v in params.items()})
    # The English template names the list first and the item second; a translation may reorder.
    names = [name for _, name, _, _ in string.Formatter().parse(FRAGMENTS[value["fragment"]])]
    so_far, item = [name for name in names if name]
    texts = [render_text(v, translate) for v in value["items"]]
    joined = texts[0] if texts else ""
    for text in texts[1:]:
        joined = template.format(**{so_far: joined, item: text})
    return joined


def fragment(fragment_id: str, **params: Any) -> dict[str, Any]:
    return {"fragment": fragment_id, "params": params}


def joined(fragment_id: str, items: Iterable[Any]) -> dict[str, Any]:
    return {"fragment": fragment_id, "items": list(items)}


def requirement(limit: Limit) -> dict[str, Any]:
    """``limit.describe()`` as a text value: the same English, and translatable."""
    unit = f" {limit.unit}" if limit.unit else ""
    if limit.comparator == "between_inclusive":
        return fragment("requirement.between", low=str(limit.low), high=f"{limit.high}{unit}")
    return fragment(_COMPARATOR_FRAGMENTS[limit.comparator], value=f"{limit.value}{unit}")


def rated_current(current: RateCurrentLimit) -> dict[str, Any]:
    """The energy test's discharge current requirement (1 I3 ± tolerance) as a text value."""
    return fragment(
        "requirement.rated_current",
        rate_hours=str(current.rate_hours.value),
        tolerance_pct=str(current.tolerance_pct.value),
    )


def sample_ids(ids: Iterable[str]) -> str | dict[str, Any]:
    """Sample ids for a sentence: the first ``LISTED_IDS``, then "(+N more)"."""
    ids = list(dict.fromkeys(ids))
    shown = ", ".join(ids[:LISTED_IDS])
    if len(ids) <= LISTED_IDS:
        return shown
    return fragment("ids.more", ids=shown, more=len(ids) - LISTED_IDS)


def limit_text(limit: str | None, comparator: str | None, unit: str | None) -> Any:
    """A criterion's stored ``limit`` and ``unit`` as one text value, for a table's limit column:
    ``0.5 %``, ``5 to 20 %``, or the safety indicators (``fire, explosion``) as words."""
    if not limit:
        return ""
    if comparator == "none_in_any_sample":
        return joined(
            "list.names",
            (
                fragment(f"indicator.{name}") if name in SAFETY_FAILURE_INDICATORS else name
                for name in limit.split(", ")
            ),
        )
    suffix = f" {unit}" if unit else ""
    low, sep, high = limit.partition(" to ")
    if comparator == "between_inclusive" and sep:
        return fragment("requirement.between", low=low, high=f"{high}{suffix}")
    return f"{limit}{suffix}"
