"""Money terms in `slac diff`: credits (the bands and per-miss amounts), the cap and the payout form.

A band credit is compared as the credit owed at every uptime: two step functions over the
exact thresholds of both policies (each threshold itself, where `at or below` pays, and the
uptimes between), the paying band at each step chosen by the runtime's own rule
(`slac.runtime.scoped_credits.paying`, the evaluator's tie-break). Two amounts of one shape (a
share of one basis, money in one currency) are ranked exactly; amounts of different shapes, or
formulas, are evaluated by the runtime over sample months: less in any of them is a reduction,
otherwise the change is an ambiguous reduction (samples do not prove a formula pays no less).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..policy.codec import money_str
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
    measured_services,
    members,
    no_lines,
    ordered,
    presence,
    service_target,
    texts,
)
from .keys import Key
from .strings import Msg, amount, joined, msg, percent, plain, render, user_text, word
from .targets import PER_MISS_WORDS
from .terms import Presence

Band = tuple[Decimal, bool, dict[str, Any]]  # (threshold in percent, `at or below`, amount)


def _shape(value: dict[str, Any]) -> tuple[tuple[str, str], Decimal]:
    """(shape, number): a share of one basis, or money in one currency."""
    if "share" in value:
        return ("share", value["basis"]), Decimal(value["share"])
    if "service_days" in value:  # v2: `1 service_day`
        return ("service_days", ""), Decimal(value["service_days"])
    if "formula" in value:  # v2: formulas of another text are not ranked (another shape)
        return ("formula", value["text"]), Decimal(0)
    return ("money", value["currency"]), Decimal(value["money"])


def _shown(pair: Pair) -> Callable[[Any], Msg]:
    """`strings.amount`, a formula worded for the new contract's window ("the fee for the calendar quarter")."""
    return lambda v: amount({**v, "window": pair.window} if isinstance(v, dict) and "formula" in v else v)


def credits(pair: Pair) -> Iterator[Change]:
    for ident, old, new in pair.keyed("credits"):
        lines = lines_of(old, new)
        if old is None or new is None:
            rule = Presence(("improvement", "credit_added"), ("reduction", "credit_removed"))
            at = At(Key("credit", ident), msg("subject", "credit", name=pair.credit(ident)), lines)
            yield from presence(at, old and ident, new and ident, rule)
            continue
        for tier, a, b in members(old["applies"], new["applies"]):
            subject = msg("subject", "credit_applies", name=pair.credit(ident), tier=pair.name("tiers", tier))
            rule = Presence(("improvement", "credit_applies_added"), ("reduction", "credit_applies_removed"))
            yield from presence(At(Key("credit", ident, "applies", tier), subject, lines), a, b, rule)
        for tier in (t for t in new["applies"] if t in old["applies"]):
            yield from _bands_by_service(pair, ident, tier, old, new)
        for cond, a, b in members(old.get("requires") or [], new.get("requires") or []):  # language v2
            subject = msg("subject", "credit_requires", name=pair.credit(ident), condition=user_text(None, cond))
            rule = Presence(("reduction", "requires_added"), ("improvement", "requires_removed"))
            yield from presence(At(Key("credit", ident, "requires", cond), subject, lines), a, b, rule)
        op, np_ = old.get("per_miss"), new.get("per_miss")
        # `per missed resolution` / `per missed update` (issue 12) have their own words; absent means response.
        words, more, less, added, removed = PER_MISS_WORDS[(np_ or op or {}).get("target")]
        at = At(Key("credit", ident, "per_miss"), msg("subject", words, name=pair.credit(ident)))
        at = At(at.key, at.subject, (line(op) or lines[0], line(np_) or lines[1]))
        if op is None or np_ is None:
            rule = Presence(("improvement", added), ("reduction", removed))
            yield from presence(at, op and op["amount"], np_ and np_["amount"], rule, show=_shown(pair))
        else:
            yield from amounts(pair, at, op["amount"], np_["amount"], (more, less))


