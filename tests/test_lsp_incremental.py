"""The language server's incremental analysis finds exactly what a full compile finds.

`slac.lsp.incremental.Pieces` parses only the top-level statements a change touched and reuses (or moves
down) the others. Whatever it answers must be what `slac.driver.compile_source` answers for the same
text: the same document, the same diagnostics with the same positions, the same policy. Checked on
random edit sequences of every bundled contract and starter, on every bad case, and on the layouts the
splitter must read exactly as the lexer does.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from slac.driver import Compiled, compile_source
from slac.lsp.incremental import Pieces, shifted, split
from slac.starters import DEFAULT_LANGUAGES, TEMPLATES, starter

ROOT = Path(__file__).resolve().parent.parent
# The bundled contracts and what `slac init` writes for each template.
CONTRACTS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "contracts").glob("*.sla"))}
CONTRACTS |= {f"init-{t}.sla": starter(t, f"my_{t}", DEFAULT_LANGUAGES[t]) for t in TEMPLATES}
BAD = sorted((ROOT / "tests" / "cases" / "bad").glob("*.sla"))


def compile_both(text: str, pieces: Pieces) -> tuple[Compiled, Compiled]:
    full = compile_source(text, file=pieces.file, validate_schema=False)
    incremental = compile_source(text, file=pieces.file, validate_schema=False, convert=pieces.convert)
    return full, incremental


def assert_same(full: Compiled, incremental: Compiled, what: str) -> None:
    assert incremental.diagnostics == full.diagnostics, what  # Diagnostic equality: code, message, every span
    assert incremental.doc == full.doc, what
    assert incremental.policy == full.policy, what
    assert incremental.failure == full.failure, what


# Edits an editor makes: type a character (some that open or close blocks, texts and comments), delete a
# range, press Enter, delete a line, duplicate a line, move a line.
TYPED = ["a", "x", " ", "\n", "{", "}", '"', "#", "1", "%", "h", "_", "é", "\t"]


def edit(text: str, rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice(TYPED) + text[at:]
    if kind == 1:
        at = rng.randrange(len(text))
        return text[:at] + text[at + rng.randint(1, 3) :]
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    if kind == 2:
        lines.insert(i, "")
    elif kind == 3:
        del lines[i]
    elif kind == 4:
        lines.insert(i, lines[i])
    else:
        lines.insert(rng.randrange(len(lines)), lines.pop(i))
    return "\n".join(lines)


@pytest.mark.parametrize("name", CONTRACTS)
def test_random_edits_give_the_full_compile_diagnostics(name: str) -> None:
    original = CONTRACTS[name]
    rng = random.Random(f"slac-incremental-{name}")
    pieces = Pieces(name)
    text, reused, errors, fine, routes = original, 0, 0, 0, Counter[str]()
    for step in range(60):
        # Mostly one edit of the contract, sometimes a run of edits on the text as it is now (a text
        # broken for several versions): the statements kept from any version must still be right.
        text = edit(text if step % 4 else original, rng) if step else original
        full, incremental = compile_both(text, pieces)
        assert_same(full, incremental, f"{name}, edit {step}")
        cut = split(text)
        if pieces.route == "statements" and cut is not None:
            reused += pieces.parsed < len(cut.pieces)
        routes[pieces.route] += 1
        errors += any(d.severity == "error" for d in full.diagnostics)
        fine += full.ok
    # The sequence went through good and broken texts, reused statements in the texts that parsed, and
    # took both ways: statements assembled, a syntax error found from the statement above it.
    assert errors >= 5 and fine >= 4 and reused >= 5, (errors, fine, reused)
    assert routes["statements"] >= 10 and routes["syntax error"] >= 5, routes


@pytest.mark.parametrize("name", CONTRACTS)
def test_one_changed_statement_is_the_only_one_parsed(name: str) -> None:
    text = CONTRACTS[name]
    pieces = Pieces(name)
    compile_both(text, pieces)
    cut = split(text)
    assert cut is not None and len(cut.pieces) > 5
    assert pieces.parsed == len(cut.pieces)  # the first version: everything
    middle = len(cut.pieces) // 2
    target = next(p for p in cut.pieces[middle:] + cut.pieces if "\n" in p.text)  # a block over several lines
    # A comment after the middle statement changes no statement's text: nothing is parsed.
    end = target.start + len(target.text)
    full, incremental = compile_both(text[:end] + "  # reviewed" + text[end:], pieces)
    assert_same(full, incremental, "comment after")
    assert pieces.parsed == 0 and pieces.moved == 0
    # A comment at the end of its first line changes it: it alone is parsed.
    first_line_end = text.index("\n", target.start)
    text = text[:first_line_end] + "  # reviewed" + text[first_line_end:]
    full, incremental = compile_both(text, pieces)
    assert_same(full, incremental, "comment inside")
    assert pieces.parsed == 1 and pieces.moved == 0
    # A new line above it moves it and the statements below it down without parsing them.
    line_start = text.rfind("\n", 0, target.start) + 1
    moved = text[:line_start] + "\n" + text[line_start:]
    full, incremental = compile_both(moved, pieces)
    assert_same(full, incremental, "new line")
    below = sum(1 for p in cut.pieces if p.start >= target.start)
    assert pieces.parsed == 0 and pieces.moved == below and pieces.route == "statements"
    # A syntax error in it: found from the statement above it on, as the whole file's parse finds it.
    inside = moved.index("\n", target.start + 1) + 1  # the start of its second line
    broken = moved[:inside] + "    uptime 99.9\n" + moved[inside:]
    full, incremental = compile_both(broken, pieces)
    assert_same(full, incremental, "syntax error")
    assert full.doc is None and pieces.route == "syntax error"
    # The error being typed on: only the statement with it is parsed again (and fails again).
    full, incremental = compile_both(broken.replace("uptime 99.9\n", "uptime 99.99\n", 1), pieces)
    assert_same(full, incremental, "syntax error, typed on")
    assert full.doc is None and pieces.route == "syntax error" and pieces.parsed == 0
    # Every line indented one more space (a paste, a reformat): every statement is new, the file is
    # parsed at once and its statements kept for the next change.
    indented = "\n".join(" " + line if line.strip() else line for line in text.split("\n"))
    full, incremental = compile_both(indented, pieces)
    assert_same(full, incremental, "indented")
    assert pieces.route == "statements" and pieces.parsed == len(cut.pieces)
    # A new line at the top moves `sla NAME {` too: the first statement is parsed again for the NAME.
    full, incremental = compile_both("\n" + indented, pieces)
    assert_same(full, incremental, "indented, then a new line")
    assert pieces.parsed == 1 and pieces.moved == len(cut.pieces) - 1


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_every_bad_case_gives_the_full_compile_diagnostics(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    pieces = Pieces(path.name)
    full, incremental = compile_both(text, pieces)
    assert_same(full, incremental, path.name)
    again = compile_source(text, file=pieces.file, validate_schema=False, convert=pieces.convert)
    assert_same(full, again, path.name + " (all kept)")


BASE = 'sla s {\n  title en "T"\n  languages en\n  define d {\n    en "a { b } # c"\n  }\n}\n'


@pytest.mark.parametrize(
    "text",
    [
        BASE,
        BASE.replace("\n", "\r\n"),  # Windows line ends
        "# a comment\n\n" + BASE + "# the end",  # comments around the contract, none after the last `}`
        BASE.replace("sla s {\n", "sla s { "),  # the first statement on the line of `sla`
        BASE.replace("  }\n}\n", "  } }\n"),  # the contract closed on the line of the last statement
        BASE.replace("  }\n}\n", "  }  # a } in a comment\n}\n"),
        BASE.replace("  languages en\n", "  languages en\n\f  \n"),  # a form feed: two newline tokens, an error
        BASE.replace("  languages en\n", "  languages en\n\f  currency CNY\n"),  # a form feed before a statement
        BASE.replace("  languages en\n", "  languages en \f\n"),  # a form feed before the newline
        BASE.replace('en "a { b } # c"', 'en """a {\n b } # c\n"""'),  # a text over several lines
        BASE.replace('en "T"', 'en "T"\n  zh "标题"'),  # a text line that continues the title
        BASE.replace('en "T"', 'en "T"\n\n  zh "标题"'),
        BASE.replace("  languages en\n", '  zh "孤立"\n'),  # a text line that belongs to nothing (E0206)
        BASE.replace("define d", "define " + "d" * 80),  # a value error in one statement (E0211)
        BASE.replace("sla s", "sla " + "s" * 80),  # … in the contract's name
        BASE.replace("  languages en\n", "  languages en\n  \u3000\n"),  # a character the lexer does not skip
        BASE.replace('"a { b } # c"', '"a { b } # c'),  # an unclosed text
        BASE.replace("  }\n}\n", "  }\n"),  # the contract never closed
        BASE + "sla t {\n}\n",  # a second contract
        "sla s {\n}\n",  # no statement at all
        BASE.replace("sla s {", "sla s\n{"),
    ],
)
def test_layouts_the_splitter_must_read_as_the_lexer_does(text: str) -> None:
    pieces = Pieces("x.sla")
    assert_same(*compile_both(text, pieces), repr(text))
    assert_same(*compile_both(text.replace("languages", "\nlanguages"), pieces), repr(text))


