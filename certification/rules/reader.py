"""Reading TOML tables strictly: every key used or refused, every number a Decimal with a source.

A ``Table`` is one TOML table at a path in the file (``criteria.weight_loss.max_loss_pct``); each
fault raises ``RuleSetInvalid`` with that path. ``read_number`` and ``read_limit`` turn the
``{ comparator, value (or min/max, or value + tolerance), unit, source, assumption, note }`` tables
of docs/RULESETS.md into ``Number`` and ``Limit``.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from certification.rules.schema import COMPARATORS, Limit, Number, RuleSetInvalid


class Table:
    """One TOML table being read: marks the keys it used and rejects the rest."""

    def __init__(self, data: Any, path: str, sources: frozenset[str]):
        if not isinstance(data, dict):
            raise RuleSetInvalid(f"{path or '(file)'}: must be a table")
        self.data = data
        self.path = path
        self.sources = sources
        self._used: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, *, required: bool = True) -> Any:
        self._used.add(key)
        if key not in self.data:
            if required:
                raise RuleSetInvalid(f"{self.path or '(file)'}: missing {key}")
            return None
        return self.data[key]

    def string(
        self, key: str, *, required: bool = True, choices: Collection[str] | None = None
    ) -> str | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise RuleSetInvalid(f"{self.at(key)}: must be a non-empty string")
        if choices is not None and value not in choices:
            raise RuleSetInvalid(
                f"{self.at(key)}: unknown value {value!r}; expected one of {', '.join(choices)}"
            )
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        value = self.raw(key, required=default is None)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise RuleSetInvalid(f"{self.at(key)}: must be true or false")
        return value

    def strings(
        self,
        key: str,
        *,
        required: bool = True,
        choices: Collection[str] | None = None,
        empty_ok: bool = False,
    ) -> tuple[str, ...] | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise RuleSetInvalid(f"{self.at(key)}: must be a list of non-empty strings")
        if not value and not empty_ok:
            raise RuleSetInvalid(f"{self.at(key)}: must not be empty")
        if len(set(value)) != len(value):
            raise RuleSetInvalid(f"{self.at(key)}: lists a value twice")
        if choices is not None:
            for v in value:
                if v not in choices:
                    raise RuleSetInvalid(
                        f"{self.at(key)}: unknown value {v!r}; expected one of {', '.join(choices)}"
                    )
        return tuple(value)

    def table(self, key: str, *, required: bool = True) -> Table | None:
        value = self.raw(key, required=required)
        if value is None:
            return None
        return Table(value, self.at(key), self.sources)

    def source_ref(self, key: str = "source") -> str:
        """The ``source`` of this table, which must be the id of one of the file's [[sources]]."""
        if key not in self.data:
            self._used.add(key)
            raise RuleSetInvalid(f"{self.path}: missing {key}")
        value = self.string(key)
        if value not in self.sources:
            raise RuleSetInvalid(
                f"{self.at(key)}: unknown source {value!r}; declare it in [[sources]]"
            )
        return value

    def done(self) -> None:
        for key in self.data:
            if key not in self._used:
                raise RuleSetInvalid(f"{self.at(key)}: unknown key")


