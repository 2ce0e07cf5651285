"""Evaluation report as a CSV summary (one row per customer) or a Markdown report in Chinese or English.

Both read only the JSON-ready report dict of `slac.runtime.evaluate.evaluate` (shape:
`schema/report.schema.json`); `render_report` picks JSON, CSV or Markdown for `slac evaluate`.
The Markdown report uses the renderer's own presentation stack: its sentences are the catalogue
`templates/strings/report.{zh,en}.toml` (identical keys), read by `strings.load_report`;
durations come from the document formatter (`formats.Formatter.short_duration`) and user data
(customer and ticket ids, causes) is escaped by `markup.md_escape`, so a value cannot break a
Markdown table or inject markup. Output is deterministic: same report, same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from ..runtime.report_json import json_chunks
from .formats import Formatter
from .markup import md_escape
from .strings import Catalogue, load, load_report

__all__ = ["LANGUAGES", "CSV_COLUMNS", "render_report", "json_chunks", "to_csv", "to_markdown", "strings"]

LANGUAGES = ("en", "zh")

CSV_COLUMNS = (
    "period",
    "customer",
    "tier",
    "currency",
    "fee",
    "uptime_percent",
    "uptime_fraction",
    "uptime_target",
    "uptime_met",
    "downtime_counted_seconds",
    "tickets_opened",
    "tickets_measured",
    "tickets_met",
    "tickets_breached",
    "tickets_open",
    "credit_lines",
    "subtotal",
    "cap_limit",
    "cap_applied",
    "total",
    "claim_required",
    "claim_deadline",
    "payout",
)


def render_report(
    report: dict[str, Any], *, fmt: str, lang: str = "en", policy: Mapping[str, Any] | None = None
) -> bytes:
    """The report as UTF-8 bytes: JSON (key order as built, 2-space indent), CSV or Markdown in `lang`.

    With `policy` (its dict), the Markdown report names tiers, priorities and channels. Bytes,
    because orjson writes bytes: decoding a 100 MB report only to encode it again for the file
    costs more CPU than writing the JSON.
    """
    if fmt == "json":
        return b"".join(json_chunks(report))
    if fmt == "csv":
        return to_csv(report).encode("utf-8")
    return to_markdown(report, lang=lang, policy=policy).encode("utf-8")


def catalogue(lang: str) -> Catalogue:
    """The report catalogue of one language (`en`, `zh`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no report strings for language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return load_report(lang)


def strings(lang: str) -> Mapping[str, str]:
    """The report strings of one language (`en`, `zh`), as written in the catalogue."""
    return catalogue(lang).strings


# ---- CSV -------------------------------------------------------------------------------------


def to_csv(report: Mapping[str, Any]) -> str:
    """One row per customer with the figures a billing system needs; machine-readable, no prose."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    from .report_tickets import CLOCK_COLUMNS, clock_cells, has_clocks  # issue 12: ticket-clock columns

    clocked = has_clocks(report)
    writer.writerow(CSV_COLUMNS + CLOCK_COLUMNS if clocked else CSV_COLUMNS)
    for c in report["customers"]:
        uptime, downtime, tickets = c["uptime"], c["downtime"], c["tickets"]
        cap, claim, payout = c.get("cap"), c.get("claim"), c.get("payout")
        writer.writerow(
            (
                report["period"],
                c["customer"],
                c["tier"],
                c["currency"],
                c["fee"],
                uptime["display"],
                uptime["fraction"],
                _cell(uptime["target"]),
                _cell(uptime["met"]),
                _seconds(downtime["counted_seconds"]),
                tickets["opened"],
                tickets["measured"],
                tickets["met"],
                tickets["breached"],
                tickets["open"],
                len(c["credits"]),
                c["subtotal"],
                _cell(cap["limit"] if cap else None),
                _cell(cap["applied"] if cap else None),
                c["total"],
                _cell(claim["required"] if claim else None),
                _cell(claim["deadline"] if claim else None),
                _cell(" ".join(x for x in (payout["form"], payout["when"]) if x) if payout else None),
            )
            + (clock_cells(c) if clocked else ())
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _seconds(value: float | int) -> str:
    """Seconds as written in the report (µs precision), without a float's trailing noise."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


# ---- Markdown --------------------------------------------------------------------------------


def to_markdown(report: Mapping[str, Any], *, lang: str = "en", policy: Mapping[str, Any] | None = None) -> str:
    """The report for people: a summary table, then per customer uptime, downtime, breaches and credits.

    With `policy` (its dict), tiers and channels are shown by their names in `lang`.
    """
    return _Markdown(catalogue(lang), _Names(policy, lang)).report(report)


class _Markdown:
    """The Markdown report in one language: the report catalogue `c`, the formatter `f`."""

    def __init__(self, c: Catalogue, names: _Names) -> None:
        self.c = c
        self.f = Formatter(load(c.lang))
        self.names = names

    # -- small pieces -----------------------------------------------------------------------
    def item(self, label: str, value: str) -> str:
        return "- " + self.c.t("item", label=f"**{label}**", value=value)

    def paren(self, text: str) -> str:
        return self.c.t("paren", text=text)

    def line(self, line: object) -> str:
        """` (contract line 12)`."""
        return self.paren(self.c.t("contract_line", line=line))

    def reason(self, reason: str | None) -> str:
        return self.c.get(f"reason_{reason}", reason or "")

    def duration(self, seconds: float | int) -> str:
        return self.f.short_duration(seconds)

    def cap_reached(self, cap: Mapping[str, Any], cur: str) -> str:
        """What the cap came to and whether it applied; the contract's term beside it unless that is the same money."""
        limit, term = _money(cap["limit"], cur), self.amount(cap["amount"])
        key = "cap_applied" if cap["applied"] else "cap_not_applied"
        if term == limit:
            return self.c.t(f"{key}_money", limit=limit)
        return self.c.t(key, limit=limit, amount=term)

    def amount(self, amount: Mapping[str, Any], per_miss: bool = False) -> str:
        """An amount in words; `per_miss`: a per-miss line's, whose `service_charges` are every scope's charges."""
        if "share" in amount:
            name = amount["basis"] + ("_total" if per_miss and amount["basis"] == "service_charges" else "")
            basis = self.c.get(f"basis_{name}", amount["basis"])
            return self.c.t("share_of", share=amount["share"], basis=basis)
        return _money(amount["money"], amount["currency"])

    def ids(self, ids: Sequence[str]) -> str:
        return self.c.t("list_sep").join(_esc(i) for i in ids) if ids else self.c.t("none")

    def priority(self, breach: Mapping[str, Any]) -> str:
        given, effective = breach["priority"], breach["effective_priority"]
        if given == effective:
            return _esc(self.names.priority(given))
        return _esc(self.names.priority(effective)) + self.paren("← " + _esc(self.names.priority(given)))

    # -- the report -------------------------------------------------------------------------
    def report(self, report: Mapping[str, Any]) -> str:
        t = self.c.t
        contract = report["contract"]
        title = _pick(contract.get("title"), self.names.lang)
        lines = [f"# {t('heading', title=t('title'), contract=_esc(title or contract['id']))}", ""]
        meta = [
            (t("contract"), f"{_esc(contract['id'])} {_esc(contract.get('version') or '')}".rstrip()),
            (
                t("period"),
                f"{report['period']} — " + t("period_span", start=report["period_start"], end=report["period_end"]),
            ),
            (t("as_of"), report["as_of"]),
            (t("policy"), f"`{report['policy_hash']}`"),
        ]
        lines += [self.item(k, v) for k, v in meta]
        lines += ["", f"## {t('summary')}", ""]
        lines += self.summary(report["customers"])
        lines += self.platform(report.get("platform_incidents") or [])
        for c in report["customers"]:
            lines += self.customer(c) + [""]
        return "\n".join(lines).rstrip("\n") + "\n"

    def summary(self, customers: Sequence[Mapping[str, Any]]) -> list[str]:
        t = self.c.t
        if not customers:
            return [t("no_customers"), ""]
        head = (t("customer"), t("tier"), t("fee"), t("uptime"), t("breaches"), t("subtotal"), t("total"))
        rows = [
            (
                _esc(c["customer"]),
                _esc(self.names.tier(c["tier"])),
                _money(c["fee"], c["currency"]),
                f"{c['uptime']['display']}%",
                str(c["tickets"]["breached"]),
                _money(c["subtotal"], c["currency"]),
                f"**{_money(c['total'], c['currency'])}**",
            )
            for c in customers
        ]
        return _table(head, rows, right=(2, 3, 4, 5, 6))

    def platform(self, incidents: Sequence[Mapping[str, Any]]) -> list[str]:
        if not incidents:
            return []
        t = self.c.t
        columns = (
            t("incident_id"),
            t("incident_start"),
            t("incident_end"),
            t("incident_cause"),
            t("incident_length"),
            t("incident_counted"),
        )
        rows = [
            (
                _esc(i["id"]),
                i["start"],
                i["end"],
                _esc(i["cause"] or ""),
                self.duration(i["seconds"]),
                t("yes") if i["counted"] else t("no") + self.paren(self.reason(i["reason"])),
            )
            for i in incidents
        ]
        return [f"## {t('platform_heading')}", "", *_table(columns, rows, right=(4,))]

    def customer(self, c: Mapping[str, Any]) -> list[str]:
        t = self.c.t
        out = [f"## {t('customer_heading', customer=_esc(c['customer']))}", ""]
        out += [
            self.item(t("tier"), _esc(self.names.tier(c["tier"]))),
            self.item(t("fee"), _money(c["fee"], c["currency"])),
        ]
        out.append(self.uptime(c["uptime"]))
        out += self.downtime(c["downtime"])
        from .report_tickets import clock_lines, entry_has_clocks

        out += self.tickets(c["tickets"], c["breaches"], entry_has_clocks(c))

        out += clock_lines(
            c, self.c.t, self.duration, _esc, _table, self.c.plural
        )  # issue 12, only when the report has them
        out += self.credits(c)
        return out

    def uptime(self, u: Mapping[str, Any]) -> str:
        t = self.c.t
        if u["target"] is None:
            verdict = t("uptime_none")
        else:
            result = t("uptime_met") if u["met"] else t("uptime_missed")
            verdict = t("uptime_verdict", label=t("uptime_target"), target=u["target"], result=result)
            if u.get("line"):
                verdict += self.line(u["line"])
        text = t("uptime_line", display=u["display"], exact=t("uptime_exact"), fraction=u["fraction"], verdict=verdict)
        return self.item(t("uptime"), text)

    def downtime(self, d: Mapping[str, Any]) -> list[str]:
        t = self.c.t
        out = ["", f"### {t('downtime')}", "", self.item(t("downtime_counted"), self.duration(d["counted_seconds"]))]
        for e in d["excluded"]:
            cause = _esc(self.names.cause(e["cause"])) if e["cause"] else t("no_cause")
            text = t(
                "downtime_excluded", cause=cause, reason=self.reason(e["reason"]), duration=self.duration(e["seconds"])
            )
            out.append(f"- {text}")
        out.append(self.item(t("incidents_own"), self.ids(d["incidents"])))
        out.append(self.item(t("incidents_excluded"), self.ids(d["excluded_incidents"])))
        out.append(self.item(t("incidents_platform"), f"{d['platform_incidents']}"))
        return out

    def tickets(
        self, tickets: Mapping[str, Any], breaches: Sequence[Mapping[str, Any]], clocks: bool = False
    ) -> list[str]:
        """The response counts and breaches; `clocks`: the report also lists missed resolutions or updates,
        so the counts say they are of the first response."""
        t = self.c.t
        out = ["", f"### {t('tickets')}", "", t("tickets_line_response" if clocks else "tickets_line", **tickets), ""]
        if not breaches:
            return out
        head = (
            t("breach_id"),
            t("breach_priority"),
            t("breach_opened"),
            t("breach_deadline"),
            t("breach_response"),
            t("breach_lateness"),
            t("breach_source"),
        )
        rows = [
            (
                _esc(b["id"]),
                self.priority(b),
                b["opened"],
                b["deadline"],
                b["response"] or t("breach_no_response"),
                self.duration(b["lateness_seconds"]),
                t("source_row", row=b["row"], line=b["target_line"]),
            )
            for b in breaches
        ]
        return out + _table(head, rows)

    def credits(self, c: Mapping[str, Any]) -> list[str]:
        t, cur = self.c.t, c["currency"]
        out = [f"### {t('credits')}", ""]
        if c["credits"]:
            rows = [
                (
                    _esc(self.names.credit(x["credit"])) + self.line(x["line"]),
                    self.basis(x, cur),
                    _money(x["amount"], cur),
                )
                for x in c["credits"]
            ]
            out += _table((t("credit"), t("basis"), t("amount")), rows, right=(2,))
        else:
            out += [t("no_credits"), ""]
        out.append(self.item(t("subtotal"), _money(c["subtotal"], cur)))
        cap = c.get("cap")
        if cap is None:
            out.append(self.item(t("cap"), t("cap_none")))
        else:
            out.append(self.item(t("cap"), self.cap_reached(cap, cur) + self.line(cap["line"])))
        out.append(self.item(t("total"), f"**{_money(c['total'], cur)}**"))
        if c.get("claim") is not None:
            out.append(self.claim(c["claim"]))
        if c.get("payout") is not None:
            out.append(self.payout(c["payout"]))
        return out

    def claim(self, claim: Mapping[str, Any]) -> str:
        t = self.c.t
        parts = [t("claim_required") if claim["required"] else t("claim_not_required")]
        if claim.get("deadline"):
            parts.append(t("claim_deadline", deadline=claim["deadline"]))
        via = self.names.channel(claim["channel"]) if claim.get("channel") else claim.get("address")
        if via:
            parts.append(t("claim_via", channel=_esc(via)))
        return self.item(t("claim"), t("list_sep").join(parts) + self.line(claim["line"]))

    def payout(self, payout: Mapping[str, Any]) -> str:
        form = self.c.get(f"payout_form_{payout['form']}", payout["form"])
        if payout.get("when"):
            form = self.c.t("payout_when", form=form, when=self.c.get(f"payout_time_{payout['when']}", payout["when"]))
        return self.item(self.c.t("payout"), _esc(form) + self.line(payout["line"]))

    def basis(self, line: Mapping[str, Any], cur: str) -> str:
        t = self.c.t
        if line["kind"] == "per_miss":
            each = self.amount(line["each"], per_miss=True)
            if "share" in line["each"]:  # what each miss came to, then the share it is
                each = t("per_miss_each_share", money=_money(line["each_amount"], cur), share=each)
            else:
                each = t("per_miss_each", amount=each)
            ids = t("list_sep").join(_esc(x) for x in line["tickets"])
            tickets = self.c.plural("tickets_named", len(line["tickets"]), ids=ids)
            key = {"resolution": "per_miss_basis_resolution", "update": "per_miss_basis_update"}.get(
                line.get("target", ""), "per_miss_basis"
            )  # issue 12: `per missed resolution|update`
            return self.c.plural(key, line["count"], count=line["count"], each=each, tickets=tickets)
        key = "band_basis_target" if line.get("threshold_is_target") else "band_basis"
        text = t(key, uptime=line["uptime"], threshold=line["threshold"], band=self.amount(line["band"]))
        if line["incidents"] or line["platform_incidents"]:
            text += self.c.plural(
                "band_incidents",
                len(line["incidents"]),
                own=len(line["incidents"]),
                ids=self.ids(line["incidents"]),
                platform=line["platform_incidents"],
            )
        return text


class _Names:
    """Display names from the policy in one language, else the ids."""

    def __init__(self, policy: Mapping[str, Any] | None, lang: str) -> None:
        self.lang = lang
        self.tiers = {t["id"]: t.get("name") for t in (policy or {}).get("tiers", ())}
        self.priorities = {p["id"]: p.get("name") for p in (policy or {}).get("priorities", ())}
        self.channels = {c["id"]: c.get("name") for c in (policy or {}).get("channels", ())}
        self.credits = {c["id"]: c.get("name") for c in (policy or {}).get("credits", ())}
        self.exclusions = {x["id"]: x.get("text") for x in (policy or {}).get("exclusions", ())}

    def tier(self, tier_id: str) -> str:
        return _pick(self.tiers.get(tier_id), self.lang) or tier_id

    def priority(self, priority_id: str) -> str:
        return _pick(self.priorities.get(priority_id), self.lang) or priority_id

    def channel(self, channel_id: str) -> str:
        return _pick(self.channels.get(channel_id), self.lang) or channel_id

    def cause(self, cause: str) -> str:
        """An excluded cause as the contract states it (the exclusion's text), else its id."""
        return _pick(self.exclusions.get(cause), self.lang) or cause

    def credit(self, credit_id: str) -> str:
        """A credit's name: the contract's (`name en "…"`), else the document's heading for a known id, else the id."""
        named = _pick(self.credits.get(credit_id), self.lang)
        if named:
            return named
        doc = load(self.lang)
        key = f"credit.names.{credit_id}"
        return doc.t(key) if doc.has(key) else credit_id


def _pick(texts: Mapping[str, str] | None, lang: str) -> str | None:
    if not texts:
        return None
    return texts.get(lang) or next(iter(texts.values()))


def _money(amount: str, currency: str) -> str:
    # The report's decimal as computed (`100.00 USD`), not a locale's currency format: the same
    # figure a billing system reads in the CSV.
    return f"{amount} {currency}"


def _esc(text: str) -> str:
    """User text on one line of a table cell or list item: whitespace runs made one space, then
    escaped as the document escapes it (`markup.md_escape`)."""
    return str(md_escape(" ".join(str(text).split())))


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> list[str]:
    rule = ["---:" if i in right else "---" for i in range(len(head))]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join(rule) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out + [""]
