"""The limits of a contract's size: statements, tiers, examples and example events (E0220–E0222)."""

from __future__ import annotations

from .. import limits
from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context


def check(ctx: Context) -> list[Diagnostic]:
    """Errors for a contract with more statements, tiers, examples or example events than slac handles.

    The first check, run even on a contract with value errors; the semantic checks never run on an
    oversized contract.
    """
    sla = ctx.sla
    found: list[Diagnostic] = []
    statements = len(sla.body) + sum(len(s.body) for s in sla.body if isinstance(s, n.Block))
    if statements > limits.MAX_STATEMENTS:
        found.append(
            error(
                "E0220",
                f"the contract has {statements:,} statements; slac reads at most {limits.MAX_STATEMENTS:,}",
                sla.name.span,
                "check that this is the contract you meant",
            )
        )
    for kind, what, limit in ((n.Tier, "tiers", limits.MAX_TIERS), (n.Example, "examples", limits.MAX_EXAMPLES)):
        blocks = sla.all(kind)
        if len(blocks) > limit:
            found.append(
                error(
                    "E0221",
                    f"the contract has {len(blocks):,} {what}; slac reads at most {limit:,}",
                    blocks[limit].span,
                    f"this is the first {what[:-1]} over the limit",
                )
            )
    total = 0
    for ex in sla.all(n.Example):
        events = sum(
            s.count.value if isinstance(s, n.Repeat) else 1
            for s in ex.body
            if isinstance(s, (n.Repeat, n.Ticket, n.Outage))
        )
        total += events
        if total > limits.MAX_TOTAL_EXAMPLE_EVENTS and total - events <= limits.MAX_TOTAL_EXAMPLE_EVENTS:
            found.append(
                error(
                    "E0222",
                    f"the examples have more than {limits.MAX_TOTAL_EXAMPLE_EVENTS:,} events in all; "
                    "every check runs them through the evaluator",
                    ex.title.span,
                    "this is the example that goes over the limit: use fewer or smaller `repeat`s",
                )
            )
        if events > limits.MAX_EXAMPLE_EVENTS:
            found.append(
                error(
                    "E0222",
                    f"this example has {events:,} events; an example has at most {limits.MAX_EXAMPLE_EVENTS:,}",
                    ex.title.span,
                    "an example shows one case: use fewer or smaller `repeat`s",
                )
            )
    return found
