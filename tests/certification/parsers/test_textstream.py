"""The text layer under the cycler and chamber parsers: encoding, binary refusal, bounded lines."""

from __future__ import annotations

import codecs
import io

import pytest

from certification.parsers.errors import RawDataRejected
from certification.parsers.textstream import (
    MAX_LINE_CHARS,
    LineSource,
    guess_delimiter,
    open_text_stream,
    sniff_text_encoding,
    split_line,
)
from tests.certification.parsers.streams import GeneratedStream

ACCEPTED = "what the test accepts"


def lines_of(data: bytes) -> LineSource:
    text, encoding = open_text_stream(io.BytesIO(data), accepted=ACCEPTED)
    return LineSource(text, encoding)


def rejection(data: bytes) -> RawDataRejected:
    with pytest.raises(RawDataRejected) as caught:
        open_text_stream(io.BytesIO(data), accepted=ACCEPTED)
    return caught.value


@pytest.mark.parametrize(
    ("prefix", "latin1_first", "encoding"),
    [
        (codecs.BOM_UTF8 + b"a,b\n", False, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le"), False, "utf-16"),
        ("时间,电压\n".encode(), False, "utf-8"),
        ("时间,电压\n".encode()[:-2], False, "utf-8"),  # cut inside a character
        ("时间,电压\n".encode("gb18030"), False, "gb18030"),
        ("Cs : 10 µF\n".encode("latin-1"), False, "gb18030"),
        ("Cs : 10 µF\n".encode("latin-1"), True, "latin-1"),
        (b"\xff\xff\xff", False, "latin-1"),
    ],
)
def test_it_sniffs_the_encoding_from_the_first_bytes(prefix, latin1_first, encoding):
    assert sniff_text_encoding(prefix, latin1_first=latin1_first) == encoding


def test_a_marker_makes_a_non_utf8_file_latin1():
    data = "EC-Lab ASCII FILE\nCs : 10 µF\n".encode("latin-1")

    text, encoding = open_text_stream(
        io.BytesIO(data), accepted=ACCEPTED, latin1_markers=(b"EC-Lab ASCII FILE",)
    )

    assert encoding == "latin-1"
    assert text.read() == data.decode("latin-1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b" \n\r\n\t", "The file is empty."),
        (b"PK\x03\x04rest", "This is a ZIP container (an .xlsx workbook or an archive), a binary"),
        (b"%PDF-1.7", "This is a PDF document, a binary file."),
        (b"a,b\x00c\n", "This is not a text file, a binary file."),
    ],
)
def test_it_refuses_empty_and_binary_files_naming_what_is_accepted(data, message):
    error = rejection(data)

    assert error.message.startswith(message)
    if "binary" in message:
        assert f"Accepted are text exports: {ACCEPTED}." in error.message


def test_it_counts_lines_and_gives_back_a_line_read_ahead():
    lines = lines_of(b"one\ntwo\r\nthree")

    assert (lines.readline(), lines.line_no) == ("one\n", 1)
    second = lines.readline()
    lines.unread(second)
    assert lines.line_no == 1
    assert (lines.readline(), lines.readline(), lines.line_no) == ("two\r\n", "three", 3)
    assert lines.readline() == ""


def test_only_blank_lines_left_leaves_a_non_blank_line_to_read():
    lines = lines_of(b"head\n\n  \nmore\n")
    lines.readline()

    assert lines.only_blank_lines_left() is False
    assert lines.readline() == "more\n"
    assert lines.only_blank_lines_left() is True


def test_it_refuses_a_line_longer_than_the_limit_naming_it():
    lines = lines_of(b"head\n" + b"1" * (MAX_LINE_CHARS + 10))
    lines.readline()

    with pytest.raises(RawDataRejected) as caught:
        lines.readline()

    assert caught.value.line == 2
    assert caught.value.message == (
        f"Line 2 is longer than {MAX_LINE_CHARS} characters; this is not a cycler text export."
    )


def test_iterating_refuses_a_long_line_too():
    lines = lines_of(b"head\n" + b"1" * (MAX_LINE_CHARS + 10))

    with pytest.raises(RawDataRejected, match="A line is longer than"):
        list(lines)


def test_it_reports_bytes_that_stop_decoding_after_the_prefix():
    data = b"a,b\n" * 20_000 + b"\xff\xfe\n"  # valid UTF-8 for the first 64 kB
    lines = lines_of(data)

    with pytest.raises(RawDataRejected) as caught:
        while lines.readline():
            pass

    assert caught.value.message.startswith("The file is not utf-8 text throughout")


def test_it_reads_nothing_beyond_the_prefix_until_asked():
    served = []

    def chunks():
        for k in range(100):
            served.append(k)
            yield b"x" * 1024 + b"\n"

    open_text_stream(GeneratedStream(chunks()), accepted=ACCEPTED)

    assert len(served) <= 65  # 64 kB of 1 kB lines, and one more that ends the prefix


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a;b,c;d", ";"),
        ("a,b;c,d", ","),
        ("a\tb,c,d", "\t"),
        ("abc", ","),
    ],
)
def test_it_guesses_the_delimiter_of_a_header_line(line, delimiter):
    assert guess_delimiter(line) == delimiter


def test_it_splits_a_line_honouring_quotes():
    assert split_line('a,"b,c",d', ",") == ["a", "b,c", "d"]
    assert split_line("", ",") == []
