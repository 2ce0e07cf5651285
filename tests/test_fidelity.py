"""Every term written in a contract reaches its policy: each value and each text of the AST."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import slac
from slac import nodes as n
from slac import policy as pol

from .conftest import CONTRACTS


def leaves(node: Any) -> Iterator[n.Node]:
    """Every value node and text under `node`, depth first."""
    if isinstance(node, (n.Duration, n.Percent, n.Money, n.DateLit, n.Timestamp, n.Clock, n.Int, n.Text, n.Str)):
        yield node
        return
    if isinstance(node, tuple):
        for item in node:
            yield from leaves(item)
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            yield from leaves(getattr(node, f.name))


def expected(leaf: n.Node) -> Any:
    """The form a value takes in the policy."""
    if isinstance(leaf, n.Duration):
        return pol.seconds(leaf)
    if isinstance(leaf, n.Percent):
        return pol.decimal_str(leaf.value)
    if isinstance(leaf, n.Money):
        return pol.money_str(leaf.amount, leaf.currency)
    if isinstance(leaf, n.DateLit):
        return leaf.value.isoformat()
    if isinstance(leaf, n.Timestamp):
        return leaf.value.isoformat()
    if isinstance(leaf, n.Clock):
        return leaf.minutes
    if isinstance(leaf, n.Int):
        return leaf.value
    if isinstance(leaf, (n.Text, n.Str)):
        return leaf.value
    raise AssertionError(leaf)


def scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from scalars(v)
    elif isinstance(value, list):
        for v in value:
            yield from scalars(v)
    else:
        yield value


def missing_terms(doc: n.Document, policy: dict[str, Any]) -> list[str]:
    present = {(type(v), v) for v in scalars(policy)}
    missing = []
    for leaf in leaves(doc.sla):
        want = expected(leaf)
        if (type(want), want) not in present:
            missing.append(f"line {leaf.span.line}: {type(leaf).__name__} {want!r}")
    return missing


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.name)
def test_every_value_and_text_reaches_the_policy(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    doc = slac.parse(source, file=path.name)
    missing = missing_terms(doc, slac.compile_policy(source, file=path.name))
    assert not missing, "terms missing from the policy:\n" + "\n".join(missing)


def test_a_dropped_term_is_noticed() -> None:
    # The premium high-priority target (10min) appears nowhere else in websoft9's policy.
    path = next(p for p in CONTRACTS if p.name == "websoft9.sla")
    source = path.read_text(encoding="utf-8")
    doc = slac.parse(source, file=path.name)
    policy = slac.compile_policy(source, file=path.name)
    premium = next(t for t in policy["tiers"] if t["id"] == "premium")
    premium["responses"] = [r for r in premium["responses"] if r["priority"] != "high"]
    assert missing_terms(doc, policy) == ["line 102: Duration 600"]
