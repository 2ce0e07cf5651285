"""AST → policy (the resolved intermediate representation), validated by the shipped schema.

The only module of `slac.policy` that reads the AST (`nodes`); encoding is in `codec`, the schema in `schema`.

The policy is self-contained: a runtime written in any language evaluates it
without the source, a holiday library or the compiler. So names are resolved,
defaults are filled in, holidays are materialised as dates for a span of years,
and every term keeps the source line it came from.

Number shapes (the schema enforces them):

* durations are seconds as JSON numbers (an int when whole, so `300ms` is 0.3);
* percentages and money are decimal strings, never floats: percentages are
  normalised (`99.90%` and `99.9%` both give "99.9"), money keeps its currency's
  minor digits ("50.00") unless it was written more precisely;
* dates are ISO `YYYY-MM-DD`, timestamps ISO 8601 with a numeric offset.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .. import nodes as n
from . import build_tickets as tickets
from . import build_v2 as v2
from .codec import DAYS, FORMAT_VERSION, content_hash, decimal_str, minor_digits, money_str, seconds_of_ms
from .schema import validate

# Holidays are materialised from the effective year through this many years after it.
DEFAULT_HOLIDAY_YEARS_AFTER = 5


# ---- public API -----------------------------------------------------------------------------------


def build(
    doc: n.Document, *, holiday_years: tuple[int, int] | None = None, validate_schema: bool = True
) -> dict[str, Any]:
    """Resolve a checked document into a policy dict and validate it against the schema.

    `validate_schema=False` is for `slac check`, which builds the policy only to run the examples
    and never writes it: the schema is the contract with runtime services, and checking it costs
    jsonschema's import on every check. Everything that writes or hands out a policy validates.
    """
    sla = doc.sla
    effective = sla.first(n.Effective)
    # A tuple whatever the caller passed (a list from a CLI option), as it keys the holiday cache.
    years = (int(holiday_years[0]), int(holiday_years[1])) if holiday_years is not None else None
    if years is None and effective is not None:
        first_year = effective.value.value.year
        years = (first_year, first_year + DEFAULT_HOLIDAY_YEARS_AFTER)
    if years is not None and years[0] > years[1]:
        raise ValueError(f"holiday_years {years} runs backwards; give (first, last) with first <= last")
    from ..errors import SlaError
    from .volume import holiday_volume  # issue 13: bounded before anything is materialised

    if too_much := holiday_volume(doc, years):
        raise SlaError(too_much)

    langs = sla.first(n.Languages)
    tz = sla.first(n.Timezone)
    timezone = tz.name.value if tz else None
    priorities = sla.all(n.Priority)
    tiers = sla.all(n.Tier)

    policy: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "contract": _contract(doc, effective),
        "languages": [i.value for i in langs.langs] if langs else [],
        "title": _texts_of(sla.first(n.Title)),
        "timezone": timezone,
        "currency": _currency(sla.first(n.Currency)),
        "billing": _billing(sla.first(n.Billing)),
        "response_means": _ident_of(sla.first(n.ResponseMeans)),
        "materialised": _materialised(years),
        "definitions": [_text_block(b) for b in sla.all(n.Define)],
        "clauses": [_text_block(b) for b in sla.all(n.Clause)],
        "exclusions": [_text_block(b) for b in sla.all(n.Exclude)],
        "calendars": [_calendar(c, timezone, years) for c in sla.all(n.Calendar)],
        "availability": _availability(sla.first(n.Availability)),
        "objectives": [_objective(o) for o in sla.all(n.Objective)],
        "channels": [_channel(c) for c in sla.all(n.Channel)],
        "priorities": [_priority(p) for p in priorities],
        "tiers": [_tier(t, rank, priorities) for rank, t in enumerate(tiers)],
        "credits": [_credit(c, tiers) for c in sla.all(n.Credit)],
        "cap": _cap(sla.first(n.Cap)),
        "payout": _payout(sla.first(n.Payout)),
        "claim": _claim(sla.first(n.Claim)),
        "third_party": [_link(link) for tp in sla.all(n.ThirdParty) for link in tp.all(n.Link)],
        "examples": [_example(e) for e in sla.all(n.Example)],
    }
    publish = sla.first(n.Publish)
    if publish is not None:  # optional: a policy without it is as before (v1 policies still load)
        policy["publish"] = _publish(publish)
    if sla.all(n.Locale):  # optional too: `locale en "en-GB"`, the edition's regional form
        policy["locales"] = {s.lang.value: s.value.value.replace("_", "-") for s in sla.all(n.Locale)}
    v2.add_contract_terms(sla, policy)
    tickets.contract_terms(sla, policy)
    policy["content_hash"] = content_hash(policy)
    if validate_schema:
        validate(policy)
    return policy


# ---- numbers ----------------------------------------------------------------------------------------


def seconds(duration: n.Duration) -> int | float:
    """Duration in seconds, an int when whole (300ms → 0.3 is the only place a float appears)."""
    return seconds_of_ms(duration.milliseconds)


def _opt_seconds(duration: n.Duration | None) -> int | float | None:
    return seconds(duration) if duration is not None else None


def _amount(amount: n.AnyAmount) -> dict[str, Any]:
    extended = v2.amount(amount)
    if extended is not None:
        return extended
    if isinstance(amount, n.Share):
        return {"share": decimal_str(amount.percent.value), "basis": amount.basis.value}
    assert isinstance(amount, n.Money)
    return {"money": money_str(amount.amount, amount.currency), "currency": amount.currency}


def _money(money: n.Money | None) -> dict[str, Any] | None:
    if money is None:
        return None
    return {"amount": money_str(money.amount, money.currency), "currency": money.currency}


# ---- header -----------------------------------------------------------------------------------------


def _contract(doc: n.Document, effective: n.Effective | None) -> dict[str, Any]:
    sla = doc.sla
    version = sla.first(n.Version)
    # Where each header statement is, so a report can point at it; the values stay plain scalars.
    header: Iterable[tuple[str, type[n.Node]]] = (
        ("title", n.Title),
        ("version", n.Version),
        ("effective", n.Effective),
        ("languages", n.Languages),
        ("timezone", n.Timezone),
        ("currency", n.Currency),
        ("billing", n.Billing),
        ("response_means", n.ResponseMeans),
    )
    lines = {key: stmt.span.line for key, kind in header if (stmt := sla.first(kind)) is not None}
    return {
        "id": sla.name.value,
        "version": version.value.value if version else None,
        "effective": effective.value.value.isoformat() if effective else None,
        "source": {
            # The basename only: the same contract compiled from another checkout gives the same bytes.
            "file": os.path.basename(doc.file.replace("\\", "/")),
            "sha256": hashlib.sha256(doc.source.encode("utf-8")).hexdigest(),
            "lines": len(doc.source.splitlines()),
        },
        "lines": lines,
        "line": sla.span.line,
    }


def _texts_of(stmt: n.Title | n.DisplayName | n.Features | None) -> dict[str, str] | None:
    return stmt.texts.by_lang() if stmt is not None else None


def _ident_of(stmt: n.ResponseMeans | None) -> str | None:
    return stmt.meaning.value if stmt is not None else None


def _currency(stmt: n.Currency | None) -> dict[str, Any] | None:
    if stmt is None:
        return None
    return {"code": stmt.code.value, "minor_digits": minor_digits(stmt.code.value)}


def _billing(stmt: n.Billing | None) -> str:
    # Without a `billing` statement periods are calendar months, as the evaluator semantics say.
    return stmt.period.value if stmt is not None else "monthly"


def _materialised(years: tuple[int, int] | None) -> dict[str, Any]:
    holidays_version, tzdata_version = _data_versions()
    return {
        "years": list(years) if years is not None else None,
        "holidays_version": holidays_version,
        "tzdata_version": tzdata_version,
    }


@lru_cache(maxsize=1)
def _data_versions() -> tuple[str, str | None]:
    """The holidays and tzdata versions; cached because reading package metadata costs ~0.5 ms."""
    from importlib import metadata

    import holidays

    try:
        tzdata_version: str | None = metadata.version("tzdata")
    except metadata.PackageNotFoundError:
        # Without the tzdata package zoneinfo reads the system's zone files, whose version is unknown.
        tzdata_version = None
    return holidays.__version__, tzdata_version


def _text_block(block: n.TextBlock) -> dict[str, Any]:
    out = {"id": block.name.value, "text": block.texts.by_lang(), "line": block.span.line}
    v2.exclusion(block, out)  # a clause's title, an exclusion's maintenance rule
    return out


# ---- calendars ----------------------------------------------------------------------------------------


def _calendar(cal: n.Calendar, contract_tz: str | None, years: tuple[int, int] | None) -> dict[str, Any]:
    own_tz = cal.first(n.Timezone)
    hours = sorted(
        (
            {"day": DAYS[day], "start": h.start.minutes, "end": h.end.minutes, "line": h.span.line}
            for h in cal.all(n.Hours)
            for day in h.weekdays()
        ),
        key=lambda e: (DAYS.index(e["day"]), e["start"], e["end"], e["line"]),
    )
    hol = cal.first(n.Holidays)
    holidays_out: dict[str, Any] | None = None
    if hol is not None:
        closed, workdays = _holiday_dates(hol.region.value, years) if years else ((), ())
        holidays_out = {
            "region": hol.region.value,
            "dates": list(closed),
            "workdays": list(workdays),
            "line": hol.span.line,
        }
    out = {
        "id": cal.name.value,
        "timezone": own_tz.name.value if own_tz else contract_tz,
        "hours": hours,
        "always_open": holidays_out is None and _covers_week(hours),
        "holidays": holidays_out,
        "line": cal.span.line,
    }
    name = cal.first(n.DisplayName)
    if name is not None:
        out["name"] = name.texts.by_lang()
    return out


def _covers_week(hours: list[dict[str, Any]]) -> bool:
    """True when the hours cover every minute of every day (possibly in several pieces)."""
    for day in DAYS:
        reach = 0
        for h in (h for h in hours if h["day"] == day):  # already sorted by start
            if h["start"] > reach:
                break
            reach = max(reach, h["end"])
        if reach < 1440:
            return False
    return True


@lru_cache(maxsize=64)
def _holiday_dates(region: str, years: tuple[int, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(closures, make-up working days) of a region as ISO dates for years[0]..years[1] inclusive.

    `region` is a country code, optionally with a subdivision: "CN", "US", "US-NY".
    Cached because the holidays package computes every year afresh and a warm
    compile should not pay for it again.
    """
    import holidays

    country, _, subdiv = region.partition("-")
    try:
        table = holidays.country_holidays(country, subdiv=subdiv or None, years=range(years[0], years[1] + 1))
    except NotImplementedError as exc:  # the semantic checks report this with a position first
        raise ValueError(f"holidays {region!r}: no such region in the holidays package ({exc})") from None
    closed = tuple(d.isoformat() for d in sorted(table.keys()))
    # `weekend_workdays` (make-up working days, e.g. China's adjusted weekends) may reach
    # outside the requested span and does not exist for every country.
    extra: Iterable[date] = getattr(table, "weekend_workdays", ()) or ()
    workdays = tuple(d.isoformat() for d in sorted(d for d in extra if years[0] <= d.year <= years[1]))
    return closed, workdays


