"""`slac diff`: the pair catalogue, direction properties, exact figures, the CLI gate and the strings."""

from __future__ import annotations

import json
import re
import string
import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import slac
from slac.change.diff import Strings, allowed_downtime, diff, duration
from slac.cli import main

from .conftest import CONTRACTS, ROOT

CASES = sorted(p for p in (ROOT / "tests" / "cases" / "diff").iterdir() if p.is_dir())
STRINGS = ROOT / "templates" / "strings"
BASE = CASES[0] / "old.sla"  # every pair starts from the same small contract (or one edit of it)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@cache
def policy_of(path: Path) -> dict[str, Any]:
    return slac.compile_policy(path.read_text(encoding="utf-8"), file=str(path))


def kinds(result: Any) -> dict[str, str]:
    return {c.term: c.kind for c in result.changes}


# ---- the catalogue ----------------------------------------------------------------------------------


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_catalogue_pair(case: Path, golden: Any) -> None:
    code, out, err = run("diff", "--format", "json", str(case / "old.sla"), str(case / "new.sla"))
    assert code in (0, 1), err
    report = json.loads(out)
    # The exit code is the gate: 1 exactly when a reduction is present.
    assert (code == 1) == (report["summary"]["reduction"] > 0)
    assert report["summary"]["reduction"] == sum(c["kind"] == "reduction" for c in report["changes"])
    summary = {
        "exit": code,
        "changes": [
            {
                "term": c["term"],
                "kind": c["kind"],
                "ambiguous": c["ambiguous"],
                "en": f"{c['text']['en']['subject']}: {c['text']['en']['detail']}",
                "zh": f"{c['text']['zh']['subject']}：{c['text']['zh']['detail']}",
            }
            for c in report["changes"]
        ],
    }
    golden(case / "expected.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")


def test_catalogue_names_say_what_they_test() -> None:
    """Spot checks that do not depend on the goldens: the kind each named pair is about."""
    expect = {
        "response-longer": ("tier:premium/response:urgent", "reduction"),
        "response-shorter": ("tier:premium/response:urgent", "improvement"),
        "response-calendar-narrower": ("tier:premium/response:high", "reduction"),
        "response-calendar-wider": ("tier:premium/response:high", "improvement"),
        "hours-fewer": ("calendar:business/hours", "reduction"),
        "hours-more": ("calendar:business/hours", "improvement"),
        "hours-mixed": ("calendar:business/hours", "reduction"),
        "holidays-removed": ("calendar:business/holidays", "improvement"),
        "holidays-added": ("calendar:business/holidays", "reduction"),
        "tier-removed": ("tier:enterprise", "reduction"),
        "exclusion-added": ("exclusion:third_party", "reduction"),
        "exclusion-removed": ("exclusion:third_party", "improvement"),
        "claim-window-shorter": ("claim:within", "reduction"),
        "cap-removed": ("cap", "improvement"),
        "cap-added": ("cap", "reduction"),
        "translation-only": ("clause:sole_remedy", "wording"),
        "clause-original-changed": ("clause:sole_remedy", "reduction"),
        "tier-name-translation": ("tier:basic/name", "wording"),
        "version-bump": ("contract:version", "neutral"),
        "claim-contact-changed": ("claim:via", "neutral"),
    }
    for name, (term, kind) in expect.items():
        result = diff(
            policy_of(ROOT / "tests/cases/diff" / name / "old.sla"),
            policy_of(ROOT / "tests/cases/diff" / name / "new.sla"),
        )
        assert kinds(result).get(term) == kind, (name, kinds(result))


def test_ambiguous_changes_are_reductions_both_ways() -> None:
    for name in ("hours-mixed", "response-time-and-calendar-mixed", "credit-band-mixed", "calendar-zone-changed"):
        old, new = (policy_of(ROOT / "tests/cases/diff" / name / f) for f in ("old.sla", "new.sla"))
        for result in (diff(old, new), diff(new, old)):
            assert any(c.kind == "reduction" and c.ambiguous for c in result.changes), name


