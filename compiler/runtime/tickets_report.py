"""Report entries of the resolution and update targets (issue 12), per customer.

Additive to the report: a customer entry gains `missed_resolutions` (one entry per missed cycle)
and `missed_updates` (one entry per ticket with missed updates) only when the policy has such
targets. Tickets with an excluded cause never miss anything (as for responses).
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
    ends = clocks.res_end[keep]
    ended: list[str | None] = [None] * len(pos)
    for k, text in zip(np.flatnonzero(ends != MISSING).tolist(), iso_many(ends[ends != MISSING], zone), strict=True):
        ended[k] = text
    rows = zip(
        results.customer[pos].tolist(),
        tickets.id[tix].tolist(),
        (clocks.res_cycle[keep] + 1).tolist(),
        iso_many(clocks.res_start[keep], zone),
        _iso_or_none(clocks.res_deadline[keep], zone),
        ended,
        clocks.res_line[keep].tolist(),
        tickets.row[tix].tolist(),
        strict=True,
    )
    for cust, ident, cycle, start, due, end, line, row in rows:
        out[cust]["missed_resolutions"].append(
            {
                "id": ident,
                "cycle": cycle,
                "started": start,
                "deadline": due,
                "resolved": end,
                "target_line": line,
                "row": row,
            }
        )
    if clocks.risk is not None:
        _risk_lines(policy, tickets, results, out)
    upd = np.flatnonzero((clocks.missed_updates > 0) & plain)
    for p, n_missed in zip(upd.tolist(), clocks.missed_updates[upd].tolist(), strict=True):
        t = int(results.index[p])
        out[int(results.customer[p])]["missed_updates"].append(
            {
                "id": str(tickets.id[t]),
                "count": n_missed,
                "target_line": int(clocks.upd_line[p]),
                "row": int(tickets.row[t]),
            }
        )
    return out


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
        results.customer[pos].tolist(), tickets.id[tix].tolist(), kind.tolist(), _iso_or_none(due, policy.zone),
        used.tolist(), allowed.tolist(), tickets.row[tix].tolist(), strict=True,
    )  # fmt: skip
    for cust, ident, k, deadline, u, a, row in rows:
        out[cust]["at_risk"].append(
            {
                "id": ident,
                "target": TARGETS[k],
                "deadline": deadline,
                "used_seconds": u // 1_000_000 if u % 1_000_000 == 0 else u / 1_000_000,
                "left_seconds": (a - u) // 1_000_000 if (a - u) % 1_000_000 == 0 else (a - u) / 1_000_000,
                "row": row,
            }
        )


def missed_counts(entry: dict[str, Any]) -> dict[str, int]:
    """A customer's misses by target, for `per missed resolution|update` credits."""
    return {
        "resolution": len(entry.get("missed_resolutions", ())),
        "update": sum(u["count"] for u in entry.get("missed_updates", ())),
    }


def missed_ids(entry: dict[str, Any]) -> dict[str, list[str]]:
    """The tickets behind a customer's missed resolutions and updates, for the credit lines."""
    return {
        "resolution": list(dict.fromkeys(m["id"] for m in entry.get("missed_resolutions", ()))),
        "update": [u["id"] for u in entry.get("missed_updates", ())],
    }


def _iso_or_none(us: np.ndarray, zone: Any) -> list[str | None]:
    out: list[str | None] = [None] * len(us)
    real = us != MISSING
    never = us == np.iinfo(np.int64).max
    ok = real & ~never
    for k, text in zip(np.flatnonzero(ok).tolist(), iso_many(us[ok], zone), strict=True):
        out[k] = text
    return out
