"""Compensation: credits, the cap, the form of credits and how to claim them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...policy.codec import uses_charges
from ..doc import Block, DocLink, Inline, Para, Table
from . import tickets, v2
from .terms import placed

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def compensation(b: DocBuilder, probe: bool = False) -> Any:
    p = b.p
    if probe:
        return bool(p["credits"] or p["cap"] or p["payout"] or p["claim"] or placed(b, "compensation"))
    clauses: list[tuple[str, tuple[Block, ...], str]] = []
    all_tiers = [t["id"] for t in p["tiers"]]
    days_defined = totals_defined = False
    for credit in p["credits"]:
        blocks: list[Block] = []
        applies = credit["applies"]
        tiers_text = b.f.items([b.tier_name(t) for t in applies])
        if credit["per_miss"]:
            blocks += _per_miss(b, credit, define_totals=not totals_defined)
            totals_defined = totals_defined or uses_charges(credit["per_miss"]["amount"])
        if credit["bands"]:
            blocks.append(b.para("credit.bands_intro"))
            rows = []
            for band in credit["bands"]:
                threshold = v2.threshold(b, band)
                rows.append((Para((threshold,)), Para((b.amount(band["amount"]),))))
            blocks.append(Table((b.t("credit.col_uptime"), b.t("credit.col_credit")), tuple(rows)))
            inclusive = any(band.get("inclusive") for band in credit["bands"])  # `at or below` (v2)
            if len(credit["bands"]) > 1:  # with one band there are no other bands to add
                blocks.append(b.para("v2.single_band_inclusive" if inclusive else "credit.single_band"))
            if any(band["threshold"] == "target" for band in credit["bands"]):
                blocks.append(v2.target_means(b, b.ref(b.numbers["standards"] + ".1", "standards", "availability")))
        blocks += v2.credit_blocks(b, credit)
        days_defined = days_defined or any("service_days" in band["amount"] for band in credit["bands"])
        if "service_days" in (credit["per_miss"] or {}).get("amount", {}) and not days_defined:
            # "1 day of service" is money only once defined; of a ticket credit, the fee of the period the
            # miss is attributed to (the ticket-clock clause)
            days = tickets.service_days_means(b, credit) if tickets.applies(b) else b.para("v2.service_days_means")
            blocks.append(days)
            days_defined = True
        if sorted(applies) == sorted(all_tiers):
            if len(all_tiers) > 1:  # with one tier, "every tier" says nothing
                blocks.append(b.para("credit.applies_all"))
        else:
            blocks.append(Para((b.plural("credit.applies", len(applies), tiers=tiers_text),)))
        if credit["per_miss"] and p["exclusions"]:
            key = tickets.excluded_key(credit)  # a resolution or update credit (issue 12) says so
            blocks.append(b.para(key, section=b.ref(b.numbers["limitations"], "limitations")))
        default = tickets.heading(b, credit) or b.t("credit.heading")  # by what a ticket credit pays for
        heading = b.text(credit.get("name")) or b.known("credit.names", credit["id"], default)
        clauses.append((heading, tuple(blocks), credit["id"]))
    if p["cap"]:
        clauses.append(cap_clause(b, p["cap"], days_defined))
    if p["payout"]:
        pay = p["payout"]
        key = "payout.text_when" if pay["when"] else "payout.text"
        clauses.append(
            (
                b.t("clause.payout"),
                (
                    b.para(
                        key,
                        form=b.word("payout.form", pay["form"]),
                        when=b.word("payout.when", pay["when"] or ""),
                    ),
                ),
                "payout",
            )
        )
    clauses += v2.compensation_clauses(b)  # minimum credit, termination right (language v2)
    if p["claim"]:
        clauses.append((b.t("clause.claim"), claim_blocks(b, p["claim"]), "claim"))
    rest = placed(b, "compensation")
    return [], v2.remedy_note(b, clauses, rest)  # the termination right beside a sole-remedy clause


def claim_blocks(b: DocBuilder, claim: dict[str, Any]) -> tuple[Block, ...]:
    via = claim["via"]
    values: dict[str, Inline] = {}
    if via is None:
        key = "claim.required"
    elif "channel" in via:
        ch = b.channels.get(via["channel"])
        values["channel"] = b.name(ch, via["channel"])
        if ch and ch["url"]:
            key = "claim.via_channel_url"
            values["link"] = DocLink(ch["url"], ch["url"])
        else:
            key = "claim.via_channel"
    else:
        address = via["address"]
        email = "@" in address and ":" not in address
        key = "claim.via_email" if email else "claim.via_address"  # a claim goes by email, or through a site
        values["link"] = DocLink(address, f"mailto:{address}" if email else address)
    if not claim["required"]:
        key = "claim.optional"
    blocks: list[Block] = [b.para(key, **values)]
    if claim["within_seconds"] is not None:
        blocks.append(b.para("claim.within", duration=b.f.duration(claim["within_seconds"])))
    blocks += v2.claim_cycles(b, claim)
    blocks.append(b.para("claim.unclaimed" if claim["required"] else "claim.automatic"))
    return tuple(blocks)


def _per_miss(b: DocBuilder, credit: dict[str, Any], *, define_totals: bool) -> list[Block]:
    """A credit per missed target; on `service_charges`, the Total Charges defined (once: `define_totals`),
    since a miss belongs to no one scope and its credit is a share of every scope's charges."""
    each = credit["per_miss"]["amount"]
    out: list[Block] = [tickets.per_miss(b, credit) or b.para("credit.per_miss", amount=b.amount(each, per_miss=True))]
    if uses_charges(each) and define_totals:
        out.append(v2.total_charges_means(b))
    return out


_SPAN_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_WINDOW_MONTHS = {"calendar_month": 1, "calendar_quarter": 3, "calendar_year": 12}


def _cap(b: DocBuilder, cap: dict[str, Any]) -> Para:
    """The cap; over a longer span than the window, what the earlier windows of the span owed counts against it."""
    from .v2 import scope_kind

    scope = cap["amount"].get("basis") == "service_charges"
    # "for one service in one region" only where a service is measured per region (v2.scope_kind).
    cut = "" if scope_kind(b) == "region" else "_service"
    window = (b.p["availability"] or {}).get("window") or "calendar_month"
    if _SPAN_MONTHS.get(cap["per"], 1) > _WINDOW_MONTHS.get(window, 1):
        key = f"v2.cap_scope_span{cut}" if scope else "v2.cap_span"
        return b.para(
            key, amount=b.amount(cap["amount"]), per=b.word("per", cap["per"]), window=b.word("window", window)
        )
    return b.para(
        f"v2.cap_scope{cut}" if scope else "cap.text", amount=b.amount(cap["amount"]), per=b.word("per", cap["per"])
    )


def cap_clause(b: DocBuilder, cap: dict[str, Any], days_defined: bool) -> tuple[str, tuple[Block, ...], str]:
    """The limit on credits; a cap in days of service defines the day when no credit has done so."""
    blocks: list[Block] = [_cap(b, cap)]
    if cap["amount"].get("basis") == "service_charges" and (uncapped := v2.cap_not_tickets(b)) is not None:
        blocks.append(uncapped)
    if "service_days" in cap["amount"] and not days_defined:
        blocks.append(b.para("v2.service_days_means"))
    return b.t("clause.cap"), tuple(blocks), "cap"
