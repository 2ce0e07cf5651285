"""Evaluation report as a CSV summary (one row per customer) or a Markdown report in Chinese or English.

Both read only the JSON-ready report dict of `slac.runtime.evaluate.evaluate` (shape:
`schema/report.schema.json`); the Markdown strings live in `templates/strings/report.{zh,en}.toml`,
which have identical keys. Output is deterministic: same report, same bytes. User data (customer
and ticket ids, causes) is escaped so a value cannot break a Markdown table or inject markup.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["LANGUAGES", "CSV_COLUMNS", "to_csv", "to_markdown", "strings"]

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


@cache
def strings(lang: str) -> Mapping[str, str]:
    """The report strings of one language (`en`, `zh`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no report strings for language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    text = resources.files("slac.templates").joinpath("strings", f"report.{lang}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


# ---- CSV -------------------------------------------------------------------------------------


def to_csv(report: Mapping[str, Any]) -> str:
    """One row per customer with the figures a billing system needs; machine-readable, no prose."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
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
    s = strings(lang)
    names = _Names(policy, lang)
    contract = report["contract"]
    title = _pick(contract.get("title"), lang)
    lines = [f"# {s['heading'].format(title=s['title'], contract=_esc(title or contract['id']))}", ""]
    meta = [
        (s["contract"], f"{_esc(contract['id'])} {_esc(contract.get('version') or '')}".rstrip()),
        (
            s["period"],
            f"{report['period']} — " + s["period_span"].format(start=report["period_start"], end=report["period_end"]),
        ),
        (s["as_of"], report["as_of"]),
        (s["policy"], f"`{report['policy_hash']}`"),
    ]
    lines += [_item(s, k, v) for k, v in meta]
    lines += ["", f"## {s['summary']}", ""]
    customers = report["customers"]
    if not customers:
        lines += [s["no_customers"], ""]
    else:
        head = (s["customer"], s["tier"], s["fee"], s["uptime"], s["breaches"], s["subtotal"], s["total"])
        rows = [
            (
                _esc(c["customer"]),
                _esc(names.tier(c["tier"])),
                _money(c["fee"], c["currency"]),
                f"{c['uptime']['display']}%",
                str(c["tickets"]["breached"]),
                _money(c["subtotal"], c["currency"]),
                f"**{_money(c['total'], c['currency'])}**",
            )
            for c in customers
        ]
        lines += _table(head, rows, right=(2, 3, 4, 5, 6))
    platform = report.get("platform_incidents") or []
    if platform:
        lines += [f"## {s['platform_heading']}", ""]
        columns = (
            s["incident_id"],
            s["incident_start"],
            s["incident_end"],
            s["incident_cause"],
            s["incident_length"],
            s["incident_counted"],
        )
        incidents = [
            (
                _esc(i["id"]),
                i["start"],
                i["end"],
                _esc(i["cause"] or ""),
                _duration(i["seconds"], s),
                s["yes"] if i["counted"] else s["no"] + _paren(s, _reason(i["reason"], s)),
            )
            for i in platform
        ]
        lines += _table(columns, incidents, right=(4,))
    for c in customers:
        lines += _customer(c, s, names) + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _customer(c: Mapping[str, Any], s: Mapping[str, str], names: _Names) -> list[str]:
    cur = c["currency"]
    out = [f"## {s['customer_heading'].format(customer=_esc(c['customer']))}", ""]
    out += [
        _item(s, s["tier"], f"{_esc(names.tier(c['tier']))}"),
        _item(s, s["fee"], f"{_money(c['fee'], cur)}"),
    ]
    # uptime
    u = c["uptime"]
    if u["target"] is None:
        verdict = s["uptime_none"]
    else:
        result = s["uptime_met"] if u["met"] else s["uptime_missed"]
        verdict = s["uptime_verdict"].format(label=s["uptime_target"], target=u["target"], result=result)
        if u.get("line"):
            verdict += _paren(s, s["contract_line"].format(line=u["line"]))
    out.append(
        _item(
            s,
            s["uptime"],
            s["uptime_line"].format(
                display=u["display"], exact=s["uptime_exact"], fraction=u["fraction"], verdict=verdict
            ),
        )
    )
    # downtime
    d = c["downtime"]
    out += ["", f"### {s['downtime']}", "", _item(s, s["downtime_counted"], f"{_duration(d['counted_seconds'], s)}")]
    for e in d["excluded"]:
        reason = _reason(e["reason"], s)
        line = s["downtime_excluded"].format(
            cause=_esc(e["cause"]) if e["cause"] else s["no_cause"], reason=reason, duration=_duration(e["seconds"], s)
        )
        out.append(f"- {line}")
    out.append(_item(s, s["incidents_own"], f"{_ids(d['incidents'], s)}"))
    out.append(_item(s, s["incidents_excluded"], f"{_ids(d['excluded_incidents'], s)}"))
    out.append(_item(s, s["incidents_platform"], f"{d['platform_incidents']}"))
    # tickets and breaches
    t = c["tickets"]
    out += ["", f"### {s['tickets']}", "", s["tickets_line"].format(**{k: t[k] for k in t}), ""]
    if c["breaches"]:
        head = (
            s["breach_id"],
            s["breach_priority"],
            s["breach_opened"],
            s["breach_deadline"],
            s["breach_response"],
            s["breach_lateness"],
            s["breach_source"],
        )
        rows = [
            (
                _esc(b["id"]),
                _priority(b, names, s),
                b["opened"],
                b["deadline"],
                b["response"] or s["breach_no_response"],
                _duration(b["lateness_seconds"], s),
                s["source_row"].format(row=b["row"], line=b["target_line"]),
            )
            for b in c["breaches"]
        ]
        out += _table(head, rows)
    # credits
    out += [f"### {s['credits']}", ""]
    if c["credits"]:
        credits = [
            (
                _esc(x["credit"]) + _paren(s, s["contract_line"].format(line=x["line"])),
                _basis(x, s, cur),
                _money(x["amount"], cur),
            )
            for x in c["credits"]
        ]
        out += _table((s["credit"], s["basis"], s["amount"]), credits, right=(2,))
    else:
        out += [s["no_credits"], ""]
    out.append(_item(s, s["subtotal"], f"{_money(c['subtotal'], cur)}"))
    cap = c.get("cap")
    if cap is None:
        out.append(_item(s, s["cap"], f"{s['cap_none']}"))
    else:
        key = "cap_applied" if cap["applied"] else "cap_not_applied"
        text = s[key].format(limit=_money(cap["limit"], cur), amount=_amount(cap["amount"], s))
        out.append(_item(s, s["cap"], f"{text}{_paren(s, s['contract_line'].format(line=cap['line']))}"))
    out.append(_item(s, s["total"], f"**{_money(c['total'], cur)}**"))
    claim = c.get("claim")
    if claim is not None:
        parts = [s["claim_required"] if claim["required"] else s["claim_not_required"]]
        if claim.get("deadline"):
            parts.append(s["claim_deadline"].format(deadline=claim["deadline"]))
        via = names.channel(claim["channel"]) if claim.get("channel") else claim.get("address")
        if via:
            parts.append(s["claim_via"].format(channel=_esc(via)))
        out.append(
            _item(
                s, s["claim"], f"{s['list_sep'].join(parts)}{_paren(s, s['contract_line'].format(line=claim['line']))}"
            )
        )
    payout = c.get("payout")
    if payout is not None:
        form = s.get(f"payout_form_{payout['form']}", payout["form"])
        text = (
            form
            if not payout.get("when")
            else s["payout_when"].format(form=form, when=s.get(f"payout_time_{payout['when']}", payout["when"]))
        )
        out.append(_item(s, s["payout"], f"{_esc(text)}{_paren(s, s['contract_line'].format(line=payout['line']))}"))
    return out


def _basis(line: Mapping[str, Any], s: Mapping[str, str], cur: str) -> str:
    if line["kind"] == "per_miss":
        each = _amount(line["each"], s)
        if "share" in line["each"]:  # say what the share came to
            each += _paren(s, _money(line["each_amount"], cur))
        return s["per_miss_basis"].format(
            count=line["count"],
            each=each,
            tickets=s["list_sep"].join(_esc(t) for t in line["tickets"]),
        )
    key = "band_basis_target" if line.get("threshold_is_target") else "band_basis"
    text = s[key].format(uptime=line["uptime"], threshold=line["threshold"], band=_amount(line["band"], s))
    if line["incidents"] or line["platform_incidents"]:
        text += s["band_incidents"].format(
            own=len(line["incidents"]), ids=_ids(line["incidents"], s), platform=line["platform_incidents"]
        )
    return text


def _item(s: Mapping[str, str], label: str, value: str) -> str:
    return "- " + s["item"].format(label=f"**{label}**", value=value)


def _paren(s: Mapping[str, str], text: str) -> str:
    return s["paren"].format(text=text)


def _reason(reason: str | None, s: Mapping[str, str]) -> str:
    return s.get(f"reason_{reason}", reason or "")


def _amount(amount: Mapping[str, Any], s: Mapping[str, str]) -> str:
    if "share" in amount:
        basis = s.get(f"basis_{amount['basis']}", amount["basis"])
        return s["share_of"].format(share=amount["share"], basis=basis)
    return _money(amount["money"], amount["currency"])


def _priority(breach: Mapping[str, Any], names: _Names, s: Mapping[str, str]) -> str:
    given, effective = breach["priority"], breach["effective_priority"]
    if given == effective:
        return _esc(names.priority(given))
    return _esc(names.priority(effective)) + _paren(s, "← " + _esc(names.priority(given)))


class _Names:
    """Display names from the policy in one language, else the ids."""

    def __init__(self, policy: Mapping[str, Any] | None, lang: str) -> None:
        self.lang = lang
        self.tiers = {t["id"]: t.get("name") for t in (policy or {}).get("tiers", ())}
        self.priorities = {p["id"]: p.get("name") for p in (policy or {}).get("priorities", ())}
        self.channels = {c["id"]: c.get("name") for c in (policy or {}).get("channels", ())}

    def tier(self, tier_id: str) -> str:
        return _pick(self.tiers.get(tier_id), self.lang) or tier_id

    def priority(self, priority_id: str) -> str:
        return _pick(self.priorities.get(priority_id), self.lang) or priority_id

    def channel(self, channel_id: str) -> str:
        return _pick(self.channels.get(channel_id), self.lang) or channel_id


def _pick(texts: Mapping[str, str] | None, lang: str) -> str | None:
    if not texts:
        return None
    return texts.get(lang) or next(iter(texts.values()))


def _money(amount: str, currency: str) -> str:
    return f"{amount} {currency}"


def _ids(ids: Sequence[str], s: Mapping[str, str]) -> str:
    return s["list_sep"].join(_esc(i) for i in ids) if ids else s["none"]


def _duration(seconds: float | int, s: Mapping[str, str]) -> str:
    """`1 h 30 min` / `1 小时 30 分钟`: whole units down to seconds.

    From a minute up, seconds are rounded (the exact figure is in the JSON report); below a
    minute a fraction of a second is kept, so half a second late never reads as on time.
    """
    micros = round(float(seconds) * 1_000_000)
    if micros >= 60_000_000:
        micros = round(micros, -6)
    if micros == 0:
        return s["zero_duration"]
    whole, frac = divmod(micros, 1_000_000)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{s[u]}" for v, u in ((days, "unit_day"), (hours, "unit_hour"), (minutes, "unit_minute")) if v]
    if secs or frac:
        value = str(secs) if not frac else f"{secs}.{frac:06d}".rstrip("0")
        parts.append(f"{value}{s['unit_second']}")
    return s["duration_sep"].join(parts)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")


def _esc(text: str) -> str:
    """User text made inert in Markdown (and in a table cell): specials backslash-escaped, no newlines."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> list[str]:
    rule = ["---:" if i in right else "---" for i in range(len(head))]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join(rule) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out + [""]
