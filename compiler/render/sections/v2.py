"""The document's sentences for the terms of language v2, called from the sections they belong to.

Measurement: services measured per region, the error-rate rule, merged outages and whole minutes,
maintenance with notice and a yearly allowance, per-service commitments. Compensation: inclusive
bands, credits per scope, conditions, days of service and formulas, the minimum credit, claims in
billing cycles, the termination right. Examples: charges, requests, conditions, scoped outages
and expectations, and the evaluator's per-scope results.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...policy.codec import formula_in_words, uses_charges
from ..doc import Block, DocLink, Para, Table
from .result_lines import breach_lines, shown_uptime

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def service_name(b: DocBuilder, ident: str | None) -> str:
    for s in b.p.get("services", []):
        if s["id"] == ident:
            return b.text(s.get("name"), ident or "")
    return ident or ""


def scope_name(b: DocBuilder, service: str | None, region: str | None) -> str:
    name = service_name(b, service)
    return b.t("v2.scope_region", name=name, region=region) if region else name


def service_uptime_blocks(b: DocBuilder) -> list[Block]:
    rows = [
        (Para((b.tier_name(t["id"]),)), Para((service_name(b, u["service"]),)), Para((b.f.percent(u["uptime"]),)))
        for t in b.p["tiers"]
        for u in t.get("service_uptime", [])
    ]
    if not rows:
        return []
    head = (b.t("availability.col_tier"), b.t("v2.col_service"), b.t("availability.col_uptime"))
    # A tier that states no general uptime has no "general commitment" for these to differ from.
    intro = (
        "v2.service_uptime_intro" if any(t["uptime"] is not None for t in b.p["tiers"]) else "v2.service_uptime_only"
    )
    return [b.para(intro), Table(head, tuple(rows))]


def per_service_targets(b: DocBuilder) -> bool:
    """Whether a tier states a commitment for a service (`uptime P for SERVICE`): `target` is then the service's."""
    return any(t.get("service_uptime") for t in b.p["tiers"])


def target_means(b: DocBuilder, clause: DocLink) -> Para:
    """What `target` in a band means: the tier's commitment, or the service's (and the tier's where none)."""
    if not per_service_targets(b):
        return b.para("credit.target_means", clause=clause)
    general = any(t["uptime"] is not None for t in b.p["tiers"])
    return b.para("v2.target_means_service_or_tier" if general else "v2.target_means_service", clause=clause)


def scope_kind(b: DocBuilder) -> str:
    """How the contract's scopes are cut: `region` (some service measured per region), `service`, or `whole`."""
    services = b.p.get("services", [])
    if any(s["per_region"] for s in services):
        return "region"
    return "service" if services else "whole"


def says_merged(b: DocBuilder) -> bool:
    """Whether the measurement clause says how interruptions are joined (`v2.merged`): then it does not
    also say that overlapping ones are counted once (`measurement.union`), which the joining covers."""
    av = b.p["availability"] or {}
    return bool(b.p.get("services") or av.get("whole_minutes"))


def window_word(b: DocBuilder) -> str:
    return b.word("window", (b.p["availability"] or {}).get("window") or "calendar_month")


def measurement_blocks(b: DocBuilder) -> list[Block]:
    out: list[Block] = []
    per_region = [service_name(b, s["id"]) for s in b.p.get("services", []) if s["per_region"]]
    if per_region:
        out.append(Para((b.plural("v2.per_region", len(per_region), services=b.f.items(per_region)),)))
    if b.p.get("services") and not any(t["uptime"] is not None for t in b.p["tiers"]):
        # The v1 sentence (the tier's monthly uptime) is not printed: say how a scope's uptime is computed.
        out.append(b.para(f"v2.formula_{scope_kind(b)}", window=window_word(b)))
    for s in b.p.get("services", []):
        rule = s["error_rate"]
        if rule is not None:
            out.append(
                b.para(
                    "v2.error_rate_region" if s["per_region"] else "v2.error_rate",
                    name=service_name(b, s["id"]),
                    per=b.f.duration(rule["per_seconds"]),
                    above=b.f.percent(rule["above"]),
                    window=window_word(b),
                )
            )
    av = b.p["availability"] or {}
    if says_merged(b):
        # Only a contract with a minimum outage has a "minimum length above" to refer to.
        out.append(b.para("v2.merged" if av.get("minimum_outage_seconds") is not None else "v2.merged_plain"))
    if av.get("whole_minutes"):
        out.append(b.para("v2.whole_minutes"))
    where = b.t("v2.where_status_page") if av.get("status_page") else ""
    for e in b.p["exclusions"]:
        m = e.get("maintenance")
        if m is None:
            continue
        # How the exclusion's clause applies, stated once: the notice and the allowance (counted per scope, as
        # `slac evaluate` counts it), in words as the parties' clause writes them ("five days").
        clause = b.exclusion_links([e["id"]])[0]
        notice = duration_words(b, m["notice_seconds"])
        if m["limit_seconds"] is None:
            out.append(b.para("v2.maintenance", clause=clause, notice=notice, where=where))
        else:
            key = f"v2.maintenance_limit_{scope_kind(b)}"
            limit = duration_words(b, m["limit_seconds"])
            out.append(b.para(key, clause=clause, notice=notice, limit=limit, where=where))
    return out


