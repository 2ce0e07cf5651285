"""Evaluation engines behind one call: a policy over event files, whichever engine runs it.

`evaluate_files(policy, inputs, period=…, engine=…)` is what `slac evaluate` and the conformance
suite (tests/conformance/) call. Every engine returns the same report dict (report.schema.json)
for the same inputs; `numpy` is the in-memory runtime (`slac.runtime.evaluate`). Further engines
register themselves in `ENGINES` by module path and are imported only when chosen, so `import slac`
and the numpy path never load them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .policy import Policy


class UsageError(ValueError):
    """The inputs do not fit the policy or the engine (the CLI exits 2 with this message)."""


# Each input's command-line flag (messages name the flag the user wrote) and the catalog-table prefix.
FLAGS = {"customers": "--customers", "tickets": "--tickets", "incidents": "--incidents",
         "charges": "--charges", "requests": "--requests", "ticket_events": "--ticket-events"}  # fmt: skip
TABLE = "table:"


@dataclass(frozen=True)
class Inputs:
    """The event files of one evaluation (CSV, JSON Lines or Parquet, chosen by extension)."""

    customers: str
    incidents: str
    tickets: str | None = None
    charges: str | None = None
    requests: str | None = None
    ticket_events: str | None = None

    def paths(self) -> list[str]:
        return [
            p
            for p in (self.customers, self.tickets, self.incidents, self.charges, self.requests, self.ticket_events)
            if p
        ]

    def lakes(self) -> list[tuple[str, str]]:
        """(field, value) of each input naming a catalog table (`table:NAME`) or a Delta table's folder
        (one holding `_delta_log`): what only the spark engine reads."""
        import os

        found = ((field, getattr(self, field)) for field in FLAGS)
        return [
            (field, value) for field, value in found
            if value and (value.startswith(TABLE) or os.path.isdir(os.path.join(value, "_delta_log")))
        ]  # fmt: skip


# name → "module:function"; the function has the signature of `_numpy` below.
ENGINES: dict[str, str] = {"numpy": "slac.runtime.engines:_numpy"}
ENGINES["duckdb"] = "slac.plan.duckdb_engine:evaluate"  # issue 15: the SQL plan in embedded DuckDB
ENGINES["spark"] = "slac.plan.spark_engine:evaluate"  # issue 15: the SQL plan in Spark (slac[spark])


# issue 15: without --engine, tickets that numpy cannot hold (a Parquet file of more rows than
# limits.MAX_ROWS_PER_FILE, a CSV or JSON Lines file over limits.MAX_EVENT_FILE_BYTES) go to the duckdb engine when
# DuckDB reads them itself. Below that numpy is as fast or faster (bench/scale.py, 2 cores, quiet:
# duckdb 1.05–1.53x numpy's wall time at 1M tickets, 0.94x at 5M), so it stays the default there.
DUCKDB_FROM_ROWS = 10_000_001
DUCKDB_FROM_BYTES = 2 * 1024**3 + 1


# The engine that takes inputs by default when its "module:function"(policy, inputs) says so, else numpy.
DEFAULT_ABOVE = ("duckdb", "slac.plan.duckdb_engine:takes_by_default")


def choose_engine(policy: Policy, inputs: Inputs) -> str:
    """The engine `slac evaluate` runs when none is named: duckdb for big Parquet tickets or (language v2)
    requests over the runtime's ceiling, else numpy."""
    engine, where = DEFAULT_ABOVE
    if inputs.requests is not None:
        from .v2_terms import needs_scopes

        # issue 15: the duckdb engine reads such requests itself (plan.native_v2); the policy is asked
        # first, the file (whose lines may be counted) only for a contract that reads it
        if needs_scopes(policy.raw) and _over_ceiling(inputs.requests):
            return "duckdb"
    path = inputs.tickets
    if path is None or not path.lower().endswith((".parquet", ".csv", ".jsonl", ".ndjson")):
        return "numpy"
    if not path.lower().endswith(".parquet") and not _text_file_from(path, DUCKDB_FROM_BYTES):
        return "numpy"  # too small for duckdb to take (`takes_by_default`), known without importing it (≈0.2 s)
    module, _, name = where.partition(":")
    takes: Callable[[Policy, Inputs], bool] = getattr(import_module(module), name)
    return engine if takes(policy, inputs) else "numpy"


