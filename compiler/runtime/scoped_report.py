"""The report entries of a v2 evaluation: per customer its scopes (uptime, downtime, credit lines, cap,
termination), its per-miss lines, the customer cap, the minimum credit, the total and the claim.

A cap over a longer span than the window (`cap … per year` over monthly windows) takes the earlier
windows of the calendar span containing the window as history: each is evaluated as if it were
evaluated itself, in order, from the same inputs (fee, charges, conditions, events before the
period). A cap on the customer's total limits the window's total to the cap minus the totals owed
for those windows (after their own cap, minimum credit and rounding); a cap on `service_charges`
limits each scope's sum to the cap minus that scope's capped sums in the windows whose total was
paid. The cap's amount is valued with the evaluated window's quantities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..policy.codec import decimal_str, money_str, seconds_of_us
from . import scoped_credits as sc
from .calendar import from_us, wall_to_us
from .entries import claim_within, header, uptime_entry
from .events import Events
from .numbers import round_half_even
from .policy import Policy
from .scoped import Compiled, Scope, _Data, compiled
from .scopes import Measure
from .windows import Window, add_months, claim_last_day, earlier_windows, month_window

REPORT_FORMAT = "1.1"
ZERO = Fraction(0)
# The earlier windows of the cap's span: (window, each customer's breaches[, each customer's missed
# resolutions and updates (issue 12), as `tickets_report.clocks_by_customer`]).
History = list[tuple[Any, ...]]


@dataclass(slots=True)
class Before:
    """What the earlier windows of the cap's span already owed one customer (see the module docstring)."""

    windows: list[str] = field(default_factory=list)
    total: Fraction = ZERO  # the totals owed (a cap on the customer's total)
    scopes: dict[Scope, Fraction] = field(default_factory=dict)  # the scopes' capped sums (a cap per scope)


def cap_history(policy: Policy, window: Window) -> list[Window]:
    """The earlier windows of the cap's span containing `window` (none without a cap over a longer span)."""
    cap = policy.raw["cap"]
    return (earlier_windows(window, cap["per"], policy.zone) or []) if cap is not None else []


def assemble_scoped(
    policy: Policy,
    events: Events,
    window: Window,
    as_of: int,
    breach_lists: list[list[dict[str, Any]]],
    counts: list[dict[str, int]],
    history: History | None = None,
    clock_lists: list[dict[str, Any]] | None = None,
    data: _Data | None = None,
) -> dict[str, Any]:
    """The report of one window of a v2 policy, its tickets (and those of `history`) already measured.

    `clock_lists` (issue 12): each customer's missed resolutions and updates, added to its entry.
    `data` (issue 15): the scopes' downtime measured elsewhere (slac.plan.scoped_engine's SQL).
    """
    comp = compiled(policy)
    data = data if data is not None else _Data(policy, events, comp)
    memo = _Memo(policy, window)
    n = len(events.customers.id)
    extra = clock_lists or [{} for _ in range(n)]
    spans = policy.raw["cap"] is not None and earlier_windows(window, policy.raw["cap"]["per"], policy.zone) is not None
    befores = _before(policy, comp, data, events, history or []) if spans else [None] * n
    out = [
        customer_entry(policy, comp, data, memo, window, events, c, breach_lists[c], counts[c], befores[c], extra[c])[0]
        for c in range(n)
    ]
    head = header(policy, window.name, window.start, window.end, as_of, REPORT_FORMAT)
    return {**head, "platform_incidents": [], "customers": out}


def _before(policy: Policy, comp: Compiled, data: _Data, events: Events, history: History) -> list[Before | None]:
    """Each customer's credits in the earlier windows of the span, each window evaluated in turn as itself."""
    befores: list[Before | None] = [Before() for _ in range(len(events.customers.id))]
    for window, breach_lists, *rest in history:
        memo = _Memo(policy, window, history=True)
        clock_lists = rest[0] if rest and rest[0] is not None else [{} for _ in befores]
        for c, before in enumerate(befores):
            assert before is not None
            entry, scoped = customer_entry(
                policy, comp, data, memo, window, events, c, breach_lists[c], {}, before, clock_lists[c]
            )
            paid = Fraction(Decimal(entry["total"]))
            before.windows.append(window.name)
            before.total += paid
            if paid:  # a scope's credit counts against its cap only when the window's total was paid
                for scope, amount in scoped.items():
                    before.scopes[scope] = before.scopes.get(scope, ZERO) + amount
    return befores


