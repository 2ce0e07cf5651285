"""Small builders of event rows for the generators (timestamps are ISO 8601 strings with offsets)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

CONTRACTS = Path(__file__).resolve().parent / "contracts"


def contract(name: str) -> str:
    return (CONTRACTS / f"{name}.sla").read_text(encoding="utf-8")


def at(text: str, **delta: float) -> str:
    """`text` (ISO 8601 with offset) moved by `timedelta(**delta)`, in the same offset."""
    return (datetime.fromisoformat(text) + timedelta(**delta)).isoformat()


def customer(ident: str, tier: str, fee: str | int, **conditions: bool) -> dict[str, Any]:
    return {"customer": ident, "tier": tier, "fee": str(fee), **conditions}


def ticket(
    ident: str, who: str, priority: str, opened: str, responded: str | None = None, *, outage: bool = False,
    cause: str | None = None, resolved: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {"id": ident, "customer": who, "priority": priority, "opened_at": opened, "responded_at": responded,
            "outage": outage, "cause": cause, "resolved_at": resolved}  # fmt: skip


def incident(
    ident: str, start: str, end: str, *, cause: str | None = None, announced: str | None = None,
    customers: list[str] | None = None, service: str | None = None, region: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {"id": ident, "start": start, "end": end, "cause": cause, "announced_at": announced,
            "customers": customers, "service": service, "region": region}  # fmt: skip


def events(
    customers: list[dict[str, Any]], tickets: list[dict[str, Any]] | None = None,
    incidents: list[dict[str, Any]] | None = None, *, charges: list[dict[str, Any]] | None = None,
    requests: list[dict[str, Any]] | None = None, ticket_events: list[dict[str, Any]] | None = None,
    v2: bool = False,
) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
    out: dict[str, list[dict[str, Any]]] = {
        "customers": customers,
        "tickets": tickets or [],
        "incidents": incidents or [],
    }
    if v2:
        out["charges"] = charges or []
        out["requests"] = requests or []
    if ticket_events is not None:
        out["ticket_events"] = ticket_events
    return out
