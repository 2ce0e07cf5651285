"""The language server's answers without the protocol: hover in both languages, names, completion."""

from __future__ import annotations

from pathlib import Path

from slac.lsp.analysis import Analysis, completions, enclosing_block
from slac.lsp.hover import MEANINGS, hover

ROOT = Path(__file__).resolve().parent.parent
W9 = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> tuple[int, int]:
    for i, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


def test_hover_in_chinese_and_english() -> None:
    analysis = Analysis.of(W9, "websoft9.sla")
    line, col = line_of(W9, "respond high   within 3h  during always")
    en = hover(analysis, line, col, "en")
    zh = hover(analysis, line, col, "zh-cn")
    # 3h = 3 × 3600 s = 10800 s, counted in the `always` calendar.
    assert en is not None and "3h → 10800 s of open time in `always`" in en
    assert zh is not None and "3h → `always` 中 10800 秒的服务时间" in zh and "响应时限" in zh


def test_hover_on_a_name_counts_its_uses() -> None:
    analysis = Analysis.of(W9, "websoft9.sla")
    line, col = line_of(W9, "during business")
    text = hover(analysis, line, col + len("during "), "en")
    uses = W9.count("during business")  # every use of the calendar is `during business` in this contract
    assert text is not None and f"calendar `business`, declared on line {line_of(W9, 'calendar business')[0]}" in text
    assert f"used {uses} times" in text


def test_every_statement_class_has_a_meaning_in_both_languages() -> None:
    for cls, (en, zh) in MEANINGS.items():
        assert en and zh and en != zh, cls


def test_completion_after_during_offers_calendars() -> None:
    analysis = Analysis.of(W9, "websoft9.sla")
    line, _ = line_of(W9, "respond high   within 3h  during always")
    text = W9.split("\n")[line - 1]
    column = text.index("during always") + len("during ") + 1
    calendars = sorted(ln.split()[1] for ln in W9.split("\n") if ln.strip().startswith("calendar "))
    assert [label for label, _ in completions(analysis, line, column)] == calendars


def test_enclosing_block() -> None:
    line, _ = line_of(W9, "respond high   within 3h")
    assert enclosing_block(W9, line) == "tier"
    assert enclosing_block(W9, line_of(W9, "title")[0]) == "sla"
    assert enclosing_block(W9, 2) == "file"  # a comment above `sla websoft9 {`


def test_hover_on_uptime_names_its_own_tier() -> None:
    acme = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8")
    analysis = Analysis.of(acme, "acme-crm.sla")
    line, col = line_of(acme, "uptime   99.95%")  # the professional tier's line
    text = hover(analysis, line, col, "en")
    assert text is not None and "uptime of `professional` → 99.95 %" in text