class _Memo:
    """What many scopes of one evaluation share: month windows, uptime entries, paying bands, by their inputs."""

    def __init__(self, policy: Policy, window: Window, *, history: bool = False):
        self.policy = policy
        self.history = history  # an earlier window of the cap's span: only its money is needed
        self.days = window.days  # a property computed from dates: read once, not once per scope
        term = policy.raw.get("termination") if not history else None
        last = add_months(window.first, window.months - 1)
        self.months = [] if term is None else [
            month_window(add_months(last, -k), policy.zone) for k in range(term["months"] - 1, -1, -1)
        ]  # fmt: skip
        self.below = Fraction(Decimal(term["below"])) / 100 if term is not None else Fraction(0)
        self.claim = claim_entry(policy, window)
        self.terminations: dict[Scope, dict[str, Any]] = {}
        self.month_entries: dict[tuple[int, int], dict[str, Any]] = {}
        self.uptimes: dict[tuple[str | None, int, int, int | None], dict[str, Any]] = {}
        self.bands: dict[tuple[int, str | None], list[sc.Band]] = {}
        self.paying: dict[tuple[int, str | None, int, int], sc.Band | None] = {}
        self.lines: dict[tuple[int, int], tuple[sc.Band, tuple[dict[str, Any], str, str]]] = {}
        self.downtimes: dict[int, tuple[Measure, dict[str, Any]]] = {}  # by id of a Measure (kept alive here)

    def line_parts(self, k: int, credit: dict[str, Any], band: sc.Band) -> tuple[dict[str, Any], str, str]:
        """A band line's fields before its uptime and the parts of its explanation around the amount."""
        key = (k, id(band))
        found = self.lines.get(key)
        if found is None or found[0] is not band:
            cur = self.policy.currency
            is_target = band.raw["threshold"] == "target"
            fields = {
                "credit": credit["id"],
                "kind": "formula" if "formula" in band.raw["amount"] else "band",
                "credit_line": credit["line"],
                "line": band.raw["line"],
                "threshold": band.threshold,
                "threshold_is_target": is_target,
                "inclusive": band.inclusive,
            }
            head = (
                f"{'at or below' if band.inclusive else 'below'} {band.threshold}%"
                + (" (the tier's target)" if is_target else "")
                + f": {sc.describe(band.raw['amount'], cur)} = "
            )
            tail = f" {cur} (contract line {band.raw['line']}, credit `{credit['id']}`)"
            found = self.lines[key] = (band, (fields, head, tail))
        return found[1]

    def downtime(self, m: Measure) -> dict[str, Any]:
        """A scope's downtime entry, shared by the customers whose scope has the same (platform) measure."""
        found = self.downtimes.get(id(m))
        if found is None or found[0] is not m:
            found = self.downtimes[id(m)] = (m, _downtime_entry(m))
        return found[1]

    def month_entry(self, month: Window, counted: int) -> dict[str, Any]:
        key = (month.start, counted)
        found = self.month_entries.get(key)
        if found is None:
            length = month.end - month.start
            up = Fraction(length - counted, length)
            found = {"month": month.name, "uptime": decimal_str(round_half_even(up * 100, 9)), "below": up < self.below}
            self.month_entries[key] = found
        return found

    def uptime(self, target: str | None, up: int, length: int, line: int | None) -> dict[str, Any]:
        key = (target, up, length, line)
        found = self.uptimes.get(key)
        if found is None:
            found = self.uptimes[key] = uptime_entry(self.policy, target, up, length, line)
        return found

    def band(self, k: int, credit: dict[str, Any], target: str | None, up: int, length: int) -> sc.Band | None:
        key = (k, target, up, length)
        if key not in self.paying:
            bands = self.bands.get((k, target))
            if bands is None:
                bands = self.bands[(k, target)] = sc.bands_worst_first(credit["bands"], target)
            self.paying[key] = sc.paying(bands, up, length)
        return self.paying[key]