def duration_words(b: DocBuilder, seconds: float) -> str:
    """A duration of one whole unit with a small count in words ("five days", "八小时"), else in figures."""
    text = b.f.duration(seconds)
    parts = text.split(" ")
    if len(parts) != 2 or not parts[0].isdigit() or not b.c.has(f"v2.count.{parts[0]}"):
        return text
    word = count_word(b, int(parts[0]))
    return word + parts[1] if b.c.cjk_spacing else f"{word} {parts[1]}"


def threshold(b: DocBuilder, band: dict[str, Any]) -> str:
    target = band["threshold"] == "target"
    service = per_service_targets(b)
    if band.get("inclusive"):
        if target:
            return b.t("v2.at_or_below_service_target" if service else "v2.at_or_below_target")
        return b.t("v2.at_or_below", percent=b.f.percent(band["threshold"]))
    if target:
        return b.t("v2.below_service_target" if service else "credit.below_target")
    return b.t("credit.below", percent=b.f.percent(band["threshold"]))


def credit_blocks(b: DocBuilder, credit: dict[str, Any]) -> list[Block]:
    out: list[Block] = []
    conditions = {c["id"]: c for c in b.p.get("conditions", [])}
    for name in credit.get("requires", []):
        # Tested once, at the end of the window the credit is for (what `slac evaluate` reads for it).
        out.append(b.para("v2.requires", condition=b.text(conditions[name]["text"], name), window=window_word(b)))
    amounts = [band["amount"] for band in credit["bands"]]
    if any(a.get("basis") == "service_charges" for a in amounts):
        out.append(b.para(f"v2.per_scope_{scope_kind(b)}", window=window_word(b)))
    if any("service_days" in a for a in amounts):
        out.append(b.para("v2.service_days_means"))
    return out


def amount(b: DocBuilder, a: dict[str, Any], per_miss: bool = False) -> str | None:
    """Days of service or a formula in words (`per_miss`: `service_charges` are the Total Charges, and the
    formula stands bare where the language's per-miss sentence already says it is an amount); else None."""
    if "service_days" in a:
        n = a["service_days"]
        return b.plural("v2.service_days", int(n) if n.isdigit() else 2, n=b.f.number(n))
    if "formula" in a:

        def word(name: str) -> str:  # per miss, `service_charges` are the Total Charges
            return b.t(f"v2.quantity.{name}_total" if per_miss and name == "service_charges" else f"v2.quantity.{name}")

        words = formula_in_words(a["text"], word)
        return b.t("v2.formula_per_miss" if per_miss else "v2.formula", formula=words)
    return None


def total_charges_means(b: DocBuilder) -> Para:
    """What the Total Charges of a per-miss credit are: every service's charges (in every region, if any
    service is measured per region) for the window its tickets were opened in — what `slac evaluate`
    sums for such a line — for the misses whose credits are shares of them."""
    on = [c for c in b.p["credits"] if c["per_miss"] and uses_charges(c["per_miss"]["amount"])]
    return b.para("v2.total_charges" + _regions(b), window=window_word(b), misses=_misses(b, on, b.f.alternatives))


def cap_not_tickets(b: DocBuilder) -> Para | None:
    """With a cap per scope (on `service_charges`): a per-miss credit belongs to no scope, so it is not capped."""
    on = [c for c in b.p["credits"] if c["per_miss"]]
    if not on:
        return None
    return b.para("v2.cap_not_tickets" + _regions(b), misses=_misses(b, on, b.f.items, plural=True))