# ---- service levels -------------------------------------------------------------------------------------


def _availability(av: n.Availability | None) -> dict[str, Any] | None:
    if av is None:
        return None
    window = av.first(n.Window)
    monitor = av.first(n.Monitor)
    page = av.first(n.StatusPage)
    minimum = av.first(n.MinimumOutage)
    notice = av.first(n.MaintenanceNotice)
    aim = av.first(n.Aim)
    out = {
        # `window calendar month` → "calendar_month"; calendar months are also the default.
        "window": "_".join(w.value for w in window.words) if window else "calendar_month",
        "monitor_interval_seconds": _opt_seconds(monitor.every if monitor else None),
        "status_page": page.url.value if page else None,
        "minimum_outage_seconds": _opt_seconds(minimum.duration if minimum else None),
        "maintenance_notice_seconds": _opt_seconds(notice.duration if notice else None),
        "excludes": [name.value for ex in av.all(n.Excludes) for name in ex.names],
        "aim": aim.raw if aim else None,
        "line": av.span.line,
    }
    v2.availability_terms(av, out)
    return out


def _objective(obj: n.Objective) -> dict[str, Any]:
    return {
        "id": obj.name.value,
        "name": _texts_of(obj.first(n.DisplayName)),
        "targets": [_target(t) for t in obj.all(n.Target)],
        "line": obj.span.line,
    }


