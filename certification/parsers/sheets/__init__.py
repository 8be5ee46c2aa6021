"""Result sheets: the numbers a lab reports, one row per sample (STANDARD.md section 6).

Pure: bytes in, frozen dataclasses out. No settings, no ORM, no file I/O. The format (CSV, XLSX or
JSON) is sniffed from the bytes, never from a file name. Every problem in a sheet is collected (up
to ``errors.ERROR_CAP``) and raised together as ``SheetRejected``, so a lab fixes a file in one
round.

Where things are: ``parse`` (``parse_sheet``, the entry point), ``columns`` (each kind's columns,
``COLUMNS``), ``readers`` (CSV in UTF-8 or GB18030, XLSX, JSON), ``values`` (one cell to its
typed value), ``validate`` (header, cells, rows, repeated samples), ``errors`` (``CellError``,
``SheetRejected``), ``messages`` (every message template, marked for translation) and
``templates`` (the downloadable templates).
"""
