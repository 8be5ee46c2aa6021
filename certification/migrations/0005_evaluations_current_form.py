"""Stored evaluations in the engine's current form, once, so nothing reads an older form again.

Older engines stored an evaluation's result in forms the pages and ``reproduce`` had to read back
at every request. This rewrites each ``Evaluation.result`` as ``certification.criteria`` writes it
today:

1. sentence parameters that were English text (failed test conditions, a chamber log's hold, a
   content band, "(+2 more)", "open-ended") become text values, which render the same English and
   translate;
2. each criterion's ``measured`` record names the value its limit is compared with
   (``measured["compared"]``), so a page no longer guesses it;
3. each criterion records what the rule set requires of its test conditions as text values
   (``requirements``); its ``measured["conditions"]`` already holds the same in English.

The logic is a frozen copy (a migration never imports the live engine, which will change); text it
cannot read stays as it was. Rows already in the current form are left untouched, so running it
again changes nothing. Reversing it is a no-op: the current form reads the same as the old one.
"""

import re

from django.db import migrations

# --- 1. sentence parameters ---------------------------------------------------------------------

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
_COMPARATOR_FRAGMENTS = {
    "<=": "requirement.at_most",
    "<": "requirement.below",
    ">=": "requirement.at_least",
    ">": "requirement.above",
}
_REQUIREMENTS = (
    (
        re.compile(r"rated capacity / (?P<rate_hours>\S+) h ± (?P<tolerance_pct>\S+) %"),
        "requirement.rated_current",
    ),
    (re.compile(r"(?P<low>\S+) to (?P<high>\S.*)"), "requirement.between"),
    *(
        (re.compile(re.escape(op) + r" (?P<value>\S.*)"), fragment_id)
        for op, fragment_id in _COMPARATOR_FRAGMENTS.items()
    ),
)
_CONDITION = re.compile(r"(?P<condition>\w+) required (?P<requirement>\S.*)")
_CHAMBER = (
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
_MORE_IDS = re.compile(r"(?P<ids>.*) \(\+(?P<more>\d+) more\)")


def _fragment(fragment_id, **params):
    return {"fragment": fragment_id, "params": params}


def _joined(fragment_id, items):
    return {"fragment": fragment_id, "items": list(items)}


def requirement_value(text):
    """A limit described in English (``118 to 122 °C``, ``>= 6 h``) as a text value, or None."""
    for pattern, fragment_id in _REQUIREMENTS:
        match = pattern.fullmatch(text)
        if match:
            return _fragment(fragment_id, **match.groupdict())
    return None


def _reading(text):
    return None if text == "None" else text  # how str.format showed a missing reading


def _condition(text):
    match = _CONDITION.fullmatch(text)
    requirement = requirement_value(match["requirement"]) if match else None
    if requirement is None:
        return None
    return _fragment("condition.required", condition=match["condition"], requirement=requirement)


def _chamber_item(text):
    for pattern, fragment_id in _CHAMBER:
        match = pattern.fullmatch(text)
        requirement = requirement_value(match["requirement"]) if match else None
        if requirement is not None:
            values = {k: _reading(v) for k, v in match.groupdict().items() if k != "requirement"}
            return _fragment(fragment_id, **values, requirement=requirement)
    return None


def _listed(text, separator, item, fragment_id):
    items = [item(part) for part in text.split(separator)]
    return None if any(i is None for i in items) else _joined(fragment_id, items)


def current_params(message_id, params):
    """A stored sentence's ``params`` with each English-text parameter as a text value."""
    out = dict(params)
    conditions = out.get("conditions")
    if isinstance(conditions, str):
        upgraded = None
        if message_id in _CONDITION_LIST_MESSAGES:
            upgraded = _listed(conditions, ", ", _condition, "list.conditions")
        elif message_id in _CHAMBER_MESSAGES:
            upgraded = _listed(conditions, "; ", _chamber_item, "list.chamber")
        elif message_id == "flag.condition_not_reported":
            upgraded = _joined("list.names", conditions.split(", "))
        if upgraded is not None:
            out["conditions"] = upgraded
    if isinstance(out.get("band"), str):
        out["band"] = requirement_value(out["band"]) or out["band"]
    if isinstance(out.get("sample_ids"), str):
        match = _MORE_IDS.fullmatch(out["sample_ids"])
        if match:
            out["sample_ids"] = _fragment("ids.more", ids=match["ids"], more=int(match["more"]))
    if out.get("valid_until") == "open-ended":
        out["valid_until"] = _fragment("date.open_ended")
    return out


# --- 2. and 3. what a criterion compared, and what its conditions required ---------------------

# The key of the value each criterion family's limit is compared with, as the engine names it.
_COMPARED = {
    "weight_loss": "max_loss_pct",
    "electrolyte_content": "liquid_electrolyte_pct",
    "energy_density": "min_energy_density_wh_per_kg",
}


def compared_key(code):
    if code in _COMPARED:
        return _COMPARED[code]
    if isinstance(code, str) and code.startswith("safety."):
        return "failed_count"  # one abuse test: how many samples showed fire or explosion
    return None  # "safety" when no test was judged: nothing compared


def current_criterion(criterion):
    out = dict(criterion)
    if isinstance(out.get("params"), dict):
        out["params"] = current_params(out.get("message_id"), out["params"])
    measured = out.get("measured")
    if isinstance(measured, dict) and "compared" not in measured:
        out["measured"] = {"compared": compared_key(out.get("code")), **measured}
    if "requirements" not in out:
        conditions = measured.get("conditions") if isinstance(measured, dict) else None
        out["requirements"] = {
            name: (requirement_value(text) if isinstance(text, str) else None) or text
            for name, text in (conditions if isinstance(conditions, dict) else {}).items()
        }
    return out


def current_flag(flag):
    out = dict(flag)
    if isinstance(out.get("params"), dict):
        out["params"] = current_params(out.get("message_id"), out["params"])
    return out


def current_form(result):
    """A stored ``Evaluation.result`` in the engine's current form (a new dict)."""
    out = dict(result)
    for key, upgrade in (("criteria", current_criterion), ("flags", current_flag)):
        if isinstance(out.get(key), list):
            out[key] = [upgrade(item) if isinstance(item, dict) else item for item in out[key]]
    return out


def rewrite_results(apps, schema_editor):
    Evaluation = apps.get_model("certification", "Evaluation")
    changed = []
    for evaluation in Evaluation.objects.only("pk", "result").iterator(chunk_size=500):
        if not isinstance(evaluation.result, dict) or not evaluation.result:
            continue
        current = current_form(evaluation.result)
        if current != evaluation.result:
            evaluation.result = current
            changed.append(evaluation)
        if len(changed) >= 500:
            Evaluation.objects.bulk_update(changed, ["result"])
            changed = []
    if changed:
        Evaluation.objects.bulk_update(changed, ["result"])


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0004_evaluation_handoff"),
    ]

    operations = [
        migrations.RunPython(rewrite_results, migrations.RunPython.noop, elidable=True),
    ]
