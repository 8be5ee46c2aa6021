"""Every message template of the result-sheet parser, marked for translation.

``CellError`` carries the rendered English message plus the template and its parameters, so the
Django layer translates with ``gettext(error.template) % dict(error.params)``.
"""

from __future__ import annotations

from certification.vocabulary import gettext_noop

# File-level problems (row None, column None).
MSG_TOO_LARGE = gettext_noop("The file is %(size_mb)s MB; the limit is %(limit_mb)s MB.")
MSG_EMPTY = gettext_noop("The file is empty.")
MSG_NOT_A_SHEET = gettext_noop("This is not a CSV, XLSX or JSON file.")
MSG_PDF = gettext_noop("This is a PDF document, not a CSV, XLSX or JSON file.")
MSG_IMAGE = gettext_noop("This is an image, not a CSV, XLSX or JSON file.")
MSG_OLD_XLS = gettext_noop(
    "This is an old Excel .xls workbook, not a CSV, XLSX or JSON file; save it as .xlsx or CSV."
)
MSG_ZIP_NOT_XLSX = gettext_noop(
    "This is a ZIP archive but not an XLSX workbook, so not a CSV, XLSX or JSON file."
)
MSG_UTF16 = gettext_noop("This text file is in UTF-16; save it as CSV in UTF-8 or GB18030.")
MSG_BAD_ENCODING = gettext_noop(
    "The text is neither UTF-8 nor GB18030, so this is not a readable CSV file; "
    "save it as CSV in UTF-8."
)
MSG_ZIP_TOO_BIG = gettext_noop(
    "The workbook would expand to more than %(limit_mb)s MB when opened; it is refused as unsafe."
)
MSG_XLSX_UNREADABLE = gettext_noop(
    "The XLSX workbook could not be read; open it in a spreadsheet program and save it again."
)
MSG_BAD_JSON = gettext_noop(
    "The file is not valid JSON: %(detail)s (line %(line)s, column %(col)s)."
)
MSG_JSON_SHAPE = gettext_noop(
    'A JSON sheet must be a list of objects, or an object with a "rows" list '
    'and optionally a "kind".'
)
MSG_JSON_TOP_KEY = gettext_noop(
    'The JSON object has an unexpected key "%(key)s"; only "kind" and "rows" are allowed.'
)
MSG_JSON_KIND = gettext_noop(
    'The file is for kind "%(found)s" but was uploaded as a "%(expected)s" sheet.'
)
MSG_NO_ROWS = gettext_noop("The sheet has no sample rows.")
MSG_TOO_MANY_ROWS = gettext_noop(
    "The sheet has more than %(limit)s sample rows; split it into several files."
)
MSG_BAD_CSV = gettext_noop("The file could not be read as CSV: %(detail)s.")
MSG_MORE = gettext_noop("… and %(count)s more errors.")

# Header problems (row = the header's row, normally 1).
MSG_MISSING_COLUMN = gettext_noop("Required column %(column)s is missing.")
MSG_UNKNOWN_COLUMN = gettext_noop(
    'Unknown column "%(column)s"; a %(kind)s sheet has the columns: %(expected)s.'
)
MSG_DUPLICATE_COLUMN = gettext_noop("Column %(column)s appears more than once.")
MSG_HEADERLESS_VALUES = gettext_noop(
    "There are values in column %(position)s, which has no header; name the column or clear it."
)

# Row and cell problems.
MSG_TOO_MANY_VALUES = gettext_noop(
    "This row has %(count)s values but the header has only %(columns)s columns."
)
MSG_NOT_AN_OBJECT = gettext_noop("Record %(position)s is not a JSON object.")
MSG_NESTED_VALUE = gettext_noop("%(column)s must be a single value, not a list or an object.")
MSG_DUPLICATE_KEY = gettext_noop("Key %(column)s appears more than once in this record.")
MSG_BLANK = gettext_noop("%(column)s is required but blank.")
MSG_NOT_A_NUMBER = gettext_noop(
    "%(column)s (%(value)s) is not a number; write digits with a point as the decimal "
    "separator and no thousands separators."
)
MSG_NOT_FINITE = gettext_noop("%(column)s (%(value)s) must be a finite number.")
MSG_TOO_LARGE_NUMBER = gettext_noop(
    "%(column)s (%(value)s) is too large to compute with; numbers must lie within ±1.7e308."
)
MSG_BELOW_MIN = gettext_noop("%(column)s (%(value)s) must be at least %(limit)s.")
MSG_NOT_ABOVE_MIN = gettext_noop("%(column)s (%(value)s) must be greater than %(limit)s.")
MSG_ABOVE_MAX = gettext_noop("%(column)s (%(value)s) must be at most %(limit)s.")
MSG_NOT_BOOLEAN = gettext_noop(
    "%(column)s (%(value)s) is not a yes/no value; use yes/no, true/false, 1/0, y/n or 是/否."
)
MSG_NOT_A_DATE = gettext_noop("%(column)s (%(value)s) is not a date in the form YYYY-MM-DD.")
MSG_IMPOSSIBLE_DATE = gettext_noop("%(column)s (%(value)s) is not a real calendar date.")
MSG_NOT_A_CHOICE = gettext_noop("%(column)s (%(value)s) is not one of: %(choices)s.")
MSG_TOO_LONG = gettext_noop("%(column)s is longer than %(limit)s characters.")
MSG_FUTURE_DATE = gettext_noop(
    "%(column)s (%(value)s) is after today (%(today)s): a test cannot have been run on a "
    "future date."
)
MSG_MASS_AFTER_GREATER = gettext_noop(
    "mass_after_g (%(after)s) is greater than mass_before_g (%(before)s)."
)
MSG_DUPLICATE_SAMPLE = gettext_noop(
    "Sample %(sample_id)s appears more than once; it was first given in row %(first_row)s."
)
MSG_DUPLICATE_SAFETY_SAMPLE = gettext_noop(
    "Sample %(sample_id)s appears more than once for test %(test)s; "
    "it was first given in row %(first_row)s."
)
