"""Money terms in `slac diff`: credits (the bands and per-miss amounts), the cap and the payout form.

A band credit is compared as the credit owed at every uptime: two step functions over the
exact thresholds of both policies, the paying band at each step chosen by the runtime's own
rule (`slac.runtime.rules.paying_band_at`, the evaluator's tie-break). Amounts compare only
within one shape (a share of one basis, or money in one currency); across shapes a change
is an ambiguous reduction.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .changelog import Change, Kind
from .compare import (
    At,
    Pair,
    by_id,
    change,
    changed,
    jsonable,
    line,
    lines_of,
    matched,
    members,
    no_lines,
    ordered,
    presence,
    service_target,
    texts,
)
from .keys import Key
from .strings import Msg, amount, joined, msg, percent, render, user_text, word
from .targets import PER_MISS_WORDS
from .terms import Presence

Band = tuple[Decimal, dict[str, Any]]  # (threshold in percent, amount)


def _shape(value: dict[str, Any]) -> tuple[tuple[str, str], Decimal]:
    """(shape, number): a share of one basis, or money in one currency."""
    if "share" in value:
        return ("share", value["basis"]), Decimal(value["share"])
    if "service_days" in value:  # v2: `1 service_day`
        return ("service_days", ""), Decimal(value["service_days"])
    if "formula" in value:  # v2: formulas of another text are not ranked (another shape)
        return ("formula", value["text"]), Decimal(0)
    return ("money", value["currency"]), Decimal(value["money"])


def credits(pair: Pair) -> Iterator[Change]:
    for ident, old, new in pair.keyed("credits"):
        lines = lines_of(old, new)
        if old is None or new is None:
            rule = Presence(("improvement", "credit_added"), ("reduction", "credit_removed"))
            at = At(Key("credit", ident), msg("subject", "credit", name=ident), lines)
            yield from presence(at, old and ident, new and ident, rule)
            continue
        for tier, a, b in members(old["applies"], new["applies"]):
            subject = msg("subject", "credit_applies", name=ident, tier=pair.name("tiers", tier))
            rule = Presence(("improvement", "credit_applies_added"), ("reduction", "credit_applies_removed"))
            yield from presence(At(Key("credit", ident, "applies", tier), subject, lines), a, b, rule)
        for tier in (t for t in new["applies"] if t in old["applies"]):
            yield from _bands_by_service(pair, ident, tier, old, new)
        for cond, a, b in members(old.get("requires") or [], new.get("requires") or []):  # language v2
            subject = msg("subject", "credit_requires", name=ident, condition=user_text(None, cond))
            rule = Presence(("reduction", "requires_added"), ("improvement", "requires_removed"))
            yield from presence(At(Key("credit", ident, "requires", cond), subject, lines), a, b, rule)
        op, np_ = old.get("per_miss"), new.get("per_miss")
        # `per missed resolution` / `per missed update` (issue 12) have their own words; absent means response.
        words, more, less, added, removed = PER_MISS_WORDS[(np_ or op or {}).get("target")]
        at = At(Key("credit", ident, "per_miss"), msg("subject", words, name=ident))
        at = At(at.key, at.subject, (line(op) or lines[0], line(np_) or lines[1]))
        if op is None or np_ is None:
            rule = Presence(("improvement", added), ("reduction", removed))
            yield from presence(at, op and op["amount"], np_ and np_["amount"], rule, show=amount)
        else:
            yield from amounts(at, op["amount"], np_["amount"], (more, less))


def amounts(at: At, old: dict[str, Any], new: dict[str, Any], reasons: tuple[str, str]) -> Iterator[Change]:
    """Two amounts: more is better for the customer; of different shapes they cannot be ranked."""
    a, b = _shape(old), _shape(new)
    if a[0] != b[0]:
        yield from changed(at, old, new, amount, "credit_incomparable", unranked=True)
        return
    yield from ordered(at, (a[1], b[1]), (old, new), amount, reasons, higher=True)


def _services(pair: Pair) -> list[str | None]:
    """The services either contract measures (None: a contract without services, one uptime per tier)."""
    found = [s["id"] for p in (pair.new, pair.old) for s in p.get("services") or ()]
    return list(dict.fromkeys(found)) or [None]


def _bands_by_service(pair: Pair, ident: str, tier: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    """The bands compared per service when `target` means another uptime for each (language v2); once when
    every service has the same thresholds on both sides (v1, or bands without `target`)."""
    tiers = (by_id(pair.old["tiers"]).get(tier), by_id(pair.new["tiers"]).get(tier))
    targets = {s: (service_target(tiers[0], s), service_target(tiers[1], s)) for s in _services(pair)}
    if len(set(targets.values())) == 1:
        yield from _bands(pair, ident, tier, old, new, next(iter(targets.values())))
        return
    for service, uptimes in targets.items():
        yield from _bands(pair, ident, tier, old, new, uptimes, service)


def _resolve(bands: list[dict[str, Any]], uptime: str | None) -> list[Band]:
    """(threshold, amount) per band that applies, highest threshold first, as the changelog lists them."""
    from ..runtime.rules import band_threshold  # slac.runtime loads numpy: only when bands changed

    out = [(Decimal(t), b["amount"]) for b in bands if (t := band_threshold(b, uptime)) is not None]
    return sorted(out, key=lambda b: -b[0])


def _credit_at(worst_first: Any, uptime: Decimal) -> dict[str, Any] | None:
    """The amount the band credit pays at exactly `uptime` percent: the runtime's rule."""
    from ..runtime.rules import paying_band_at

    band = paying_band_at(worst_first, uptime)
    return None if band is None else band["amount"]


