"""The one policy schema validator and the one `PolicyError`.

`validate` checks a policy against the shipped JSON Schema (strictly, or leniently for a newer
minor format, whose added optional fields it ignores). jsonschema is imported inside the
functions: `import slac.policy` and runtime users of a policy must not pay for it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..fileio import ReadError

SCHEMA_ID = "urn:slac:schema:policy:1"
# Schema problems shown in a message; the rest are counted ("… and 3 more"), all kept in `problems`.
_SHOWN = 10


class PolicyError(ReadError, ValueError):
    """A policy that cannot be used: unreadable, invalid, of another format, tampered with, or of another source.

    `problems` lists (JSON path, message) pairs when the policy does not match the schema.
    """

    def __init__(self, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


def load_schema() -> dict[str, Any]:
    """The policy JSON Schema shipped with the package (a fresh copy each call)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def validate(policy: Mapping[str, Any], *, lenient: bool = False) -> None:
    """Raise `PolicyError`, naming each offending JSON path, unless `policy` matches the schema.

    `lenient` accepts fields the schema does not know (a policy of a newer minor format).
    """
    from jsonschema.exceptions import best_match

    problems: set[tuple[str, str]] = set()
    for err in validator(lenient=lenient).iter_errors(dict(policy)):
        # A `oneOf` failure (an amount, a threshold, a claim channel) says only "not valid under any of
        # the given schemas" about the whole value; best_match descends to the likeliest branch
        # so the report names the innermost path and what is wrong there.
        leaf = best_match([err]) or err
        message = leaf.message if len(leaf.message) <= 200 else leaf.message[:197] + "..."
        problems.add((leaf.json_path, message))
    if problems:
        ordered = sorted(problems)
        from ..errors import printable  # a line each: a key or value of the policy never breaks one

        lines = "\n".join(f"  {printable(path)}: {printable(message)}" for path, message in ordered[:_SHOWN])
        more = f"\n  … and {len(ordered) - _SHOWN} more" if len(ordered) > _SHOWN else ""
        raise PolicyError(f"policy does not match the policy schema:\n{lines}{more}", ordered)


def validated_before(content_hash: str, *, lenient: bool = False) -> bool:
    """Whether a policy of this content hash passed this very schema before (`remember_valid`).

    The mark is a file named by a hash of the schema's text, the strictness and the policy's
    content hash (itself a SHA-256 of the policy's canonical JSON, checked by the loader before it
    asks), so a changed schema or policy is validated again. Without a cache folder: False.
    """
    mark = _mark(content_hash, lenient)
    if mark is None:
        return False
    if mark in _KNOWN:  # seen valid in this process: no file to look at
        return True
    found = mark.is_file()
    if found:
        _KNOWN.add(mark)
    return found


def remember_valid(content_hash: str, *, lenient: bool = False) -> None:
    """Mark a policy's content hash as valid under this schema; a folder that cannot be written only costs time."""
    mark = _mark(content_hash, lenient)
    if mark is None:
        return
    _KNOWN.add(mark)  # this process does not validate it again, whether or not the mark can be written
    if mark.parent in _UNWRITABLE:
        return
    try:
        mark.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(mark, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:  # a read-only or missing home: tried once per process, not at every load
        _UNWRITABLE.add(mark.parent)


# Marks this process knows (found or written) and folders it could not write: a service that loads
# policies again and again looks at the cache folder once per policy, and a read-only folder once.
_KNOWN: set[Any] = set()
_UNWRITABLE: set[Any] = set()


def _mark(content_hash: str, lenient: bool) -> Any:
    """The mark file of a valid policy: under $SLAC_CACHE_DIR, else $XDG_CACHE_HOME/slac or ~/.cache/slac."""
    from pathlib import Path

    try:
        base = os.environ.get("SLAC_CACHE_DIR") or str(
            Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "slac"
        )
    except RuntimeError:  # no home folder
        return None
    key = hashlib.sha256(f"{_schema_text()}\0{lenient}\0{content_hash}".encode()).hexdigest()
    return Path(base) / "valid-policies" / key[:32]


@lru_cache(maxsize=1)
def _schema_text() -> str:
    from importlib import resources

    return resources.files("slac.schema").joinpath("policy.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=2)
def validator(*, lenient: bool = False) -> Any:
    """The cached validator; lenient drops every `additionalProperties: false` (newer minor formats)."""
    from jsonschema import Draft202012Validator

    schema = load_schema()
    # Validating against a copy with every local `$ref` inlined gives the same verdicts
    # at about half the cost: resolving references dominates otherwise (a test checks
    # that both copies agree).
    inlined = inline_refs(schema, schema.get("$defs", {}))
    return Draft202012Validator(_open(inlined) if lenient else inlined)


_ANNOTATIONS = frozenset({"description", "title", "$comment"})


def inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """`node` with each `{"$ref": "#/$defs/X", ...}` replaced by X itself (the schema has no cycles)."""
    if isinstance(node, list):
        return [inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: inline_refs(value, defs) for key, value in node.items() if key not in ("$ref", "$defs")}
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return out
    target = inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
    if (set(out) - _ANNOTATIONS) & set(target):
        # Sibling keywords that the target also uses apply together with it, not instead of it.
        return {**out, "allOf": [target]}
    return {**target, **out}


def _open(node: Any) -> Any:
    """A schema with every `additionalProperties: false` dropped (objects may carry newer fields)."""
    if isinstance(node, list):
        return [_open(i) for i in node]
    if not isinstance(node, dict):
        return node
    return {k: _open(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
