"""Language v2, hand-computed: every expected figure below is worked out in the comment beside it.

Quarters across DST, error-rate intervals at exactly the threshold, a maintenance allowance that
runs out in the middle of an outage, claim deadlines in billing cycles from January, February and
December, a capped formula credit, harbor-desk's availability examples (as a contract of its own:
its ticket clocks are the next issue), the sample month under contracts/events/, the checks of the
new terms, and the properties (more downtime never less credit, excluded incidents change nothing,
one scope's events never touch another's credit).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from slac.driver import check, compile_policy
from slac.runtime import load_policy
from slac.runtime.examples import run_examples

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "contracts" / "events" / "nimbus-cloud-2026-05"

HARBOR_AVAILABILITY = """
sla harbor {
  title     zh "海港协作服务等级协议" en "Harbor Workspace Service Level Agreement"
  version   "1.0.0"
  effective 2026-01-01
  languages zh en
  timezone  "Asia/Shanghai"
  currency  CNY
  billing   quarterly
  calendar always {
    name  zh "全天候" en "around the clock"
    hours mon-sun 00:00-24:00
  }
  availability {
    window   calendar quarter
    excludes scheduled_maintenance
  }
  priority p1 {
    name        zh "P1 紧急" en "P1 Critical"
    description zh "整个工作区无法使用" en "The workspace is unavailable for all of its users"
  }
  tier business {
    name   zh "商业版" en "Business"
    uptime 99.9%
    respond p1 within 30min during always
  }
  credit downtime {
    name zh "停机补偿" en "Downtime credit"
    when uptime below target 10 * window_fee * downtime / window
  }
  credit late_response {
    name zh "响应超时补偿" en "Late response credit"
    per missed response 1 service_day
  }
  cap 15 service_days per quarter
  payout credit next_invoice
  claim within 30d via "sla@harbor.example"
  exclude scheduled_maintenance {
    maintenance notice 72h
    zh "至少提前 72 小时通知的计划维护"
    en "Scheduled maintenance announced at least 72 hours in advance"
  }
  $EXAMPLES
}
"""

# From harbor-desk.sla, verbatim: 2026-Q2 in Asia/Shanghai is Apr 1 – Jul 1, 91 days = 131 040 min.
# 3 h down = 180 min: uptime = 1 − 180/131040 = 99.8626…% → 99.86 %; the credit is
# 10 × 3000 × 180 / 131040 = 41.2087… → 41.21 CNY (the cap, 15 × 3000/91 = 494.51, is not reached).
HARBOR_EXAMPLE = """
  example zh "按季度计量：停机 3 小时的补偿为该时段费用的十倍" en "measured per quarter: 3 hours down earn ten times their fees" {
    tier business
    fee 3000 CNY
    period 2026-Q2
    outage 2026-05-06T10:00+08:00 for 3h
    expect uptime 99.86%
    expect credit 41.21 CNY
  }
"""


def harbor(examples: str) -> str:
    return HARBOR_AVAILABILITY.replace("$EXAMPLES", examples)


def results(source: str, *, checked: bool = True) -> list:
    """The examples run; `checked=False` builds the policy without holding it to its expectations."""
    if checked:
        return run_examples(load_policy(compile_policy(source, file="t.sla")))
    from slac.driver import compile_source

    compiled = compile_source(source, file="t.sla", examples=False)
    assert compiled.policy is not None, compiled.diagnostics
    return run_examples(load_policy(compiled.policy))


def test_harbor_availability_example_passes() -> None:
    (result,) = results(harbor(HARBOR_EXAMPLE))
    assert result.ok, result.checks
    assert result.report["total"] == "41.21"


def test_capped_formula_credit() -> None:
    # 2026-Q2 has 91 days. 300 h down = 18 000 min of 131 040: the formula gives
    # 10 × 9100 × 18000/131040 = 12 500.00 CNY; the cap is 15 service days = 15 × 9100/91 = 1500 CNY.
    # Uptime 1 − 18000/131040 = 86.26 %.
    source = harbor(
        """
  example en "a long outage is capped" zh "长时间停机以上限为准" {
    tier business
    fee 9100 CNY
    period 2026-Q2
    outage 2026-04-02T00:00+08:00 for 300h
    expect uptime 86.26%
    expect credit 1500 CNY
  }
