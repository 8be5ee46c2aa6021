"""Battery-cycler time series: discharge energy from the raw data (STANDARD.md section 6).

The energy-density criterion takes ``discharge_energy_wh`` from the lab's result sheet; the cycler
export is the evidence behind that number. This package reads such an export
(``scan.summarise_cycler``) and returns what the criteria layer needs to cross-check it: every
discharge segment with its energy (∫ V·|I| dt by trapezoids), capacity, duration and mean
current, and the "main" discharge (the segment with the largest energy).

Pure and streaming: no row is kept, so memory stays bounded whatever the file's length. A
seekable UTF-8 text file of a plain layout (BDF, Arbin, Maccor with a numeric test time) is read
in column batches by pyarrow's streaming CSV reader and summarised with numpy (``fastcsv``,
``columnar``: the row loop's rules and summation order, so the same results to the bit); every
other file, and any file with something unusual in it (a blank line, a row that does not parse,
a rejection), goes through the row loop (``scan``), which decodes the stream incrementally and
reads one row at a time, so messages keep their precise line numbers. Both keep a downsampled,
peak-preserving preview of voltage and current (``parsers.preview``) for charts. The format is
detected from the content, never from a file name. Every vendor is normalised to the Battery Data
Format conventions: seconds, volts, amperes, charge current positive and discharge negative.

Accepted: Battery Data Format CSV ("Test Time / s" labels, other time units, or the machine names
``test_time_second,voltage_volt,current_ampere``), Arbin CSV exports, Maccor text exports, Neware
CSV exports (English or Chinese headers, A or mA, flat or the three-level "regular export"),
BioLogic EC-Lab / BT-Lab .mpt text (header block, tabs, mA, decimal commas); and binary files
(``binary``): BioLogic .mpr (galvani), Neware .ndax (fastnda), Neware and Arbin .xlsx (openpyxl),
each read into columns and summarised by ``columnar.summarise_columns``, ZIP containers checked
against zip bombs first. Other binary files (.xls, .res, Parquet, HDF5, PDF) are refused naming
what they are. A BioLogic file of a technique that is no energy test (CV, LSV, PEIS, OCV, ...) is
refused naming the technique; ``checks.check_main_discharge`` refuses a main discharge without
positive energy.

Arithmetic is float on purpose: this is numerical integration over up to millions of points, and
measurement noise dwarfs float rounding. Results are rounded to 7 significant digits; the criteria
layer converts to ``Decimal`` before comparing with a limit.

Choices a reviewer should know:

* Segment = a contiguous run of rows with negative (discharge) current. When the file has a step
  index (and cycle index), a change of step also ends a segment, and zero-current rows inside a
  discharge step do not end it. A run of a single row has no interval to integrate and is not a
  segment. The trapezoid is taken between consecutive rows of the segment only; the interval
  between the last rest row and the first discharge row is not counted (as the vendors do).
* Time going backwards: an isolated glitch of at most ``MAX_TIME_GLITCH_ROWS`` consecutive rows
  whose time is earlier than the last good row (the SINTEF "Time_Bug" reference file logs the
  first row of each step at t = 0) is skipped and reported in ``warnings``; a longer run means
  the time axis really restarts (joined files, step time instead of test time) and the file is
  rejected with the line number. Skipping one row costs at most one sample interval of energy.
* The current sign follows the vendor's step type or state column where there is one (Maccor
  ``State``/``Md``, Neware ``Step Type``/``工步类型``, BDF ``Step Type / 1``): a discharge step is
  negative whatever the raw sign. A BDF file whose raw sign disagrees gets a warning.
* Maccor ``TestTime`` exported as a bare number has no unit; the unit (s, min or h) is inferred
  from the ``DPT Time`` stamps and reported in ``warnings``, else the file is rejected.
* Neware exports without a total-time column: the step time is accumulated across steps (it
  restarts at each step); failing that, the date-and-time column is used (1 s resolution).
* A last row cut off mid-line (a file copied while the cycler was writing) is ignored with a
  warning; any other short or non-numeric row rejects the file with its line number.
* The main discharge is the segment with the largest energy; a negative voltage (a reversed or
  symmetric cell) is warned about but integrated as it is.

Where things are: ``scan`` (the entry point and the row loop), ``detect`` (which vendor wrote the
file, from its header), one module per vendor family (``bdf``, ``arbin``, ``maccor``, ``neware``,
``biologic``), ``columns`` (column labels, units, where each vendor keeps what), ``plan`` (the
columns and unit factors the row loop uses), ``values`` (numbers, durations and clock times),
``integration`` (discharge segments and their energy), ``summary`` (the result types) and
``messages`` (every message template), ``fastcsv`` and ``columnar`` (the column path, and
``summarise_columns`` for readers that hand over arrays), ``result`` (from a pass's totals to
the summary, for both paths). The text layer under it is ``parsers.textstream``.
"""
