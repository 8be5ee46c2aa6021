"""A ZIP container (.xlsx, .ndax) opened only after its directory passes the limits.

A zip bomb announces itself in the central directory: members whose uncompressed size is
enormous, or enormous against their compressed size, or very many members. All of that is read
before a single byte is inflated; the readers then inflate only the members they need, and
Python's ``zipfile`` never inflates a member beyond the size the directory gives it (and checks
its CRC at the end). So the limits here bound what any reader can be made to inflate.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from certification.parsers.cycler.messages import (
    MSG_ZIP_BAD,
    MSG_ZIP_MEMBERS,
    MSG_ZIP_RATIO,
    MSG_ZIP_TOO_LARGE,
)
from certification.parsers.errors import RawDataRejected

_MIB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """What a ZIP container may inflate to. Technical safety limits of the worker, not rule-set
    data: generous for real exports (an .xlsx sheet of 10 million rows inflates to a few GB of
    XML; Neware's .ndc members compress 3 to 10 times), fatal to a zip bomb (ratios of 1,000 and
    more, or terabytes declared)."""

    max_total_bytes: int = 4096 * _MIB
    max_ratio: float = 250.0
    max_members: int = 10_000


def open_zip(stream: BinaryIO, file_format: str, limits: ZipLimits) -> zipfile.ZipFile:
    """The container, its directory checked against ``limits``; ``RawDataRejected`` naming the
    member and the sizes otherwise. ``stream`` must be seekable."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise RawDataRejected(
            MSG_ZIP_BAD, {"detail": str(exc)[:200]}, file_format=file_format
        ) from None
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise RawDataRejected(
            MSG_ZIP_MEMBERS,
            {"count": f"{len(members):,}", "limit": f"{limits.max_members:,}"},
            file_format=file_format,
        )
    total = 0
    for member in members:
        total += member.file_size
        if total > limits.max_total_bytes:
            raise RawDataRejected(
                MSG_ZIP_TOO_LARGE,
                {"member": member.filename, "limit": f"{limits.max_total_bytes:,}"},
                file_format=file_format,
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _MIB and ratio > limits.max_ratio:
            raise RawDataRejected(
                MSG_ZIP_RATIO,
                {
                    "member": member.filename,
                    "size": f"{member.file_size:,}",
                    "compressed": f"{member.compress_size:,}",
                    "limit": f"{limits.max_ratio:g}",
                },
                file_format=file_format,
            )
    return archive


def names(archive: zipfile.ZipFile) -> set[str]:
    return {member.filename for member in archive.infolist()}


def read_member(archive: zipfile.ZipFile, name: str, file_format: str) -> bytes:
    """A member's bytes (bounded by the checked directory); a damaged member is refused."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise RawDataRejected(
            MSG_ZIP_BAD, {"detail": f"{name}: {str(exc)[:200]}"}, file_format=file_format
        ) from None
