"""Checking a read sheet against its kind's columns: the header (missing, unknown, repeated
columns), every cell (``values``), checks across a row's cells, and repeated samples.
Every problem is logged with its row and column; rows without a problem are returned typed.
"""

from __future__ import annotations

from datetime import date

from certification.parsers.sheets.columns import (
    COLUMNS,
    HEADERS_ZH,
    SheetColumn,
    column_named,
    normalise_name,
)
from certification.parsers.sheets.errors import ErrorLog, Invalid, show
from certification.parsers.sheets.messages import (
    MSG_BLANK,
    MSG_DUPLICATE_COLUMN,
    MSG_DUPLICATE_SAFETY_SAMPLE,
    MSG_DUPLICATE_SAMPLE,
    MSG_FUTURE_DATE,
    MSG_HEADERLESS_VALUES,
    MSG_MASS_AFTER_GREATER,
    MSG_MISSING_COLUMN,
    MSG_TOO_MANY_VALUES,
    MSG_UNKNOWN_COLUMN,
)
from certification.parsers.sheets.readers import Table, is_blank
from certification.parsers.sheets.values import convert


def _map_header(
    kind: str, table: Table, errors: ErrorLog
) -> tuple[dict[int, SheetColumn], dict[str, str]]:
    """Which column each header cell names (English name or Chinese header), and how messages
    name each column: as the sheet does, so a Chinese sheet's messages quote its own headers."""
    mapping: dict[int, SheetColumn] = {}
    found = [(index, raw, column_named(kind, raw)) for index, raw in enumerate(table.header)]
    chinese = any(match is not None and match[1] for _index, _raw, match in found)
    shown = {c.name: HEADERS_ZH[c.name] if chinese else c.name for c in COLUMNS[kind]}
    seen: set[str] = set()
    for index, raw, match in found:
        if not normalise_name(raw):
            continue  # a column without a header is an error only if it holds values
        if match is None:
            written = show(raw.strip().lstrip("\ufeff"))
            errors.add(
                table.header_row,
                written,
                MSG_UNKNOWN_COLUMN,
                column=written,
                kind=kind,
                expected=", ".join(shown.values()),
            )
            continue
        column = match[0]
        if column.name in seen:
            errors.add(
                table.header_row, column.name, MSG_DUPLICATE_COLUMN, column=shown[column.name]
            )
        else:
            mapping[index] = column
        seen.add(column.name)
    # A JSON sheet without records has no header at all; "no sample rows" says it better.
    for column in COLUMNS[kind] if table.header else ():
        if column.required and column.name not in seen:
            errors.add(table.header_row, column.name, MSG_MISSING_COLUMN, column=shown[column.name])
    return mapping, shown


def _check_row(
    kind: str,
    row_no: int,
    values: dict,
    raws: dict,
    errors: ErrorLog,
    today: date | None,
    shown: dict[str, str],
) -> bool:
    """Checks that involve more than one cell of a row, or the day of the upload. Returns False
    when one fails."""
    tested_on = values.get("test_date")
    if today is not None and isinstance(tested_on, date) and tested_on > today:
        errors.add(
            row_no,
            "test_date",
            MSG_FUTURE_DATE,
            column=shown["test_date"],
            value=show(raws["test_date"]),
            today=today.isoformat(),
        )
        return False
    if kind == "weight_loss":
        before, after = values.get("mass_before_g"), values.get("mass_after_g")
        if before is not None and after is not None and after > before:
            errors.add(
                row_no,
                "mass_after_g",
                MSG_MASS_AFTER_GREATER,
                after=show(raws["mass_after_g"]),
                before=show(raws["mass_before_g"]),
            )
            return False
    return True


def validate(
    kind: str, table: Table, errors: ErrorLog, today: date | None = None
) -> list[tuple[int, dict]]:
    """The rows of ``table`` that pass every check, typed, each with its row number; the problems
    go to ``errors``. With ``today`` (an upload), a test date after it is refused."""
    mapping, shown = _map_header(kind, table, errors)
    columns = COLUMNS[kind]
    width = len(table.header)
    headerless = [i for i, raw in enumerate(table.header) if not normalise_name(raw)]
    headerless_reported: set[int] = set()
    first_seen: dict[tuple[str, ...], int] = {}
    rows: list[tuple[int, dict]] = []

    for row_no, cells in table.records:
        row_ok = True
        extra = cells[width:]
        if not is_blank(extra):
            errors.add(row_no, None, MSG_TOO_MANY_VALUES, count=len(cells), columns=width)
            row_ok = False
        for index in headerless:
            if index not in headerless_reported and index < len(cells):
                cell = cells[index]
                if cell is not None and cell.strip():
                    headerless_reported.add(index)
                    errors.add(row_no, None, MSG_HEADERLESS_VALUES, position=index + 1)

        values: dict[str, object] = {column.name: None for column in columns}
        raws: dict[str, str] = {}
        for index, column in mapping.items():
            cell = cells[index] if index < len(cells) else ""
            if cell is None:  # already reported by the reader
                row_ok = False
                continue
            raw = cell.strip()
            if not raw:
                if column.required:
                    errors.add(row_no, column.name, MSG_BLANK, column=shown[column.name])
                    row_ok = False
                continue
            try:
                values[column.name] = convert(column, raw)
            except Invalid as problem:
                errors.add(
                    row_no,
                    column.name,
                    problem.template,
                    column=shown[column.name],
                    value=show(raw),
                    **problem.params,
                )
                row_ok = False
                continue
            raws[column.name] = raw

        row_ok = _check_row(kind, row_no, values, raws, errors, today, shown) and row_ok

        sample_id = values.get("sample_id")
        if isinstance(sample_id, str):
            # Case-insensitive: "s1" and "S1" on one sheet are almost surely the same cell.
            key: tuple[str, ...] = (sample_id.casefold(),)
            test = values.get("test")
            if kind == "safety":
                key = (str(test), *key) if isinstance(test, str) else ()
            if key and key in first_seen:
                if kind == "safety":
                    errors.add(
                        row_no,
                        "sample_id",
                        MSG_DUPLICATE_SAFETY_SAMPLE,
                        sample_id=show(sample_id),
                        test=test,
                        first_row=first_seen[key],
                    )
                else:
                    errors.add(
                        row_no,
                        "sample_id",
                        MSG_DUPLICATE_SAMPLE,
                        sample_id=show(sample_id),
                        first_row=first_seen[key],
                    )
                row_ok = False
            elif key:
                first_seen[key] = row_no
        if row_ok:
            rows.append((row_no, values))
    return rows
