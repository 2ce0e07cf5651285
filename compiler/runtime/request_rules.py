"""The row checks of the requests input (language v2), declared once: what each rule checks and its words.

The runtime's reader (`inputs_v2.read_requests`) runs these rules with numpy and Arrow masks; the
duckdb engine, reading a requests file itself (`slac.plan.native_v2`), derives its SQL conditions
from the same rules (`native_v2.request_conditions`) and hands the first refused record back to the
runtime's reader, which words it. The order matters to the runtime only: when one record breaks
several rules, the first in this order is the one reported.

Pure data: no Arrow, no numpy, so the plan imports it cheaply.
"""

from __future__ import annotations

from .ticket_rules import FORM, TIME, Rule

SCOPE = "scope"  # `service` one of the contract's, `region` given exactly when the service is measured per region
NOT_ABOVE = "not_above"  # columns[0] not above columns[1] (both counts of the same record)

# The requests file's columns: those the reader needs, then those it may be given.
REQUIRED = ("service", "start", "total", "failed")
OPTIONAL = ("region",)
COUNT_DIGITS = 15  # a count of requests: a whole number of at most 15 digits
COUNT_FORM = rf"^[0-9]{{1,{COUNT_DIGITS}}}$"
_COUNT_WORDS = ("{value} is not a count of requests", "write a whole number")

# `requests` (service, region, start, total, failed).
REQUEST_RULES: tuple[Rule, ...] = (
    Rule(SCOPE, ("service", "region")),  # worded by the reader shared with charges (`inputs_v2._scope_columns`)
    Rule(TIME, ("start",), required=True),
    Rule(FORM, ("total",), *_COUNT_WORDS, form=COUNT_FORM),
    Rule(FORM, ("failed",), *_COUNT_WORDS, form=COUNT_FORM),
    Rule(NOT_ABOVE, ("failed", "total"), "more requests failed than were made"),
)
