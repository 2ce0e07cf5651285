"""Renderer: goldens per contract and edition, catalogues, formats, fidelity, Markdown tables, escaping."""

from __future__ import annotations

import html as htmlmod
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from slac import compile_policy
from slac.render import BILINGUAL, editions, render_html, render_markdown
from slac.render.formats import Formatter
from slac.render.markup import md_escape
from slac.render.model import build_document
from slac.render.strings import available_languages, load

from .conftest import CONTRACTS, ROOT

GOLDEN = ROOT / "tests" / "golden" / "render"
WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"


def _policy(path: Path) -> dict[str, Any]:
    return compile_policy(path.read_text(encoding="utf-8"), file=path.name)


@pytest.fixture(scope="module")
def policies() -> dict[str, dict[str, Any]]:
    return {p.stem: _policy(p) for p in CONTRACTS}


CASES = [(p.stem, e) for p in CONTRACTS for e in ("zh", "en", BILINGUAL)]


@pytest.mark.parametrize(("contract", "edition"), CASES)
def test_markdown_golden(policies, golden, contract: str, edition: str) -> None:
    golden(GOLDEN / f"{contract}.{edition}.md", render_markdown(policies[contract], edition))


# The embedded font is kept out of the HTML goldens: its bytes come from fontTools and the font
# package (a new release of either would change every golden without the document changing), and
# nobody can review 100 KB of base64. Each data URL is replaced by a marker; the font itself is
# checked by tests/test_render_html_font.py (covers every character, same bytes in every process).
FONT_DATA_URL = re.compile(r"url\(data:font/woff2;base64,[A-Za-z0-9+/=]+\)")


def without_font_data(page: str) -> str:
    return FONT_DATA_URL.sub("url(data:font/woff2;base64,[embedded subset, see test_render_html_font.py])", page)


@pytest.mark.parametrize(("contract", "edition"), CASES)
def test_html_golden(policies, golden, contract: str, edition: str) -> None:
    page = render_html(policies[contract], edition)
    assert len(FONT_DATA_URL.findall(page)) == 2  # the serif and the Latin marks
    golden(GOLDEN / f"{contract}.{edition}.html", without_font_data(page))


def test_editions_are_each_language_then_bilingual(policies) -> None:
    assert editions(policies["websoft9"]) == ["zh", "en", "bilingual"]
    assert editions(policies["acme-crm"]) == ["en", "zh", "bilingual"]


# -- catalogues and formats ----------------------------------------------------------------------


def test_catalogues_have_identical_keys() -> None:
    langs = available_languages()
    assert {"zh", "en"} <= set(langs)
    keys = {lang: set(load(lang).strings) for lang in langs}
    for lang in langs:
        assert keys[lang] == keys["en"], f"{lang}.toml differs from en.toml: {sorted(keys[lang] ^ keys['en'])}"


def test_catalogue_placeholders_match_across_languages() -> None:
    # A party's placeholder is capitalised where a sentence starts with it ({Customer}), which
    # depends on the language's word order: compared without case.
    def fields(text: str) -> set[str]:
        return {f.lower() for f in re.findall(r"{(\w+)}", text)}

    en = load("en").strings
    for lang in available_languages():
        other = load(lang).strings
        for key, text in en.items():
            assert fields(other[key]) == fields(text), (lang, key)


@pytest.mark.parametrize(
    ("lang", "seconds", "text"),
    [
        ("en", 43200, "12 hours"),
        ("zh", 43200, "12 小时"),
        ("en", 1800, "30 minutes"),
        ("zh", 1800, "30 分钟"),
        ("en", 3600, "1 hour"),
        ("en", 2592, "43 minutes 12 seconds"),
        ("zh", 2592, "43 分钟 12 秒"),
        ("en", Decimal("259.2"), "4 minutes 19.2 seconds"),
        ("en", 259200, "72 hours"),
        ("en", 2592000, "30 days"),
        ("en", 0.3, "300 milliseconds"),
    ],
)
def test_durations(lang: str, seconds: Any, text: str) -> None:
    assert Formatter(load(lang)).duration(seconds) == text


def test_numbers_money_percent_dates_per_language() -> None:
    en, zh = Formatter(load("en")), Formatter(load("zh"))
    assert en.percent("99.95") == "99.95%" and zh.percent("5") == "5%"
    assert en.money("1000.00", "USD") == "$1,000.00"
    assert zh.money("50.00", "CNY") == "¥50.00"
    assert en.date("2025-01-01") == "January 1, 2025"
    assert zh.date("2025-01-01") == "2025年1月1日"
    assert en.weekly_hours([{"day": d, "start": 480, "end": 1080} for d in ("mon", "tue", "wed", "thu", "fri")]) == (
        "Monday to Friday, 08:00–18:00"
    )


