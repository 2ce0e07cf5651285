"""A plain reference for language v2 (scopes, windows, error rates, allowances, formulas, caps): slow on purpose.

It reads only the policy dict and the event tables and shares no code with the fast path:
windows come from `datetime` in the zone, downtime from a sweep over elementary segments
(every boundary of every interval cut once, each segment marked down or not), the maintenance
allowance by walking those segments in time order, error-rate intervals by grouping request
rows in a dict, formulas by a recursive reading of the postfix steps, money in `Fraction`s
rounded once at the end. A cap over a longer span than the window: the earlier periods of the
span are named and evaluated first, one after the other, each with what the ones before it used
of the cap. Per-miss credit lines (`per missed response|resolution|update`) count the customer's
tickets opened in the window, each decided by the ticket oracle (`reference_tickets.reference_ticket`,
as of `as_of`: the end of the evaluated period unless given, for the earlier periods of a cap's span
too), a ticket with a cause (an exclusion) missing nothing; each miss pays the line's amount valued
at customer level (`service_charges`: every charge of the customer). Never used for real evaluations.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from slac.runtime.events import MISSING, Events

from .reference_tickets import ClockCal, calendars, reference_ticket, ticket_histories

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN = 60_000_000


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _secs(value: int | float) -> int:
    return round(Decimal(repr(value)) * 1_000_000)


@dataclass(frozen=True)
class RefScope:
    counted_us: int
    uptime: Fraction


@dataclass(frozen=True)
class RefCustomerV2:
    scopes: dict[tuple[str | None, str | None], RefScope]
    total: Decimal
    termination: bool
    capped: dict[tuple[str | None, str | None], Fraction]  # each scope's sum after its cap


def _month_start(year: int, month: int, zone: Any) -> int:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return _us(datetime(year, month, 1, tzinfo=zone))


def window_bounds(policy: dict[str, Any], period: str) -> tuple[int, int, int, int, int]:
    """(start µs, end µs, first year, first month, months) of the named billing period."""
    zone = zoneinfo.ZoneInfo(policy["timezone"] or "UTC")
    if "-Q" in period:
        year, q = int(period[:4]), int(period[-1])
        month, months = 3 * q - 2, 3
    elif "-" in period:
        year, month, months = int(period[:4]), int(period[5:]), 1
    else:
        year, month, months = int(period), 1, 12
    return _month_start(year, month, zone), _month_start(year, month + months, zone), year, month, months


def _covered_segments(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The elementary segments (between consecutive boundaries) that some interval covers, by a +1/-1 sweep."""
    changes: dict[int, int] = {}
    for s, e in intervals:
        if e > s:
            changes[s] = changes.get(s, 0) + 1
            changes[e] = changes.get(e, 0) - 1
    out = []
    depth = 0
    points = sorted(changes)
    for a, b in zip(points, points[1:], strict=False):
        depth += changes[a]
        if depth > 0:
            out.append((a, b))
    return out


