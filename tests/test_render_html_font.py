"""The standalone HTML carries its own CJK font: the document's subset, WOFF2 in a data: URL, same bytes every run."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from slac import compile_policy
from slac.render import BILINGUAL, render_html
from slac.render.fonts import FONT_FAMILY, MARKS_FAMILY

from .conftest import CONTRACTS, ROOT

FACE = re.compile(r'@font-face \{ font-family: "([^"]+)"; src: url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)')
# A sensible ceiling for a contract page with its font: the bilingual Websoft9 page is ~150 KiB.
MAX_PAGE = 300 * 1024


@pytest.fixture(scope="module")
def policies() -> dict[str, dict[str, Any]]:
    return {p.stem: compile_policy(p.read_text(encoding="utf-8"), file=p.name) for p in CONTRACTS}


def _fonts(page: str) -> dict[str, TTFont]:
    return {family: TTFont(io.BytesIO(base64.b64decode(data))) for family, data in FACE.findall(page)}


class _Text(HTMLParser):
    """The characters a reader sees: text outside <style>, <script> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.chars: set[str] = set()

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.skip += tag in ("style", "script", "title")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("style", "script", "title")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.chars.update(data)


def _visible(page: str) -> set[str]:
    parser = _Text()
    parser.feed(page)
    return {c for c in parser.chars if not c.isspace()}


@pytest.mark.parametrize("contract", [p.stem for p in CONTRACTS])
@pytest.mark.parametrize("edition", ["zh", "en", BILINGUAL])
def test_embedded_serif_has_every_character_of_the_page(policies, contract: str, edition: str) -> None:
    page = render_html(policies[contract], edition)
    fonts = _fonts(page)
    assert set(fonts) == {FONT_FAMILY, MARKS_FAMILY}
    assert all(f.flavor == "woff2" for f in fonts.values())
    serif = fonts[FONT_FAMILY].getBestCmap()
    text = _visible(page)
    assert any("\u4e00" <= c <= "\u9fff" for c in text) == (edition != "en")
    missing = sorted(c for c in text if ord(c) not in serif)
    assert not missing, f"the embedded font lacks {missing}"
    # A subset, not the 30 000-glyph font: about the page's characters plus the layout glyphs.
    # The subset always carries printable ASCII (a page with little Latin text, like nimbus-cloud's
    # Chinese edition, would otherwise seem to carry too much) and the layout glyphs (about 60).
    assert len(serif) < len(set(text) | {chr(c) for c in range(32, 127)}) + 60
    assert len(page.encode()) < MAX_PAGE


def test_marks_font_maps_english_quotes_to_proportional_glyphs(policies) -> None:
    fonts = _fonts(render_html(policies["websoft9"], "en"))
    marks = fonts[MARKS_FAMILY].getBestCmap()
    serif = fonts[FONT_FAMILY]
    assert ord("“") in marks and ord("”") in marks
    # The serif's own quote is a full em wide; the marks font's is narrower.
    em = serif["head"].unitsPerEm
    assert serif["hmtx"][serif.getBestCmap()[ord("”")]][0] == em
    assert fonts[MARKS_FAMILY]["hmtx"][marks[ord("”")]][0] < em * 0.6


def test_without_embedding_the_page_has_no_data_url(policies) -> None:
    page = render_html(policies["websoft9"], "zh", embed_font=False)
    assert "data:" not in page and 'id="slac-fonts"' not in page
    assert render_html(policies["websoft9"], "zh").startswith(page.split("</style>")[0])


def test_same_contract_same_html_in_fresh_processes(tmp_path: Path) -> None:
    """Byte-identical HTML, font included, from two processes that each build the subset anew."""
    code = (
        "import hashlib, sys; from pathlib import Path; from slac import compile_policy; from slac.render import render_html; "
        "p = Path(sys.argv[1]); print(hashlib.sha256(render_html(compile_policy(p.read_text(encoding='utf-8'), "
        "file=p.name), 'bilingual').encode()).hexdigest())"
    )
    digests = set()
    for run in ("a", "b"):
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / run)}
        proc = subprocess.run(
            [sys.executable, "-c", code, str(ROOT / "contracts" / "websoft9.sla")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        assert list((tmp_path / run / "slac" / "fonts").glob("serif-woff2-*.woff2")), "the subset was built afresh"
        digests.add(proc.stdout.strip())
    page = render_html(compile_policy((ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")), BILINGUAL)
    assert digests == {hashlib.sha256(page.encode()).hexdigest()}
