"""The plan's input relations (`slac.plan`) as Arrow tables, from the runtime's validated event tables.

An engine that reads the files with the runtime's readers (`slac.runtime.inputs`, which check every
row and name file, row and column of a bad one) hands their tables to SQL through these. Times
are BIGINT µs (UTC) with NULL for a missing one; `row` is the 0-based position of the record in
its file (the runtime's index into its tables), so a result row maps straight back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..runtime.events import MISSING, UPDATE

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.events import Charges, Customers, Events, Incidents, Requests, TicketEvents, Tickets


def _times(values: Any) -> Any:
    import pyarrow as pa

    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, type=pa.int64(), mask=values == MISSING)


def _text(values: Any) -> Any:
    import pyarrow as pa

    return pa.array(values, type=pa.string(), from_pandas=True)


def customers_table(customers: Customers) -> Any:
    """`customers(customer, tier, fee DECIMAL(38,9), <condition BOOLEAN>…)`."""
    import pyarrow as pa

    columns: dict[str, Any] = {
        "customer": _text(customers.id),
        "tier": _text(customers.tier),
        "fee": pa.array(customers.fee, type=pa.decimal128(38, 9)),
    }
    for name, met in customers.conditions.items():
        columns[name] = pa.array(np.asarray(met, dtype=np.bool_))
    return pa.table(columns)


def tickets_table(tickets: Tickets) -> Any:
    """`tickets(row, id, customer, priority, opened, responded, outage, cause, resolved)`."""
    import pyarrow as pa

    n = len(tickets.id)
    resolved = tickets.resolved if tickets.resolved is not None else np.full(n, MISSING, dtype=np.int64)
    return pa.table(
        {
            "row": pa.array(np.arange(n, dtype=np.int64)),
            "id": _text(tickets.id),
            "customer": _text(tickets.customer),
            "priority": _text(tickets.priority),
            "opened": _times(tickets.opened),
            "responded": _times(tickets.responded),
            "outage": pa.array(np.asarray(tickets.outage, dtype=np.bool_)),
            "cause": _text(tickets.cause),
            "resolved": _times(resolved),
        }
    )


def ticket_events_table(events: TicketEvents | None, tickets: Tickets) -> Any:
    """`ticket_events(ticket, at, event)`: event 'update' or 'status:NAME'."""
    import pyarrow as pa

    if events is None:
        return pa.table(
            {"ticket": pa.array([], pa.string()), "at": pa.array([], pa.int64()), "event": pa.array([], pa.string())}
        )
    kinds = [
        "update" if k == UPDATE else f"status:{s}"
        for k, s in zip(events.kind.tolist(), events.status.tolist(), strict=True)
    ]
    return pa.table({"ticket": _text(tickets.id[events.ticket]), "at": _times(events.at), "event": _text(kinds)})


def incidents_table(incidents: Incidents) -> Any:
    """`incidents(row, id, start, "end", customer, cause, announced, service, region)`: one row per listed
    customer of an incident, customer NULL for a platform-wide one."""
    import pyarrow as pa

    index: list[int] = []
    customer: list[str | None] = []
    for i, listed in enumerate(incidents.customers):
        for name in listed if listed is not None else (None,):
            index.append(i)
            customer.append(name)
    at = np.array(index, dtype=np.int64)
    n = len(incidents.id)
    service = incidents.service if incidents.service is not None else np.full(n, None, dtype=object)
    region = incidents.region if incidents.region is not None else np.full(n, None, dtype=object)
    return pa.table(
        {
            "row": pa.array(at),
            "id": _text(incidents.id[at] if n else incidents.id),
            "start": _times(incidents.start[at]),
            "end": _times(incidents.end[at]),
            "customer": pa.array(customer, type=pa.string()),
            "cause": _text(incidents.cause[at] if n else incidents.cause),
            "announced": _times(incidents.announced[at]),
            "service": _text(service[at] if n else service),
            "region": _text(region[at] if n else region),
        }
    )


def params_table(period_start: int, period_end: int, as_of: int) -> Any:
    """`params(period_start, period_end, as_of)`, one row."""
    import pyarrow as pa

    return pa.table(
        {
            name: pa.array([value], pa.int64())
            for name, value in zip(
                ("period_start", "period_end", "as_of"), (period_start, period_end, as_of), strict=True
            )
        }
    )


def relations(events: Events, period_start: int, period_end: int, as_of: int) -> dict[str, Any]:
    """The input relations of one evaluation by name (charges and requests are A15's: language v2)."""
    return {
        "customers": customers_table(events.customers),
        "tickets": tickets_table(events.tickets),
        "ticket_events": ticket_events_table(events.ticket_events, events.tickets),
        "incidents": incidents_table(events.incidents),
        "params": params_table(period_start, period_end, as_of),
    }


def requests_table(requests: Requests | None) -> Any:
    """`requests(service, region, start, total, failed)` (language v2), empty without a requests file."""
    import pyarrow as pa

    if requests is None:
        return pa.table({"service": pa.array([], pa.string()), "region": pa.array([], pa.string()),
                         **{k: pa.array([], pa.int64()) for k in ("start", "total", "failed")}})  # fmt: skip
    return pa.table(
        {
            "service": _text(requests.service),
            "region": _text(requests.region),
            "start": pa.array(np.asarray(requests.start, dtype=np.int64)),
            "total": pa.array(np.asarray(requests.total, dtype=np.int64)),
            "failed": pa.array(np.asarray(requests.failed, dtype=np.int64)),
        }
    )


def charges_table(charges: Charges | None) -> Any:
    """`charges(customer, service, region, amount DECIMAL(38,9))` (language v2), empty without a charges file."""
    import pyarrow as pa

    if charges is None:
        return pa.table({**{k: pa.array([], pa.string()) for k in ("customer", "service", "region")},
                         "amount": pa.array([], pa.decimal128(38, 9))})  # fmt: skip
    return pa.table(
        {
            "customer": _text(charges.customer),
            "service": _text(charges.service),
            "region": _text(charges.region),
            "amount": pa.array(charges.amount, type=pa.decimal128(38, 9)),
        }
    )


# ---- tickets read by DuckDB itself (Parquet) ---------------------------------------------------------

TEXT_COLUMNS = ("id", "customer", "priority", "cause")
TIME_COLUMNS = {"opened_at": "opened", "responded_at": "responded", "resolved_at": "resolved"}
REQUIRED = ("id", "customer", "priority", "opened_at", "responded_at")
# Whitespace the runtime's readers trim (Unicode White_Space): a value with it at either end is read there.
EDGE_SPACE = r"^[\x{9}-\x{d}\x{85}\pZ]|[\x{9}-\x{d}\x{85}\pZ]$"
# An id the runtime's reader takes as it is: no NUL, and neither end ASCII space or control (up to
# U+0020, so also EDGE_SPACE's U+0009–U+000D) nor EDGE_SPACE's U+0085 or Unicode separator (\pZ).
_ID_END = r"[^\x{0}-\x{20}\x{85}\pZ]"
ID_SHAPE = _ID_END + r"(?:[^\x{0}]*" + _ID_END + ")?"


def parquet_tickets_fit(path: str) -> bool:
    """Whether DuckDB can read this tickets file itself to the same values as the runtime's reader.

    Parquet with text columns as text, times as time-zone-aware timestamps in s, ms or µs and
    `outage` as booleans; anything else (CSV, JSON Lines, nanoseconds, naive times, numbers as
    ids) is read by the runtime's reader, which knows every form it accepts and names bad rows.
    """
    import pyarrow as pa

    def fits(name: str, kind: Any) -> bool:
        if name in TEXT_COLUMNS:
            return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))
        if name in TIME_COLUMNS:
            return bool(pa.types.is_timestamp(kind) and kind.tz is not None and kind.unit in ("s", "ms", "us"))
        return name != "outage" or bool(pa.types.is_boolean(kind))

    return path.lower().endswith(".parquet") and parquet_schema_fits(path, REQUIRED, fits)


