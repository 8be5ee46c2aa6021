"""Row values in, JSON-safe values out: the arithmetic every criterion shares.

Values are compared unrounded (GB/T 8170 full-value comparison, ``[comparison]`` in the rule
set). Each computed quantity is formed with a single final division (e.g. loss % =
(m0 − m1) × 100 / m0), so a value exactly on a limit compares equal to it: 10.00 g → 9.95 g is a
loss of exactly 0.5 %. A computed value is *shown* with at most ``DISPLAY_PLACES`` decimals; the
comparison always used the full value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

# Computed values (losses, densities, deviations) are shown with at most this many decimals.
# Presentation only, not a domain number.
DISPLAY_PLACES = 6
# Enough digits that no division the criteria make is rounded before a comparison.
DECIMAL_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)
SECONDS_PER_HOUR = Decimal(3600)
GRAMS_PER_KG = Decimal(1000)

_DISPLAY_QUANTUM = Decimal(1).scaleb(-DISPLAY_PLACES)


def to_decimal(value: Any) -> Decimal | None:
    """A row value as a finite Decimal, or None when absent or not a number."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return None


def as_given(value: Decimal | None) -> str | None:
    """An input value exactly as given."""
    return None if value is None else format(value, "f")


def for_display(value: Decimal | None) -> str | None:
    """A computed value; at most DISPLAY_PLACES decimals (the comparison used the full value)."""
    if value is None:
        return None
    if value.as_tuple().exponent < -DISPLAY_PLACES:
        value = value.quantize(_DISPLAY_QUANTUM)
    return format(value, "f")


def day_of(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def iso_day(value: Any) -> str | None:
    day = day_of(value)
    return day.isoformat() if day else None


def sample_id_of(row: Mapping[str, Any]) -> str:
    value = row.get("sample_id")
    return str(value) if value not in (None, "") else "?"
