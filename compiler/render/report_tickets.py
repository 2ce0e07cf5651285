"""The report's ticket-clock lines (issue 12) in Markdown: missed resolutions, missed updates, at-risk tickets.

Only what the report has: a customer entry without these keys (a contract without resolution or
update targets, without `warn at`) renders nothing here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Table = Callable[[Any, Any], list[str]]


def clock_lines(
    c: Mapping[str, Any], t: Callable[..., str], duration: Callable[[Any], str], esc: Callable[[str], str], table: Table
) -> list[str]:
    """The lines, with the report's own escaping and table helpers (passed in: `report` imports this module)."""
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
            f"- {t('clocks_updates_line', id=_esc(u['id']), count=u['count'], line=u['target_line'])}" for u in updates
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
