"""The CJK serif font: the shipped Noto Serif SC, subset to a document's characters (PDF and HTML).

The Noto Serif SC font (11 MB, ~30 000 glyphs) comes from the `pylopdf-fonts-zh-cn` package, so
`pip install` alone is enough. Subsetting it to the characters of the document with fontTools
(cached in memory and in the user's cache directory) is what makes a PDF take well under a second
and lets the standalone HTML carry its own font in a `data:` URL. fontTools loads only when a
subset is built; WeasyPrint never loads here.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
from pathlib import Path
from typing import Any

# Part of the cache key: bump when the subsetting options change.
_SUBSET_OPTIONS = "v5"
# The <style> element of the HTML edition that carries the embedded fonts.
EMBEDDED_FONTS_ID = "slac-fonts"
FONT_FAMILY = "SLAC Serif"
# The CJK font's quotes and ellipsis are full-width; English text takes their proportional forms
# from a tiny second font (see `latin_marks_font`) listed first for :lang(en) in print.css.
MARKS_FAMILY = "SLAC Latin Marks"
_GENERAL_PUNCTUATION = range(0x2000, 0x2070)
_SPACES = (0x20, 0xA0)
# Always in the subset: digits and signs for page numbers, which CSS generates.
_ALWAYS = frozenset(" 0123456789/.,:;-–—()%")


def font_path() -> Path:
    """The full Noto Serif SC font shipped by the font package."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.serif_path())


def _cache_dir() -> Path | None:
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = base / "slac" / "fonts"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (OSError, RuntimeError):
        return None
    return folder


def _cached(kind: str, text: str, build: Any, suffix: str = ".otf") -> bytes:
    """`build()` memoised on disk under the font file, the options and `text`."""
    source = font_path()
    key = hashlib.sha256(f"{_SUBSET_OPTIONS}:{kind}:{source.name}:{source.stat().st_size}:{text}".encode()).hexdigest()[
        :24
    ]
    folder = _cache_dir()
    cached = folder / f"{kind}-{key}{suffix}" if folder else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    data: bytes = build()
    if cached is not None:
        from ..fileio import atomic_write

        try:
            atomic_write(cached, data)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return data


@functools.cache
def font_glyphs() -> frozenset[int]:
    """The code points the shipped serif can draw."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.lru_cache(maxsize=32)
def subset_font(chars: frozenset[str]) -> bytes:
    """The font reduced to `chars` (plus page-number characters); memoised and cached on disk."""
    text = "".join(sorted(chars | _ALWAYS))

    def build() -> bytes:
        from fontTools import subset

        options = subset.Options()
        options.name_IDs = ["*"]  # keep the family name and the OFL notice
        options.notdef_outline = True
        font = subset.load_font(str(font_path()), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
        return out.getvalue()

    return _cached("serif", text, build)


@functools.lru_cache(maxsize=32)
def latin_marks_font(chars: frozenset[str]) -> bytes | None:
    """A font of the proportional (`pwid`) forms of the document's quotes, dashes and ellipsis.

    Asking WeasyPrint for the `pwid` feature on English text instead costs about as much time
    as the rest of the layout, so the substitution is done once here, in the font itself.
    """
    marks = "".join(sorted(c for c in chars if ord(c) in _GENERAL_PUNCTUATION))
    if not marks:
        return None

    def build() -> bytes:
        from fontTools import subset

        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.layout_features = []
        font = subset.load_font(str(font_path()), options)
        forms = _proportional_forms(font)
        mapping = {ord(c): forms[ord(c)] for c in marks if ord(c) in forms}
        # The spaces too, as the serif draws them: Pango keeps a space in the run of the mark
        # before it, and a font without one drew a box between ” and the next word.
        cmap = font.getBestCmap()
        mapping.update({cp: cmap[cp] for cp in _SPACES if cp in cmap})
        subsetter = subset.Subsetter(options)
        subsetter.populate(glyphs=sorted(set(mapping.values())))
        subsetter.subset(font)
        from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

        # The subsetter dropped the code points (they pointed at the full-width glyphs): map them
        # to the proportional glyphs in a fresh Windows Unicode BMP table.
        table = CmapSubtable.newSubtable(4)
        table.platformID, table.platEncID, table.language = 3, 1, 0
        table.cmap = dict(mapping)
        font["cmap"].tables = [table]
        out = io.BytesIO()
        subset.save_font(font, out, options)
        return out.getvalue()

    return _cached("marks", marks, build)


def _proportional_forms(font: Any) -> dict[int, str]:
    """Code point → glyph of its `pwid` (proportional width) form, for general punctuation."""
    gsub = font["GSUB"].table
    lookups = {
        i for rec in gsub.FeatureList.FeatureRecord if rec.FeatureTag == "pwid" for i in rec.Feature.LookupListIndex
    }
    substitutes: dict[str, str] = {}
    for index in sorted(lookups):
        lookup = gsub.LookupList.Lookup[index]
        for table in lookup.SubTable:
            table = table.ExtSubTable if lookup.LookupType == 7 else table
            substitutes.update(getattr(table, "mapping", {}))
    return {
        cp: substitutes[g] for cp, g in font.getBestCmap().items() if cp in _GENERAL_PUNCTUATION and g in substitutes
    }


def _woff2(kind: str, text: str, otf: bytes) -> bytes:
    """`otf` as WOFF2 (Brotli; ~half the size), cached like the subset it is made from."""

    def build() -> bytes:
        from fontTools.ttLib import TTFont

        # recalcTimestamp=False keeps head.modified as the subset has it: same input, same bytes.
        font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
        font.flavor = "woff2"
        out = io.BytesIO()
        font.save(out, reorderTables=False)
        return out.getvalue()

    return _cached(f"{kind}-woff2", text, build, suffix=".woff2")


def _data_url(font: bytes) -> str:
    return "data:font/woff2;base64," + base64.b64encode(font).decode("ascii")


def embedded_faces(text: str) -> str:
    """`@font-face` rules carrying the document's subset of the serif (and the Latin marks) as
    WOFF2 `data:` URLs, so a standalone page shows its Chinese without any font installed."""
    chars = frozenset(text)
    serif = _woff2("serif", "".join(sorted(chars | _ALWAYS)), subset_font(chars))
    rules = [f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url({_data_url(serif)}) format("woff2"); }}']
    marks = latin_marks_font(chars)
    if marks is not None:
        text_marks = "".join(sorted(c for c in chars if ord(c) in _GENERAL_PUNCTUATION))
        rules.append(
            f'@font-face {{ font-family: "{MARKS_FAMILY}"; src: url({_data_url(_woff2("marks", text_marks, marks))}) '
            'format("woff2"); }'
        )
    return "\n".join(rules) + "\n"