def amounts(pair: Pair, at: At, old: dict[str, Any], new: dict[str, Any], reasons: tuple[str, str]) -> Iterator[Change]:
    """Two amounts (per miss, a cap): more is better for the customer. Of one shape they are ranked
    exactly; of different shapes, or formulas, by sample billing periods (`_sampled`); in two
    currencies (the contract's currency changed), not at all."""
    a, b = _shape(old), _shape(new)
    if old == new:
        return
    show = _shown(pair)
    detail = msg("change", "changed", old=show(old), new=show(new))
    if _currency_changed(pair):
        why = msg("reason", "credit_incomparable")
        yield change(at, "reduction", detail, why, ambiguous=True, old=jsonable(old), new=jsonable(new))
        return
    if a[0] == b[0] and a[0][0] != "formula":
        yield from ordered(at, (a[1], b[1]), (old, new), show, reasons, higher=True)
        return
    kind, reason, ambiguous = _verdict(_sampled(old, new, _windows(pair)), "amount")
    yield change(at, kind, detail, msg("reason", reason), ambiguous=ambiguous, old=jsonable(old), new=jsonable(new))


# Sample billing periods for amounts slac cannot rank exactly: fees, lengths of the window (days, months
# in it: every length the contract's billing has), shares of the window down (with no uptime given)
# and the tier's uptime (`target`).
_FEES = (Fraction(100), Fraction(1000), Fraction(250_000))
_WINDOWS = {
    "monthly": ((28, 1), (29, 1), (30, 1), (31, 1)),
    "quarterly": ((90, 3), (91, 3), (92, 3)),
    "annually": ((365, 12), (366, 12)),
}
_DOWN = (
    Fraction(0),
    Fraction(1, 2000),
    Fraction(1, 200),
    Fraction(1, 50),
    Fraction(1, 10),
    Fraction(1, 2),
    Fraction(1),
)
_TARGETS = (Fraction(99, 100), Fraction(999, 1000), Fraction(9999, 10000))
_DAY_US = 86_400_000_000


def _windows(pair: Pair) -> tuple[tuple[int, int], ...]:
    """The lengths of window (days, months) either contract's billing period can have."""
    found = [w for p in (pair.old, pair.new) for w in _WINDOWS.get(p.get("billing") or "monthly", _WINDOWS["monthly"])]
    return tuple(dict.fromkeys(found))


def _currency_changed(pair: Pair) -> bool:
    return bool(pair.old.get("currency") != pair.new.get("currency"))


def _sampled(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    windows: tuple[tuple[int, int], ...],
    uptimes: tuple[Decimal, ...] = (),
) -> set[int]:
    """The signs of (new − old) over the sample billing periods (`windows`: their lengths); None is no credit.
    `uptimes`: the uptimes in percent that the amounts are paid at (a band's range), else every share of
    downtime in `_DOWN`."""
    from ..runtime.scoped_credits import Quantities, value  # slac.runtime loads numpy: only when credits changed

    downs = tuple(1 - Fraction(u) / 100 for u in uptimes) or _DOWN
    signs: set[int] = set()
    for fee in _FEES:
        for days, months in windows:
            window = days * _DAY_US
            for down in downs:
                for target in _TARGETS:
                    for charges in (fee, fee / 3):
                        q = Quantities(fee, months, days, charges, int(window * down), window, target)
                        a = value(old, q) if old is not None else Fraction(0)
                        b = value(new, q) if new is not None else Fraction(0)
                        signs.add((b > a) - (b < a))
    return signs


# The reasons of `_verdict`, by what is compared: (mixed, less, more, same).
_SAMPLED = {
    "credit": ("credit_mixed_sampled", "credit_less_sampled", "credit_more_sampled", "credit_same_sampled"),
    "amount": ("amount_mixed_sampled", "amount_less_sampled", "amount_more_sampled", "amount_same_sampled"),
}


