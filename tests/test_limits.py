"""Every limit of `slac.limits`: a value at the limit is accepted, one past it gets its own clear error."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

import slac
from slac import limits
from slac.driver import compile_source
from slac.errors import format_text

from .conftest import ROOT
from .test_checks import SKELETON, codes, diagnostics, mutate, only


def _no_limit_errors(source: str) -> None:
    found = [d for d in diagnostics(source) if d.code.startswith(("E013", "E021", "E022"))]
    assert not found, [(d.code, d.message) for d in found]


# ---- source size --------------------------------------------------------------------------------


def test_source_at_the_size_limit_is_read() -> None:
    padding = limits.MAX_SOURCE_BYTES - len(SKELETON.encode("utf-8"))
    source = SKELETON + "#" * (padding - 1) + "\n"
    assert len(source.encode("utf-8")) == limits.MAX_SOURCE_BYTES
    _no_limit_errors(source)


def test_source_over_the_size_limit_is_refused_before_parsing() -> None:
    source = SKELETON + "#" * limits.MAX_SOURCE_BYTES
    started = time.perf_counter()
    d = only(source, "E0130")
    assert time.perf_counter() - started < 0.5  # refused, not parsed
    assert "256 KiB" in d.message and (d.span.line, d.span.column) == (1, 1)


def test_size_is_counted_in_bytes_not_characters() -> None:
    # 3 bytes per character: under the limit in characters, over it in bytes.
    source = SKELETON + "# " + "服" * (limits.MAX_SOURCE_BYTES // 3) + "\n"
    assert len(source) < limits.MAX_SOURCE_BYTES < len(source.encode("utf-8"))
    assert codes(source) == ["E0130"]


@pytest.mark.parametrize(
    "filler",
    [
        lambda n: "  window " + " ".join(["a"] * n),  # words
        lambda n: "  hours " + "-".join(["a"] * ((n + 1) // 2)),  # one "word" the lexer splits
        lambda n: "  " + "{" * n,  # symbols
    ],
    ids=["names", "dashes", "braces"],
)
def test_token_count(filler) -> None:
    over = mutate(("  billing   monthly", "  billing   monthly\n" + filler(limits.MAX_TOKENS)))
    started = time.perf_counter()
    d = only(over, "E0130")
    assert time.perf_counter() - started < 0.5  # counted, not parsed
    assert f"{limits.MAX_TOKENS:,} tokens" in d.message


def test_texts_and_comments_are_cheap_tokens() -> None:
    # A long text is one token and a comment none: a contract of long clauses is not refused.
    clause = '  clause c{} {{ en "' + "word " * 3000 + '" zh "字" }}\n  # ' + "note " * 100
    source = mutate(("  billing   monthly", "  billing   monthly\n" + "\n".join(clause.format(i) for i in range(10))))
    assert "E0130" not in codes(source)


def test_too_many_lines() -> None:
    source = SKELETON + "\n" * limits.MAX_LINES
    d = only(source, "E0130")
    assert f"{limits.MAX_LINES:,} lines" in d.message
    assert d.span.line == limits.MAX_LINES + 1


# ---- values -------------------------------------------------------------------------------------


def test_text_length() -> None:
    at_limit = ("x" * 9 + " ") * (limits.MAX_TEXT_CHARS // 10)  # words: one run of 20,000 would be E0216
    _no_limit_errors(mutate(('"The service."', f'"{at_limit}"')))
    d = only(mutate(('"The service."', f'"{at_limit}y"')), "E0210")
    assert f"{limits.MAX_TEXT_CHARS + 1:,} characters" in d.message


def test_text_length_counts_the_text_not_its_escapes() -> None:
    escaped = "\\n" * limits.MAX_TEXT_CHARS  # 2 characters in the source, 1 in the text
    _no_limit_errors(mutate(('"The service."', f'"{escaped}"')))


def test_name_length() -> None:
    ok = "d" * limits.MAX_NAME_CHARS
    _no_limit_errors(mutate(("define service", f"define {ok}")))
    d = only(mutate(("define service", f"define {ok}x")), "E0211")
    assert d.hint is not None and str(limits.MAX_NAME_CHARS) in d.hint


@pytest.mark.parametrize(
    "money",
    [
        "9" * limits.MAX_DIGITS,
        "1" + "0" * limits.MAX_DIGITS,  # exactly 10^15 is still written with 16 digits
        "0." + "0" * (limits.MAX_DECIMALS - 1) + "1",
        "0" * 40 + "7",  # leading zeros do not count
    ],
)
def test_amount_within_limits(money: str) -> None:
    assert "E0212" not in codes(mutate(("fee 100 USD", f"fee {money} USD")))


@pytest.mark.parametrize(
    "money",
    [
        "1" + "0" * limits.MAX_DIGITS + ".5",
        "9" * (limits.MAX_DIGITS + 1),
        "9" * 500,  # once crashed the policy stage: Decimal.quantize ran out of precision
        "1." + "1" * (limits.MAX_DECIMALS + 1),
    ],
)
def test_amount_out_of_range(money: str) -> None:
    d = only(mutate(("fee 100 USD", f"fee {money} USD")), "E0212")
    assert "amount" in d.message and len(d.message) < 120  # a 500-digit number is shown shortened


@pytest.mark.parametrize(
    ("percent", "ok"),
    [
        (f"{limits.MAX_PERCENT}%", True),
        ("99." + "9" * limits.MAX_DECIMALS + "%", True),
        (f"{limits.MAX_PERCENT}.000001%", False),
        ("99." + "9" * (limits.MAX_DECIMALS + 1) + "%", False),
        ("1" + "0" * 400 + "%", False),  # the `1e400%` of the issue, written out
    ],
)
def test_percentage_magnitude(percent: str, ok: bool) -> None:
    found = codes(mutate(("uptime  99.5%", f"uptime  {percent}")))
    assert ("E0212" not in found) if ok else (found == ["E0212"]), found


@pytest.mark.parametrize(
    ("duration", "ok"),
    [
        (f"{limits.MAX_DURATION_MS // 86_400_000}d", True),
        (f"{limits.MAX_DURATION_MS}ms", True),
        (f"{limits.MAX_DURATION_MS // 86_400_000}d1ms", False),
        ("36500d8784h", False),  # each part fine, the sum too long
        ("365000000000000d", False),  # 10^12 years
        ("9" * 5000 + "d", False),  # more digits than int() converts by default
    ],
)
def test_duration_magnitude(duration: str, ok: bool) -> None:
    found = codes(mutate(("claim within 30d", f"claim within {duration}")))
    assert ("E0213" not in found) if ok else (found == ["E0213"]), found


def test_repeat_upper_bound() -> None:
    event = "ticket urgent opened 2025-03-11T00:00Z responded 2025-03-11T02:00Z outage"
    ok = mutate((event, f"repeat {limits.MAX_REPEAT} {event}"))
    assert "E0214" not in codes(ok)
    d = only(mutate((event, f"repeat {limits.MAX_REPEAT + 1} {event}")), "E0214")
    assert "repeat" in d.message


def test_whole_number_upper_bound() -> None:
    found = codes(mutate(("expect credit 15 USD", f"expect breaches {limits.MAX_COUNT + 1}")))
    assert found == ["E0214"]
    assert codes(mutate(("expect credit 15 USD", "expect breaches " + "9" * 5000))) == ["E0214"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("effective 2025-01-01", f"effective {limits.MIN_YEAR - 1}-12-31"),
        ("effective 2025-01-01", f"effective {limits.MAX_YEAR + 1}-01-01"),
        ("period 2025-03", "period 0000-03"),
        ("outage 2025-03-10T00:00Z", "outage 0001-01-01T00:00+08:00"),  # once an OverflowError
        ("outage 2025-03-10T00:00Z", "outage 9999-12-31T23:59-12:00"),
    ],
)
def test_years_outside_the_range(old: str, new: str) -> None:
    d = only(mutate((old, new)), "E0215")
    assert f"{limits.MIN_YEAR}–{limits.MAX_YEAR}" in d.message


def test_years_at_the_edges_are_accepted() -> None:
    source = mutate(("effective 2025-01-01", f"effective {limits.MIN_YEAR}-01-01"))
    assert "E0215" not in codes(source)
    source = mutate(("effective 2025-01-01", f"effective {limits.MAX_YEAR}-12-31"))
    assert "E0215" not in codes(source)


# ---- counts -------------------------------------------------------------------------------------


def _with(lines: str) -> str:
    return mutate(('  define service { en "The service." zh "服务。" }', lines))


def test_statement_count() -> None:
    # Two-token statements, so that the statement limit is reached before the token limit.
    base = len(SKELETON.splitlines())  # a generous bound on the skeleton's own statements
    d = only(_with("\n".join(["  billing monthly"] * limits.MAX_STATEMENTS)), "E0220")
    assert f"{limits.MAX_STATEMENTS:,}" in d.message
    assert "E0220" not in codes(_with("\n".join(["  billing monthly"] * (limits.MAX_STATEMENTS - base))))


def _tier(i: int) -> str:
    return f'  tier t{i} {{\n    name en "T" zh "T"\n    uptime 99.9%\n  }}'


def test_tier_count() -> None:
    extra = limits.MAX_TIERS - 2  # the skeleton has two
    assert "E0221" not in codes(_with("\n".join(_tier(i) for i in range(extra))))
    source = _with("\n".join(_tier(i) for i in range(extra + 1)))
    d = only(source, "E0221")
    assert "tiers" in d.message
    assert d.span.line == source[: source.index(f"tier t{extra} ")].count("\n") + 1  # the first tier too many


def _example(i: int) -> str:
    return f'  example "e{i}" {{\n    tier pro\n    fee 1 USD\n    expect breaches 0\n  }}'


def test_example_count() -> None:
    extra = limits.MAX_EXAMPLES - 1
    assert "E0221" not in codes(_with("\n".join(_example(i) for i in range(extra))))
    d = only(_with("\n".join(_example(i) for i in range(extra + 1))), "E0221")
    assert "examples" in d.message


def test_events_per_example_count_repeats() -> None:
    event = "ticket urgent opened 2025-03-11T00:00Z responded 2025-03-11T02:00Z outage"
    half = limits.MAX_EXAMPLE_EVENTS // 2
    # The skeleton's example also has one outage: half + (half - 1) + 1 is exactly the limit.
    assert "E0222" not in codes(mutate((event, f"repeat {half} {event}\n    repeat {half - 1} {event}")))
    d = only(mutate((event, f"repeat {half} {event}\n    repeat {half} {event}\n    {event}")), "E0222")
    assert f"{limits.MAX_EXAMPLE_EVENTS + 2:,} events" in d.message


# ---- output -------------------------------------------------------------------------------------


def test_diagnostics_are_capped_with_a_count_of_the_rest() -> None:
    names = " ".join(f"x{i}" for i in range(limits.MAX_DIAGNOSTICS + 100))
    found = diagnostics(mutate(("excludes    maintenance", f"excludes    {names}")))
    assert len(found) == limits.MAX_DIAGNOSTICS + 1
    assert found[-1].code == "E0140" and "100 more problems" in found[-1].message


def test_a_long_line_is_shown_around_the_caret() -> None:
    names = " ".join(f"x{i}" for i in range(3000))
    source = mutate(("excludes    maintenance", f"excludes    {names}"))
    last = [d for d in diagnostics(source) if d.code == "E0305"][-1]
    text = format_text([last], {"t.sla": source})
    line, caret = text.splitlines()[2:4]
    assert len(line) < 500 and line.endswith("…")
    word = re.match(r"x\d+", line[caret.index("^") :])
    assert word is not None and f" {word.group(0)} " in source  # the caret is under the reported name


def test_every_limit_is_documented() -> None:
    security = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    for name in dir(limits):
        if name.isupper():
            assert f"`{name}`" in security, f"SECURITY.md does not document limits.{name}"


def test_every_new_code_is_listed_in_the_codes_docstring() -> None:
    import slac.checks

    doc = slac.checks.__doc__ or ""
    used = set()
    for path in (ROOT / "compiler").rglob("*.py"):
        used |= set(re.findall(r'"([EW]\d{4})"', path.read_text(encoding="utf-8")))
    missing = sorted(code for code in used if code not in doc)
    assert not missing, f"codes missing from the docstring of slac.checks: {missing}"


def test_api_check_and_parse_share_the_screen() -> None:
    with pytest.raises(slac.SlaError) as info:
        slac.parse(SKELETON + "#" * limits.MAX_SOURCE_BYTES)
    assert [d.code for d in info.value.diagnostics] == ["E0130"]


@pytest.mark.parametrize("years", ["0-50", "1969-1970", "2190-2200", "9990-10050"])
def test_holiday_years_outside_the_range_are_a_usage_error(years: str, tmp_path) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    from .conftest import CONTRACTS

    out = tmp_path / "p.json"
    result = CliRunner().invoke(main, ["compile", str(CONTRACTS[0]), "--holiday-years", years, "-o", str(out)])
    assert result.exit_code == 2 and f"{limits.MIN_YEAR}-{limits.MAX_YEAR}" in result.output
    assert not out.exists()


def test_events_of_all_examples_together() -> None:
    per = limits.MAX_EXAMPLE_EVENTS
    count = limits.MAX_TOTAL_EXAMPLE_EVENTS // per

    def examples(n: int) -> str:
        event = "ticket normal opened 2025-03-04T09:00Z responded 2025-03-04T10:00Z"
        return "\n".join(
            f'  example "x{i}" {{\n    tier pro\n    fee 1 USD\n    repeat {per} {event}\n  }}' for i in range(n)
        )

    # `count` examples of `per` events reach the limit exactly; the skeleton's own example, after
    # them, has two more events and is the one reported.
    source = _with(examples(count))
    d = only(source, "E0222")
    assert f"more than {limits.MAX_TOTAL_EXAMPLE_EVENTS:,} events in all" in d.message
    assert d.span.line == source[: source.index('example "a bad month"')].count("\n") + 1
    assert "E0222" not in codes(_with(examples(count - 1)))


@pytest.mark.parametrize(
    ("hours", "within", "ok"),
    [
        ("mon 00:00-24:00", "520d", True),  # 520 Mondays: ten years of weeks, inside the horizon
        ("mon-sun 00:00-24:00", f"{limits.MAX_DEADLINE_DAYS - 10}d", True),
        ("mon-sun 00:00-24:00", f"{limits.MAX_DEADLINE_DAYS + 10}d", False),
        ("mon 00:00-00:01", "36600d", False),  # once 64k days of timeline, then an OverflowError
    ],
)
def test_deadline_horizon_of_a_calendar_without_holidays(hours: str, within: str, ok: bool) -> None:
    source = (ROOT / "tests" / "cases" / "bad" / "lim-deadline-beyond-range.sla").read_text(encoding="utf-8")
    source = source.replace("hours mon 00:00-00:01", f"hours {hours}").replace("within 36600d", f"within {within}")
    found = slac.check(source, file="t.sla")  # with the examples run by the evaluator
    if ok:
        assert not [d for d in found if d.severity == "error"], found
    else:
        # refused where the target is written (E0227), before an example's deadline would reach past the
        # horizon (E0712); `36600d during tiny` also warns (W0811)
        errors = [d for d in found if d.severity == "error"]
        assert [d.code for d in errors] == ["E0227"] and f"{limits.MAX_DEADLINE_DAYS:,} days ahead" in errors[0].message


def test_contract_files_are_checked_before_they_are_read(tmp_path) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    big = tmp_path / "big.sla"
    big.write_text("#" * (limits.MAX_SOURCE_BYTES + 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(big)])
    assert result.exit_code == 2 and "larger than the 256 KiB" in result.stderr
    if Path("/dev/zero").exists():  # a device never ends: it is refused, not read
        device = tmp_path / "zero.sla"
        device.symlink_to("/dev/zero")
        result = CliRunner().invoke(main, ["check", str(device)])
        assert result.exit_code == 2 and "not a regular file" in result.stderr


@pytest.mark.parametrize("depth", [limits.MAX_NESTING + 1, 330])
def test_nesting_past_the_limit_is_named_before_parsing(depth: int) -> None:
    """330 nested `min(` overflowed the parser's recursion (a RecursionError traceback from `slac check`)."""
    source = (ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8")
    formula = "10 * window_fee * downtime / window"
    assert source.count(formula) == 1
    deep = source.replace(formula, "min(" * depth + "window_fee" + ", window_fee)" * depth)
    found = [d for d in compile_source(deep, file="harbor-desk.sla").diagnostics if d.severity == "error"]
    start = deep.index("min(" * depth) + 4 * limits.MAX_NESTING  # the first parenthesis past the limit
    line = deep[:start].count("\n") + 1
    column = start - deep.rfind("\n", 0, start) + len("min")
    assert [(d.code, d.span.line, d.span.column) for d in found] == [("E0130", line, column)]
    assert f"more than {limits.MAX_NESTING} deep" in found[0].message


def test_nesting_up_to_the_limit_parses() -> None:
    source = (ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8")
    deep = source.replace(
        "10 * window_fee * downtime / window", "(" * limits.MAX_NESTING + "window_fee" + ")" * limits.MAX_NESTING
    )
    assert "E0130" not in {d.code for d in compile_source(deep, file="harbor-desk.sla", examples=False).diagnostics}
