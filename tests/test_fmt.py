"""`slac fmt`: canonical, idempotent, comment- and policy-preserving; `--check` and atomic writes."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import slac
from slac.cli import main
from slac.errors import SlaError
from slac.fmt import format_source

from .conftest import BAD_CASES, CONTRACTS, ROOT

GOOD = [*CONTRACTS, *sorted((ROOT / "tests" / "cases" / "diff").glob("*/*.sla"))]
CANONICAL = ROOT / "tests" / "golden" / "fmt"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def without_hash(policy: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(policy)
    del out["contract"]["source"]["sha256"]
    del out["content_hash"]  # covers the source hash, so it differs whenever the text does
    return out


def without_source(policy: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(policy)
    del out["contract"]["source"]
    del out["content_hash"]
    return out


def comments(text: str) -> list[str]:
    """Every comment of a contract in order, found by the grammar's own rule (outside texts)."""
    token = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*')
    return [m.group(0).rstrip() for m in token.finditer(text) if m.group(0).startswith("#")]


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


# ---- every contract we have ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", GOOD, ids=label)
def test_format_is_idempotent_and_keeps_policy_and_comments(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    formatted = format_source(source, file=str(path))
    assert format_source(formatted, file=str(path)) == formatted
    assert comments(formatted) == comments(source)
    # Only what is inside a line changes, so even the recorded line numbers agree.
    assert formatted.count("\n") == source.rstrip("\n").count("\n") + 1
    before = slac.compile_policy(source, file=str(path))
    after = slac.compile_policy(formatted, file=str(path))
    assert without_hash(after) == without_hash(before)


@pytest.mark.parametrize("path", [p for p in BAD_CASES if not p.stem.startswith("syn-")], ids=lambda p: p.stem)
def test_contracts_with_semantic_errors_format_to_the_same_diagnostics(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    try:
        formatted = format_source(source, file=str(path))
    except SlaError:
        return  # a value error the parser reports (e.g. a bad date): nothing to format
    assert format_source(formatted, file=str(path)) == formatted

    def where(text: str) -> list[tuple[str, int]]:
        return [(d.code, d.span.line) for d in slac.check(text, file=str(path))]

    assert where(formatted) == where(source)


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.stem)
def test_canonical_form_of_bundled_contracts(path: Path, golden: Any) -> None:
    golden(CANONICAL / path.name, format_source(path.read_text(encoding="utf-8"), file=str(path)))


def test_style_rules() -> None:
    source = """sla x {
title zh "标题" en "Title"
    version    "1"
  effective 2025-01-01      # when
languages zh en
 timezone "UTC"
   currency CNY
  calendar c {
  hours mon - fri , sun 08:00 - 18:00
  }
  channel a {name zh "甲" en "A"}
  channel bb { name zh "乙乙" en "BB" }
  priority p { name zh "普通" en "Normal" }
  tier t {
name zh "一" en "One"
features zh "功能"
  en "Features"
    respond p within 3h during c
    respond p within 30min during c
  }
}
"""
    assert (
        format_source(source)
        == """sla x {
  title     zh "标题" en "Title"
  version   "1"
  effective 2025-01-01  # when
  languages zh en
  timezone  "UTC"
  currency  CNY
  calendar c {
    hours mon-fri,sun 08:00-18:00
  }
  channel a  { name zh "甲"   en "A" }
  channel bb { name zh "乙乙" en "BB" }
  priority p { name zh "普通" en "Normal" }
  tier t {
    name     zh "一" en "One"
    features zh "功能"
             en "Features"
    respond p within 3h    during c
    respond p within 30min during c
  }
}
"""
    )


def test_multi_line_texts_are_kept_verbatim() -> None:
    source = 'sla x {\n    clause c {\n  zh """第一行\n   缩进保留   \n最后"""   en "x"   # note\n  }\n}\n'
    assert (
        format_source(source)
        == 'sla x {\n  clause c {\n    zh """第一行\n   缩进保留   \n最后""" en "x"  # note\n  }\n}\n'
    )


def test_trailing_blank_lines_and_crlf_are_normalised() -> None:
    assert format_source('sla x {\r\n  title en "T"\r\n}\r\n\r\n\r\n') == 'sla x {\n  title en "T"\n}\n'


def test_a_file_without_final_newline_gets_one() -> None:
    assert format_source("sla x {\n  tier u {}\n}") == "sla x {\n  tier u { }\n}\n"


def test_syntax_error_raises_with_position() -> None:
    with pytest.raises(SlaError) as info:
        format_source("sla x {\n  tier t {\n", file="broken.sla")
    assert info.value.diagnostics[0].span.file == "broken.sla"


# ---- generated layouts -------------------------------------------------------------------------------

_PIECES = re.compile(r'("""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*)')


@st.composite
def relayouts(draw: st.DrawFn, text: str) -> str:
    """`text` with its horizontal whitespace changed at random (texts and comments untouched)."""
    blanks = st.sampled_from([" ", "  ", "   ", "\t", " \t ", "      "])
    spaces = st.sampled_from(["", " ", "  "])
    out = []
    for i, piece in enumerate(_PIECES.split(text)):
        if i % 2:
            out.append(piece)
            continue
        # Between tokens: any run of spaces becomes another run; `-` and `,` may gain spaces.
        piece = re.sub(r" +", lambda m: draw(blanks), piece)
        # `-` and `,` of day and clock ranges (not of dates) may gain spaces.
        piece = re.sub(
            r"(?<=\b[a-z]{3})([-,])(?=[a-z]{3}\b)|(?<=\d\d:\d\d)(-)(?=\d)",
            lambda m: draw(spaces) + m.group(0) + draw(spaces),
            piece,
        )
        # Indentation: any, including none; trailing spaces anywhere.
        piece = re.sub(r"\n[ \t]*(?=\S)", lambda m: "\n" + draw(st.sampled_from(["", " ", "\t", "        "])), piece)
        piece = re.sub(r"\n", lambda m: draw(st.sampled_from(["", " ", "\t"])) + "\n", piece)
        out.append(piece)
    # The end of the file: no final newline, one, or trailing blank lines.
    return "".join(out).rstrip("\n") + draw(st.sampled_from(["", "\n", "\n\n  \n"]))


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.stem)
def test_random_relayouts_format_back_to_canonical(path: Path) -> None:
    canonical = format_source(path.read_text(encoding="utf-8"))
    policy = without_source(slac.compile_policy(canonical, file=str(path)))

    @settings(max_examples=40)
    @given(relayouts(canonical))
    def check(variant: str) -> None:
        assert format_source(variant) == canonical
        # Trailing blank lines change the recorded line count, nothing else.
        assert without_source(slac.compile_policy(variant, file=str(path))) == policy

    check()