def test_mixed_calendar_says_what_it_gains_and_loses() -> None:
    case = ROOT / "tests/cases/diff/hours-mixed"
    [change] = [c for c in diff(policy_of(case / "old.sla"), policy_of(case / "new.sla")).changes]
    en = change.detail(Strings("en"))
    assert en == "gains Sat 10:00–14:00, loses Mon–Fri 16:00–17:00"
    assert "除非能证明并非如此" in change.reason(Strings("zh"))


def test_layout_and_comments_are_not_changes() -> None:
    case = ROOT / "tests/cases/diff/layout-and-comments-only"
    assert diff(policy_of(case / "old.sla"), policy_of(case / "new.sla")).changes == ()


# ---- properties -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [*CONTRACTS, *(c / "new.sla" for c in CASES)], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_diff_of_a_contract_with_itself_is_empty(path: Path) -> None:
    assert diff(policy_of(path), policy_of(path)).changes == ()


OPPOSITE = {"reduction": "improvement", "improvement": "reduction", "neutral": "neutral", "wording": "wording"}


def assert_swaps(old: dict[str, Any], new: dict[str, Any]) -> None:
    forward, backward = diff(old, new), diff(new, old)
    back = {c.term: c for c in backward.changes}
    assert set(back) == {c.term for c in forward.changes}
    for change in forward.changes:
        if change.ambiguous or back[change.term].ambiguous:
            assert change.kind == back[change.term].kind == "reduction", change.term
        else:
            assert back[change.term].kind == OPPOSITE[change.kind], change.term


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_swapping_old_and_new_flips_every_one_dimensional_change(case: Path) -> None:
    assert_swaps(policy_of(case / "old.sla"), policy_of(case / "new.sla"))


TEMPLATE = string.Template(
    """sla gen {
  title     en "SLA" zh "协议"
  version   "1"
  effective 2026-01-01
  languages en zh
  timezone  "UTC"
  currency  USD
  calendar always {
    hours mon-sun 00:00-24:00
  }
  calendar business {
    hours mon-fri $open-$close
  }
  priority high { name en "High" zh "高" }
  tier only {
    name   en "Only" zh "唯一"
    uptime $uptime%
    respond high within ${response}min during $calendar
  }
  credit downtime {
    when uptime below target $small% of monthly_fee
    when uptime below $low% $large% of monthly_fee
  }
  credit missed {
    per missed response $per_miss% of monthly_fee
  }
  cap $cap% of monthly_fee per month
  claim within ${claim}d via "claims@example.com"
  availability {
    minimum outage ${minimum}min
    maintenance notice ${notice}h
  }
  exclude planned_maintenance { en "Planned maintenance" zh "计划维护" }
}
"""
)


@st.composite
def contracts(draw: st.DrawFn) -> dict[str, Any]:
    small = draw(st.integers(1, 30))
    large = draw(st.integers(small, 100))
    per_miss = draw(st.integers(1, 10))
    # The cap holds at least one credit of either kind (a lower one is E0609, not a contract to compare).
    cap = draw(st.integers(max(large, per_miss), 100))
    return {
        "open": f"{draw(st.integers(6, 11)):02d}:00",
        "close": f"{draw(st.integers(12, 23)):02d}:00",
        "uptime": str(Decimal(draw(st.integers(9950, 9999))) / 100),
        "response": draw(st.integers(1, 600)),
        "calendar": draw(st.sampled_from(["always", "business"])),
        "small": small,
        "low": draw(st.sampled_from(["95", "97.5", "99"])),
        "large": large,
        "per_miss": per_miss,
        "cap": cap,
        "claim": draw(st.integers(1, 90)),
        "minimum": draw(st.integers(1, 10)),
        "notice": draw(st.integers(1, 96)),
    }


def compile_text(values: dict[str, Any]) -> dict[str, Any]:
    return slac.compile_policy(TEMPLATE.substitute(values), file="gen.sla")


