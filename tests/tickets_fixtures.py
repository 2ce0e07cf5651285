"""Policies with issue-12 ticket clocks for the runtime tests, built in the policy shape of format 1.2.

Until the front end compiles `resolve`, `update`, `ticket clock`, `per missed resolution|update`
and the example statements `updated`/`paused … for`/`resolved`, these fixtures compile the contract
with those lines commented out (line numbers kept) and add the keys the front end will write, with
the contract's own lines. `harbor_policy()` is harbor-desk.sla exactly as written in that shape.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

import slac
from slac.policy.codec import content_hash

from .conftest import ROOT

HARBOR = ROOT / "tests" / "cases" / "tickets" / "harbor-desk.sla"
_DURATION = {"min": 60, "h": 3600, "d": 86400}
_TERMS = ("update ", "resolve ", "pause when", "warn at", "expect missed")


def _seconds(text: str) -> int:
    m = re.fullmatch(r"(\d+)(min|h|d)", text)
    assert m, text
    return int(m.group(1)) * _DURATION[m.group(2)]


def strip_v12(source: str) -> str:
    """The contract without its issue-12 terms (each such line blanked to a comment, so lines stay)."""
    out, in_clock = [], False
    for line in source.split("\n"):
        s = line.strip()
        if s.startswith("ticket clock"):
            in_clock = True
        if in_clock or s.startswith(_TERMS) or "business_day" in s:
            out.append("#" + line)
            in_clock = in_clock and s != "}"
            continue
        line = line.replace("per missed resolution", "per missed response")
        line = line.replace("per missed update", "per missed response")
        line = re.sub(r" updated \d{4}-\S+| paused \d{4}-\S+ for \S+| resolved \d{4}-\S+", "", line)
        out.append(line)
    return "\n".join(out)


def add_v12(policy: dict[str, Any], source: str) -> dict[str, Any]:
    """The issue-12 keys of `source` added to its compiled (stripped) policy, as the front end writes them."""
    lines = source.split("\n")
    tiers = {t["id"]: t for t in policy["tiers"]}
    tier = None
    for no, line in enumerate(lines, 1):
        s = line.split("#")[0].strip()
        if m := re.match(r"tier (\w+) \{", s):
            tier = tiers[m.group(1)]
        pattern = r"(resolve|update|respond)\s+(\w+)\s+(?:within|every)\s+(\d+ business_days?|\S+)\s+during\s+(\w+)"
        if (m := re.match(pattern, s)) and (m.group(1) != "respond" or "business_day" in s):
            kind, prio, amount, cal = m.groups()
            key = {"resolve": "resolutions", "update": "updates", "respond": "responses"}[kind]
            entry: dict[str, Any] = {"priority": prio, "calendar": cal, "line": no}
            if bd := re.fullmatch(r"(\d+) business_days?", amount):
                entry["business_days"] = int(bd.group(1))
            else:
                entry["every_seconds" if kind == "update" else "within_seconds"] = _seconds(amount)
            assert tier is not None
            tier.setdefault(key, []).append(entry)
        if s.startswith("ticket clock"):
            policy["ticket_clock"] = {"line": no, "pause": [], "warn_percent": None}
        if m := re.match(r"pause when status (.+)", s):
            policy["ticket_clock"]["pause"] = m.group(1).split()
        if m := re.match(r"warn at (\d+(?:\.\d+)?)%", s):
            policy["ticket_clock"]["warn_percent"] = m.group(1)
        if m := re.match(r"per missed (resolution|update) ", s):
            credit = next(c for c in policy["credits"] if c["per_miss"] and c["per_miss"]["line"] == no)
            credit["per_miss"]["target"] = m.group(1)
    _examples(policy, lines)
    policy["format_version"] = "1.2"
    policy["content_hash"] = content_hash(policy)
    return policy


def _examples(policy: dict[str, Any], lines: list[str]) -> None:
    for ex in policy["examples"]:
        for event in ex["events"]:
            if event["kind"] != "ticket":
                continue
            text = lines[event["line"] - 1]
            if ups := re.findall(r" updated (\d{4}-\S+)", text):
                event["updates"] = [_iso(u) for u in ups]
            if ps := re.findall(r" paused (\d{4}-\S+) for (\S+)", text):
                event["pauses"] = [{"at": _iso(a), "duration_seconds": _seconds(d)} for a, d in ps]
            if r := re.search(r" resolved (\d{4}-\S+)", text):
                event["resolved"] = _iso(r.group(1))
        start, end = ex["line"], _block_end(lines, ex["line"])
        for no in range(start, end + 1):
            if m := re.match(r"\s*expect missed (resolutions|updates) (\d+)", lines[no - 1]):
                ex["expect"][f"missed_{m.group(1)}"] = {"count": int(m.group(2)), "line": no}


def _block_end(lines: list[str], start: int) -> int:
    for no in range(start, len(lines) + 1):
        if lines[no - 1].strip() == "}":
            return no
    return len(lines)


def _iso(text: str) -> str:
    return datetime.fromisoformat(text).isoformat()


def compile_v12(source: str, **options: Any) -> dict[str, Any]:
    """The policy of `source` with its issue-12 terms (examples not run: the tests run them)."""
    from slac.driver import compile_source

    compiled = compile_source(strip_v12(source), file="t.sla", examples=False, **options)
    assert compiled.policy is not None, compiled.diagnostics
    return add_v12(compiled.policy, source)


@lru_cache(maxsize=1)
def harbor_text() -> str:
    return slac.policy_json(compile_v12(HARBOR.read_text(encoding="utf-8")))
