"""The archivable PDF (issue 14): PDF/A-3b and tagged, a running header and footer on every page,
every URL in the text layer, the policy embedded byte for byte, and `slac verify` refusing an
edited attachment, an edited text or another source. Also issue 13.15-16: tables fit the page at
any content; a character outside the embedded font is refused with the character and its place."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from pypdf.generic import DecodedStreamObject, NameObject

from slac import compile_policy
from slac.cli import main
from slac.render import BILINGUAL, RenderError, render_pdf

from .conftest import ROOT

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
POPPLER = shutil.which("pdfinfo") is not None


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`slac build` of websoft9 and acme-crm as PDF: the policy files and the PDFs it writes."""
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(
        main, ["build", str(WEBSOFT9), str(ROOT / "contracts" / "acme-crm.sla"), "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(path.read_bytes()))


@pytest.mark.parametrize("name", ["websoft9.bilingual", "websoft9.zh", "acme-crm.en"])
def test_pdf_is_pdfa3b_tagged_and_carries_its_policy_byte_for_byte(built: Path, name: str) -> None:
    pdf = built / f"{name}.pdf"
    reader = _reader(pdf)
    stem = name.split(".")[0]
    assert list(reader.attachments) == [f"{stem}.policy.json"]
    assert reader.attachments[f"{stem}.policy.json"] == [(built / f"{stem}.policy.json").read_bytes()]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert b'pdfuaid:part="1"' in xmp
    assert "/StructTreeRoot" in reader.trailer["/Root"] and "/MarkInfo" in reader.trailer["/Root"]
    if POPPLER:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), info


def test_every_page_has_the_running_header_and_footer(built: Path) -> None:
    for name, title, facts, page in (
        ("websoft9.zh", "服务等级协议", "版本 2025.1，自 2025年1月1日起生效", "第 {n} 页，共 {N} 页"),
        ("acme-crm.en", "Service Level Agreement", "Version 3.0.0, effective January 1, 2026", "Page {n} of {N}"),
    ):
        pages = _reader(built / f"{name}.pdf").pages
        assert len(pages) > 2
        for n, p in enumerate(pages, 1):
            text = p.extract_text()
            squashed = re.sub(r"\s+", "", text)
            assert re.sub(r"\s+", "", title) in squashed, (name, n)
            assert re.sub(r"\s+", "", facts) in squashed, (name, n)
            assert re.sub(r"\s+", "", page.format(n=n, N=len(pages))) in squashed, (name, n)


def test_contents_has_page_numbers_and_every_url_is_printed(built: Path) -> None:
    text = "\n".join(p.extract_text() for p in _reader(built / "websoft9.zh.pdf").pages)
    assert re.search(r"目录.*1 定义[ .]*\d", text, re.S)
    urls = re.findall(r'"(https?://[^"]+)"', WEBSOFT9.read_text(encoding="utf-8"))
    assert len(set(urls)) == 5  # the ticket portal and four distinct third-party pages (two links share one)
    squashed = re.sub(r"\s+", "", text)
    for url in urls:
        assert url in squashed, url


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["verify", *args])


def test_verify_accepts_the_document_and_its_sources(built: Path) -> None:
    pdf = str(built / "websoft9.zh.pdf")
    assert _cli(pdf).exit_code == 0
    assert _cli(pdf, str(WEBSOFT9)).exit_code == 0
    assert _cli(pdf, str(built / "websoft9.policy.json")).exit_code == 0
    other = _cli(pdf, str(ROOT / "contracts" / "acme-crm.sla"))
    assert other.exit_code == 1 and "another policy" in other.output


def _rewrite(src: Path, dst: Path, edit: Any) -> Path:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(str(src)))
    edit(writer)
    with dst.open("wb") as f:
        writer.write(f)
    return dst


