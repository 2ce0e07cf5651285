"""Runtime: load a compiled policy and evaluate it over event data (stdlib + numpy/pyarrow only).

policy = load_policy("policy.json")                     # PolicyError when it cannot be used
policy.response_deadline("standard", "high", opened_at, outage=True)
policy.ticket_status("standard", "high", opened_at, responded_at)
slac.runtime.evaluate.evaluate(policy, events, period="2025-03")   # the report dict
slac.runtime.examples.run_examples(policy)             # the contract's `example` blocks
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .policy import Policy, PolicyError, TicketStatus, load_policy  # load_policy: slac.policy.load + Policy

__all__ = ["Policy", "PolicyError", "TicketStatus", "load_policy"]


def __getattr__(name: str) -> Any:
    """The names above, imported from `.policy` when first asked for: `slac evaluate` starts reading
    the event files (`runtime.read_ahead`) before it imports the policy's modules (issue 15)."""
    if name in __all__ or name == "policy":  # `slac.runtime.policy` too, as when this imported it
        policy = import_module(f"{__name__}.policy")  # not `from . import`: that asks this for `policy`
        return policy if name == "policy" else getattr(policy, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