def test_allowed_downtime_per_month_is_derived_from_the_uptime(policies) -> None:
    md = render_markdown(policies["acme-crm"], "en")
    assert "| Starter | 99.9% | 43 minutes 12 seconds |" in md
    # 0.01% of 30 days = 0.0001 × 2 592 000 s = 259.2 s: shown as whole seconds rounded down, and said so.
    assert "| Enterprise | 99.99% | 4 minutes 19 seconds |" in md
    assert "Fractions of a second are left out of the allowed downtime." in md
    # 99.9% of 30 days leaves 2 592 s = 43 min 12 s exactly: nothing rounded in a contract of only such tiers.


# -- structure -----------------------------------------------------------------------------------


def _numbers(doc) -> list[tuple[str, list[str]]]:
    return [(s.number, [c.number for c in s.clauses]) for s in doc.sections]


@pytest.mark.parametrize("contract", [p.stem for p in CONTRACTS])
def test_clause_numbering_is_identical_in_every_language(policies, contract: str) -> None:
    policy = policies[contract]
    docs = [build_document(policy, lang) for lang in policy["languages"]]
    assert _numbers(docs[0]) == _numbers(docs[1])
    # Every contract has at least definitions, scope, standards, compensation, limitations and
    # examples (nimbus-cloud's one general clause, its sole remedy, closes the compensation section).
    assert len(docs[0].sections) >= 6
    for a, b in zip(docs[0].sections, docs[1].sections, strict=True):
        for ca, cb in zip(a.clauses, b.clauses, strict=True):
            assert [blk.kind for blk in ca.blocks] == [blk.kind for blk in cb.blocks]


def test_websoft9_follows_the_original_structure(policies) -> None:
    headings = [s.heading for s in build_document(policies["websoft9"], "zh").sections]
    wanted = ["定义", "服务标准", "未达标的补偿", "限制", "第三方 SLA"]
    assert [h for h in headings if h in wanted] == wanted


def test_bilingual_is_clause_by_clause(policies) -> None:
    md = render_markdown(policies["websoft9"], BILINGUAL)
    zh_def = md.index("“我”/“我们”")
    en_def = md.index("“I”, “we”")
    second = md.index("“您”/“您的”")
    assert zh_def < en_def < second  # the translation follows its own clause, before the next clause
    assert "## 4 未达标的补偿 / Compensation for failing to meet the service standards" in md


# -- Markdown ------------------------------------------------------------------------------------


def _front(md: str) -> dict[str, Any]:
    head = md.split("---\n")[1]
    return {k: json.loads(v) for k, v in (line.split(": ", 1) for line in head.strip().splitlines())}


def test_front_matter_defaults_and_options(policies) -> None:
    policy = policies["websoft9"]
    assert _front(render_markdown(policy, "zh")) == {
        "title": "服务等级协议",
        "slug": "/websoft9",
        "sidebar_position": 1,
    }
    assert _front(render_markdown(policy, "en"))["slug"] == "/websoft9/en"
    custom = _front(render_markdown(policy, BILINGUAL, title='SLA: "Websoft9"', slug="/sla", sidebar_position=3))
    assert custom == {"title": 'SLA: "Websoft9"', "slug": "/sla/bilingual", "sidebar_position": 3}


def test_markdown_renders_real_tables(policies) -> None:
    md = render_markdown(policies["websoft9"], "zh").split("---\n", 2)[2]
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    tables = [t for t in tokens if t.type == "table_open"]
    assert len(tables) >= 2
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<th>级别</th><th>普通优先</th><th>高优先级</th>" in html.replace("\n", "")
    assert "<td>12 小时</td>" in html and "<td>10 分钟</td>" in html


# -- fidelity: every term of websoft9 in both languages --------------------------------------------