@given(contracts(), contracts())
def test_generated_pairs_flip_when_swapped(a: dict[str, Any], b: dict[str, Any]) -> None:
    old, new = compile_text(a), compile_text(b)
    assert diff(old, old).changes == ()
    assert_swaps(old, new)
    terms = kinds(diff(old, new))
    # One-dimensional terms go the way their numbers say.
    if Decimal(b["uptime"]) != Decimal(a["uptime"]):
        assert terms["tier:only/uptime"] == (
            "improvement" if Decimal(b["uptime"]) > Decimal(a["uptime"]) else "reduction"
        )
    if a["claim"] != b["claim"]:
        assert terms["claim:within"] == ("improvement" if b["claim"] > a["claim"] else "reduction")
    if a["per_miss"] != b["per_miss"]:
        assert terms["credit:missed/per_miss"] == ("improvement" if b["per_miss"] > a["per_miss"] else "reduction")
    if a["calendar"] == b["calendar"] == "always" and a["response"] != b["response"]:
        assert terms["tier:only/response:high"] == ("improvement" if b["response"] < a["response"] else "reduction")


# ---- exact figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uptime", "seconds", "en", "zh"),
    [
        ("99.9", "2592", "43 min 12 s", "43 分钟 12 秒"),
        ("99.95", "1296", "21 min 36 s", "21 分钟 36 秒"),
        ("99.99", "259.2", "4 min 19.2 s", "4 分钟 19.2 秒"),
        ("99.5", "12960", "3 h 36 min", "3 小时 36 分钟"),
        ("100", "0", "0 s", "0 秒"),
    ],
)
def test_allowed_downtime_is_exact(uptime: str, seconds: str, en: str, zh: str) -> None:
    value = allowed_downtime(Decimal(uptime))
    assert value == Decimal(seconds)
    assert duration(value)(Strings("en")) == en
    assert duration(value)(Strings("zh")) == zh


def test_uptime_change_is_quantified() -> None:
    case = ROOT / "tests/cases/diff/uptime-lower"
    change = next(
        c
        for c in diff(policy_of(case / "old.sla"), policy_of(case / "new.sla")).changes
        if c.term == "tier:basic/uptime"
    )
    assert change.detail(Strings("en")) == "99.9% → 99.5%; allowed downtime per 30-day month: 43 min 12 s → 3 h 36 min"


def test_response_change_is_quantified() -> None:
    case = ROOT / "tests/cases/diff/response-longer"
    [change] = diff(policy_of(case / "old.sla"), policy_of(case / "new.sla")).changes
    assert change.subject(Strings("en")) == "Premium: Urgent response target"
    assert change.detail(Strings("en")) == "1 h → 2 h"
    assert change.detail(Strings("zh")) == "1 小时 → 2 小时"


def test_band_change_names_the_uptime_range() -> None:
    case = ROOT / "tests/cases/diff/credit-band-mixed"
    result = diff(policy_of(case / "old.sla"), policy_of(case / "new.sla"))
    details = {c.term: c.detail(Strings("en")) for c in result.changes}
    assert details["credit:downtime/bands:basic"] == (
        "uptime from 98% to below 99%: 25% of the monthly fee → 10% of the monthly fee; "
        "uptime from 95% to below 98%: 25% of the monthly fee → 30% of the monthly fee"
    )


# ---- the command line ---------------------------------------------------------------------------------


def case_files(name: str) -> tuple[str, str]:
    case = ROOT / "tests/cases/diff" / name
    return str(case / "old.sla"), str(case / "new.sla")


def test_reduction_exits_1_and_says_how_to_accept() -> None:
    code, out, err = run("diff", *case_files("uptime-lower"))
    assert code == 1
    assert "pass --allow-reduction REASON" in err
    assert "## Reductions" in out and "## 服务水平降低" in out


def test_allow_reduction_exits_0_and_records_the_reason() -> None:
    code, out, err = run("diff", "--allow-reduction", "approved in LEGAL-42", *case_files("uptime-lower"))
    assert code == 0, err
    assert "Reductions accepted: approved in LEGAL-42" in out and "已确认接受降低：approved in LEGAL-42" in out
    code, out, _ = run(
        "diff", "--format", "json", "--allow-reduction", "approved in LEGAL-42", *case_files("uptime-lower")
    )
    assert code == 0 and json.loads(out)["allowed_reduction"] == "approved in LEGAL-42"