"""
    )
    (result,) = results(source)
    assert result.ok, result.checks
    assert result.report["cap"]["applied"] is True
    assert result.report["cap"]["limit"] == "1500.00"


def test_per_miss_in_service_days() -> None:
    # Two p1 tickets answered after 1 h (target 30 min): 2 × 1 service day = 2 × 9100/91 = 200 CNY.
    source = harbor(
        """
  example en "late responses earn days of service" zh "响应超时按服务日补偿" {
    tier business
    fee 9100 CNY
    period 2026-Q2
    repeat 2 ticket p1 opened 2026-05-06T10:00+08:00 responded 2026-05-06T11:00+08:00
    expect breaches 2
    expect credit 200 CNY
  }
"""
    )
    (result,) = results(source)
    assert result.ok, result.checks


DST_QUARTER = """
sla q {
  title en "Q"
  version "1"
  effective 2026-01-01
  languages en
  timezone "Europe/Berlin"
  currency EUR
  billing quarterly
  availability { window calendar quarter }
  tier t { name en "T"
    uptime 99.9% }
  credit c { when uptime below target 10 * window_fee * downtime / window }
  $EXAMPLES
}
"""


def test_quarter_across_dst() -> None:
    # 2026-Q1 in Europe/Berlin: Jan 1 – Apr 1, 90 days, and the clocks go forward on 29 March, so the
    # quarter is 90 × 24 − 1 = 2159 h = 129 540 min long (not 129 600).
    # 129.54 min down: uptime = 1 − 129.54/129540 = 99.9 % exactly, not below 99.9 %: no credit.
    # 130 min down: 1 − 130/129540 = 99.89964…% < 99.9 %: credit 10 × 12954 × 130/129540 = 130 EUR.
    source = DST_QUARTER.replace(
        "$EXAMPLES",
        """
  example "exactly at the commitment" {
    tier t
    fee 12954 EUR
    period 2026-Q1
    outage 2026-02-01T00:00Z for 2h9min32s400ms
    expect uptime 99.9%
    expect credit 0 EUR
  }
  example "just below it" {
    tier t
    fee 12954 EUR
    period 2026-Q1
    outage 2026-02-01T00:00Z for 2h10min
    expect credit 130 EUR
  }
""",
    )
    first, second = results(source)
    assert first.ok, first.checks
    assert second.ok, second.checks
    assert first.report["scopes"][0]["uptime"]["fraction"] == "999/1000"


CLOUD = """
sla c {
  title en "C"
  version "1"
  effective 2026-01-01
  languages en
  timezone "UTC"
  currency USD
  billing monthly
  service storage { name en "Storage"
    measured per region
    downtime when error_rate above 5% per 5min }
  availability {
    window calendar month
    excludes maint
  }
  tier t { name en "T"
    uptime 99.9% }
  credit c { when uptime below target 10% of service_charges }
  claim within 2 billing cycles via "claims@example.com"
  exclude maint { maintenance notice 2d limit 3h per year
    en "maintenance" }
  $EXAMPLES
}
"""


def test_error_rate_at_exactly_the_threshold_is_not_down() -> None:
    # 5 % failing is not above 5 %: no interval is down. 5.01 % is: 12 intervals of 5 min = 60 min.
    # May has 44 640 min: 1 − 60/44640 = 99.87 %, below 99.9 %: 10 % of 300 = 30 USD.
    source = CLOUD.replace(
        "$EXAMPLES",
        """
  example "at the threshold" {
    tier t
    period 2026-05
    charges storage us 300 USD
    requests storage us from 2026-05-10T08:00Z for 60min failing 5%
    expect uptime 100% for storage us
    expect credit 0 USD
  }
  example "just above it" {
    tier t
    period 2026-05
    charges storage us 300 USD
    requests storage us from 2026-05-10T08:00Z for 60min failing 5.01%
    expect uptime 99.87% for storage us
    expect credit 30 USD
  }
""",
    )
    first, second = results(source)
    assert first.ok and second.ok, (first.checks, second.checks)
    assert second.report["scopes"][0]["downtime"]["error_rate_intervals"] == 12


def test_allowance_runs_out_in_the_middle_of_an_outage() -> None:
    # 3 h a year. January: 2 h excluded (1 h left). March: a 4 h maintenance, the first hour excluded,
    # the last 3 h count: March has 44 640 min, 1 − 180/44640 = 99.60 %.
    source = CLOUD.replace(
        "$EXAMPLES",
        """
  example "the allowance runs out" {
    tier t
    period 2026-03
    charges storage us 100 USD
    outage 2026-01-10T00:00Z for 2h service storage region us cause maint announced 2026-01-01T00:00Z
    outage 2026-03-10T00:00Z for 4h service storage region us cause maint announced 2026-03-01T00:00Z
    expect uptime 99.60% for storage us
    expect credit 10 USD
  }