def decimal_at(value: Any, path: str, *, signed: bool = False) -> Decimal:
    """A finite number of the file as a ``Decimal``; negative only where ``signed`` (a
    temperature, say)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleSetInvalid(f"{path}: must be a number")
    try:
        # repr() of a float is its shortest round-trip form: 0.01 -> "0.01", not 0.0100000000...
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise RuleSetInvalid(f"{path}: must be a number (got {value!r})") from None
    if not number.is_finite():
        raise RuleSetInvalid(f"{path}: must be a finite number")
    if number < 0 and not signed:
        raise RuleSetInvalid(f"{path}: must not be negative (got {value})")
    return number


def _require_integer(number: Decimal, path: str, *, minimum: int) -> None:
    if number != number.to_integral_value() or number < minimum:
        raise RuleSetInvalid(f"{path}: must be a whole number >= {minimum} (got {number})")


def read_number(t: Table, *, integer_min: int | None = None, positive: bool = False) -> Number:
    source = t.source_ref()
    value = decimal_at(t.raw("value"), t.at("value"))
    if integer_min is not None:
        _require_integer(value, t.at("value"), minimum=integer_min)
    if positive and value <= 0:
        raise RuleSetInvalid(f"{t.at('value')}: must be greater than zero")
    number = Number(
        path=t.path,
        value=value,
        source=source,
        assumption=t.boolean("assumption", default=False),
        note=t.string("note", required=False),
    )
    t.done()
    return number


def read_limit(
    t: Table,
    *,
    allowed: tuple[str, ...] = COMPARATORS,
    integer_min: int | None = None,
    may_be_optional: bool = False,
) -> Limit:
    source = t.source_ref()
    comparator = t.string("comparator")
    if comparator not in COMPARATORS:
        raise RuleSetInvalid(
            f"{t.at('comparator')}: unknown comparator {comparator!r}; "
            f"expected one of {', '.join(COMPARATORS)}"
        )
    if comparator not in allowed:
        raise RuleSetInvalid(
            f"{t.at('comparator')}: comparator {comparator!r} not allowed here; "
            f"expected one of {', '.join(allowed)}"
        )
    unit = t.raw("unit")
    if not isinstance(unit, str):
        raise RuleSetInvalid(f"{t.at('unit')}: must be a string (may be empty)")
    fields: dict[str, Any] = {}
    if comparator == "between_inclusive":
        has_range = t.has("min") or t.has("max")
        has_nominal = t.has("value") or t.has("tolerance")
        if has_range == has_nominal:
            raise RuleSetInvalid(
                f"{t.path}: between_inclusive needs either min and max, or value and tolerance"
            )
        if has_range:
            low = decimal_at(t.raw("min"), t.at("min"))
            high = decimal_at(t.raw("max"), t.at("max"))
            tolerance = None
            value = None
        else:
            value = decimal_at(t.raw("value"), t.at("value"))
            tolerance = read_number(t.table("tolerance"))
            low, high = value - tolerance.value, value + tolerance.value
        if low > high:
            raise RuleSetInvalid(f"{t.path}: min must not exceed max")
        fields.update(value=value, low=low, high=high, tolerance=tolerance)
    else:
        for key in ("min", "max", "tolerance"):
            if t.has(key):
                raise RuleSetInvalid(f"{t.at(key)}: only allowed with between_inclusive")
        value = decimal_at(t.raw("value"), t.at("value"))
        if integer_min is not None:
            _require_integer(value, t.at("value"), minimum=integer_min)
        fields["value"] = value
    optional = t.boolean("optional", default=False) if may_be_optional else False
    limit = Limit(
        path=t.path,
        comparator=comparator,
        unit=unit,
        source=source,
        assumption=t.boolean("assumption", default=False),
        optional=optional,
        note=t.string("note", required=False),
        **fields,
    )
    t.done()
    return limit


def read_samples(t: Table) -> Limit:
    """A minimum sample count: ``>=`` a whole number of at least 1."""
    return read_limit(t, allowed=(">=",), integer_min=1)


def read_code_map(
    t: Table, key: str, keys: Collection[str], *, complete: bool
) -> tuple[tuple[str, str], ...]:
    """``{ <code> = "<abbreviation>" }`` for the codes in ``keys`` (all of them if ``complete``)."""
    m = t.table(key)
    pairs = []
    for k in m.data:
        if k not in keys:
            raise RuleSetInvalid(f"{m.at(k)}: unknown key; expected one of {', '.join(keys)}")
        pairs.append((k, m.string(k)))
    if complete:
        for k in keys:
            if k not in m.data:
                raise RuleSetInvalid(f"{m.path}: missing {k}")
    m.done()
    return tuple(pairs)
