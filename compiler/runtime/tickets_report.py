"""Report entries of the resolution and update targets (issue 12), per customer.

Additive to the report: a customer entry gains `missed_resolutions` (one entry per missed cycle)
and `missed_updates` (one entry per ticket with missed updates) only when the policy has such
targets. Tickets with an excluded cause never miss anything (as for responses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from ..policy.codec import seconds_of_us
from .calendar import iso_many
from .events import MISSING, Tickets
from .policy import Policy


def clocks_by_customer(policy: Policy, tickets: Tickets, results: Any, n_customers: int) -> list[dict[str, Any]]:
    """Per customer: {"missed_resolutions": [...], "missed_updates": [...]} (empty dicts without targets).

    Each list is built in its final order (rows ordered by customer, stable, then cut into slices).
    """
    clocks = results.clocks
    out: list[dict[str, Any]] = [{} for _ in range(n_customers)]
    if clocks is None or not (policy.resolutions or policy.updates):
        return out
    for entry in out:
        if policy.resolutions:
            entry["missed_resolutions"] = []
        if policy.updates:
            entry["missed_updates"] = []
    zone = policy.zone
    keep = np.flatnonzero(_plain(tickets, results, clocks.res_pos))
    pos = _customer_order(results, clocks.res_pos[keep], keep)
    tix = results.index[pos.rows]
    rows = zip(
        tickets.id[tix].tolist(),
        (clocks.res_cycle[pos.take] + 1).tolist(),
        iso_many(clocks.res_start[pos.take], zone),
        _iso_or_none(clocks.res_deadline[pos.take], zone),
        _iso_or_none(clocks.res_end[pos.take], zone),
        clocks.res_line[pos.take].tolist(),
        tickets.row[tix].tolist(),
        strict=True,
    )
    flat = [
        {
            "id": ident,
            "cycle": cycle,
            "started": start,
            "deadline": due,
            "resolved": end,
            "target_line": line,
            "row": row,
        }
        for ident, cycle, start, due, end, line, row in rows
    ]
    for c, part in pos.slices(flat):
        out[c]["missed_resolutions"] = part
    if clocks.risk is not None:
        _risk_lines(policy, tickets, results, out)
    missing = np.flatnonzero(clocks.missed_updates > 0)
    upd = _customer_order(results, missing[_plain(tickets, results, missing)])
    if len(upd.rows):
        t = results.index[upd.rows]
        rows_u = zip(
            tickets.id[t].tolist(), clocks.missed_updates[upd.rows].tolist(), clocks.upd_line[upd.rows].tolist(),
            tickets.row[t].tolist(), strict=True,
        )  # fmt: skip
        flat_u = [{"id": str(i), "count": k, "target_line": line, "row": row} for i, k, line, row in rows_u]
        for c, part in upd.slices(flat_u):
            out[c]["missed_updates"] = part
    return out


def _plain(tickets: Tickets, results: Any, pos: np.ndarray) -> np.ndarray:
    """Whether the measured tickets at positions `pos` have no excluded cause (only those tickets' causes read)."""
    if len(pos) == 0:
        return np.zeros(0, dtype=bool)
    return ~tickets.cause[results.index[pos]].astype(bool)


class _Order:
    """Rows of a listing ordered by customer (stable): `rows` the positions in that order, `take` the
    indexes into the listing's own columns, `bounds` each customer's slice."""

    __slots__ = ("rows", "take", "customers", "bounds")

    def __init__(self, rows: np.ndarray, take: np.ndarray, customers: list[int], bounds: list[int]):
        self.rows, self.take, self.customers, self.bounds = rows, take, customers, bounds

    def slices(self, flat: list[Any]) -> list[tuple[int, list[Any]]]:
        """(customer, its rows in their order) for each customer with rows."""
        b = self.bounds
        return [(c, flat[b[k] : b[k + 1]]) for k, c in enumerate(self.customers)]


def _customer_order(results: Any, pos: np.ndarray, take: np.ndarray | None = None) -> _Order:
    """`pos` (positions of listing rows, `take` their indexes into the listing's columns, default `pos`'s
    own order) ordered by customer, stable: as a stable sort of the listing's rows by customer."""
    if take is None:
        take = np.arange(len(pos), dtype=np.int64)
    customer = results.customer[pos]
    order = np.argsort(customer, kind="stable")
    sorted_c = customer[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_c[1:] != sorted_c[:-1]))) if len(pos) else order
    bounds = [*starts.tolist(), len(pos)]
    return _Order(pos[order], take[order], sorted_c[starts].tolist(), bounds)


