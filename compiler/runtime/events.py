"""Event tables handed from the input readers to the evaluator: columns, already validated.

The readers (`slac.runtime.inputs`) check every row against the policy (known tier, priority,
customer and cause; offsets present; end ≥ start; response ≥ opening; unique ids) and report bad
rows with file, row and column; the evaluator (`slac.runtime.evaluate`) trusts these tables.
Times are integer microseconds since the Unix epoch (UTC); a missing time is `MISSING`.
Each table keeps the 1-based source row of every record so a report can point back at the input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

MISSING = np.iinfo(np.int64).min  # a time that is not there (no response yet, not announced)

Times = npt.NDArray[np.int64]
Objects = npt.NDArray[np.object_]
Bools = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Customers:
    """One row per customer: its tier name and monthly fee in the contract's currency."""

    id: Objects  # str
    tier: Objects  # str, a tier name of the policy
    fee: tuple[Decimal, ...]
    row: Rows
    source: str = ""  # file name, for messages
    conditions: Mapping[str, Bools] = field(default_factory=dict)  # v2: condition → met, per customer


@dataclass(frozen=True, slots=True)
class Tickets:
    """One row per ticket; `cause` is an exclusion name or None."""

    id: Objects  # str
    customer: Objects  # str, an id in Customers
    priority: Objects  # str, a priority name of the policy
    opened: Times
    responded: Times  # MISSING = no response yet
    outage: Bools
    cause: Objects  # str | None
    row: Rows
    source: str = ""
    resolved: Times | None = None  # issue 12: MISSING = not resolved; None = no `resolved_at` column


UPDATE, STATUS = 0, 1  # ticket event kinds


@dataclass(frozen=True, slots=True)
class TicketEvents:
    """Issue 12: public updates and status changes of tickets, sorted by (ticket, at, row)."""

    ticket: Rows  # index into Tickets
    at: Times
    kind: npt.NDArray[np.int8]  # UPDATE | STATUS
    status: Objects  # the status name of a STATUS event, None for an update
    row: Rows
    source: str = ""
    # The same statuses as small codes into `status_names` (-1 for an update), when the reader has
    # them (it dictionary-encodes the column once); None: `tickets.history` compares the names.
    status_code: npt.NDArray[np.int32] | None = None
    status_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Incidents:
    """One row per incident; `customers` None means every customer (platform-wide)."""

    id: Objects  # str
    start: Times
    end: Times
    cause: Objects  # str | None
    announced: Times  # MISSING = not announced
    customers: tuple[tuple[str, ...] | None, ...]
    row: Rows
    source: str = ""
    service: Objects | None = None  # v2: str | None per incident (None: every service)
    region: Objects | None = None  # v2: str | None per incident (None: every region)


@dataclass(frozen=True, slots=True)
class Charges:
    """v2: what each customer paid for a scope in the period (`service_charges`)."""

    customer: Objects  # str
    service: Objects  # str
    region: Objects  # str | None (a service not measured per region)
    amount: tuple[Decimal, ...]
    row: Rows
    source: str = ""


@dataclass(frozen=True, slots=True)
class Requests:
    """v2: request counts per interval of a scope (error-rate downtime)."""

    service: Objects  # str
    region: Objects  # str | None
    start: Times
    total: npt.NDArray[np.int64]
    failed: npt.NDArray[np.int64]
    row: Rows
    source: str = ""


@dataclass(frozen=True, slots=True)
class Events:
    """Everything one evaluation reads."""

    customers: Customers
    tickets: Tickets
    incidents: Incidents
    charges: Charges | None = None  # v2
    requests: Requests | None = None  # v2
    ticket_events: TicketEvents | None = None  # issue 12