def _terms(policy: dict[str, Any], lang: str) -> list[str]:
    f = Formatter(load(lang))
    terms: list[str] = []
    for tier in policy["tiers"]:
        terms.append(tier["name"][lang])
        for r in tier["responses"]:
            terms.append(f.duration(r["within_seconds"]))
        if tier["live"] and tier["live"]["max_session_seconds"] is not None:
            terms.append(f.duration(tier["live"]["max_session_seconds"]))
    for credit in policy["credits"]:
        if credit["per_miss"]:
            terms.append(f.percent(credit["per_miss"]["amount"]["share"]))
    terms.append(f.percent(policy["cap"]["amount"]["share"]))
    for group in ("definitions", "exclusions", "clauses"):
        for block in policy[group]:
            terms.extend(line.strip() for line in block["text"][lang].split("\n"))
    for link in policy["third_party"]:
        terms += [link["name"][lang], link["url"]]
    for thing in policy["channels"] + policy["priorities"]:
        terms.append(thing["name"][lang])
    terms += [policy["channels"][1]["url"], policy["contract"]["version"], f.date(policy["contract"]["effective"])]
    return terms


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_term_of_websoft9_is_in_the_markdown(policies, lang: str) -> None:
    policy = policies["websoft9"]
    md = render_markdown(policy, lang)
    # Markdown escapes are not part of the text a reader sees.
    plain = re.sub(r"\\(.)", r"\1", md)
    missing = [t for t in _terms(policy, lang) if t not in plain]
    assert missing == []
    # Spot-check the numbers themselves, not only what the formatter makes of them.
    for figure in (
        ["12 小时", "3 小时", "30 分钟", "10 分钟", "20 分钟", "5%", "100%"]
        if lang == "zh"
        else ["12 hours", "3 hours", "30 minutes", "10 minutes", "20 minutes", "5%", "100%"]
    ):
        assert figure in plain


# -- escaping ------------------------------------------------------------------------------------

HOSTILE = (
    '<img src="http://127.0.0.1:9/x"> file:///etc/passwd {{ 7*7 }} {% if true %}J{% endif %} '
    "| pipe | *star* _u_ [x](javascript:alert(1)) <script>alert(1)</script> & &amp; `tick` {jsx}"
)


def hostile_source(text: str = HOSTILE) -> str:
    source = WEBSOFT9.read_text(encoding="utf-8")
    original = "“服务” 是指 Websoft9 在其网站上或其他云平台上提供的任何服务"
    assert original in source
    return source.replace(original, text.replace('"', "'") + " " + original, 1).replace(
        'name zh "标准支持" en "Standard Support"', 'name zh "标准|支持" en "# Standard | <b>Support</b>"'
    )


@pytest.fixture(scope="module")
def hostile() -> dict[str, Any]:
    return compile_policy(hostile_source(), file="hostile.sla")


def test_markdown_escapes_user_text(hostile) -> None:
    md = render_markdown(hostile, "zh")
    html = MarkdownIt("commonmark").enable("table").render(md.split("---\n", 2)[2])
    assert "<img" not in html and "<script" not in html
    assert "href=" not in html.split("Websoft9")[0]  # no link made from the hostile text
    assert "{{ 7*7 }}" in re.sub(r"\\(.)", r"\1", md) and "49" not in md  # printed, never evaluated
    assert "<em>" not in html and "<code>" not in html
    # The tier name with a pipe stays in one cell: every table row has as many cells as its head.
    tokens = MarkdownIt("commonmark").enable("table").parse(md.split("---\n", 2)[2])
    row_sizes, current = [], 0
    for tok in tokens:
        if tok.type == "tr_open":
            current = 0
        elif tok.type in ("th_open", "td_open"):
            current += 1
        elif tok.type == "tr_close":
            row_sizes.append(current)
    assert row_sizes and all(n in (2, 3) for n in row_sizes)
    assert "标准|支持" in html


def test_html_escapes_user_text(hostile) -> None:
    page = render_html(hostile, BILINGUAL)
    assert "<img" not in page and "<script" not in page and "<b>" not in page
    assert "&lt;img src=&#34;http://127.0.0.1:9/x&#34;&gt;" in page or "&lt;img src=&#39;http" in page
    assert "{{ 7*7 }}" in page and "{% if true %}J{% endif %}" in page
    assert 'href="javascript' not in page


def test_md_escape_round_trips_through_a_markdown_engine() -> None:
    for text in [
        "# not a heading",
        "1. not a list",
        "- no",
        "> no",
        "a | b",
        "<b>x</b>",
        "*x* _y_ `z`",
        "&copy;",
        "{x}",
    ]:
        html = MarkdownIt("commonmark").render(str(md_escape(text)))
        assert html.startswith("<p>"), (text, html)
        inner = html.removeprefix("<p>").removesuffix("</p>\n")
        assert inner == text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), (text, html)


# -- determinism ---------------------------------------------------------------------------------