""",
    )
    (result,) = results(source)
    assert result.ok, result.checks
    excluded = result.report["scopes"][0]["downtime"]["excluded"]
    assert excluded == [{"cause": "maint", "reason": "announced_maintenance", "seconds": 3600}]


@pytest.mark.parametrize(
    ("period", "last_day"),
    [
        # January's second billing cycle after it is March: the last day is 31 March.
        ("2026-01", "2026-03-31"),
        # February → April 30.
        ("2026-02", "2026-04-30"),
        # December 2026 → February 2027, which has 28 days.
        ("2026-12", "2027-02-28"),
    ],
)
def test_claim_deadline_in_billing_cycles(period: str, last_day: str) -> None:
    source = CLOUD.replace(
        "$EXAMPLES",
        f"""
  example "claim" {{
    tier t
    period {period}
    charges storage us 100 USD
    expect claim by {last_day}
  }}
""",
    )
    (result,) = results(source)
    assert result.ok, result.checks


def test_sample_month_report_by_hand() -> None:
    """contracts/events/nimbus-cloud-2026-05, worked out by hand (May: 44 640 min).

    acme compute eu_west: inc-1, 50 min → 1 − 50/44640 = 99.89 % < 99.99 %: 10 % of 200 = 20 USD.
    acme compute us_east: inc-2 + inc-3 touch (116 s) → 1 whole min; inc-4 (50 s) is below the
      1-min minimum; mnt-1 announced 10 days ahead is within the 8 h allowance: 60 s down, no credit.
    acme object_storage us_east: 08:00 (8 %) and 08:10 (5.1 %) are down, 08:05 (5 % exactly) is not:
      600 s; 1 − 10/44640 = 99.98 % ≥ 99.9 %: nothing. acme owes 20 USD.
    borealis compute eu_west: inc-1 again: 10 % of 1200 = 120 USD; object_storage eu_west: 12:00 to
      12:05 has 300 of 800 failing: 300 s, 99.99 %: nothing. borealis owes 120 USD.
    cobalt compute us_east: 60 s + inc-6 90 min (inc-5 is customer_caused) = 5460 s → 99.80 %,
      10 % of 400 = 40 USD, but cobalt is not in good standing: 0 USD.
    """
    from click.testing import CliRunner

    from slac.cli import main

    args = ["evaluate", str(ROOT / "contracts" / "nimbus-cloud.sla"), "--period", "2026-05"]
    for name in ("customers", "incidents", "charges", "requests"):
        args += [f"--{name}", str(EVENTS / f"{name}.csv")]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    got = {
        c["customer"]: (
            c["total"],
            [(s["service"], s["region"], s["downtime"]["counted_seconds"]) for s in c["scopes"]],
        )
        for c in report["customers"]
    }
    assert got == {
        "acme": (
            "20.00",
            [("compute", "eu_west", 3000), ("compute", "us_east", 60), ("object_storage", "us_east", 600)],
        ),
        "borealis": ("120.00", [("compute", "eu_west", 3000), ("object_storage", "eu_west", 300)]),
        "cobalt": ("0.00", [("compute", "us_east", 5460)]),
    }
    import jsonschema

    schema = json.loads((ROOT / "compiler" / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)


@pytest.mark.parametrize(
    ("fmt", "lang", "suffix"), [("md", "en", "en.md"), ("md", "zh", "zh.md"), ("csv", "en", "csv")]
)
def test_sample_month_report_goldens(fmt: str, lang: str, suffix: str, golden) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    args = ["evaluate", str(ROOT / "contracts" / "nimbus-cloud.sla"), "--period", "2026-05", "--format", fmt]
    args += ["--lang", lang]
    for name in ("customers", "incidents", "charges", "requests"):
        args += [f"--{name}", str(EVENTS / f"{name}.csv")]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    golden(ROOT / "tests" / "golden" / "report" / f"nimbus-cloud-2026-05.{suffix}", out.stdout)


def test_an_evaluation_without_charges_or_requests_says_what_it_leaves_at_nothing() -> None:
    """Without --charges every credit on service_charges is 0 and without --requests no error rate is
    measured: a new user got a month of 0 credits with nothing said. The warnings go to stderr; the
    report itself is unchanged, and with both files given nothing is said."""
    from click.testing import CliRunner

    from slac.cli import main

    base = ["evaluate", str(ROOT / "contracts" / "nimbus-cloud.sla"), "--period", "2026-05"]
    base += ["--customers", str(EVENTS / "customers.csv"), "--incidents", str(EVENTS / "incidents.csv")]
    out = CliRunner().invoke(main, base)
    assert out.exit_code == 0, out.output
    assert "slac: warning: no --charges: credits on service_charges are 0 for every customer" in out.stderr
    assert "slac: warning: no --requests: the error-rate downtime of object_storage is not measured" in out.stderr
    assert {c["total"] for c in json.loads(out.stdout)["customers"]} == {"0.00"}
    full = base + ["--charges", str(EVENTS / "charges.csv"), "--requests", str(EVENTS / "requests.csv")]
    out = CliRunner().invoke(main, full)
    assert out.exit_code == 0 and "warning" not in out.stderr, out.stderr


def test_bad_rows_in_new_inputs_name_file_row_and_column(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    bad = tmp_path / "charges.csv"
    bad.write_text("customer,service,region,amount\nacme,compute,us_east,800\nacme,compute,,12\n", encoding="utf-8")
    requests = tmp_path / "requests.csv"
    requests.write_text("service,region,start,total,failed\nobject_storage,us_east,2026-05-10T08:00:00Z,10,11\n")
    report = tmp_path / "out.json"
    cases = (
        (bad, EVENTS / "requests.csv", "charges.csv, line 3"),
        (EVENTS / "charges.csv", requests, "requests.csv, line 2"),
    )
    for charges, reqs, where in cases:
        args = ["evaluate", str(ROOT / "contracts" / "nimbus-cloud.sla"), "--period", "2026-05", "-o", str(report)]
        args += ["--customers", str(EVENTS / "customers.csv"), "--incidents", str(EVENTS / "incidents.csv")]
        args += ["--charges", str(charges), "--requests", str(reqs)]
        out = CliRunner().invoke(main, args)
        assert out.exit_code == 2, out.output
        assert where in out.output
        assert "region" in out.output or "failed" in out.output
        assert not report.exists()


def test_v1_policy_still_loads() -> None:
    # The acme-crm policy as format 1.0 wrote it (the golden before the bump), loaded by this version.
    import subprocess

    text = subprocess.run(
        ["git", "show", "7777e2c:tests/golden/policy/acme-crm.json"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    if not text:
        pytest.skip("the 1.0 golden is not in this checkout's history")
    data = json.loads(text)
    assert data["format_version"] == "1.0"
    assert load_policy(data).hash == data["content_hash"]


def codes(source: str) -> list[str]:
    return sorted(d.code for d in check(source, file="t.sla"))


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("uptime 99.9% }", 'uptime 99.9% }\n  tier u { name en "U"\n    uptime 99.9% for storag }', "E0320"),
        ("charges storage us 300 USD", "charges storage 300 USD", "E0321"),
        ("credit c { when", "credit c { requires good\n    when", "E0322"),
        ("billing monthly", "billing quarterly", "E0721"),
        ("target 10% of service_charges", "target 10 * window_fee * downtime", "E0610"),
        ("target 10% of service_charges", "target window_fee * uptime", "E0611"),
        # A divisor that is 0 whatever the data; one that is 0 only for some data (service_charges) is not refused.
        ("uptime 99.9% }", "uptime 99.9%\n    uptime 150% for storage }", "E0606"),
        ("error_rate above 5% per", "error_rate above 100% per", "E0606"),
        (
            "charges storage us 300 USD",
            "charges storage us 300 USD\n    requests storage us from 2026-05-10T08:00Z for 5min failing 101%",
            "E0606",
        ),
        ("target 10% of service_charges", "target window_fee / 0", "E0612"),
        ("target 10% of service_charges", "target window_fee * downtime / (window - window)", "E0612"),
        ("target 10% of service_charges", "target window_fee / (1 - 100%)", "E0612"),
    ],
)
def test_checks_of_the_new_terms(old: str, new: str, code: str) -> None:
    base = CLOUD.replace(
        "$EXAMPLES",
        """
  example "e" {
    tier t
    period 2026-05
    charges storage us 300 USD
    expect credit 0 USD
  }
