"""Report formats: CSV summary and Markdown in both languages, from a report valid against the report schema."""

from __future__ import annotations

import copy
import csv
import io
import json
import tomllib
from importlib import resources
from typing import Any

import pytest

from slac.render.report import CSV_COLUMNS, LANGUAGES, strings, to_csv, to_markdown

from .conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "report"
POLICY = json.loads((ROOT / "tests" / "golden" / "policy" / "acme-crm.json").read_text(encoding="utf-8"))


def report_schema() -> dict[str, Any]:
    return json.loads(resources.files("slac.schema").joinpath("report.schema.json").read_text(encoding="utf-8"))


def validate(report: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(report_schema()).validate(report)


def _customer(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "customer": "c1",
        "tier": "starter",
        "fee": "500.00",
        "currency": "USD",
        "uptime": {
            "fraction": "479/480",
            "percent": "99.791666667",
            "display": "99.79",
            "decimals": 2,
            "target": "99.9",
            "met": False,
            "line": 78,
        },
        "downtime": {
            "counted_seconds": 5400,
            "excluded": [
                {"cause": "planned_maintenance", "reason": "announced_maintenance", "seconds": 14400},
                {"cause": None, "reason": "below_minimum", "seconds": 45},
            ],
            "incidents": ["inc-7"],
            "excluded_incidents": ["maint-1"],
            "platform_incidents": 0,
        },
        "tickets": {"opened": 3, "measured": 3, "met": 1, "breached": 2, "open": 0, "unmeasured": 0, "excluded": 0},
        "breaches": [
            {
                "id": "T-1",
                "priority": "urgent",
                "effective_priority": "urgent",
                "opened": "2026-06-10T02:00:00+00:00",
                "deadline": "2026-06-10T03:00:00+00:00",
                "response": "2026-06-10T04:30:00.5+00:00",
                "lateness_seconds": 5400.5,
                "target_line": 80,
                "row": 2,
            },
            {
                "id": "T|2 *bold*",
                "priority": "urgent",
                "effective_priority": "high",
                "opened": "2026-06-11T02:00:00+00:00",
                "deadline": "2026-06-12T02:00:00+00:00",
                "response": None,
                "lateness_seconds": 1641600,
                "target_line": 81,
                "row": 3,
            },
        ],
        "credits": [
            {
                "credit": "downtime",
                "kind": "band",
                "credit_line": 106,
                "line": 108,
                "threshold": "99.9",
                "threshold_is_target": True,
                "uptime": "99.79",
                "band": {"share": "10", "basis": "monthly_fee"},
                "incidents": ["inc-7"],
                "platform_incidents": 0,
                "amount": "50.00",
                "explanation": "uptime 99.79% below the 99.9% target: band at line 108, 10% of monthly_fee",
            },
            {
                "credit": "slow_response",
                "kind": "per_miss",
                "credit_line": 112,
                "line": 113,
                "each": {"money": "25", "currency": "USD"},
                "each_amount": "25",
                "count": 2,
                "tickets": ["T-1", "T|2 *bold*"],
                "amount": "50",
                "explanation": "2 missed responses × 25 USD",
            },
        ],
        "subtotal": "100.00",
        "cap": {"amount": {"share": "100", "basis": "monthly_fee"}, "limit": "500.00", "applied": False, "line": 116},
        "total": "100.00",
        "claim": {
            "required": True,
            "deadline": "2026-07-31T00:00:00+00:00",
            "channel": None,
            "address": "support@acme.example",
            "line": 118,
        },
        "payout": {"form": "credit", "when": "next_invoice", "line": 117},
    }
    base.update(over)
    return base


def sample_report() -> dict[str, Any]:
    quiet = _customer(
        customer="c2",
        tier="enterprise",
        fee="2000.00",
        uptime={
            "fraction": "1/1",
            "percent": "100",
            "display": "100.00",
            "decimals": 2,
            "target": None,
            "met": None,
            "line": None,
        },
        downtime={
            "counted_seconds": 0,
            "excluded": [],
            "incidents": [],
            "excluded_incidents": [],
            "platform_incidents": 0,
        },
        tickets={"opened": 0, "measured": 0, "met": 0, "breached": 0, "open": 0, "unmeasured": 0, "excluded": 0},
        breaches=[],
        credits=[],
        subtotal="0",
        cap={"amount": {"share": "100", "basis": "monthly_fee"}, "limit": "2000.00", "applied": False, "line": 116},
        total="0.00",
        claim=None,
        payout=None,
    )
    return {
        "format_version": "1.0",
        "period": "2026-06",
        "period_start": "2026-06-01T00:00:00+00:00",
        "period_end": "2026-07-01T00:00:00+00:00",
        "period_seconds": 2592000,
        "as_of": "2026-07-01T00:00:00+00:00",
        "contract": {
            "id": "acme_crm",
            "title": {"en": "Service Level Agreement", "zh": "服务等级协议"},
            "version": "3.0.0",
            "source_sha256": "e" * 64,
        },
        "policy_hash": "a" * 64,
        "currency": "USD",
        "platform_incidents": [
            {
                "id": "net-1",
                "start": "2026-06-20T10:00:00+00:00",
                "end": "2026-06-20T10:00:30+00:00",
                "cause": None,
                "counted": False,
                "reason": "below_minimum",
                "seconds": 30,
                "row": 4,
            }
        ],
        "customers": [_customer(), quiet],
    }


def test_sample_report_is_valid() -> None:
    validate(sample_report())


def test_string_catalogues_have_identical_keys_and_placeholders() -> None:
    import string

    tables = {lang: strings(lang) for lang in LANGUAGES}
    keys = {lang: set(t) for lang, t in tables.items()}
    assert keys["en"] == keys["zh"]
    fields = string.Formatter()
    for key in keys["en"]:
        names = {lang: {f for _, f, _, _ in fields.parse(t[key]) if f} for lang, t in tables.items()}
        assert names["en"] == names["zh"], key


def test_string_files_are_plain_toml() -> None:
    for lang in LANGUAGES:
        text = (ROOT / "templates" / "strings" / f"report.{lang}.toml").read_text(encoding="utf-8")
        for key, value in tomllib.loads(text).items():  # a text, or a text per plural form (`key.one`, `key.other`)
            assert isinstance(value, str) or (
                set(value) == {"one", "other"} and all(isinstance(v, str) for v in value.values())
            ), key


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="choose one of en, zh"):
        strings("fr")