def parquet_schema_fits(path: str, required: tuple[str, ...], fits: Any) -> bool:
    """Whether a Parquet file's schema is readable, its names distinct and within limits.MAX_COLUMNS,
    the `required` among them and every column's type one `fits(name, type)` accepts (a dictionary
    column by its values' type)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .. import limits

    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException):
        return False
    names = schema.names
    if len(set(names)) != len(names) or len(names) > limits.MAX_COLUMNS or not set(required) <= set(names):
        return False
    return all(
        fits(field.name, field.type.value_type if pa.types.is_dictionary(field.type) else field.type)
        for field in schema
    )


def parquet_rows(path: str) -> int:
    """The rows of a Parquet file, from its footer (0 when it cannot be read: the reader says why)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return int(pq.read_metadata(path).num_rows)
    except (OSError, pa.ArrowException):
        return 0


def parquet_tickets_view(con: Any, path: str) -> None:
    """The `tickets` relation as a DuckDB view over the Parquet file (`row`: the 0-based record)."""
    import pyarrow.parquet as pq

    from . import sql_literal

    names = set(pq.read_schema(path).names)
    times = [
        f"epoch_us({src}) AS {dst}" if src in names else f"CAST(NULL AS BIGINT) AS {dst}"
        for src, dst in TIME_COLUMNS.items()
    ]
    outage = "COALESCE(outage, FALSE)" if "outage" in names else "FALSE"
    cause = "NULLIF(cause, '')" if "cause" in names else "CAST(NULL AS VARCHAR)"
    con.execute(
        f"""CREATE OR REPLACE VIEW tickets AS SELECT
  CAST(file_row_number AS BIGINT) AS "row", id, customer, priority, {times[0]}, {times[1]},
  {outage} AS outage, {cause} AS cause, {times[2]}
FROM read_parquet({sql_literal(path)}, file_row_number = true)"""
    )


