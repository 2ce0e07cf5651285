"""The HTML edition in a real browser (headless Chromium): no horizontal overflow at 390 px and 1280 px, and
the embedded CJK serif is loaded and used (Chromium here has no CJK font of its own)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest

from slac import compile_policy
from slac.render import render_html

from .conftest import CONTRACTS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# In CI the browser must be there (.ci/run installs it); only a developer machine may skip.
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed")

# Headless Chromium will not make a window narrower than 500 px, so the page is laid out in an
# iframe of the phone's width (same-origin through srcdoc) and measured from the outer page.
WRAPPER = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" style="width:{width}px;height:900px;border:0" srcdoc="{page}"></iframe>
<script>
document.getElementById("f").addEventListener("load", async () => {{
  const doc = document.getElementById("f").contentDocument;
  await doc.fonts.ready;
  const root = doc.documentElement;
  document.body.setAttribute("data-probe", root.scrollWidth + "x" + root.clientWidth);
  // Each embedded face and its status. Chromium loads a face only when text on the page is set in
  // it, so "loaded" means it is used. (fonts.check() would not do: it is true when no face matches.)
  const faces = [...doc.fonts].map(f => f.family.replace(/"/g, "") + "=" + f.status).sort().join(";");
  document.body.setAttribute("data-fonts", faces);
}});
</script></body></html>"""


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None, "CI must install chromium"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("contract", [p.stem for p in CONTRACTS])
@pytest.mark.parametrize("edition", ["bilingual", "zh"])
@pytest.mark.parametrize("width", [390, 1280])
def test_no_horizontal_overflow(tmp_path: Path, contract: str, edition: str, width: int) -> None:
    path = next(p for p in CONTRACTS if p.stem == contract)
    html = render_html(compile_policy(path.read_text(encoding="utf-8"), file=path.name), edition)
    page = tmp_path / "page.html"
    page.write_text(WRAPPER.format(width=width, page=escape(html, quote=True)), encoding="utf-8")
    proc = _chromium(tmp_path, "--window-size=1400,1000", "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    match = re.search(r'data-probe="(\d+)x(\d+)"', proc.stdout)
    assert match, proc.stderr[-2000:]
    scroll, client = int(match.group(1)), int(match.group(2))
    assert width - 20 <= client <= width  # less a scrollbar, if one is drawn
    assert scroll <= client, f"{contract} {edition}: content is {scroll}px wide in a {client}px window"
    fonts = re.search(r'data-fonts="([^"]*)"', proc.stdout)
    assert fonts, proc.stderr[-2000:]
    faces = dict(face.split("=") for face in fonts.group(1).split(";"))
    # The marks font loads only where English text needs it (not in a zh-only page): lazily, never in error.
    assert faces["SLAC Serif"] == "loaded" and faces["SLAC Latin Marks"] in ("loaded", "unloaded"), faces
    if edition == "bilingual":
        assert faces["SLAC Latin Marks"] == "loaded"


def test_screenshot(tmp_path: Path) -> None:
    path = CONTRACTS[0]
    page = tmp_path / "page.html"
    page.write_text(
        render_html(compile_policy(path.read_text(encoding="utf-8"), file=path.name), "bilingual"), encoding="utf-8"
    )
    shot = tmp_path / "shot.png"
    proc = _chromium(tmp_path, "--window-size=390,2000", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), proc.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
