"""The Markdown report of a v2 evaluation reads in its own language: credit lines, conditions, names.

The sample month of nimbus-cloud (contracts/events/nimbus-cloud-2026-05) in Chinese must not fall back to
the evaluator's English explanation or to identifiers where the contract gives a text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT

EVENTS = ROOT / "contracts" / "events" / "nimbus-cloud-2026-05"


def report(lang: str) -> str:
    from click.testing import CliRunner

    from slac.cli import main

    args = ["evaluate", str(ROOT / "contracts" / "nimbus-cloud.sla"), "--period", "2026-05", "--format", "md"]
    args += ["--lang", lang]
    for name in ("customers", "incidents", "charges", "requests"):
        args += [f"--{name}", str(EVENTS / f"{name}.csv")]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    return out.stdout


def test_the_chinese_report_has_no_english_sentences() -> None:
    zh = report("zh")
    # What may stay Latin: currency codes, customer, region, incident and exclusion ids, URLs, the hash.
    allowed = {"USD", "nimbus", "cloud", "https", "status", "console", "example", "support", "inc", "Nimbus"}
    allowed |= {"acme", "borealis", "cobalt", "us", "east", "eu", "west", "scheduled", "maintenance", "customer"}
    allowed |= {"caused"}
    words = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"`[0-9a-f]{64}`", "", zh)))
    assert words <= allowed, sorted(words - allowed)


def test_the_credit_line_is_built_from_its_parts_in_chinese() -> None:
    zh = report("zh")
    # acme, compute eu_west: 50 min of 44 640 → 99.89 % < 99.99 %: 10 % of the 200 USD charges = 20 USD.
    assert "- **停机补偿（合同第 71 行）**：可用率 99.89% 低于承诺的 99.99% → 本范围费用的 10% = 20.00 USD" in zh
    assert "uptime" not in zh and "contract line" not in zh


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("zh", "- **不予支付**：客户不满足以下条件：客户账户不存在逾期超过 30 天的账单"),
        ("en", "- **Not owed**: the customer does not meet the condition: the customer's account has no invoice"),
    ],
)
def test_an_unmet_condition_is_named_by_its_text_not_its_id(lang: str, line: str) -> None:
    text = report(lang)
    assert line in text
    assert "good_standing" not in text and "good\\_standing" not in text


def test_the_chinese_report_calls_the_credit_by_the_glossary_word() -> None:
    # templates/strings/glossary.zh.toml: 服务补偿 is the credit; 服务抵免 is a second word to avoid.
    zh = report("zh")
    assert zh.startswith("# 服务补偿报告：") and "抵免" not in zh


def test_a_per_miss_line_on_the_charges_says_they_are_every_scopes(tmp_path: Path) -> None:
    """`per missed resolution 5% of service_charges` pays on the customer's charges for all its scopes
    (1000 + 200 USD for c1, by hand 5 % = 60 USD): the line must not say "the charges for the scope"."""
    from click.testing import CliRunner

    from slac.cli import main

    from .hand_contracts import LATE_ON_CHARGES

    files = {
        "late.sla": LATE_ON_CHARGES,
        "customers.csv": "customer,tier,fee,good_standing\nc1,standard,0,true\n",
        "tickets.csv": "id,customer,priority,opened_at,responded_at,resolved_at\n"
        "t1,c1,p1,2026-05-04T10:00:00Z,2026-05-04T10:05:00Z,2026-05-04T20:00:00Z\n",
        "incidents.csv": "id,start,end\n",
        "charges.csv": "customer,service,region,amount\nc1,compute,us_east,1000\nc1,object_storage,eu_west,200\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    args = ["evaluate", str(tmp_path / "late.sla"), "--period", "2026-05", "--format", "md"]
    for name in ("customers", "tickets", "incidents", "charges"):
        args += [f"--{name}", str(tmp_path / f"{name}.csv")]
    out = {lang: CliRunner().invoke(main, [*args, "--lang", lang]) for lang in ("en", "zh")}
    assert all(o.exit_code == 0 for o in out.values()), [o.output for o in out.values()]
    en, zh = out["en"].stdout, out["zh"].stdout
    assert "1 missed resolution × 60.00 USD each (5% of the Total Charges); ticket t1" in en
    assert "解决超时 1 次，每次 60.00 USD（账户费用总额的 5%）；工单 t1" in zh
    assert "of the charges for the scope" not in en and "本范围费用" not in zh
    # With resolution targets the ticket counts say they are of the first response (t1 answered in 5 min).
    assert "1 opened; first response: 1 measured, 1 in time, 0 late, 0 not yet answered;" in en
    assert "提交 1 张；首次响应：考核 1 张，按时 1 张，超时 0 张，尚未响应 0 张；" in zh
    # The summary's scope rows hold no credit (100% uptime): the 60 USD owed is on a row of the tickets' own.
    assert "|  | Tickets (all services and regions) | — | 60.00 USD |  |" in en
    assert "|  | 工单（全部服务和区域） | — | 60.00 USD |  |" in zh
