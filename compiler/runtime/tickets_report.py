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
    """Per customer: {"missed_resolutions": [...], "missed_updates": [...]} (empty dicts without targets)."""
    clocks = results.clocks
    out: list[dict[str, Any]] = [{} for _ in range(n_customers)]
    if clocks is None or not (policy.resolutions or policy.updates):
        return out
    plain = ~tickets.cause[results.index].astype(bool) if len(results.index) else np.zeros(0, dtype=bool)
    for c in range(n_customers):
        if policy.resolutions:
            out[c]["missed_resolutions"] = []
        if policy.updates:
            out[c]["missed_updates"] = []
    zone = policy.zone
    keep = plain[clocks.res_pos]
    pos = clocks.res_pos[keep]
    tix = results.index[pos]
    rows = zip(
        tickets.id[tix].tolist(),
        (clocks.res_cycle[keep] + 1).tolist(),
        iso_many(clocks.res_start[keep], zone),
        _iso_or_none(clocks.res_deadline[keep], zone),
        _iso_or_none(clocks.res_end[keep], zone),
        clocks.res_line[keep].tolist(),
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
    for c, part in _by_customer(results.customer[pos], flat, n_customers):
        out[c]["missed_resolutions"] = part
    if clocks.risk is not None:
        _risk_lines(policy, tickets, results, out)
    upd = np.flatnonzero((clocks.missed_updates > 0) & plain)
    if len(upd):
        t = results.index[upd]
        rows_u = zip(
            tickets.id[t].tolist(), clocks.missed_updates[upd].tolist(), clocks.upd_line[upd].tolist(),
            tickets.row[t].tolist(), strict=True,
        )  # fmt: skip
        flat_u = [{"id": str(i), "count": k, "target_line": line, "row": row} for i, k, line, row in rows_u]
        for c, part in _by_customer(results.customer[upd], flat_u, n_customers):
            out[c]["missed_updates"] = part
    return out


def _by_customer(customer: np.ndarray, flat: list[Any], n_customers: int) -> list[tuple[int, list[Any]]]:
    """(customer, its rows in their order) for each customer with rows: one stable sort, then slices."""
    if len(flat) == 0:
        return []
    order = np.argsort(customer, kind="stable")
    ordered = [flat[k] for k in order.tolist()]
    bounds = np.searchsorted(customer[order], np.arange(n_customers + 1)).tolist()
    return [(c, ordered[bounds[c] : bounds[c + 1]]) for c in range(n_customers) if bounds[c] != bounds[c + 1]]


TARGETS = ("response", "resolution", "update")


def _risk_lines(policy: Policy, tickets: Tickets, results: Any, out: list[dict[str, Any]]) -> None:
    """`at_risk`: open tickets whose clocks have used at least `warn at` of their time by `as_of`."""
    pos, kind, due, used, allowed = results.clocks.risk
    order = np.lexsort((kind, pos))
    pos, kind, due, used, allowed = pos[order], kind[order], due[order], used[order], allowed[order]
    for c in range(len(out)):
        out[c]["at_risk"] = []
    tix = results.index[pos]
    rows = zip(
        tickets.id[tix].tolist(), kind.tolist(), _iso_or_none(due, policy.zone),
        used.tolist(), allowed.tolist(), tickets.row[tix].tolist(), strict=True,
    )  # fmt: skip
    flat = [
        {
            "id": ident,
            "target": TARGETS[k],
            "deadline": deadline,
            "used_seconds": seconds_of_us(u),
            "left_seconds": seconds_of_us(a - u),
            "row": row,
        }
        for ident, k, deadline, u, a, row in rows
    ]
    for c, part in _by_customer(results.customer[pos], flat, len(out)):
        out[c]["at_risk"] = part


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
