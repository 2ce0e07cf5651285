"""Nodes of language v2 (scope, windows, downtime rules, credits, examples); re-exported by `nodes`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .leaves import DateLit, Duration, Ident, Int, Money, Node, Percent, Texts, Timestamp

__all__ = [
    "ServiceUptime",
    "Description",
    "MeasuredPerRegion",
    "ErrorRate",
    "WholeMinutes",
    "Requires",
    "ServiceDays",
    "FormulaNode",
    "Formula",
    "MinimumCredit",
    "Terminate",
    "ClaimCycles",
    "Maintenance",
    "Charges",
    "Requests",
    "ConditionUnmet",
    "ExpectScopeUptime",
    "ExpectClaimBy",
    "ExpectTermination",
    "BusinessDays",
    "Resolve",
    "Update",
    "PauseWhen",
    "WarnAt",
    "Pause",
    "ExpectMissedResolutions",
    "ExpectMissedUpdates",
]


@dataclass(frozen=True, slots=True)
class ServiceUptime(Node):
    """`uptime 99.9% for object_storage` in a tier: the commitment for one service."""

    value: Percent
    service: Ident


@dataclass(frozen=True, slots=True)
class Description(Node):
    """`description en "…"` on a priority."""

    texts: Texts


@dataclass(frozen=True, slots=True)
class MeasuredPerRegion(Node):
    pass


@dataclass(frozen=True, slots=True)
class ErrorRate(Node):
    """`downtime when error_rate above 5% per 5min`"""

    above: Percent
    per: Duration


@dataclass(frozen=True, slots=True)
class WholeMinutes(Node):
    """`downtime counted in whole minutes`"""


@dataclass(frozen=True, slots=True)
class Requires(Node):
    """`requires good_standing` in a credit."""

    condition: Ident


@dataclass(frozen=True, slots=True)
class ServiceDays(Node):
    """`15 service_days`: the window's fee divided by its days, times N."""

    count: Decimal
    raw: str


@dataclass(frozen=True, slots=True)
class FormulaNode(Node):
    """One node of a formula: op is 'number' | 'percent' | 'name' | '+' | '-' | '*' | '/' | 'min' | 'max'."""

    op: str
    value: str  # the number, percentage (without %) or quantity name; "" for operators
    args: tuple[FormulaNode, ...]


@dataclass(frozen=True, slots=True)
class Formula(Node):
    """A credit amount written as arithmetic (`10 * window_fee * downtime / window`)."""

    expr: FormulaNode
    raw: str


@dataclass(frozen=True, slots=True)
class MinimumCredit(Node):
    """`minimum credit 1 USD per month`"""

    money: Money
    per: Ident


@dataclass(frozen=True, slots=True)
class Terminate(Node):
    """`terminate when uptime below 99.0% for 3 consecutive months`"""

    below: Percent
    count: Int
    unit: Ident


@dataclass(frozen=True, slots=True)
class ClaimCycles(Node):
    """`within 2 billing cycles` in a claim."""

    count: Int


@dataclass(frozen=True, slots=True)
class Maintenance(Node):
    """`maintenance notice 5d limit 8h per year` in an exclusion."""

    notice: Duration
    limit: Duration | None
    per: Ident | None


@dataclass(frozen=True, slots=True)
class Charges(Node):
    """`charges compute us_east 800 USD` in an example."""

    service: Ident
    region: Ident | None
    money: Money


@dataclass(frozen=True, slots=True)
class Requests(Node):
    """`requests object_storage us_east from T for 60min failing 8%` in an example."""

    service: Ident
    region: Ident | None
    start: Timestamp
    duration: Duration
    failing: Percent


@dataclass(frozen=True, slots=True)
class ConditionUnmet(Node):
    condition: Ident


@dataclass(frozen=True, slots=True)
class ExpectScopeUptime(Node):
    value: Percent
    service: Ident
    region: Ident | None


@dataclass(frozen=True, slots=True)
class ExpectClaimBy(Node):
    value: DateLit


@dataclass(frozen=True, slots=True)
class ExpectTermination(Node):
    pass


# ---- ticket clocks (issue 12) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BusinessDays(Node):
    """`2 business_days` as a target: the same clock time on the Nth following open day of the calendar."""

    count: Int
    raw: str


@dataclass(frozen=True, slots=True)
class Resolve(Node):
    """`resolve p1 within 4h during always` in a tier."""

    priority: Ident
    within: Duration | BusinessDays
    during: Ident


@dataclass(frozen=True, slots=True)
class Update(Node):
    """`update p1 every 1h during always` in a tier: every gap between updates, after the response."""

    priority: Ident
    every: Duration | BusinessDays
    during: Ident


@dataclass(frozen=True, slots=True)
class PauseWhen(Node):
    """`pause when status pending_customer on_hold` in `ticket clock`."""

    statuses: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class WarnAt(Node):
    """`warn at 75%` in `ticket clock`: a ticket is at risk once this share of its time is used."""

    percent: Percent


@dataclass(frozen=True, slots=True)
class Pause(Node):
    """`paused T for D` on an example ticket."""

    at: Timestamp
    duration: Duration


@dataclass(frozen=True, slots=True)
class ExpectMissedResolutions(Node):
    value: Int


@dataclass(frozen=True, slots=True)
class ExpectMissedUpdates(Node):
    value: Int