def _scope_downtime(
    policy: dict[str, Any], incs: list[dict[str, Any]], reqs: list[tuple[int, int, int]], service: dict[str, Any] | None,
    lo: int, hi: int, ystart: int,
) -> int:  # fmt: skip
    av = policy["availability"] or {}
    excludes = set(av["excludes"]) if policy["availability"] else {e["id"] for e in policy["exclusions"]}
    maint = {}
    for e in policy["exclusions"]:
        if e.get("maintenance"):
            m = e["maintenance"]
            maint[e["id"]] = (
                _secs(m["notice_seconds"]),
                None if m["limit_seconds"] is None else _secs(m["limit_seconds"]),
            )
    if av.get("maintenance_notice_seconds") is not None and "planned_maintenance" not in maint:
        maint["planned_maintenance"] = (_secs(av["maintenance_notice_seconds"]), None)
    counted: list[tuple[int, int]] = []
    candidates: dict[str, list[tuple[int, int]]] = {}
    for inc in incs:
        if inc["start"] >= hi:
            continue
        cause = inc["cause"]
        if cause in excludes and cause not in maint:
            continue
        if cause in excludes and cause in maint:
            notice = maint[cause][0]
            if inc["announced"] != MISSING and inc["start"] - inc["announced"] >= notice:
                candidates.setdefault(cause, []).append((inc["start"], inc["end"]))
                continue
        counted.append((inc["start"], inc["end"]))
    # The allowance: walk the cut segments of the year in time order, excluding until the limit is spent.
    for cause, ivs in candidates.items():
        limit = maint[cause][1]
        ivs = [(max(s, ystart), e) for s, e in ivs if e > ystart]
        used = 0
        for seg in _covered_segments(ivs):
            length = seg[1] - seg[0]
            if limit is None or used + length <= limit:
                used += length
                continue
            free = max(0, limit - used)
            used += free
            counted.append((seg[0] + free, seg[1]))
    rule = service["error_rate"] if service else None
    if rule is not None:
        per = _secs(rule["per_seconds"])
        groups: dict[int, list[int]] = {}
        for start, total, failed in reqs:
            if lo <= start < hi:
                g = groups.setdefault((start - lo) // per, [0, 0])
                g[0] += total
                g[1] += failed
        above = Fraction(Decimal(rule["above"])) / 100
        for k, (total, failed) in groups.items():
            if total and Fraction(failed, total) > above:
                counted.append((lo + k * per, min(lo + (k + 1) * per, hi)))
    # Merge by segments: consecutive down segments (touching) form one period.
    periods: list[list[int]] = []
    for seg in _covered_segments(counted):
        if periods and periods[-1][1] == seg[0]:
            periods[-1][1] = seg[1]
        else:
            periods.append([seg[0], seg[1]])
    minimum = _secs(av["minimum_outage_seconds"]) if av.get("minimum_outage_seconds") else 0
    total = 0
    for s, e in periods:
        if e - s < minimum:
            continue
        part = max(0, min(e, hi) - max(s, lo))
        if av.get("whole_minutes"):
            part = (part // _MIN) * _MIN
        total += part
    return total


def _formula(steps: list[dict[str, Any]], values: dict[str, Fraction]) -> Fraction:
    def read(i: int) -> tuple[Fraction, int]:  # value of the expression ending at steps[i], and where it starts
        step = steps[i]
        if "number" in step:
            return Fraction(Decimal(step["number"])), i
        if "percent" in step:
            return Fraction(Decimal(step["percent"])) / 100, i
        if "quantity" in step:
            return values[step["quantity"]], i
        args = []
        j = i - 1
        for _ in range(step["arity"]):
            v, j0 = read(j)
            args.append(v)
            j = j0 - 1
        args.reverse()
        op = step["op"]
        if op == "min":
            return min(args), j + 1
        if op == "max":
            return max(args), j + 1
        a, b = args
        result = {"+": a + b, "-": a - b, "*": a * b}.get(op)
        if result is None:
            result = a / b if b else Fraction(0)
        return result, j + 1

    return read(len(steps) - 1)[0]


def _value(amount: dict[str, Any], v: dict[str, Fraction], days: int) -> Fraction:
    if "share" in amount:
        return Fraction(Decimal(amount["share"])) / 100 * v[amount["basis"]]
    if "money" in amount:
        return Fraction(Decimal(amount["money"]))
    if "service_days" in amount:
        return Fraction(Decimal(amount["service_days"])) * v["window_fee"] / days
    return max(Fraction(0), _formula(amount["formula"], v))


def _band(bands: list[dict[str, Any]], target: str | None, up: Fraction) -> dict[str, Any] | None:
    best = None
    for order, band in enumerate(bands):
        thr = target if band["threshold"] == "target" else band["threshold"]
        if thr is None:
            continue
        t = Fraction(Decimal(thr)) / 100
        crossed = up <= t if band.get("inclusive") else up < t
        key = (t, bool(band.get("inclusive")), -order)
        if crossed and (best is None or key < best[0]):
            best = (key, band)
    return best[1] if best else None


_SPAN = {"month": 1, "quarter": 3, "year": 12}
Used = dict[str, tuple[Fraction, dict[tuple[Any, Any], Fraction]]]  # customer → (total, per scope) owed before


def _earlier_periods(policy: dict[str, Any], period: str) -> list[str] | None:
    """Names of the periods before `period` in its cap's calendar span; None when the span is not longer."""
    cap = policy["cap"]
    _, _, year, month, months = window_bounds(policy, period)
    if cap is None or _SPAN[cap["per"]] <= months:
        return None
    first = (month - 1) // _SPAN[cap["per"]] * _SPAN[cap["per"]] + 1
    names = []
    for m in range(first, month, months):
        names.append(f"{year}-{m:02d}" if months == 1 else f"{year}-Q{(m + 2) // 3}")
    return names


def evaluate_reference_v2(
    policy: dict[str, Any], events: Events, period: str, as_of: int | None = None
) -> dict[str, RefCustomerV2]:
    """Each customer's result for `period`; `as_of` (µs): the moment tickets are measured at (default: the
    period's end), the same moment for the earlier periods of a cap's span."""
    if as_of is None:
        as_of = window_bounds(policy, period)[1]
    cals = calendars(policy) if any(c["per_miss"] for c in policy["credits"]) else None
    earlier = _earlier_periods(policy, period)
    used: Used | None = None
    if earlier is not None:
        used = {}
        for name in earlier:
            for cid, ref in _evaluate(policy, events, name, used, as_of, cals).items():
                total, scopes = used.get(cid, (Fraction(0), {}))
                paid = Fraction(ref.total)
                if paid:  # a scope's credit counts against its cap only when the period's total was paid
                    scopes = {
                        k: scopes.get(k, Fraction(0)) + ref.capped.get(k, Fraction(0)) for k in {*scopes, *ref.capped}
                    }
                used[cid] = (total + paid, scopes)
    return _evaluate(policy, events, period, used, as_of, cals)


def ticket_misses(
    policy: dict[str, Any], events: Events, lo: int, hi: int, as_of: int, cals: dict[str, ClockCal]
) -> dict[str, dict[str, int]]:
    """Per customer: its missed responses, resolutions (cycles) and updates among the tickets opened in [lo, hi).

    One ticket at a time through the ticket oracle; a ticket with a cause (an exclusion) misses nothing."""
    t = events.tickets
    tiers = {str(events.customers.id[c]): str(events.customers.tier[c]) for c in range(len(events.customers.id))}
    history = ticket_histories(events)
    out: dict[str, dict[str, int]] = {}
    for k in range(len(t.id)):
        opened = int(t.opened[k])
        if not lo <= opened < hi or t.cause[k]:
            continue
        cid = str(t.customer[k])
        responded = int(t.responded[k])
        resolved = int(t.resolved[k]) if t.resolved is not None else MISSING
        ref = reference_ticket(
            policy, cals, tiers[cid], str(t.priority[k]), bool(t.outage[k]), opened,
            None if responded == MISSING else responded, None if resolved == MISSING else resolved,
            history.get(k, []), as_of,
        )  # fmt: skip
        mine = out.setdefault(cid, {"response": 0, "resolution": 0, "update": 0})
        mine["response"] += ref.response == "breached"
        mine["resolution"] += ref.missed_resolutions
        mine["update"] += ref.missed_updates
    return out


def _evaluate(
    policy: dict[str, Any], events: Events, period: str, used: Used | None, as_of: int,
    cals: dict[str, ClockCal] | None,
) -> dict[str, RefCustomerV2]:  # fmt: skip
    zone = zoneinfo.ZoneInfo(policy["timezone"] or "UTC")
    lo, hi, year, month, months = window_bounds(policy, period)
    days = (date(year + (month - 1 + months) // 12, (month - 1 + months) % 12 + 1, 1) - date(year, month, 1)).days
    services = {s["id"]: s for s in policy.get("services", [])} or {None: None}
    inc = events.incidents
    all_incs = []
    for k in range(len(inc.id)):
        all_incs.append(
            {
                "start": int(inc.start[k]), "end": int(inc.end[k]), "cause": inc.cause[k],
                "announced": int(inc.announced[k]), "customers": inc.customers[k],
                "service": inc.service[k] if inc.service is not None else None,
                "region": inc.region[k] if inc.region is not None else None,
            }
        )  # fmt: skip
    reqs: dict[tuple[Any, Any], list[tuple[int, int, int]]] = {}
    if events.requests is not None:
        r = events.requests
        for k in range(len(r.start)):
            reqs.setdefault((r.service[k], r.region[k]), []).append(
                (int(r.start[k]), int(r.total[k]), int(r.failed[k]))
            )
    charges: dict[tuple[str, Any, Any], Fraction] = {}
    if events.charges is not None:
        ch = events.charges
        for k in range(len(ch.customer)):
            key = (ch.customer[k], ch.service[k], ch.region[k])
            charges[key] = charges.get(key, Fraction(0)) + Fraction(ch.amount[k])
    misses = ticket_misses(policy, events, lo, hi, as_of, cals) if cals is not None else {}
    out: dict[str, RefCustomerV2] = {}
    cust = events.customers
    for c in range(len(cust.id)):
        cid, tier_id = str(cust.id[c]), str(cust.tier[c])
        tier = next(t for t in policy["tiers"] if t["id"] == tier_id)
        fee = Fraction(cust.fee[c])
        mine = [i for i in all_incs if i["customers"] is None or cid in i["customers"]]
        scopes: list[tuple[Any, Any]] = []
        for sid, spec in services.items():
            if spec is None or not spec["per_region"]:
                scopes.append((sid, None))
            else:
                regs = {k[2] for k in charges if k[0] == cid and k[1] == sid}
                regs |= {
                    i["region"] for i in mine if i["customers"] is not None and i["service"] == sid and i["region"]
                }
                scopes += [(sid, g) for g in sorted(regs)]
        met = {x["id"]: bool(cust.conditions[x["id"]][c]) for x in policy.get("conditions", [])}
        before = None if used is None else used.get(cid, (Fraction(0), {}))
        missed = misses.get(cid, {})
        out[cid] = _customer(
            policy, zone, tier, fee, cid, scopes, services, mine, reqs, charges, met, lo, hi, months, days, before,
            missed,
        )  # fmt: skip
    return out


def _applies(i: dict[str, Any], scope: tuple[Any, Any]) -> bool:
    if scope[0] is None:
        return True
    return (i["service"] in (None, scope[0])) and (i["region"] in (None, scope[1]))


def _customer(
    policy: dict[str, Any], zone: Any, tier: dict[str, Any], fee: Fraction, cid: str, scopes: list[tuple[Any, Any]],
    services: dict[Any, Any], mine: list[dict[str, Any]], reqs: dict[Any, Any], charges: dict[Any, Fraction],
    met: dict[str, bool], lo: int, hi: int, months: int, days: int,
    before: tuple[Fraction, dict[tuple[Any, Any], Fraction]] | None, missed: dict[str, int],
) -> RefCustomerV2:  # fmt: skip
    ystart = _us(datetime(datetime.fromtimestamp(lo / 1e6, zone).year, 1, 1, tzinfo=zone))
    per_service = {u["service"]: u["uptime"] for u in tier.get("service_uptime", [])}
    cap = policy["cap"]
    scope_cap = cap is not None and cap["amount"].get("basis") == "service_charges"
    total = Fraction(0)
    capped: dict[tuple[Any, Any], Fraction] = {}
    found: dict[tuple[Any, Any], RefScope] = {}
    terminate = False
    for scope in scopes:
        incs = [i for i in mine if _applies(i, scope)]
        down = _scope_downtime(policy, incs, reqs.get(scope, []), services[scope[0]], lo, hi, ystart)
        up = Fraction(hi - lo - down, hi - lo)
        found[scope] = RefScope(down, up)
        target = per_service.get(scope[0], tier["uptime"])
        paid = charges.get((cid, scope[0], scope[1]), Fraction(0))
        values = {
            "window_fee": fee, "monthly_fee": fee / months, "service_charges": paid,
            "downtime": Fraction(down), "window": Fraction(hi - lo), "uptime": up,
            "target": Fraction(Decimal(target)) / 100 if target else Fraction(1),
        }  # fmt: skip
        subtotal = Fraction(0)
        for cr in policy["credits"]:
            if not _owed(cr, tier["id"], met):
                continue
            band = _band(cr["bands"], target, up)
            if band is not None:
                subtotal += _value(band["amount"], values, days)
        if scope_cap:
            gone = before[1].get(scope, Fraction(0)) if before is not None else Fraction(0)
            subtotal = min(subtotal, max(Fraction(0), _value(cap["amount"], values, days) - gone))
        capped[scope] = subtotal
        total += subtotal
        terminate = terminate or _terminates(policy, zone, incs, reqs.get(scope, []), services[scope[0]], lo, months)
    everything = sum((amount for (who, _, _), amount in charges.items() if who == cid), Fraction(0))
    total += _per_miss(policy, tier["id"], met, missed, fee, months, days, everything, hi - lo)
    if cap is not None and not scope_cap:
        v = {"window_fee": fee, "monthly_fee": fee / months}
        gone = before[0] if before is not None else Fraction(0)
        total = min(total, max(Fraction(0), _value(cap["amount"], v, days) - gone))  # type: ignore[arg-type]
    minimum = policy.get("minimum_credit")
    if minimum is not None and total < Fraction(Decimal(minimum["amount"])):
        total = Fraction(0)
    digits = policy["currency"]["minor_digits"] if policy["currency"] else 2
    scaled = total * 10**digits
    q, r = divmod(scaled.numerator, scaled.denominator)
    if 2 * r > scaled.denominator or (2 * r == scaled.denominator and q % 2):
        q += 1
    return RefCustomerV2(found, Decimal(q).scaleb(-digits), terminate, capped)


def _owed(credit: dict[str, Any], tier: str, met: dict[str, bool]) -> bool:
    """Whether the credit can pay the customer: its tier applies and it meets every condition required."""
    return tier in credit["applies"] and all(met.get(x, True) for x in credit.get("requires", []))


def _per_miss(
    policy: dict[str, Any], tier: str, met: dict[str, bool], missed: dict[str, int], fee: Fraction, months: int,
    days: int, everything: Fraction, window: int,
) -> Fraction:  # fmt: skip
    """The customer's per-miss lines: no scope's, valued with the customer's quantities (`everything`:
    every charge of the customer); a credit whose `requires` is unmet pays nothing (docs/language.en.md)."""
    values = {
        "window_fee": fee, "monthly_fee": fee / months, "service_charges": everything, "downtime": Fraction(0),
        "window": Fraction(window), "uptime": Fraction(1), "target": Fraction(1),
    }  # fmt: skip
    total = Fraction(0)
    for cr in policy["credits"]:
        pm = cr["per_miss"]
        if pm is None or not _owed(cr, tier, met):
            continue
        total += missed.get(pm.get("target") or "response", 0) * _value(pm["amount"], values, days)
    return total


def _terminates(
    policy: dict[str, Any], zone: Any, incs: list[dict[str, Any]], reqs: list[Any], service: Any, lo: int, months: int
) -> bool:
    term = policy.get("termination")
    if term is None:
        return False
    first = datetime.fromtimestamp(lo / 1e6, zone)
    last_index = first.year * 12 + first.month - 1 + months - 1
    below = Fraction(Decimal(term["below"])) / 100
    for k in range(term["months"]):
        index = last_index - k
        y, m = index // 12, index % 12 + 1
        m_lo, m_hi = _month_start(y, m, zone), _month_start(y, m + 1, zone)
        ystart = _us(datetime(y, 1, 1, tzinfo=zone))
        down = _scope_downtime(policy, incs, reqs, service, m_lo, m_hi, ystart)
        if not Fraction(m_hi - m_lo - down, m_hi - m_lo) < below:
            return False
    return True
