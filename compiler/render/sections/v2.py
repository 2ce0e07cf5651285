"""The document's sentences for the terms of language v2, called from the sections they belong to.

Measurement: services measured per region, the error-rate rule, merged outages and whole minutes,
maintenance with notice and a yearly allowance, per-service commitments. Compensation: inclusive
bands, credits per scope, conditions, days of service and formulas, the minimum credit, claims in
billing cycles, the termination right. Examples: charges, requests, conditions, scoped outages
and expectations, and the evaluator's per-scope results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..doc import Block, Para, Table

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def service_name(b: DocBuilder, ident: str | None) -> str:
    for s in b.p.get("services", []):
        if s["id"] == ident:
            return b.text(s.get("name"), ident or "")
    return ident or ""


def scope_name(b: DocBuilder, service: str | None, region: str | None) -> str:
    name = service_name(b, service)
    return f"{name} ({region})" if region else name


def service_uptime_blocks(b: DocBuilder) -> list[Block]:
    rows = [
        (Para((b.tier_name(t["id"]),)), Para((service_name(b, u["service"]),)), Para((b.f.percent(u["uptime"]),)))
        for t in b.p["tiers"]
        for u in t.get("service_uptime", [])
    ]
    if not rows:
        return []
    head = (b.t("availability.col_tier"), b.t("v2.col_service"), b.t("availability.col_uptime"))
    return [b.para("v2.service_uptime_intro"), Table(head, tuple(rows))]


def measurement_blocks(b: DocBuilder) -> list[Block]:
    out: list[Block] = []
    per_region = [service_name(b, s["id"]) for s in b.p.get("services", []) if s["per_region"]]
    if per_region:
        out.append(Para((b.plural("v2.per_region", len(per_region), services=b.f.items(per_region)),)))
    for s in b.p.get("services", []):
        rule = s["error_rate"]
        if rule is not None:
            out.append(
                b.para(
                    "v2.error_rate",
                    name=service_name(b, s["id"]),
                    per=b.f.duration(rule["per_seconds"]),
                    above=b.f.percent(rule["above"]),
                )
            )
    av = b.p["availability"] or {}
    if b.p.get("services") or av.get("whole_minutes"):
        out.append(b.para("v2.merged"))
    if av.get("whole_minutes"):
        out.append(b.para("v2.whole_minutes"))
    for e in b.p["exclusions"]:
        m = e.get("maintenance")
        if m is None:
            continue
        clause = b.exclusion_links([e["id"]])[0]
        notice = b.f.duration(m["notice_seconds"])
        if m["limit_seconds"] is None:
            out.append(b.para("v2.maintenance", clause=clause, notice=notice))
        else:
            out.append(
                b.para("v2.maintenance_limit", clause=clause, notice=notice, limit=b.f.duration(m["limit_seconds"]))
            )
    return out


def threshold(b: DocBuilder, band: dict[str, Any]) -> str:
    target = band["threshold"] == "target"
    if band.get("inclusive"):
        if target:
            return b.t("v2.at_or_below_target")
        return b.t("v2.at_or_below", percent=b.f.percent(band["threshold"]))
    return b.t("credit.below_target") if target else b.t("credit.below", percent=b.f.percent(band["threshold"]))


def credit_blocks(b: DocBuilder, credit: dict[str, Any]) -> list[Block]:
    out: list[Block] = []
    conditions = {c["id"]: c for c in b.p.get("conditions", [])}
    for name in credit.get("requires", []):
        out.append(b.para("v2.requires", condition=b.text(conditions[name]["text"], name)))
    amounts = [band["amount"] for band in credit["bands"]]
    if any(a.get("basis") == "service_charges" for a in amounts):
        out.append(b.para("v2.per_scope"))
    if any("service_days" in a for a in amounts):
        out.append(b.para("v2.service_days_means"))
    return out


def amount(b: DocBuilder, a: dict[str, Any]) -> str | None:
    if "service_days" in a:
        n = a["service_days"]
        return b.plural("v2.service_days", int(n) if n.isdigit() else 2, n=b.f.number(n))
    if "formula" in a:
        text = a["text"]
        for q in ("monthly_fee", "window_fee", "service_charges", "downtime", "window", "uptime", "target"):
            text = _replace_word(text, q, b.t(f"v2.quantity.{q}"))
        return b.t("v2.formula", formula=text.replace("*", "×").replace("/", "÷"))
    return None


def _replace_word(text: str, word: str, by: str) -> str:
    import re

    return re.sub(rf"\b{word}\b", by, text)


def compensation_clauses(b: DocBuilder) -> list[tuple[str, tuple[Block, ...], str]]:
    out: list[tuple[str, tuple[Block, ...], str]] = []
    minimum = b.p.get("minimum_credit")
    if minimum is not None:
        text = b.para("v2.minimum", amount=b.f.money(minimum["amount"], minimum["currency"]))
        out.append((b.t("v2.clause_minimum"), (text,), "minimum-credit"))
    term = b.p.get("termination")
    if term is not None:
        text = Para(
            (
                b.plural(
                    "v2.termination", term["months"], n=b.f.number(term["months"]), percent=b.f.percent(term["below"])
                ),
            )
        )
        out.append((b.t("v2.clause_termination"), (text,), "termination"))
    return out


def claim_cycles(b: DocBuilder, claim: dict[str, Any]) -> list[Block]:
    n = claim.get("within_cycles")
    if not n:
        return []
    key = f"v2.ordinal.{n}"
    n_th = b.t(key) if b.c.has(key) else b.f.number(n)
    return [Para((b.plural("v2.claim_cycles", n, n_th=n_th),))]


def period_text(b: DocBuilder, period: str) -> Para | None:
    if "-Q" in period:
        return b.para("v2.period_quarter", period=period)
    if "-" not in period:
        return b.para("v2.period_year", period=period)
    return None


def event(b: DocBuilder, ev: dict[str, Any]) -> Para | None:
    if ev["kind"] == "charges":
        return b.para(
            "v2.charges",
            scope=scope_name(b, ev["service"], ev["region"]),
            amount=b.f.money(ev["amount"], ev["currency"]),
        )
    if ev["kind"] == "requests":
        return b.para(
            "v2.requests",
            scope=scope_name(b, ev["service"], ev["region"]),
            start=b.f.timestamp(ev["start"]),
            duration=b.f.duration(ev["duration_seconds"]),
            failing=b.f.percent(ev["failing"]),
        )
    return None


def outage_scope(b: DocBuilder, ev: dict[str, Any]) -> str:
    if ev.get("service") is None:
        return ""
    return b.t("v2.in_scope", scope=scope_name(b, ev["service"], ev.get("region")))


def expected(b: DocBuilder, ex: dict[str, Any]) -> list[Para]:
    expect = ex["expect"]
    out = []
    conditions = {c["id"]: c for c in b.p.get("conditions", [])}
    for name in ex.get("conditions_unmet", []):
        out.append(b.para("v2.condition_unmet", condition=b.text(conditions.get(name, {}).get("text"), name)))
    for s in expect.get("scopes", []):
        out.append(
            b.para(
                "v2.expect_scope_uptime",
                scope=scope_name(b, s["service"], s["region"]),
                uptime=b.f.percent(s["percent"]),
            )
        )
    if "claim_by" in expect:
        out.append(b.para("v2.expect_claim_by", date=b.f.date(expect["claim_by"]["date"])))
    if "termination" in expect:
        out.append(b.para("v2.expect_termination"))
    return out


def result_blocks(b: DocBuilder, entry: dict[str, Any]) -> list[Block]:
    cur = entry["currency"]
    lines: list[Para] = []
    for s in entry["scopes"]:
        lines.append(
            b.para(
                "v2.result_scope",
                scope=scope_name(b, s["service"], s["region"]),
                uptime=b.f.percent(s["uptime"]["display"]),
                amount=b.f.money(s["subtotal"], cur),
            )
        )
        if s["termination"] and s["termination"]["right"]:
            lines.append(b.para("v2.result_termination", scope=scope_name(b, s["service"], s["region"])))
    lines.append(b.para("v2.result_total", amount=b.f.money(entry["total"], cur)))
    claim = entry.get("claim") or {}
    if claim.get("last_day"):
        lines.append(b.para("v2.result_claim", date=b.f.date(claim["last_day"])))
    from ..doc import Items

    return [b.para("examples.computed"), Items(tuple(lines))]
