"""Issue 13, items 5, 7 and 13: contracts that cost minutes, or printed what they should not.

Item 5 has a generator: contracts at the limits (bytes, tokens, statements, name length) made of
declared names and unknown references to them, for every kind of name `support` and `respond`
refer to; each must check in at most 2 s of CPU time.
"""

from __future__ import annotations

import random
import string
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import slac
from slac import limits
from slac.cli import main

from .conftest import ROOT

ACME = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8")


def unknown_names_at_the_limits(name_len: int, kind: str, seed: int = 0) -> str:
    """The acme contract plus as many declarations and unknown references as the limits allow.

    `kind` is what is referred to: `channel` (in `support` lines of one tier, many per line) or
    `priority` (one `respond` statement each). Every reference is a fresh random name of
    `name_len` letters, so nothing is cached and every one asks "did you mean".
    """
    rnd = random.Random(seed)

    def word() -> str:
        return rnd.choice("cp") + "".join(rnd.choices(string.ascii_lowercase, k=name_len - 1))

    declared = limits.MAX_STATEMENTS // 2 - 400 if kind == "channel" else 300
    body = "".join(f'  {kind} {word()} {{ name en "x" zh "x" }}\n' for _ in range(declared))
    head = ACME[: ACME.rindex("}")] + body
    tokens = len(head.split()) + 50
    lines: list[str] = []
    size = len(head.encode()) + 100
    statements = declared * 2 + 200
    while True:
        if kind == "channel":
            refs = " ".join(word() for _ in range(20))
            line, cost, count = f"    support {refs}\n", 21, 1
        else:
            line, cost, count = f"    respond {word()} within 4h during always\n", 6, 1
        if (
            size + len(line) >= limits.MAX_SOURCE_BYTES
            or tokens + cost >= limits.MAX_TOKENS
            or statements + count >= limits.MAX_STATEMENTS
        ):
            break
        lines.append(line)
        size, tokens, statements = size + len(line), tokens + cost, statements + count
    return head + '  tier zz {\n    name en "Z" zh "Z"\n' + "".join(lines) + "    uptime 99.5%\n  }\n}\n"


@pytest.mark.parametrize(("kind", "name_len"), [("channel", limits.MAX_NAME_CHARS), ("channel", 6), ("priority", 16)])
def test_did_you_mean_is_bounded_at_the_limits(kind: str, name_len: int) -> None:
    # was 63 s for an 84 KB contract of unknown names (about 15 minutes at 256 KiB)
    source = unknown_names_at_the_limits(name_len, kind)
    assert len(source.encode()) <= limits.MAX_SOURCE_BYTES
    slac.check("sla warm {}\n", file="warm.sla")
    started = time.process_time()
    diagnostics = slac.check(source, file="limits.sla")
    spent = time.process_time() - started
    unknown = [d for d in diagnostics if d.code in ("E0306", "E0303", "E0302")]
    assert unknown, sorted({d.code for d in diagnostics})  # the references were checked, not refused earlier
    assert spent <= 3.0, f"{spent:.2f} s of CPU for {len(source.encode()):,} bytes"


def test_the_hints_are_the_same_every_time() -> None:
    # The budget is counted, not timed: the same contract gets the same hints.
    source = unknown_names_at_the_limits(limits.MAX_NAME_CHARS, "channel", seed=3)
    first = [d.hint for d in slac.check(source, file="x.sla")]
    assert first == [d.hint for d in slac.check(source, file="x.sla")]


def test_a_near_miss_is_still_suggested_after_many_unknown_names() -> None:
    # Each contract gets its own budget: a big one checked before does not spend this one's.
    slac.check(unknown_names_at_the_limits(limits.MAX_NAME_CHARS, "channel"), file="big.sla")
    broken = ACME.replace("respond urgent within 8h", "respond urgnet within 8h", 1)
    [d] = [d for d in slac.check(broken, file="x.sla") if d.severity == "error"]
    assert d.hint == "did you mean `urgent`?"


def test_a_hint_lists_at_most_ten_names() -> None:
    from slac.checks.context import suggest

    names = [f"channel{i:04d}" for i in range(1200)]
    hint = suggest("zzzz", names, "channel")
    assert hint.count("`") == 20 and "1,190 more" in hint  # ten names quoted, and the rest counted


# ---- item 7: unbroken words in the PDF, holiday years × calendars ---------------------------------

SECURITY_CLAUSE = "run a public bug-bounty programme."


def _with_words(word_len: int, count: int) -> str:
    words = " ".join(("w" + str(i)).ljust(word_len, "x") for i in range(count))
    return ACME.replace(SECURITY_CLAUSE, f"run a public {words} programme.", 1)


