"""The table of terms: every simple term of a policy as one row, compared by one generic comparator.

A row says which term it is (its key and subject), how to read its value from the policy (or
from one entity: a channel, a priority, a tier), how to show it, and its direction for the
customer: `higher` or `lower` is better, `neutral` (moves no service level: a version, an
address) or `unranked` (slac cannot tell: another currency; an ambiguous reduction). What a
missing value means is the row's `absent`: a `Presence` (no claim deadline is better than
any), a fallback direction and reason, or "skip" (the term does not exist without its block).

Terms with more than one dimension (calendars, response targets, bands, amounts of
different shapes) have their own comparators (`calendars`, `entities`, `money`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .keys import Key
from .strings import Msg, duration, msg, percent, word

Direction = Literal["higher", "lower", "neutral", "unranked"]
Ranked = tuple[Literal["neutral", "unranked"], str]
RESPONSE_ORDER = ("acknowledgement", "resolution")  # a later meaning asks more of the provider


@dataclass(frozen=True)
class Presence:
    """What adding or removing a term means: (kind, reason) each; ambiguous for legal text."""

    added: tuple[Any, str]
    removed: tuple[Any, str]
    show: Callable[[Any], Any] | None = None
    ambiguous: bool = False


@dataclass(frozen=True)
class Row:
    """One simple term (see the module docstring)."""

    key: Key  # for an entity row the ident is filled in per entity (`Key("channel", None, "url")`)
    subject: str  # the catalogue's subject key
    read: Callable[[Mapping[str, Any]], Any]  # the value, from the policy or the entity
    direction: Direction
    reasons: tuple[str, ...]  # (better, worse) for higher/lower, (reason,) for neutral/unranked
    show: Callable[[Any], Any] = str
    line: Callable[[Mapping[str, Any]], int | None] = lambda item: item.get("line")
    rank: Callable[[Any], Any] = lambda value: value  # the value as a number to compare; None: cannot rank
    absent: Presence | Ranked | Literal["skip"] | None = None
    # more detail on an ordered change: (old, new, window=…) → the allowed downtime in a window of the contract
    extra: Callable[..., Msg] | None = None
    samples: tuple[Any, Any] = (60, 120)  # two values, the first ranked lower (for the table's own test)
    unit: Callable[[Any], Any] | None = None  # a value's unit (a currency): values of two units are not ranked


def _yes_no(value: bool) -> Msg:
    return word("yes" if value else "no")


def _contract(field: str, subject: str, read: Callable[[Mapping[str, Any]], Any] | None = None, **row: Any) -> Row:
    """A row of the contract header; its line is the header statement's."""
    return Row(
        Key("contract", field),
        subject,
        read or (lambda p: p["contract"].get(field)),
        line=lambda p: p["contract"].get("lines", {}).get(field),
        **row,
    )


def _block(name: str) -> Callable[[Mapping[str, Any]], Mapping[str, Any]]:
    return lambda p: p.get(name) or {}


def _in(block: str, field: str, default: Any = None) -> Callable[[Mapping[str, Any]], Any]:
    if default is None:
        return lambda p: (p.get(block) or {}).get(field)
    return lambda p: (p.get(block) or {}).get(field) or default


def _block_line(block: str) -> Callable[[Mapping[str, Any]], int | None]:
    return lambda p: (p.get(block) or {}).get("line")


def _response_rank(value: Any) -> int | None:
    return RESPONSE_ORDER.index(value) if value in RESPONSE_ORDER else None


# The reference window of the allowed downtime, in days, as the document states it: a 30-day month,
# a 90-day quarter, a 365-day year.
WINDOW_DAYS = {"calendar_month": 30, "calendar_quarter": 90, "calendar_year": 365}


def downtime(old: str, new: str, window: str = "calendar_month") -> Msg:
    """The downtime each uptime allows in a window of the contract's length (`window`)."""
    from ..runtime.rules import allowed_downtime  # slac.runtime loads numpy: only when an uptime changed

    days = Decimal(WINDOW_DAYS.get(window, 30))
    old_s, new_s = (allowed_downtime(u) * days / 30 for u in (old, new))
    key = {"calendar_quarter": "downtime_quarter", "calendar_year": "downtime_year"}.get(window, "downtime")
    return msg("change", key, old=duration(old_s), new=duration(new_s))


def _publish(field: str) -> Callable[[Mapping[str, Any]], dict[str, Any] | None]:
    """A `publish` value per language: the one for every edition under "", then each language's own."""
    plural = {"title": None, "slug": "slugs", "position": "positions"}[field]

    def read(p: Mapping[str, Any]) -> dict[str, Any] | None:
        block = p.get("publish")
        if not block:
            return None
        if plural is None:
            return dict(block.get("title") or {}) or None
        values = {"": block.get(field)} if block.get(field) is not None else {}
        values.update(block.get(plural) or {})
        return values or None

    return read


def _by_language(values: Mapping[str, Any] | None) -> str:
    """`{"": "/legal/sla", "en": "/legal/sla-en"}` → `/legal/sla; en: /legal/sla-en`."""
    return "; ".join(f"{lang}: {v}" if lang else str(v) for lang, v in (values or {}).items())


_AVAIL, _CLAIM = _block_line("availability"), _block_line("claim")

