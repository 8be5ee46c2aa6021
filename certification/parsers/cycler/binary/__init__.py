"""Binary cycler files: BioLogic .mpr, Neware .ndax, and .xlsx workbooks (Neware, Arbin).

Told apart by their first bytes, and a ZIP container by its members; never by the file's name
(``sniff``). Each reader turns the file into numpy columns (seconds, volts, amperes with
discharge negative, the step) and hands them to ``columnar.summarise_columns``, so a binary file
is summarised by the same rules as a text export; the main discharge must then deliver energy
(``checks.check_main_discharge``). Other binary files (old .xls, Arbin .res, Parquet, HDF5, PDF,
other archives) are refused naming what they are.

Libraries (their licences matter to whoever ships the portal):

* ``.mpr``: galvani (GPL-3.0-or-later), ``BioLogic.MPRfile`` over the stream.
* ``.ndax``: fastnda (BSD-3-Clause) decodes the ``.ndc`` members, which we inflate ourselves
  from a container checked against zip bombs (``zipguard``).
* ``.xlsx``: openpyxl (MIT) in read-only mode, streaming the sheet's rows, after the same check.
"""

from __future__ import annotations

from typing import BinaryIO

from certification.parsers.cycler.binary.zipguard import ZipLimits, names, open_zip
from certification.parsers.cycler.columnar import Progress
from certification.parsers.cycler.messages import MSG_BINARY_OTHER, MSG_ZIP_OTHER
from certification.parsers.cycler.summary import ACCEPTED_FORMATS, CyclerSummary
from certification.parsers.errors import RawDataRejected

MPR_MAGIC = b"BIO-LOGIC MODULAR FILE"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a ZIP container; an empty one
# Binary files we do not read, by their first bytes, as the refusal names them.
OTHER_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls (or other OLE) file"),
    (b"\x00\x01\x00\x00Standard Jet DB", "an Arbin .res (Access) database"),
    (b"\x00\x01\x00\x00Standard ACE DB", "an Arbin .res (Access) database"),
    (b"PAR1", "a Parquet file"),
    (b"\x89HDF", "an HDF5 file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
SNIFF_BYTES = 64


def sniff(stream: BinaryIO) -> bytes | None:
    """The first bytes of a binary file this package handles (read, or refuse by name), the
    stream left where it was; None for anything else, and for a stream that cannot seek back
    (the text reader then refuses binary content itself)."""
    try:
        if not stream.seekable():
            return None
        start = stream.tell()
        head = stream.read(SNIFF_BYTES)
        stream.seek(start)
    except (AttributeError, OSError):
        return None
    if head.startswith(MPR_MAGIC) or head.startswith(ZIP_MAGIC):
        return head
    if any(head.startswith(magic) for magic, _ in OTHER_MAGIC):
        return head
    return None


def summarise_binary(
    stream: BinaryIO,
    head: bytes,
    *,
    progress: Progress | None = None,
    max_duration_s: float | None = None,
    zip_limits: ZipLimits | None = None,
) -> CyclerSummary:
    """Summarise a binary file that ``sniff`` recognised (``head``: its first bytes)."""
    # Imported here: each reader pulls in its library (galvani, fastnda and polars, openpyxl),
    # which a worker that only ever sees text exports never needs to load.
    if head.startswith(MPR_MAGIC):
        from certification.parsers.cycler.binary import mpr

        return mpr.summarise(stream, progress=progress, max_duration_s=max_duration_s)
    if head.startswith(ZIP_MAGIC):
        archive = open_zip(stream, "zip", zip_limits or ZipLimits())
        members = names(archive)
        if "xl/workbook.xml" in members:
            from certification.parsers.cycler.binary import xlsx

            archive.close()
            return xlsx.summarise(stream, progress=progress, max_duration_s=max_duration_s)
        if any(name.lower().endswith(".ndc") for name in members):
            from certification.parsers.cycler.binary import ndax

            return ndax.summarise(archive, progress=progress, max_duration_s=max_duration_s)
        shown = ", ".join(sorted(members)[:5]) + (", …" if len(members) > 5 else "")
        raise RawDataRejected(
            MSG_ZIP_OTHER, {"members": shown or "nothing", "accepted": ACCEPTED_FORMATS}
        )
    what = next(text for magic, text in OTHER_MAGIC if head.startswith(magic))
    raise RawDataRejected(MSG_BINARY_OTHER, {"what": what, "accepted": ACCEPTED_FORMATS})