TARGETS = ("response", "resolution", "update")


def _risk_lines(policy: Policy, tickets: Tickets, results: Any, out: list[dict[str, Any]]) -> None:
    """`at_risk`: open tickets whose clocks have used at least `warn at` of their time by `as_of`."""
    pos, kind, due, used, allowed = results.clocks.risk
    order = _customer_order(results, *_lexsorted(pos, kind))
    for c in range(len(out)):
        out[c]["at_risk"] = []
    k = order.take
    tix = results.index[order.rows]
    rows = zip(
        tickets.id[tix].tolist(), kind[k].tolist(), _iso_or_none(due[k], policy.zone),
        used[k].tolist(), allowed[k].tolist(), tickets.row[tix].tolist(), strict=True,
    )  # fmt: skip
    flat = [
        {
            "id": ident,
            "target": TARGETS[t],
            "deadline": deadline,
            "used_seconds": seconds_of_us(u),
            "left_seconds": seconds_of_us(a - u),
            "row": row,
        }
        for ident, t, deadline, u, a, row in rows
    ]
    for c, part in order.slices(flat):
        out[c]["at_risk"] = part


def _lexsorted(pos: np.ndarray, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, indexes) of the at-risk clocks ordered by position, then target."""
    order = np.lexsort((kind, pos))
    return pos[order], order


class _Lazy(Mapping[str, Any]):
    """{"resolution": …, "update": …} of one customer entry, each computed when asked (rarely: only
    for a `per missed resolution|update` credit line)."""

    __slots__ = ("entry", "compute")

    def __init__(self, entry: dict[str, Any], compute: Callable[[dict[str, Any], str], Any]):
        self.entry, self.compute = entry, compute

    def __getitem__(self, key: str) -> Any:
        if key not in ("resolution", "update"):
            raise KeyError(key)
        return self.compute(self.entry, key)

    def __iter__(self) -> Iterator[str]:
        return iter(("resolution", "update"))

    def __len__(self) -> int:
        return 2


def _count(entry: dict[str, Any], target: str) -> int:
    if target == "resolution":
        return len(entry.get("missed_resolutions", ()))
    return sum(u["count"] for u in entry.get("missed_updates", ()))


def _ids(entry: dict[str, Any], target: str) -> list[str]:
    if target == "resolution":
        return list(dict.fromkeys(m["id"] for m in entry.get("missed_resolutions", ())))
    return [u["id"] for u in entry.get("missed_updates", ())]


def missed_counts(entry: dict[str, Any]) -> Mapping[str, int]:
    """A customer's misses by target, for `per missed resolution|update` credits."""
    return _Lazy(entry, _count)


def missed_ids(entry: dict[str, Any]) -> Mapping[str, list[str]]:
    """The tickets behind a customer's missed resolutions and updates, for the credit lines."""
    return _Lazy(entry, _ids)


def _iso_or_none(us: np.ndarray, zone: Any) -> list[str | None]:
    """ISO texts of the instants; None for MISSING and for a deadline that never comes (placed by numpy)."""
    ok = (us != MISSING) & (us != np.iinfo(np.int64).max)
    if ok.all():
        return iso_many(us, zone)  # type: ignore[return-value]
    texts = np.empty(int(ok.sum()), dtype=object)
    texts[:] = iso_many(us[ok], zone)
    out = np.full(len(us), None, dtype=object)
    out[ok] = texts
    return out.tolist()
