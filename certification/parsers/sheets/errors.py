"""How a sheet is refused: every problem as a ``CellError``, all raised together as
``SheetRejected`` (up to ``ERROR_CAP``, then one "and N more"), so a lab fixes a file in one round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from certification.parsers.sheets.messages import MSG_MORE

# At most this many errors are listed; the rest are summed up in one final "and N more" entry.
ERROR_CAP = 200

MB = 1024 * 1024


@dataclass(frozen=True)
class CellError:
    """One problem in a sheet. ``row`` is the row a spreadsheet shows (header = 1)."""

    row: int | None
    column: str | None
    message: str
    # For translation by the Django layer; not part of equality.
    template: str = field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class SheetRejected(ValueError):
    """The sheet cannot be accepted; ``errors`` lists every problem found (capped)."""

    def __init__(self, errors: Iterable[CellError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0].message if self.errors else "rejected"
        more = f" (+{len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first}{more}")


class Invalid(Exception):
    """Raised by a converter for a bad cell; never escapes the sheets package."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template)
        self.template = template
        self.params = params


def error(row: int | None, column: str | None, template: str, /, **params: object) -> CellError:
    str_params = {key: str(value) for key, value in params.items()}
    return CellError(
        row=row,
        column=column,
        message=template % str_params,
        template=template,
        params=tuple(str_params.items()),
    )


class ErrorLog:
    def __init__(self) -> None:
        self.items: list[CellError] = []
        self.dropped = 0

    def add(self, row: int | None, column: str | None, template: str, /, **params: object) -> None:
        if len(self.items) < ERROR_CAP:
            self.items.append(error(row, column, template, **params))
        else:
            self.dropped += 1

    def raise_if_any(self) -> None:
        if not self.items:
            return
        errors = list(self.items)
        if self.dropped:
            errors.append(error(None, None, MSG_MORE, count=self.dropped))
        raise SheetRejected(errors)


def reject(template: str, /, **params: object) -> SheetRejected:
    return SheetRejected([error(None, None, template, **params)])


def show(raw: str) -> str:
    """A user's value as quoted back in a message, cut short so a message stays a sentence."""
    return raw if len(raw) <= 40 else raw[:39] + "…"


def format_mb(n_bytes: int) -> str:
    megabytes = n_bytes / MB
    return f"{megabytes:.0f}" if megabytes >= 100 else f"{megabytes:.3g}"
