"""Load a compiled policy (refusing invalid, incompatible or edited ones) and answer per-ticket questions.

`load_policy` accepts a path, JSON text or a dict and checks, each with its own message:
the format version (another major is refused; a newer minor loads, its unknown fields
ignored), the shipped JSON Schema, the `content_hash` (a policy edited after compiling
is refused as tampered) and, when `contract=` is given, the source file's SHA-256.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from .calendar import US, Calendar, from_us, to_us

FORMAT_MAJOR, FORMAT_MINOR = 1, 0
PLANNED_MAINTENANCE = "planned_maintenance"  # the exclusion the maintenance notice period applies to


class PolicyError(ValueError):
    """A policy that cannot be used: unreadable, invalid, of another format, tampered with, or of another source."""


@dataclass(frozen=True, slots=True)
class TicketStatus:
    """Where one ticket stands against its response target."""

    state: Literal["met", "breached", "open", "unmeasured"]
    effective_priority: str | None  # None: the ticket is not measured at any priority
    deadline: datetime | None
    time_left: timedelta | None  # open tickets: until the deadline
    lateness: timedelta | None  # breached tickets: past the deadline (at the response, or at as_of)


@dataclass(frozen=True, slots=True)
class Target:
    """A tier's response target for one priority."""

    within_us: int
    calendar: str
    line: int


