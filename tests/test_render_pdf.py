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