def test_markdown_and_html_are_byte_identical_across_runs(policies) -> None:
    for policy in policies.values():
        for edition in editions(policy):
            assert render_markdown(policy, edition) == render_markdown(json.loads(json.dumps(policy)), edition)
            assert render_html(policy, edition) == render_html(json.loads(json.dumps(policy)), edition)


def test_a_third_language_needs_only_a_catalogue(policies, monkeypatch) -> None:
    """A `fr` catalogue (here: the English strings under a French locale) is all a new language takes."""
    import copy

    from slac.render import model
    from slac.render.strings import Catalogue

    english = load("en")
    french = Catalogue(lang="fr", locale="fr", strings=dict(english.strings))
    monkeypatch.setattr(model, "load", lambda lang: french if lang == "fr" else load(lang))
    policy = copy.deepcopy(policies["acme-crm"])
    policy["languages"] = ["en", "fr"]

    def add_fr(node: Any) -> None:
        if isinstance(node, dict):
            if set(node) == {"en", "zh"} and all(isinstance(v, str) for v in node.values()):
                node["fr"] = node.pop("zh")
            for value in node.values():
                add_fr(value)
        elif isinstance(node, list):
            for value in node:
                add_fr(value)

    add_fr(policy)
    assert editions(policy) == ["en", "fr", "bilingual"]
    md = render_markdown(policy, "fr", results={})  # an edited policy no longer passes the evaluator's hash check
    assert "1 janvier 2026" in md  # Babel's French date, number and money formats
    assert "99,95" in md and "2 000,00" in md.replace("\u202f", " ").replace("\xa0", " ")
    assert _numbers(build_document(policy, "fr", results={})) == _numbers(build_document(policy, "en", results={}))


def test_links_are_web_or_mail_addresses_and_cannot_break_out() -> None:
    from slac.render.doc import DocLink, Para
    from slac.render.markup import md_inline

    odd = md_inline(Para((DocLink("Docs (v2)", "https://x.example/a (b)<c>"),)))
    html = MarkdownIt("commonmark").render(str(odd))
    assert 'href="https://x.example/a%20%28b%29%3Cc%3E"' in html and ">Docs (v2)</a>" in html
    for url in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "/relative"):
        rendered = MarkdownIt("commonmark").render(str(md_inline(Para((DocLink("x", url),)))))
        assert "href" not in rendered, url


@pytest.mark.parametrize(("contract", "edition"), CASES)
def test_every_markdown_table_row_has_as_many_cells_as_its_head(policies, contract: str, edition: str) -> None:
    body = render_markdown(policies[contract], edition).split("---\n", 2)[2]
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    pipes_in_source = sum(1 for line in body.splitlines() if line.startswith("| ") and not line.startswith("| --- |"))
    rows, current, head = 0, 0, None
    for tok in tokens:
        if tok.type == "table_open":
            head = None
        elif tok.type == "tr_open":
            current = 0
        elif tok.type in ("th_open", "td_open"):
            current += 1
        elif tok.type == "tr_close":
            rows += 1
            head = current if head is None else head
            assert current == head
    assert rows == pipes_in_source  # every `| … |` line became a table row, none a paragraph


