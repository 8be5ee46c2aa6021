"""Reading a file someone sends to be checked, in memory only and at most a fixed size of it.

Django's default upload handlers keep a file in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``
and write anything larger to a temporary file; a check must write nothing to disk, and must not
hold an unbounded upload either. ``FirstFileInMemory`` keeps the first file of one form field,
at most ``max_bytes + 1`` bytes of it (one byte more than allowed is enough to say the file is
too large), and reads the rest of the request and drops it.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, MultiPartParser

from reports.verification import bulk


class FirstFileInMemory(FileUploadHandler):
    """Keeps the first file sent in ``field_name``, up to ``max_bytes + 1`` bytes, in memory;
    every other file, and the rest of that one, is read and dropped."""

    def __init__(self, request=None, *, field_name: str, max_bytes: int) -> None:
        super().__init__(request)
        self.wanted_field = field_name
        self.max_bytes = max_bytes
        self.kept = False

    def new_file(self, field_name, *args, **kwargs):
        if field_name != self.wanted_field or self.kept:
            raise SkipFile
        super().new_file(field_name, *args, **kwargs)
        self.file = io.BytesIO()  # the name Django's parser closes on an interrupted upload

    def receive_data_chunk(self, raw_data, start):
        room = self.max_bytes + 1 - self.file.tell()
        if room > 0:
            self.file.write(raw_data[:room])
        return None

    def file_complete(self, file_size):
        self.kept = True
        # Let go of it: Django's parser closes ``handler.file`` when it skips a later file.
        kept = self.file
        del self.file
        kept.seek(0)
        return InMemoryUploadedFile(
            file=kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=kept.getbuffer().nbytes,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def keep_in_memory(request, *, field_name: str, max_bytes: int) -> None:
    """Make ``request`` (a Django request whose body has not been read) read its upload with
    ``FirstFileInMemory``."""
    request.upload_handlers = [
        FirstFileInMemory(request, field_name=field_name, max_bytes=max_bytes)
    ]


class FirstFileInMemoryParser(MultiPartParser):
    """DRF's multipart parser with ``FirstFileInMemory`` as the only upload handler; a
    subclass sets ``field_name`` and ``max_bytes``."""

    field_name = "file"
    max_bytes = 0

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = {**request.META, "CONTENT_TYPE": media_type}
        handlers = [FirstFileInMemory(field_name=self.field_name, max_bytes=self.max_bytes)]
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = DjangoMultiPartParser(meta, stream, handlers, encoding).parse()
        except MultiPartParserError as exc:
            raise ParseError(
                _("The request is not readable multipart form data: %(error)s") % {"error": exc}
            ) from None
        return DataAndFiles(data, files)


def numbers_in_csv_upload(upload) -> tuple[list[str], list[int]]:
    """The numbers of an uploaded CSV and their lines (``bulk.numbers_from_csv``),
    reading one byte more than allowed at most: enough to say the file is too large."""
    return bulk.numbers_from_csv(upload.read(bulk.CSV_MAX_BYTES + 1))


def document_bytes(upload, pasted: object) -> bytes | None:
    """The certificate file sent, else the credential's pasted text, as bytes; None when
    neither came."""
    if upload is not None:
        return upload.read()
    if isinstance(pasted, str) and pasted.strip():
        return pasted.encode()
    return None
