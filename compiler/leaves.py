"""The leaves of the typed AST (values with a span), shared by `nodes` and `nodes_v2`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .errors import Span


@dataclass(frozen=True, slots=True)
class Node:
    span: Span


@dataclass(frozen=True, slots=True)
class Ident(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Str(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Text(Node):
    lang: Ident
    value: str


@dataclass(frozen=True, slots=True)
class Texts(Node):
    items: tuple[Text, ...]

    def by_lang(self) -> dict[str, str]:
        return {t.lang.value: t.value for t in self.items}


@dataclass(frozen=True, slots=True)
class Duration(Node):
    milliseconds: int
    raw: str


@dataclass(frozen=True, slots=True)
class Percent(Node):
    value: Decimal
    raw: str


@dataclass(frozen=True, slots=True)
class Money(Node):
    amount: Decimal
    currency: str
    raw: str


@dataclass(frozen=True, slots=True)
class DateLit(Node):
    value: date


@dataclass(frozen=True, slots=True)
class Timestamp(Node):
    value: datetime  # always timezone-aware: to_ast rejects a timestamp without offset
    raw: str


@dataclass(frozen=True, slots=True)
class Clock(Node):
    minutes: int  # minutes after midnight, 0..1440
    raw: str


@dataclass(frozen=True, slots=True)
class DayRange(Node):
    first: int  # 0 = Monday
    last: int


@dataclass(frozen=True, slots=True)
class Int(Node):
    value: int
