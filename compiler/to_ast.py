"""Lark parse tree → typed AST (`compiler/nodes.py`); the parse tree goes no further.

Values are checked here as they are converted (a 30 February, a 25:00 clock, a
timestamp without offset, an unknown weekday), and each problem becomes a
positioned diagnostic; conversion goes on so that one run reports them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from . import limits
from . import nodes as n
from .errors import Diagnostic, Span, error

_UNIT_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION_PART = re.compile(r"(\d+)(ms|min|d|h|s)")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class _Builder(Transformer[Token, Any]):
    def __init__(self, file: str):
        super().__init__(visit_tokens=True)
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    # ---- positions -------------------------------------------------------------------
    def tspan(self, tok: Token) -> Span:
        return Span(self.file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)

    def mspan(self, meta: Meta) -> Span:
        if meta.empty:
            return Span(self.file, 1, 1, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def bad(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(error(code, message, span, hint))

    # ---- terminals -------------------------------------------------------------------
    def NAME(self, tok: Token) -> n.Ident:
        if len(tok) > limits.MAX_NAME_CHARS:
            self.bad(
                "E0211",
                f"a name of {len(tok)} characters is too long",
                self.tspan(tok),
                f"names have at most {limits.MAX_NAME_CHARS} characters",
            )
        return n.Ident(self.tspan(tok), str(tok))

    def STRING(self, tok: Token) -> n.Str:
        raw = str(tok)
        body = raw[3:-3] if raw.startswith('"""') else raw[1:-1]
        out: list[str] = []
        i = 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                else:
                    self.bad(
                        "E0201",
                        f"unknown escape `\\{nxt}` in text",
                        self.tspan(tok),
                        'write `\\\\` for a backslash; `\\"`, `\\n` and `\\t` are the other escapes',
                    )
                    out.append(nxt)
                i += 2
                continue
            out.append(ch)
            i += 1
        value = "".join(out)
        if len(value) > limits.MAX_TEXT_CHARS:
            self.bad(
                "E0210",
                f"a text of {len(value):,} characters is too long",
                Span(self.file, tok.line or 1, tok.column or 1, tok.line or 1, (tok.column or 1) + 1),
                f"a text has at most {limits.MAX_TEXT_CHARS:,} characters: split it into several clauses",
            )
        return n.Str(self.tspan(tok), value)

    def CURRENCY(self, tok: Token) -> n.Str:
        return n.Str(self.tspan(tok), str(tok))

    def DURATION(self, tok: Token) -> n.Duration:
        parts = _DURATION_PART.findall(str(tok))
        # Digits are counted before int() so that a 5000-digit duration costs nothing.
        if any(len(num.lstrip("0")) > 15 for num, _ in parts):
            total = limits.MAX_DURATION_MS + 1
        else:
            total = sum(int(num) * _UNIT_MS[unit] for num, unit in parts)
        if total > limits.MAX_DURATION_MS:
            self.bad(
                "E0213",
                f"`{_short(tok)}` is longer than a century",
                self.tspan(tok),
                f"durations are at most {limits.MAX_DURATION_MS // 86_400_000:,}d; check the number and its unit",
            )
            total = 0
        return n.Duration(self.tspan(tok), total, str(tok))

    def PERCENT(self, tok: Token) -> n.Percent:
        raw = str(tok)[:-1]
        value = self._decimal(tok, raw, "percentage", limits.MAX_PERCENT, f"at most {limits.MAX_PERCENT:,}%")
        return n.Percent(self.tspan(tok), value, str(tok))

    def NUMBER(self, tok: Token) -> tuple[Decimal, Token]:
        limit = 10**limits.MAX_DIGITS
        return self._decimal(tok, str(tok), "amount", limit, f"less than 10^{limits.MAX_DIGITS}"), tok

    def _decimal(self, tok: Token, raw: str, what: str, limit: int, bound: str) -> Decimal:
        """A decimal within its limits, else an error and 0 (the text is checked before conversion)."""
        whole, _, fraction = raw.partition(".")
        if len(whole.lstrip("0")) > len(str(limit)) or len(fraction) > limits.MAX_DECIMALS:
            value = None
        else:
            value = Decimal(raw)
        if value is None or value > limit:
            self.bad(
                "E0212",
                f"`{_short(tok)}` is out of range for {'a' if what[0] not in 'aeiou' else 'an'} {what}",
                self.tspan(tok),
                f"{what}s are {bound}, with at most {limits.MAX_DECIMALS} decimals",
            )
            return Decimal(0)
        return value

    def INT(self, tok: Token) -> n.Int:
        raw = str(tok)
        if len(raw.lstrip("0")) > len(str(limits.MAX_COUNT)) or int(raw) > limits.MAX_COUNT:
            self.bad(
                "E0214",
                f"`{_short(tok)}` is too large",
                self.tspan(tok),
                f"whole numbers here are at most {limits.MAX_COUNT:,}",
            )
            return n.Int(self.tspan(tok), 0)
        return n.Int(self.tspan(tok), int(raw))

    def _year(self, tok: Token, year: int) -> bool:
        """Whether a date's year is one slac computes with; reports E0215 when it is not."""
        if limits.MIN_YEAR <= year <= limits.MAX_YEAR:
            return True
        self.bad(
            "E0215",
            f"`{tok}` is outside the years {limits.MIN_YEAR}–{limits.MAX_YEAR}",
            self.tspan(tok),
            "check the year",
        )
        return False

    def DATE(self, tok: Token) -> n.DateLit:
        try:
            value = date.fromisoformat(str(tok))
        except ValueError:
            self.bad(
                "E0202", f"`{tok}` is not a date in the calendar", self.tspan(tok), "write a real date as YYYY-MM-DD"
            )
            value = date(1970, 1, 1)
        if not self._year(tok, value.year):
            value = date(1970, 1, 1)
        return n.DateLit(self.tspan(tok), value)

    def TIMESTAMP(self, tok: Token) -> n.Timestamp:
        raw = str(tok)
        span = self.tspan(tok)
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            self.bad(
                "E0203",
                f"`{raw}` is not a valid timestamp",
                span,
                "write it as YYYY-MM-DDThh:mm with an offset, e.g. `2025-03-03T09:00+08:00`",
            )
            value = datetime(1970, 1, 1).astimezone()
        else:
            if value.tzinfo is None:
                self.bad(
                    "E0204",
                    f"timestamp `{raw}` has no UTC offset",
                    span,
                    f"add the offset it was recorded in, e.g. `{raw}+08:00` or `{raw}Z`",
                )
                value = value.replace(tzinfo=datetime(1970, 1, 1).astimezone().tzinfo)
            if not self._year(tok, value.year):
                value = datetime(1970, 1, 1).astimezone()
        return n.Timestamp(span, value, raw)

    def PERIOD(self, tok: Token) -> n.Period:
        year, month = (int(x) for x in str(tok).split("-"))
        if not 1 <= month <= 12:
            self.bad("E0202", f"`{tok}` is not a month", self.tspan(tok), "write the period as YYYY-MM, e.g. `2025-03`")
            month = 1
        if not self._year(tok, year):
            year = 1970
        return n.Period(self.tspan(tok), year, month, str(tok))

    def CLOCK(self, tok: Token) -> n.Clock:
        h, m = (int(x) for x in str(tok).split(":"))
        if m >= 60 or h > 24 or (h == 24 and m):
            self.bad(
                "E0205", f"`{tok}` is not a time of day", self.tspan(tok), "clock times run from `00:00` to `24:00`"
            )
            h, m = 0, 0
        return n.Clock(self.tspan(tok), h * 60 + m, str(tok))

    def AIM(self, tok: Token) -> str:
        return str(tok)

    def BELOW_TARGET(self, tok: Token) -> None:
        return None

    # ---- texts ----------------------------------------------------------------------------
    @v_args(meta=True)
    def text(self, meta: Meta, c: list[Any]) -> n.Text:
        return n.Text(self.mspan(meta), c[0], c[1].value)

    @v_args(meta=True)
    def texts(self, meta: Meta, c: list[n.Text]) -> n.Texts:
        return n.Texts(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def text_line(self, meta: Meta, c: list[n.Text]) -> _TextLine:
        return _TextLine(self.mspan(meta), n.Texts(self.mspan(meta), tuple(c)))

    def _fold(self, body: list[Any], owner: str) -> tuple[n.Node, ...]:
        """Attach each continuation line of texts to the statement above it."""
        out: list[n.Node] = []
        for stmt in body:
            if isinstance(stmt, _TextLine):
                prev = out[-1] if out else None
                if isinstance(prev, (n.Title, n.DisplayName, n.Features)):
                    merged = n.Texts(_join(prev.texts.span, stmt.span), prev.texts.items + stmt.texts.items)
                    out[-1] = replace(prev, texts=merged, span=_join(prev.span, stmt.span))
                else:
                    self.bad(
                        "E0206",
                        f"a text in `{stmt.texts.items[0].lang.value}` here belongs to no statement",
                        stmt.span,
                        f"put it right under `title`, `name` or `features`, or start the line with a {owner} statement",
                    )
                continue
            out.append(stmt)
        return tuple(out)

    def _text_block(self, cls: Callable[..., n.TextBlock], meta: Meta, c: list[Any]) -> n.TextBlock:
        name, lines = c[0], c[1:]
        items = tuple(t for line in lines for t in line.texts.items)
        span = _join(lines[0].span, lines[-1].span) if lines else name.span
        if not lines:
            self.bad(
                "E0207", f"`{name.value}` has no text", self.mspan(meta), 'give one text per language, e.g. `en "…"`'
            )
        return cls(self.mspan(meta), name, n.Texts(span, items))

    @v_args(meta=True)
    def define(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        return self._text_block(n.Define, meta, c)

    @v_args(meta=True)
    def clause(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        return self._text_block(n.Clause, meta, c)

    @v_args(meta=True)
    def exclude(self, meta: Meta, c: list[Any]) -> n.TextBlock:
        return self._text_block(n.Exclude, meta, c)

    # ---- blocks ----------------------------------------------------------------------------
    def _named(self, cls: Callable[..., n.NamedBlock], what: str) -> Callable[[Meta, list[Any]], n.NamedBlock]:
        def build(meta: Meta, c: list[Any]) -> n.NamedBlock:
            return cls(self.mspan(meta), self._fold(c[1:], what), c[0])

        return build

    @v_args(meta=True)
    def sla(self, meta: Meta, c: list[Any]) -> n.Sla:
        return n.Sla(self.mspan(meta), self._fold(c[1:], "contract"), c[0])

    @v_args(meta=True)
    def calendar(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Calendar, "calendar")(meta, c)

    @v_args(meta=True)
    def objective(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Objective, "objective")(meta, c)

    @v_args(meta=True)
    def channel(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Channel, "channel")(meta, c)

    @v_args(meta=True)
    def priority(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Priority, "priority")(meta, c)

    @v_args(meta=True)
    def tier(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Tier, "tier")(meta, c)

    @v_args(meta=True)
    def credit(self, meta: Meta, c: list[Any]) -> n.NamedBlock:
        return self._named(n.Credit, "credit")(meta, c)

    @v_args(meta=True)
    def availability(self, meta: Meta, c: list[Any]) -> n.Availability:
        return n.Availability(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def third_party(self, meta: Meta, c: list[Any]) -> n.ThirdParty:
        return n.ThirdParty(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def example(self, meta: Meta, c: list[Any]) -> n.Example:
        return n.Example(self.mspan(meta), tuple(c[1:]), c[0])

    # ---- statements ---------------------------------------------------------------------------
    @v_args(meta=True)
    def title(self, meta: Meta, c: list[Any]) -> n.Title:
        return n.Title(self.mspan(meta), c[0])

    @v_args(meta=True)
    def version(self, meta: Meta, c: list[Any]) -> n.Version:
        return n.Version(self.mspan(meta), c[0])

    @v_args(meta=True)
    def effective(self, meta: Meta, c: list[Any]) -> n.Effective:
        return n.Effective(self.mspan(meta), c[0])

    @v_args(meta=True)
    def languages(self, meta: Meta, c: list[Any]) -> n.Languages:
        return n.Languages(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def timezone(self, meta: Meta, c: list[Any]) -> n.Timezone:
        return n.Timezone(self.mspan(meta), c[0])

    @v_args(meta=True)
    def currency(self, meta: Meta, c: list[Any]) -> n.Currency:
        return n.Currency(self.mspan(meta), c[0])

    @v_args(meta=True)
    def billing(self, meta: Meta, c: list[Any]) -> n.Billing:
        return n.Billing(self.mspan(meta), c[0])

    @v_args(meta=True)
    def hours(self, meta: Meta, c: list[Any]) -> n.Hours:
        return n.Hours(self.mspan(meta), c[0], c[1], c[2])

    def day_set(self, c: list[n.DayRange]) -> tuple[n.DayRange, ...]:
        return tuple(c)

    @v_args(meta=True)
    def day_range(self, meta: Meta, c: list[n.Ident]) -> n.DayRange:
        idx = [self._day(d) for d in c]
        return n.DayRange(self.mspan(meta), idx[0], idx[-1])

    def _day(self, ident: n.Ident) -> int:
        if ident.value in n.DAYS:
            return n.DAYS.index(ident.value)
        close = difflib.get_close_matches(ident.value, n.DAYS, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else "days are written mon, tue, wed, thu, fri, sat, sun"
        self.bad("E0208", f"`{ident.value}` is not a day of the week", ident.span, hint)
        return 0

    @v_args(meta=True)
    def holidays(self, meta: Meta, c: list[Any]) -> n.Holidays:
        return n.Holidays(self.mspan(meta), c[0])

    @v_args(meta=True)
    def window(self, meta: Meta, c: list[Any]) -> n.Window:
        return n.Window(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def monitor(self, meta: Meta, c: list[Any]) -> n.Monitor:
        return n.Monitor(self.mspan(meta), c[0])

    @v_args(meta=True)
    def status_page(self, meta: Meta, c: list[Any]) -> n.StatusPage:
        return n.StatusPage(self.mspan(meta), c[0])

    @v_args(meta=True)
    def minimum_outage(self, meta: Meta, c: list[Any]) -> n.MinimumOutage:
        return n.MinimumOutage(self.mspan(meta), c[0])

    @v_args(meta=True)
    def maintenance_notice(self, meta: Meta, c: list[Any]) -> n.MaintenanceNotice:
        return n.MaintenanceNotice(self.mspan(meta), c[0])

    @v_args(meta=True)
    def excludes(self, meta: Meta, c: list[Any]) -> n.Excludes:
        return n.Excludes(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def aim(self, meta: Meta, c: list[Any]) -> n.Aim:
        return n.Aim(self.mspan(meta), c[0])

    @v_args(meta=True)
    def target(self, meta: Meta, c: list[Any]) -> n.Target:
        return n.Target(self.mspan(meta), c[0], c[1], c[2])

    @v_args(meta=True)
    def url(self, meta: Meta, c: list[Any]) -> n.Url:
        return n.Url(self.mspan(meta), c[0])

    @v_args(meta=True)
    def requires_outage(self, meta: Meta, c: list[Any]) -> n.RequiresOutage:
        return n.RequiresOutage(self.mspan(meta))

    @v_args(meta=True)
    def downgrade(self, meta: Meta, c: list[Any]) -> n.Downgrade:
        return n.Downgrade(self.mspan(meta), c[0])

    @v_args(meta=True)
    def response_means(self, meta: Meta, c: list[Any]) -> n.ResponseMeans:
        return n.ResponseMeans(self.mspan(meta), c[0])

    @v_args(meta=True)
    def display_name(self, meta: Meta, c: list[Any]) -> n.DisplayName:
        return n.DisplayName(self.mspan(meta), c[0])

    @v_args(meta=True)
    def features(self, meta: Meta, c: list[Any]) -> n.Features:
        return n.Features(self.mspan(meta), c[0])

    @v_args(meta=True)
    def support(self, meta: Meta, c: list[Any]) -> n.Support:
        return n.Support(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def uptime(self, meta: Meta, c: list[Any]) -> n.Uptime:
        return n.Uptime(self.mspan(meta), c[0])

    @v_args(meta=True)
    def respond(self, meta: Meta, c: list[Any]) -> n.Respond:
        return n.Respond(self.mspan(meta), c[0], c[1], c[2])

    @v_args(meta=True)
    def live_limited(self, meta: Meta, c: list[Any]) -> n.Live:
        return n.Live(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def live_unlimited(self, meta: Meta, c: list[Any]) -> n.Live:
        return n.Live(self.mspan(meta), None, c[0])

    @v_args(meta=True)
    def applies(self, meta: Meta, c: list[Any]) -> n.Applies:
        return n.Applies(self.mspan(meta), tuple(c))

    @v_args(meta=True)
    def band(self, meta: Meta, c: list[Any]) -> n.Band:
        return n.Band(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def per_miss(self, meta: Meta, c: list[Any]) -> n.PerMiss:
        return n.PerMiss(self.mspan(meta), c[0])

    @v_args(meta=True)
    def share(self, meta: Meta, c: list[Any]) -> n.Share:
        return n.Share(self.mspan(meta), c[0], c[1])

    def flat(self, c: list[Any]) -> n.Money:
        return c[0]

    @v_args(meta=True)
    def money(self, meta: Meta, c: list[Any]) -> n.Money:
        (amount, tok), currency = c
        return n.Money(self.mspan(meta), amount, currency.value, f"{tok} {currency.value}")

    @v_args(meta=True)
    def cap(self, meta: Meta, c: list[Any]) -> n.Cap:
        return n.Cap(self.mspan(meta), c[0], c[1])

    @v_args(meta=True)
    def payout(self, meta: Meta, c: list[Any]) -> n.Payout:
        return n.Payout(self.mspan(meta), c[0], c[1] if len(c) > 1 else None)

    def claim_required(self, c: list[Any]) -> tuple[str, Any]:
        return ("required", True)

    def claim_within(self, c: list[Any]) -> tuple[str, Any]:
        return ("within", c[0])

    def claim_via(self, c: list[Any]) -> tuple[str, Any]:
        return ("via", c[0])

    @v_args(meta=True)
    def claim(self, meta: Meta, c: list[tuple[str, Any]]) -> n.Claim:
        seen = self._options(meta, c, "claim")
        return n.Claim(self.mspan(meta), bool(seen.get("required")), seen.get("within"), seen.get("via"))

    @v_args(meta=True)
    def link(self, meta: Meta, c: list[Any]) -> n.Link:
        return n.Link(self.mspan(meta), c[0], c[1])

    # ---- examples -------------------------------------------------------------------------------
    @v_args(meta=True)
    def example_tier(self, meta: Meta, c: list[Any]) -> n.ExampleTier:
        return n.ExampleTier(self.mspan(meta), c[0])

    @v_args(meta=True)
    def fee(self, meta: Meta, c: list[Any]) -> n.Fee:
        return n.Fee(self.mspan(meta), c[0])

    @v_args(meta=True)
    def period(self, meta: Meta, c: list[Any]) -> n.Period:
        return replace(c[0], span=self.mspan(meta))

    def _options(self, meta: Meta, c: list[Any], what: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in c:
            if key in seen:
                self.bad("E0209", f"`{what}` says `{key}` twice", self.mspan(meta), f"keep one `{key}`")
            seen[key] = value
        return seen

    def cause(self, c: list[Any]) -> tuple[str, Any]:
        return ("cause", c[0])

    def announced(self, c: list[Any]) -> tuple[str, Any]:
        return ("announced", c[0])

    def responded(self, c: list[Any]) -> tuple[str, Any]:
        return ("responded", c[0])

    def outage_flag(self, c: list[Any]) -> tuple[str, Any]:
        return ("outage", True)

    @v_args(meta=True)
    def outage(self, meta: Meta, c: list[Any]) -> n.Outage:
        opts = self._options(meta, c[2:], "outage")
        return n.Outage(self.mspan(meta), c[0], c[1], opts.get("cause"), opts.get("announced"))

    @v_args(meta=True)
    def ticket(self, meta: Meta, c: list[Any]) -> n.Ticket:
        opts = self._options(meta, c[2:], "ticket")
        return n.Ticket(
            self.mspan(meta), c[0], c[1], opts.get("responded"), bool(opts.get("outage")), opts.get("cause")
        )

    @v_args(meta=True)
    def repeat(self, meta: Meta, c: list[Any]) -> n.Repeat:
        count: n.Int = c[0]
        if count.value > limits.MAX_REPEAT:
            self.bad(
                "E0214",
                f"`repeat {count.value}` repeats too often",
                count.span,
                f"an example repeats an event at most {limits.MAX_REPEAT:,} times",
            )
            count = replace(count, value=1)
        return n.Repeat(self.mspan(meta), count, c[1])

    @v_args(meta=True)
    def expect_uptime(self, meta: Meta, c: list[Any]) -> n.ExpectUptime:
        return n.ExpectUptime(self.mspan(meta), c[0])

    @v_args(meta=True)
    def expect_credit(self, meta: Meta, c: list[Any]) -> n.ExpectCredit:
        return n.ExpectCredit(self.mspan(meta), c[0])

    @v_args(meta=True)
    def expect_breaches(self, meta: Meta, c: list[Any]) -> n.ExpectBreaches:
        return n.ExpectBreaches(self.mspan(meta), c[0])

    def start(self, c: list[Any]) -> n.Sla:
        return c[0]


@dataclass(frozen=True, slots=True)
class _TextLine(n.Node):
    """A line of texts that continues the statement above it (folded away in `_fold`)."""

    texts: n.Texts


def _short(tok: Token) -> str:
    """A token as quoted in a message: a 5000-digit number is shown by its first and last digits."""
    text = str(tok)
    return text if len(text) <= 24 else f"{text[:10]}…{text[-10:]}"


def _join(a: Span, b: Span) -> Span:
    return Span(a.file, a.line, a.column, b.end_line, b.end_column)


def to_ast(tree: Tree[Token], *, file: str, source: str) -> tuple[n.Document, list[Diagnostic]]:
    """Convert a parse tree; returns the document and the value errors found on the way."""
    builder = _Builder(file)
    sla = builder.transform(tree)
    return n.Document(sla.span, file, source, sla), builder.diagnostics