_TRICKY = list("#*_`[]()<>|{}~&!\\-+=:.1 aé中$\"'")
_TEXT = (
    st.text(
        alphabet=st.sampled_from(_TRICKY)
        | st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\t"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=500)
@given(_TEXT)
def test_any_text_survives_markdown_as_itself(text: str) -> None:
    """Whatever a contract says, a Markdown engine shows exactly that text: as a paragraph and in a table cell."""
    engine = MarkdownIt("commonmark").enable("table")
    out = engine.render(str(md_escape(text)))
    assert out.startswith("<p>") and out.endswith("</p>\n"), out
    assert htmlmod.unescape(out[3:-5]) == text
    table = f"| h |\n| --- |\n| {md_escape(text)} |\n"
    cells = [t for t in engine.parse(table) if t.type == "inline"]
    assert [c.content for c in cells][0] == "h" and len(cells) == 2
    assert htmlmod.unescape(engine.render(table).split("<td>")[1].split("</td>")[0]) == text


SMALL = """sla small {
  title en "Small" zh "小"
  version "1"
  effective 2025-01-01
  languages en zh
  timezone "UTC"
  currency EUR
  billing monthly
  tier basic {
    name en "Basic" zh "基础"
    uptime 99%
  }
  credit outage_pay {
    when uptime below target 5 EUR
  }
  clause data_protection {
    en "We process personal data only to provide the Service."
    zh "我们仅为提供服务而处理个人数据。"
  }
}
"""


def test_a_small_contract_renders_with_generic_headings() -> None:
    policy = compile_policy(SMALL, file="small.sla")
    md = render_markdown(policy, BILINGUAL)
    # The contract defines no parties: the document defines the glossary's terms it uses (section 1).
    assert "**1.1** “Provider” means the party that provides the Services under this agreement." in md
    assert "**1.2** “Customer” means the party that receives the Services under this agreement." in md
    assert "### 4.1 Service credit / 服务补偿" in md  # no catalogue name for `outage_pay`
    assert "| below the tier's commitment | €5.00 |" in md
    assert "| Basic | 99% | 7 hours 12 minutes |" in md
    assert "**5.1** We process personal data only to provide the Service." in md  # no heading for an unknown id
    assert "data_protection" not in md and "outage_pay" not in md
    assert "## 6" not in md  # no examples, no exclusions, no third parties: no empty sections
    english = re.sub(r'\s+zh "[^"]*"', "", SMALL.replace("languages en zh", "languages en"))
    english_only = compile_policy(english, file="small.sla")
    assert editions(english_only) == ["en"]
    render_html(english_only, "en")


# -- the render API takes a compiled policy ------------------------------------------------------


def test_load_takes_a_policy_path_text_dict_or_runtime_policy(policies, tmp_path: Path) -> None:
    from slac.policy import to_json
    from slac.render import load
    from slac.runtime import PolicyError, load_policy

    policy = policies["websoft9"]
    text = to_json(policy)
    path = tmp_path / "websoft9.policy.json"
    path.write_text(text, encoding="utf-8")
    for source in (path, str(path), text, json.loads(text), load_policy(text), WEBSOFT9):
        assert load(source) == policy, type(source)
    assert render_markdown(load(path), "zh") == render_markdown(policy, "zh")
    tampered = json.loads(text)
    tampered["contract"]["id"] = "other"
    with pytest.raises(PolicyError, match="content_hash"):
        load(tampered)


# -- Chinese spacing at placeholders -------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("相当于{amount}的服务补偿", {"amount": "月服务费 5%"}, "相当于月服务费 5% 的服务补偿"),
        ("获得{amount}补偿", {"amount": "¥50.00"}, "获得 ¥50.00 补偿"),
        ("自 {date} 起生效", {"date": "2025年1月1日"}, "自 2025年1月1日起生效"),
        ("于 {when} 提交", {"when": "2025年3月3日 09:00（UTC+08:00）"}, "于 2025年3月3日 09:00（UTC+08:00）提交"),
        ("{date} {time}", {"date": "2025年3月3日", "time": "09:00"}, "2025年3月3日 09:00"),
        ("第 {n} 条", {"n": "5.5"}, "第 5.5 条"),
        ("按{tier}计算：{x}。", {"tier": "标准支持", "x": "12 小时"}, "按标准支持计算：12 小时。"),
        # Values are contract text: inserted as written, spaces and all.
        ("定义：{text}", {"text": "“服务” 是指 Websoft9"}, "定义：“服务” 是指 Websoft9"),
        # A link's placeholder hides its text: the catalogue's spacing beside it stays.
        ("发布于 {link}。", {"link": "\x000\x00"}, "发布于 \x000\x00。"),
    ],
)
def test_chinese_spacing_at_placeholders(template: str, values: dict[str, str], expected: str) -> None:
    from slac.render.strings import Catalogue

    zh = Catalogue(lang="zh", locale="zh", strings={"k": template}, cjk_spacing=True)
    assert zh.t("k", **values) == expected
    en = Catalogue(lang="en", locale="en", strings={"k": template})
    assert en.t("k", **values) == template.format(**values)


def test_only_the_chinese_catalogue_adjusts_spacing() -> None:
    assert load("zh").cjk_spacing is True and load("en").cjk_spacing is False


def test_chinese_lists_space_numbers_but_not_words() -> None:
    zh, en = Formatter(load("zh")), Formatter(load("en"))
    assert zh.items(["5.1", "5.2", "5.3", "5.4"]) == "5.1、5.2、5.3 和 5.4"
    assert zh.items(["5.1", "5.2"]) == "5.1 和 5.2"
    assert zh.items(["标准支持", "高级支持", "尊享支持"]) == "标准支持、高级支持和尊享支持"
    assert zh.alternatives(["Email", "电话"]) == "Email 或电话"
    assert zh.items(["x"]) == "x" and zh.items([]) == ""
    assert en.items(["5.1", "5.2", "5.3"]) == "5.1, 5.2, and 5.3"
