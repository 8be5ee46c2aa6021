"""parse_sheet as a whole: size and row limits, programming mistakes, speed."""

import datetime
import json
import time

import pytest

from certification.parsers.sheets.errors import SheetRejected
from certification.parsers.sheets.parse import parse_sheet
from tests.certification.parsers.sheets.helpers import (
    EXPECTED_COLUMNS,
    LIMITS,
    VALID,
    only_error,
    parse,
    sheet,
    xlsx_bytes,
)


def test_it_rejects_input_over_max_bytes_stating_the_limit_in_mb():
    data = sheet("electrolyte_content", *({"sample_id": f"S-{i}"} for i in range(400)))
    error = only_error("electrolyte_content", data, max_bytes=len(data) - 1)
    assert "the limit is" in error.message
    error = only_error("electrolyte_content", b"x" * (3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    assert error.message == "The file is 3.0 MB; the limit is 2 MB."


def test_it_rejects_more_rows_than_max_rows():
    data = sheet("electrolyte_content", *({"sample_id": f"S-{i}"} for i in range(11)))
    assert len(parse("electrolyte_content", data, max_rows=11).rows) == 11
    error = only_error("electrolyte_content", data, max_rows=10)
    assert error.message == "The sheet has more than 10 sample rows; split it into several files."


def test_it_counts_only_sample_rows_against_max_rows_in_every_format():
    rows = [[f"EC-{i}", 3, datetime.date(2026, 7, 2)] for i in range(6)]
    data = xlsx_bytes(EXPECTED_COLUMNS["electrolyte_content"], *rows)
    assert "more than 5 sample rows" in only_error("electrolyte_content", data, max_rows=5).message
    records = [{**VALID["electrolyte_content"], "sample_id": f"S-{i}"} for i in range(6)]
    data = json.dumps(records).encode()
    assert "more than 5 sample rows" in only_error("electrolyte_content", data, max_rows=5).message


@pytest.mark.parametrize(
    ("kind", "limits"),
    [("weight", LIMITS), ("safety", {"max_bytes": 0, "max_rows": 1})],
)
def test_programming_mistakes_raise_value_error_not_a_rejection(kind, limits):
    with pytest.raises(ValueError) as caught:
        parse_sheet(kind, b"x", **limits)
    assert not isinstance(caught.value, SheetRejected)


def test_it_parses_a_thousand_row_csv_well_under_100_ms():
    rows = [{"sample_id": f"WL-{i}"} for i in range(1000)]
    data = sheet("weight_loss", *rows)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        parsed = parse("weight_loss", data, max_rows=1000)
        timings.append(time.perf_counter() - start)
    assert len(parsed.rows) == 1000
    assert min(timings) < 0.1
