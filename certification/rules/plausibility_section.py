"""``[plausibility.<column>]``: the physically possible values of a result-sheet column, each
with its source (STANDARD.md section 6: a sheet is refused with a message per bad row and
column). Optional: a rule set without the table bounds nothing beyond the sheet's own rules.

``[raw_plausibility.<quantity>]`` (from ``gbt-ssb-2026`` version 3): the same ``min``/``max``
with a source for a quantity of raw instrument data that is no sheet column, e.g. the time a
cycler file spans (``RAW_PLAUSIBILITY_QUANTITIES``)."""

from __future__ import annotations

from certification.rules.reader import Table, decimal_at
from certification.rules.schema import (
    PLAUSIBILITY_COLUMNS,
    RAW_PLAUSIBILITY_QUANTITIES,
    PlausibleRange,
    RuleSetInvalid,
)


def read_plausibility(t: Table | None) -> tuple[PlausibleRange, ...]:
    if t is None:
        return ()
    for key in t.data:
        if key not in PLAUSIBILITY_COLUMNS:
            raise RuleSetInvalid(
                f"{t.at(key)}: not a measured result-sheet column; expected one of "
                f"{', '.join(PLAUSIBILITY_COLUMNS)}"
            )
    ranges = tuple(
        _read_range(t.table(column), column) for column in PLAUSIBILITY_COLUMNS if t.has(column)
    )
    t.done()
    return ranges


def read_raw_plausibility(t: Table | None) -> tuple[PlausibleRange, ...]:
    if t is None:
        return ()
    for key in t.data:
        if key not in RAW_PLAUSIBILITY_QUANTITIES:
            raise RuleSetInvalid(
                f"{t.at(key)}: not a raw-data quantity; expected one of "
                f"{', '.join(RAW_PLAUSIBILITY_QUANTITIES)}"
            )
    ranges = tuple(
        _read_range(t.table(name), name) for name in RAW_PLAUSIBILITY_QUANTITIES if t.has(name)
    )
    t.done()
    return ranges


def _read_range(t: Table, column: str) -> PlausibleRange:
    source = t.source_ref()
    minimum = decimal_at(t.raw("min"), t.at("min"), signed=True)
    maximum = decimal_at(t.raw("max"), t.at("max"), signed=True)
    if maximum <= minimum:
        raise RuleSetInvalid(f"{t.at('max')}: must be greater than min ({minimum})")
    found = PlausibleRange(
        column=column,
        minimum=minimum,
        maximum=maximum,
        source=source,
        assumption=t.boolean("assumption", default=False),
        note=t.string("note", required=False),
    )
    t.done()
    return found