# Terms of the whole policy, read from the policy itself.
TABLE: tuple[Row, ...] = (
    _contract("version", "contract_version", direction="neutral", reasons=("informational",)),
    _contract("effective", "contract_effective", direction="neutral", reasons=("informational",)),
    _contract(
        "timezone", "contract_timezone", lambda p: p.get("timezone"), direction="neutral", reasons=("zone_contract",)
    ),
    _contract(
        "currency",
        "contract_currency",
        lambda p: (p.get("currency") or {}).get("code"),
        direction="unranked",
        reasons=("currency_changed",),
    ),
    _contract(
        "billing", "contract_billing", lambda p: p.get("billing"), direction="unranked", reasons=("billing_changed",)
    ),
    Row(
        Key("contract", "response_means"),
        "response_means",
        lambda p: p.get("response_means"),
        "higher",
        ("response_stricter", "response_looser"),
        line=lambda p: p["contract"].get("lines", {}).get("response_means"),
        rank=_response_rank,
        absent=("unranked", "response_changed"),
        samples=RESPONSE_ORDER,
    ),
    Row(
        Key("availability", "window"),
        "availability_window",
        _in("availability", "window", "calendar_month"),
        "unranked",
        ("window_changed",),
        line=_AVAIL,
    ),
    Row(
        Key("availability", "monitor"),
        "availability_monitor",
        _in("availability", "monitor_interval_seconds"),
        "lower",
        ("monitor_faster", "monitor_slower"),
        duration,
        _AVAIL,
        absent=("neutral", "informational"),
    ),
    Row(
        Key("availability", "status_page"),
        "availability_status_page",
        _in("availability", "status_page"),
        "neutral",
        ("contact",),
        line=_AVAIL,
    ),
    # No `minimum outage` means every outage counts; no notice means any announcement excludes maintenance.
    Row(
        Key("availability", "minimum_outage"),
        "availability_minimum_outage",
        _in("availability", "minimum_outage_seconds", 0),
        "lower",
        ("minimum_outage_shorter", "minimum_outage_longer"),
        duration,
        _AVAIL,
    ),
    Row(
        Key("availability", "maintenance_notice"),
        "availability_maintenance_notice",
        _in("availability", "maintenance_notice_seconds", 0),
        "higher",
        ("notice_longer", "notice_shorter"),
        duration,
        _AVAIL,
    ),
    Row(
        Key("availability", "aim"),
        "availability_aim",
        _in("availability", "aim"),
        "neutral",
        ("informational",),
        line=_AVAIL,
    ),
    # The same amount over a longer span (a quarter rather than a month) limits credits further.
    Row(
        Key("cap", None, "per"),
        "cap",
        _in("cap", "per"),
        "lower",
        ("cap_span_shorter", "cap_span_longer"),
        line=_block_line("cap"),
        rank=lambda value: {"month": 1, "quarter": 3, "year": 12}.get(value),
        absent="skip",
        samples=("month", "year"),
    ),
    Row(
        Key("payout", "when"),
        "payout",
        _in("payout", "when"),
        "unranked",
        ("payout_changed",),
        line=_block_line("payout"),
    ),
    Row(
        Key("claim", "required"),
        "claim_required",
        lambda p: bool((p.get("claim") or {}).get("required")),
        "lower",
        ("claim_required_removed", "claim_required_added"),
        _yes_no,
        _CLAIM,
        samples=(False, True),
    ),
    # The claim deadline (a length or billing periods) is compared by `terms_v2.claim_deadline`.
    Row(
        Key("claim", "via"),
        "claim_via",
        _in("claim", "via"),
        "neutral",
        ("contact",),
        lambda via: (via.get("channel") or via.get("address") or "") if via else "",
        _CLAIM,
        samples=({"address": "claims@example.com"}, {"channel": "portal"}),
    ),
    # Where and under which title the document is published, and its editions' regional forms: they
    # move no service level, but a changelog that omits them would hide a change of the published page.
    *(
        Row(
            Key("publish", field),
            subject,
            _publish(field),
            "neutral",
            ("informational",),
            _by_language,
            _block_line("publish"),
            absent=("neutral", "informational"),
            samples=sample,
        )
        for field, subject, sample in (
            ("title", "publish_title", ({"en": "SLA"}, {"en": "Service Level Agreement"})),
            ("slug", "publish_slug", ({"": "/legal/sla"}, {"": "/sla"})),
            ("position", "publish_position", ({"": 1}, {"": 5})),
        )
    ),
    Row(
        Key("contract", "locales"),
        "contract_locales",
        lambda p: p.get("locales") or None,
        "neutral",
        ("informational",),
        _by_language,
        lambda p: p["contract"].get("lines", {}).get("locales"),
        absent=("neutral", "informational"),
        samples=({"en": "en-US"}, {"en": "en-GB"}),
    ),
)

# Terms of one entity, read from the entity (the key's ident is the entity's id).
ENTITY_ROWS: dict[str, tuple[Row, ...]] = {
    "channels": (Row(Key("channel", None, "url"), "channel_url", lambda c: c.get("url"), "neutral", ("contact",)),),
    "priorities": (
        Row(
            Key("priority", None, "requires_outage"),
            "priority_requires_outage",
            lambda p: bool(p["requires_outage"]),
            "lower",
            ("requires_outage_removed", "requires_outage_added"),
            _yes_no,
            samples=(False, True),
        ),
    ),
    "tiers": (
        Row(
            Key("tier", None, "uptime"),
            "tier_uptime",
            lambda t: t.get("uptime"),
            "higher",
            ("uptime_higher", "uptime_lower"),
            percent,
            rank=Decimal,
            absent=Presence(("improvement", "uptime_added"), ("reduction", "uptime_removed"), percent),
            extra=downtime,
            samples=("99.9", "99.95"),
        ),
    ),
}