def _over_ceiling(path: str) -> bool:
    """Whether the runtime's readers refuse the file as too big: more rows than `limits.MAX_ROWS_PER_FILE`
    (a Parquet file's footer; the lines of a text file, counted only when it could hold that many) or
    more bytes than `limits.MAX_EVENT_FILE_BYTES`."""
    import os

    from .. import limits

    if not os.path.isfile(path):
        return False
    size = os.path.getsize(path)
    if size > limits.MAX_EVENT_FILE_BYTES:
        return True
    if path.lower().endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return int(pq.read_metadata(path).num_rows) > limits.MAX_ROWS_PER_FILE
        except (OSError, pa.ArrowException):
            return False  # the reader says why
    if size <= limits.MAX_ROWS_PER_FILE * 2:  # a record takes at least two bytes, its line break too
        return False
    lines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            lines += block.count(b"\n")
            last = block[-1:]
    lines += last != b"\n"  # a last line without its line break is a line too
    return lines - path.lower().endswith(".csv") > limits.MAX_ROWS_PER_FILE  # a CSV's header is no row


def _text_file_from(path: str, size: int) -> bool:
    """Whether `path` is a file of at least `size` bytes."""
    import os

    return os.path.isfile(path) and os.path.getsize(path) >= size


def evaluate_files(
    policy: Policy,
    inputs: Inputs,
    *,
    period: str,
    as_of: datetime | None = None,
    engine: str | None = "numpy",
    progress: Callable[[int, int], None] | None = None,
    for_json: bool = False,
) -> dict[str, Any]:
    """The report of one period. Raises EventError (a bad row), UsageError, or ValueError (a bad period).

    `progress(done, total)` is called as tickets are measured (total: the tickets read). `for_json`:
    the report is only written as JSON (`render.report.json_chunks`), so the numpy engine may hand
    each customer's breaches over as JSON text (`runtime.evaluate.evaluate_for_json`). `engine=None`:
    the one `choose_engine` picks for these inputs. `progress` may have a `stage(text)` method,
    called as an engine moves on (the duckdb engine: checking, measuring, the report).
    """
    if engine is None:
        engine = choose_engine(policy, inputs)
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "duckdb":  # named as the numpy engine's readers name it (Spark reads a Delta table's folder)
        _no_folders(inputs)
    if for_json and engine == "numpy":
        return _numpy(policy, inputs, period=period, as_of=as_of, progress=progress, for_json=True)
    module, _, name = ENGINES[engine].partition(":")
    run: Callable[..., dict[str, Any]] = getattr(import_module(module), name)
    if for_json and engine == "duckdb":  # issue 15: breaches as JSON text there too
        return run(policy, inputs, period=period, as_of=as_of, progress=progress, for_json=True)
    return run(policy, inputs, period=period, as_of=as_of, progress=progress)


def _no_folders(inputs: Inputs) -> None:
    """EventError for an input that is a folder, before an engine tries to read (or write beside) it."""
    import os

    from .readers import EventError

    for path in inputs.paths():
        if os.path.isdir(path):
            raise EventError(path, 0, None, "is a directory, not an event file")


def _numpy(
    policy: Policy,
    inputs: Inputs,
    *,
    period: str,
    as_of: datetime | None,
    progress: Callable[[int, int], None] | None,
    for_json: bool = False,
) -> dict[str, Any]:
    """The in-memory engine: read and validate every file, then `slac.runtime.evaluate`."""
    from .evaluate import evaluate, evaluate_for_json

    if for_json:
        evaluate = evaluate_for_json
    events = read_events_any(policy, inputs)
    total = len(events.tickets.id)
    if progress is None or total == 0:
        return evaluate(policy, events, period=period, as_of=as_of)
    return evaluate(policy, events, period=period, as_of=as_of, progress=lambda n: progress(n, total))


def read_events_any(policy: Policy, inputs: Inputs) -> Any:
    """The event files: v1's three, or (for a contract using language v2) also charges and requests."""
    from .v2_terms import needs_scopes

    if needs_scopes(policy.raw):
        from .inputs_v2 import read_events_v2

        events = read_events_v2(
            policy,
            customers=inputs.customers,
            tickets=inputs.tickets,
            incidents=inputs.incidents,
            charges=inputs.charges,
            requests=inputs.requests,
        )
    else:
        from .inputs import read_events

        if inputs.tickets is None:
            raise UsageError("--tickets is needed: this contract measures response times")
        for name, value in (("--charges", inputs.charges), ("--requests", inputs.requests)):
            if value is not None:
                raise UsageError(f"{name} is for contracts with services (language v2); this contract has none")
        events = read_events(policy, customers=inputs.customers, tickets=inputs.tickets, incidents=inputs.incidents)
    return with_ticket_events(events, inputs.ticket_events)


def with_ticket_events(events: Any, path: str | None) -> Any:
    """`events` with the ticket events of `path` (issue 12), read last, after the other files."""
    if path is None:
        return events
    from .inputs_tickets import read_ticket_events

    return replace(events, ticket_events=read_ticket_events(path, tickets=events.tickets))
