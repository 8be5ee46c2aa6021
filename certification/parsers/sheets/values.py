"""One cell's text to its typed value, by the column's type: ``Decimal`` numbers, ``bool``
yes/no words, ``datetime.date`` dates, choices and bounded text. A bad cell raises ``Invalid``
with the message template (and parameters beyond the column and the value) that explain it.
"""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal, InvalidOperation

from certification.parsers.sheets.columns import SheetColumn
from certification.parsers.sheets.errors import Invalid
from certification.parsers.sheets.messages import (
    MSG_ABOVE_MAX,
    MSG_BELOW_MIN,
    MSG_IMPOSSIBLE_DATE,
    MSG_NOT_A_CHOICE,
    MSG_NOT_A_DATE,
    MSG_NOT_A_NUMBER,
    MSG_NOT_ABOVE_MIN,
    MSG_NOT_BOOLEAN,
    MSG_NOT_FINITE,
    MSG_TOO_LARGE_NUMBER,
    MSG_TOO_LONG,
)

# ASCII digits only: Decimal() would also take full-width or Arabic-Indic digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
_NON_FINITE = {"nan", "snan", "inf", "infinity"}
# The spellings of yes and no a yes/no column accepts (any letter case), as (yes, no) pairs; the
# templates and the upload page list them from here.
BOOLEAN_WORDS = (("yes", "no"), ("true", "false"), ("1", "0"), ("y", "n"), ("是", "否"))
_BOOLEANS = {
    word: value for pair in BOOLEAN_WORDS for word, value in zip(pair, (True, False), strict=True)
}
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})/(\d{1,2})/(\d{1,2})", re.ASCII)


def _to_decimal(column: SheetColumn, raw: str) -> Decimal:
    if len(raw) > 40 or not _NUMBER.fullmatch(raw):
        if raw.lstrip("+-").lower() in _NON_FINITE:
            raise Invalid(MSG_NOT_FINITE)
        raise Invalid(MSG_NOT_A_NUMBER)
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        raise Invalid(MSG_NOT_A_NUMBER) from None
    if not math.isfinite(float(value)):
        # 1e309 is a number, but beyond a float's range: it would reach the database as Infinity.
        raise Invalid(MSG_TOO_LARGE_NUMBER)
    low, high = column.min_value, column.max_value
    if low is not None:
        if column.min_exclusive and value <= low:
            raise Invalid(MSG_NOT_ABOVE_MIN, limit=low)
        if not column.min_exclusive and value < low:
            raise Invalid(MSG_BELOW_MIN, limit=low)
    if high is not None and value > high:
        raise Invalid(MSG_ABOVE_MAX, limit=high)
    return value


def _to_bool(column: SheetColumn, raw: str) -> bool:
    try:
        return _BOOLEANS[raw.lower()]
    except KeyError:
        raise Invalid(MSG_NOT_BOOLEAN) from None


def _to_date(column: SheetColumn, raw: str) -> datetime.date:
    match = _DATE.fullmatch(raw)
    if not match:
        raise Invalid(MSG_NOT_A_DATE)
    year, month, day = (int(part) for part in match.groups() if part is not None)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise Invalid(MSG_IMPOSSIBLE_DATE) from None


def _to_text(column: SheetColumn, raw: str) -> str:
    if column.max_length is not None and len(raw) > column.max_length:
        raise Invalid(MSG_TOO_LONG, limit=column.max_length)
    return raw


def _to_choice(column: SheetColumn, raw: str) -> str:
    value = raw.lower().replace(" ", "_").replace("-", "_")
    if value not in column.choices:
        raise Invalid(MSG_NOT_A_CHOICE, choices=", ".join(column.choices))
    return value


_CONVERTERS = {
    "decimal": _to_decimal,
    "boolean": _to_bool,
    "date": _to_date,
    "text": _to_text,
    "choice": _to_choice,
}


def convert(column: SheetColumn, raw: str) -> object:
    """The typed value of ``raw`` (stripped, not blank) in ``column``; raises ``Invalid``."""
    return _CONVERTERS[column.type](column, raw)