def load_policy(source: str | Path | Mapping[str, Any], *, contract: str | Path | None = None) -> Policy:
    """A checked `Policy` from a path, JSON text or dict; `PolicyError` says what is wrong otherwise."""
    raw = _read(source)
    _check_version(raw)
    _check_schema(raw)
    from ..policy import content_hash

    recorded = raw.get("content_hash")
    if recorded != content_hash(raw):
        raise PolicyError(
            "policy content_hash does not match its content: the policy was edited after it was compiled; "
            "compile the contract again instead of editing the JSON"
        )
    if contract is not None:
        _check_source(raw, contract)
    _check_references(raw)
    import zoneinfo

    try:
        return Policy(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        # A schema-valid policy can still name a time zone this machine's tzdata lacks
        # (or a path instead of a zone, if someone recomputed the hash after editing it).
        raise PolicyError(f"policy cannot be used here: {exc}") from None


def _read(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, Mapping):
        # A private copy: later edits by the caller must not change what was checked.
        return copy.deepcopy(dict(source))
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text, where = source, "policy text"
    else:
        path = Path(source)
        try:
            _check_file(path)
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PolicyError(f"{path}: no such policy file") from None
        except UnicodeDecodeError:
            raise PolicyError(f"{path}: not UTF-8 text; a policy is the JSON `slac compile` writes") from None
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from None
        where = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:  # `[[[[…` a hundred thousand deep
        raise PolicyError(f"{where}: JSON nested too deeply to be a policy") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{where}: a policy is a JSON object, not {type(data).__name__}")
    return data


def _check_file(path: Path) -> None:
    """A regular file of at most MAX_POLICY_BYTES (`/dev/zero` would never end)."""
    import stat

    from .. import limits

    info = path.stat()
    if stat.S_ISREG(info.st_mode) and info.st_size > limits.MAX_POLICY_BYTES:
        raise PolicyError(
            f"{path}: {info.st_size / 1024**2:,.0f} MiB is too large for a policy "
            f"(at most {limits.MAX_POLICY_BYTES // 1024**2} MiB)"
        )
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise PolicyError(f"{path}: not a regular file (a device, pipe or socket)")


def _check_version(raw: dict[str, Any]) -> None:
    version = raw.get("format_version")
    if not isinstance(version, str):
        raise PolicyError("not a slac policy: it has no format_version; compile the contract with `slac compile`")
    major, _, minor = version.partition(".")
    # At most 6 digits each: a 5000-digit version once failed int() with a traceback.
    if not (major.isdigit() and minor.isdigit() and len(major) <= 6 and len(minor) <= 6):
        raise PolicyError(f"policy format_version {version[:40]!r} is not MAJOR.MINOR")
    if int(major) != FORMAT_MAJOR:
        raise PolicyError(
            f"policy format {version} is not supported: this slac reads format {FORMAT_MAJOR}.x; "
            "use a slac release that reads it, or compile the contract with this one"
        )


def _check_schema(raw: dict[str, Any]) -> None:
    minor = int(raw["format_version"].partition(".")[2])
    validator = _validator(lenient=minor > FORMAT_MINOR)
    from jsonschema.exceptions import best_match

    errors = sorted(validator.iter_errors(raw), key=lambda e: e.json_path)
    if errors:
        lines = []
        for err in errors[:10]:
            leaf = best_match([err]) or err
            lines.append(f"  {leaf.json_path}: {leaf.message[:200]}")
        more = f"\n  … and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise PolicyError("policy does not match the policy schema:\n" + "\n".join(lines) + more)


@lru_cache(maxsize=2)
def _validator(*, lenient: bool) -> Any:
    """The schema validator; lenient for a newer minor format, whose added optional fields it ignores."""
    # jsonschema is imported here so that `import slac.runtime` stays light.
    from jsonschema import Draft202012Validator

    from ..policy.build import _inline_refs, load_schema

    schema = load_schema()
    schema = _inline_refs(schema, schema.get("$defs", {}))
    if lenient:
        schema = _open(schema)
    return Draft202012Validator(schema)


def _open(node: Any) -> Any:
    """A schema with every `additionalProperties: false` dropped (objects may carry newer fields)."""
    if isinstance(node, list):
        return [_open(i) for i in node]
    if not isinstance(node, dict):
        return node
    return {k: _open(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}


def _check_references(raw: dict[str, Any]) -> None:
    """What the schema cannot say: names that point at something, hours in order, downgrades that end.

    The compiler guarantees all of this; a policy that breaks it was built by something else or
    edited with its hash recomputed, and evaluating it would give quietly wrong answers.
    """
    problems: list[str] = []
    calendars = {c["id"] for c in raw["calendars"]}
    priorities = {p["id"]: p.get("downgrade") for p in raw["priorities"]}
    tiers = {t["id"] for t in raw["tiers"]}
    exclusions = {e["id"] for e in raw["exclusions"]}
    for cal in raw["calendars"]:
        by_day: dict[str, list[tuple[int, int]]] = {}
        for h in cal["hours"]:
            if not 0 <= h["start"] < h["end"] <= 1440:
                problems.append(
                    f"calendar `{cal['id']}`: hours on {h['day']} run from minute {h['start']} to {h['end']}"
                )
            by_day.setdefault(h["day"], []).append((h["start"], h["end"]))
        for day, spans in by_day.items():
            spans.sort()
            if any(b[0] < a[1] for a, b in itertools.pairwise(spans)):
                problems.append(f"calendar `{cal['id']}`: overlapping hours on {day}")
    for pid, target in priorities.items():
        seen = {pid}
        while target is not None:
            if target not in priorities:
                problems.append(f"priority `{pid}` downgrades to unknown priority `{target}`")
                break
            if target in seen:
                problems.append(f"priority `{pid}` downgrades in a cycle")
                break
            seen.add(target)
            target = priorities[target]
    for tier in raw["tiers"]:
        for r in tier["responses"]:
            if r["calendar"] not in calendars:
                problems.append(f"tier `{tier['id']}` measures responses in unknown calendar `{r['calendar']}`")
            if r["priority"] not in priorities:
                problems.append(f"tier `{tier['id']}` has a target for unknown priority `{r['priority']}`")
        live = tier.get("live")
        if live and live.get("calendar") not in calendars:
            problems.append(f"tier `{tier['id']}` offers live sessions in unknown calendar `{live.get('calendar')}`")
    for credit in raw["credits"]:
        for name in credit["applies"]:
            if name not in tiers:
                problems.append(f"credit `{credit['id']}` applies to unknown tier `{name}`")
    for name in (raw.get("availability") or {}).get("excludes", []):
        if name not in exclusions:
            problems.append(f"availability excludes unknown exclusion `{name}`")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise PolicyError(f"policy is inconsistent: {shown}; compile the contract again with slac")


def _check_source(raw: dict[str, Any], contract: str | Path) -> None:
    from ..fileio import InputError, read_source

    try:
        text = read_source(contract)
    except InputError as exc:
        raise PolicyError(f"cannot check the policy against its contract: {exc}") from None
    actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
    source = raw["contract"]["source"]
    if actual != source["sha256"]:
        raise PolicyError(
            f"policy was compiled from a different source than {contract}: it records {source['file']} with "
            f"SHA-256 {source['sha256'][:12]}…, the file has {actual[:12]}…; compile the contract again"
        )


class Policy:
    """A loaded policy: the raw dict plus lookups for evaluation (built once)."""

    def __init__(self, raw: dict[str, Any]):
        import zoneinfo

        self.raw = raw
        self.hash: str = raw["content_hash"]
        self.zone_name: str = raw["timezone"] or "UTC"
        self.zone = zoneinfo.ZoneInfo(self.zone_name)
        currency = raw["currency"] or {"code": "XXX", "minor_digits": 2}
        self.currency: str = currency["code"]
        self.minor_digits: int = currency["minor_digits"]
        years = raw["materialised"]["years"]
        self.years: tuple[int, int] | None = (years[0], years[1]) if years else None
        self.calendars = {c["id"]: Calendar(c, self.years) for c in raw["calendars"]}
        self.priorities: dict[str, dict[str, Any]] = {p["id"]: p for p in raw["priorities"]}
        self.tiers: dict[str, dict[str, Any]] = {t["id"]: t for t in raw["tiers"]}
        self.targets: dict[tuple[str, str], Target] = {
            (t["id"], r["priority"]): Target(_us(r["within_seconds"]), r["calendar"], r["line"])
            for t in raw["tiers"]
            for r in t["responses"]
        }
        self.exclusions = [e["id"] for e in raw["exclusions"]]
        av = raw["availability"]
        # Without an availability block every declared exclusion keeps downtime from counting.
        self.downtime_excludes = frozenset(av["excludes"] if av else self.exclusions)
        self.minimum_outage_us = _us(av["minimum_outage_seconds"]) if av and av["minimum_outage_seconds"] else 0
        notice = av["maintenance_notice_seconds"] if av else None
        self.maintenance_notice_us: int | None = _us(notice) if notice is not None else None
        self.uptime_decimals = _display_decimals(raw)
        self.credit_rules: Any = None  # credits.Rules, compiled on first use
        self._effective: dict[tuple[str, bool], str | None] = {}
        self._answers: dict[tuple[str, str, bool], tuple[Target, str] | None] = {}

    # ---- priorities and targets -----------------------------------------------------------------

    def effective_priority(self, priority: str, outage: bool) -> str | None:
        """The priority a ticket is measured at: down the `downgrade` chain while `requires outage` is unmet."""
        key = (priority, outage)
        if key in self._effective:
            return self._effective[key]
        if priority not in self.priorities:
            raise ValueError(f"unknown priority {priority!r}; the policy has {', '.join(self.priorities)}")
        current: str | None = priority
        seen: set[str] = set()
        while current is not None and self.priorities[current]["requires_outage"] and not outage:
            if current in seen:  # the checks refuse downgrade cycles; a hand-made policy could still have one
                current = None
                break
            seen.add(current)
            current = self.priorities[current]["downgrade"]
        self._effective[key] = current
        return current

    def target(self, tier: str, priority: str, outage: bool) -> tuple[Target, str] | None:
        """(target, effective priority) for a ticket, or None when the tier does not measure it."""
        key = (tier, priority, outage)
        try:
            return self._answers[key]
        except KeyError:
            pass
        if tier not in self.tiers:
            raise ValueError(f"unknown tier {tier!r}; the policy has {', '.join(self.tiers)}")
        effective = self.effective_priority(priority, outage)
        target = self.targets.get((tier, effective)) if effective is not None else None
        answer = (target, effective) if target is not None and effective is not None else None
        self._answers[key] = answer
        return answer

    # ---- per-ticket API -------------------------------------------------------------------------

    def response_deadline(
        self, tier: str, priority: str, opened_at: datetime, *, outage: bool = False
    ) -> datetime | None:
        """When the first response is due (in `opened_at`'s zone), or None when the tier does not measure it."""
        found = self.target(tier, priority, outage)
        if found is None:
            return None
        target = found[0]
        due = self.calendars[target.calendar].deadline(to_us(opened_at), target.within_us)
        return from_us(due, opened_at.tzinfo)

    def ticket_status(
        self,
        tier: str,
        priority: str,
        opened_at: datetime,
        responded_at: datetime | None = None,
        *,
        outage: bool = False,
        as_of: datetime | None = None,
    ) -> TicketStatus:
        """Met, breached, open (with time left) or unmeasured; `as_of` defaults to now."""
        found = self.target(tier, priority, outage)
        if found is None:
            return TicketStatus("unmeasured", self.effective_priority(priority, outage), None, None, None)
        effective = found[1]
        deadline = self.response_deadline(tier, priority, opened_at, outage=outage)
        assert deadline is not None
        if responded_at is not None:
            if to_us(responded_at) < to_us(opened_at):
                raise ValueError("the response is before the opening")
            if responded_at <= deadline:
                return TicketStatus("met", effective, deadline, None, None)
            return TicketStatus("breached", effective, deadline, None, responded_at - deadline)
        now = as_of if as_of is not None else datetime.now(UTC)
        to_us(now)  # refuses a naive as_of
        if deadline < now:
            return TicketStatus("breached", effective, deadline, None, now - deadline)
        return TicketStatus("open", effective, deadline, deadline - now, None)


def _us(seconds: int | float) -> int:
    """Seconds from the policy (an int, or a float only for millisecond durations) as whole µs."""
    if isinstance(seconds, int):
        return seconds * US
    return round(Decimal(repr(seconds)) * US)


def _display_decimals(raw: dict[str, Any]) -> int:
    """Decimals to show uptime with: as many as the contract writes in any uptime or band threshold, at least 2."""
    texts = [t["uptime"] for t in raw["tiers"] if t["uptime"]]
    texts += [b["threshold"] for c in raw["credits"] for b in c["bands"] if b["threshold"] != "target"]
    return max([2] + [len(t.partition(".")[2]) for t in texts])
