"""The one policy loader: a path, JSON text or dict → a checked, read-only `PolicyView`.

Every consumer (the runtime, render, change, the CLI) reads a policy through `load`, so one set
of guarantees holds everywhere, each failure a `PolicyError` with its own message:

* the file: a regular file within the POLICY limit (`limits.MAX_POLICY_BYTES`), UTF-8 text;
* the JSON: an object, without NaN or Infinity, without integers of a hundred digits and more,
  nesting no deeper than a policy ever is;
* the format version: another major is refused, a newer minor loads (its unknown fields ignored);
* the shipped JSON Schema;
* the `content_hash`: a policy edited after compiling is refused as tampered;
* the references the schema cannot state (calendars, priorities, tiers, exclusions), the zones;
* when `contract=` is given, the SHA-256 of the contract source it was compiled from.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .codec import FORMAT_MAJOR, FORMAT_MINOR, content_hash, format_parts
from .schema import PolicyError, remember_valid, validate, validated_before
from .view import PolicyView

# Integers of more digits are refused before the schema (whose bounds are far lower): Python's
# int() and str() refuse 4,300 digits and more with a ValueError of their own.
_MAX_INT_DIGITS = 100
# A policy nests about eight levels deep; `[[[[…` a hundred thousand deep is refused, not recursed into.
_MAX_DEPTH = 64

Source = str | Path | Mapping[str, Any]


def load(source: Source, *, contract: str | Path | None = None) -> PolicyView:
    """A checked `PolicyView` from a path, JSON text or dict; `PolicyError` says what is wrong otherwise."""
    raw = _read(source)
    _check_values(raw)
    minor = _check_version(raw)
    lenient = minor > FORMAT_MINOR
    # JSON text whose content matches its hash, a content this schema passed before, is not validated again
    # (issue 15: ≈0.2 s of `slac evaluate`); a dict source may hold tuples the hash cannot tell from lists.
    hashed = raw.get("content_hash") == content_hash(raw)
    seen = hashed and not isinstance(source, Mapping) and validated_before(raw["content_hash"], lenient=lenient)
    if not seen:
        validate(raw, lenient=lenient)
    if not hashed:
        raise PolicyError(
            "policy content_hash does not match its content: the policy was edited after it was compiled; "
            "compile the contract again instead of editing the JSON"
        )
    if not seen and not isinstance(source, Mapping):
        remember_valid(raw["content_hash"], lenient=lenient)
    if contract is not None:
        _check_source(raw, contract)
    check_references(raw)
    _check_zones(raw)
    return PolicyView.of(raw)


# ---- reading ---------------------------------------------------------------------------------------


def _read(source: Source) -> dict[str, Any]:
    if isinstance(source, Mapping):
        # A private copy: later edits by the caller must not change what was checked.
        try:
            return copy.deepcopy(dict(source))
        except RecursionError:
            raise PolicyError("policy nested too deeply to be a policy") from None
    if isinstance(source, str) and (source.lstrip()[:1] in ("{", "[") or "\n" in source):
        return parse(source, "policy text")
    path = Path(source)
    return parse(_read_file(path), str(path))


def _read_file(path: Path) -> str:
    from .. import limits
    from ..fileio import NotRegularFile, TooLarge, read_bounded

    try:
        data = read_bounded(path, limits.MAX_POLICY_BYTES)
        return data.decode("utf-8")
    except FileNotFoundError:
        raise PolicyError(f"{path}: no such policy file") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text; a policy is the JSON `slac compile` writes") from None
    except NotRegularFile:
        raise PolicyError(f"{path}: not a regular file (a device, pipe or socket)") from None
    except TooLarge as exc:
        raise PolicyError(
            f"{path}: {exc.size / 1024**2:,.0f} MiB is too large for a policy (at most {exc.limit // 1024**2} MiB)"
        ) from None
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read: {exc.strerror or exc}") from None


def parse(text: str, where: str) -> dict[str, Any]:
    """Policy JSON text → a dict; NaN, Infinity, huge integers and absurd nesting are refused by name."""
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_int=_int, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:  # `[[[[…` a hundred thousand deep
        raise PolicyError(f"{where}: JSON nested too deeply to be a policy") from None
    except _BadNumber as exc:
        raise PolicyError(f"{where}: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{where}: a policy is a JSON object, not {type(data).__name__}")
    return data


class _BadNumber(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a number a policy can hold; compile the contract again with slac")


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise _BadNumber(f"an integer of {digits:,} digits ({text[:12]}…) is far beyond any policy value")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"the number {text[:24]} is too large to be a policy value")
    return value


def _check_values(raw: dict[str, Any]) -> None:
    """What a dict source may hold that JSON text cannot: NaN, infinities, huge integers, deep nesting."""
    stack: list[tuple[Any, str, int]] = [(raw, "$", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > _MAX_DEPTH:
            raise PolicyError(f"policy nested too deeply to be a policy (at {path[:80]})")
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    raise PolicyError(f"policy key {key!r} at {path} is not a string")
                stack.append((value, f"{path}.{key}", depth + 1))
        elif isinstance(node, (list, tuple)):
            stack.extend((value, f"{path}[{i}]", depth + 1) for i, value in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            raise PolicyError(f"{path}: {node} is not a number a policy can hold")
        elif isinstance(node, int) and node.bit_length() > _MAX_INT_DIGITS * 3.33:
            raise PolicyError(f"{path}: an integer of {_MAX_INT_DIGITS} digits or more is far beyond any policy value")


# ---- checks ----------------------------------------------------------------------------------------


def _check_version(raw: dict[str, Any]) -> int:
    """The minor version of a policy of this major format."""
    version = raw.get("format_version")
    if not isinstance(version, str):
        raise PolicyError("not a slac policy: it has no format_version; compile the contract with `slac compile`")
    parts = format_parts(version)
    if parts is None:
        raise PolicyError(f"policy format_version {version[:40]!r} is not MAJOR.MINOR")
    if parts[0] != FORMAT_MAJOR:
        raise PolicyError(
            f"policy format {version} is not supported: this slac reads format {FORMAT_MAJOR}.x; "
            "use a slac release that reads it, or compile the contract with this one"
        )
    return parts[1]


def check_references(raw: Mapping[str, Any]) -> None:
    """What the schema cannot say: names that point at something, hours in order, downgrades that end.

    The compiler guarantees all of this; a policy that breaks it was built by something else or
    edited with its hash recomputed, and evaluating it would give quietly wrong answers.
    """
    problems = [*_calendar_problems(raw), *_priority_problems(raw), *_name_problems(raw)]
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise PolicyError(f"policy is inconsistent: {shown}; compile the contract again with slac")


def _calendar_problems(raw: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
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
    return problems


def _priority_problems(raw: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    priorities = {p["id"]: p.get("downgrade") for p in raw["priorities"]}
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
    return problems


def _name_problems(raw: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    calendars = {c["id"] for c in raw["calendars"]}
    priorities = {p["id"] for p in raw["priorities"]}
    tiers = {t["id"] for t in raw["tiers"]}
    exclusions = {e["id"] for e in raw["exclusions"]}
    for tier in raw["tiers"]:
        for r in tier["responses"]:
            if r["calendar"] not in calendars:
                problems.append(f"tier `{tier['id']}` measures responses in unknown calendar `{r['calendar']}`")
            if r["priority"] not in priorities:
                problems.append(f"tier `{tier['id']}` has a target for unknown priority `{r['priority']}`")
        for kind, what in (("resolutions", "resolutions"), ("updates", "updates")):  # format 1.2
            for r in tier.get(kind, ()):
                if r["calendar"] not in calendars:
                    problems.append(f"tier `{tier['id']}` measures {what} in unknown calendar `{r['calendar']}`")
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
    return problems


def _check_zones(raw: Mapping[str, Any]) -> None:
    """Every time zone the policy names exists in this machine's tzdata (and is a zone, not a path)."""
    import zoneinfo

    names = {raw.get("timezone") or "UTC"} | {c["timezone"] for c in raw["calendars"] if c.get("timezone")}
    for name in sorted(names):
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise PolicyError(f"policy cannot be used here: {exc}") from None


def _check_source(raw: Mapping[str, Any], contract: str | Path) -> None:
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