def _misses(b: DocBuilder, credits: list[dict[str, Any]], join: Any, *, plural: bool = False) -> str:
    """The contract's words for what these per-miss credits pay for (`missed resolution target`, 解决超时)."""
    kinds = dict.fromkeys(f"{c['per_miss'].get('target') or 'response'}s" for c in credits)
    return join([b.t(f"tickets.{'misses' if plural else 'miss'}_{k}") for k in kinds])


def _regions(b: DocBuilder) -> str:
    """The key suffix of a sentence that names regions: some service is measured per region."""
    return "_regions" if any(s["per_region"] for s in b.p.get("services", [])) else ""


def compensation_clauses(b: DocBuilder) -> list[tuple[str, tuple[Block, ...], str]]:
    out: list[tuple[str, tuple[Block, ...], str]] = []
    minimum = b.p.get("minimum_credit")
    if minimum is not None:
        text = b.para("v2.minimum", amount=b.f.money(minimum["amount"], minimum["currency"]))
        out.append((b.t("v2.clause_minimum"), (text,), "minimum-credit"))
    term = b.p.get("termination")
    if term is not None:
        out.append((b.t("v2.clause_termination"), termination_blocks(b, term), "termination"))
    return out


def count_word(b: DocBuilder, n: int) -> str:
    """A small count in words ("three", "三"), as legal prose writes it; a figure beyond the catalogue."""
    key = f"v2.count.{n}"
    return b.t(key) if b.c.has(key) else b.f.number(n)


def termination_blocks(b: DocBuilder, term: dict[str, Any]) -> tuple[Block, ...]:
    """The right, for which scope it is given, how it is exercised, what it ends; then its relation to credits."""
    kind = scope_kind(b)
    n = term["months"]
    right = b.plural_para(f"v2.termination_{kind}", n, n=count_word(b, n), percent=b.f.percent(term["below"]))
    blocks: list[Block] = [right, b.para(f"v2.termination_effect_{kind}")]
    if kind == "region" and not all(s["per_region"] for s in b.p["services"]):
        blocks.append(b.para("v2.termination_mixed"))
    return tuple(blocks)


def remedy_note(b: DocBuilder, clauses: list[Any], rest: list[Any]) -> list[Any]:
    """The termination clause says what becomes of earlier credits and that it is a right beside them; the
    sole-remedy clause carves the termination right out in its own sentence.

    `clauses` are the compensation section's generated clauses, `rest` the contract's clauses placed after them
    (the sole-remedy clause among them): their numbers are known only once the section is assembled.
    """
    ids = [c[2] for c in clauses]
    if "termination" not in ids:
        return clauses + rest
    section = b.numbers["compensation"]

    def link(ident: str, position: int) -> DocLink:
        return b.ref(f"{section}.{position + 1}", "compensation", ident)

    credits = termination_credits(b, {i: link(i, n) for n, i in enumerate(ids) if i in ("payout", "claim")})
    rest_ids = [c[2] for c in rest]
    out = []
    for heading, blocks, ident in clauses:
        if ident == "termination":
            if "sole_remedy" in rest_ids:
                sole = link("sole_remedy", len(clauses) + rest_ids.index("sole_remedy"))
                blocks = (*blocks, credits, b.para("v2.termination_remedy", clause=sole))
            else:
                blocks = (*blocks, credits, b.para("v2.termination_additional"))
        out.append((heading, blocks, ident))
    here = link("termination", ids.index("termination"))
    return out + [sole_remedy_except(b, c, here) if c[2] == "sole_remedy" else c for c in rest]


def termination_credits(b: DocBuilder, links: dict[str, DocLink]) -> Para:
    """Credits for the months before a termination survive it: claimed (if a claim is required) and given as the
    payout clause says, so that no sentence promises a payment the form of credits does not provide."""
    claim = b.p.get("claim") or {}
    if "payout" not in links:
        return b.para("v2.termination_credits_plain")
    if "claim" in links and claim.get("required"):
        return b.para("v2.termination_credits_claim", claim=links["claim"], clause=links["payout"])
    return b.para("v2.termination_credits", clause=links["payout"])


