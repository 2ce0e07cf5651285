"""DuckDB sessions for the plan's engines: the memory limit, threads and private spill folder, and
the calls that differ between duckdb releases."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..runtime.engines import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.events import Customers
    from ..runtime.policy import Policy

MEMORY_LIMIT = "1GB"  # DuckDB spills to disk beyond it
THREADS = 2
SPILL_PREFIX = "slac-duckdb-"  # of the session's private spill folder, in the system's temporary folder
BREACHED_PREFIX = "slac-breached-"  # of the folder of the sorted breached tickets (`native.Breached`)


@contextmanager
def session() -> Iterator[Any]:
    """An in-memory DuckDB with the engine's memory limit and threads, spilling into a private
    temporary folder (removed afterwards, so a run leaves nothing behind)."""
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a core dependency
        raise UsageError("the duckdb engine needs the duckdb package: pip install duckdb") from None
    from . import sql_literal

    with tempfile.TemporaryDirectory(prefix=SPILL_PREFIX) as spill:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            con.execute(f"SET threads = {THREADS}")
            con.execute("SET preserve_insertion_order = false")
            con.execute(f"SET temp_directory = {sql_literal(spill)}")
            yield con
        except RuntimeError as exc:
            stop_if_interrupted(exc)
            raise
        finally:
            con.close()


def stop_if_interrupted(exc: BaseException) -> None:
    """Raise KeyboardInterrupt when a DuckDB error is Ctrl-C: DuckDB takes the signal during a query and
    raises its own error instead (`InterruptException` before 2.0, `RuntimeError: Query interrupted`
    since), which must stop the run, not be worded as a failure or fallen back from."""
    import duckdb

    interrupt = getattr(duckdb, "InterruptException", ())
    if isinstance(exc, interrupt) or (type(exc) is RuntimeError and str(exc) == "Query interrupted"):
        raise KeyboardInterrupt from None


def unless_readers_word_it(exc: Exception) -> None:
    """Raise what a DuckDB error means when it is not one the runtime's readers would word (the caller
    falls back to them for a file DuckDB cannot read, and they name its file, row and column):
    Ctrl-C, or the engine's own failure (`failed`): out of memory, its temporary files unwritable."""
    stop_if_interrupted(exc)
    if _out_of_memory(exc) or _temporary_unwritable(exc):
        raise failed(exc) from None


def failed(exc: Exception) -> UsageError:
    """The error of the DuckDB engine's own failure, with what to do: for a write to its temporary files
    (a spill, the sorted breached tickets: `unwritable`), a TMPDIR with room; for memory, room to spill
    the rest into; for anything else (a sum beyond DECIMAL(38)), the numpy engine."""
    stop_if_interrupted(exc)
    if isinstance(exc, OSError) or _temporary_unwritable(exc):
        return unwritable(exc)
    if _out_of_memory(exc):
        return UsageError(
            f"the duckdb engine ran out of memory: {_first_line(exc)}; it works within {MEMORY_LIMIT} and "
            f"spills the rest to {tempfile.gettempdir()}: free space there, or use --engine numpy"
        )
    return UsageError(f"the duckdb engine failed: {_first_line(exc)}; use --engine numpy")


def unwritable(exc: Exception) -> UsageError:
    """The error of a write to the engine's temporary files that failed (a full disk, a size limit)."""
    return UsageError(
        f"the duckdb engine cannot write its temporary files in {tempfile.gettempdir()}: {_first_line(exc)}; "
        "free space there or set TMPDIR to a writable folder with room"
    )


def _out_of_memory(exc: Exception) -> bool:
    """DuckDB's out-of-memory error: its memory limit, or its temporary folder's size limit."""
    import duckdb

    return isinstance(exc, getattr(duckdb, "OutOfMemoryException", ()))


def _temporary_unwritable(exc: Exception) -> bool:
    """An IO error of DuckDB's on the engine's own temporary files (not on a file it was asked to read)."""
    import duckdb

    text = str(exc)
    return isinstance(exc, duckdb.IOException) and (SPILL_PREFIX in text or BREACHED_PREFIX in text)


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def private_folder(con: Any) -> Path:
    """The session's private temporary folder (`session`), where the engine writes its own files."""
    return Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])


def stage(progress: Any, text: str) -> None:
    """Tell a progress callback with a `stage` method (the CLI's bar) what the engine does now."""
    tell = getattr(progress, "stage", None)
    if tell is not None:
        tell(text)


def check_tiers(policy: Policy, customers: Customers) -> None:
    """Every customer's tier is one of the policy's (the readers check it; the runtime's evaluate asks again)."""
    from ..runtime.columns import codes

    codes(customers.tier, list(policy.tiers), "tier")


def batches(relation: Any, size: int) -> Any:
    """A query's rows streamed as pyarrow record batches (duckdb 2.x `to_arrow_reader`, 1.x `fetch_arrow_reader`)."""
    fetch = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
    return fetch(size)


def arrow_table(result: Any) -> Any:
    """A query's rows as one pyarrow.Table (duckdb 1.x `.arrow()`, 2.x `.to_arrow_table()`)."""
    fetch = getattr(result, "to_arrow_table", None) or result.arrow
    return fetch()


@contextmanager
def in_memory_ceiling(requests: str | None = None) -> Iterator[None]:
    """Around the runtime's readers where the duckdb engine reads files with them (a contract of
    language v2 or with ticket clocks): a file over their row ceiling says why the duckdb engine holds it
    too, instead of only the readers' advice. Not the `requests` file, which the engine reads out of
    core unless DuckDB declines it (then the readers' words stand)."""
    from .. import limits
    from ..runtime.readers import EventError, too_many_rows

    try:
        yield
    except EventError as exc:
        if exc.message != too_many_rows() or (requests is not None and exc.file == str(requests)):
            raise
        why = (
            f"more than {limits.MAX_ROWS_PER_FILE:,} rows: for a contract of language v2 or with ticket clocks the "
            "duckdb engine holds this file in memory as --engine numpy does (it reads out of core the tickets of a "
            "language v1 contract without ticket clocks, and the requests of any); split the events into several "
            "files or periods"
        )
        raise EventError(exc.file, exc.row, exc.column, why, unit=exc.unit) from None
