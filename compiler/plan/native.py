"""The duckdb engine's native read: DuckDB reads the tickets file itself, streaming.

A Parquet file is read as it is; a CSV or JSON Lines file is streamed into Parquet text first
(`native_text`). After one SQL pass over it finds no record the runtime's reader would refuse
(`inputs.tickets_problems_sql`), only per-customer counts and the breached tickets come back to
Python (`streamed_results`), the breached ones written to disk as they come and sorted there
(`Breached`), so no ticket table is held in memory and there is no row ceiling; the report is
assembled a block of customers at a time as the writer reaches them (`report_stream`). The incidents
are read by the runtime's reader once the DuckDB session has closed, so their objects and DuckDB's
memory are not held at once.
Anything else returns None and the runtime's readers read the files (`duckdb_engine.evaluate`).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.engines import Inputs
from .duck import (
    BREACHED_PREFIX,
    batches,
    check_tiers,
    private_folder,
    session,
    stage,
    unless_readers_word_it,
    unwritable,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Customers, Incidents, Tickets
    from ..runtime.policy import Policy


@dataclass(frozen=True)
class Native:
    """What the native read hands the report (`report_stream.native_report`): the customers and
    incidents, the breached tickets not excluded (`breached`, read a block of customers at a time),
    the tickets in the file (`total`), each customer's ticket counts (`counts[customer, state,
    excluded]`; breached ones not excluded: 0) and the record number of the file's first row
    (`row_base`)."""

    customers: Customers
    incidents: Incidents
    breached: Breached
    total: int
    counts: Any
    row_base: int


def read_natively(
    policy: Policy,
    inputs: Inputs,
    per: Period,
    as_of_us: int,
    progress: Callable[[int, int], None] | None = None,
) -> Native | None:
    """DuckDB reads a Parquet tickets file itself, streaming; None when the runtime's readers must read it.

    They must when the file is not one DuckDB reads to the same values (`inputs.parquet_tickets_fit`)
    or when any record would be refused (`inputs.tickets_problems_sql`): the runtime's reader then
    names the file, row and column of the first bad one, as under the numpy engine.
    """
    from ..runtime.inputs import read_customers, read_incidents
    from .inputs import parquet_tickets_fit

    path = inputs.tickets
    if path is None or inputs.charges or inputs.requests or inputs.ticket_events:
        return None
    if not parquet_tickets_fit(path) and not path.lower().endswith((".csv", ".jsonl", ".ndjson")):
        return None

    customers = read_customers(inputs.customers, policy.raw)
    check_tiers(policy, customers)
    folder = Path(tempfile.mkdtemp(prefix=BREACHED_PREFIX))  # the sorted breached tickets (`Breached`)
    try:
        with session() as con:
            found = _read_with(con, policy, inputs, customers, per, as_of_us, folder, progress)
        if found is None:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        # Read once DuckDB has given its memory back: 2M incidents take some 700 MB as the runtime's objects.
        stage(progress, "reading the incidents")
        incidents = read_incidents(inputs.incidents, policy.raw, customers=customers)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    breached, n, counts, row_base = found
    return Native(customers, incidents, breached, n, counts, row_base)


def _read_with(
    con: Any,
    policy: Policy,
    inputs: Inputs,
    customers: Any,
    per: Period,
    as_of_us: int,
    folder: Path,
    progress: Callable[[int, int], None] | None,
) -> tuple[Breached, int, Any, int] | None:
    """(the breached tickets, the number of tickets, the counts, `row_base`) of `Native`, or None."""
    import duckdb

    from .inputs import tickets_problems_sql

    assert inputs.tickets is not None
    try:
        con.register("customers", _with_positions(customers))
        read = _tickets_view(con, inputs.tickets, progress)
        if read is None:
            return None
        row_base, extra = read
        stage(progress, "DuckDB checks the tickets")
        n, hashes, bad = con.execute(tickets_problems_sql(policy, extra)).fetchall()[0]
        if bad or (hashes != n and not _distinct_ids(con, n)):
            if row_base == 2 and not _within_ceiling(inputs.tickets, int(n)):  # the runtime cannot read it
                from .native_text import word_first_problem

                word_first_problem(
                    con, policy, inputs.tickets, customers, tickets_problems_sql(policy, extra, where_only=True)
                )
            return None
        stage(progress, f"DuckDB measures {int(n):,} tickets")
        tick = None if progress is None else (lambda done: progress(done, int(n)))
        breached, counts = streamed_results(con, policy, customers, per, as_of_us, folder, tick)
    except _Fallback:
        return None
    except OSError as exc:  # writing the breached tickets (`streamed_results`): a full disk, a size limit
        raise unwritable(exc) from None
    except duckdb.Error as exc:  # a file DuckDB cannot read (the runtime's readers say why), out of memory
        unless_readers_word_it(exc)
        return None
    return breached, int(n), counts, row_base


def _tickets_view(con: Any, path: str, progress: Any) -> tuple[int, tuple[str, ...]] | None:
    """The `tickets` view over the file: (the row number of its first record, further checks), or None
    when the runtime's reader must read it. CSV is first streamed into Parquet text (`native_text`)."""
    from .inputs import parquet_tickets_fit, parquet_tickets_view

    if parquet_tickets_fit(path):
        parquet_tickets_view(con, path)
        return 1, ()  # Parquet records are numbered from 1

    from .native_text import csv_to_text_parquet, jsonl_to_text_parquet, text_tickets_view

    csv = path.lower().endswith(".csv")
    stage(progress, f"reading the {'CSV' if csv else 'JSON Lines'} tickets")
    text = str(private_folder(con) / "tickets.parquet")
    names = (csv_to_text_parquet if csv else jsonl_to_text_parquet)(path, text)
    if names is None:
        return None
    text_tickets_view(con, text, names)
    return (2, ("t.doubt",)) if csv else (1, ("t.doubt",))  # CSV: the header is line 1


def _within_ceiling(path: str, rows: int) -> bool:
    """Whether the runtime's readers read a file of this size (they name its bad rows themselves)."""
    import os

    from .. import limits

    return rows <= limits.MAX_ROWS_PER_FILE and os.path.getsize(path) <= limits.MAX_EVENT_FILE_BYTES


def _distinct_ids(con: Any, n: int) -> bool:
    """Whether the ids are distinct after all, when two of their 64-bit hashes met (about once in
    10,000 files of 50M tickets): the exact count, slower, decides."""
    return bool(con.execute("SELECT count(DISTINCT id) FROM tickets").fetchall()[0][0] == n)


def _with_positions(customers: Any) -> Any:
    """`customers` with each one's position in its file (the runtime's customer index)."""
    import pyarrow as pa

    from .inputs import customers_table

    table = customers_table(customers)
    return table.append_column("position", pa.array(np.arange(len(customers.id), dtype=np.int64)))


BATCH = 1_000_000  # result rows handed from DuckDB to numpy at a time


def streamed_results(
    con: Any,
    policy: Policy,
    customers: Any,
    per: Period,
    as_of_us: int,
    folder: Path,
    progress: Callable[[int], None] | None = None,
) -> tuple[Breached, Any]:
    """`ticket_results` over the `tickets` view, streamed: counts per customer and the breached rows.

    The report needs of an unbreached ticket only its customer, state and exclusion, so those are
    counted batch by batch (`counts[customer, state, excluded]`; breached ones not excluded: 0); only
    breached tickets (not excluded) come back whole, with the columns `breached_of` reads: each batch
    is written to a Parquet file as it comes, which DuckDB then sorts by customer position into a file
    of `folder` (`Breached`, from which `report_stream` reads a block of customers at a time). So
    Python never holds them all (in `bench/scale.py`'s month of 50M tickets: 7.5M rows, 400 MB).
    """
    import pyarrow.parquet as pq

    from ..runtime.evaluate import BREACHED
    from .inputs import params_table
    from .tickets_sql import ticket_results_sql

    con.register("params", params_table(per.start, per.end, as_of_us))
    con.register("calendar_open", _calendars(policy, per))
    carry = ("id", "priority", "opened", "responded")
    # A measured ticket without a deadline in the calendar table (past the holiday data) comes back whole too.
    keep = "(r.state = 1 AND NOT r.excluded) OR (r.state <> 3 AND (r.deadline IS NULL OR r.decided IS NULL))"
    passed = ", ".join(f"CASE WHEN {keep} THEN r.{c} END AS {c}" for c in carry)
    plan = ticket_results_sql(policy, ("c.position", *(f"t.{c}" for c in carry)))
    query = f"""SELECT r.position, r.state, r.excluded, r."row", r.effective, r.deadline, r.decided, r.line, {passed}
FROM ({plan}) r"""
    prio_names = _priority_names(policy)
    n_customers = len(customers.id)
    counts = np.zeros((n_customers, 4, 2), dtype=np.int64)
    done = 0
    unsorted = private_folder(con) / "breached.parquet"  # asked before the query holds the connection
    reader = batches(con.sql(query), BATCH)
    kept = ["position", "row", "effective", "deadline", "line", *carry]
    schema = _coded(_empty(reader.schema, kept), prio_names).schema
    # Plain pages, read once by DuckDB's sort: encoding them costs a seventh of a compressed file's.
    writer = pq.ParquetWriter(str(unsorted), schema, compression="none", use_dictionary=False, write_statistics=False)
    try:
        for batch in reader:
            chosen = _counted(batch, counts)
            if chosen.any():
                writer.write_batch(_coded(batch.filter(chosen).select(kept), prio_names))
            if progress is not None:  # tickets of the period measured so far
                done += batch.num_rows
                progress(done)
    finally:  # on a fallback too: the file is removed with the session's folder
        writer.close()
    counts[:, BREACHED, 0] = 0  # the breached tickets are listed one by one
    return _sorted_by_position(con, unsorted, folder), counts


def _counted(batch: Any, counts: Any) -> Any:
    """Count a batch of ticket results into `counts[customer, state, excluded]`; the mask of its
    breached tickets not excluded (which the report lists)."""
    import pyarrow.compute as pc

    from ..runtime.evaluate import BREACHED, UNMEASURED

    position = batch.column("position").to_numpy()
    state = batch.column("state").to_numpy()
    excluded = batch.column("excluded").to_numpy(zero_copy_only=False)
    key = (position * 4 + state) * 2 + excluded  # the flat index into counts
    counts += np.bincount(key, minlength=counts.size).reshape(counts.shape)
    missing = pc.or_(pc.is_null(batch.column("deadline")), pc.is_null(batch.column("decided")))
    if ((state != UNMEASURED) & missing.to_numpy(zero_copy_only=False)).any():
        raise _Fallback  # the runtime's calendars decide (and word) a deadline past the table
    return (state == BREACHED) & ~excluded


def _coded(batch: Any, prio_names: Any) -> Any:
    """`batch` with its effective priority as an int32 code into `prio_names` rather than its name
    (`breached_of` reads either)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    effective = pc.fill_null(pc.index_in(batch.column("effective"), value_set=prio_names), -1).cast(pa.int32())
    return batch.set_column(batch.schema.get_field_index("effective"), "effective", effective)


def _priority_names(policy: Policy) -> Any:
    """The policy's priority names as an Arrow array: a priority's code is its index here."""
    import pyarrow as pa

    return pa.array(list(policy.priorities), type=pa.string())


def _empty(schema: Any, kept: list[str]) -> Any:
    import pyarrow as pa

    return pa.RecordBatch.from_pylist([], schema=pa.schema([schema.field(c) for c in kept]))


def _sorted_by_position(con: Any, unsorted: Path, folder: Path) -> Breached:
    """The rows of the Parquet file `unsorted` sorted by customer position (DuckDB sorts them within
    its memory limit, spilling beyond it) into a file of `folder`, a temporary folder that lives as
    long as the `Breached` that reads it (the report is streamed after the DuckDB session closed)."""
    import duckdb

    from . import sql_literal

    sorted_path = folder / "breached.parquet"
    source, target = sql_literal(str(unsorted)), sql_literal(str(sorted_path))
    order = f"SELECT * FROM read_parquet({source}) ORDER BY position"
    try:
        con.execute(f"COPY ({order}) TO {target} (FORMAT parquet, COMPRESSION uncompressed)")  # read back once
    except duckdb.IOException as exc:  # not a file the runtime's readers would word: the disk is full
        raise unwritable(exc) from None
    unsorted.unlink()
    return Breached(folder, sorted_path)


class Breached:
    """The breached tickets not excluded, sorted by customer position, in a Parquet file of the
    temporary `folder` (removed with this object): the columns `breached_of` reads, read a block of
    customers at a time (`blocks`), so no more than one block's rows and a batch are held at once."""

    READ = 65_536  # rows read at a time

    def __init__(self, folder: Path, path: Path) -> None:
        import pyarrow.parquet as pq

        weakref.finalize(self, shutil.rmtree, str(folder), True)  # also at exit, if the report is held
        self.path = path
        self.schema = pq.read_schema(str(path))

    def empty(self) -> Any:
        """No rows, with the columns of the file."""
        return self.schema.empty_table()

    def blocks(self, n: int, size: int) -> Iterator[tuple[int, int, Any]]:
        """For the customers [0, size), [size, 2 size), … up to n: (lo, hi, an Arrow table of the rows of
        customers [lo, hi) in position order); each call reads the file anew."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        batches = pq.ParquetFile(str(self.path)).iter_batches(batch_size=self.READ)
        pending: list[Any] = []  # rows read, not yet handed out, in order
        last = -1  # the position of the last row read
        for lo in range(0, n, size):
            hi = min(n, lo + size)
            while last < hi:  # read until a row of a later block (or the end)
                batch = next(batches, None)
                if batch is None:
                    break
                if batch.num_rows:
                    position = batch.column("position").to_numpy()
                    assert last <= position[0] and (np.diff(position) >= 0).all(), "not sorted by position"
                    last = int(position[-1])
                    pending.append(batch)
            table = pa.Table.from_batches(pending, schema=self.schema)
            cut = int(np.searchsorted(table.column("position").to_numpy(), hi))
            pending = table.slice(cut).to_batches()
            yield lo, hi, table.slice(0, cut)


def ticket_entries(results: TicketResults, counts: Any) -> list[dict[str, int]]:
    """Each customer's `tickets` entry of the report from the streamed counts and the breached tickets,
    as the runtime's assembly counts them (`evaluate._ticket_counts`: an excluded ticket only as excluded)."""
    from ..runtime.evaluate import BREACHED

    counts = counts.copy()
    counts[:, BREACHED, 0] += np.bincount(results.customer, minlength=len(counts))
    plain, excluded = counts[:, :, 0], counts[:, :, 1].sum(axis=1)
    rows = zip(plain.tolist(), excluded.tolist(), (plain.sum(axis=1) + excluded).tolist(), strict=True)
    return [
        {
            "opened": opened,
            "measured": met + breached + open_ + out,
            "met": met,
            "breached": breached,
            "open": open_,
            "unmeasured": unmeasured,
            "excluded": out,
        }
        for (met, breached, open_, unmeasured), out, opened in rows
    ]


def _calendars(policy: Policy, per: Period) -> Any:
    from .calendars import calendar_table

    return calendar_table(policy, per.start, per.end, strict=False)


def breached_of(
    policy: Policy, customers: Any, table: Any, row: str, row_base: int = 0
) -> tuple[dict[str, Any], Tickets]:
    """The result columns (positions, codes) and `Tickets` of the breached tickets in `table` (an
    engine's rows: position, effective, deadline, line, id, priority, opened, responded and `row`,
    the record's number less `row_base`); the spark engine's native read uses it too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..runtime.events import MISSING, Tickets

    k = table.num_rows

    def ints(name: str) -> Any:
        column = pc.fill_null(pc.cast(table.column(name), pa.int64()), MISSING)
        return np.asarray(column.to_numpy(), dtype=np.int64).reshape(k)

    def objects_of(name: str) -> Any:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=object).reshape(k)

    position = ints("position")
    tickets = Tickets(
        id=objects_of("id"),
        customer=customers.id[position],
        priority=objects_of("priority"),
        opened=ints("opened"),
        responded=ints("responded"),
        outage=np.zeros(k, dtype=bool),
        cause=np.full(k, None, dtype=object),
        row=ints(row) + row_base,  # as the runtime's reader numbers them: Parquet records from 1, CSV lines
    )
    if pa.types.is_integer(table.schema.field("effective").type):  # coded, as `streamed_results` keeps them
        effective = ints("effective")
    else:  # the names, as the spark engine hands them
        column = pc.index_in(table.column("effective"), value_set=_priority_names(policy))
        effective = np.asarray(column.to_numpy(), dtype=np.int64)
    return {"position": position, "effective": effective, "deadline": ints("deadline"), "line": ints("line")}, tickets


class _Fallback(Exception):
    """The tickets are read by the runtime's readers and their deadlines checked by its calendars."""