def test_verify_refuses_an_edited_attachment(built: Path, tmp_path: Path) -> None:
    src = built / "websoft9.zh.pdf"
    body = _reader(src).attachments["websoft9.policy.json"][0]
    edited = body.replace(b'"within_seconds": 600', b'"within_seconds": 6000', 1)
    assert edited != body

    def edit(writer: pypdf.PdfWriter) -> None:
        names = writer._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
        spec = names[1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        stream.set_data(edited)

    result = _cli(str(_rewrite(src, tmp_path / "edited.pdf", edit)))
    assert result.exit_code == 1 and "edited" in result.output, result.output


def test_verify_refuses_an_edited_text(built: Path, tmp_path: Path) -> None:
    src = built / "websoft9.zh.pdf"

    def edit(writer: pypdf.PdfWriter) -> None:
        page = writer.pages[2]
        font = pypdf.generic.DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page["/Resources"].get_object()["/Font"].get_object()[NameObject("/Fx")] = writer._add_object(font)
        overlay = DecodedStreamObject()
        overlay.set_data(b"BT /Fx 9 Tf 72 400 Td (Response within 48 hours) Tj ET")
        page.merge_page(page)  # normalises the contents into one stream
        contents = page.get_contents()
        assert contents is not None
        contents.set_data(contents.get_data() + b"\n" + overlay.get_data())
        page.replace_contents(contents)

    result = _cli(str(_rewrite(src, tmp_path / "text.pdf", edit)))
    assert result.exit_code == 1 and "text does not match" in result.output, result.output


def test_verify_refuses_a_pdf_without_a_policy(tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    with plain.open("wb") as f:
        writer.write(f)
    result = _cli(str(plain))
    assert result.exit_code == 2 and "no single embedded policy" in result.output
    (tmp_path / "junk.pdf").write_bytes(b"not a pdf")
    assert _cli(str(tmp_path / "junk.pdf")).exit_code == 2


# -- issue 13.15: tables fit the page; 13.16: no character the font cannot draw -------------------

LONG = "Professional" * 12  # one 144-letter word, wider than any page column


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext -bbox) is not installed; .ci/run installs it")
def test_a_table_with_a_long_word_stays_inside_the_page(tmp_path: Path) -> None:
    source = WEBSOFT9.read_text(encoding="utf-8").replace('en "Standard Support"', f'en "{LONG}"', 1)
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_pdf(compile_policy(source, file="long.sla"), "en"))
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
    assert any(w == "High" for _, _, w in words)  # the column the issue saw cut off is there
    assert sum(LONG[:12] in w for _, _, w in words) >= 1  # and the long word, broken inside its cell
    outside = [(w, x1) for x0, x1, w in words if float(x1) > width or float(x0) < 0]
    assert not outside, outside[:5]


def test_a_character_outside_the_font_is_refused_with_its_place() -> None:
    source = WEBSOFT9.read_text(encoding="utf-8").replace("紧急维护", "紧急维护𠀀", 1)
    policy = compile_policy(source, file="extb.sla")
    with pytest.raises(RenderError, match=r"U\+20000 '𠀀' after “.*紧急维护”"):
        render_pdf(policy, BILINGUAL)
    result = CliRunner().invoke(main, ["render", "-", "--format", "pdf", "-o", "/nonexistent"], input=source)
    assert result.exit_code != 0 and "Traceback" not in result.output


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext -bbox) is not installed; .ci/run installs it")
@pytest.mark.parametrize(
    "name", ["websoft9.bilingual", "websoft9.zh", "websoft9.en", "acme-crm.en", "acme-crm.bilingual"]
)
def test_no_page_but_the_last_is_more_than_a_third_blank(built: Path, name: str) -> None:
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(built / f"{name}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', boxes, re.S)
    assert len(pages) > 2
    # A4 with 22 mm (62.4 pt) margins top and bottom: the body runs from 62.4 pt to height - 62.4 pt;
    # the running header and footer sit in the margins. Two thirds of the body must be used.
    margin = 22 / 25.4 * 72
    for number, (height, body) in enumerate(pages[:-1], 1):
        top, bottom = margin, float(height) - margin
        lowest = max(float(y) for y in re.findall(r'yMax="([\d.]+)"', body) if top < float(y) < bottom)
        assert lowest >= top + 2 / 3 * (bottom - top), f"{name} page {number}: text ends at {lowest:.0f} pt"
