"""The row checks of the two ticket inputs, declared once: what each rule checks, on which columns, and
its words (problem and hint).

The runtime's readers (`inputs.read_tickets`, `inputs_tickets.read_ticket_events`) run these rules in
this order with numpy and Arrow masks; the engines that read a tickets file themselves (DuckDB, Spark)
derive their SQL conditions from the same rules (`slac.plan.inputs.row_conditions`) and hand the first
refused record back to the runtime's reader, which words it. The order matters to the runtime only:
when one record breaks several rules, the first in this order is the one reported.

Pure data: no Arrow, no numpy, so the plan imports it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .. import limits

# The kinds of rule.
REQUIRED = "required"  # a text that may not be empty
UNIQUE = "unique"  # no value twice (`what` names it)
KNOWN = "known"  # a value among the names of `among` (empty allowed unless REQUIRED too)
TIME = "time"  # an ISO 8601 timestamp with an offset, within the years slac computes with
BEFORE = "before"  # columns[0] not before columns[1] (both times of the same record)
FLAG = "flag"  # true or false (or empty)
FORM = "form"  # a text matching `form` (empty allowed unless REQUIRED too)
OPENING = "opening"  # an event's time not before its ticket's opening
AFTER_RESOLUTION = "after_resolution"  # no status change after its ticket's resolution


@dataclass(frozen=True)
class Rule:
    """One check of a record. The words are the rule's own where the shared reader's wording does not
    apply (`message` with {value}, {other} filled in by the reader; `hint`: what to do)."""

    rule: str
    columns: tuple[str, ...]  # the file's columns; a problem is reported on the first
    message: str = ""
    hint: str = ""
    what: str = ""  # UNIQUE, KNOWN: what a value is called in the shared reader's wording
    among: str = ""  # KNOWN: "customers", "priorities", "exclusions" or "tickets"
    required: bool = False  # TIME: every record needs one
    form: str = ""  # FORM: the regular expression

    @property
    def column(self) -> str:
        return self.columns[0]

    def words(self, **values: str) -> str:
        return f"{self.message.format(**values)}; {self.hint}"


_BOTH_TIMES = "check both timestamps and their offsets"

# `tickets` (id, customer, priority, opened_at, responded_at, outage, cause, resolved_at).
TICKET_RULES: tuple[Rule, ...] = (
    Rule(REQUIRED, ("id",)),
    Rule(UNIQUE, ("id",), what="ticket id"),
    Rule(REQUIRED, ("customer",)),
    Rule(KNOWN, ("customer",), what="customer", among="customers"),
    Rule(REQUIRED, ("priority",)),
    Rule(KNOWN, ("priority",), what="priority", among="priorities"),
    Rule(TIME, ("opened_at",), required=True),
    Rule(TIME, ("responded_at",)),
    Rule(BEFORE, ("responded_at", "opened_at"), "the response ({value}) is before the opening ({other})", _BOTH_TIMES),
    Rule(TIME, ("resolved_at",)),
    Rule(BEFORE, ("resolved_at", "opened_at"), "the resolution ({value}) is before the opening ({other})", _BOTH_TIMES),
    Rule(FLAG, ("outage",)),
    Rule(KNOWN, ("cause",), what="cause (exclusion)", among="exclusions"),
)

# `ticket_events` (ticket, at, event): `update`, or `status:NAME` for the status from then on.
EVENT_FORM = r"^(update|status:[A-Za-z_][A-Za-z0-9_]*)$"
TICKET_EVENT_RULES: tuple[Rule, ...] = (
    Rule(REQUIRED, ("ticket",)),
    Rule(KNOWN, ("ticket",), "{value} is not a ticket id in {other}", "check the id", among="tickets"),
    Rule(TIME, ("at",), required=True),
    Rule(REQUIRED, ("event",)),
    Rule(
        FORM,
        ("event",),
        "{value} is not a ticket event",
        "write `update` for a public update or `status:NAME` (e.g. status:pending_customer) for a change of status",
        form=EVENT_FORM,
    ),
    Rule(OPENING, ("at", "opened_at"), "the event ({value}) is before the ticket's opening ({other})", _BOTH_TIMES),
    Rule(
        AFTER_RESOLUTION,
        ("at", "event", "resolved_at"),
        "a status change ({value}) after the ticket's resolution ({other})",
        "a reopened ticket has no resolved_at until it is resolved again: clear it or drop the event",
    ),
)

# The texts a flag may be (FLAG: the tickets' `outage`; the readers' other flags too), trimmed and in lower case.
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0", "")

# Timestamps outside the years slac computes with are refused (µs since the epoch, UTC: [MIN_US, MAX_US)).
MIN_US = int(datetime(limits.MIN_YEAR, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
MAX_US = int(datetime(limits.MAX_YEAR + 1, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000


def rule(rules: tuple[Rule, ...], kind: str, column: str) -> Rule:
    """The rule of that kind on that column (its words, for a reader)."""
    return next(r for r in rules if r.rule == kind and r.column == column)
