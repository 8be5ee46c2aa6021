"""The register's query string, read and checked: every parameter the pages, the API and the
exports accept, with a message in words for each value refused (a 400, never a 500).

A search is split into words, each matched anywhere in the number, holder, model number or
product name, case ignored. At least one word must hold three letters or digits in a row: that is
what the trigram index can look up (``reports.migrations.0009_register_search``); a search with
none would read every row. Words are values of the query, never SQL or patterns: ``%``, ``_``
and ``\\`` are matched as themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from certification.exceptions import FieldError, InvalidInput
from certification.models import BatteryClass, ElectrolyteFamily
from reports.models import Certificate

# A search longer than this (after NFKC) is no name or model number anyone types.
SEARCH_MAX_CHARS = 100
# ... and the raw value is refused before it is even normalised when it is this long.
RAW_MAX_CHARS = 400
SEARCH_MAX_WORDS = 8
# Letters or digits in a row a word needs before the trigram index can find it.
INDEXED_RUN = 3
PAGE_SIZE = 25
PAGE_SIZE_MAX = 100
# Pages reach no further than this many rows into a list: deeper offsets cost a scan of all the
# rows before them. Narrow the search, or download the list (``exports``).
DEPTH_MAX = 10_000
# Issue dates outside these years are typing mistakes; they also keep midnights in range.
YEAR_MIN, YEAR_MAX = 1900, 2999

SORTS = ("issued", "number", "holder", "model", "expires")
DEFAULT_SORT = "-issued"
STATUSES = tuple(Certificate.Status.values)
CLASSES = tuple(BatteryClass.values)
FAMILIES = tuple(ElectrolyteFamily.values)
LABEL_VALUES = {"true": True, "false": False}

FILTERS = ("q", "class", "label", "family", "status", "issued_from", "issued_to", "sort")
PAGING = ("page", "page_size")


class InvalidRegisterQuery(InvalidInput):
    code = "invalid_query"


@dataclass(frozen=True)
class RegisterQuery:
    """A checked register query; ``words`` drive the index, ``short_words`` only narrow."""

    q: str = ""
    words: tuple[str, ...] = ()
    short_words: tuple[str, ...] = ()
    determined_class: str = ""
    label: bool | None = None
    family: str = ""
    status: str = ""
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    sort: str = DEFAULT_SORT
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def filters(self) -> dict[str, str]:
        """The filters and the sort as query-string values (for links and downloads)."""
        values = {
            "q": self.q,
            "class": self.determined_class,
            "label": "" if self.label is None else str(self.label).lower(),
            "family": self.family,
            "status": self.status,
            "issued_from": self.issued_from.isoformat() if self.issued_from else "",
            "issued_to": self.issued_to.isoformat() if self.issued_to else "",
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        return {key: value for key, value in values.items() if value}

    def query_string(self, **extra: object) -> str:
        return urlencode({**self.filters(), **{k: v for k, v in extra.items() if v}})

    def at_page(self, page: int) -> RegisterQuery:
        return dataclasses.replace(self, page=page)


def _error(column: str, message: str) -> FieldError:
    return FieldError(message, column=column)


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def search_words(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of a search, split into those the index can find and the rest; raises
    ``InvalidRegisterQuery`` naming what is wrong."""
    if len(raw) > RAW_MAX_CHARS:
        raise _refused("q", _too_long())
    # NFKC folds what input methods produce (full-width ＱＳ－２１７００) into what is stored.
    text = unicodedata.normalize("NFKC", raw)
    # Invisible format characters (zero-width spaces, direction marks, a byte-order mark) come
    # with copy and paste and mean nothing in a name: they are dropped.
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    for char in text:
        if char == "\ufffd":
            raise _refused("q", _("The search holds bytes that are not UTF-8 text; type it again."))
        if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") and not char.isspace():
            raise _refused(
                "q",
                _(
                    "The search holds a control or unassigned character (%(codepoint)s), which "
                    "no name or model number has; remove it."
                )
                % {"codepoint": _codepoint(char)},
            )
    if len(text) > SEARCH_MAX_CHARS:
        raise _refused("q", _too_long())
    words = list(dict.fromkeys(text.split()))
    if len(words) > SEARCH_MAX_WORDS:
        raise _refused(
            "q",
            _("Search for at most %(count)s words at once.") % {"count": SEARCH_MAX_WORDS},
        )
    indexed = tuple(word for word in words if _longest_run(word) >= INDEXED_RUN)
    if words and not indexed:
        raise _refused(
            "q",
            _(
                "Search for at least three letters or digits in a row: part of the holder's "
                "name, of the model number or of the product's name."
            ),
        )
    return indexed, tuple(word for word in words if word not in indexed)


def _too_long() -> str:
    return _("The search is too long: at most %(count)s characters.") % {"count": SEARCH_MAX_CHARS}


