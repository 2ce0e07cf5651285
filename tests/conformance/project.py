"""The projection of an engine's report (README.md, "The projection"): what a conformance case compares."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .tables import iso_utc, us


def _utc(text: str | None) -> str | None:
    return None if text is None else iso_utc(us(text))


def _seconds(value: float | int) -> str:
    return format(Decimal(repr(value)).normalize(), "f")


def project(report: dict[str, Any]) -> dict[str, Any]:
    """Per customer: scopes (downtime, uptime), response breaches, missed resolutions and updates, total, claim."""
    customers = {}
    for entry in report["customers"]:
        if entry.get("scopes"):
            scopes = [
                {"service": s["service"], "region": s["region"],
                 "downtime_seconds": _seconds(s["downtime"]["counted_seconds"]), "uptime": s["uptime"]["fraction"]}
                for s in entry["scopes"]
            ]  # fmt: skip
            scopes.sort(key=lambda s: (s["service"] or "", s["region"] or ""))
        else:
            scopes = [
                {"service": None, "region": None, "downtime_seconds": _seconds(entry["downtime"]["counted_seconds"]),
                 "uptime": entry["uptime"]["fraction"]}
            ]  # fmt: skip
        missed: dict[str, list[tuple[int, str | None]]] = {}
        for m in entry.get("missed_resolutions", []):
            missed.setdefault(m["id"], []).append((m["cycle"], _utc(m["deadline"])))
        claim = entry.get("claim") or {}
        customers[entry["customer"]] = {
            "scopes": scopes,
            "breaches": {b["id"]: _utc(b["deadline"]) for b in sorted(entry["breaches"], key=lambda b: b["id"])},
            "missed_resolutions": {k: [d for _, d in sorted(v)] for k, v in sorted(missed.items())},
            "missed_updates": {
                u["id"]: u["count"] for u in sorted(entry.get("missed_updates", []), key=lambda u: u["id"])
            },
            "total": entry["total"],
            "termination": bool(entry.get("termination_right")),
            "claim_deadline": _utc(claim.get("deadline")),
        }
    return {"customers": customers}


def canonical(projection: dict[str, Any]) -> dict[str, Any]:
    """Key order fixed (customers and ticket ids sorted) so two projections compare and print alike."""
    out = {}
    for cid in sorted(projection["customers"]):
        c = projection["customers"][cid]
        out[cid] = {
            "scopes": c["scopes"],
            "breaches": dict(sorted(c["breaches"].items())),
            "missed_resolutions": dict(sorted(c["missed_resolutions"].items())),
            "missed_updates": dict(sorted(c["missed_updates"].items())),
            "total": c["total"],
            "termination": c["termination"],
            "claim_deadline": c["claim_deadline"],
        }
    return {"customers": out}