def row_conditions(policy: Any) -> list[str]:
    """The SQL conditions of the runtime's tickets reader, derived from its rules (`ticket_rules.TICKET_RULES`):
    a record meeting any is one it refuses. Over `tickets t LEFT JOIN customers c` (the relation's values:
    times in µs, NULL when empty; `cause` NULL when empty). Not here, as they are the engine's own reading:
    the form of a time or a flag (each engine flags a text it does not read as the runtime does), and a
    repeated id (each engine counts its distinct ids)."""
    from ..runtime.ticket_rules import BEFORE, KNOWN, MAX_US, MIN_US, REQUIRED, TICKET_RULES, TIME
    from . import sql_literal

    among = {"priorities": list(policy.priorities), "exclusions": [e["id"] for e in policy.raw.get("exclusions") or ()]}
    required = {r.column for r in TICKET_RULES if r.rule == REQUIRED}
    out = []
    for r in TICKET_RULES:
        column = f"t.{TIME_COLUMNS.get(r.column, r.column)}"
        if r.rule == REQUIRED:
            out.append(f"{column} IS NULL OR {column} = ''")
        elif r.rule == KNOWN and r.among == "customers":
            out.append("c.customer IS NULL")
        elif r.rule == KNOWN:
            names = among[r.among]
            unknown = f"NOT ({column} IN ({', '.join(sql_literal(n) for n in names)}))" if names else "TRUE"
            out.append(unknown if r.column in required else f"{column} IS NOT NULL AND {unknown}")
        elif r.rule == TIME:
            out += [f"{column} IS NULL"] if r.required else []
            out.append(f"{column} < {MIN_US} OR {column} >= {MAX_US}")
        elif r.rule == BEFORE:
            out.append(f"{column} < t.{TIME_COLUMNS[r.columns[1]]}")
    return out


def id_problem(column: str) -> str:
    """The DuckDB condition of an id the runtime's reader does not take as it is: empty, an edge character
    that is ASCII space or control or Unicode whitespace (`EDGE_SPACE`), a NUL, or over-long (in
    characters, as the reader counts them). One full match of `ID_SHAPE` decides the first three in a
    single pass over the bytes (RE2's automaton), at about half the CPU of comparing the first and last
    characters apart (issue 15)."""
    from .. import limits
    from . import sql_literal

    return f"NOT regexp_full_match({column}, {sql_literal(ID_SHAPE)}) OR length({column}) > {limits.MAX_FIELD_CHARS}"


def tickets_problems_sql(policy: Any, extra: tuple[str, ...] = (), *, where_only: bool = False) -> str:
    """One row (n, distinct id hashes, bad): bad counts records the runtime's reader would refuse.

    Checked: the rules of the runtime's reader (`row_conditions`: empty required values, unknown
    customer, priority and cause, times outside the years slac computes with, a response or resolution
    before the opening), and ids with a NUL byte, over 10,000 bytes or with whitespace or a control
    character at either end (the runtime trims whitespace; such a file is left to it). Duplicate ids:
    fewer distinct 64-bit hashes of them than `n` (counting hashes is several times cheaper than
    counting the texts; when two meet, the caller counts the texts). `where_only`: just the condition
    a refused record meets (over `tickets t` LEFT JOIN `customers c`).
    """

    # customer, priority and cause are known names (trimmed, short, no NUL); the id is checked itself.
    checks = [*row_conditions(policy), id_problem("t.id")]
    checks += list(extra)  # e.g. `t.doubt` of tickets read from text (`native_text.text_tickets_view`)
    # No COALESCE(…, FALSE) per check: an OR is true when any check is, NULL ones or not, and a FILTER
    # or WHERE keeps only a true one (wrapping each check cost 2.5× the whole condition in DuckDB).
    bad = "\n    OR ".join(f"({check})" for check in checks)
    if where_only:
        return bad
    return f"""SELECT count(*) AS n, count(DISTINCT hash(t.id)) AS ids, count(*) FILTER (WHERE
    {bad}
  ) AS bad
FROM tickets t LEFT JOIN customers c ON c.customer = t.customer"""