""",
    )
    assert old in base
    assert code in codes(base.replace(old, new))


def test_maintenance_notice_without_planned_maintenance_is_refused() -> None:
    # The "wrong money" bug: the notice used to apply only to an exclusion named planned_maintenance.
    source = (
        CLOUD.replace("excludes maint", "maintenance notice 48h\n    excludes maint")
        .replace(
            'exclude maint { maintenance notice 2d limit 3h per year\n    en "maintenance" }',
            'exclude maint { en "maintenance" }',
        )
        .replace("$EXAMPLES", "")
    )
    assert "E0720" in codes(source)


# ---- properties ------------------------------------------------------------------------------------


def _credit_for(source: str, outage: str) -> Decimal:
    (result,) = results(source.replace("$OUTAGE", outage), checked=False)
    return Decimal(result.report["total"])


@pytest.mark.parametrize("minutes", [0, 30, 60, 131, 600, 4000, 20000])
def test_more_downtime_never_less_credit(minutes: int) -> None:
    band = CLOUD.replace(
        "$EXAMPLES",
        """
  example "e" {
    tier t
    period 2026-05
    charges storage us 300 USD
    $OUTAGE
    expect credit 0 USD
  }
""",
    )
    formula = harbor(
        """
  example en "e" zh "e" {
    tier business
    fee 3000 CNY
    period 2026-Q2
    $OUTAGE
    expect credit 0 CNY
  }