def sole_remedy_except(b: DocBuilder, clause: tuple[str, tuple[Block, ...], str], termination: DocLink) -> Any:
    """The sole-remedy sentence with the termination right excepted at its start ("Except for the right to
    terminate in clause 4.5, service credits are …"): the contract's own words follow unchanged, save an English
    initial capital that is not a name the document uses."""
    heading, blocks, ident = clause
    head = blocks[0] if blocks else None
    if not isinstance(head, Para) or not head.parts or not isinstance(head.parts[0], str):
        return clause
    first: str = head.parts[0]
    more = head.parts[1:]
    lead = b.para("v2.sole_remedy_except", clause=termination).parts
    word = first.split(" ", 1)[0].strip(",.;:")
    names = {w for v in b.party_values.values() if isinstance(v, str) for w in v.split()}
    names |= {w for s in b.p.get("services", []) for w in service_name(b, s["id"]).split()}
    if b.lang == "en" and word[:1].isupper() and word[1:].islower() and word not in names:
        first = first[:1].lower() + first[1:]
    para = Para((*lead, first, *more))
    return heading, (para, *blocks[1:]), ident


def claim_cycles(b: DocBuilder, claim: dict[str, Any]) -> list[Block]:
    n = claim.get("within_cycles")
    if not n:
        return []
    key = f"v2.ordinal.{n}"
    n_th = b.t(key) if b.c.has(key) else b.f.number(n)
    billing = b.word("v2.billing", b.p.get("billing") or "monthly")  # what `slac evaluate` counts as a cycle
    zone = b.f.zone(b.p.get("timezone") or "UTC")
    return [Para((b.plural("v2.claim_cycles", n, n_th=n_th, billing=billing, window=window_word(b), timezone=zone),))]


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
        # The evaluator reads the share as failing in every error-rate interval of the span.
        rule = next((s["error_rate"] for s in b.p.get("services", []) if s["id"] == ev["service"]), None)
        return b.para(
            "v2.requests",
            scope=scope_name(b, ev["service"], ev["region"]),
            start=b.f.timestamp(ev["start"]),
            duration=b.f.duration(ev["duration_seconds"]),
            failing=b.f.percent(ev["failing"]),
            interval=b.f.duration(rule["per_seconds"] if rule else ev["duration_seconds"]),
        )
    return None


def outage_scope(b: DocBuilder, ev: dict[str, Any]) -> str:
    if ev.get("service") is None:
        return ""
    return b.t("v2.in_scope", scope=scope_name(b, ev["service"], ev.get("region")))


def condition_clause(b: DocBuilder, name: str) -> DocLink | None:
    """The compensation clause of the (first) credit that requires condition `name`."""
    for i, credit in enumerate(b.p["credits"], 1):
        if name in credit.get("requires", []):
            number = f"{b.numbers['compensation']}.{i}"
            return b.ref(number, "compensation", credit["id"])
    return None


def conditions_unmet(b: DocBuilder, ex: dict[str, Any]) -> list[Para]:
    """An example's facts: at the end of its window the customer does not meet the condition (its own text)."""
    conditions = {c["id"]: c for c in b.p.get("conditions", [])}
    out = []
    for name in ex.get("conditions_unmet", []):
        text = b.text(conditions.get(name, {}).get("text"), name)
        clause = condition_clause(b, name)
        if clause is None:
            out.append(b.para("v2.condition_unmet", condition=text, window=window_word(b)))
        else:
            out.append(b.para("v2.condition_unmet_clause", condition=text, clause=clause, window=window_word(b)))
    return out


