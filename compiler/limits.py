"""Every size and magnitude limit of slac, in one place, with the reason for each value.

The limits keep hostile or mistaken input from hanging slac or exhausting memory
(a 10^12-year duration, a million-digit number, a `repeat` of a billion tickets),
and keep every value inside what later stages compute exactly (`Decimal` with
28 significant digits, `datetime` years 1–9999). Each is far above what a real
contract needs: the bundled contracts are 7 KB with 5 tiers and 3 examples.
Changing one here changes it everywhere, including the messages and SECURITY.md.
"""

from __future__ import annotations

# ---- contract source (checked before parsing) ------------------------------------------------
# A bilingual SLA is a few dozen KB, mostly text.
MAX_SOURCE_BYTES = 256 * 1024
MAX_LINES = 20_000
# What parsing time really grows with (screen.py counts them): the bundled contracts have about 500.
MAX_TOKENS = 25_000
# Parentheses (a formula's groups and `min(`/`max(` calls) open at once: 330 nested `min(` overflowed
# the parser's recursion. A credit formula needs a handful.
MAX_NESTING = 50

# Diagnostics reported for one contract; the rest are counted in one last error.
MAX_DIAGNOSTICS = 500
# Hidden or control characters reported (a file full of NUL bytes gives 20 errors, not a million).
MAX_CHARACTER_REPORTS = 20

# ---- contract structure (checked on the AST, before the semantic checks) -------------------------
MAX_STATEMENTS = 5_000  # every statement, top level and inside blocks
MAX_TIERS = 50
MAX_EXAMPLES = 500
MAX_EXAMPLE_EVENTS = 10_000  # tickets and outages of one example, `repeat` counted out
# Of all examples together: each check runs them through the evaluator (about 100k events a second).
MAX_TOTAL_EXAMPLE_EVENTS = 100_000

# "Did you mean" for one contract: character pairs difflib may compare (about 0.2 s of work).
SUGGESTION_BUDGET = 1_000_000

# ---- values -----------------------------------------------------------------------------------
MAX_TEXT_CHARS = 20_000  # one quoted text: a long clause is a few thousand characters
MAX_NAME_CHARS = 64  # an identifier
MAX_DIGITS = 15  # digits before the decimal point of an amount (10^15 - 1: beyond any fee)
MAX_DECIMALS = 6  # digits after the point of an amount or a percentage
MAX_PERCENT = 1_000  # a percentage (shares over 100 % are a semantic error of their own)
MAX_DURATION_MS = 100 * 366 * 86_400_000  # a century: longer than any contract term
MAX_REPEAT = 10_000  # `repeat N`
MAX_COUNT = 1_000_000  # any other whole number (`expect breaches N`)
# Months to terminate after (`for N consecutive months`) and billing cycles to claim in (`claim within N
# billing cycles`): ten years of months. Each month of a termination is evaluated, and a million of
# either reached dates outside `datetime` (year -81307).
MAX_PERIODS = 120
MIN_YEAR, MAX_YEAR = 1970, 2199  # dates, timestamps and periods; holidays are materialised 5 years on

# Calendars with holidays × materialised years (`--holiday-years`): each is a year of dates in the
# policy (about 300 bytes). 300 calendars over 101 years took 12 s and 118 MB for a 9.5 MB policy.
MAX_HOLIDAY_CALENDAR_YEARS = 2_000

# Words without a break opportunity in the texts (E0216): one that does not fit a line is broken
# letter by letter when the PDF is laid out (twelve 19,000-character words took 80 s).
MAX_UNBROKEN_CHARS = 200  # one word (a long address still fits)
LONG_RUN_CHARS = 40  # a word longer than this may not fit a table cell or a line
MAX_LONG_RUN_CHARS = 4_000  # all such words of a contract together (about 0.2 ms each character to lay out)

# ---- evaluation ---------------------------------------------------------------------------------
# How far after its opening a response deadline is looked for in a calendar without holidays
# (one with holidays stops where its materialised years do): about 10 years of days, 0.1 s.
MAX_DEADLINE_DAYS = 3_660

# ---- policy JSON (load_policy) ------------------------------------------------------------------
MAX_POLICY_BYTES = 64 * 1024**2  # a compiled policy with five years of holidays is about 100 KB

# ---- event files (the evaluator) --------------------------------------------------------------
MAX_EVENT_FILE_BYTES = 2 * 1024**3  # 2 GiB
MAX_ROWS_PER_FILE = 10_000_000
MAX_COLUMNS = 1_000  # a header row with more columns is refused before reading any row
MAX_FIELD_CHARS = 10_000  # one cell
# The header line of a CSV file (1,000 names of 64 characters fit): a first line without a line
# break is refused after this many bytes, not scanned to its end.
MAX_HEADER_BYTES = 64 * 1024
# An evaluation covers one month (`--period`); it and `--as-of` lie within MIN_YEAR–MAX_YEAR.