def _target(target: n.Target) -> dict[str, Any]:
    if isinstance(target.threshold, n.Duration):
        threshold: dict[str, Any] = {"seconds": seconds(target.threshold)}
    else:
        threshold = {"percent": decimal_str(target.threshold.value)}
    return {
        "metric": target.metric.value,
        "threshold": threshold,
        "per": target.per.value,
        "line": target.span.line,
    }


def _channel(ch: n.Channel) -> dict[str, Any]:
    url = ch.first(n.Url)
    return {
        "id": ch.name.value,
        "name": _texts_of(ch.first(n.DisplayName)),
        "url": url.value.value if url else None,
        "line": ch.span.line,
    }


def _priority(p: n.Priority) -> dict[str, Any]:
    down = p.first(n.Downgrade)
    desc = p.first(n.Description)
    out = {
        "id": p.name.value,
        "name": _texts_of(p.first(n.DisplayName)),
        "requires_outage": p.first(n.RequiresOutage) is not None,
        "downgrade": down.target.value if down else None,
        "line": p.span.line,
    }
    if desc is not None:
        out["description"] = desc.texts.by_lang()
    return out


def _tier(tier: n.Tier, rank: int, priorities: tuple[n.Priority, ...]) -> dict[str, Any]:
    uptime = tier.first(n.Uptime)
    live = tier.first(n.Live)
    # Responses in priority declaration order (then source order), so that the table a
    # renderer draws and the order a runtime reports in do not depend on how a tier lists them.
    responds = tickets.in_priority_order(tier.all(n.Respond), priorities)
    out = {
        "id": tier.name.value,
        "rank": rank,
        "name": _texts_of(tier.first(n.DisplayName)),
        "features": _texts_of(tier.first(n.Features)),
        "support": [c.value for s in tier.all(n.Support) for c in s.channels],
        "uptime": decimal_str(uptime.value.value) if uptime else None,
        "responses": [tickets.response(r) for r in responds],
        "live": None
        if live is None
        else {
            "max_session_seconds": _opt_seconds(live.max_session),
            "calendar": live.during.value,
            "line": live.span.line,
        },
        "line": tier.span.line,
    }
    v2.tier_terms(tier, out)
    tickets.tier_terms(tier, priorities, out)
    return out