def termination(policy: Policy, data: _Data, memo: _Memo, customer: str, scope: Scope) -> dict[str, Any] | None:
    """Whether the scope's uptime was below the termination threshold in each of the last N months."""
    term = policy.raw.get("termination")
    if term is None or memo.history:
        return None
    shared = not data.has_own(customer, scope)  # the platform's months: the same for every such customer
    found = memo.terminations.get(scope) if shared else None
    if found is None:
        months = [
            memo.month_entry(w, data.measure(customer, scope, w.start, w.end, ids=False).counted) for w in memo.months
        ]
        found = {"right": all(m["below"] for m in months), "months": months, "line": term["line"]}
        if shared:
            memo.terminations[scope] = found
    return found  # shared by the customers it is the same for, as the v1 report shares its claim entry


def claim_entry(policy: Policy, window: Window) -> dict[str, Any] | None:
    claim = policy.raw["claim"]
    if claim is None:
        return None
    deadline = last_day = None
    if claim.get("within_cycles"):
        day = claim_last_day(window, claim["within_cycles"], policy.raw["billing"])
        end = wall_to_us(day + timedelta(days=1), 0, policy.zone)
        deadline, last_day = from_us(end, policy.zone).isoformat(), day.isoformat()
    elif claim["within_seconds"] is not None:
        deadline, last_day = claim_within(policy, window.end, claim["within_seconds"])
    via = claim["via"] or {}
    return {
        "required": claim["required"],
        "deadline": deadline,
        "last_day": last_day,
        "channel": via.get("channel"),
        "address": via.get("address"),
        "line": claim["line"],
    }


def _conditions(policy: Policy, events: Events, c: int) -> dict[str, bool]:
    names = [x["id"] for x in policy.raw.get("conditions", [])]
    cols = events.customers.conditions
    return {name: bool(cols[name][c]) if name in cols else True for name in names}


def _unmet(credit: dict[str, Any], met: dict[str, bool]) -> list[str]:
    """The conditions `credit` requires that the customer does not meet: while any is, it pays nothing."""
    return [name for name in credit.get("requires", []) if not met.get(name, True)]


def _band_lines(
    policy: Policy, memo: _Memo, target: str | None, tier: str, q: sc.Quantities, met: dict[str, bool], display: str
) -> tuple[list[dict[str, Any]], list[str], Fraction]:
    """(credit lines, conditions unmet, exact sum) of the band credits of one scope."""
    cur = policy.currency
    lines: list[dict[str, Any]] = []
    unmet: list[str] = []
    total = ZERO
    for k, credit in enumerate(policy.raw["credits"]):
        if tier not in credit["applies"] or not credit["bands"]:
            continue
        band = memo.band(k, credit, target, q.window - q.downtime, q.window)
        if band is None:
            continue
        missing = _unmet(credit, met)
        if missing:
            unmet.extend(m for m in missing if m not in unmet)
            continue
        amount = sc.value(band.raw["amount"], q)
        total = total + amount if total else amount
        text = sc.money_text(amount, cur)
        static = memo.line_parts(k, credit, band)
        lines.append(
            {
                **static[0],
                "uptime": display,
                "band": band.raw["amount"],
                "amount": text,
                "explanation": f"uptime {display}% is {static[1]}{text}{static[2]}",
            }
        )
    return lines, unmet, total


