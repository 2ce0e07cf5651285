"""PDF: text a reader can extract in both languages, an embedded subset CJK font, reproducible
bytes under SOURCE_DATE_EPOCH, and no fetch outside the package's own assets."""

from __future__ import annotations

import io
import re
import socket
from pathlib import Path
from typing import Any

import pypdf
import pytest
from fontTools.ttLib import TTFont

from slac import compile_policy
from slac.render import BILINGUAL, render_html, render_pdf
from slac.render.pdf import AssetFetcher, html_to_pdf

from .conftest import ROOT
from .test_render import hostile_source

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"


@pytest.fixture(scope="module")
def policy() -> dict[str, Any]:
    return compile_policy(WEBSOFT9.read_text(encoding="utf-8"), file="websoft9.sla")


@pytest.fixture(scope="module")
def bilingual_pdf(policy) -> bytes:
    return render_pdf(policy, BILINGUAL)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_text_has_both_languages_and_the_response_table(bilingual_pdf) -> None:
    text = _text(bilingual_pdf)
    assert "服务等级协议" in text and "Service Level Agreement" in text
    assert "标准支持 12 小时 3 小时" in text
    assert "尊享支持 2 小时 10 分钟" in text
    assert "Standard Support 12 hours 3 hours" in text
    assert "Premium Support 2 hours 10 minutes" in text


def _fonts(pdf: bytes) -> list[dict[str, Any]]:
    fonts = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            stream = next(
                descriptor[k].get_object() for k in ("/FontFile3", "/FontFile2", "/FontFile") if k in descriptor
            )
            fonts[str(font["/BaseFont"])] = {"size": len(stream.get_data())}
    return [{"name": name, **info} for name, info in fonts.items()]


def test_the_cjk_font_is_embedded_and_subset(bilingual_pdf) -> None:
    fonts = _fonts(bilingual_pdf)
    serif = [f for f in fonts if "SLAC-" in f["name"]]
    assert serif, fonts
    for font in serif:
        assert re.match(r"^/?[A-Z]{6}\+", font["name"]), font  # the PDF subset-tag convention
        assert font["size"] < 500_000, font  # the full font is 11 MB
    # Every glyph of the document comes from the shipped font, none from whatever the system has.
    assert all("SLAC-" in f["name"] for f in fonts), fonts


def test_pdf_is_byte_identical_with_source_date_epoch(policy, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    first = render_pdf(policy, "zh")
    second = render_pdf(policy, "zh")
    assert first == second
    info = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert info is not None and info["/CreationDate"].startswith("D:20250101000000")


class _Listener:
    """A local TCP listener that records whether anything connected."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    server = _Listener()
    yield server
    server.close()


def test_fetcher_refuses_network_and_files_even_in_raw_html(listener, tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "TOPSECRET" }', encoding="utf-8")
    web = f"http://127.0.0.1:{listener.port}/"
    html = f"""<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{secret.as_uri()}">
<link rel="stylesheet" href="{web}style.css">
<style>p {{ background: url("{web}bg.png") }}</style>
</head><body><p>x</p><img src="{web}img.png"><img src="file:///etc/passwd"></body></html>"""
    fetcher = AssetFetcher({})
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert listener.connections() == 0
    assert "TOPSECRET" not in _text(pdf)
    refused = set(fetcher.refused)
    assert {secret.as_uri(), f"{web}style.css", f"{web}img.png", "file:///etc/passwd"} <= refused


def test_contract_text_with_urls_causes_no_fetch(listener) -> None:
    source = hostile_source(f'<img src="http://127.0.0.1:{listener.port}/"> <img src="file:///etc/passwd">')
    hostile = compile_policy(source, file="hostile.sla")
    html = render_html(hostile, "zh")
    assert f"http://127.0.0.1:{listener.port}/" in html  # printed as text…
    fetcher = AssetFetcher({})
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert listener.connections() == 0  # …and never requested
    assert fetcher.refused == []  # escaped text is not even an element that could ask
    assert f"127.0.0.1:{listener.port}" in _text(pdf)


def test_pdf_is_byte_identical_across_processes_and_font_caches(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    outputs = []
    for run in ("a", "b"):
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1735689600", "XDG_CACHE_HOME": str(tmp_path / f"cache-{run}")}
        out = tmp_path / run
        subprocess.run(
            [sys.executable, "-m", "slac", "render", str(WEBSOFT9), "--lang", "en", "--format", "pdf", "-o", str(out)],
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append((out / "websoft9.en.pdf").read_bytes())
    assert outputs[0] == outputs[1]


def _glyph_count(font: Any) -> int:
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    stream = next(descriptor[k].get_object() for k in ("/FontFile3", "/FontFile2") if k in descriptor)
    return len(TTFont(io.BytesIO(stream.get_data())).getGlyphOrder())


def _missing_glyphs(pdf: bytes) -> list[str]:
    """Every drawn glyph a reader sees as a box: glyph 0 (.notdef) or a glyph the embedded font does
    not have. WeasyPrint writes CID-keyed fonts with two-byte codes and CID = glyph id."""
    found = []
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, 1):
        content = pypdf.generic.ContentStream(page.get_contents(), reader)
        fonts = page["/Resources"]["/Font"]
        font: Any = None
        for operands, operator in content.operations:
            if operator == b"Tf":
                font = fonts[operands[0]].get_object()
                assert font["/Subtype"] == "/Type0" and font["/DescendantFonts"][0]["/CIDToGIDMap"] == "/Identity"
                count = _glyph_count(font)
            elif operator in (b"Tj", b"TJ"):
                strings = operands[0] if operator == b"TJ" else [operands[0]]
                data = b"".join(s.original_bytes for s in strings if hasattr(s, "original_bytes"))
                cids = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
                bad = [c for c in cids if c == 0 or c >= count]
                if bad:
                    found.append(f"page {number}, {font['/BaseFont']} ({count} glyphs): draws {bad}")
    return found


@pytest.mark.parametrize("edition", ["zh", "en", BILINGUAL])
def test_pdf_draws_no_missing_glyph_boxes(policy, edition: str) -> None:
    # Earlier, the space after a closing quote in English came from the Latin-marks font, which
    # has no space: a box between ” and the next word.
    assert _missing_glyphs(render_pdf(policy, edition)) == []


def test_acme_pdf_draws_no_missing_glyph_boxes() -> None:
    path = ROOT / "contracts" / "acme-crm.sla"
    acme = compile_policy(path.read_text(encoding="utf-8"), file=path.name)
    assert _missing_glyphs(render_pdf(acme, "en")) == []


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _page_of(pages: list[str], text: str) -> int:
    [index] = [i for i, page in enumerate(pages) if text in page]
    return index


def test_pdf_keeps_headings_intros_and_short_tables_with_what_follows(bilingual_pdf) -> None:
    # Earlier, "3.5 实时沟通" and its "…按以下规定提供：" ended a page whose table began the next,
    # and acme's uptime table was cut after its second row.
    pages = _pages(bilingual_pdf)
    assert _page_of(pages, "实时沟通 / Live communication") == _page_of(pages, "尊享支持 不限时长")
    path = ROOT / "contracts" / "acme-crm.sla"
    acme = _pages(render_pdf(compile_policy(path.read_text(encoding="utf-8"), file=path.name), "en"))
    assert (
        _page_of(acme, "commits to the following monthly uptime")
        == _page_of(acme, "Free 99.5%")
        == _page_of(acme, "Enterprise 99.99%")
    )
