"""The policy stage: goldens for the bundled contracts, determinism, schema validation, holidays."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import slac
from slac import policy as pol

from .conftest import CONTRACTS, ROOT

GOLDEN = ROOT / "tests" / "golden" / "policy"


def compile_file(path: Path, *, file: str | None = None, **options: Any) -> dict[str, Any]:
    source = path.read_text(encoding="utf-8")
    return slac.compile_policy(source, file=file or path.relative_to(ROOT).as_posix(), **options)


@pytest.fixture(scope="module")
def websoft9() -> dict[str, Any]:
    return compile_file(ROOT / "contracts" / "websoft9.sla")


@pytest.fixture(scope="module")
def acme() -> dict[str, Any]:
    return compile_file(ROOT / "contracts" / "acme-crm.sla")


def by_id(items: list[dict[str, Any]], ident: str) -> dict[str, Any]:
    (found,) = [i for i in items if i["id"] == ident]
    return found


# ---- goldens and determinism --------------------------------------------------------------------


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda p: p.stem)
def test_golden(contract: Path, golden) -> None:
    golden(GOLDEN / f"{contract.stem}.json", pol.to_json(compile_file(contract)))


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda p: p.stem)
def test_byte_identical_twice_and_from_another_path(contract: Path) -> None:
    first = pol.to_json(compile_file(contract))
    again = pol.to_json(compile_file(contract))
    elsewhere = pol.to_json(compile_file(contract, file=f"/some/other/checkout/contracts/{contract.name}"))
    assert first == again == elsewhere
    assert json.loads(first)["contract"]["source"]["file"] == contract.name


def test_source_fingerprint(websoft9: dict[str, Any]) -> None:
    import hashlib

    text = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")
    source = websoft9["contract"]["source"]
    assert source["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert source["lines"] == len(text.splitlines())


def test_to_json_is_canonical(websoft9: dict[str, Any]) -> None:
    text = pol.to_json(websoft9)
    assert text.endswith("}\n")
    assert "服务等级协议" in text  # UTF-8 kept, not \u-escaped
    assert slac.policy_json(websoft9) == text


# ---- the terms of the contracts -----------------------------------------------------------------


def test_websoft9_terms(websoft9: dict[str, Any]) -> None:
    assert websoft9["format_version"] == pol.FORMAT_VERSION
    assert websoft9["contract"]["id"] == "websoft9"
    assert websoft9["contract"]["effective"] == "2025-01-01"
    assert websoft9["languages"] == ["zh", "en"]
    assert websoft9["currency"] == {"code": "CNY", "minor_digits": 2}
    tiers = websoft9["tiers"]
    assert [(t["id"], t["rank"]) for t in tiers] == [("standard", 0), ("advanced", 1), ("premium", 2)]
    responses = {t["id"]: {r["priority"]: r["within_seconds"] for r in t["responses"]} for t in tiers}
    assert responses == {
        "standard": {"normal": 43200, "high": 10800},
        "advanced": {"normal": 21600, "high": 1800},
        "premium": {"normal": 7200, "high": 600},
    }
    live = {t["id"]: t["live"] for t in tiers}
    assert live["standard"]["max_session_seconds"] == 1200
    assert live["advanced"] == {"max_session_seconds": 1800, "calendar": "business", "line": 94}
    assert live["premium"]["max_session_seconds"] is None and live["premium"]["calendar"] == "extended"
    (credit,) = websoft9["credits"]
    assert credit["applies"] == ["standard", "advanced", "premium"]  # no `applies`: every tier
    assert credit["per_miss"]["amount"] == {"share": "5", "basis": "monthly_fee"}
    assert credit["bands"] == []
    assert websoft9["cap"]["amount"] == {"share": "100", "basis": "monthly_fee"}
    assert websoft9["payout"]["form"] == "voucher" and websoft9["payout"]["when"] == "next_invoice"
    assert websoft9["claim"] == {"required": True, "within_seconds": None, "via": {"channel": "ticket"}, "line": 110}
    high = by_id(websoft9["priorities"], "high")
    assert high["requires_outage"] is True and high["downgrade"] == "normal"
    assert websoft9["availability"]["aim"] == "24x7x365"
    assert websoft9["availability"]["excludes"] == ["third_party_cloud"]
    always = by_id(websoft9["calendars"], "always")
    assert always["always_open"] is True and always["timezone"] == "Asia/Shanghai"
    assert by_id(websoft9["calendars"], "business")["always_open"] is False
    assert len(websoft9["third_party"]) == 5


def test_acme_terms(acme: dict[str, Any]) -> None:
    assert acme["languages"] == ["en", "zh"]
    uptimes = {t["id"]: t["uptime"] for t in acme["tiers"]}
    assert uptimes == {"free": "99.5", "starter": "99.9", "professional": "99.95", "enterprise": "99.99"}
    downtime = by_id(acme["credits"], "downtime")
    assert downtime["applies"] == ["starter", "professional", "enterprise"]
    assert [(b["threshold"], b["amount"]["share"]) for b in downtime["bands"]] == [
        ("target", "10"),
        ("99", "25"),
        ("95", "100"),
    ]
    assert by_id(acme["credits"], "missed_response")["per_miss"]["amount"]["share"] == "2"
    assert acme["claim"]["within_seconds"] == 2592000
    assert acme["claim"]["via"] == {"address": "support@acme.example"}
    av = acme["availability"]
    assert (av["monitor_interval_seconds"], av["minimum_outage_seconds"], av["maintenance_notice_seconds"]) == (
        60,
        60,
        259200,
    )
    [latency] = by_id(acme["objectives"], "latency")["targets"]
    assert latency["threshold"] == {"seconds": 0.3} and latency["metric"] == "p95" and latency["per"] == "month"
    [errors] = by_id(acme["objectives"], "error_rate")["targets"]
    assert errors["threshold"] == {"percent": "0.1"} and errors["metric"] == "ratio"
    assert acme["tiers"][0]["responses"] == []
    enterprise = by_id(acme["tiers"], "enterprise")
    assert [r["priority"] for r in enterprise["responses"]] == ["urgent", "high", "normal"]


def test_examples_carry_events_and_expectations(websoft9: dict[str, Any], acme: dict[str, Any]) -> None:
    capped = websoft9["examples"][2]
    assert capped["fee"] == {"amount": "200.00", "currency": "CNY"}
    assert capped["period"] is None
    (event,) = capped["events"]
    assert event["kind"] == "ticket" and event["repeat"] == 25 and event["opened"] == "2025-03-04T09:00:00+08:00"
    assert capped["expect"]["breaches"]["count"] == 25
    assert capped["expect"]["credit"]["amount"] == "200.00"
    guide = acme["examples"][0]
    assert guide["period"] == "2026-06"
    assert guide["events"][0]["start"] == "2026-06-10T02:00:00+00:00"
    assert guide["events"][0]["duration_seconds"] == 5400
    assert guide["expect"]["uptime"]["percent"] == "99.79" and guide["expect"]["uptime"]["decimals"] == 2
    assert "breaches" not in guide["expect"]
    assert acme["examples"][1]["expect"]["uptime"] == {"percent": "100", "decimals": 0, "line": 163}


def test_every_term_keeps_its_line(acme: dict[str, Any]) -> None:
    source = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8").splitlines()

    def line_of(term: dict[str, Any]) -> str:
        return source[term["line"] - 1].strip()

    assert line_of(by_id(acme["tiers"], "enterprise")).startswith("tier enterprise")
    assert line_of(acme["claim"]).startswith("claim within 30d")
    assert line_of(by_id(acme["credits"], "downtime")["bands"][1]).startswith("when uptime below 99.0%")
    assert line_of(by_id(acme["calendars"], "business")["holidays"]).startswith('holidays "US"')
    assert acme["contract"]["lines"]["timezone"] == 14


# ---- numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [("99.90", "99.9"), ("99.9", "99.9"), ("100", "100"), ("100.00", "100"), ("0.10", "0.1"), ("0", "0"), ("0.0", "0")],
)
def test_decimal_strings_are_normalised(raw: str, text: str) -> None:
    from decimal import Decimal

    assert pol.decimal_str(Decimal(raw)) == text


@pytest.mark.parametrize(
    ("raw", "currency", "text"),
    [
        ("50", "CNY", "50.00"),
        ("50.5", "USD", "50.50"),
        ("1000", "JPY", "1000"),
        ("0.125", "USD", "0.125"),
        ("7", "XYZ", "7.00"),
    ],
)
def test_money_keeps_minor_digits(raw: str, currency: str, text: str) -> None:
    from decimal import Decimal

    assert pol.money_str(Decimal(raw), currency) == text


# ---- schema ------------------------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12() -> None:
    schema = pol.load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:slac:schema:policy:1"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda p: p.stem)
def test_policies_validate(contract: Path) -> None:
    policy = compile_file(contract)
    pol.validate(policy)
    assert not list(Draft202012Validator(pol.load_schema()).iter_errors(policy))


def _mutations() -> list[tuple[str, Any, str]]:
    def wrong_type(p: dict[str, Any]) -> None:
        p["tiers"][0]["uptime"] = 99.95  # a float where a decimal string belongs

    def extra_key(p: dict[str, Any]) -> None:
        p["cap"]["surprise"] = True

    def bad_decimal(p: dict[str, Any]) -> None:
        p["tiers"][1]["uptime"] = "99.95%"

    def bad_format_version(p: dict[str, Any]) -> None:
        p["format_version"] = "2.0"

    def missing_key(p: dict[str, Any]) -> None:
        del p["credits"][0]["bands"][0]["line"]

    def bad_identifier(p: dict[str, Any]) -> None:
        p["tiers"][2]["support"][0] = "Email"

    def bad_date(p: dict[str, Any]) -> None:
        p["calendars"][1]["holidays"]["dates"][0] = "2026/01/01"

    def nested_in_nullable(p: dict[str, Any]) -> None:
        p["examples"][0]["fee"]["amount"] = 500

    def bad_share(p: dict[str, Any]) -> None:
        p["cap"]["amount"]["share"] = "all"

    return [
        ("wrong type", wrong_type, "$.tiers[0].uptime"),
        ("nested in nullable", nested_in_nullable, "$.examples[0].fee.amount"),
        ("bad share", bad_share, "$.cap.amount.share"),
        ("extra key", extra_key, "$.cap"),
        ("bad decimal", bad_decimal, "$.tiers[1].uptime"),
        ("format version", bad_format_version, "$.format_version"),
        ("missing key", missing_key, "$.credits[0].bands[0]"),
        ("bad identifier", bad_identifier, "$.tiers[2].support[0]"),
        ("bad date", bad_date, "$.calendars[1].holidays.dates[0]"),
    ]


@pytest.mark.parametrize(("what", "mutate", "path"), _mutations(), ids=[m[0] for m in _mutations()])
def test_mutated_policy_is_rejected_with_its_path(acme: dict[str, Any], what: str, mutate, path: str) -> None:
    bad = copy.deepcopy(acme)
    mutate(bad)
    with pytest.raises(pol.PolicyError) as info:
        pol.validate(bad)
    assert path in str(info.value)
    assert any(p.startswith(path) for p, _ in info.value.problems)
    # `validate` uses a copy of the schema with references inlined; the shipped one agrees.
    assert not Draft202012Validator(pol.load_schema()).is_valid(bad)


# ---- calendars and holidays ------------------------------------------------------------------------------


def test_cn_holidays_and_make_up_workdays(websoft9: dict[str, Any]) -> None:
    business = by_id(websoft9["calendars"], "business")
    hol = business["holidays"]
    assert hol["region"] == "CN"
    closures = {"2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03", "2025-02-04"}
    assert closures <= set(hol["dates"])
    assert {"2025-01-26", "2025-02-08"} <= set(hol["workdays"])
    assert hol["dates"] == sorted(hol["dates"]) and hol["workdays"] == sorted(hol["workdays"])
    assert websoft9["materialised"]["years"] == [2025, 2030]
    assert all("2025" <= d[:4] <= "2030" for d in hol["dates"] + hol["workdays"])
    assert [(h["day"], h["start"], h["end"]) for h in business["hours"]] == [
        (d, 480, 1080) for d in ("mon", "tue", "wed", "thu", "fri")
    ]


def test_holiday_years_option_changes_the_span() -> None:
    policy = compile_file(ROOT / "contracts" / "websoft9.sla", holiday_years=(2025, 2026))
    assert policy["materialised"]["years"] == [2025, 2026]
    dates = by_id(policy["calendars"], "business")["holidays"]["dates"]
    assert {d[:4] for d in dates} == {"2025", "2026"}
    assert "2025-01-28" in dates


def test_materialised_versions_are_recorded(acme: dict[str, Any]) -> None:
    import holidays

    mat = acme["materialised"]
    assert mat["holidays_version"] == holidays.__version__
    assert mat["years"] == [2026, 2031]
    assert mat["tzdata_version"] is None or isinstance(mat["tzdata_version"], str)


def test_us_calendar_keeps_its_own_zone(acme: dict[str, Any]) -> None:
    business = by_id(acme["calendars"], "business")
    assert business["timezone"] == "America/New_York"
    assert by_id(acme["calendars"], "always")["timezone"] == "UTC"
    assert "2026-07-03" in business["holidays"]["dates"]  # Independence Day observed (4 July is a Saturday)
    assert business["holidays"]["workdays"] == []


def test_calendar_hours_in_pieces_still_always_open() -> None:
    from slac import nodes as n

    source = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")
    split = source.replace("hours mon-sun 00:00-24:00", "hours mon-sun 00:00-12:00\n    hours mon-sun 12:00-24:00")
    doc = slac.parse(split, file="split.sla")
    assert len(doc.sla.all(n.Calendar)[0].all(n.Hours)) == 2
    policy = pol.build(doc)
    always = by_id(policy["calendars"], "always")
    assert always["always_open"] is True
    assert len(always["hours"]) == 14


def test_band_order_keeps_target_in_place() -> None:
    source = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8")
    shuffled = source.replace(
        "    when uptime below target 10% of monthly_fee\n"
        "    when uptime below 99.0%  25% of monthly_fee\n"
        "    when uptime below 95.0%  100% of monthly_fee\n",
        "    when uptime below 95.0%  100% of monthly_fee\n"
        "    when uptime below target 10% of monthly_fee\n"
        "    when uptime below 99.0%  25% of monthly_fee\n",
    )
    assert shuffled != source
    policy = pol.build(slac.parse(shuffled, file="acme-crm.sla"))
    bands = by_id(policy["credits"], "downtime")["bands"]
    assert [b["threshold"] for b in bands] == ["99", "target", "95"]


def test_missing_optional_statements_do_not_crash() -> None:
    source = 'sla tiny {\n  languages en\n  tier basic {\n    name en "Basic"\n  }\n}\n'
    policy = pol.build(slac.parse(source, file="tiny.sla"))
    assert policy["availability"] is None and policy["cap"] is None and policy["claim"] is None
    assert policy["materialised"]["years"] is None
    assert policy["billing"] == "monthly"
    assert policy["tiers"][0]["uptime"] is None and policy["tiers"][0]["live"] is None
    pol.validate(copy.deepcopy(policy))


def test_importing_slac_stays_light() -> None:
    import subprocess
    import sys

    code = "import sys, slac; bad = {'jsonschema', 'holidays', 'lark'} & set(sys.modules); print(sorted(bad))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_objective_keeps_every_target() -> None:
    source = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8")
    source = source.replace("p95 below 300ms per month", "p95 below 300ms per month\n    p99 below 1s per month")
    [p95, p99] = by_id(slac.compile_policy(source, file="acme-crm.sla")["objectives"], "latency")["targets"]
    assert (p95["metric"], p95["threshold"]) == ("p95", {"seconds": 0.3})
    assert (p99["metric"], p99["threshold"], p99["line"]) == ("p99", {"seconds": 1}, p95["line"] + 1)
