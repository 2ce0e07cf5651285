"""The report of a language-v2 evaluation (report format 1.1): per customer its scopes, each with its own
uptime, downtime, credit lines, cap and termination right; CSV has one row per customer and scope."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .report import _esc, _Markdown, _money, _Names, _table, catalogue, render_report
from .report_tickets import clock_lines, entry_has_clocks

CSV_COLUMNS_V2 = (
    "period",
    "customer",
    "tier",
    "currency",
    "fee",
    "service",
    "region",
    "charges",
    "uptime_percent",
    "uptime_fraction",
    "uptime_target",
    "uptime_met",
    "downtime_counted_seconds",
    "error_rate_intervals",
    "scope_credit_lines",
    "scope_subtotal",
    "termination_right",
    "customer_subtotal",
    "minimum_credit_applied",
    "total",
    "claim_last_day",
)


def render_any(report: dict[str, Any], *, fmt: str, lang: str = "en", policy: Mapping[str, Any] | None = None) -> bytes:
    """`report.render_report` for a report of either format: a v2 report (1.1) per customer and scope."""
    if fmt == "json" or not is_v2(report):
        return render_report(report, fmt=fmt, lang=lang, policy=policy)
    if fmt == "csv":
        return to_csv_v2(report).encode("utf-8")
    return to_markdown_v2(report, lang=lang, policy=policy).encode("utf-8")


def is_v2(report: Mapping[str, Any]) -> bool:
    return any("scopes" in c for c in report["customers"]) or report.get("format_version") == "1.1"


def to_csv_v2(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    from .report_tickets import CLOCK_COLUMNS, clock_cells, has_clocks  # issue 12: ticket-clock columns

    clocked = has_clocks(report)
    writer.writerow(CSV_COLUMNS_V2 + CLOCK_COLUMNS if clocked else CSV_COLUMNS_V2)
    for c in report["customers"]:
        claim = c.get("claim") or {}
        minimum = c.get("minimum_credit")
        clock = clock_cells(c) if clocked else ()  # the customer's, on each of its scope rows
        for s in c["scopes"]:
            up = s["uptime"]
            writer.writerow(
                (
                    report["period"], c["customer"], c["tier"], c["currency"], c["fee"],
                    s["service"] or "", s["region"] or "", s["charges"] or "",
                    up["display"], up["fraction"], up["target"] or "", _flag(up["met"]),
                    s["downtime"]["counted_seconds"], s["downtime"]["error_rate_intervals"],
                    len(s["credits"]), s["subtotal"],
                    _flag(s["termination"]["right"]) if s["termination"] else "",
                    c["subtotal"], _flag(minimum["applied"]) if minimum else "", c["total"],
                    claim.get("last_day") or "",
                )
                + clock
            )  # fmt: skip
    return out.getvalue()


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def to_markdown_v2(report: Mapping[str, Any], *, lang: str, policy: Mapping[str, Any] | None) -> str:
    return _MarkdownV2(catalogue(lang), _Names(policy, lang), policy or {}).report(report)


class _MarkdownV2(_Markdown):
    def __init__(self, c: Any, names: _Names, policy: Mapping[str, Any]) -> None:
        super().__init__(c, names)
        self.services = {s["id"]: s.get("name") for s in policy.get("services", [])}
        # A condition by its own text in the report's language (its id otherwise); credits by name (_Names).
        self.conditions = {x["id"]: x.get("text") for x in policy.get("conditions", [])}

    def credit_name(self, ident: str) -> str:
        return _esc(self.names.credit(ident))

    def condition_text(self, ident: str) -> str:
        return _esc((self.conditions.get(ident) or {}).get(self.names.lang) or ident)

    def credit_line(self, x: Mapping[str, Any], cur: str) -> str:
        """A scope's credit line from its parts, in the report's language: why it is owed, and how much."""
        if x["kind"] == "per_miss":
            return self.basis(x, cur) + " = " + _money(x["amount"], cur)
        key = (
            "v2_band_basis"
            + ("_inclusive" if x.get("inclusive") else "")
            + ("_target" if x["threshold_is_target"] else "")
        )
        band = self.amount(x["band"])
        return self.c.t(key, uptime=x["uptime"], threshold=x["threshold"], band=band, amount=_money(x["amount"], cur))

    def scope_name(self, s: Mapping[str, Any]) -> str:
        names = self.services.get(s["service"])
        label = (names or {}).get(self.names.lang) or s["service"] or self.c.t("v2_the_service")
        return _esc(label) + (f" · {_esc(s['region'])}" if s["region"] else "")

    def summary(self, customers: Sequence[Mapping[str, Any]]) -> list[str]:
        t = self.c.t
        if not customers:
            return [t("no_customers"), ""]
        head = (t("customer"), t("v2_scope"), t("uptime"), t("v2_scope_credit"), t("total"))
        rows = []
        for c in customers:
            cur = c["currency"]
            own = [[self.scope_name(s), f"{s['uptime']['display']}%", _money(s["subtotal"], cur)] for s in c["scopes"]]
            tickets = [x for x in c["credits"] if x["kind"] == "per_miss"]
            if tickets:  # a ticket belongs to no scope: its credit lines have a row of their own
                amount = sum((Decimal(x["amount"]) for x in tickets), Decimal(0))
                own.append([t("v2_ticket_credits"), "—", _money(format(amount, "f"), cur)])
            for k, cells in enumerate(own):
                rows.append(
                    (_esc(c["customer"]) if k == 0 else "", *cells, f"**{_money(c['total'], cur)}**" if k == 0 else "")
                )
        return _table(head, rows, right=(2, 3, 4))

    def customer(self, c: Mapping[str, Any]) -> list[str]:
        t = self.c.t
        out = [f"## {t('customer_heading', customer=_esc(c['customer']))}", ""]
        out += [
            self.item(t("tier"), _esc(self.names.tier(c["tier"]))),
            self.item(t("v2_fee"), _money(c["fee"], c["currency"])),
        ]
        unmet = [name for name, ok in (c.get("conditions") or {}).items() if not ok]
        if unmet:
            out.append(self.item(t("v2_conditions_unmet"), t("list_sep").join(self.condition_text(u) for u in unmet)))
        for s in c["scopes"]:
            out += self.scope(c, s)
        if c["tickets"] and c["tickets"]["measured"]:
            out += self.tickets(c["tickets"], c["breaches"], entry_has_clocks(c))
        out += clock_lines(
            c, t, self.duration, _esc, _table, self.c.plural
        )  # issue 12: missed resolutions and updates, at risk
        out += ["", f"### {t('credits')}", ""]
        out += self.credits_v2(c)
        return out

    def scope(self, c: Mapping[str, Any], s: Mapping[str, Any]) -> list[str]:
        t, cur = self.c.t, c["currency"]
        out = ["", f"### {t('v2_scope_heading', scope=self.scope_name(s))}", ""]
        if s["charges"] is not None:
            out.append(self.item(t("v2_charges"), _money(s["charges"], cur)))
        out.append(self.uptime(s["uptime"]))
        d = s["downtime"]
        out.append(self.item(t("downtime_counted"), self.duration(d["counted_seconds"])))
        for e in d["excluded"]:
            cause = _esc(self.names.cause(e["cause"])) if e["cause"] else t("no_cause")
            out.append(
                "- "
                + t(
                    "downtime_excluded",
                    cause=cause,
                    reason=self.reason(e["reason"]),
                    duration=self.duration(e["seconds"]),
                )
            )
        if d["error_rate_intervals"]:
            out.append(self.item(t("v2_error_intervals"), str(d["error_rate_intervals"])))
        out.append(self.item(t("incidents_own"), self.ids(d["incidents"])))
        out.append(self.item(t("incidents_platform"), str(d["platform_incidents"])))
        for x in s["credits"]:
            out.append(self.item(self.credit_name(x["credit"]) + self.line(x["line"]), self.credit_line(x, cur)))
        if s["conditions_unmet"]:
            texts = t("list_sep").join(self.condition_text(u) for u in s["conditions_unmet"])
            out.append(self.item(t("v2_not_owed"), t("v2_condition_unmet", conditions=texts)))
        if s["cap"] is not None and "span" in s["cap"]:  # a cap over a longer span: say what was used of it
            out.append(self.item(t("v2_scope_cap"), self.cap(s["cap"], cur)))
        out.append(self.item(t("v2_scope_credit"), _money(s["subtotal"], cur)))
        if s["termination"] and s["termination"]["right"]:
            months = ", ".join(f"{m['month']} {m['uptime']}%" for m in s["termination"]["months"])
            out.append(
                self.item(
                    t("v2_termination"), t("v2_termination_right", months=months) + self.line(s["termination"]["line"])
                )
            )
        return out

    def cap(self, cap: Mapping[str, Any], cur: str) -> str:
        """The cap line; a cap over a longer span than the window says how much of it the earlier windows used."""
        t = self.c.t
        text = self.cap_reached(cap, cur)
        if "span" in cap:
            span = t(f"v2_span_{cap['span']}")
            if cap["windows_before"]:
                windows = t("list_sep").join(cap["windows_before"])
                used, left = _money(cap["used_before"], cur), _money(cap["remaining"], cur)
                text += "; " + t("v2_cap_span", span=span, used=used, windows=windows, remaining=left)
            else:
                text += "; " + t("v2_cap_span_first", span=span)
        return text + self.line(cap["line"])

    def credits_v2(self, c: Mapping[str, Any]) -> list[str]:
        t, cur = self.c.t, c["currency"]
        out = []
        for x in c["credits"]:
            out.append(self.item(self.credit_name(x["credit"]) + self.line(x["line"]), self.basis(x, cur)))
        cap = c.get("cap")
        if cap is not None:
            out.append(self.item(t("cap"), self.cap(cap, cur)))
        minimum = c.get("minimum_credit")
        if minimum is not None:
            key = "v2_minimum_applied" if minimum["applied"] else "v2_minimum_not_applied"
            out.append(
                self.item(t("v2_minimum"), t(key, amount=_money(minimum["amount"], cur)) + self.line(minimum["line"]))
            )
        out.append(self.item(t("total"), f"**{_money(c['total'], cur)}**"))
        if c.get("claim") is not None:
            out.append(self.claim_v2(c["claim"]))
        if c.get("payout") is not None:
            out.append(self.payout(c["payout"]))
        return out

    def claim_v2(self, claim: Mapping[str, Any]) -> str:
        t = self.c.t
        parts = [t("claim_required") if claim["required"] else t("claim_not_required")]
        if claim.get("last_day"):
            parts.append(t("v2_claim_last_day", day=claim["last_day"]))
        via = self.names.channel(claim["channel"]) if claim.get("channel") else claim.get("address")
        if via:
            parts.append(t("claim_via", channel=_esc(via)))
        return self.item(t("claim"), t("list_sep").join(parts) + self.line(claim["line"]))

    def amount(self, amount: Mapping[str, Any], per_miss: bool = False) -> str:
        if "service_days" in amount:
            n = amount["service_days"]
            return self.c.plural("v2_service_days", Decimal(n), n=n)
        if "formula" in amount:
            return f"`{amount['text']}`"
        return super().amount(amount, per_miss)
