"""The duckdb engine's report from its native read, assembled a block of customers at a time.

The native read (`native.read_natively`) hands back each customer's ticket counts and the breached
tickets sorted by customer in a Parquet file (`native.Breached`), read a block at a time. The report
is the runtime's own assembly (`runtime.evaluate.assemble`) run over `BLOCK` customers at a time —
their breached tickets, their slice of the runtime's downtime — so it is the numpy engine's report
byte for byte while only one block's breached rows, dicts, breach objects and breach JSON text exist
at once. For the JSON writer (`for_json`) each block's text is written by the runtime's own writer of customer entries
(`runtime.report_text.block_text`, one orjson call per block) as the writer reaches it
(`Streamed`): 1M customers' report (about 5 GB of JSON at 50M tickets) is never held.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.report_json import CUSTOMER_INDENT

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.availability import Downtime
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Incidents, Tickets
    from ..runtime.policy import Policy
    from .native import Native

BLOCK = 5_000  # customers assembled at a time


class Streamed(list[Any]):
    """The report's customers for the JSON writer (`runtime.report_json.json_chunks`, which iterates
    them), as the JSON text of a block of customers at a time (`Made`), each made as the iteration
    reaches it, and dropped after.
    The list itself holds nothing, so only a writer that iterates it sees them."""

    def __init__(self, n: int, pieces: Callable[[], Iterator[Made]]) -> None:
        super().__init__()
        self._n, self._pieces = n, pieces

    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0

    def __iter__(self) -> Iterator[Made]:
        yield from self._pieces()

    def __repr__(self) -> str:
        return f"Streamed({self._n} blocks of customers)"


class Made:
    """The JSON text of a block of customers, as `json_chunks` writes them at the depth of the report's
    customers (the items joined by the separator it writes between items). It reads as a customer
    without ticket clocks (`get`, `in`) for the CLI's at-risk summary: the native read has none."""

    __slots__ = ("text",)

    def __init__(self, text: bytes) -> None:
        self.text = text

    def json_fragment(self, indent: str = "") -> bytes:
        assert indent == CUSTOMER_INDENT, indent
        return self.text

    def get(self, key: str, default: Any = None) -> Any:
        return default

    def __contains__(self, key: object) -> bool:
        return False


def native_report(
    policy: Policy, found: Native, per: Period, as_of_us: int, *, for_json: bool = False
) -> dict[str, Any]:
    """The report of the native read's results: the runtime's header and platform incidents (its
    assembly over no customer), then every customer's entry, streamed (`for_json`) or as a list."""
    from ..runtime import report_text
    from ..runtime.availability import downtime
    from ..runtime.breaches import breach_columns
    from ..runtime.evaluate import _claim_entry
    from .native import ticket_entries

    customers = found.customers
    n = len(customers.id)
    customer_index = {c: i for i, c in enumerate(customers.id.tolist())}
    down = downtime(policy, found.incidents, customer_index, per.start, per.end)
    count = (n + BLOCK - 1) // BLOCK

    def blocks() -> Iterator[list[dict[str, Any]]]:  # each block's customers as the runtime's dicts
        for lo, hi, part in found.breached.blocks(n, BLOCK):
            yield _assemble(policy, found, per, as_of_us, down, lo, hi, part, for_json)["customers"]

    def texts() -> Iterator[Made]:  # each block's JSON text, written by the runtime's `report_text`
        plan = report_text.Plan.of(policy, _claim_entry(policy, per))
        for lo, hi, part in found.breached.blocks(n, BLOCK):
            results, tickets = _block_results(policy, found, lo, part)
            incidents, sliced = _own_slice(found.incidents, down, lo, hi)
            breaches = breach_columns(policy, tickets, results, results.index, as_of_us, hi - lo)
            breaches.prepare(report_text.DEPTH)  # their text made by Arrow in a thread (no fork) meanwhile
            entries = ticket_entries(results, found.counts[lo:hi])
            ids = [str(i) for i in customers.id[lo:hi].tolist()]
            tiers = [str(t) for t in customers.tier[lo:hi].tolist()]
            incident_ids = [str(i) for i in incidents.id.tolist()]
            fees = customers.fee[lo:hi]
            cols = report_text.Columns(ids, tiers, fees, per.end - per.start, sliced, incident_ids, breaches, entries)
            yield Made(report_text.block_text(plan, cols))

    report = _assemble(policy, found, per, as_of_us, down, 0, 0, found.breached.empty(), for_json)
    if for_json:  # made in turn as the writer reaches each block: no forked workers, which can
        # deadlock in a process with running threads (DuckDB's, the CLI's read-ahead thread)
        report["customers"] = Streamed(count, texts)
    else:
        report["customers"] = [c for b in blocks() for c in b]
    return report


