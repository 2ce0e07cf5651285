"""Definitions and scope of service: the first two sections of the document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..doc import Block, Items, Para, Table

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def definitions(b: DocBuilder, probe: bool = False) -> Any:
    """The contract's definitions, then a definition of each party or service term the document's
    own sentences use but the contract does not define (see `parties`)."""
    own = [d for d in b.p["definitions"] if b.text(d["text"]).strip()]
    added = [role for role, party in b.parties.items() if not party.defined]
    fee = uses_monthly_fee(b.p) and not any(d["id"] == "monthly_fee" for d in b.p["definitions"])
    if probe:
        return bool(own or added or fee)
    clauses = [("", b.user(b.text(d["text"])), d["id"]) for d in own]
    for role in added:
        if role == "service" and b.p.get("services"):  # language v2: the services are named in the contract
            names = [b.text(x.get("name"), x["id"]) for x in b.p["services"]]
            clauses.append(("", (b.para("definitions.service_named", services=b.f.items(names)),), role))
        else:
            clauses.append(("", (b.para(f"definitions.{role}"),), role))
    if fee:  # every credit and cap "of the monthly fee" depends on what that fee is
        clauses.append(("", (b.para("definitions.monthly_fee"),), "monthly_fee"))
    return [], clauses


def uses_monthly_fee(p: dict[str, Any]) -> bool:
    """Whether a credit or the cap is an amount of the monthly fee (a share, or a formula naming it)."""
    amounts = [band["amount"] for c in p["credits"] for band in c["bands"]]
    amounts += [c["per_miss"]["amount"] for c in p["credits"] if c["per_miss"]]
    if p["cap"]:
        amounts.append(p["cap"]["amount"])
    return any(a.get("basis") == "monthly_fee" or "monthly_fee" in a.get("text", "") for a in amounts)


def scope(b: DocBuilder, probe: bool = False) -> Any:
    tiers = b.p["tiers"]
    if probe:
        return bool(tiers)
    with_features = any(t["features"] for t in tiers)
    with_support = any(t["support"] for t in tiers)
    intro: list[Block] = [b.para("scope.intro", count=b.f.number(len(tiers)))]
    if with_features or with_support:
        head = [b.t("scope.col_tier")]
        if with_features:
            head.append(b.t("scope.col_features"))
        if with_support:
            head.append(b.t("scope.col_support"))
        rows = []
        for t in tiers:
            row = [Para((b.tier_name(t["id"]),))]
            if with_features:
                row.append(Para((b.text(t["features"], "—"),)))
            if with_support:
                names = [b.name(b.channels.get(c), c) for c in t["support"]]
                row.append(Para((b.t("scope.list_separator").join(names) or "—",)))
            rows.append(tuple(row))
        intro.append(Table(tuple(head), tuple(rows)))
    else:
        intro.append(Items(tuple(Para((b.tier_name(t["id"]),)) for t in tiers)))
    return intro, []