def _steps(
    old: dict[str, Any], new: dict[str, Any], uptimes: tuple[str | None, str | None], points: list[Decimal]
) -> list[tuple]:
    """(low, high, old amount, new amount) for every uptime range whose credit differs."""
    from ..runtime.rules import bands_worst_first

    worst = [bands_worst_first(c["bands"], u) for c, u in zip((old, new), uptimes, strict=True)]
    out = []
    for i, low in enumerate(points):
        high = points[i - 1] if i else Decimal(100)
        av, bv = _credit_at(worst[0], low), _credit_at(worst[1], low)
        a, b = (_shape(v)[1] if v else Decimal(0) for v in (av, bv))
        if a != b or (av is None) != (bv is None):
            out.append((low, high, a, b, av, bv))
    return out


def _bands(
    pair: Pair, ident: str, tier: str, old: dict[str, Any], new: dict[str, Any],
    uptimes: tuple[str | None, str | None], service: str | None = None,
) -> Iterator[Change]:  # fmt: skip
    """Compare the credit owed at every uptime, as two step functions over exact thresholds; `uptimes`:
    what `target` means on each side (for `service`, when it differs between services)."""
    ob, nb = _resolve(old["bands"], uptimes[0]), _resolve(new["bands"], uptimes[1])
    if ob == nb:
        return
    subject = msg("subject", "credit_bands", name=ident, tier=pair.name("tiers", tier))
    if service is not None:
        subject = msg("subject", "credit_bands_service", name=ident, tier=pair.name("tiers", tier),
                      service=pair.name("services", service))  # fmt: skip
    at = At(
        Key("credit", ident, "bands", tier if service is None else f"{tier}:{service}"), subject, lines_of(old, new)
    )
    raw = [jsonable([no_lines(b) for b in c["bands"]]) for c in (old, new)]
    if len({_shape(a)[0] for _t, a in ob + nb}) > 1:
        detail = msg("change", "changed", old=_show_bands(ob), new=_show_bands(nb))
        yield change(
            at, "reduction", detail, msg("reason", "credit_incomparable"), ambiguous=True, old=raw[0], new=raw[1]
        )
        return
    # The credit is constant between neighbouring thresholds, so one point per interval decides it.
    points = sorted({t for t, _a in ob + nb} | {Decimal(0)}, reverse=True)
    diffs = _steps(old, new, uptimes, points)
    if not diffs:
        return
    up = any(b > a for _l, _h, a, b, _av, _bv in diffs)
    down = any(b < a for _l, _h, a, b, _av, _bv in diffs)
    kind: Kind
    if up and down:
        kind, reason, ambiguous = "reduction", "credit_mixed", True
    elif up:
        kind, reason, ambiguous = "improvement", "credit_more", False
    else:
        kind, reason, ambiguous = "reduction", "credit_less", False
    parts = [_band_range(low, high, av, bv) for low, high, _a, _b, av, bv in diffs]
    ranges: Msg = lambda s: s.text("unit", "sep").join(render(p, s) for p in parts)  # noqa: E731
    yield change(at, kind, ranges, msg("reason", reason), ambiguous=ambiguous, old=raw[0], new=raw[1])


