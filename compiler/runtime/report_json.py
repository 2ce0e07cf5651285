"""The JSON report written in pieces: together `orjson.dumps(report, OPT_INDENT_2 | OPT_APPEND_NEWLINE)`.

Here (not in slac.render, whose package loads Jinja2 and the document model) so that `slac evaluate`
writing JSON imports nothing of the renderer; `render.report.json_chunks` is this function.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

CHUNK = 1 << 20  # bytes gathered before a piece is handed to the writer (fewer, larger writes)
CUSTOMER_INDENT = "    "  # the depth of a customer's keys: an item of the top-level `customers` list
_HOLE = b"\x00"  # where a fragment goes: orjson writes no raw NUL byte (it escapes one in a string)


def json_chunks(report: Mapping[str, Any]) -> Iterator[bytes]:
    """The JSON report in pieces of about `CHUNK` bytes, so that a report of a million tickets is
    written as it is made instead of held as 100 MB of text.

    A value with a `json_fragment(indent)` (`runtime.breaches.BreachRun`) is written as that text,
    which it indents for the depth it is at; the rest is orjson's.
    """
    pending: list[bytes] = []
    size = 0
    for piece in _pieces(report):
        pending.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def _pieces(report: Mapping[str, Any]) -> Iterator[bytes]:
    import orjson  # the stdlib encoder takes ~15 s to indent a million-ticket report; orjson < 1 s

    if not report:
        yield b"{}\n"
        return
    for k, (key, value) in enumerate(report.items()):
        head = (b"{\n  " if k == 0 else b",\n  ") + orjson.dumps(key) + b": "
        if key == "customers" and isinstance(value, list) and value:
            yield head + b"["
            for i, customer in enumerate(value):
                yield b"\n    " if i == 0 else b",\n    "
                yield from _indented(customer, CUSTOMER_INDENT)
            yield b"\n  ]"
        else:
            yield head
            yield from _indented(value, "  ")
    yield b"\n}\n"


def _indented(value: Any, indent: str) -> Iterator[bytes]:
    """orjson's text of `value` (indent 2), every line after the first `indent` deeper; fragments spliced in."""
    import orjson

    found: list[Any] = []

    def hole(item: Any) -> Any:
        if getattr(item, "json_fragment", None) is None:
            raise TypeError(f"Type is not JSON serializable: {type(item).__name__}")
        found.append(item)
        return orjson.Fragment(_HOLE)

    text = orjson.dumps(value, option=orjson.OPT_INDENT_2, default=hole).replace(b"\n", b"\n" + indent.encode())
    if not found:
        yield text
        return
    parts = text.split(_HOLE)
    yield parts[0]
    for item, part in zip(found, parts[1:], strict=True):
        yield item.json_fragment(indent)
        yield part