# ---- compensation ---------------------------------------------------------------------------------------


def _credit(credit: n.Credit, tiers: tuple[n.Tier, ...]) -> dict[str, Any]:
    applies = credit.first(n.Applies)
    per_miss = credit.first(n.PerMiss)
    out = {
        "id": credit.name.value,
        # Without `applies` a credit covers every tier, listed in tier order.
        "applies": [t.value for t in applies.tiers] if applies else [t.name.value for t in tiers],
        "bands": _bands(credit.all(n.Band)),
        "per_miss": None
        if per_miss is None
        else tickets.per_miss(per_miss, {"amount": _amount(per_miss.amount), "line": per_miss.span.line}),
        "line": credit.span.line,
    }
    v2.credit_terms(credit, out)
    return out


def _bands(bands: tuple[n.Band, ...]) -> list[dict[str, Any]]:
    """Bands from the highest threshold to the lowest (the worst service last).

    A `below target` band has no number until a tier is known, so it keeps the slot it
    had in the source and the numeric bands fill the other slots from highest to lowest
    (`target, 99.0, 95.0` stays as it is; `99.0, target, 95.0` keeps target second).
    The checks require bands that read this way; the policy does not guess further.
    """
    numeric = sorted((b for b in bands if b.threshold is not None), key=_band_key)
    it = iter(numeric)
    ordered = [b if b.threshold is None else next(it) for b in bands]
    out: list[dict[str, Any]] = []
    for b in ordered:
        entry = {
            "threshold": "target" if b.threshold is None else decimal_str(b.threshold.value),
            "amount": _amount(b.amount),
            "line": b.span.line,
        }
        if b.inclusive:  # `at or below`; absent means `below` (v1)
            entry["inclusive"] = True
        out.append(entry)
    return out


def _band_key(band: n.Band) -> tuple[Decimal, bool, int]:
    assert band.threshold is not None
    # Of one threshold, `at or below` (more uptimes pay it) comes before the strict `below`.
    return -band.threshold.value, not band.inclusive, band.span.line


def _cap(cap: n.Cap | None) -> dict[str, Any] | None:
    if cap is None:
        return None
    return {"amount": _amount(cap.amount), "per": cap.per.value, "line": cap.span.line}


def _payout(payout: n.Payout | None) -> dict[str, Any] | None:
    if payout is None:
        return None
    return {"form": payout.form.value, "when": payout.when.value if payout.when else None, "line": payout.span.line}


