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


# ---- language v2 names: services, conditions, regions; display names, descriptions, definitions ----------

NIMBUS = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")


def code_words(text: str) -> list[list[str]]:
    """The words of each line without its comment (no `#` appears inside a text of these contracts' code lines)."""
    return [line.split("#")[0].split() for line in text.split("\n")]


def uses_after(text: str, name: str, words: set[str]) -> int:
    """How many times `name` follows one of `words` (a use), not counting `service NAME {` (its declaration)."""
    count = 0
    for line in code_words(text):
        for a, b, c in zip(line, line[1:], line[2:] + [""], strict=False):
            count += a in words and b == name and not (a == "service" and c == "{")
    return count


def texts_on(text: str, needle: str) -> str:
    """`**en** … · **zh** …` for the quoted texts on the first line holding `needle`, in the order written."""
    import re

    line = next(ln for ln in text.split("\n") if needle in ln)
    return " · ".join(f"**{lang}** {value}" for lang, value in re.findall(r'([a-z]{2}) "([^"]*)"', line))


def test_hover_on_a_service_shows_its_names_in_both_languages() -> None:
    analysis = Analysis.of(NIMBUS, "nimbus-cloud.sla")
    line, col = line_of(NIMBUS, "uptime 99.99% for compute")
    en = hover(analysis, line, col + len("uptime 99.99% for "), "en")
    zh = hover(analysis, line, col + len("uptime 99.99% for "), "zh")
    uses = uses_after(NIMBUS, "compute", {"for", "charges", "requests", "service"})
    declared = line_of(NIMBUS, "service compute {")[0]
    names = texts_on(NIMBUS, '"Compute"')  # **en** Compute · **zh** 计算服务
    assert en is not None and f"service `compute`, declared on line {declared}, used {uses} times" in en
    assert f"name: {names}" in en and "uptime this tier promises for one service" in en
    assert zh is not None and f"服务 `compute`，声明于第 {declared} 行，使用 {uses} 次" in zh and f"名称：{names}" in zh


def test_hover_on_a_condition_shows_its_definition() -> None:
    analysis = Analysis.of(NIMBUS, "nimbus-cloud.sla")
    line, col = line_of(NIMBUS, "requires good_standing")
    en = hover(analysis, line, col + len("requires "), "en")
    zh = hover(analysis, line, col + len("requires "), "zh")
    start = line_of(NIMBUS, "condition good_standing {")[0]
    body = NIMBUS.split("\n")[start : start + 2]  # its two text lines, en then zh
    definition = " · ".join(f"**{ln.split()[0]}** {ln.strip()[4:-1]}" for ln in body)
    assert en is not None and f"definition: {definition}" in en and "only while the customer meets" in en
    assert zh is not None and f"定义：{definition}" in zh and "仅在客户满足此条件时" in zh


def test_hover_on_a_region_counts_where_the_examples_name_it() -> None:
    analysis = Analysis.of(NIMBUS, "nimbus-cloud.sla")
    line, col = line_of(NIMBUS, "charges compute eu_west")
    text = hover(analysis, line, col + len("charges compute "), "en")
    named = sum(line.count("eu_west") for line in code_words(NIMBUS))
    assert text is not None and f"region `eu_west`, named {named} times in the examples" in text
    assert analysis.occurrences("region", "eu_west") == [u for u in analysis.uses if u.value == "eu_west"]


WITH_DESCRIPTION = W9.replace(
    '    name zh "高优先级" en "High priority"\n',
    '    name zh "高优先级" en "High priority"\n'
    '    description zh "影响生产环境的问题" en "A problem that affects production"\n',
)


