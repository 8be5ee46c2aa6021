"""Every message template of the cycler parser, marked for translation.

A rejection (``MSG_*``) carries its template and parameters so the Django layer can translate it
(``gettext(template) % params``); a warning (``WARN_*``) is stored as rendered English text.
The text layer's own messages (empty, binary, undecodable, overlong lines) are in
``parsers.textstream``.
"""

from __future__ import annotations

from certification.vocabulary import gettext_noop

MSG_UNKNOWN_FORMAT = gettext_noop(
    "This file is not a recognised cycler export: none of its first %(lines)s lines is the header "
    'row of an accepted format (its first line with text reads "%(first)s"). Looked for: '
    "%(looked_for)s."
)
MSG_BAD_CSV = gettext_noop("Line %(line)s could not be read: %(detail)s.")
MSG_BIOLOGIC_HEADER = gettext_noop(
    'The BioLogic file has no valid "Nb header lines" count in its second line.'
)
MSG_BIOLOGIC_TECHNIQUE = gettext_noop(
    'Line %(line)s: this BioLogic file records "%(technique)s", which is not a charge or '
    "discharge technique, so it cannot hold the energy test (a constant-current discharge of the "
    "cell). Upload the export of the cycling run (for example GCPL, Modulo Bat or "
    "Chronopotentiometry)."
)
MSG_MISSING_COLUMNS = gettext_noop(
    "The %(format)s header (line %(line)s) lacks required columns: %(missing)s."
)
MSG_BAD_UNIT = gettext_noop(
    'Line %(line)s: column "%(column)s" has the unit "%(unit)s"; accepted for %(quantity)s: '
    "%(accepted)s."
)
MSG_SHORT_ROW = gettext_noop(
    'Line %(line)s has %(count)s fields; the column "%(column)s" is missing from it.'
)
MSG_NOT_NUMBER = gettext_noop('Line %(line)s: column "%(column)s" holds "%(value)s", not a number.')
MSG_BAD_TIME = gettext_noop(
    'Line %(line)s: column "%(column)s" holds "%(value)s", which is neither a number nor a '
    "duration (h:mm:ss) nor a date and time."
)
MSG_TIME_BACKWARDS = gettext_noop(
    "Line %(line)s: the test time goes backwards (from %(before)s to %(after)s) and stays behind "
    "for more than %(limit)s rows. The file looks like several runs joined, or a step time "
    "instead of the test time; export one run with its test time."
)
MSG_NO_DATA = gettext_noop("The %(format)s has a header but no data rows.")
MSG_NO_DISCHARGE = gettext_noop(
    "No discharge found: none of the %(rows)s data rows of this %(format)s has a negative "
    "(discharge) current over two or more consecutive rows."
)
MSG_NO_POSITIVE_ENERGY = gettext_noop(
    "Lines %(first)s to %(last)s: the largest discharge of this %(format)s has an energy of "
    "%(energy)s Wh, which is not positive (its voltage runs from %(start)s V to %(end)s V). A "
    "cell delivers energy at a positive voltage: this looks like a measurement against a "
    "reference electrode, a symmetric cell or a reversed voltage column, not the energy test."
)
MSG_DISCHARGE_TOO_LARGE = gettext_noop(
    "Lines %(first)s to %(last)s: the energy or charge of this discharge is too large to compute "
    "with (numbers must lie within ±1.7e308); check the time, voltage and current columns and "
    "their units."
)
MSG_TIME_UNIT_UNKNOWN = gettext_noop(
    'The Maccor column "%(column)s" gives the test time without a unit, and it could not be '
    "inferred from the DPT Time stamps; export the test time in seconds or as d hh:mm:ss."
)
MSG_ZIP_BAD = gettext_noop(
    "This is a ZIP container (an .xlsx workbook or a Neware .ndax file), but damaged or cut off: "
    "it could not be read (%(detail)s)."
)
MSG_ZIP_MEMBERS = gettext_noop(
    "The ZIP container holds %(count)s files, more than the %(limit)s any cycler export has; it "
    "was not opened."
)
MSG_ZIP_TOO_LARGE = gettext_noop(
    'The ZIP container would inflate to more than %(limit)s bytes (by its member "%(member)s"); '
    "it was not opened. Export a shorter run, or the data as CSV."
)
MSG_ZIP_RATIO = gettext_noop(
    'The ZIP container\'s member "%(member)s" would inflate from %(compressed)s to %(size)s bytes, '
    "more than %(limit)s times its packed size: a zip bomb, not a cycler export. It was not opened."
)
MSG_ZIP_OTHER = gettext_noop(
    "This is a ZIP container but neither an .xlsx workbook nor a Neware .ndax file (it holds "
    "%(members)s). Accepted: %(accepted)s."
)
MSG_BINARY_OTHER = gettext_noop(
    "This is %(what)s, which the portal does not read. Accepted: %(accepted)s."
)
MSG_MPR_BAD = gettext_noop("The BioLogic .mpr file could not be read: %(detail)s.")
MSG_MPR_COLUMNS = gettext_noop(
    "The BioLogic .mpr file lacks %(missing)s (its columns: %(columns)s); export a file that "
    "records time, the cell voltage (Ewe or Ecell) and the current (I or dq)."
)
MSG_BINARY_TECHNIQUE = gettext_noop(
    'This BioLogic .mpr file records "%(technique)s", which is not a charge or discharge '
    "technique, so it cannot hold the energy test (a constant-current discharge of the cell). "
    "Upload the file of the cycling run (for example GCPL, Modulo Bat or Chronopotentiometry)."
)
MSG_NDAX_BAD = gettext_noop("The Neware .ndax file could not be read: %(detail)s.")
MSG_NDAX_MISSING = gettext_noop(
    "The Neware .ndax file has no %(member)s, where Neware keeps the voltage and current records."
)
MSG_XLSX_BAD = gettext_noop("The .xlsx workbook could not be read: %(detail)s.")
MSG_XLSX_NO_SHEET = gettext_noop(
    "No sheet of this .xlsx workbook (%(sheets)s) starts with a cycler header row in its first "
    "%(lines)s rows. Looked for: %(looked_for)s."
)
MSG_XLSX_CELL = gettext_noop(
    'Sheet "%(sheet)s", row %(line)s: column "%(column)s" holds "%(value)s", not a number.'
)

