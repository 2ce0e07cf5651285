"""Contracts of language v2 (services, scopes, windows, formulas) in the duckdb engine (issue 15).

The report is the runtime's own scoped assembly (`runtime.scoped_report.assemble_scoped`, report
format 1.1) over measurements made in SQL, so it is the numpy engine's report byte for byte:

* in SQL (slac.plan.scoped_sql over slac.plan.availability_sql): per window, the error-rate intervals of
  the requests (every request row grouped into intervals and compared exactly), the incidents' causes,
  maintenance notice and yearly allowance, the merged downtime of every scope's platform part and of
  every customer whose own incidents apply, what did not count by cause, the counted incidents that
  overlap a kept period; the charges summed per customer and scope; the tickets' results
  (slac.plan.results.sql_ticket_results, as for v1: the response queries of slac.plan.tickets_sql, or
  with ticket clocks the clock queries of slac.plan.clocks_sql — resolution cycles, updates, pauses,
  business days, `warn at` — for the billing window and each earlier window of a cap's span);
* in the runtime's assembly, from those: per customer and scope the uptime, the paying band, the credit
  formulas, caps (also over a longer span: each earlier window is measured by SQL in turn), minimum
  credit, rounding, termination (each of the last N months measured by SQL) and claims — work per
  customer and scope, not per event row. (slac.plan.credits_sql computes the same money in SQL; the
  assembly's entries need each line's band and explanation as well, so they are computed there.)

The functions take a `run(sql) -> pyarrow.Table` over relations registered by the engine
(`relations`): DuckDB's `con.sql` here; the spark engine runs the same query transpiled, stage by
stage (slac.plan.spark_scoped). DuckDB reads the requests file itself (slac.plan.native_v2: checked by
the runtime reader's rules, worded by it, no row ceiling); the other files are read by the runtime's
readers, so a bad row is named as under the numpy engine.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .. import limits
from ..runtime.engines import Inputs, UsageError, read_events_any, with_ticket_events
from ..runtime.scoped import Compiled, Scope, _Data
from ..runtime.scopes import Measure

if TYPE_CHECKING:  # pragma: no cover
    from ..runtime.evaluate import Period, TicketResults
    from ..runtime.events import Events
    from ..runtime.policy import Policy
    from ..runtime.windows import Window

Run = Callable[[str], Any]  # SQL (DuckDB dialect) → pyarrow.Table
Tickets = Callable[["Period"], "TicketResults"]
Parts = tuple[list[list[dict[str, Any]]], list[dict[str, int]], list[dict[str, Any]], list[tuple[Any, ...]]]


def relations(events: Events) -> dict[str, Any]:
    """The input relations the scoped SQL reads: customers, incidents, requests, charges."""
    from .inputs import charges_table, customers_table, incidents_table, requests_table

    return {
        "customers": customers_table(events.customers),
        "incidents": incidents_table(events.incidents),
        "requests": requests_table(events.requests),
        "charges": charges_table(events.charges),
    }


def window_of(policy: Policy, period: str, as_of: datetime | None) -> tuple[Window, int]:
    """The billing window named `period` and the moment of evaluation (µs), checked as the numpy engine does."""
    from ..runtime.calendar import to_us
    from ..runtime.windows import parse_period

    window = parse_period(period, policy.raw["billing"], policy.zone)
    if as_of is not None and not limits.MIN_YEAR <= as_of.year <= limits.MAX_YEAR:
        raise ValueError(f"as_of {as_of.isoformat()} is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}")
    return window, to_us(as_of) if as_of is not None else window.end


def ticket_parts(policy: Policy, events: Events, window: Window, as_of_us: int, tickets: Tickets) -> Parts:
    """(breaches, ticket counts, clock lists, cap history) per customer, the tickets measured by `tickets`.

    As `runtime.evaluate._evaluate_scoped`: the window's tickets, and with a per-miss credit those of
    each earlier window of a cap's longer span, measured as of the same moment.
    """
    from ..runtime.evaluate import Period, _ticket_counts, breaches_by_customer
    from ..runtime.scoped_report import cap_history
    from ..runtime.tickets_report import clocks_by_customer

    n = len(events.customers.id)

    def measured(w: Window) -> TicketResults:
        per = Period(w.name, w.start, w.end)
        if len(events.tickets.id) == 0:  # nothing to measure: the runtime's empty results, no query
            from ..runtime.columns import codes
            from ..runtime.evaluate import ticket_history, ticket_results

            index = {c: i for i, c in enumerate(events.customers.id.tolist())}
            tiers = codes(events.customers.tier, list(policy.tiers), "tier")
            hist = ticket_history(policy, events)  # the runtime's: with clocks its (empty) clock results too
            return ticket_results(policy, events.tickets, index, tiers, per, as_of_us, history=hist)
        return tickets(per)

    results = measured(window)
    breach_lists = breaches_by_customer(policy, events.tickets, results, as_of_us, n)
    counts = _ticket_counts(results, n)
    clock_lists = clocks_by_customer(policy, events.tickets, results, n)
    per_miss = any(c["per_miss"] for c in policy.raw["credits"])
    history: list[tuple[Any, ...]] = []
    for w in cap_history(policy, window):
        if per_miss:
            earlier = measured(w)
            found = breaches_by_customer(policy, events.tickets, earlier, as_of_us, n)
            history.append((w, found, clocks_by_customer(policy, events.tickets, earlier, n)))
        else:
            history.append((w, [[] for _ in range(n)]))
    return breach_lists, counts, clock_lists, history


def assemble(policy: Policy, events: Events, window: Window, as_of_us: int, parts: Parts, run: Run) -> dict[str, Any]:
    """The report: the runtime's scoped assembly over the SQL measurements (`SqlData`)."""
    from ..runtime.scoped import compiled
    from ..runtime.scoped_report import assemble_scoped

    breach_lists, counts, clock_lists, history = parts
    data = SqlData(policy, compiled(policy), run)
    collecting = gc.isenabled()
    gc.disable()  # as in the runtime: the report's many small acyclic dicts need no cyclic collection
    try:
        return assemble_scoped(policy, events, window, as_of_us, breach_lists, counts, history, clock_lists, data)
    finally:
        if collecting:
            gc.enable()


