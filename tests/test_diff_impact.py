"""`slac diff` reference-month figures: credits under OLD and NEW, from the evaluator, hand-checked.

The catalogue's base contract (tests/cases/diff/*/old.sla) takes effect 2026-01-01, so the
default reference month is January 2026 (UTC): 31 days = 44,640 minutes, fee 1000.00 USD (the
contract has no examples). Basic: urgent 4h always, high 8h and normal 16h business
(Mon–Fri 09:00–17:00, US holidays); Premium: urgent 1h, high 4h always, normal 8h business,
2 % per missed response. Urgent requires an outage (else it is measured as high). The
reference tickets open Wednesday 2026-01-14 09:00 UTC. Downtime credits (both tiers): 10 %
below the target (Basic 99.9 %, Premium 99.95 %), 25 % below 99 %, 100 % below 95 %.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import slac
from slac.cli import main

from .conftest import ROOT

CASES = ROOT / "tests" / "cases" / "diff"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def report(case: str, *extra: str) -> dict[str, Any]:
    code, out, err = run(
        "diff", "--format", "json", *extra, str(CASES / case / "old.sla"), str(CASES / case / "new.sla")
    )
    assert code in (0, 1), err
    data: dict[str, Any] = json.loads(out)
    return data


def figures(data: dict[str, Any], term: str) -> dict[tuple[str, str, str | None], tuple[str, str, int, int]]:
    """(tier, situation, threshold) → (old credit, new credit, old missed, new missed) of one change."""
    change = next(c for c in data["changes"] if c["term"] == term)
    return {
        (f["tier"], f["situation"], f["threshold"]): (
            f["old"]["credit"],
            f["new"]["credit"],
            f["old"]["missed"],
            f["new"]["missed"],
        )
        for f in change["impact"]
    }


def test_reference_month_is_described() -> None:
    data = report("response-longer")
    assert data["reference"] == {
        "period": "2026-01",
        "source": "synthetic",
        "fees": {"basic": "1000.00", "premium": "1000.00"},
        "currency": "USD",
        "tickets_opened": "2026-01-14T09:00+00:00",
        "calendar_tickets_opened": None,
    }


def test_longer_response_target_costs_one_missed_response() -> None:
    # Premium urgent 1h → 2h: the urgent ticket gets two answers, at 10:01 and 11:01. Old: five
    # tickets late (urgent ×2, urgent without outage as high, high, normal) × 2 % = 100.00;
    # new: the 10:01 answer is on time, four late = 80.00.
    found = figures(report("response-longer"), "tier:premium/response:urgent")
    assert found == {("premium", "responses", None): ("100.00", "80.00", 5, 4)}


def test_shorter_response_target_is_the_mirror_image() -> None:
    found = figures(report("response-shorter"), "tier:premium/response:urgent")
    assert found == {("premium", "responses", None): ("80.00", "100.00", 4, 5)}


def test_smaller_per_miss_credit_halves_the_responses_month() -> None:
    # 2 % → 1 % on Premium's four late answers: 80.00 → 40.00; Basic has no per-miss credit.
    found = figures(report("per-miss-smaller"), "credit:missed_response/per_miss")
    assert found == {("premium", "responses", None): ("80.00", "40.00", 4, 4)}


def test_lower_uptime_target_loses_the_first_band() -> None:
    # Basic 99.9 % → 99.5 %. Just below 99.9 %: 44.64 min allowed → 45 + 1 = 46 min down,
    # uptime 44594/44640 = 99.8969 %: 10 % = 100.00 before, nothing now. Just below 99.5 %:
    # 223.2 → 225 min down, 10 % under both. Below 99 % and 95 %: the same bands under both.
    found = figures(report("uptime-lower"), "tier:basic/uptime")
    assert found == {
        ("basic", "below", "99.9"): ("100.00", "0.00", 0, 0),
        ("basic", "below", "99.5"): ("100.00", "100.00", 0, 0),
        ("basic", "below", "99"): ("250.00", "250.00", 0, 0),
        ("basic", "below", "95"): ("1000.00", "1000.00", 0, 0),
    }
    data = report("uptime-lower")
    change = next(c for c in data["changes"] if c["term"] == "tier:basic/uptime")
    first = change["impact"][0]
    assert first["old"]["uptime"] == first["new"]["uptime"] == "99.8969"
    assert first["text"]["en"] == (
        "Basic, uptime 99.8969% (just below 99.9%): credit for the reference month: 100.00 USD → 0.00 USD"
    )
    assert first["text"]["zh"] == "基础版，可用率 99.8969%（刚低于 99.9%）：参考月份的服务补偿：100.00 USD → 0.00 USD"


def test_lower_cap_and_band_bite_only_below_95() -> None:
    # The 95 % band 100 % → 50 %: 2232 min allowed → 2233 min down, 1000.00 → 500.00; the
    # other bands are unchanged (100.00 at 99.9 %, 250.00 at 99 %: 448 min down).
    data = report("cap-and-band-lower")
    assert figures(data, "credit:downtime/bands:basic") == {
        ("basic", "below", "99.9"): ("100.00", "100.00", 0, 0),
        ("basic", "below", "99"): ("250.00", "250.00", 0, 0),
        ("basic", "below", "95"): ("1000.00", "500.00", 0, 0),
    }
    # The cap concerns every tier and situation.
    cap = figures(data, "cap")
    assert {key[:2] for key in cap} == {
        ("basic", "responses"),
        ("basic", "below"),
        ("premium", "responses"),
        ("premium", "below"),
    }


def test_fewer_business_hours_move_deadlines_later() -> None:
    # business 09–17 → 10–17 (Wed 2026-01-14 09:00 opening). Premium normal 8h: due Wed 17:00
    # before, Thu 11:00 now, so the 17:01 answer is on time: 5 late → 4, 100.00 → 80.00.
    # Basic high 8h (also urgent without outage) and normal 16h (Thu 17:00 → Fri 12:00) each gain
    # an on-time answer: 7 late → 4, no per-miss credit for Basic (0.00 under both).
    # The first day the calendars differ is Friday 2026-01-02 (New Year's Day is closed in both):
    # tickets opened at midnight, Premium normal due Fri 17:00 before, Mon 11:00 now; Basic high
    # Fri 17:00 → Mon 11:00, normal Mon 17:00 → Tue 12:00: the same counts.
    data = report("hours-fewer")
    assert data["reference"]["calendar_tickets_opened"] == "2026-01-02T00:00+00:00"
    found = figures(data, "calendar:business/hours")
    assert found == {
        ("basic", "responses", None): ("0.00", "0.00", 7, 4),
        ("basic", "calendar", None): ("0.00", "0.00", 7, 4),
        ("premium", "responses", None): ("100.00", "80.00", 5, 4),
        ("premium", "calendar", None): ("100.00", "80.00", 5, 4),
    }


def test_added_holidays_show_on_the_first_changed_day() -> None:
    # US holidays added: 2026-01-01 (Thursday) closes. The Wednesday-14th tickets meet no holiday
    # (same figures); the tickets opened 2026-01-01 00:00: Premium normal 8h due Jan 1 17:00
    # before, Fri Jan 2 17:00 now (5 late → 4, 100.00 → 80.00); Basic high 8h Jan 1 17:00 → Jan 2
    # 17:00 and normal 16h Jan 2 17:00 → Mon Jan 5 17:00 (7 → 4).
    data = report("holidays-added")
    assert data["reference"]["calendar_tickets_opened"] == "2026-01-01T00:00+00:00"
    assert figures(data, "calendar:business/holidays") == {
        ("basic", "responses", None): ("0.00", "0.00", 4, 4),
        ("basic", "calendar", None): ("0.00", "0.00", 7, 4),
        ("premium", "responses", None): ("80.00", "80.00", 4, 4),
        ("premium", "calendar", None): ("100.00", "80.00", 5, 4),
    }
    code, out, _err = run(
        "diff", "--lang", "en", str(CASES / "holidays-added" / "old.sla"), str(CASES / "holidays-added" / "new.sla")
    )
    assert code == 1
    # Markdown shows only the figures that differ.
    assert "every response one minute late: credit" not in out
    assert (
        "  - Premium, every response one minute late, tickets opened on the first day the calendars differ: "
        "credit for the reference month: 100.00 USD → 80.00 USD (missed responses 5 → 4)"
    ) in out


def test_terms_without_money_get_no_figures() -> None:
    for case in ("translation-only", "version-bump", "support-channel-withdrawn"):
        data = report(case)
        assert data["reference"] is None
        assert all(c["impact"] == [] for c in data["changes"])


def test_no_figures_flag_skips_the_evaluator() -> None:
    data = report("response-longer", "--no-figures")
    assert data["reference"] is None
    assert all(c["impact"] == [] for c in data["changes"])


def test_reference_fee_and_period_options() -> None:
    # 500 a month: 2 % of 500 = 10.00 a late answer. February 2026 opens Wednesday the 11th.
    data = report("response-longer", "--reference-fee", "500", "--period", "2026-02")
    assert data["reference"]["period"] == "2026-02"
    assert data["reference"]["fees"] == {"basic": "500.00", "premium": "500.00"}
    assert data["reference"]["tickets_opened"] == "2026-02-11T09:00+00:00"
    assert figures(data, "tier:premium/response:urgent") == {("premium", "responses", None): ("50.00", "40.00", 5, 4)}


def websoft9_pair(tmp_path: Path) -> tuple[Path, Path]:
    old = ROOT / "contracts" / "websoft9.sla"
    text = old.read_text(encoding="utf-8")
    slower = text.replace("respond high   within 10min during always", "respond high   within 15min during always")
    assert slower != text
    new = tmp_path / "websoft9-slower.sla"
    new.write_text(slower, encoding="utf-8")
    return old, new


def test_real_contract_uses_its_example_fee(tmp_path: Path) -> None:
    # Websoft9 premium high 10 min → 15 min. The contract's premium example pays 200 CNY; 5 % a
    # late answer = 10.00. Reference tickets (2025-01-08 09:00 Shanghai): normal, high ×2
    # (10 and 15 min), high without an outage (measured as normal): 4 late before, 3 now.
    old, new = websoft9_pair(tmp_path)
    code, out, err = run("diff", "--format", "json", str(old), str(new))
    assert code == 1, err
    data = json.loads(out)
    assert data["reference"]["fees"] == {"standard": "1000.00", "advanced": "1000.00", "premium": "200.00"}
    assert data["reference"]["tickets_opened"] == "2025-01-08T09:00+08:00"
    assert figures(data, "tier:premium/response:high") == {("premium", "responses", None): ("40.00", "30.00", 4, 3)}
    code, out, _err = run("diff", str(old), str(new))
    assert "- 尊享支持，每次响应均迟一分钟：参考月份的服务补偿：40.00 CNY → 30.00 CNY（未按时响应 4 → 3）" in out
    assert (
        "- Premium Support, every response one minute late: credit for the reference month: 40.00 CNY → 30.00 CNY"
        in out
    )


def test_markdown_says_when_a_change_does_not_bite_the_reference_month() -> None:
    # Removing the 100 % cap changes nothing this month: the worst band is 100 % and Premium's
    # four late answers earn 8 %, so no situation reaches the cap.
    code, out, _err = run(
        "diff", "--lang", "en", str(CASES / "cap-removed" / "old.sla"), str(CASES / "cap-removed" / "new.sla")
    )
    assert code == 0
    # Basic: responses + 3 bands, Premium: responses + 3 bands; the cap is reached in none.
    assert "  - no difference in the reference month (8 situations evaluated under both contracts)" in out


# ---- a real month of events ----------------------------------------------------------------------


def write_month(directory: Path, responded: str = "2026-01-14T10:30Z") -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "customers.csv").write_text("customer,tier,monthly_fee\nc1,premium,500\nc2,basic,300\n")
    (directory / "tickets.csv").write_text(
        f"id,customer,priority,opened_at,responded_at,outage\nt1,c1,urgent,2026-01-14T09:00Z,{responded},true\n"
    )
    (directory / "incidents.csv").write_text("id,start,end\n")
    return directory


def test_reference_events_give_the_month_of_real_customers(tmp_path: Path) -> None:
    # An urgent ticket answered after 90 min: late under 1h (2 % of 500 = 10.00), on time under 2h.
    month = write_month(tmp_path / "month")
    data = report("response-longer", "--reference-events", str(month), "--period", "2026-01")
    assert data["reference"]["source"] == str(month)
    change = next(c for c in data["changes"] if c["term"] == "tier:premium/response:urgent")
    assert [(f["tier"], f["customers"], f["old"]["credit"], f["new"]["credit"]) for f in change["impact"]] == [
        ("premium", 1, "10.00", "0.00")
    ]
    assert change["impact"][0]["text"]["en"] == (
        "Premium customers (1): credit for the reference month: 10.00 USD → 0.00 USD (missed responses 1 → 0)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reference-events", "{dir}"], "--period"),
        (["--reference-fee", "ten"], "is not a number"),
        (["--reference-fee", "-5"], "is not a fee"),
        (["--period", "2026-13"], "is not a billing period"),
        (["--period", "2032-01"], "outside the years"),  # the policy lists holidays for 2026–2031
    ],
)
def test_bad_reference_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    month = write_month(tmp_path / "month")
    filled = [a.replace("{dir}", str(month)) for a in args]
    code, out, err = run(
        "diff", *filled, str(CASES / "response-longer" / "old.sla"), str(CASES / "response-longer" / "new.sla")
    )
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_bad_event_row_names_file_row_and_column(tmp_path: Path) -> None:
    month = write_month(tmp_path / "month", responded="yesterday")
    code, out, err = run(
        "diff",
        "--reference-events",
        str(month),
        "--period",
        "2026-01",
        str(CASES / "response-longer" / "old.sla"),
        str(CASES / "response-longer" / "new.sla"),
    )
    assert code == 2 and out == ""
    assert f"{month / 'tickets.csv'}, line 2, column `responded_at`" in err


def test_missing_event_file_is_named(tmp_path: Path) -> None:
    month = write_month(tmp_path / "month")
    (month / "incidents.csv").unlink()
    code, _out, err = run(
        "diff", "--reference-events", str(month), "--period", "2026-01",
        str(CASES / "response-longer" / "old.sla"), str(CASES / "response-longer" / "new.sla"),
    )  # fmt: skip
    assert code == 2
    assert "no incidents file" in err


def test_diff_modules_load_the_evaluator_only_when_figures_are_computed() -> None:
    import subprocess
    import sys

    code = (
        "import sys, slac.change.diff, slac.change.impact, slac.cli.change; "
        "print(' '.join(m for m in ('numpy', 'pyarrow', 'slac.runtime') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_compiled_policies_get_the_same_figures(tmp_path: Path) -> None:
    from slac.policy import to_json

    paths = []
    for side in ("old", "new"):
        path = CASES / "response-longer" / f"{side}.sla"
        policy = slac.compile_policy(path.read_text(encoding="utf-8"), file=str(path))
        paths.append(tmp_path / f"{side}.json")
        paths[-1].write_text(to_json(policy), encoding="utf-8")
    code, out, err = run("diff", "--format", "json", *map(str, paths))
    assert code == 1, err
    found = figures(json.loads(out), "tier:premium/response:urgent")
    assert found == {("premium", "responses", None): ("100.00", "80.00", 5, 4)}


def test_an_edited_policy_is_refused_before_the_diff(tmp_path: Path) -> None:
    # An edited policy (content_hash no longer matches) is refused by the one loader, as by render and evaluate.
    from slac.policy import to_json

    paths = []
    for side in ("old", "new"):
        path = CASES / "response-longer" / f"{side}.sla"
        policy = slac.compile_policy(path.read_text(encoding="utf-8"), file=str(path))
        policy["content_hash"] = "0" * 64
        paths.append(tmp_path / f"{side}.json")
        paths[-1].write_text(to_json(policy), encoding="utf-8")
    code, out, err = run("diff", "--format", "json", *map(str, paths))
    assert code == 2 and out == ""
    assert f"slac: error: {paths[0]}: cannot use this policy: policy content_hash does not match" in err


# ---- properties over the catalogue -------------------------------------------------------------------


PAIRS = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", PAIRS)
def test_swapping_old_and_new_mirrors_every_figure(case: str) -> None:
    """The reference month is the same whichever contract is OLD: every figure comes back swapped."""

    def index(data: dict[str, Any]) -> dict[tuple[Any, ...], tuple[Any, Any]]:
        out = {}
        for c in data["changes"]:
            for f in c["impact"]:
                key = (c["term"], f["tier"], f["situation"], f["threshold"])
                out[key] = (f["old"]["credit"], f["old"]["missed"]), (f["new"]["credit"], f["new"]["missed"])
        return out

    forward = report(case)
    code, out, err = run("diff", "--format", "json", str(CASES / case / "new.sla"), str(CASES / case / "old.sla"))
    assert code in (0, 1), err
    backward = index(json.loads(out))
    for key, (old, new) in index(forward).items():
        if key in backward:  # a term can change name with its direction (added/removed), not its figures
            assert backward[key] == (new, old), key


def test_acme_lower_enterprise_uptime(tmp_path: Path) -> None:
    # Enterprise 99.99 % → 99.95 % at the example's 2000 USD. January 2026: 0.01 % of 44,640 min =
    # 4.464 → 5 + 1 = 6 min down, uptime 44634/44640 = 99.98655… %: 10 % = 200.00 before, nothing
    # now. Starter's example pays 500; Professional has none, so it takes the first example's 500.
    old = ROOT / "contracts" / "acme-crm.sla"
    text = old.read_text(encoding="utf-8")
    new = tmp_path / "acme-crm.sla"
    new.write_text(text.replace("uptime   99.99%", "uptime   99.95%"), encoding="utf-8")
    code, out, err = run("diff", "--format", "json", str(old), str(new))
    assert code == 1, err
    data = json.loads(out)
    assert data["reference"]["fees"] == {
        "free": "0.00",
        "starter": "500.00",
        "professional": "500.00",
        "enterprise": "2000.00",
    }
    found = figures(data, "tier:enterprise/uptime")
    assert found[("enterprise", "below", "99.99")] == ("200.00", "0.00", 0, 0)
    assert all(old == new for key, (old, new, _a, _b) in found.items() if key[2] != "99.99")