def _cap(
    policy: Policy, q: sc.Quantities, subtotal: Fraction, before: Before | None, used: Fraction
) -> tuple[dict[str, Any] | None, Fraction]:
    """The cap entry and the capped sum; with `before`, the cap's span is longer and `used` of it is gone."""
    cap = policy.raw["cap"]
    if cap is None:
        return None, subtotal
    limit = sc.value(cap["amount"], q)
    room = max(ZERO, limit - used) if before is not None else limit
    entry: dict[str, Any] = {
        "amount": cap["amount"],
        "limit": sc.money_text(limit, policy.currency),
        "applied": subtotal > room,
        "line": cap["line"],
    }
    if before is not None:
        entry["span"] = cap["per"]
        entry["windows_before"] = list(before.windows)
        entry["used_before"] = sc.money_text(used, policy.currency)
        entry["remaining"] = sc.money_text(room, policy.currency)
    return entry, room if entry["applied"] else subtotal


def scope_entry(
    policy: Policy, comp: Compiled, data: _Data, memo: _Memo, window: Window, customer: str, tier: str, fee: Fraction,
    scope: Scope, met: dict[str, bool], before: Before | None = None,
) -> tuple[dict[str, Any], Fraction]:  # fmt: skip
    length = window.end - window.start
    m = data.measure(customer, scope, window.start, window.end)
    charges = data.charges.get((customer, scope[0], scope[1]))
    target = comp.targets[(tier, scope[0])]
    q = sc.Quantities(
        fee, window.months, memo.days, charges or ZERO, m.counted, length,
        sc.percent(target) if target is not None else None,
    )  # fmt: skip
    up = memo.uptime(target, length - m.counted, length, policy.tiers[tier]["line"])
    lines, unmet, subtotal = _band_lines(policy, memo, target, tier, q, met, up["display"])
    cap_entry, capped = (None, subtotal)
    if sc.cap_is_per_scope(policy.raw["cap"]):
        used = before.scopes.get(scope, ZERO) if before is not None else ZERO
        cap_entry, capped = _cap(policy, q, subtotal, before, used)
    entry = {
        "service": scope[0],
        "region": scope[1],
        "charges": sc.money_text(charges, policy.currency) if charges is not None else None,
        "uptime": up,
        "downtime": memo.downtime(m),
        "credits": lines,
        "conditions_unmet": unmet,
        "subtotal": sc.money_text(subtotal, policy.currency),
        "cap": cap_entry,
        "termination": termination(policy, data, memo, customer, scope),
    }
    return entry, capped


def _downtime_entry(m: Measure) -> dict[str, Any]:
    return {
        "counted_seconds": seconds_of_us(m.counted),
        "excluded": [
            {"cause": cause, "reason": reason, "seconds": seconds_of_us(us)}
            for (cause, reason), us in m.excluded.items()
        ],
        "incidents": list(m.incidents),
        "excluded_incidents": list(m.excluded_incidents),
        "platform_incidents": m.platform_counted,
        "error_rate_intervals": m.error_intervals,
    }


