"""Escaping user text for Markdown (CommonMark/MDX) and safe link targets for every format."""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup

from .doc import Block, DocLink, Items, Para, Table

# ASCII punctuation that starts markup anywhere in a CommonMark or MDX line. Every character is
# escaped with a backslash, which CommonMark defines for all ASCII punctuation, so the text reads
# the same after rendering. `{ }` and `< >` are JSX in Docusaurus MDX; `|` splits table cells;
# `&` would start an entity; `$` starts math in common plugins.
_INLINE = re.compile(r"([\\`*_\[\]<>|{}~&$!])")
# Only meaningful at the start of a line (or of a list item, or of a table cell): headings,
# quotes, list markers, thematic breaks (`---`), setext underlines, admonitions, ordered lists.
_LEADING = re.compile(r"^(\s*)([#>\-+=:]|\d{1,9}(?=[.)](?:\s|$)))")
_SAFE_SCHEMES = ("https://", "http://", "mailto:")


def md_escape(text: str) -> Markup:
    """User or catalogue text as Markdown that renders back to exactly this text."""
    one_line = " ".join(str(text).split("\n"))
    escaped = _INLINE.sub(r"\\\1", one_line)
    return Markup(_LEADING.sub(_escape_leading, escaped))


def _escape_leading(match: re.Match[str]) -> str:
    space, mark = match.group(1), match.group(2)
    # `1.` becomes `1\.`: the digits stay, the list delimiter is escaped.
    return f"{space}{mark}\\" if mark.isdigit() else f"{space}\\{mark}"


_ANCHOR = re.compile(r"#[a-z0-9-]+")


def safe_url(url: str) -> str | None:
    """The URL if it is a web or mail address, percent-encoded where Markdown/HTML would misread it,
    or one of the document's own anchors (`#planned-maintenance`, a cross-reference)."""
    if _ANCHOR.fullmatch(url):
        return url
    if not url.lower().startswith(_SAFE_SCHEMES):
        return None  # javascript:, data:, file: and relative paths are never made into links
    return quote(url, safe="/:?#[]@!$&'*+,;=%~-._")  # ( ) < > " space and non-ASCII are encoded


def md_inline(para: Para) -> Markup:
    out = []
    for part in para.parts:
        if isinstance(part, DocLink):
            url = safe_url(part.url)
            text = md_escape(part.text)
            # safe_url percent-encodes spaces, parentheses and angle brackets, so the plain
            # `(url)` destination cannot end early (and needs no `<…>`, which MDX reads as JSX).
            out.append(f"[{text}]({url})" if url else str(text))
        else:
            out.append(str(md_escape(part)))
    return Markup("".join(out))


def md_block(block: Block) -> Markup:
    if isinstance(block, Para):
        return md_inline(block)
    if isinstance(block, Items):
        return Markup("\n".join(f"- {md_inline(item)}" for item in block.items))
    assert isinstance(block, Table)
    lines = [
        "| " + " | ".join(str(md_escape(h)) for h in block.head) + " |",
        "|" + "|".join(" --- " for _ in block.head) + "|",
    ]
    lines += ["| " + " | ".join(str(md_inline(cell)) for cell in row) + " |" for row in block.rows]
    return Markup("\n".join(lines))
