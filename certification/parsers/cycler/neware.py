"""Neware CSV exports (BTSDA), English or Chinese headers, A or mA.

Flat exports have one row per record: ``Record ID``/``数据序号``, ``Cycle Index``/``循环号``,
``Step Index``/``工步号``, ``Step Type``/``工步类型`` (its words give the current's sign),
``Total Time``/``总时间``, ``Current(mA)``/``电流(mA)``, ``Voltage(V)``/``电压(V)``. Without a
total-time column the step time (which restarts at each step) is accumulated across steps, and
failing that the date-and-time column is used (1 s resolution).

The three-level "regular export" has three header lines: cycle rows (first field filled), step
rows (first field empty, step number and step type), and record rows (two empty fields, then the
data). The records are read with the step number and type of the step row above them.
"""

from __future__ import annotations

from collections.abc import Iterator

from certification.parsers.cycler.columns import Column, Layout, Vendor, column
from certification.parsers.textstream import LineSource, split_line

VENDOR = Vendor(
    "neware",
    test_time=("totaltime", "cumulativetime", "testtime", "总时间", "累计时间", "测试时间"),
    voltage=("voltage", "电压", "实际电压"),
    current=("current", "电流", "实际电流"),
    step=("stepnumber", "stepindex", "stepid", "step", "工步号", "工步序号", "步次", "工步"),
    cycle=("cycleindex", "cycleid", "cycle", "循环号", "循环序号", "循环"),
    state=("steptype", "status", "工步类型", "工步状态", "状态"),
    step_time=("time", "steptime", "relativetime", "时间", "相对时间", "工步时间"),
    clock=("date", "realtime", "absolutetime", "datetime", "日期", "绝对时间", "系统时间"),
)
_ROW_ID = {"datapoint", "recordid", "recordindex", "数据序号", "记录序号"}
_HIERARCHY_TOP = {"cycleindex", "cycleid", "循环号", "循环序号"}


LOOKED_FOR = (
    "Neware (DataPoint or Record ID or 数据序号, or Total Time with Step Index, and Current or "
    "Voltage; or 电流, 电压)"
)
_TOTAL_TIME = {"totaltime", "cumulativetime"}


def recognises(names: set[str], columns: list[Column]) -> bool:
    """A Chinese current or voltage label, or a current or voltage with a record counter (or, as
    the .xlsx export may have instead, a total time and a step index)."""
    has_cjk = any("电流" in c.name or "电压" in c.name for c in columns)
    counter = names & _ROW_ID or (names & _TOTAL_TIME and "stepindex" in names)
    return bool(has_cjk or (counter and names & {"current", "voltage"}))


def may_start_hierarchy(columns: list[Column]) -> bool:
    """A header line that may be the cycle line of a regular export."""
    return len(columns) > 1 and columns[0].name in _HIERARCHY_TOP


def read_hierarchy_header(lines: LineSource, delimiter: str) -> Layout | None:
    """The two header lines after a Neware "Cycle Index" line, or None (and nothing consumed)."""
    step_line = lines.readline()
    record_line = lines.readline()
    step_fields = split_line(step_line.rstrip("\r\n"), delimiter)
    record_fields = split_line(record_line.rstrip("\r\n"), delimiter)
    if (
        len(step_fields) < 2
        or step_fields[0]
        or not step_fields[1]
        or len(record_fields) < 3
        or record_fields[0]
        or record_fields[1]
        or not record_fields[2]
    ):
        lines.unread(record_line)
        lines.unread(step_line)
        return None
    return Layout(
        VENDOR,
        delimiter,
        lines.line_no,
        [column(i, label) for i, label in enumerate(record_fields)],
        hierarchical=True,
        step_columns=[column(i, label) for i, label in enumerate(step_fields)],
    )


def hierarchy_rows(
    rows: Iterator[list[str]], width: int, step_index: int, state_index: int | None
) -> Iterator[list[str]]:
    """Neware regular export: the record rows, each padded to ``width`` fields and tagged with
    the step number and step type of the step row above it (at ``width`` and ``width + 1``).
    Cycle and step summary rows come out empty, so the caller counts them as non-data lines."""
    step, state = "", ""
    for row in rows:
        if not any(row):
            yield row
            continue
        if row[0]:
            yield []  # a cycle summary row: no data, like a blank line
            continue
        if len(row) > 1 and row[1]:  # a step summary row
            step = row[step_index] if step_index < len(row) else ""
            state = row[state_index] if state_index is not None and state_index < len(row) else ""
            yield []
            continue
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        elif len(row) > width:
            del row[width:]
        row.append(step)
        row.append(state)
        yield row
