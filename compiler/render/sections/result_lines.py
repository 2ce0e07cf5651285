"""Lines of a worked example's result that every language of the contract states alike: its missed
responses and its uptime near a threshold (used by `examples` and, for language v2, by `v2`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from ..doc import Para

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


def breach_lines(b: DocBuilder, entry: dict[str, Any]) -> list[Para]:
    """The missed response targets of an example, grouped by priority, deadline, response and lateness."""
    lines: list[Para] = []
    n = len(entry["breaches"])
    lines.append(Para((b.plural("examples.expect_breaches", n, n=b.f.number(n)),)))
    groups: dict[tuple[Any, ...], int] = {}
    for breach in entry["breaches"]:
        group = (breach["effective_priority"], breach["deadline"], breach["response"], breach["lateness_seconds"])
        groups[group] = groups.get(group, 0) + 1
    for (priority, deadline, response, lateness), count in groups.items():
        values = {
            "n": b.f.number(count),
            "priority": b.priority_name(priority),
            "deadline": b.f.timestamp(deadline),
        }
        if response:
            text = b.plural(
                "examples.result_breach",
                count,
                response=b.f.timestamp(response),
                late=b.f.duration(lateness),
                **values,
            )
        else:
            text = b.plural("examples.result_breach_open", count, **values)
        lines.append(Para((text,)))
    return lines


def shown_uptime(b: DocBuilder, uptime: dict[str, Any]) -> str:
    """The report's rounded uptime, with more decimals where rounding would put it on the other side of
    (or on) the commitment or a band's threshold: 44 minutes down in June are 99.898 %, not "99.9%",
    which would read as met beside the credit owed for missing 99.9 %."""
    exact, value = Decimal(uptime["percent"]), Decimal(uptime["display"])
    lines = [uptime.get("target")] + [x["threshold"] for c in b.p.get("credits", []) for x in c.get("bands", [])]
    thresholds = {Decimal(t) for t in lines if t not in (None, "target")}
    decimals = int(uptime.get("decimals") or 2)
    while decimals < 9 and any((value >= t) != (exact >= t) or (value == t) != (exact == t) for t in thresholds):
        decimals += 1
        value = exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)  # rounded, as the report rounds
    return b.f.percent(value)