def _band_range(low: Decimal, high: Decimal, av: Any, bv: Any) -> Msg:
    show_old = amount(av) if av else msg("change", "no_credit")
    show_new = amount(bv) if bv else msg("change", "no_credit")
    if low == 0:
        return msg("change", "band_below", high=percent(high), old=show_old, new=show_new)
    return msg("change", "band_range", low=percent(low), high=percent(high), old=show_old, new=show_new)


def _show_bands(bands: list[Band]) -> Msg:
    return joined(msg("change", "band", threshold=percent(t), amount=amount(a)) for t, a in bands)


def cap_and_payout(pair: Pair) -> Iterator[Change]:
    oc, nc = pair.old.get("cap"), pair.new.get("cap")
    at = At(Key("cap"), msg("subject", "cap"), lines_of(oc, nc))
    if oc is None or nc is None:
        # No cap means no limit, which is better for the customer than any cap.
        rule = Presence(("reduction", "cap_added"), ("improvement", "cap_removed"))
        yield from presence(at, oc and oc["amount"], nc and nc["amount"], rule, show=amount)
    else:
        yield from amounts(at, oc["amount"], nc["amount"], ("cap_higher", "cap_lower"))
    op, np_ = pair.old.get("payout") or {}, pair.new.get("payout") or {}
    of, nf = op.get("form"), np_.get("form")
    at = At(Key("payout", "form"), msg("subject", "payout"), (line(op or None), line(np_ or None)))
    if of != nf and (of == "refund" or nf == "refund"):
        better = nf == "refund"
        detail = msg("change", "changed", old=of or word("none"), new=nf or word("none"))
        reason = msg("reason", "payout_better" if better else "payout_worse")
        yield change(at, "improvement" if better else "reduction", detail, reason, old=of, new=nf)
    else:
        yield from changed(at, of, nf, str, "payout_changed", unranked=True)


def _links(pair: Pair, policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # A link is known by its address and name together: two links may share an address.
    return {
        f"{link['url']} {(link.get('name') or {}).get(pair.original, '')}": link
        for link in policy.get("third_party") or ()
    }


def others(pair: Pair) -> Iterator[Change]:
    for key, old, new in matched(_links(pair, pair.old), _links(pair, pair.new)):
        either = new or old or {}
        url = either.get("url", "")
        at = At(
            Key("third_party", key),
            msg("subject", "third_party", name=user_text(either.get("name"), url)),
            lines_of(old, new),
        )
        if old is None or new is None:
            info = Presence(("neutral", "informational"), ("neutral", "informational"))
            yield from presence(at, old and url, new and url, info)
        else:
            yield from texts(pair, at, old["name"], new["name"], legal=False)
    for title, old, new in pair.keyed("examples", "title"):
        if old is not None and new is not None and no_lines(old) == no_lines(new):
            continue
        which = "added_plain" if old is None else "removed_plain" if new is None else "changed"
        at = At(Key("example", title), msg("subject", "example", name=user_text(None, title)), lines_of(old, new))
        yield change(at, "neutral", msg("change", which, old="…", new="…"), msg("reason", "informational"))
