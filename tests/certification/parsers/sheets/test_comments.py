"""Comment lines before the header ("# ..."), as the CSV templates carry the test conditions:
skipped, and counted like any line, so row numbers stay those of the file."""

from decimal import Decimal

from tests.certification.parsers.sheets.helpers import only_error, parse, xlsx_bytes


def test_comment_lines_before_the_header_are_skipped_whatever_they_hold():
    data = (
        "\ufeff# Test conditions: 120 ± 2 °C; at least 6 h, 'quoted'\n"
        "#no space, and; delimiters\t of every kind\n"
        "   # indented\n"
        "sample_id,liquid_electrolyte_pct,test_date\n"
        "EC-1,3.5,2026-07-02\n"
    ).encode()
    assert parse("electrolyte_content", data).rows[0]["liquid_electrolyte_pct"] == Decimal("3.5")


def test_the_delimiter_is_the_headers_not_the_comments():
    data = b"# a; b; c; d\nsample_id,liquid_electrolyte_pct,test_date\nEC-1,3.5,2026-07-02\n"
    assert parse("electrolyte_content", data).rows[0]["sample_id"] == "EC-1"


def test_rows_keep_their_line_numbers_after_comments():
    data = b"# one\n# two\nsample_id,liquid_electrolyte_pct,test_date\nEC-1,x,2026-07-02\n"
    error = only_error("electrolyte_content", data)
    assert (error.row, error.column) == (4, "liquid_electrolyte_pct")
    ok = b"# one\nsample_id,liquid_electrolyte_pct,test_date\n\nEC-1,3,2026-07-02\n"
    assert parse("electrolyte_content", ok).row_numbers == (4,)


def test_a_sample_id_starting_with_a_hash_after_the_header_is_a_row():
    data = b"sample_id,liquid_electrolyte_pct,test_date\n#7,3.5,2026-07-02\n"
    assert parse("electrolyte_content", data).rows[0]["sample_id"] == "#7"


def test_comment_rows_above_an_xlsx_header_are_skipped():
    data = xlsx_bytes(
        ["# conditions", None, None],
        ["sample_id", "liquid_electrolyte_pct", "test_date"],
        ["EC-1", 3.5, "2026-07-02"],
    )
    parsed = parse("electrolyte_content", data)
    assert parsed.rows[0]["sample_id"] == "EC-1" and parsed.row_numbers == (3,)


def test_a_file_of_comments_only_has_no_header():
    error = only_error("electrolyte_content", b"# nothing but a note\n")
    assert error.message == "The file is empty."
