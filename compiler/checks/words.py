"""Words too long for a line of the document (E0216): the PDF's time grows with them.

A word that does not fit a line is broken character by character when the PDF is laid out, and
each break costs a new shaping of the line: twelve 19,000-character words took 80 s to render,
and even 100-character words cost 12 ms each (a 256 KiB contract of them, half a minute per
edition). Runs of characters without a break opportunity (a space, a hyphen or dash, or a CJK
character, after which lines may always break) are therefore limited in every text and address
of the contract: one run to `limits.MAX_UNBROKEN_CHARS`, and all runs longer than
`limits.LONG_RUN_CHARS` together to `limits.MAX_LONG_RUN_CHARS`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from .. import limits
from .. import nodes as n
from ..errors import Diagnostic, error
from .context import Context

# Characters after or before which a line can break: white space, hyphens and dashes, and the
# CJK ranges (ideographs, kana, hangul, full-width forms, the supplementary ideograph planes).
_BREAKS = "\\s\\-\u2010-\u2015\u2e80-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
_LONG_RUN = re.compile(f"[^{_BREAKS}]{{{limits.LONG_RUN_CHARS + 1},}}")


def check(ctx: Context) -> Iterator[Diagnostic]:
    total = 0
    for node, value in _texts(ctx.sla):
        for m in _LONG_RUN.finditer(value):
            length = m.end() - m.start()
            if length > limits.MAX_UNBROKEN_CHARS:
                yield error(
                    "E0216",
                    f"a word of {length:,} characters without a space ({_preview(m.group())})",
                    node.span,
                    f"a line of the document holds about 80 characters; at most {limits.MAX_UNBROKEN_CHARS} "
                    "are allowed without a space or hyphen: add spaces, or shorten it",
                )
                return
            total += length
            if total > limits.MAX_LONG_RUN_CHARS:
                yield error(
                    "E0216",
                    f"the texts hold more than {limits.MAX_LONG_RUN_CHARS:,} characters in words of over "
                    f"{limits.LONG_RUN_CHARS} characters ({_preview(m.group())} is one)",
                    node.span,
                    "each such word is broken letter by letter when the PDF is laid out; add spaces or hyphens",
                )
                return


def _texts(node: object) -> Iterator[tuple[n.Node, str]]:
    """Every text (`Str`, `Text`) under `node`, with its node, in source order."""
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (n.Str, n.Text)):
            yield item, item.value
        elif isinstance(item, n.Node):
            stack.extend(reversed([getattr(item, f.name) for f in dataclasses.fields(item)]))
        elif isinstance(item, (tuple, list)):
            stack.extend(reversed(item))


def _preview(word: str) -> str:
    return f"`{word[:20]}…{word[-8:]}`"
