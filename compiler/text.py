"""Text helpers shared by the front end, the renderers and the changelog (a leaf: stdlib only).

Character classes of what a contract must not hide (bidi controls, control and invisible
characters), display width in terminal columns, and Markdown escaping of user text.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode bidirectional embedding, override and isolate controls ("Trojan Source", CVE-2021-42574).
BIDI = "\u202a-\u202e\u2066-\u2069"
# Controls other than tab and newline, lone surrogates, line / paragraph separators, non-characters.
FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufffe\uffff"
# Invisible format characters (Unicode category Cf, less the bidi controls above).
INVISIBLE = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u2060-\u2064\u206a-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
# What a terminal excerpt must not print as it is: it would reorder the line, move the caret or
# send escape sequences to the terminal.
UNSHOWABLE = re.compile(f"[{BIDI}{FORBIDDEN}{INVISIBLE}\r]")

# ASCII punctuation that starts Markdown markup anywhere in a line (CommonMark defines a backslash
# escape for all ASCII punctuation, so escaping never changes how the text reads).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")


def is_wide(ch: str) -> bool:
    """Whether a character takes two terminal columns (CJK and other East Asian wide or full-width)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal or editor: wide (CJK) characters take two."""
    return sum(2 if is_wide(ch) else 1 for ch in text)


def showable(line: str) -> str:
    """A source line safe to print in a terminal: unshowable characters as U+FFFD, tabs as spaces."""
    return UNSHOWABLE.sub("\ufffd", line.replace("\t", " "))


def md_inert(text: str) -> str:
    """User text made inert in Markdown (and in a table cell): specials backslash-escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
