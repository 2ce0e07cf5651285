"""Runtime: load a compiled policy and evaluate it over event data (stdlib + numpy/pyarrow only).

policy = load_policy("policy.json")                     # PolicyError when it cannot be used
policy.response_deadline("standard", "high", opened_at, outage=True)
policy.ticket_status("standard", "high", opened_at, responded_at)
slac.runtime.evaluate.evaluate(policy, events, period="2025-03")   # the report dict
slac.runtime.examples.run_examples(policy)             # the contract's `example` blocks
"""

from .policy import Policy, PolicyError, TicketStatus, load_policy  # load_policy: slac.policy.load + Policy

__all__ = ["Policy", "PolicyError", "TicketStatus", "load_policy"]