"""
    )
    for source, scope in ((band, " service storage region us"), (formula, "")):
        less = _credit_for(source, f"outage 2026-05-06T10:00Z for {minutes}min{scope}" if minutes else "")
        more = _credit_for(source, f"outage 2026-05-06T10:00Z for {minutes + 45}min{scope}")
        assert more >= less


def test_excluded_incident_changes_nothing_and_scopes_are_independent() -> None:
    source = CLOUD.replace(
        "$EXAMPLES",
        """
  example "e" {
    tier t
    period 2026-05
    charges storage us 300 USD
    charges storage eu 300 USD
    outage 2026-05-06T10:00Z for 2h service storage region us
    $OUTAGE
    expect credit 30 USD
  }
""",
    )
    base = _credit_for(source, "")
    # An excluded cause (maintenance announced in time, within the allowance) adds nothing.
    assert (
        _credit_for(
            source, "outage 2026-05-07T10:00Z for 2h service storage region us cause maint announced 2026-05-01T00:00Z"
        )
        == base
    )  # noqa: E501
    (result,) = results(
        source.replace("$OUTAGE", "outage 2026-05-08T10:00Z for 9h service storage region eu"), checked=False
    )
    us = next(s for s in result.report["scopes"] if s["region"] == "us")
    assert us["subtotal"] == "30.00"  # eu's outage leaves us's credit alone


def test_scope_columns_checked_per_distinct_pair_name_the_earliest_bad_row(tmp_path: Path) -> None:
    """The reader checks each (service, region) pair once: the earliest bad row is still the one named,
    and the columns read back row by row, their remembered codes agreeing with the values."""
    from slac.runtime.columns import codes
    from slac.runtime.inputs_v2 import EventError, read_requests

    raw = compile_policy((ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8"), file="nimbus.sla")
    head = "service,region,start,total,failed\n"
    t = "2026-05-10T08:00:00Z,10,1\n"
    bad = tmp_path / "bad.csv"
    # line 2 good; line 3 `compute` without a region (first seen there, again on line 5); line 4 an unknown service
    bad.write_text(head + f"compute,us_east,{t}compute,,{t}nosuch,us_east,{t}compute,,{t}", encoding="utf-8")
    with pytest.raises(EventError) as err:
        read_requests(bad, raw)
    assert (err.value.row, err.value.column) == (3, "region")
    assert "measured per region: give the region" in err.value.message
    good = tmp_path / "good.csv"
    rows = [
        ("object_storage", "us_east"),
        ("compute", "eu_west"),
        ("object_storage", "us_east"),
        ("compute", "us_east"),
    ]
    good.write_text(head + "".join(f"{s},{r},{t}" for s, r in rows), encoding="utf-8")
    got = read_requests(good, raw)
    assert list(zip(got.service.tolist(), got.region.tolist(), strict=True)) == rows
    assert codes(got.region, ["us_east", "eu_west"], "region").tolist() == [0, 1, 0, 0]


def test_a_divisor_zero_only_for_some_data_is_allowed() -> None:
    base = CLOUD.replace("$EXAMPLES", "")
    assert "target 10% of service_charges" in base
    source = base.replace("target 10% of service_charges", "target window_fee * service_charges / service_charges")
    assert "E0612" not in codes(source)