# ---- the command line ---------------------------------------------------------------------------------


def test_check_exits_1_with_a_unified_diff(tmp_path: Path) -> None:
    target = tmp_path / "c.sla"
    messy = CONTRACTS[0].read_text(encoding="utf-8").replace("  version", "      version", 1)
    target.write_text(messy, encoding="utf-8")
    code, out, err = run("fmt", "--check", str(target))
    assert code == 1
    assert out.startswith(f"--- {target}\n+++ {target} (formatted)\n@@ ")
    assert "-      version" in out and "1 file would be reformatted" in err
    assert target.read_text(encoding="utf-8") == messy  # --check never writes


def test_check_exits_0_on_canonical_files(tmp_path: Path) -> None:
    target = tmp_path / "c.sla"
    target.write_text(format_source(CONTRACTS[0].read_text(encoding="utf-8")), encoding="utf-8")
    code, out, err = run("fmt", "--check", str(target))
    assert code == 0 and out == "" and "0 files would be reformatted, 1 unchanged" in err


def test_fmt_rewrites_in_place(tmp_path: Path) -> None:
    target = tmp_path / "c.sla"
    target.write_text(CONTRACTS[0].read_text(encoding="utf-8").replace("  version", "\tversion", 1), encoding="utf-8")
    code, _, err = run("fmt", str(target))
    assert code == 0 and f"reformatted {target}" in err
    assert target.read_text(encoding="utf-8") == format_source(CONTRACTS[0].read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.sla"]  # no temporary file left behind
    assert run("fmt", str(target))[0] == 0


def test_file_with_errors_is_not_rewritten(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sla"
    text = (ROOT / "tests/cases/bad/sem-duplicate-tier.sla").read_text(encoding="utf-8").replace("  ", "    ")
    bad.write_text(text, encoding="utf-8")
    good = tmp_path / "good.sla"
    good.write_text(CONTRACTS[0].read_text(encoding="utf-8").replace("  version", "    version", 1), encoding="utf-8")
    code, _, err = run("fmt", str(bad), str(good))
    assert code == 1
    assert f"{bad}:" in err and "error[E0301]" in err and "1 with errors" in err
    assert bad.read_text(encoding="utf-8") == text
    # Issue 13: every file is checked before any is written, so the good one is left alone too.
    assert good.read_text(encoding="utf-8") == CONTRACTS[0].read_text(encoding="utf-8").replace(
        "  version", "    version", 1
    )
    assert "nothing was written" in err


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = run("fmt", str(tmp_path / "nope.sla"))
    assert code == 2 and "no such file" in err


def test_pre_commit_hooks_run_real_commands() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    hooks = dict(re.findall(r"- id: (\S+)\n(?:  .*\n)*?  entry: (.+)", text))
    assert hooks == {"slac-fmt": "slac fmt --check", "slac-check": "slac check"}
    for entry in hooks.values():
        assert entry.split()[1] in main.commands
    canonical = sorted(CANONICAL.glob("*.sla"))
    code, _, _ = run(*"fmt --check".split(), *(str(p) for p in canonical))
    assert code == 0


@settings(max_examples=80)
@given(st.data())
def test_mutated_contracts_either_fail_cleanly_or_format_idempotently(data: st.DataObject) -> None:
    """Whatever the parser accepts, fmt formats (its own token check passes); the rest is an SlaError."""
    text = format_source(CONTRACTS[0].read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        insert = data.draw(st.sampled_from(["", " ", "\n", "{", "}", "#", '"', "-", ",", "\t", "x", "1"]))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + insert + text[at + cut :]
    try:
        formatted = format_source(text)
    except SlaError:
        return
    assert format_source(formatted) == formatted


def test_a_formula_amount_is_one_cell_spaced_as_arithmetic() -> None:
    # `-` and `,` glue elsewhere (`mon-fri`); inside a formula they are an operator and an argument list,
    # so `min ( a,b )` (what the token rule alone gave) is written `min(a, b)`, and a band's formula aligns
    # with the other bands' amounts as one cell.
    source = """sla x {
  credit a {
  when uptime below target   5*window_fee*downtime/window
  when uptime below 99.0% min( window_fee,20*window_fee*downtime/window )
  when uptime at or below 90% (window_fee-5)/2
  }
  cap max(1,min(window_fee,2)) per quarter
}
"""
    assert format_source(source) == (
        "sla x {\n"
        "  credit a {\n"
        "    when uptime below target    5 * window_fee * downtime / window\n"
        "    when uptime below 99.0%     min(window_fee, 20 * window_fee * downtime / window)\n"
        "    when uptime at or below 90% (window_fee - 5) / 2\n"
        "  }\n"
        "  cap max(1, min(window_fee, 2)) per quarter\n"
        "}\n"
    )
