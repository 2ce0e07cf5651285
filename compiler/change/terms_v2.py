"""The terms of language v2 in `slac diff`, each with its direction for the customer.

* `downtime counted in whole minutes` added: less downtime counts — a reduction;
* a higher error-rate threshold (fewer intervals are down), a longer minimum outage: reductions;
* a smaller yearly maintenance allowance, a longer maintenance notice: improvements;
* a larger minimum credit: a reduction; a termination right added, a higher termination threshold
  or fewer consecutive months: improvements;
* a longer claim deadline: an improvement, whether it is a length (`claim within 30d`) or billing
  periods (`within 2 billing cycles`); from one to the other it is ranked when the length is beyond
  every length those periods can have, else an ambiguous reduction;
* a service measured per region or not, a different error-rate interval: unranked (slac cannot
  tell which way it goes for a customer).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from .changelog import Change, Kind
from .compare import At, Pair, by_id, change, compare_row, lines_of, presence, texts
from .keys import Key
from .strings import Msg, duration, msg, percent, user_text, word
from .terms import Presence, Row

DAY = 86_400


def _money(item: Mapping[str, Any] | None) -> str | None:
    """`1.00 USD`: an amount with its currency (the minimum credit)."""
    return None if item is None else f"{item['amount']} {item['currency']}"


def _yes_no(value: bool) -> Msg:
    return word("yes" if value else "no")


ROWS: tuple[Row, ...] = (
    Row(
        Key("availability", "whole_minutes"),
        "availability_whole_minutes",
        lambda p: bool((p.get("availability") or {}).get("whole_minutes")),
        "lower",
        ("whole_minutes_removed", "whole_minutes_added"),
        _yes_no,
        lambda p: (p.get("availability") or {}).get("line"),
        rank=int,
        samples=(False, True),
    ),
    Row(
        Key("minimum_credit", "amount"),
        "minimum_credit",
        lambda p: _money(p.get("minimum_credit")),
        "lower",
        ("minimum_credit_lower", "minimum_credit_higher"),
        str,
        lambda p: (p.get("minimum_credit") or {}).get("line"),
        rank=lambda v: Decimal(v.split()[0]),
        absent=Presence(("reduction", "minimum_credit_added"), ("improvement", "minimum_credit_removed"), str),
        samples=("1.00 USD", "5.00 USD"),
        unit=lambda v: v.split()[1],
    ),
    Row(
        Key("termination", "below"),
        "termination_below",
        lambda p: (p.get("termination") or {}).get("below"),
        "higher",
        ("termination_sooner", "termination_later"),
        percent,
        lambda p: (p.get("termination") or {}).get("line"),
        rank=Decimal,
        absent=Presence(("improvement", "termination_added"), ("reduction", "termination_removed"), percent),
        samples=("99", "99.5"),
    ),
    Row(
        Key("termination", "months"),
        "termination_months",
        lambda p: (p.get("termination") or {}).get("months"),
        "lower",
        ("termination_fewer_months", "termination_more_months"),
        str,
        lambda p: (p.get("termination") or {}).get("line"),
        absent="skip",
        samples=(2, 3),
    ),
)

SERVICE_ROWS: tuple[Row, ...] = (
    Row(
        Key("service", None, "error_rate"),
        "service_error_rate",
        lambda s: (s.get("error_rate") or {}).get("above"),
        "lower",
        ("error_rate_lower", "error_rate_higher"),
        percent,
        rank=Decimal,
        absent=Presence(("improvement", "error_rate_added"), ("reduction", "error_rate_removed"), percent),
        samples=("5", "10"),
    ),
    Row(
        Key("service", None, "error_rate_interval"),
        "service_error_rate_interval",
        lambda s: (s.get("error_rate") or {}).get("per_seconds"),
        "unranked",
        ("error_rate_interval_changed",),
        duration,
        absent="skip",
    ),
    Row(
        Key("service", None, "per_region"),
        "service_per_region",
        lambda s: bool(s.get("per_region")),
        "unranked",
        ("per_region_changed",),
        _yes_no,
        samples=(False, True),
    ),
)

MAINTENANCE_ROWS: tuple[Row, ...] = (
    Row(
        Key("exclusion", None, "maintenance_notice"),
        "exclusion_maintenance_notice",
        lambda e: (e.get("maintenance") or {}).get("notice_seconds"),
        "higher",
        ("notice_longer", "notice_shorter"),
        duration,
        absent=Presence(("improvement", "maintenance_marked"), ("reduction", "maintenance_unmarked"), duration),
    ),
    Row(
        Key("exclusion", None, "maintenance_limit"),
        "exclusion_maintenance_limit",
        lambda e: (e.get("maintenance") or {}).get("limit_seconds"),
        "lower",
        ("allowance_smaller", "allowance_larger"),
        duration,
        absent=Presence(("improvement", "allowance_added"), ("reduction", "allowance_removed"), duration),
    ),
)


def changes_v2(pair: Pair) -> Iterator[Any]:
    """The v2 terms that differ: the contract's, each service's (added, removed, its rules), each exclusion's maintenance."""
    yield from claim_deadline(pair)
    for row in ROWS:
        at = At(row.key, msg("subject", row.subject), (row.line(pair.old), row.line(pair.new)))
        yield from compare_row(row, at, row.read(pair.old), row.read(pair.new))
    old, new = by_id(pair.old.get("services")), by_id(pair.new.get("services"))
    for ident in sorted(set(old) | set(new)):
        a, b = old.get(ident), new.get(ident)
        name = user_text((b or a or {}).get("name"), ident)
        if a is None or b is None:
            at = At(Key("service", ident), msg("subject", "service", name=name), lines_of(a, b))
            if a is None:  # measured on its own from now: downtime and charges are divided anew, unranked
                added = msg("change", "added_plain")
                yield change(at, "reduction", added, msg("reason", "service_added"), ambiguous=True, new=ident)
            else:
                removed = msg("change", "removed_plain")
                yield change(at, "reduction", removed, msg("reason", "service_removed"), old=ident)
            continue
        for row in SERVICE_ROWS:
            at = At(row.key.of(ident), msg("subject", row.subject, name=name), lines_of(a, b))
            yield from compare_row(row, at, row.read(a), row.read(b))
    old_c, new_c = by_id(pair.old.get("conditions")), by_id(pair.new.get("conditions"))
    for ident in sorted(set(old_c) & set(new_c)):  # one added or removed shows as a credit's `requires`
        at = At(Key("condition", ident, "text"), msg("subject", "condition", name=user_text(None, ident)),
                lines_of(old_c[ident], new_c[ident]))  # fmt: skip
        yield from texts(pair, at, old_c[ident]["text"], new_c[ident]["text"], legal=True)
    old_ex, new_ex = by_id(pair.old.get("exclusions")), by_id(pair.new.get("exclusions"))
    for ident in sorted(set(old_ex) & set(new_ex)):
        a, b = old_ex[ident], new_ex[ident]
        name = pair.label("exclusions", ident)
        for row in MAINTENANCE_ROWS:
            at = At(row.key.of(ident), msg("subject", row.subject, name=name), lines_of(a, b))
            yield from compare_row(row, at, row.read(a), row.read(b))


