"""Many certificates at once: up to ``BULK_MAX`` numbers answered in one query, numbers read
from a CSV upload, and the answer written back as a CSV file for the records.

Each number is answered as ``reports.verification.lookup`` answers one (STANDARD.md section 7),
with the same words for a number never issued and for a string that is not a number.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certification.csvfile import csv_lines
from certification.exceptions import InvalidInput
from reports.verification.lookup import (
    echo,
    is_well_formed,
    malformed_message,
    never_issued_message,
    normalise_number,
    public_certificates,
)

BULK_MAX = 1000
# A CSV of 1,000 numbers is about 20 kB; anything far larger is not a list of numbers.
CSV_MAX_BYTES = 256 * 1024


def verify_many(raws: list[object], *, lines: list[int] | None = None) -> dict[str, Any]:
    """Answer each of up to ``BULK_MAX`` numbers, in order, with one query for all of them.

    Every entry says what became of that line: ``found`` (with the certificate and its live
    status), ``never_issued`` or ``malformed``. ``lines`` are the file's line numbers when the
    numbers come from a CSV; otherwise entries are numbered from 1. ``checked_at`` is when the
    statuses were read (local time), for whoever files the answer away (``results_csv``).
    """
    if len(raws) > BULK_MAX:
        raise InvalidInput(
            _("Send at most %(max)s numbers at once; this request has %(count)s. Split the list.")
            % {"max": f"{BULK_MAX:,}", "count": f"{len(raws):,}"}
        )
    numbers = [normalise_number(raw) for raw in raws]
    found = public_certificates(n for n in numbers if is_well_formed(n))
    results = []
    summary: dict[str, int] = {}
    for index, (raw, number) in enumerate(zip(raws, numbers, strict=True)):
        line = lines[index] if lines is not None else index + 1
        certificate = found.get(number)
        if certificate is not None:
            outcome, status, message = "found", certificate["status"], certificate["statement"]
        elif is_well_formed(number):
            outcome, status, message = "never_issued", None, never_issued_message(number)
        else:
            outcome, status, message, number = "malformed", None, malformed_message(raw), None
        summary[status or outcome] = summary.get(status or outcome, 0) + 1
        results.append(
            {
                "line": line,
                "input": raw if isinstance(raw, str) else echo(raw),
                "number": number,
                "outcome": outcome,
                "status": status,
                "message": message,
                "certificate": certificate,
            }
        )
    checked_at = timezone.localtime().isoformat(timespec="seconds")
    return {"count": len(results), "summary": summary, "checked_at": checked_at, "results": results}


# --- CSV upload -------------------------------------------------------------------------------


def _csv_text(data: bytes) -> str:
    if b"\x00" in data:
        raise InvalidInput(_("This file is not a text file. Upload a CSV with one number a line."))
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in a Chinese locale saves CSV as GB18030
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("This file is not UTF-8 text. Upload a CSV with one number a line."))


def numbers_from_csv(data: bytes) -> tuple[list[str], list[int]]:
    """The numbers of a CSV upload (first column, one a line, header optional) and their lines.

    Blank lines are skipped; a first line with no digit in it is taken as a header.
    """
    if len(data) > CSV_MAX_BYTES:
        raise InvalidInput(
            _("This file is too large for a list of numbers (at most %(kb)s kB).")
            % {"kb": CSV_MAX_BYTES // 1024}
        )
    text = _csv_text(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        message = _("This file cannot be read as CSV: %(error)s") % {"error": exc}
        raise InvalidInput(message) from None
    numbers: list[str] = []
    lines: list[int] = []
    for line, row in enumerate(rows, start=1):
        cell = next((c.strip() for c in row if c.strip()), "")
        if not cell:
            continue
        if not lines and line == 1 and not any(ch.isdigit() for ch in cell):
            continue  # a header such as "number" or "证书编号"
        numbers.append(cell)
        lines.append(line)
    if not numbers:
        raise InvalidInput(_("This file has no certificate numbers in it."))
    if len(numbers) > BULK_MAX:
        raise InvalidInput(
            _("This file has %(count)s numbers; check at most %(max)s at once.")
            % {"count": f"{len(numbers):,}", "max": f"{BULK_MAX:,}"}
        )
    return numbers, lines


# --- CSV download -----------------------------------------------------------------------------


def results_csv(answer: dict[str, Any]) -> bytes:
    """The answer of ``verify_many`` as a CSV file for the records, one row per line checked.

    The header and the statement are in the active language; ``outcome`` and ``status`` are the
    API's codes (``found``, ``revoked``...), so files in either language sort and filter alike.
    UTF-8 with a byte-order mark: without it Excel in a Chinese locale reads a CSV as GB18030.
    A text cell that a spreadsheet would run as a formula gets a leading apostrophe.
    """
    chinese = (get_language() or "").startswith("zh")
    header = [
        _("Line"),
        _("Input"),
        _("Certificate number"),
        _("Outcome"),
        _("Status"),
        _("Statement"),
        _("Holder"),
        _("Product model"),
        _("Class"),
        _("Expires on"),
        _("Checked at"),
    ]
    rows = []
    for result in answer["results"]:
        certificate = result["certificate"] or {}
        product_class = certificate.get("determined_class") or {}
        row = [
            result["line"],
            result["input"],
            result["number"],
            result["outcome"],
            result["status"],
            result["message"],
            (certificate.get("holder") or {}).get("name"),
            (certificate.get("product") or {}).get("model_number"),
            product_class.get("name_zh" if chinese else "name_en"),
            certificate.get("expires_on"),
            answer["checked_at"],
        ]
        rows.append(row)
    return b"".join(csv_lines(header, rows))


def results_csv_name(answer: dict[str, Any]) -> str:
    """The download's file name: when it was checked, so files of several checks sort by date."""
    stamp = re.sub(r"[^0-9T]", "", answer["checked_at"][:19])
    return f"verification-{stamp}.csv"