def _assemble(
    policy: Policy,
    found: Native,
    per: Period,
    as_of_us: int,
    down: Downtime,
    lo: int,
    hi: int,
    part: Any,
    json_runs: bool,
) -> dict[str, Any]:
    """The runtime's report over customers [lo, hi) and their breached tickets (`part`)."""
    from ..runtime.evaluate import assemble
    from ..runtime.events import Events
    from .native import ticket_entries

    customers = _customers_slice(found.customers, lo, hi)
    results, tickets = _block_results(policy, found, lo, part)
    incidents, down = (found.incidents, _header_only(down)) if hi == 0 else _own_slice(found.incidents, down, lo, hi)
    events = Events(customers, tickets, incidents)
    collecting = gc.isenabled()
    gc.disable()  # as in the runtime's evaluate: the report's many small acyclic dicts
    try:
        report = assemble(policy, events, per, as_of_us, results, down, json_runs=json_runs)
    finally:
        if collecting:
            gc.enable()
    for customer, entry in zip(report["customers"], ticket_entries(results, found.counts[lo:hi]), strict=True):
        customer["tickets"] = entry  # the unbreached tickets were counted, not listed
    return report


def _block_results(policy: Policy, found: Native, lo: int, part: Any) -> tuple[TicketResults, Tickets]:
    """The ticket results and `Tickets` of a block's breached tickets (`part`), its first customer at `lo`."""
    from ..runtime.evaluate import BREACHED, TicketResults
    from .native import breached_of

    breached, tickets = breached_of(policy, found.customers, part, "row", found.row_base)
    k = len(breached["position"])
    results = TicketResults(
        index=np.arange(k, dtype=np.int64),
        customer=breached["position"] - lo,
        effective=breached["effective"],
        deadline=breached["deadline"],
        state=np.full(k, BREACHED, dtype=np.int8),
        excluded=np.zeros(k, dtype=bool),
        line=breached["line"],
    )
    return results, tickets


def _customers_slice(customers: Any, lo: int, hi: int) -> Any:
    conditions = {name: flags[lo:hi] for name, flags in customers.conditions.items()}
    return replace(
        customers,
        id=customers.id[lo:hi],
        tier=customers.tier[lo:hi],
        fee=customers.fee[lo:hi],
        row=customers.row[lo:hi],
        conditions=conditions,
    )


def _header_only(down: Downtime) -> Downtime:
    """The downtime for the header's assembly: every incident (for the platform's), no customer."""
    return replace(
        down,
        counted=down.counted[:0],
        platform_counted=down.platform_counted[:0],
        own_incident=down.own_incident[:0],
        own_counts=down.own_counts[:0],
        own_bounds=np.zeros(1, dtype=np.int64),
        excluded=down.excluded[:0],
    )


def _own_slice(incidents: Incidents, down: Downtime, lo: int, hi: int) -> tuple[Incidents, Downtime]:
    """The own incidents of customers [lo, hi) and their downtime, the incidents renumbered in order
    (the platform incidents are listed once, by the header's assembly over no customer)."""
    a, b = int(down.own_bounds[lo]), int(down.own_bounds[hi])
    taken = down.own_incident[a:b]
    listed = taken.tolist()
    mine = replace(
        incidents,
        id=incidents.id[taken],
        start=incidents.start[taken],
        end=incidents.end[taken],
        cause=incidents.cause[taken],
        announced=incidents.announced[taken],
        customers=tuple(incidents.customers[i] for i in listed),
        row=incidents.row[taken],
        service=None if incidents.service is None else incidents.service[taken],
        region=None if incidents.region is None else incidents.region[taken],
    )
    sliced = replace(
        down,
        counted=down.counted[lo:hi],
        reason=down.reason[taken],
        seconds_in_period=down.seconds_in_period[taken],
        platform=[],
        platform_counted=down.platform_counted[lo:hi],
        own_incident=np.arange(b - a, dtype=np.int64),
        own_counts=down.own_counts[a:b],
        own_bounds=down.own_bounds[lo : hi + 1] - a,
        excluded=down.excluded[lo:hi],
    )
    return mine, sliced