def _verdict(signs: set[int], noun: str) -> tuple[Kind, str, bool]:
    """(kind, reason, ambiguous) of amounts compared over sample periods: less in any is a reduction.
    `noun`: "credit" (a band's credit) or "amount" (per miss, a cap), the reasons' words."""
    mixed, less, more, same = _SAMPLED[noun]
    if -1 in signs:
        return ("reduction", mixed, True) if 1 in signs else ("reduction", less, False)
    if 1 in signs:
        return "reduction", more, True
    return "reduction", same, True


def _currencies(bands: list[Band]) -> set[str]:
    return {a["currency"] for _t, _i, a in bands if "money" in a}


def _bands_by_service(pair: Pair, ident: str, tier: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    """The bands compared per service when `target` means another uptime for each (language v2); once when
    every service has the same thresholds on both sides (v1, or bands without `target`)."""
    tiers = (by_id(pair.old["tiers"]).get(tier), by_id(pair.new["tiers"]).get(tier))
    targets = {
        s: (service_target(tiers[0], s), service_target(tiers[1], s)) for s in measured_services(pair.old, pair.new)
    }
    # A service one contract measures and the other (with services of its own) does not: no band pays there.
    measured = [{s["id"] for s in p.get("services") or ()} for p in (pair.old, pair.new)]
    missing = {s: tuple(bool(m) and s not in m for m in measured) for s in targets if s is not None}
    if len(set(targets.values())) == 1 and not any(any(v) for v in missing.values()):
        yield from _bands(pair, ident, tier, old, new, next(iter(targets.values())))
        return
    for service, uptimes in targets.items():
        gone = missing.get(service, (False, False)) if service is not None else (False, False)
        a, b = ({**c, "bands": []} if g else c for c, g in zip((old, new), gone, strict=True))
        yield from _bands(pair, ident, tier, a, b, uptimes, service)


def _resolve(bands: list[dict[str, Any]], uptime: str | None) -> list[Band]:
    """(threshold, inclusive, amount) per band that applies, highest threshold first, as the changelog lists them."""
    from ..runtime.rules import band_threshold  # slac.runtime loads numpy: only when bands changed

    out = [
        (Decimal(t), bool(b.get("inclusive")), b["amount"])
        for b in bands
        if (t := band_threshold(b, uptime)) is not None
    ]
    return sorted(out, key=lambda b: (-b[0], not b[1]))


def _credit_at(worst_first: Any, uptime: Decimal) -> dict[str, Any] | None:
    """The amount the band credit pays at exactly `uptime` percent: the runtime's rule."""
    from ..runtime.scoped_credits import paying

    share = Fraction(uptime) / 100
    band = paying(worst_first, share.numerator, share.denominator)
    return None if band is None else band.raw["amount"]


# One uptime range of the step functions: (low, low included, high, high included).
Range = tuple[Decimal, bool, Decimal, bool]


def _segments(thresholds: set[Decimal]) -> list[Range]:
    """The uptimes, highest first, cut at every threshold: each threshold alone (where `at or below`
    pays and `below` does not), then the open range under it down to the next."""
    points = sorted(thresholds | {Decimal(0), Decimal(100)}, reverse=True)
    out: list[Range] = []
    for i, p in enumerate(points):
        out.append((p, True, p, True))
        if i + 1 < len(points):
            out.append((points[i + 1], False, p, False))
    return out


def _steps(
    old: dict[str, Any],
    new: dict[str, Any],
    uptimes: tuple[str | None, str | None],
    thresholds: set[Decimal],
    windows: tuple[tuple[int, int], ...],
) -> list[tuple[Range, Any, Any, set[int]]]:
    """(uptime range, old amount, new amount, signs of new − old) for every range whose credit differs,
    neighbouring ranges of the same two amounts joined."""
    from ..runtime.scoped_credits import bands_worst_first

    worst = [bands_worst_first(c["bands"], u) for c, u in zip((old, new), uptimes, strict=True)]
    out: list[tuple[Range, Any, Any, set[int]]] = []
    for low, low_in, high, high_in in _segments(thresholds):
        at = low if low == high else (low + high) / 2  # the credit is constant inside an open range
        av, bv = _credit_at(worst[0], at), _credit_at(worst[1], at)
        if av == bv:
            continue
        signs = _exact(av, bv) if _ranked(av, bv) else _sampled(av, bv, windows, _inside((low, low_in, high, high_in)))
        if out and out[-1][1] == av and out[-1][2] == bv and out[-1][0][0] == high and out[-1][0][1] != high_in:
            (_low, _low_in, top, top_in), _a, _b, before = out[-1]
            out[-1] = ((low, low_in, top, top_in), av, bv, before | signs)
        else:
            out.append(((low, low_in, high, high_in), av, bv, signs))
    return out


def _inside(r: Range) -> tuple[Decimal, ...]:
    """Uptimes of a range to sample a formula at: its ends where included, and seven between."""
    low, low_in, high, high_in = r
    if low == high:
        return (low,)
    between = tuple(low + (high - low) * k / 8 for k in range(1, 8))
    return (*((low,) if low_in else ()), *between, *((high,) if high_in else ()))


def _ranked(av: dict[str, Any] | None, bv: dict[str, Any] | None) -> bool:
    """Whether two amounts (None: no credit) can be ranked exactly: of one shape, not a formula."""
    shapes = {_shape(v)[0] for v in (av, bv) if v is not None}
    return len(shapes) == 1 and next(iter(shapes))[0] != "formula"


def _exact(av: dict[str, Any] | None, bv: dict[str, Any] | None) -> set[int]:
    a, b = (_shape(v)[1] if v is not None else Decimal(0) for v in (av, bv))
    return {(b > a) - (b < a)}


def _bands(
    pair: Pair, ident: str, tier: str, old: dict[str, Any], new: dict[str, Any],
    uptimes: tuple[str | None, str | None], service: str | None = None,
) -> Iterator[Change]:  # fmt: skip
    """Compare the credit owed at every uptime, as two step functions over exact thresholds; `uptimes`:
    what `target` means on each side (for `service`, when it differs between services)."""
    ob, nb = _resolve(old["bands"], uptimes[0]), _resolve(new["bands"], uptimes[1])
    if ob == nb:
        return
    subject = msg("subject", "credit_bands", name=pair.credit(ident), tier=pair.name("tiers", tier))
    if service is not None:
        subject = msg("subject", "credit_bands_service", name=pair.credit(ident), tier=pair.name("tiers", tier),
                      service=pair.name("services", service))  # fmt: skip
    at = At(
        Key("credit", ident, "bands", tier if service is None else f"{tier}:{service}"), subject, lines_of(old, new)
    )
    raw = [jsonable([no_lines(b) for b in c["bands"]]) for c in (old, new)]
    if len(_currencies(ob + nb)) > 1 or _currency_changed(pair):  # two currencies: no sample ranks them
        detail = msg("change", "changed", old=_show_bands(ob), new=_show_bands(nb))
        yield change(
            at, "reduction", detail, msg("reason", "credit_incomparable"), ambiguous=True, old=raw[0], new=raw[1]
        )
        return
    diffs = _steps(old, new, uptimes, {t for t, _i, _a in ob + nb}, _windows(pair))
    if not diffs:
        return
    signs = set().union(*(s for *_x, s in diffs))
    kind: Kind
    if all(_ranked(av, bv) for _r, av, bv, _s in diffs):
        if 1 in signs and -1 in signs:
            kind, reason, ambiguous = "reduction", "credit_mixed", True
        elif 1 in signs:
            kind, reason, ambiguous = "improvement", "credit_more", False
        else:
            kind, reason, ambiguous = "reduction", "credit_less", False
    elif 1 in signs and -1 not in signs and all(_ranked(av, bv) or av is None for _r, av, bv, _s in diffs):
        # A credit is never negative (the runtime pays at least nothing), so where no credit was owed
        # before the new amount cannot pay less: a month the samples found paying more proves the rest.
        kind, reason, ambiguous = "improvement", "credit_more", False
    else:
        kind, reason, ambiguous = _verdict(signs, "credit")
    parts = [_band_range(r, av, bv, _shown(pair)) for r, av, bv, _s in diffs]
    ranges: Msg = lambda s: s.text("unit", "sep").join(render(p, s) for p in parts)  # noqa: E731
    yield change(at, kind, ranges, msg("reason", reason), ambiguous=ambiguous, old=raw[0], new=raw[1])


def _band_range(r: Range, av: Any, bv: Any, show: Callable[[Any], Msg]) -> Msg:
    """`uptime from 95% to below 99%: 10% … → 30% …`, and the forms of the other ends of a range."""
    low, low_in, high, high_in = r
    show_old = show(av) if av else msg("change", "no_credit")
    show_new = show(bv) if bv else msg("change", "no_credit")
    if low == high:
        return msg("change", "band_exactly", at=percent(low), old=show_old, new=show_new)
    if low == 0 and low_in:
        key = "band_at_or_below" if high_in else "band_below"
        return msg("change", key, high=percent(high), old=show_old, new=show_new)
    key = {
        (True, False): "band_range",
        (True, True): "band_range_closed",
        (False, False): "band_range_open",
        (False, True): "band_range_upper",
    }[(low_in, high_in)]
    return msg("change", key, low=percent(low), high=percent(high), old=show_old, new=show_new)


def _show_bands(bands: list[Band]) -> Msg:
    return joined(
        msg("change", "band_inclusive" if inclusive else "band", threshold=percent(t), amount=amount(a))
        for t, inclusive, a in bands
    )


def cap_and_payout(pair: Pair) -> Iterator[Change]:
    oc, nc = pair.old.get("cap"), pair.new.get("cap")
    at = At(Key("cap"), msg("subject", "cap"), lines_of(oc, nc))
    reach = [(c, cap_reach(p)) for c, p in ((oc, pair.old), (nc, pair.new))]
    if (oc and oc["amount"]) != (nc and nc["amount"]) and all(c is None or most is not None for c, most in reach):
        yield _unreachable(pair, at, reach)
    elif oc is None or nc is None:
        # No cap means no limit, which is better for the customer than any cap.
        rule = Presence(("reduction", "cap_added"), ("improvement", "cap_removed"))
        yield from presence(at, oc and oc["amount"], nc and nc["amount"], rule, show=_shown(pair))
    else:
        yield from amounts(pair, at, oc["amount"], nc["amount"], ("cap_higher", "cap_lower"))
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


def _unreachable(pair: Pair, at: At, reach: list[tuple[Any, dict[str, Any] | None]]) -> Change:
    """A cap added, removed or changed where no cap either contract has can be reached: no change for the customer."""
    (oc, old_most), (nc, new_most) = reach
    show = _shown(pair)
    if oc is None:
        detail = msg("change", "added", new=show(nc["amount"]))
        reason = msg("reason", "cap_unreachable", most=amount(new_most))
    elif nc is None:
        detail = msg("change", "removed", old=show(oc["amount"]))
        reason = msg("reason", "cap_unreachable_removed", most=amount(old_most))
    else:
        detail = msg("change", "changed", old=show(oc["amount"]), new=show(nc["amount"]))
        reason = msg("reason", "cap_unreachable_both")
    old, new = (jsonable(c and c["amount"]) for c in (oc, nc))
    return change(at, "neutral", detail, reason, old=old, new=new)


_MONTHS = {"month": 1, "quarter": 3, "year": 12, "calendar_month": 1, "calendar_quarter": 3, "calendar_year": 12}


def cap_reach(policy: dict[str, Any]) -> dict[str, Any] | None:
    """The most credit that any customer can be owed where the cap applies, as an amount of the cap's own shape, when
    that is no more than the cap (the cap can never limit a credit); None when the cap can bind, or slac cannot prove
    it cannot.

    Per scope the band credits of a tier add up (each at most its largest band), per-miss lines add to the customer's
    total; a cap on `service_charges` limits each scope (not the per-miss lines), any other cap the total. So the most
    is each tier's largest bands added, times the scopes for a cap on the total; it is not known with a per-miss credit
    under a cap on the total (no limit to the misses), a service measured per region under it (no limit to the
    regions), a band of another shape than the cap's (money beside a share, a formula), or a cap over a span longer
    than the window (earlier windows, rounded, count against it)."""
    cap = policy.get("cap")
    window = (policy.get("availability") or {}).get("window") or "calendar_month"
    if cap is None or _MONTHS.get(cap["per"]) != _MONTHS.get(window) or window not in _MONTHS:
        return None
    shape, limit = _shape(cap["amount"])
    per_scope = cap["amount"].get("basis") == "service_charges"
    services = policy.get("services") or []
    if shape[0] == "formula" or (not per_scope and any(s.get("per_region") for s in services)):
        return None
    scopes = 1 if per_scope else max(1, len(services))
    most = Decimal(0)
    for tier in policy.get("tiers") or ():
        credits = [c for c in policy.get("credits") or () if tier["id"] in c["applies"]]
        if not per_scope and any(c.get("per_miss") for c in credits):
            return None
        bands = [[_shape(b["amount"]) for b in c["bands"]] for c in credits if c["bands"]]
        if any(s != shape for c in bands for s, _v in c):
            return None
        most = max(most, scopes * sum((max(v for _s, v in c) for c in bands), Decimal(0)))
    if most > limit:
        return None
    if shape[0] == "share":
        return {"share": plain(most), "basis": shape[1]}
    if shape[0] == "service_days":
        return {"service_days": plain(most)}
    return {"money": money_str(most, shape[1]), "currency": shape[1]}


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
        if old is not None and new is not None and _unplaced(old) == _unplaced(new):
            continue  # the same example, perhaps moved (its events carry their lines too)
        name = user_text((new or old or {}).get("titles"), title)  # in the reader's language when it has one
        at = At(Key("example", title), msg("subject", "example", name=name), lines_of(old, new))
        if old is None or new is None:
            detail = msg("change", "added_plain" if old is None else "removed_plain")
        else:  # what of it changed, not "… → …"
            a, b = _unplaced(old), _unplaced(new)
            parts = [key for key, fields in _EXAMPLE_PARTS if any(a.get(f) != b.get(f) for f in fields)]
            named = {f for _key, fields in _EXAMPLE_PARTS for f in fields}
            if any(a.get(f) != b.get(f) for f in set(a) | set(b) if f not in named):  # conditions unmet, …
                parts.append("example_other")
            detail = _example_detail(parts)
        yield change(at, "neutral", detail, msg("reason", "informational"))


def _example_detail(parts: list[str]) -> Msg:
    """`changed: title, expected results` (Chinese lists take the enumeration comma: 标题、预期结果)."""

    def show(s: Any) -> str:
        listed = s.text("change", "example_sep").join(s.text("change", k) for k in parts)
        return s.text("change", "example_changed", parts=listed)

    return show


def _unplaced(value: Any) -> Any:
    """A value without the source lines at any depth (an example's events and expectations have theirs)."""
    if isinstance(value, dict):
        return {k: _unplaced(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [_unplaced(v) for v in value]
    return value


# The parts of a worked example, as the changelog names what changed in one.
_EXAMPLE_PARTS = (
    ("example_titles", ("title", "titles")),
    ("example_setting", ("tier", "fee", "period")),
    ("example_events", ("events",)),
    ("example_expect", ("expect",)),
)