def test_a_priority_shows_its_description_in_hover_and_completion() -> None:
    from slac.lsp.server import completion_item

    assert WITH_DESCRIPTION != W9
    analysis = Analysis.of(WITH_DESCRIPTION, "websoft9.sla")
    assert analysis.compiled.ok
    line, col = line_of(WITH_DESCRIPTION, "respond high")
    text = hover(analysis, line, col + len("respond "), "en")
    description = texts_on(WITH_DESCRIPTION, "影响生产环境的问题")
    assert text is not None and f"name: {texts_on(W9, '高优先级')}" in text and f"description: {description}" in text
    item = completion_item(analysis, "high", "priority", "zh")
    assert item.detail == "优先级 · 高优先级 / High priority"  # the display names in the order written
    assert item.documentation is not None and f"说明：{description}" in item.documentation.value  # type: ignore[union-attr]
    assert completion_item(analysis, "respond", "keyword", "en").documentation is None


def complete_on_new_line(text: str, after: str, typed: str) -> list[tuple[str, str]]:
    """Completion at the end of `typed`, on a new line right after the first line holding `after`."""
    line, _ = line_of(text, after)
    lines = text.split("\n")
    edited = "\n".join(lines[:line] + [typed] + lines[line:])
    return completions(Analysis.of(text, "x.sla"), line + 1, len(typed) + 1, edited)


def test_completion_of_services_regions_and_conditions() -> None:
    services = [
        (s, "service") for s in sorted(ln.split()[1] for ln in NIMBUS.split("\n") if ln.startswith("  service "))
    ]
    regions = [
        (r, "region") for r in sorted({ln.split()[2] for ln in NIMBUS.split("\n") if ln.strip().startswith("charges ")})
    ]
    conditions = [("good_standing", "condition")]
    assert len(services) == 2 and len(regions) == 2
    assert complete_on_new_line(NIMBUS, "tier standard {", "    uptime 99.5% for ") == services
    assert complete_on_new_line(NIMBUS, "period 2026-05", "    charges ") == services
    assert complete_on_new_line(NIMBUS, "period 2026-05", "    charges compute ") == regions
    assert complete_on_new_line(NIMBUS, "period 2026-05", "    requests object_storage ") == regions
    assert complete_on_new_line(NIMBUS, "period 2026-05", "    expect uptime 99% for compute ") == regions
    assert complete_on_new_line(NIMBUS, "period 2026-05", "    outage 2026-05-01T00:00Z for 1h service ") == services
    assert (
        complete_on_new_line(NIMBUS, "period 2026-05", "    outage 2026-05-01T00:00Z for 1h service compute region ")
        == regions
    )
    assert complete_on_new_line(NIMBUS, "period 2026-05", "    condition ") == conditions
    assert complete_on_new_line(NIMBUS, "credit downtime {", "    requires ") == conditions
    # `for` before a duration, `requires` in a priority (`requires outage`): no service, no condition list.
    assert complete_on_new_line(NIMBUS, "period 2026-05", "    outage 2026-05-01T00:00Z for ") not in (
        services,
        regions,
    )
    assert complete_on_new_line(W9, "priority high {", "    requires ") != conditions
    # The statements of blocks the parser is asked about by their opening line: a service, an exclusion.
    assert {w for w, _ in complete_on_new_line(NIMBUS, "service compute {", "    ")} == {"name", "measured", "downtime"}
    assert complete_on_new_line(NIMBUS, "exclude customer_caused {", "    ") == [("maintenance", "keyword")]


def test_every_statement_of_the_bundled_contracts_has_a_meaning() -> None:
    from slac import nodes as n
    from slac.starters import DEFAULT_LANGUAGES, TEMPLATES, starter

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "contracts").glob("*.sla"))]
    texts += [starter(t, "x", DEFAULT_LANGUAGES[t]) for t in TEMPLATES]

    def statements(block: n.Block) -> list[n.Node]:
        found: list[n.Node] = []
        for s in block.body:
            found += [s, *(statements(s) if isinstance(s, n.Block) else [])]
            found += [s.event] if isinstance(s, n.Repeat) else []
        return found

    missing = set()
    for text in texts:
        doc = Analysis.of(text, "x.sla").compiled.doc
        assert doc is not None
        missing |= {type(s).__name__ for s in statements(doc.sla) if type(s) not in MEANINGS}
    assert missing == set()
