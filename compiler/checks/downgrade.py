"""Priority downgrades: no self-downgrade or cycle (E0310, E0311), and `requires outage` goes with `downgrade` (E0706, W0801).

A ticket of a priority that `requires outage` but reports none is measured at
its `downgrade` priority; the evaluator follows that one step, so a cycle would
never settle on a priority, and either statement without the other has no
defined meaning. Unknown downgrade targets are the names check's business.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import nodes as n
from ..errors import Diagnostic, error, warning
from .context import Context


def check(ctx: Context) -> Iterator[Diagnostic]:
    priorities = ctx.priorities
    for prio in ctx.blocks(n.Priority):
        down = prio.first(n.Downgrade)
        needs = prio.first(n.RequiresOutage)
        name = prio.name.value
        if down is not None and needs is None:
            yield warning(
                "W0801",
                f"priority `{name}` downgrades to `{down.target.value}` but never applies the downgrade",
                down.span,
                "a downgrade applies to tickets that do not report an outage: add `requires outage`, "
                "or remove `downgrade`",
            )
        if needs is not None and down is None:
            yield error(
                "E0706",
                f"priority `{name}` requires an outage but has no `downgrade`",
                needs.span,
                "say what a ticket without an outage is measured as, e.g. `downgrade normal`",
            )
        if down is not None and down.target.value == name:
            yield error(
                "E0310",
                f"priority `{name}` downgrades to itself",
                down.target.span,
                "downgrade to a lower priority",
            )

    # Cycles: walk each chain; report a cycle once, at the first of its priorities in source order.
    step = {p.name.value: d for p in priorities.values() if (d := p.first(n.Downgrade)) is not None}
    order = list(priorities)
    reported: set[frozenset[str]] = set()
    for start in order:
        path = [start]
        while path[-1] in step:
            nxt = step[path[-1]].target.value
            if nxt not in priorities:
                break
            if nxt in path:
                cycle = path[path.index(nxt) :]
                key = frozenset(cycle)
                if len(cycle) > 1 and key not in reported:
                    reported.add(key)
                    first = min(cycle, key=order.index)
                    ring = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
                    yield error(
                        "E0311",
                        f"priorities downgrade in a cycle: {' → '.join(f'`{p}`' for p in ring)}",
                        step[first].target.span,
                        "a downgrade must end at a priority that does not downgrade further",
                    )
                break
            path.append(nxt)
