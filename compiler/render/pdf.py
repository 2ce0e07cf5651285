"""HTML → PDF with WeasyPrint: a CJK serif from a PyPI package, pre-subset, and no outside fetches.

The font is subset to the document's characters before WeasyPrint sees it (see `fonts`), so
WeasyPrint never re-subsets the whole 11 MB font on every run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .fonts import EMBEDDED_FONTS_ID, FONT_FAMILY, MARKS_FAMILY, font_path, latin_marks_font, subset_font

__all__ = ["ASSET_SCHEME", "FONT_FAMILY", "MARKS_FAMILY", "AssetFetcher", "BlockedFetch", "font_path", "html_to_pdf"]

ASSET_SCHEME = "slac-asset:"


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


def _created() -> str:
    """The PDF's creation date: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _with_dates(html: str) -> str:
    stamp = _created()
    meta = f'<meta name="dcterms.created" content="{stamp}">\n<meta name="dcterms.modified" content="{stamp}">\n'
    return html.replace("</head>", meta + "</head>", 1)


def _without_embedded_fonts(html: str) -> str:
    """The page less its embedded-font <style> (the fetcher would refuse its data: URLs, and the
    fonts are handed to WeasyPrint below). User text is escaped, so only our element matches."""
    start = html.find(f'<style id="{EMBEDDED_FONTS_ID}">')
    if start < 0:
        return html
    end = html.index("</style>\n", start) + len("</style>\n")
    return html[:start] + html[end:]


# PDF/A-3b (archivable, may carry the policy as an associated file) and tagged for PDF/UA-1.
PDF_VARIANT = "pdf/a-3b"
_UA_ID = b' xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"'


def _declare_ua(document: Any, pdf: Any) -> None:
    """Add the PDF/UA-1 identification beside PDF/A's in the XMP metadata (WeasyPrint writes one
    variant's identification; the structure tree for UA comes from `pdf_tags`)."""
    import pydyf

    ref = pdf.catalog["Metadata"]
    number = ref.split()[0] if isinstance(ref, bytes | str) else str(ref).split()[0]
    stream = pdf.objects[int(number)]
    data = b"".join(c if isinstance(c, bytes) else str(c).encode() for c in stream.stream)
    marker = b'pdfaid:part="3"'
    if marker in data and b"pdfuaid" not in data:
        data = data.replace(marker, marker + _UA_ID, 1)
        stream.stream = [data]
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


def html_to_pdf(
    html: str,
    *,
    subset: bool = True,
    fetcher: AssetFetcher | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    """The PDF of a rendered HTML edition. `subset=False` hands WeasyPrint the full font (baseline);
    `attachment` (name, bytes) is embedded as the document's associated source file."""
    html = _without_embedded_fonts(html)
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
    attachments = []
    if attachment is not None:
        from weasyprint import Attachment

        name, body = attachment
        stamp = dt.datetime.fromisoformat(_created().replace("Z", "+00:00"))
        attachments.append(
            Attachment(
                file_obj=io.BytesIO(body),
                name=name,
                description="slac policy this document was rendered from",
                created=stamp,
                modified=stamp,
                relationship="Source",
            )
        )
    return document.write_pdf(
        stylesheets=[face],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        attachments=attachments,
        custom_metadata=True,
        finisher=_declare_ua,
    )
