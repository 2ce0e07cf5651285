"""Issue 13, items 11–14: policies that tracebacked, options that did, messages that misled.

Item 11 and the exit-code part of item 14 have a generator: every refused policy of
tests/test_hostile_policies.py, and the text-level ones of item 11, through every command that
reads a policy (evaluate, render, diff in either position), each an exit 2 with nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from slac.cli import main

from .conftest import ROOT
from .test_hostile_policies import REFUSED, _edit, _policy, _rehashed

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"


def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _text_cases() -> list[tuple[str, str]]:
    good = json.dumps(_policy())
    return [
        ("int-5000-digits", good.replace('"format_version"', '"x": ' + "1" * 5000 + ', "format_version"', 1)),
        (
            "nested-100000",
            good.replace('"format_version"', '"x": ' + "[" * 100_000 + "]" * 100_000 + ', "format_version"', 1),
        ),
        ("nan-anywhere", good.replace('"format_version"', '"x": NaN, "format_version"', 1)),
        ("infinity", good.replace('"format_version"', '"x": -Infinity, "format_version"', 1)),
        ("float-overflow", good.replace('"format_version"', '"x": 1e400, "format_version"', 1)),
    ]


def _refused_cases() -> list[tuple[str, str]]:
    out = _text_cases()
    for case, path, value, rehash, _ in REFUSED:
        policy = _policy()
        _edit(policy, path, value)
        out.append((case, json.dumps(_rehashed(policy) if rehash else policy)))
    # NaN in a numeric field, with the hash recomputed the way json.dumps writes it
    policy = _policy()
    policy["tiers"][0]["uptime"] = {"percent": float("nan")}
    out.append(("nan-in-a-field", json.dumps(policy)))
    return out


CASES = _refused_cases()


def _commands(policy: Path, tmp: Path) -> dict[str, list[str]]:
    events = []
    for name in ("customers", "tickets", "incidents"):
        events += [f"--{name}", str(EVENTS / f"{name}.csv")]
    return {
        "evaluate": ["evaluate", str(policy), "--period", "2025-03", *events, "-o", str(tmp / "out" / "r.json")],
        "render": ["render", str(policy), "--format", "md", "-o", str(tmp / "out")],
        "diff-old": ["diff", str(policy), str(WEBSOFT9), "-o", str(tmp / "out" / "d.md")],
        "diff-new": ["diff", str(WEBSOFT9), str(policy), "-o", str(tmp / "out" / "d.md")],
    }


@pytest.mark.parametrize(("case", "text"), CASES, ids=[c[0] for c in CASES])
def test_an_unusable_policy_exits_2_from_every_command(tmp_path: Path, case: str, text: str) -> None:
    # item 11: a traceback in evaluate, render and diff; item 14: exit 1 from render, 1 or 2 from diff
    policy = tmp_path / "policy.json"
    policy.write_text(text, encoding="utf-8")
    for name, args in _commands(policy, tmp_path).items():
        result = _run(*args)
        assert result.exit_code == 2, f"{name}: {result.output}"
        assert "cannot use this policy" in result.stderr, f"{name}: {result.stderr}"
        assert len(result.stderr) < 3_000  # a 5,000-digit value is not echoed whole
        assert not (tmp_path / "out").exists(), name


# ---- item 12 --------------------------------------------------------------------------------------


def _reduced(tmp: Path) -> Path:
    new = tmp / "new.sla"
    text = WEBSOFT9.read_text(encoding="utf-8")
    new.write_text(
        text.replace("per missed response 5% of", "per missed response 4% of").replace(
            "expect credit 50 CNY", "expect credit 40 CNY"
        ),
        encoding="utf-8",
    )
    return new


@pytest.mark.parametrize("fee", ["1e30", "1" + "0" * 15, "1e-30", "0.0000001", "NaN", "-1"])
def test_a_reference_fee_out_of_range_is_a_usage_error(tmp_path: Path, fee: str) -> None:
    # 1e30 was decimal.InvalidOperation, exit 1: read by CI as "a reduction"
    result = _run("diff", str(WEBSOFT9), str(_reduced(tmp_path)), "--reference-fee", fee)
    assert result.exit_code == 2, result.output
    assert "--reference-fee" in result.output


def test_reference_fee_minus_zero_is_zero(tmp_path: Path) -> None:
    # printed "-0.00 CNY"
    result = _run("diff", str(WEBSOFT9), str(_reduced(tmp_path)), "--reference-fee", "-0")
    assert result.exit_code == 1  # the reduction, not an error
    assert "-0.00" not in result.stdout and "0.00 CNY" in result.stdout


def test_the_largest_reference_fee_is_evaluated(tmp_path: Path) -> None:
    fee = "9" * 15 + ".999999"  # just under 10^15 with 6 decimals
    result = _run("diff", str(WEBSOFT9), str(_reduced(tmp_path)), "--reference-fee", fee)
    assert result.exit_code == 1, result.output
    assert "999,999,999,999,999" in result.stdout or "999999999999999" in result.stdout


@pytest.mark.parametrize("epoch", ["99999999999999", "-5", "12e3", "abc", "7258118400"])
def test_source_date_epoch_out_of_range_exits_2_before_rendering(tmp_path: Path, epoch: str) -> None:
    # 99999999999999 was "ValueError: year 3170843 is out of range"; 7258118400 is 2200-01-01
    out = tmp_path / "out"
    result = _run(
        "render", str(WEBSOFT9), "--lang", "en", "--format", "pdf", "-o", str(out), env={"SOURCE_DATE_EPOCH": epoch}
    )
    assert result.exit_code == 2, result.output
    assert "SOURCE_DATE_EPOCH" in result.stderr
    assert not out.exists()


def test_source_date_epoch_at_the_end_of_2199_is_used(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    last = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp()) - 1  # 2199-12-31T23:59:59Z
    assert last == 7258118399
    out = tmp_path / "out"
    result = _run(
        "render", str(WEBSOFT9), "--lang", "en", "--format", "pdf", "-o", str(out), env={"SOURCE_DATE_EPOCH": str(last)}
    )
    assert result.exit_code == 0, result.output
    from pypdf import PdfReader

    created = PdfReader(out / "websoft9.en.pdf").metadata.creation_date
    assert created is not None and (created.year, created.month, created.day) == (2199, 12, 31)


# ---- item 13 --------------------------------------------------------------------------------------


def test_a_newline_in_contract_text_cannot_start_a_workflow_command(tmp_path: Path) -> None:
    contract = tmp_path / "inj.sla"
    text = WEBSOFT9.read_text(encoding="utf-8")
    contract.write_text(
        text.replace('url  "https://www.websoft9.com/ticket"', 'url "http://x.example/\\n::error file=pwn::INJECTED"'),
        encoding="utf-8",
    )
    result = _run("check", str(contract))
    assert result.exit_code == 1
    assert "INJECTED" in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.lstrip().startswith("::")]
    assert "x.example/\\n::error" in result.stderr  # shown as its escape


def test_control_characters_in_a_path_are_escaped_in_errors(tmp_path: Path) -> None:
    weird = tmp_path / "a\nb\x1b[2J.sla"
    result = _run("check", str(weird))
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "a\\nb\\x1b[2J.sla" in result.stderr


def test_printable_escapes_every_unshowable_kind() -> None:
    from slac.errors import printable

    assert printable("a\nb\rc\x00d\x1be\u202ef\u200bg\U0001f600") == "a\\nb\\rc\\x00d\\x1be\\u202ef\\u200bg\U0001f600"
    assert printable("tabs\tstay, 中文 too") == "tabs\tstay, 中文 too"


def test_slac_test_escapes_example_titles(tmp_path: Path) -> None:
    contract = tmp_path / "t.sla"
    text = WEBSOFT9.read_text(encoding="utf-8")
    start = text.index("  example ")
    title_start = text.index('"', start) + 1
    contract.write_text(text[:title_start] + "\\n::warning::X " + text[title_start:], encoding="utf-8")
    result = _run("test", str(contract))
    assert result.exit_code == 0, result.output
    assert not [line for line in result.output.splitlines() if line.startswith("::")]


# ---- item 14: the slug of acme_crm_zh and acme_crm's zh edition ---------------------------------


def test_edition_slugs_cannot_collide_with_another_contracts_slug() -> None:
    pytest.importorskip("slac.render")
    from slac.render import front_matter  # type: ignore[attr-defined]

    base = {"contract": {"id": "acme_crm"}, "languages": ["en", "zh"], "title": {"en": "A", "zh": "A"}}
    other = {"contract": {"id": "acme_crm_zh"}, "languages": ["en", "zh"], "title": {"en": "A", "zh": "A"}}
    zh_edition = front_matter(base, edition="zh")["slug"]
    original = front_matter(other, edition="en")["slug"]
    assert zh_edition != original


# ---- SECURITY.md ----------------------------------------------------------------------------------


def test_the_promises_table_names_real_tests() -> None:
    import re

    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    table = text.split("## What each input is promised", 1)[1].split("\n## ", 1)[0]
    defined: dict[str, set[str]] = {
        p.name: set(re.findall(r"^def (test_\w+)", p.read_text(encoding="utf-8"), re.M))
        for p in (ROOT / "tests").glob("test_*.py")
    }
    everywhere = set().union(*defined.values())
    names = re.findall(r"`((?:tests/)?(?:fuzz/)?[\w.]*?(?:test_|fuzz_)\w*(?:\.py)?(?:::\w+)?)`", table)
    assert len(names) > 40
    for name in names:
        path, _, test = name.partition("::")
        if path.startswith("tests/fuzz/"):
            assert (ROOT / path).is_file(), name
        elif path.endswith(".py"):
            assert path in defined, name
            assert not test or test in defined[path], name
        else:
            assert path in everywhere, name
