"""The duckdb engine's report from its native read, assembled a block of customers at a time.

The native read (`native.read_natively`) hands back each customer's ticket counts and the breached
tickets sorted by customer in a Parquet file (`native.Breached`), read a block at a time. The report
is the runtime's own assembly (`runtime.evaluate.assemble`) run over `BLOCK` customers at a time —
their breached tickets, their slice of the runtime's downtime — so it is the numpy engine's report
byte for byte. Only a few blocks' breached rows, dicts, breach objects and JSON text exist at once:
up to `AHEAD` blocks made ready ahead of the writer here, and, from `WORKER_BLOCKS` blocks on, the
ones sent to the worker process (`report_worker`) and not yet taken back (fewer than `AHEAD`). Each
block's text is the runtime's own writer of customer entries (`runtime.report_text.block_text`, one
orjson call per block), handed to the JSON writer (`for_json`) as it reaches it (`Streamed`): 1M
customers' report (about 5 GB of JSON at 50M tickets) is never held.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.report_json import CUSTOMER_INDENT

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.availability import Downtime
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Customers, Incidents, Tickets
    from ..runtime.policy import Policy
    from .native import Native

BLOCK = 5_000  # customers assembled at a time
WORKER_BLOCKS = 8  # from this many blocks on, a worker process assembles some of them (`_shared`)
WORKER_SHARE = 0.6  # of the blocks: this process also reads the blocks, makes them ready and writes the report
AHEAD = 4  # blocks made ready ahead of the writer, so the worker always has the next of its own


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
    from ..runtime.evaluate import _claim_entry

    customers = found.customers
    n = len(customers.id)
    customer_index = {c: i for i, c in enumerate(customers.id.tolist())}
    down = downtime(policy, found.incidents, customer_index, per.start, per.end)
    count = (n + BLOCK - 1) // BLOCK

    def blocks() -> Iterator[list[dict[str, Any]]]:  # each block's customers as the runtime's dicts
        for lo, hi, part in found.breached.blocks(n, BLOCK):
            yield _assemble(policy, found, per, as_of_us, down, lo, hi, part, for_json)["customers"]

    # What the blocks' texts are made from: not `found` itself, so its incidents (some 700 MB at 2M,
    # only their ids needed now) go once the header is made and the caller has let go of `found`.
    source = _Source(customers, found.counts, found.breached, found.row_base, found.incidents.id)

    def texts() -> Iterator[Made]:  # each block's JSON text, written by the runtime's `report_text`
        from .report_worker import block_of

        claim = _claim_entry(policy, per)
        jobs = (_job(policy, source, down, per, lo, hi, part) for lo, hi, part in source.breached.blocks(n, BLOCK))
        if count < WORKER_BLOCKS:
            plan = report_text.Plan.of(policy, claim)
            yield from (Made(block_of(plan, job, as_of_us)) for job in jobs)
        else:
            yield from _shared(policy, claim, jobs, as_of_us)

    report = _assemble(policy, found, per, as_of_us, down, 0, 0, found.breached.empty(), for_json)
    if for_json:  # made as the writer reaches each block (`AHEAD` of it); the worker is a started
        # interpreter, not a forked one, which can deadlock in a process with running threads (DuckDB's)
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
    results, tickets = _block_results(policy, found.customers, found.row_base, lo, part)
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


def _block_results(
    policy: Policy, customers: Customers, row_base: int, lo: int, part: Any
) -> tuple[TicketResults, Tickets]:
    """The ticket results and `Tickets` of a block's breached tickets (`part`), its first customer at `lo`."""
    from ..runtime.evaluate import BREACHED, TicketResults
    from .native import breached_of

    breached, tickets = breached_of(policy, customers, part, "row", row_base)
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
    taken, sliced = _own_down(down, lo, hi)
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
    return mine, sliced


def _own_down(down: Downtime, lo: int, hi: int) -> tuple[Any, Downtime]:
    """(the own incidents of customers [lo, hi), by their index, their downtime, the incidents renumbered in order)."""
    a, b = int(down.own_bounds[lo]), int(down.own_bounds[hi])
    taken = down.own_incident[a:b]
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
    return taken, sliced


@dataclass(frozen=True, slots=True)
class _Source:
    """What the JSON report's blocks are made from (`_job`): of the native read's results, all but the incidents."""

    customers: Customers
    counts: Any
    breached: Any  # `native.Breached`
    row_base: int
    incident_ids: Any  # every incident's id (str objects)


@dataclass(frozen=True, slots=True)
class _Job:
    """What the JSON text of a block of customers is written from (`_text`), made by the main process
    from the native read and pickled to the worker (`_shared`): no policy, incidents or file in it."""

    results: TicketResults
    tickets: Tickets
    counts: Any  # the customers' ticket counts (`Native.counts`)
    ids: list[str]
    tiers: list[str]
    fees: Any
    length: int  # the period's, µs
    down: Downtime  # the customers' own (`_own_slice`)
    incident_ids: list[str]  # their own incidents'


def _job(policy: Policy, source: _Source, down: Downtime, per: Period, lo: int, hi: int, part: Any) -> _Job:
    """The `_Job` of customers [lo, hi) and their breached tickets (`part`)."""
    customers = source.customers
    results, tickets = _block_results(policy, customers, source.row_base, lo, part)
    taken, sliced = _own_down(down, lo, hi)
    return _Job(
        results,
        tickets,
        source.counts[lo:hi],
        [str(i) for i in customers.id[lo:hi].tolist()],
        [str(t) for t in customers.tier[lo:hi].tolist()],
        customers.fee[lo:hi],
        per.end - per.start,
        sliced,
        [str(i) for i in source.incident_ids[taken].tolist()],
    )


def _shared(policy: Policy, claim: Any, jobs: Iterator[_Job], as_of_us: int) -> Iterator[Made]:
    """Each block's `Made`, in order, three of every five written meanwhile by a worker process
    (`report_worker`), which has the policy and the claim entry: a block is pickled to it (`_Job`)
    and its text pickled back. Up to `AHEAD` blocks are made ready ahead, so the worker starts its
    next block while this process writes its own. Without a worker (none can be started, or it died)
    this process writes them all; a block the worker could not write is written here, so its error
    is raised here, as without a worker."""
    from collections import deque

    from ..runtime import report_text
    from .report_worker import Worker, block_of

    plan = report_text.Plan.of(policy, claim)
    worker: Worker | None = None
    ready: deque[tuple[_Job, bool]] = deque()  # each block ahead, and whether the worker has it

    def made() -> Made:
        job, sent = ready.popleft()
        text = worker.take() if sent and worker is not None else None
        return Made(block_of(plan, job, as_of_us) if text is None else text)

    try:
        worker = Worker.started(dict(policy.raw), claim)  # in the `try`: stopped however the report ends
        for k, job in enumerate(jobs):
            theirs = int((k + 1) * WORKER_SHARE) > int(k * WORKER_SHARE)
            ready.append((job, theirs and worker is not None and worker.send(job, as_of_us)))
            if len(ready) >= AHEAD:
                yield made()
        while ready:
            yield made()
    finally:
        if worker is not None:
            worker.close()