WARN_REPEATED_TIME = gettext_noop(
    "Line %(line)s: the test time repeats inside a discharge (%(rows)s row(s) in all at the same "
    "time as the row before); such rows add no time to the energy integral. Check the time "
    "column's resolution."
)
WARN_TIME_GLITCH = gettext_noop(
    "Line %(line)s: the test time jumps back from %(before)s to %(after)s; %(rows)s row(s) "
    "skipped as an isolated time glitch."
)
WARN_CUT_OFF = gettext_noop(
    "Line %(line)s, the last line, is incomplete (the file was cut off mid-row); it was ignored."
)
WARN_MORE = gettext_noop("… and %(count)s more warnings.")
WARN_SIGN = gettext_noop(
    "%(rows)s rows carry a current sign that contradicts their step type (the BDF convention is "
    "charge positive, discharge negative); the sign was taken from the step type."
)
WARN_NEGATIVE_VOLTAGE = gettext_noop(
    "%(rows)s rows have a negative voltage; a cell's terminal voltage is positive, so check the "
    "electrode connections or the voltage column."
)
WARN_SEGMENTS_CUT = gettext_noop(
    "Only the first %(kept)s of %(count)s discharge segments are listed."
)
WARN_CURRENT_FROM_DQ = gettext_noop(
    "The .mpr file records no current column; the current of each record was derived from the "
    "charge passed since the record before (dq/mA.h) over the time between them."
)
WARN_TIME_UNIT_INFERRED = gettext_noop(
    'The Maccor column "%(column)s" has no unit; the DPT Time stamps show it is in %(unit)s.'
)
WARN_LONG_TIME_AXIS = gettext_noop(
    "The time axis spans %(duration)s days, longer than the %(limit)s days a cycler test can "
    "plausibly last; check the time column and its unit (a date, or milliseconds read as "
    "seconds, gives such a span)."
)