class SqlData(_Data):
    """The runtime's per-scope view of the events (`runtime.scoped._Data`), its downtime measured by SQL.

    The charges per scope and the scopes each customer's own incidents open come from SQL too; the
    runtime's `scopes` and `has_own` read them as they read their own tables.
    """

    def __init__(self, policy: Policy, comp: Compiled, run: Run):  # no super().__init__: nothing read per row
        from .scoped_sql import charges_sql, own_scopes_sql

        self.comp = comp
        self.zone = policy.zone
        self._policy = policy
        self._run = run
        self._windows: dict[tuple[int, int], WindowMeasures] = {}
        self.svc: list[str | None] = []
        self.reg: list[str | None] = []
        self.own: dict[str, list[int]] = {}
        for row in run(own_scopes_sql()).to_pylist():
            self.own.setdefault(row["customer"], []).append(len(self.svc))
            self.svc.append(row["service"])
            self.reg.append(row["region"])
        self.charges: dict[tuple[str, str | None, str | None], Fraction] = {}
        self.charged: dict[str, set[Scope]] = {}
        for row in run(charges_sql()).to_pylist():
            if row["amount"] is None:  # a sum beyond the engine's decimals: refused, never rounded
                raise UsageError("the charges of a customer and scope add up beyond 38 digits; use --engine numpy")
            key = (row["customer"], row["service"], row["region"])
            self.charges[key] = Fraction(row["amount"])
            self.charged.setdefault(key[0], set()).add((key[1], key[2]))

    def measure(self, customer: str, scope: Scope, lo: int, hi: int, *, ids: bool = True) -> Measure:
        found = self._windows.get((lo, hi))
        if found is None:
            from .scoped_sql import scope_measures_sql

            found = self._windows[(lo, hi)] = WindowMeasures(self._run(scope_measures_sql(self._policy, lo, hi)))
        return found.measure(customer, scope)


Key = tuple[Any, ...]  # (service, region) of a platform row, (customer, service, region) of a customer's


class WindowMeasures:
    """One window's tagged rows (slac.plan.scoped_sql) as the runtime's `Measure` per customer and scope."""

    def __init__(self, table: Any):
        from .scoped_sql import COLUMNS

        self.rows: dict[str, dict[Key, Any]] = {tag: {} for tag in "drxmafpqgie"}
        self.views: set[Key] = set()  # the customers' keys of any row: their view differs from the platform's
        self._cache: dict[Key, Measure] = {}
        columns = [table.column(name).to_pylist() for name in COLUMNS]
        for tag, kc, service, region, cause, a, b, c, ident in zip(*columns, strict=True):
            key: Key = (service, region) if kc is None else (kc, service, region)
            if kc is not None:
                self.views.add(key)
            rows = self.rows[tag]
            if tag == "d":
                rows[key] = (a, b, c)
            elif tag in "xma":
                reason = "excluded_cause" if tag == "x" else "announced_maintenance"
                rows.setdefault(key, {})[(cause, reason)] = a
            elif tag in "ie":
                rows.setdefault(key, []).append((a, ident) if tag == "i" else (b, ident))
            else:  # r, f, p, q, g: one number
                rows[key] = a

    def measure(self, customer: str, scope: Scope) -> Measure:
        key: Key = (customer, *scope)
        if key not in self.views:
            key = scope  # the platform's: the same Measure for every such customer (as the runtime shares it)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._build(key, scope)
        return found

    def _build(self, key: Key, scope: Scope) -> Measure:
        d, r = self.rows["d"], self.rows
        if scope not in d:  # the SQL's scopes are the runtime's (`scope_list`): a mismatch is a bug, never a guess
            raise RuntimeError(f"the scoped SQL measured no scope {scope!r}")
        counted, below, partial = d.get(key, d[scope])
        excluded = dict(r["x"].get(scope, {}))
        excluded.update(r["m"].get(scope, {}))
        full = key in r["f"]
        excluded.update(r["a"].get(key if full else scope, {}))  # a full view's allowance replaces the platform's
        excluded.update(r["x"].get(key, {}) if key != scope else {})
        excluded.update(r["m"].get(key, {}) if key != scope else {})
        excluded[(None, "below_minimum")] = below
        excluded[(None, "partial_minute")] = partial
        m = Measure(counted=counted, error_intervals=r["r"].get(scope, 0))
        m.excluded = {k: v for k, v in sorted(excluded.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])) if v}
        if full:
            m.platform_counted = r["g"].get(key, 0)
        else:
            m.platform_counted = r["p"].get(scope, 0) + (r["q"].get(key, 0) if key != scope else 0)
        if key != scope:
            m.incidents = [ident for _, ident in sorted(r["i"].get(key, ()))]
            m.excluded_incidents = [ident for _, ident in sorted(r["e"].get(key, ()))]
        return m