def test_allow_reduction_needs_a_reason() -> None:
    code, _, err = run("diff", "--allow-reduction", "  ", *case_files("uptime-lower"))
    assert code == 2 and "reason" in err


def test_improvement_and_wording_exit_0() -> None:
    for name in ("uptime-higher", "translation-only", "version-bump"):
        code, _, err = run("diff", *case_files(name))
        assert code == 0, (name, err)


def test_markdown_is_bilingual_in_the_contracts_language_order() -> None:
    code, out, _ = run("diff", *case_files("translation-only"))
    en, zh = out.index("# What changed"), out.index("# 变更说明")
    assert code == 0 and en < zh  # the base contract's original language is English
    assert "Clause “sole\\_remedy”" in out  # user text is escaped for Markdown


def test_lang_chooses_the_notice_languages() -> None:
    code, out, _ = run("diff", "--lang", "zh", *case_files("uptime-higher"))
    assert code == 0 and "# 变更说明" in out and "What changed" not in out
    code, out, _ = run("diff", "--format", "json", "--lang", "en", *case_files("uptime-higher"))
    assert code == 0 and all(set(c["text"]) == {"en"} for c in json.loads(out)["changes"])
    code, _, err = run("diff", "--lang", "fr", *case_files("uptime-higher"))
    assert code == 2 and "choose from en, zh" in err


def test_compiled_policies_give_the_same_diff(tmp_path: Path) -> None:
    old, new = case_files("mixed-changes")
    for src, name in ((old, "old.json"), (new, "new.json")):
        assert run("compile", src, "-o", str(tmp_path / name))[0] == 0
    from_sources = json.loads(run("diff", "--format", "json", old, new)[1])
    from_json = json.loads(run("diff", "--format", "json", str(tmp_path / "old.json"), str(tmp_path / "new.json"))[1])
    assert from_json["changes"] == from_sources["changes"]
    mixed = run("diff", "--format", "json", old, str(tmp_path / "new.json"))
    assert mixed[0] == 1 and json.loads(mixed[1])["changes"] == from_sources["changes"]


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "out" / "changes.md"
    code, out, _ = run("diff", "-o", str(target), *case_files("uptime-higher"))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("# What changed: shop 1.0 → shop 1.0")
    assert [p.name for p in target.parent.iterdir()] == ["changes.md"]


def test_contract_errors_exit_1_with_diagnostics(tmp_path: Path) -> None:
    bad = ROOT / "tests/cases/bad/syn-missing-during.sla"
    code, out, err = run("diff", str(bad), case_files("uptime-lower")[1])
    assert code == 1 and out == ""
    assert f"{bad}:4:27: error[E0110]" in err and "^" in err


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    old = case_files("uptime-lower")[0]
    code, _, err = run("diff", old, str(tmp_path / "missing.sla"))
    assert code == 2 and "no such file" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run("diff", old, str(broken))
    assert code == 2 and "broken.json: cannot use this policy: " in err and "broken.json:1:2: not valid JSON" in err


def test_json_that_is_not_a_policy_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"format_version": "1.0"}', encoding="utf-8")
    code, _, err = run("diff", case_files("uptime-lower")[0], str(other))
    assert code == 2 and "cannot use this policy" in err and "does not match the policy schema" in err


# ---- strings -------------------------------------------------------------------------------------------


def load(lang: str) -> dict[str, dict[str, str]]:
    return tomllib.loads((STRINGS / f"diff.{lang}.toml").read_text(encoding="utf-8"))


