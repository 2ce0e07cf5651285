"""The report's ticket-clock lines (issue 12) in Markdown: missed resolutions, missed updates, at-risk tickets.

Only what the report has: a customer entry without these keys (a contract without resolution or
update targets, without `warn at`) renders nothing here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Table = Callable[[Any, Any], list[str]]


def entry_has_clocks(c: Mapping[str, Any]) -> bool:
    """Whether a customer's entry has resolution or update targets measured (issue 12)."""
    return "missed_resolutions" in c or "missed_updates" in c


def clock_lines(
    c: Mapping[str, Any],
    t: Callable[..., str],
    duration: Callable[[Any], str],
    esc: Callable[[str], str],
    table: Table,
    plural: Callable[..., str],
) -> list[str]:
    """The lines, with the report's own strings (`t`, `plural`), escaping and table helpers (passed in:
    `report` imports this module)."""
    _esc, _table = esc, table
    out: list[str] = []
    missed = c.get("missed_resolutions")
    if missed:
        out += ["", f"### {t('clocks_resolutions')}", ""]
        head = (t("breach_id"), t("clocks_cycle"), t("clocks_started"), t("breach_deadline"), t("clocks_resolved"))
        rows = [
            (
                _esc(m["id"]),
                str(m["cycle"]),
                m["started"],
                m["deadline"] or "—",
                m["resolved"] or t("clocks_not_resolved"),
            )
            for m in missed
        ]
        out += _table(head, rows)
    updates = c.get("missed_updates")
    if updates:
        out += ["", f"### {t('clocks_updates')}", ""]
        out += [
            f"- {plural('clocks_updates_line', u['count'], id=_esc(u['id']), count=u['count'], line=u['target_line'])}"
            for u in updates
        ]
    risk = c.get("at_risk")
    if risk:
        out += ["", f"### {t('clocks_at_risk')}", ""]
        risk_head = (t("breach_id"), t("clocks_target"), t("breach_deadline"), t("clocks_left"))
        risk_rows = [
            (_esc(r["id"]), t(f"clocks_target_{r['target']}"), r["deadline"] or "—", duration(r["left_seconds"]))
            for r in risk
        ]
        out += _table(risk_head, risk_rows)
    return out


# ---- CSV --------------------------------------------------------------------------------------

# Added after a CSV report's own columns when the report has resolution or update targets (a report
# without them keeps its columns as they were). Per customer: the misses, the tickets behind them,
# and the per-miss credit they earn before the cap (each × count = credit, as in the report's
# credit lines; several per-miss credits of one target are joined with `;` in `each`).
CLOCK_COLUMNS = (
    "missed_resolutions",
    "missed_resolution_tickets",
    "missed_resolution_each",
    "missed_resolution_credit",
    "missed_updates",
    "missed_update_tickets",
    "missed_update_each",
    "missed_update_credit",
)


def has_clocks(report: Mapping[str, Any]) -> bool:
    """Whether a report's customer entries have missed resolutions or updates (the policy has such targets)."""
    return any(entry_has_clocks(c) for c in report["customers"])


def clock_cells(c: Mapping[str, Any]) -> tuple[str, ...]:
    """The `CLOCK_COLUMNS` of one customer entry; a target the policy does not have: empty cells."""
    from decimal import Decimal

    out: list[str] = []
    for target, key in (("resolution", "missed_resolutions"), ("update", "missed_updates")):
        missed = c.get(key)
        if missed is None:
            out += ["", "", "", ""]
            continue
        if target == "resolution":
            count, tickets = len(missed), len(dict.fromkeys(m["id"] for m in missed))
        else:
            count, tickets = sum(u["count"] for u in missed), len(missed)
        lines = [x for x in c["credits"] if x["kind"] == "per_miss" and x.get("target") == target]
        each = ";".join(x["each_amount"] for x in lines)
        credit = lines[0]["amount"] if len(lines) == 1 else format(sum(Decimal(x["amount"]) for x in lines), "f")
        out += [str(count), str(tickets), each, credit if lines else ""]
    return tuple(out)