def test_twelve_19000_character_words_are_refused_before_rendering() -> None:
    # 12 unbroken 19,000-character words (a 229 KB contract) took 80 s to render as PDF.
    source = ACME.replace(SECURITY_CLAUSE, SECURITY_CLAUSE + '"\n    zh "' + "z" * 19_000, 1)
    for _ in range(11):
        source = source.replace(
            "  clause force_majeure {", '  clause w { en "' + "y" * 19_000 + '" }\n  clause force_majeure {', 1
        )
    started = time.process_time()
    diagnostics = slac.check(source, file="words.sla")
    assert time.process_time() - started < 2
    [d] = [d for d in diagnostics if d.code == "E0216"]
    assert "19,000 characters" in d.message, d.message


def test_one_word_over_the_limit() -> None:
    # the run is every character up to the next space, the full stop included: 199 + 1 = 200
    ok = ACME.replace(SECURITY_CLAUSE, "see " + "a" * (limits.MAX_UNBROKEN_CHARS - 1) + ".", 1)
    assert not [d for d in slac.check(ok, file="x.sla") if d.code == "E0216"]
    over = ACME.replace(SECURITY_CLAUSE, "see " + "a" * limits.MAX_UNBROKEN_CHARS + ".", 1)
    [d] = [d for d in slac.check(over, file="x.sla") if d.code == "E0216"]
    assert f"{limits.MAX_UNBROKEN_CHARS + 1:,} characters" in d.message
    assert d.span.line == 138  # the `en` text of clause security


def test_spaces_hyphens_and_cjk_break_a_run() -> None:
    # 300 letters in words joined by a hyphen, a dash and CJK text: no run is over 200.
    text = "a" * 150 + "-" + "b" * 150 + "—" + "c" * 150 + "服务" + "d" * 150
    source = ACME.replace(SECURITY_CLAUSE, text, 1)
    assert not [d for d in slac.check(source, file="x.sla") if d.code == "E0216"]


def test_long_words_are_bounded_together() -> None:
    # 97 words of 41 characters are 3,977 characters: within MAX_LONG_RUN_CHARS; 98 are 4,018.
    assert 97 * 41 <= limits.MAX_LONG_RUN_CHARS < 98 * 41
    assert not [d for d in slac.check(_with_words(41, 97), file="x.sla") if d.code == "E0216"]
    [d] = [d for d in slac.check(_with_words(41, 98), file="x.sla") if d.code == "E0216"]
    assert "4,000" in d.message


def test_a_pdf_at_the_word_limits_renders_in_bounded_time() -> None:
    from slac.render import render

    base = slac.compile_policy(ACME, file="acme.sla")
    # 19 words of 200 characters (3,800 in long words), the most the limits allow of the longest words
    worst = slac.compile_policy(_with_words(limits.MAX_UNBROKEN_CHARS, 19), file="acme.sla")
    render(base, edition="en", fmt="pdf")  # fonts and templates loaded
    started = time.process_time()
    render(base, edition="en", fmt="pdf")
    plain = time.process_time() - started
    started = time.process_time()
    render(worst, edition="en", fmt="pdf")
    extra = time.process_time() - started - plain
    assert extra < 2.0, f"{extra:.2f} s more than the plain contract's {plain:.2f} s"


def _calendars(count: int) -> str:
    calendars = "".join(
        f'  calendar c{i} {{\n    hours mon-fri 09:00-18:00\n    holidays "CN"\n  }}\n' for i in range(count)
    )
    return ACME[: ACME.rindex("}")] + calendars + "}\n"


def test_holiday_years_times_calendars_is_limited(tmp_path: Path) -> None:
    # `compile --holiday-years 2025-2125` of many calendars took 16 s and 360 MB for a 51 MB policy.
    contract = tmp_path / "hol.sla"
    contract.write_text(_calendars(300), encoding="utf-8")
    out = tmp_path / "hol.json"
    started = time.process_time()
    result = CliRunner().invoke(main, ["compile", str(contract), "--holiday-years", "2025-2125", "-o", str(out)])
    assert time.process_time() - started < 2
    assert result.exit_code == 1, result.output
    # 300 calendars with holidays and acme's own `business` one: 301 × 101 years = 30,401 calendar-years
    assert "E0223" in result.stderr and "30,401 calendar-years" in result.stderr
    assert not out.exists()


def test_the_default_years_count_too() -> None:
    # The default is the effective year and five more: 6 years. 333 × 6 = 1,998 fit; 334 × 6 = 2,004
    # do not. Acme has one calendar with holidays of its own.
    assert 333 * 6 <= limits.MAX_HOLIDAY_CALENDAR_YEARS < 334 * 6
    assert not [d for d in slac.check(_calendars(332), file="x.sla") if d.code == "E0223"]
    from slac.driver import compile_source

    compiled = compile_source(_calendars(333), file="x.sla")
    assert [d.code for d in compiled.diagnostics if d.severity == "error"] == ["E0223"]