def test_csv_summary(golden) -> None:
    text = to_csv(sample_report())
    golden(GOLDEN / "sample.csv", text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["customer"] for r in rows] == ["c1", "c2"]
    first = rows[0]
    assert (first["uptime_percent"], first["uptime_met"], first["total"]) == ("99.79", "false", "100.00")
    assert first["downtime_counted_seconds"] == "5400"
    assert (first["credit_lines"], first["cap_applied"], first["payout"]) == ("2", "false", "credit next_invoice")
    assert rows[1]["uptime_met"] == "" and rows[1]["claim_required"] == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_markdown(golden, lang: str) -> None:
    text = to_markdown(sample_report(), lang=lang, policy=POLICY)
    golden(GOLDEN / f"sample.{lang}.md", text)


def test_markdown_words_per_language() -> None:
    en = to_markdown(sample_report(), lang="en", policy=POLICY)
    zh = to_markdown(sample_report(), lang="zh", policy=POLICY)
    assert "# Service credit report: Service Level Agreement" in en
    assert "# 服务补偿报告：服务等级协议" in zh
    assert "| 1 h 30 min |" in en and "| 1 小时 30 分钟 |" in zh  # 5400.5 s: rounded from a minute up
    assert "| 30 s |" in en  # the platform incident
    assert "19 d" in en and "19 天" in zh  # 1641600 s
    assert "Not counted, 45 s: no cause given (shorter than the minimum outage)" in en
    assert "**100.00 USD**" in en and "**100.00 USD**" in zh
    # tier names come from the policy in the report's language
    starter = next(t for t in POLICY["tiers"] if t["id"] == "starter")["name"]
    assert starter["en"] in en and starter["zh"] in zh


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (0.25, "0.25 s"), (59.5, "59.5 s"), (60.4, "1 min"), (3599.6, "1 h"), (90061, "1 d 1 h 1 min 1 s")],
)
def test_durations(seconds: float, text: str) -> None:
    # The report's durations come from the renderer's one formatter, in its short style.
    from slac.render.formats import Formatter
    from slac.render.strings import load

    assert Formatter(load("en")).short_duration(seconds) == text


def test_markdown_escapes_user_text() -> None:
    text = to_markdown(sample_report(), lang="en")
    assert "T\\|2 \\*bold\\*" in text and "T|2" not in text
    for line in text.splitlines():
        if line.startswith("| T"):
            assert line.count(" | ") == 6  # seven cells: the | in the id did not split the row


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a|b", "a\\|b"), ("<script>", "\\<script\\>"), ("[x](http://e)", "\\[x\\](http://e)"), ("&amp;", "\\&amp;")],
)
def test_escape(raw: str, escaped: str) -> None:
    from slac.render.report import _esc

    assert _esc(raw) == escaped
    assert _esc("two\nlines") == "two lines"


def test_markdown_without_policy_uses_ids() -> None:
    text = to_markdown(sample_report(), lang="en")
    assert "- **Tier**: starter" in text


def test_output_is_deterministic_and_does_not_change_the_report() -> None:
    report = sample_report()
    before = copy.deepcopy(report)
    assert to_markdown(report, lang="zh") == to_markdown(sample_report(), lang="zh")
    assert to_csv(report) == to_csv(sample_report())
    assert report == before


def test_empty_report() -> None:
    report = {**sample_report(), "customers": []}
    validate(report)
    assert "No customers in this report." in to_markdown(report, lang="en")
    assert to_csv(report) == ",".join(CSV_COLUMNS) + "\n"
