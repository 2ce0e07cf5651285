"""The typed AST: frozen dataclasses named after the grammar rules, each with a span.

Blocks keep their statements in source order (`body`), so that a check can see
duplicates and a formatter can keep the order; `Block.all()` / `Block.first()`
give typed access by statement class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias, TypeVar

# The leaves (values with a span) live in leaves.py, shared with nodes_v2; re-exported here.
from .leaves import (  # noqa: F401
    Clock,
    DateLit,
    DayRange,
    Duration,
    Ident,
    Int,
    Money,
    Node,
    Percent,
    Str,
    Text,
    Texts,
    Timestamp,
)

N = TypeVar("N", bound="Node")

# ---- statements ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Title(Node):
    texts: Texts


@dataclass(frozen=True, slots=True)
class Version(Node):
    value: Str


@dataclass(frozen=True, slots=True)
class Effective(Node):
    value: DateLit


@dataclass(frozen=True, slots=True)
class Languages(Node):
    langs: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class Timezone(Node):
    name: Str


@dataclass(frozen=True, slots=True)
class Currency(Node):
    code: Str


@dataclass(frozen=True, slots=True)
class Billing(Node):
    period: Ident


@dataclass(frozen=True, slots=True)
class DisplayName(Node):
    texts: Texts


@dataclass(frozen=True, slots=True)
class Features(Node):
    texts: Texts


@dataclass(frozen=True, slots=True)
class Hours(Node):
    days: tuple[DayRange, ...]
    start: Clock
    end: Clock

    def weekdays(self) -> tuple[int, ...]:
        out: list[int] = []
        for r in self.days:
            d = r.first
            while True:
                if d not in out:
                    out.append(d)
                if d == r.last:
                    break
                d = (d + 1) % 7
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Holidays(Node):
    region: Str


@dataclass(frozen=True, slots=True)
class Window(Node):
    words: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class Monitor(Node):
    every: Duration


@dataclass(frozen=True, slots=True)
class StatusPage(Node):
    url: Str


@dataclass(frozen=True, slots=True)
class MinimumOutage(Node):
    duration: Duration


@dataclass(frozen=True, slots=True)
class MaintenanceNotice(Node):
    duration: Duration


@dataclass(frozen=True, slots=True)
class Excludes(Node):
    names: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class Aim(Node):
    raw: str


@dataclass(frozen=True, slots=True)
class Target(Node):
    metric: Ident
    threshold: Duration | Percent
    per: Ident


@dataclass(frozen=True, slots=True)
class Url(Node):
    value: Str


@dataclass(frozen=True, slots=True)
class RequiresOutage(Node):
    pass


@dataclass(frozen=True, slots=True)
class Downgrade(Node):
    target: Ident


@dataclass(frozen=True, slots=True)
class Support(Node):
    channels: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class Uptime(Node):
    value: Percent


@dataclass(frozen=True, slots=True)
class Respond(Node):
    priority: Ident
    within: Duration | BusinessDays  # v2: `1 business_day`
    during: Ident


@dataclass(frozen=True, slots=True)
class Live(Node):
    max_session: Duration | None  # None: unlimited
    during: Ident


@dataclass(frozen=True, slots=True)
class Applies(Node):
    tiers: tuple[Ident, ...]


@dataclass(frozen=True, slots=True)
class Share(Node):
    """`10% of monthly_fee`"""

    percent: Percent
    basis: Ident


Amount = Share | Money  # v2 adds ServiceDays and Formula (see `AnyAmount`)


@dataclass(frozen=True, slots=True)
class Band(Node):
    """`when uptime below (target | 99.0%) AMOUNT`; threshold None means the tier's target."""

    threshold: Percent | None
    amount: Amount
    inclusive: bool = False  # `at or below`


@dataclass(frozen=True, slots=True)
class PerMiss(Node):
    amount: Amount
    target: str = "response"  # v2: "resolution" | "update" (`per missed resolution …`)


@dataclass(frozen=True, slots=True)
class Link(Node):
    texts: Texts
    url: Str


# example statements


@dataclass(frozen=True, slots=True)
class ExampleTier(Node):
    tier: Ident


@dataclass(frozen=True, slots=True)
class Fee(Node):
    money: Money


@dataclass(frozen=True, slots=True)
class Period(Node):
    year: int
    month: int  # 0 with a quarter or a whole year
    raw: str
    quarter: int = 0  # 1..4 for `2026-Q2`; month and quarter 0 for a year `2026`


@dataclass(frozen=True, slots=True)
class Outage(Node):
    start: Timestamp
    duration: Duration
    cause: Ident | None
    announced: Timestamp | None
    service: Ident | None = None
    region: Ident | None = None


@dataclass(frozen=True, slots=True)
class Ticket(Node):
    priority: Ident
    opened: Timestamp
    responded: Timestamp | None
    outage: bool
    cause: Ident | None
    updates: tuple[Timestamp, ...] = ()  # v2: `updated T`, in the order written
    pauses: tuple[Pause, ...] = ()  # v2: `paused T for D`
    resolved: Timestamp | None = None  # v2: `resolved T`