def customer_entry(
    policy: Policy,
    comp: Compiled,
    data: _Data,
    memo: _Memo,
    window: Window,
    events: Events,
    c: int,
    breaches: list[dict[str, Any]],
    tickets: dict[str, int],
    before: Before | None = None,
    clocks: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[Scope, Fraction]]:
    """The customer's report entry and each scope's capped sum; `before`: a cap over a longer span;
    `clocks` (issue 12): the customer's missed resolutions and updates, added to its entry."""
    cur = policy.currency
    clocks = clocks or {}
    customers = events.customers
    customer, tier = str(customers.id[c]), str(customers.tier[c])
    fee = Fraction(customers.fee[c])
    met = _conditions(policy, events, c)
    scopes, total, capped = [], ZERO, {}
    for scope in data.scopes(customer):
        entry, amount = scope_entry(policy, comp, data, memo, window, customer, tier, fee, scope, met, before)
        scopes.append(entry)
        capped[scope] = amount
        if amount:
            total = total + amount if total else amount
    customer_cap = policy.raw["cap"] is not None and not sc.cap_is_per_scope(policy.raw["cap"])
    misses = _misses(breaches, clocks)
    # The customer-level quantities: only a per-miss line or the customer cap reads them.
    all_charges = _all_charges(data, customer) if any(misses.values()) or customer_cap else ZERO
    q = sc.Quantities(fee, window.months, memo.days, all_charges, 0, window.end - window.start, None)
    per_miss, missed = _per_miss(policy, tier, q, met, misses)
    total += missed
    cap_entry = None
    if customer_cap:
        cap_entry, total = _cap(policy, q, total, before, before.total if before is not None else ZERO)
    minimum = policy.raw.get("minimum_credit")
    minimum_entry = None
    if minimum is not None:
        floor = Fraction(Decimal(minimum["amount"]))
        minimum_entry = {"amount": minimum["amount"], "applied": 0 < total < floor, "line": minimum["line"]}
        if total < floor:
            total = Fraction(0)
    payout = policy.raw["payout"]
    return {
        "customer": customer,
        "tier": tier,
        "fee": money_str(customers.fee[c], cur),
        "currency": cur,
        "uptime": None,
        "downtime": None,
        "tickets": tickets,
        "breaches": breaches,
        "credits": per_miss,
        "scopes": scopes,
        "conditions": met,
        "subtotal": sc.money_text(total, cur),
        "cap": cap_entry,
        "minimum_credit": minimum_entry,
        "total": format(round_half_even(total, policy.minor_digits), "f"),
        "termination_right": any(s["termination"] and s["termination"]["right"] for s in scopes),
        "claim": memo.claim,
        "payout": None if payout is None else {"form": payout["form"], "when": payout["when"], "line": payout["line"]},
        **clocks,
    }, capped


def _all_charges(data: _Data, customer: str) -> Fraction:
    """What the customer paid in the window over every scope (`service_charges` at customer level)."""
    return sum((data.charges[(customer, s, g)] for s, g in data.charged.get(customer, ())), Fraction(0))


def _misses(breaches: list[dict[str, Any]], clocks: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """The customer's misses by target as (ticket id, misses) in report order: missed responses, and
    (issue 12) missed resolution cycles and missed updates, which `per missed resolution|update` count.
    An update gap's misses are one count, not one item each (a gap of a month misses millions of
    updates every 1s)."""
    return {
        "response": [(b["id"], 1) for b in breaches],
        "resolution": [(m["id"], 1) for m in clocks.get("missed_resolutions", ())],
        "update": [(u["id"], u["count"]) for u in clocks.get("missed_updates", ())],
    }


def _per_miss(
    policy: Policy, tier: str, q: sc.Quantities, met: dict[str, bool], missed: dict[str, list[tuple[str, int]]]
) -> tuple[list[dict[str, Any]], Fraction]:
    """The customer's per-miss lines and their exact sum (`missed`: `_misses`): a line whose credit
    `requires` a condition the customer does not meet pays nothing (the customer's `conditions` say
    which), as a band's does."""
    cur = policy.currency
    out = []
    exact = Fraction(0)
    for credit in policy.raw["credits"]:
        pm = credit["per_miss"]
        target = pm.get("target", "response") if pm is not None else "response"
        if tier not in credit["applies"] or pm is None or not missed[target]:
            continue
        if _unmet(credit, met):
            continue
        each = sc.value(pm["amount"], q)
        count = sum(k for _, k in missed[target])
        amount = each * count
        exact += amount
        out.append(
            {
                "credit": credit["id"],
                "kind": "per_miss",
                "credit_line": credit["line"],
                "line": pm["line"],
                "each": pm["amount"],
                "each_amount": sc.money_text(each, cur),
                "count": count,
                "tickets": list(dict.fromkeys(i for i, _ in missed[target])),
                "amount": sc.money_text(amount, cur),
                **({"target": target} if target != "response" else {}),  # issue 12, additive
                "explanation": (
                    f"{count} missed {target}{'s' if count != 1 else ''} × {sc.describe(pm['amount'], cur)} "
                    f"({sc.money_text(each, cur)} {cur}) = {sc.money_text(amount, cur)} {cur}"
                    f" (contract line {pm['line']}, credit `{credit['id']}`)"
                ),
            }
        )
    return out, exact