Deadline = int | dict[str, Any]  # seconds after the window's end, or `{"cycles": n, "billing": b}`


def _deadline(policy: dict[str, Any]) -> Deadline | None:
    """The claim deadline (`Deadline`) of a policy; None: claims have no deadline."""
    claim = policy.get("claim") or {}
    if claim.get("within_cycles"):
        return {"cycles": claim["within_cycles"], "billing": policy.get("billing") or "monthly"}
    seconds: int | None = claim.get("within_seconds")
    return seconds


def _show_deadline(value: Deadline) -> Msg:
    if not isinstance(value, dict):
        return duration(value)
    n = value["cycles"]
    return msg("unit", "billing_period" if n == 1 else "billing_periods", n=n)


def _reach(value: Deadline) -> tuple[int, int]:
    """(shortest, longest) time the deadline gives after the window's end, in seconds: N billing periods
    are as long as the months they span, which differ in length (`within 1 billing cycle`: 28 to 31 days)."""
    if not isinstance(value, dict):
        return value, value
    from datetime import date

    from ..runtime.windows import BILLING_MONTHS, add_months  # slac.runtime loads numpy: only when it changed

    months = BILLING_MONTHS[value["billing"]] * value["cycles"]
    # every start month of the Gregorian calendar's 400-year cycle
    firsts = (date(2000 + m // 12, m % 12 + 1, 1) for m in range(12 * 400))
    lengths = {(add_months(first, months) - first).days for first in firsts}
    return min(lengths) * DAY, max(lengths) * DAY


def claim_deadline(pair: Pair) -> Iterator[Change]:
    """The claim deadline: longer is better for the customer. A length and billing periods are ranked
    when one is longer than the other in every month; otherwise slac cannot tell (an ambiguous reduction)."""
    a, b = _deadline(pair.old), _deadline(pair.new)
    lines = ((pair.old.get("claim") or {}).get("line"), (pair.new.get("claim") or {}).get("line"))
    at = At(Key("claim", "within"), msg("subject", "claim_within"), lines)
    if a is None or b is None:
        rule = Presence(("reduction", "claim_deadline_added"), ("improvement", "claim_deadline_removed"))
        yield from presence(at, a, b, rule, show=_show_deadline)
        return
    if a == b:
        return
    (a_low, a_high), (b_low, b_high) = _reach(a), _reach(b)
    detail = msg("change", "changed", old=_show_deadline(a), new=_show_deadline(b))
    # ranked when one is at least as long in every month (and longer in some: the two differ)
    if (b_low >= a_high and b_high > a_low) or (b_high <= a_low and b_low < a_high):
        longer = b_low >= a_high
        kind: Kind = "improvement" if longer else "reduction"
        yield change(at, kind, detail, msg("reason", "claim_longer" if longer else "claim_shorter"), old=a, new=b)
    else:
        yield change(at, "reduction", detail, msg("reason", "claim_units_changed"), ambiguous=True, old=a, new=b)