@dataclass(frozen=True, slots=True)
class Repeat(Node):
    count: Int
    event: Outage | Ticket


@dataclass(frozen=True, slots=True)
class ExpectUptime(Node):
    value: Percent


@dataclass(frozen=True, slots=True)
class ExpectCredit(Node):
    value: Money


@dataclass(frozen=True, slots=True)
class ExpectBreaches(Node):
    value: Int


# ---- blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block(Node):
    body: tuple[Node, ...]

    def all(self, kind: type[N]) -> tuple[N, ...]:
        return tuple(s for s in self.body if isinstance(s, kind))

    def first(self, kind: type[N]) -> N | None:
        for s in self.body:
            if isinstance(s, kind):
                return s
        return None


@dataclass(frozen=True, slots=True)
class NamedBlock(Block):
    name: Ident

    def texts(self, kind: type[DisplayName] | type[Features] = DisplayName) -> Texts | None:
        stmt = self.first(kind)
        return stmt.texts if stmt else None


@dataclass(frozen=True, slots=True)
class TextBlock(Node):
    """`define` / `clause` / `exclude`: a name and one text per language."""

    name: Ident
    texts: Texts


@dataclass(frozen=True, slots=True)
class Define(TextBlock):
    pass


@dataclass(frozen=True, slots=True)
class Clause(TextBlock):
    title: Title | None = None


@dataclass(frozen=True, slots=True)
class Exclude(TextBlock):
    maintenance: Maintenance | None = None


@dataclass(frozen=True, slots=True)
class Condition(TextBlock):
    """`condition good_standing { texts }`: what a customer must meet for a credit that requires it."""


@dataclass(frozen=True, slots=True)
class Service(NamedBlock):
    pass


@dataclass(frozen=True, slots=True)
class Calendar(NamedBlock):
    pass


@dataclass(frozen=True, slots=True)
class Availability(Block):
    pass


@dataclass(frozen=True, slots=True)
class Objective(NamedBlock):
    pass


@dataclass(frozen=True, slots=True)
class Channel(NamedBlock):
    pass


@dataclass(frozen=True, slots=True)
class Priority(NamedBlock):
    pass


@dataclass(frozen=True, slots=True)
class ResponseMeans(Node):
    meaning: Ident


@dataclass(frozen=True, slots=True)
class Tier(NamedBlock):
    pass


@dataclass(frozen=True, slots=True)
class Credit(NamedBlock):
    pass


@dataclass(frozen=True, slots=True)
class TicketClock(Block):
    """`ticket clock { pause when status … ; warn at P% }` (v2): `PauseWhen` and `WarnAt` statements."""


@dataclass(frozen=True, slots=True)
class Cap(Node):
    amount: Amount
    per: Ident


@dataclass(frozen=True, slots=True)
class Payout(Node):
    form: Ident
    when: Ident | None


@dataclass(frozen=True, slots=True)
class Claim(Node):
    required: bool
    within: Duration | None
    via: Str | Ident | None
    cycles: ClaimCycles | None = None


@dataclass(frozen=True, slots=True)
class ThirdParty(Block):
    pass


@dataclass(frozen=True, slots=True)
class Example(Block):
    title: Str | Texts  # v1: one string; v2: one text per language

    @property
    def label(self) -> str:
        """The title as messages quote it: the string, or the first language's text."""
        if isinstance(self.title, Str):
            return self.title.value
        return self.title.items[0].value if self.title.items else ""


@dataclass(frozen=True, slots=True)
class Sla(NamedBlock):
    """The whole contract (`sla NAME { … }`)."""


@dataclass(frozen=True, slots=True)
class Document(Node):
    """A parsed source file: its path, its text and its one contract."""

    file: str
    source: str
    sla: Sla


# ---- publishing (issue 14): the docs site's front matter, per language -------------------------


@dataclass(frozen=True, slots=True)
class LangInt(Node):
    lang: Ident
    value: Int


@dataclass(frozen=True, slots=True)
class PublishTitle(Node):
    texts: Texts


@dataclass(frozen=True, slots=True)
class PublishSlug(Node):
    value: Str | None  # one slug: the original edition's; the others append -EDITION
    texts: Texts | None  # or one per language


@dataclass(frozen=True, slots=True)
class PublishPosition(Node):
    value: Int | None
    by_lang: tuple[LangInt, ...]


@dataclass(frozen=True, slots=True)
class Publish(Block):
    """`publish { title … slug … position … }`."""


@dataclass(frozen=True, slots=True)
class Locale(Node):
    """`locale en "en-GB"`: the regional form of a language's edition (dates, spelling of numbers)."""

    lang: Ident
    value: Str


# Language v2's statements live in nodes_v2; imported here so that `nodes.X` names every node.
from .nodes_v2 import *  # noqa: E402, F403
from .nodes_v2 import BusinessDays, ClaimCycles, Formula, Maintenance, Pause, ServiceDays  # noqa: E402

AnyAmount: TypeAlias = "Share | Money | ServiceDays | Formula"