# ---- the engines ------------------------------------------------------------------------------------


def evaluate_duckdb(
    policy: Policy, inputs: Inputs, *, period: str, as_of: datetime | None, progress: Callable[[int, int], None] | None
) -> dict[str, Any]:
    """`--engine duckdb` for a v2 contract: DuckDB reads the requests itself (`native_v2`) where it can, the
    runtime's readers the other files; DuckDB's measurements, the runtime's assembly."""
    from .duck import in_memory_ceiling

    with in_memory_ceiling(inputs.requests):
        found = _native_requests(policy, inputs, period, as_of)
        report, events = (None, read_events_any(policy, inputs)) if found is None else found
    if report is None:
        window, as_of_us = window_of(policy, period, as_of)
        report = duckdb_report(policy, events, window, as_of_us)
    if progress is not None:
        total = len(events.tickets.id)
        progress(total, total)
    return report


def _native_requests(
    policy: Policy, inputs: Inputs, period: str, as_of: datetime | None
) -> tuple[dict[str, Any] | None, Events] | None:
    """(The report, with the requests read by DuckDB itself, the events read); or (None, the events)
    when DuckDB declines the requests (`native_v2.read_requests_natively`): the runtime's reader has
    read them, and only them, after the files already read; or None when no requests file DuckDB reads."""
    from dataclasses import replace

    import duckdb

    from ..runtime.inputs_v2 import read_requests
    from .duck import session, unless_readers_word_it
    from .native_v2 import kind_of, read_requests_natively

    if inputs.requests is None or kind_of(inputs.requests) is None:
        return None
    # In the numpy engine's order (its first bad file is named): the files before the requests, the
    # requests, then the ticket events.
    events = read_events_any(policy, replace(inputs, requests=None, ticket_events=None))
    with session() as con:
        try:
            native = read_requests_natively(con, policy, inputs.requests)
        except duckdb.Error as exc:  # a file DuckDB cannot read (the runtime's readers say why), out of memory
            unless_readers_word_it(exc)
            native = False
        if native:
            events = with_ticket_events(events, inputs.ticket_events)
            window, as_of_us = window_of(policy, period, as_of)
            return _report_with(con, policy, events, window, as_of_us, native=("requests",)), events
    declined = replace(events, requests=read_requests(inputs.requests, policy.raw))
    return None, with_ticket_events(declined, inputs.ticket_events)


def duckdb_report(policy: Policy, events: Events, window: Window, as_of_us: int) -> dict[str, Any]:
    """The report of validated events (the runtime's tables), measured by DuckDB (also bench/scoped.py's entry)."""
    from .duck import session

    with session() as con:
        return _report_with(con, policy, events, window, as_of_us)


def _report_with(
    con: Any, policy: Policy, events: Events, window: Window, as_of_us: int, native: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The report over `con`, where the relations in `native` are views DuckDB reads from the files already."""
    import duckdb

    from .duck import arrow_table, check_tiers, failed
    from .results import sql_ticket_results

    check_tiers(policy, events.customers)
    parts = ticket_parts(
        policy, events, window, as_of_us, lambda per: sql_ticket_results(policy, events, per, as_of_us)
    )
    try:
        for name, table in relations(events).items():
            if name not in native:
                con.register(name, table)
        return assemble(policy, events, window, as_of_us, parts, lambda sql: arrow_table(con.sql(sql)))
    except duckdb.Error as exc:  # out of memory or temporary disk, a sum beyond DECIMAL(38)
        raise failed(exc) from None