def fields(template: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", template))


def test_string_catalogues_have_identical_keys_and_placeholders() -> None:
    en, zh = load("en"), load("zh")
    assert set(en) == set(zh)
    for section in en:
        assert set(en[section]) == set(zh[section]), section
        for key in en[section]:
            assert fields(en[section][key]) == fields(zh[section][key]), (section, key)


def test_every_reason_and_subject_is_used() -> None:

    from slac.change.entities import ENTITY_KINDS

    source = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "compiler" / "change").glob("*.py")))
    # An entity kind ("tier") composes tier, tier_name, tier_added and tier_removed.
    composed = {f"{kind}{suffix}" for kind in ENTITY_KINDS for suffix in ("", "_name", "_added", "_removed")}
    for section in ("reason", "subject"):
        for key in load("en")[section]:
            assert f'"{key}"' in source or key in composed, (section, key)


def test_diff_of_compiled_policies_stays_light() -> None:
    """Comparing two policy files needs neither the parser nor the holiday data."""
    import subprocess
    import sys

    code = (
        "import sys, slac.change.diff; "
        "print(' '.join(m for m in ('lark', 'jsonschema', 'holidays', 'jinja2') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_markdown_escapes_contract_ids_and_reasons_once() -> None:
    acme = str(ROOT / "contracts" / "acme-crm.sla")
    code, out, _err = run("diff", "--lang", "en", "--allow-reduction", "ticket_42 *ok*", acme, acme)
    assert code == 0
    assert out.startswith("# What changed: acme\\_crm 3.0.0 → acme\\_crm 3.0.0\n")
    assert "> Reductions accepted: ticket\\_42 \\*ok\\*\n" in out


# ---- the table of terms --------------------------------------------------------------------------------


def test_every_row_of_the_table_flips_when_swapped() -> None:
    """Each one-dimensional row, fed its two sample values both ways, goes the way its direction says."""
    from slac.change.compare import At, compare_row
    from slac.change.keys import Key
    from slac.change.terms import ENTITY_ROWS, TABLE

    rows = [*TABLE, *(r for rows in ENTITY_ROWS.values() for r in rows)]
    ordered = [r for r in rows if r.direction in ("higher", "lower")]
    assert len(ordered) >= 8
    for row in rows:
        at = At(row.key if row.key.ident is not None else row.key.of("x"), lambda s: "")
        low, high = row.samples
        [up] = compare_row(row, at, low, high)
        [down] = compare_row(row, at, high, low)
        if row.direction in ("higher", "lower"):
            want = "improvement" if row.direction == "higher" else "reduction"
            assert (up.kind, down.kind) == (want, OPPOSITE[want]), row.key
            assert not (up.ambiguous or down.ambiguous), row.key
        elif row.direction == "neutral":
            assert up.kind == down.kind == "neutral", row.key
        else:
            assert up.kind == down.kind == "reduction" and up.ambiguous and down.ambiguous, row.key
        assert isinstance(up.key, Key) and up.term == str(up.key)


def test_band_paid_is_the_evaluators() -> None:
    """Diff's band rule (slac.runtime.rules) pays the same band as the evaluator's credit rules, ties included."""
    from fractions import Fraction

    from slac.runtime import load_policy
    from slac.runtime.credits import rules
    from slac.runtime.report_text import Plan, owed
    from slac.runtime.rules import bands_worst_first, paying_band

    for case in CASES:
        raw = policy_of(case / "new.sla")
        policy = load_policy(raw)
        compiled, plan = rules(policy), Plan.of(policy, None)
        for tier, spec in policy.tiers.items():
            credits = [c for c in raw["credits"] if tier in c["applies"]]
            for credit, rule in zip(credits, compiled.tiers[tier], strict=True):
                worst = bands_worst_first(credit["bands"], spec["uptime"])
                assert [b for _r, b in worst] == [b.raw for b in rule.bands]
                for ratio, _band in worst:
                    for up in (ratio - Fraction(1, 10**6), ratio):
                        lines = owed(plan.tiers[tier], 1000, up.numerator, up.denominator, lambda _target: 0)
                        paid = next(
                            (ln.head["line"] for ln, n, _ in lines if not n and ln.head["credit"] == credit["id"]), None
                        )
                        band = paying_band(worst, up.numerator, up.denominator)
                        assert (None if band is None else band["line"]) == paid  # a band's contract line