def expected(b: DocBuilder, ex: dict[str, Any]) -> list[Para]:
    expect = ex["expect"]
    out = []
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
        d = s["downtime"]
        if (
            s["service"]
            and s["charges"] is None
            and not d["counted_seconds"]
            and not d["excluded"]
            and s["subtotal"] == "0.00"
        ):
            continue  # a service the example's customer neither pays for nor lost (nor had excluded): nothing to read
        # A contract without `service` blocks has one implicit scope: its line is the availability line.
        scope = scope_name(b, s["service"], s["region"]) if s["service"] else b.t("v2.scope_implicit")
        uptime = shown_uptime(b, s["uptime"])
        unmet = [condition_clause(b, c) for c in s.get("conditions_unmet", [])]
        if unmet and unmet[0] is not None and s["subtotal"] == "0.00":
            lines.append(b.para("v2.result_scope_unmet", scope=scope, uptime=uptime, clause=unmet[0]))
        elif s["service"] is None:  # the implicit service of a contract without `service` blocks: no name
            lines.append(b.para("v2.result_scope_implicit", uptime=uptime, amount=b.f.money(s["subtotal"], cur)))
        else:
            lines.append(b.para("v2.result_scope", scope=scope, uptime=uptime, amount=b.f.money(s["subtotal"], cur)))
        if s["termination"] and s["termination"]["right"]:
            number = b.clause_numbers.get(("compensation", "termination"), "")
            lines.append(
                b.para("v2.result_termination", scope=scope, clause=b.ref(number, "compensation", "termination"))
            )
    cap = entry.get("cap") or {}
    if cap.get("windows_before") and cap["applied"]:  # a cap over a longer span, partly used before
        lines.append(result_cap_span(b, cap, cur))
    if entry["breaches"]:  # the missed responses, as a v1 example's result states them
        lines += breach_lines(b, entry)
    lines += ticket_result_lines(b, entry)
    minimum = entry.get("minimum_credit") or {}
    if minimum.get("applied"):
        lines.append(
            b.para(
                "v2.result_minimum",
                minimum=b.f.money(minimum["amount"], cur),
                clause=b.ref(
                    f"{b.numbers['compensation']}.{minimum_clause_index(b)}", "compensation", "minimum-credit"
                ),
            )
        )
    lines.append(b.para("v2.result_total", amount=b.f.money(entry["total"], cur)))
    claim = entry.get("claim") or {}
    if claim.get("last_day") and Decimal(entry["total"]) > 0:  # nothing owed: nothing to claim
        lines.append(b.para("v2.result_claim", date=b.f.date(claim["last_day"])))
    from ..doc import Items

    return [b.para("examples.computed"), Items(tuple(lines))]


def ticket_result_lines(b: DocBuilder, entry: dict[str, Any]) -> list[Para]:
    """Missed resolutions and updates, the per-miss credits and the cap of a v2 report entry (issue 12)."""
    cur = entry["currency"]
    lines: list[Para] = []
    for key in ("missed_resolutions", "missed_updates"):
        if key in entry:
            misses = entry[key]
            n = len(misses) if key == "missed_resolutions" else sum(m["count"] for m in misses)
            lines.append(Para((b.plural(f"tickets.expect_{key}", n, n=b.f.number(n)),)))
    for credit in entry["credits"]:
        if credit["kind"] == "per_miss":
            rule = next((c for c in b.p["credits"] if c["id"] == credit["credit"]), None) or {}
            # As clause 4 heads an unnamed ticket credit (tickets.heading; not imported: tickets imports v2).
            target = (rule.get("per_miss") or {}).get("target") or "response"
            clocks = any(t.get("resolutions") or t.get("updates") for t in b.p["tiers"])  # tickets.applies
            default = b.t(f"tickets.heading_{target}") if clocks else b.t("credit.heading")
            name = b.text(rule.get("name")) or b.known("credit.names", credit["credit"], default)
            each, amount = b.f.money(credit["each_amount"], cur), b.f.money(credit["amount"], cur)
            count = b.f.number(credit["count"])
            lines.append(b.para("examples.result_per_miss", credit=name, count=count, each=each, amount=amount))
    cap = entry.get("cap") or {}
    if cap.get("applied") and not cap.get("windows_before"):  # a span's cap has its own line (result_cap_span)
        lines.append(b.para("examples.result_cap", limit=b.f.money(cap["limit"], cur)))
    return lines


def minimum_clause_index(b: DocBuilder) -> int:
    """Where the minimum-credit clause stands in the compensation section: after credits, cap and payout."""
    p = b.p
    return len(p["credits"]) + bool(p["cap"]) + bool(p["payout"]) + 1


def result_cap_span(b: DocBuilder, cap: dict[str, Any], cur: str) -> Para:
    """What the earlier windows of a cap's span owed, and what is left of the cap for the example's window."""
    import datetime as dt

    from babel.dates import format_skeleton

    def name(w: str) -> str:  # a month as the examples' facts name it ("March 2026"); a quarter as written
        return w if "-Q" in w else format_skeleton("yMMMM", dt.date(int(w[:4]), int(w[5:]), 1), locale=b.f.locale)

    names = [name(w) for w in cap["windows_before"]]
    return b.para(
        "v2.result_cap_span",
        per=b.word("per", cap["span"]),
        limit=b.f.money(cap["limit"], cur),
        used=b.f.money(cap["used_before"], cur),
        windows=b.t("scope.list_separator").join(names),
        remaining=b.f.money(cap["remaining"], cur),
    )