def _longest_run(word: str) -> int:
    longest = run = 0
    for char in word:
        run = run + 1 if char.isalnum() else 0
        longest = max(longest, run)
    return longest


def _refused(column: str, message: str) -> InvalidRegisterQuery:
    return InvalidRegisterQuery(message, errors=[_error(column, message)])


def _choice(column: str, value: str, allowed: tuple[str, ...], errors: list) -> str:
    if value in allowed:
        return value
    errors.append(
        _error(
            column,
            _("“%(value)s” is not a value of %(name)s; use one of: %(allowed)s.")
            % {"value": _echo(value), "name": column, "allowed": ", ".join(allowed)},
        )
    )
    return ""


def _echo(value: str) -> str:
    shown = "".join(char if char.isprintable() else "�" for char in value[:40])
    return shown + ("…" if len(value) > 40 else "")


def _date(column: str, value: str, errors: list) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors.append(
            _error(
                column,
                _("“%(value)s” is not a date; write it as YYYY-MM-DD, such as 2026-03-31.")
                % {"value": _echo(value)},
            )
        )
    elif not YEAR_MIN <= day.year <= YEAR_MAX:
        errors.append(
            _error(
                column,
                _("Give a date between the years %(first)s and %(last)s.")
                % {"first": YEAR_MIN, "last": YEAR_MAX},
            )
        )
        day = None
    return day


def _whole(column: str, value: str, low: int, high: int, errors: list) -> int | None:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None
    if number is None or not low <= number <= high:
        errors.append(
            _error(
                column,
                _("“%(value)s” is not a whole number from %(low)s to %(high)s.")
                % {"value": _echo(value), "low": low, "high": high},
            )
        )
        return None
    return number


def parse(params: Mapping[str, list[str]], *, paging: bool = True) -> RegisterQuery:
    """A ``RegisterQuery`` from a query string given as lists of values (``QueryDict.lists()``
    as a dict). An empty value is no filter (a form sends every field). Unknown parameters,
    repeated ones and bad values are refused together, each with its message."""
    allowed = FILTERS + PAGING if paging else FILTERS
    errors: list[FieldError] = []
    values: dict[str, str] = {}
    for key, given in params.items():
        if key not in allowed:
            errors.append(
                _error(
                    _echo(key),
                    _("Unknown parameter “%(name)s”; the register takes: %(allowed)s.")
                    % {"name": _echo(key), "allowed": ", ".join(allowed)},
                )
            )
            continue
        given = [value for value in given if value != ""]
        if len(given) > 1:
            errors.append(_error(key, _("Give %(name)s once.") % {"name": key}))
        elif given:
            values[key] = given[0]
    fields: dict[str, object] = {}
    if "q" in values:
        try:
            fields["words"], fields["short_words"] = search_words(values["q"])
            fields["q"] = values["q"].strip()
        except InvalidRegisterQuery as exc:
            errors.extend(exc.errors)
    if "class" in values:
        fields["determined_class"] = _choice("class", values["class"], CLASSES, errors)
    if "label" in values:
        label = values["label"].lower()
        if label in LABEL_VALUES:
            fields["label"] = LABEL_VALUES[label]
        else:
            _choice("label", values["label"], tuple(LABEL_VALUES), errors)
    if "family" in values:
        fields["family"] = _choice("family", values["family"], FAMILIES, errors)
    if "status" in values:
        fields["status"] = _choice("status", values["status"], STATUSES, errors)
    for key in ("issued_from", "issued_to"):
        if key in values:
            fields[key] = _date(key, values[key], errors)
    start, end = fields.get("issued_from"), fields.get("issued_to")
    if start and end and start > end:
        errors.append(_error("issued_to", _("The last issue date is before the first.")))
    if "sort" in values:
        sorts = tuple(f"{sign}{key}" for key in SORTS for sign in ("", "-"))
        fields["sort"] = _choice("sort", values["sort"], sorts, errors) or DEFAULT_SORT
    if "page_size" in values:
        fields["page_size"] = _whole("page_size", values["page_size"], 1, PAGE_SIZE_MAX, errors)
    size = fields.get("page_size") or PAGE_SIZE
    if "page" in values:
        last = max(1, DEPTH_MAX // size)
        page = _whole("page", values["page"], 1, last, errors)
        digits = values["page"].isascii() and values["page"].isdigit()
        if page is None and digits and int(values["page"][:12]) > last:
            errors[-1] = _error(
                "page",
                _(
                    "Pages reach the first %(depth)s certificates of a list (page %(last)s at "
                    "%(size)s a page); narrow the search or download the list."
                )
                % {"depth": f"{DEPTH_MAX:,}", "last": last, "size": size},
            )
        fields["page"] = page
    if errors:
        message = errors[0].message if len(errors) == 1 else " ".join(e.message for e in errors)
        raise InvalidRegisterQuery(message, errors=errors)
    return RegisterQuery(**{key: value for key, value in fields.items() if value is not None})
