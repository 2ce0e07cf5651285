"""Building the suite's files: contracts compiled once per file, cases with their oracle expectations.

Used by generate.py. A case's `expected` comes from the oracle (oracle.py) and nothing else; a
hand-written case also carries `hand` (the values worked out by hand, arithmetic in `comment`)
and the oracle must agree with them, or generation stops.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

from slac.driver import compile_policy
from slac.runtime.events import MISSING, UPDATE, Events

from .oracle import expected
from .project import canonical

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def subset(hand: Any, full: Any, path: str = "") -> list[str]:
    """Where `hand` (a partial projection) is not contained in `full`."""
    if isinstance(hand, dict):
        if not isinstance(full, dict):
            return [f"{path}: {hand!r} vs {full!r}"]
        out = []
        for k, v in hand.items():
            out += subset(v, full.get(k, "<absent>"), f"{path}.{k}")
        return out
    if isinstance(hand, list) and isinstance(full, list) and len(hand) == len(full):
        return [x for a, b in zip(hand, full, strict=True) for x in subset(a, b, path + "[]")]
    return [] if hand == full else [f"{path}: hand {hand!r}, oracle {full!r}"]


class SuiteFile:
    """One feature's file: its shared policies and its groups of cases."""

    def __init__(self, feature: str, description: str) -> None:
        self.feature = feature
        self.doc: dict[str, Any] = {"feature": feature, "description": description, "policies": {}, "groups": []}
        self.ids: set[str] = set()
        self.left_out: list[tuple[str, str]] = []

    def policy(self, name: str, source: str, *, compiled: dict[str, Any] | None = None) -> str:
        if name not in self.doc["policies"]:
            policy = compiled if compiled is not None else compile_policy(source, file=f"{name}.sla")
            self.doc["policies"][name] = {"contract": source.strip("\n").split("\n"), "policy": policy}
        return name

    def group(self, description: str) -> list[dict[str, Any]]:
        cases: list[dict[str, Any]] = []
        self.doc["groups"].append({"description": description, "cases": cases})
        return cases

    def case(
        self, group: list[dict[str, Any]], ident: str, description: str, *, clause: str, policy: str, period: str,
        events: dict[str, list[dict[str, Any]]], as_of: str | None = None, comment: str | None = None,
        hand: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        from .oracle import OracleLacks

        assert ident not in self.ids, ident
        self.ids.add(ident)
        shared = self.doc["policies"][policy]
        assert squash(clause) in squash("\n".join(shared["contract"])), (ident, clause)
        try:
            want = canonical(expected(shared["policy"], events, period, as_of))
        except OracleLacks as e:
            self.left_out.append((ident, str(e)))
            return
        if VALIDATE:
            _readable(shared["policy"], events, f"{self.feature}/{ident}")
        if hand is not None:
            wrong = subset(hand, want)
            assert not wrong, (f"{self.feature}/{ident}", wrong)
        data: dict[str, Any] = {"id": ident, "description": description, "clause": squash(clause)}
        if comment:
            data["comment"] = comment
        data |= {"policy": policy, "period": period, "as_of": as_of, "events": events}
        if hand is not None:
            data["hand"] = hand
        data["expected"] = want
        group.append(data)


VALIDATE = False  # generate.py sets it: every case's files must pass slac's event readers


def _readable(policy: dict[str, Any], tables: dict[str, list[dict[str, Any]]], ident: str) -> None:
    """The case's CSV files are valid input (slac's readers accept them); only the inputs are checked here."""
    import tempfile
    from pathlib import Path

    from slac.runtime import load_policy
    from slac.runtime.engines import Inputs, read_events_any

    from .tables import write_csv

    with tempfile.TemporaryDirectory() as tmp:
        p = write_csv(tables, Path(tmp))
        inputs = Inputs(p["customers"], p["incidents"], p.get("tickets"), p.get("charges"), p.get("requests"),
                        p.get("ticket_events"))  # fmt: skip
        try:
            read_events_any(load_policy(policy), inputs)
        except Exception as e:
            raise AssertionError(f"{ident}: the generated events are not valid input: {e}") from None


def iso(value: int, zone: zoneinfo.ZoneInfo) -> str:
    return (_EPOCH + timedelta(microseconds=value)).astimezone(zone).isoformat()


def event_rows(policy: dict[str, Any], events: Events, *, v2: bool) -> dict[str, list[dict[str, Any]]]:
    """Events tables (as the runtime's example reader builds them) as the suite's rows."""
    zone = zoneinfo.ZoneInfo(policy["timezone"] or "UTC")

    def t(x: int) -> str | None:
        return None if x == MISSING else iso(int(x), zone)

    c = events.customers
    customers = []
    for k in range(len(c.id)):
        row: dict[str, Any] = {"customer": c.id[k], "tier": c.tier[k], "fee": str(c.fee[k])}
        row |= {name: bool(col[k]) for name, col in c.conditions.items()}
        customers.append(row)
    tk = events.tickets
    resolved = tk.resolved
    tickets = [
        {"id": tk.id[k], "customer": tk.customer[k], "priority": tk.priority[k], "opened_at": t(tk.opened[k]),
         "responded_at": t(tk.responded[k]), "outage": bool(tk.outage[k]), "cause": tk.cause[k],
         "resolved_at": None if resolved is None else t(resolved[k])}
        for k in range(len(tk.id))
    ]  # fmt: skip
    i = events.incidents
    incidents = [
        {"id": i.id[k], "start": t(i.start[k]), "end": t(i.end[k]), "cause": i.cause[k],
         "announced_at": t(i.announced[k]), "customers": list(i.customers[k]) if i.customers[k] else None,
         "service": None if i.service is None else i.service[k], "region": None if i.region is None else i.region[k]}
        for k in range(len(i.id))
    ]  # fmt: skip
    out: dict[str, list[dict[str, Any]]] = {"customers": customers, "tickets": tickets, "incidents": incidents}
    if v2:
        ch = events.charges
        out["charges"] = [] if ch is None else [
            {"customer": ch.customer[k], "service": ch.service[k], "region": ch.region[k], "amount": str(ch.amount[k])}
            for k in range(len(ch.customer))
        ]  # fmt: skip
        rq = events.requests
        out["requests"] = [] if rq is None else [
            {"service": rq.service[k], "region": rq.region[k], "start": t(rq.start[k]), "total": int(rq.total[k]),
             "failed": int(rq.failed[k])}
            for k in range(len(rq.start))
        ]  # fmt: skip
    te = events.ticket_events
    if te is not None:
        out["ticket_events"] = [
            {"ticket": tk.id[int(te.ticket[k])], "at": t(te.at[k]),
             "event": "update" if te.kind[k] == UPDATE else f"status:{te.status[k]}"}
            for k in range(len(te.at))
        ]  # fmt: skip
    return out
