"""HTML → PDF with WeasyPrint: a CJK serif from a PyPI package, pre-subset, and no outside fetches.

The Noto Serif SC font (11 MB, ~30 000 glyphs) comes from the `pylopdf-fonts-zh-cn` package, so
`pip install` alone is enough. Subsetting it to the characters of the document with fontTools
before WeasyPrint sees it (cached in memory and in the user's cache directory) is what makes a PDF
take well under a second instead of WeasyPrint re-subsetting the whole font on every run.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "slac-asset:"
# Part of the cache key: bump when the subsetting options change.
_SUBSET_OPTIONS = "v4"
FONT_FAMILY = "SLAC Serif"
# The CJK font's quotes and ellipsis are full-width; English text takes their proportional forms
# from a tiny second font (see `latin_marks_font`) listed first for :lang(en) in print.css.
MARKS_FAMILY = "SLAC Latin Marks"
_GENERAL_PUNCTUATION = range(0x2000, 0x2070)
# Always in the subset: digits and signs for page numbers, which CSS generates.
_ALWAYS = frozenset(" 0123456789/.,:;-–—()%")


class BlockedFetch(ValueError):
    """A resource outside the package's own assets was asked for and refused."""


class AssetFetcher(URLFetcher):
    """Serves only the in-memory assets it was given; every other URL (http, file, data…) is refused."""

    def __init__(self, assets: dict[str, tuple[bytes, str]]) -> None:
        super().__init__(allowed_protocols=(), fail_on_errors=False)
        self.assets = assets
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        asset = self.assets.get(url)
        if asset is None:
            self.refused.append(url)
            # Nothing is opened: no socket, no file. WeasyPrint logs it and leaves the resource out.
            raise BlockedFetch(f"slac renders offline; refused to fetch {url!r}")
        body, mime = asset
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


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


def _cached(kind: str, text: str, build: Any) -> bytes:
    """`build()` memoised on disk under the font file, the options and `text`."""
    source = font_path()
    key = hashlib.sha256(f"{_SUBSET_OPTIONS}:{kind}:{source.name}:{source.stat().st_size}:{text}".encode()).hexdigest()[
        :24
    ]
    folder = _cache_dir()
    cached = folder / f"{kind}-{key}.otf" if folder else None
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


def _created() -> str:
    """The PDF's creation date: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _with_dates(html: str) -> str:
    stamp = _created()
    meta = f'<meta name="dcterms.created" content="{stamp}">\n<meta name="dcterms.modified" content="{stamp}">\n'
    return html.replace("</head>", meta + "</head>", 1)


def html_to_pdf(html: str, *, subset: bool = True, fetcher: AssetFetcher | None = None) -> bytes:
    """The PDF of a rendered HTML edition. `subset=False` hands WeasyPrint the full font (baseline)."""
    if subset:
        font = subset_font(frozenset(html))
        url = f"{ASSET_SCHEME}font/serif-{hashlib.sha256(font).hexdigest()[:16]}.otf"
    else:
        font = font_path().read_bytes()
        url = f"{ASSET_SCHEME}font/serif-full.otf"
    assets = {url: (font, "font/otf")}
    faces = f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}"); }}\n'
    marks = latin_marks_font(frozenset(html))
    if marks is not None:
        marks_url = f"{ASSET_SCHEME}font/marks-{hashlib.sha256(marks).hexdigest()[:16]}.otf"
        assets[marks_url] = (marks, "font/otf")
        faces += f'@font-face {{ font-family: "{MARKS_FAMILY}"; src: url("{marks_url}"); }}\n'
    if fetcher is None:
        fetcher = AssetFetcher(assets)
    else:
        fetcher.assets.update(assets)
    font_config = FontConfiguration()
    face = CSS(string=faces, font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=_with_dates(html), url_fetcher=fetcher, base_url=f"{ASSET_SCHEME}document/")
    return document.write_pdf(stylesheets=[face], font_config=font_config)
