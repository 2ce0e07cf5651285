"""The language reference (docs/language.{en,zh}.md): every example compiles (or produces its check
code), both languages have the same sections and examples, and every keyword of the grammar is
documented. The keyword list is read from grammar/sla.lark, so a new keyword fails here until it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slac import syntax
from slac.driver import compile_source
from slac.errors import has_errors

ROOT = Path(__file__).resolve().parent.parent
DOCS = {lang: ROOT / "docs" / f"language.{lang}.md" for lang in ("en", "zh")}
FENCE = re.compile(r"```sla\n(.*?)```", re.S)
MARKER = re.compile(r"# in: (\w+)(?: ×(\d+))?(?: → ([EW]\d{4}))?(?: \(--holiday-years (\d{4})-(\d{4})\))?$")

# Where `# in: BLOCK` puts a fragment in the base contract: the line that opens the block.
OPENERS = {
    "tier": "  tier standard {",
    "calendar": "  calendar business {",
    "availability": "  availability {",
    "credit": "  credit downtime {",
    "priority": "  priority high {",
    "channel": "  channel email {",
    "example": '  example "a quiet month" {',
}
WRAPPERS = {
    "objective": ('objective latency {\n  name en "Latency" zh "延迟"\n', "}"),
    "third_party": ("third_party {\n", "}"),
}


def text(lang: str) -> str:
    return DOCS[lang].read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return FENCE.findall(text(lang))


def base(lang: str) -> str:
    found = [b for b in blocks(lang) if b.startswith("# the base contract")]
    assert len(found) == 1, "the reference shows its base contract once"
    return found[0]


def unescape(s: str) -> str:
    """`\\u{XXXX}` is the character U+XXXX; `{×N:TEXT}` is TEXT written N times (for the size limits)."""
    s = re.sub(r"\\u\{([0-9A-Fa-f]+)\}", lambda m: chr(int(m.group(1), 16)), s)
    return re.sub(r"\{×(\d+):(.*?)\}", lambda m: m.group(2) * int(m.group(1)), s, flags=re.S)


def options(block: str) -> dict[str, tuple[int, int]]:
    """What `slac compile` is told beside the text: `(--holiday-years A-B)` after the marker."""
    m = MARKER.match(block.partition("\n")[0])
    return {"holiday_years": (int(m.group(4)), int(m.group(5)))} if m and m.group(4) else {}


def assemble(block: str, base_text: str) -> tuple[str, str | None]:
    """The whole contract an example stands for, and the check code it must produce (None: it compiles).

    `×N` repeats the fragment N times; `{#}` in it is the repetition's number (1, 2, …), for names."""
    first, _, rest = block.partition("\n")
    m = MARKER.match(first)
    assert m, f"an example starts with `# in: BLOCK`: {first!r}"
    where, times, code = m.group(1), int(m.group(2) or 1), m.group(3)
    fragment = unescape("\n".join(rest.rstrip("\n").replace("{#}", str(i + 1)) for i in range(times)))
    if where == "file":
        return fragment + "\n", code
    lines = base_text.rstrip("\n").split("\n")
    if where == "replace":  # each line takes the place of the base's statement with the same keyword
        for new in fragment.split("\n"):  # (a statement the base does not have is added to the contract)
            word = new.split()[0]
            i = next((i for i, ln in enumerate(lines) if ln.strip().split()[:1] == [word]), None)
            if i is None:
                lines.insert(len(lines) - 1, "  " + new)
                continue
            lines[i] = re.match(r"\s*", lines[i]).group(0) + new  # type: ignore[union-attr]
        return "\n".join(lines) + "\n", code
    if where in WRAPPERS:
        head, tail = WRAPPERS[where]
        fragment = head + "\n".join("  " + ln for ln in fragment.split("\n")) + "\n" + tail
        where = "sla"
    if where == "sla":
        at, indent = len(lines) - 1, "  "
    else:
        start = lines.index(OPENERS[where])
        at, indent = lines.index("  }", start), "    "
    inserted = [indent + ln if ln else ln for ln in fragment.split("\n")]
    return "\n".join(lines[:at] + inserted + lines[at:]) + "\n", code


def examples(lang: str) -> list[str]:
    return [b for b in blocks(lang) if not b.startswith("# the base contract")]


def test_base_contract_compiles_and_is_the_same_in_both() -> None:
    assert base("en") == base("zh")
    compiled = compile_source(base("en"), file="base.sla")
    assert compiled.ok, compiled.diagnostics


def test_both_languages_have_the_same_sections_and_examples() -> None:
    def anchors(lang: str) -> list[str]:
        return re.findall(r'<a id="([a-z0-9-]+)"></a>', text(lang))

    assert anchors("en") == anchors("zh") and len(anchors("en")) > 50
    assert examples("en") == examples("zh")


@pytest.mark.parametrize("index", range(len(examples("en"))))
def test_example(index: int) -> None:
    block = examples("en")[index]
    source, code = assemble(block, base("en"))
    compiled = compile_source(source, file="example.sla", **options(block))
    codes = [d.code for d in compiled.diagnostics]
    if code is None:
        assert not has_errors(compiled.diagnostics), (block, compiled.diagnostics)
        assert compiled.policy is not None, (block, compiled.failure)
    else:
        assert code in codes, (block, compiled.diagnostics)


def documented_keywords(lang: str) -> set[str]:
    words: set[str] = set()
    for line in text(lang).split("\n"):
        if line.startswith("#"):
            for span in re.findall(r"`([^`]+)`", line):
                words.update(re.findall(r"[a-z_]+", span))
    return words


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_keyword_of_the_grammar_is_documented(lang: str) -> None:
    missing = sorted(syntax.keywords() - documented_keywords(lang))
    assert not missing, f"docs/language.{lang}.md has no heading for: {', '.join(missing)}"


def all_codes() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "compiler").rglob("*.py"):
        found.update(re.findall(r'"([EW]0\d{3})"', path.read_text(encoding="utf-8")))
    found.update(re.findall(r'code = "([EW]0\d{3})"', (ROOT / "grammar" / "syntax_errors.toml").read_text()))
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_check_code_has_an_example(lang: str) -> None:
    shown = {MARKER.match(b.split("\n", 1)[0]).group(3) for b in examples(lang)}  # type: ignore[union-attr]
    missing = sorted(all_codes() - shown)
    assert not missing, f"docs/language.{lang}.md has no example for: {', '.join(missing)}"


def test_readme_links_the_reference_and_no_missing_spec() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/language.en.md" in readme and "docs/language.zh.md" in readme
    assert "described by example" not in readme and "SPEC.md" not in readme and "../shared" not in readme
    for link in re.findall(r"\]\(((?:docs|editors)/[^)#]+)\)", readme):
        assert (ROOT / link).exists(), link