def test_a_moved_statement_equals_its_parse_on_the_new_line() -> None:
    text = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")
    doc = compile_source(text, file="w.sla", validate_schema=False).doc
    lower = compile_source("\n\n\n" + text, file="w.sla", validate_schema=False).doc
    assert doc is not None and lower is not None
    assert [shifted(s, 3) for s in doc.sla.body] == list(lower.sla.body)


def test_the_splitter_reads_texts_as_the_lexer_does() -> None:
    import re

    from slac import syntax
    from slac.lsp.incremental import _SCAN

    lexer = re.compile(syntax.parser().get_terminal("STRING").pattern.to_regexp())
    splitter = re.compile(_SCAN.pattern.split("|#")[0])  # its two text alternatives, before the comment
    rng = random.Random("texts")
    for _ in range(20_000):
        text = "".join(rng.choice('"\\\nab{#') for _ in range(rng.randint(0, 14)))
        for at in range(len(text)):
            a, b = lexer.match(text, at), splitter.match(text, at)
            assert (a and a.span()) == (b and b.span()), (text, at)


def test_typing_a_block_character_by_character() -> None:
    text = CONTRACTS["nimbus-cloud.sla"]
    at = text.index("  tier standard {")
    typed = '  service cdn {\n    name en "CDN" zh "内容分发"\n    measured per region\n  }\n'
    pieces = Pieces("nimbus-cloud.sla")
    routes: Counter[str] = Counter()
    for n in [*range(0, len(typed), 2), len(typed)]:
        full, incremental = compile_both(text[:at] + typed[:n] + text[at:], pieces)
        assert_same(full, incremental, repr(typed[:n]))
        routes[pieces.route] += 1
    # An unclosed `{` too is a syntax error found from the statement above it, not a parse of the file.
    assert full.ok and routes["statements"] and routes["syntax error"] and not routes["whole"], routes


def test_a_document_opened_with_a_syntax_error_is_not_parsed_whole_on_each_change(monkeypatch) -> None:
    text = CONTRACTS["websoft9.sla"]
    wholes: list[str] = []
    original = Pieces._whole
    monkeypatch.setattr(
        Pieces, "_whole", lambda self, cut, source: wholes.append(source) or original(self, cut, source)
    )
    at = text.index("  tier ")
    pieces = Pieces("websoft9.sla")
    for typed in ["  tier x", "  tier xy", "  tier xyz"]:  # a statement being typed: a syntax error each time
        full, incremental = compile_both(text[:at] + typed + "\n" + text[at:], pieces)
        assert_same(full, incremental, typed)
        assert pieces.route == "syntax error"
    # The first version, all new, tried the whole file once; the next ones start from the statement above.
    assert len(wholes) == 1
    full, incremental = compile_both(text, pieces)  # fixed: the statements after it are parsed now
    assert_same(full, incremental, "fixed")
    assert pieces.route == "statements"