def _claim(claim: n.Claim | None) -> dict[str, Any] | None:
    if claim is None:
        return None
    via: dict[str, str] | None
    if isinstance(claim.via, n.Ident):
        via = {"channel": claim.via.value}
    elif isinstance(claim.via, n.Str):
        via = {"address": claim.via.value}
    else:
        via = None
    out = {
        # A deadline implies the claim is needed (`claim within 30d` means no claim in
        # time, no credit), so `required` is true with or without the word.
        "required": claim.required or claim.within is not None,
        "within_seconds": _opt_seconds(claim.within),
        "via": via,
        "line": claim.span.line,
    }
    v2.claim_terms(claim, out)
    return out


def _link(link: n.Link) -> dict[str, Any]:
    return {"name": link.texts.by_lang(), "url": link.url.value, "line": link.span.line}


# ---- examples ------------------------------------------------------------------------------------------


def _example(ex: n.Example) -> dict[str, Any]:
    tier = ex.first(n.ExampleTier)
    fee = ex.first(n.Fee)
    period = ex.first(n.Period)
    events: list[dict[str, Any]] = []
    for stmt in ex.body:
        if isinstance(stmt, n.Repeat):
            events.append(_event(stmt.event, stmt.count.value, stmt.span.line))
        elif isinstance(stmt, (n.Outage, n.Ticket)):
            events.append(_event(stmt, 1, stmt.span.line))
        elif (extended := v2.event(stmt, stmt.span.line)) is not None:
            events.append(extended)
    expect: dict[str, Any] = {}
    uptime = ex.first(n.ExpectUptime)
    if uptime is not None:
        raw = uptime.value.raw.rstrip("%")
        expect["uptime"] = {
            "percent": decimal_str(uptime.value.value),
            # The places written are part of the expectation: `99.79%` compares the exact
            # uptime rounded half-even to two decimals, `100%` to none.
            "decimals": len(raw.partition(".")[2]),
            "line": uptime.span.line,
        }
    credit = ex.first(n.ExpectCredit)
    if credit is not None:
        expect["credit"] = {**(_money(credit.value) or {}), "line": credit.span.line}
    breaches = ex.first(n.ExpectBreaches)
    if breaches is not None:
        expect["breaches"] = {"count": breaches.value.value, "line": breaches.span.line}
    out = {
        "title": ex.label,
        "tier": tier.tier.value if tier else None,
        "fee": _money(fee.money if fee else None),
        "period": v2.period_text(period) if period else None,
        "events": events,
        "expect": expect,
        "line": ex.span.line,
    }
    v2.example_terms(ex, out)
    tickets.expectations(ex, expect)
    return out


def _event(ev: n.Outage | n.Ticket, repeat: int, line: int) -> dict[str, Any]:
    if isinstance(ev, n.Outage):
        out = {
            "kind": "outage",
            "start": ev.start.value.isoformat(),
            "duration_seconds": seconds(ev.duration),
            "cause": ev.cause.value if ev.cause else None,
            "announced": ev.announced.value.isoformat() if ev.announced else None,
            "repeat": repeat,
            "line": line,
        }
        v2.outage_scope(ev, out)
        return out
    ticket = {
        "kind": "ticket",
        "priority": ev.priority.value,
        "opened": ev.opened.value.isoformat(),
        "responded": ev.responded.value.isoformat() if ev.responded else None,
        "outage": ev.outage,
        "cause": ev.cause.value if ev.cause else None,
        "repeat": repeat,
        "line": line,
    }
    tickets.ticket_events(ev, ticket)
    return ticket


# ---- publishing (issue 14) ---------------------------------------------------------------------


def _publish(block: n.Publish) -> dict[str, Any]:
    """Front matter for a docs site: title and slug per language (or one slug for the original
    edition), sidebar position (one for all, or per language)."""
    title = block.first(n.PublishTitle)
    slug = block.first(n.PublishSlug)
    position = block.first(n.PublishPosition)
    return {
        "title": title.texts.by_lang() if title else {},
        "slug": slug.value.value if slug and slug.value else None,
        "slugs": slug.texts.by_lang() if slug and slug.texts else {},
        "position": position.value.value if position and position.value else None,
        "positions": {p.lang.value: p.value.value for p in position.by_lang} if position else {},
        "line": block.span.line,
    }
