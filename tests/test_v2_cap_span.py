"""Caps over a longer span than the window, hand-computed: the earlier windows of the span are history.

A monthly contract with a quarterly cap reached in the third month, a yearly cap over quarterly
windows, a cap per scope with the minimum credit deciding which months used it, the example of a
contract with history events, `slac evaluate` over a month with the quarter's earlier months in
its input (JSON and Markdown), the rendered cap sentence, the diff direction and E0722 (a span
shorter than the window). Agreement with the oracle on random months: tests/test_v2_crosscheck.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from slac.cli import main
from slac.driver import check, compile_policy, compile_source
from slac.runtime import load_policy
from slac.runtime.examples import run_examples

from .hand_contracts import header

MONTHLY = (
    "\n"
    + header("m", 'en "M" zh "M"', languages="en zh")
    + """  availability { window calendar month }
  tier t { name en "T" zh "T"
    uptime 99.9% }
  credit c {
    when uptime below 99.9% 10% of monthly_fee
    when uptime below 99% 25% of monthly_fee
  }
  cap 60% of monthly_fee per quarter
  $EXAMPLES
}
"""
)

# 8 h down in each month of 2026-Q1 (UTC): January 744 h, 1 − 8/744 = 98.92 % < 99 %; February
# 672 h, 1 − 8/672 = 98.81 %; March 744 h, 98.92 %: each month's band is 25 % of 1000 = 250 USD.
# The quarter's cap is 60 % of 1000 = 600 USD: January 250 (600 left), February 250 (350 left),
# March 250 of which only 600 − 500 = 100 USD is owed.
THIRD_MONTH = """
  example en "the quarter's cap is reached in its third month" zh "季度上限在第三个月达到" {
    tier t
    fee 1000 USD
    period 2026-03
    outage 2026-01-05T00:00Z for 8h
    outage 2026-02-05T00:00Z for 8h
    outage 2026-03-05T00:00Z for 8h
    expect uptime 98.92%
    expect credit 100 USD
  }
"""


def run(source: str) -> list:
    return run_examples(load_policy(compile_policy(source, file="t.sla")))


def test_quarterly_cap_reached_in_the_third_month() -> None:
    (result,) = run(MONTHLY.replace("$EXAMPLES", THIRD_MONTH))
    assert result.ok, result.checks
    cap = result.report["cap"]
    assert cap["span"] == "quarter" and cap["windows_before"] == ["2026-01", "2026-02"]
    assert (cap["limit"], cap["used_before"], cap["remaining"], cap["applied"]) == ("600.00", "500.00", "100.00", True)
    assert result.report["total"] == "100.00"


def test_the_first_window_of_the_span_has_no_history() -> None:
    # April opens 2026-Q2: January–March do not count. 8 h of 720 h = 98.89 %: 250 USD, under 600.
    source = MONTHLY.replace(
        "$EXAMPLES",
        """
  example en "a new quarter" zh "新的季度" {
    tier t
    fee 1000 USD
    period 2026-04
    outage 2026-01-05T00:00Z for 8h
    outage 2026-02-05T00:00Z for 8h
    outage 2026-03-05T00:00Z for 8h
    outage 2026-04-05T00:00Z for 8h
    expect credit 250 USD
  }
""",
    )
    (result,) = run(source)
    assert result.ok, result.checks
    assert result.report["cap"]["windows_before"] == [] and result.report["cap"]["used_before"] == "0.00"


QUARTERLY = (
    "\n"
    + header("q", 'en "Q"', zone="Asia/Shanghai", currency="CNY", billing="quarterly")
    + """  availability { window calendar quarter }
  tier t { name en "T"
    uptime 99.9% }
  credit c { when uptime below target 10 * window_fee * downtime / window }
  cap 10 service_days per year
  $EXAMPLES
}
"""
)


def test_yearly_cap_over_quarterly_windows() -> None:
    # Fee 9200 CNY per quarter. Q1 has 90 days = 129 600 min: 6 h = 360 min,
    # 10 × 9200 × 360/129600 = 255.555… → owed 255.56 (the year's cap then is 10 × 9200/90 = 1022.22,
    # not reached). Q2, 91 days = 131 040 min: 360 min → 252.747… → 252.75. Q3, 92 days = 132 480 min:
    # 12 h = 720 min → 10 × 9200 × 720/132480 = 500 exactly; uptime 1 − 720/132480 = 99.46 %.
    # The cap, valued with Q3's fee and days, is 10 × 9200/92 = 1000; used 255.56 + 252.75 = 508.31;
    # Q3 owes min(500, 1000 − 508.31) = 491.69 CNY.
    source = QUARTERLY.replace(
        "$EXAMPLES",
        """
  example "the year's cap is reached in the third quarter" {
    tier t
    fee 9200 CNY
    period 2026-Q3
    outage 2026-02-10T10:00+08:00 for 6h
    outage 2026-05-10T10:00+08:00 for 6h
    outage 2026-08-10T10:00+08:00 for 12h
    expect uptime 99.46%
    expect credit 491.69 CNY
  }
""",
    )
    (result,) = run(source)
    assert result.ok, result.checks
    cap = result.report["cap"]
    assert cap["windows_before"] == ["2026-Q1", "2026-Q2"]
    assert (cap["limit"], cap["used_before"], cap["remaining"]) == ("1000.00", "508.31", "491.69")


SCOPED = (
    "\n"
    + header("s", 'en "S"')
    + """  service storage { name en "Storage"
    measured per region }
  availability { window calendar month }
  tier t { name en "T"
    uptime 99.9% }
  credit c {
    when uptime below 99.9% 10% of service_charges
    when uptime below 99% 40% of service_charges
  }
  minimum credit 20 USD per month
  cap 50% of service_charges per quarter
  $EXAMPLES
}
"""
)


def test_cap_per_scope_counts_only_the_months_that_were_paid() -> None:
    # Charges 100 USD in us and 500 USD in eu; the cap per scope and quarter is 50 % of the charges.
    # January: us 8 h of 744 h = 98.92 % → 40 % of 100 = 40; eu untouched. 40 ≥ 20: paid; us used 40.
    # February: us 1 h of 672 h = 99.85 % → 10 % of 100 = 10 < the 20 USD minimum: not paid, uses nothing.
    # March: us 8 h → 40, limited to 50 − 40 = 10; eu 8 h → 40 % of 500 = 200, under its 250 cap.
    # March owes 10 + 200 = 210 USD. (Counting February's 10 too would leave us nothing: 200.)
    source = SCOPED.replace(
        "$EXAMPLES",
        """
  example "the quarter's cap per scope" {
    tier t
    period 2026-03
    charges storage us 100 USD
    charges storage eu 500 USD
    outage 2026-01-05T00:00Z for 8h service storage region us
    outage 2026-02-05T00:00Z for 1h service storage region us
    outage 2026-03-05T00:00Z for 8h service storage region us
    outage 2026-03-05T00:00Z for 8h service storage region eu
    expect credit 210 USD
  }
""",
    )
    (result,) = run(source)
    assert result.ok, result.checks
    caps = {s["region"]: s["cap"] for s in result.report["scopes"]}
    assert (caps["us"]["used_before"], caps["us"]["remaining"], caps["us"]["applied"]) == ("40.00", "10.00", True)
    assert (caps["eu"]["used_before"], caps["eu"]["applied"]) == ("0.00", False)


def _write(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_evaluate_a_month_with_the_earlier_months_of_the_quarter(tmp_path: Path) -> None:
    # The same figures as THIRD_MONTH, from event files: acme owes 100 USD in March. bravo (fee 2000)
    # has only March's 8 h: 25 % of 2000 = 500, under its cap of 1200 with nothing used before.
    sla = _write(tmp_path, "m.sla", MONTHLY.replace("$EXAMPLES", ""))
    customers = _write(tmp_path, "customers.csv", "customer,tier,fee\nacme,t,1000\nbravo,t,2000\n")
    incidents = _write(
        tmp_path,
        "incidents.csv",
        "id,start,end,customers\n"
        "jan,2026-01-05T00:00:00Z,2026-01-05T08:00:00Z,acme\n"
        "feb,2026-02-05T00:00:00Z,2026-02-05T08:00:00Z,acme\n"
        "mar,2026-03-05T00:00:00Z,2026-03-05T08:00:00Z,\n",
    )
    args = ["evaluate", sla, "--period", "2026-03", "--customers", customers, "--incidents", incidents]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    import jsonschema

    schema_path = Path(__file__).resolve().parent.parent / "compiler" / "schema" / "report.schema.json"
    jsonschema.Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8"))).validate(
        json.loads(out.stdout)
    )
    report = {c["customer"]: c for c in json.loads(out.stdout)["customers"]}
    assert report["acme"]["total"] == "100.00" and report["acme"]["cap"]["used_before"] == "500.00"
    assert report["bravo"]["total"] == "500.00" and report["bravo"]["cap"]["used_before"] == "0.00"
    md = CliRunner().invoke(main, [*args, "--format", "md", "--lang", "en"])
    assert md.exit_code == 0, md.output
    assert "cap per quarter: 500.00 USD already owed for 2026-01, 2026-02, 100.00 USD left for this period" in md.stdout
    zh = CliRunner().invoke(main, [*args, "--format", "md", "--lang", "zh"])
    assert "按季度计算的上限：2026-01，2026-02已补偿 500.00 USD，本期剩余 100.00 USD" in zh.stdout


def test_document_says_the_span_and_that_earlier_windows_count() -> None:
    from slac.render import render_markdown

    policy = compile_policy(MONTHLY.replace("$EXAMPLES", ""), file="t.sla")
    en = render_markdown(policy, "en")
    assert "for one calendar quarter are added together and may not exceed" in en
    assert "limited to what is left of that amount after the credits owed for the earlier calendar months" in en
    zh = render_markdown(policy, "zh")
    assert "每一自然季度的全部服务补偿合并计算" in zh and "同一季度内此前各自然月已给予的补偿" in zh


def test_diff_a_longer_span_is_a_reduction() -> None:
    from slac.change.diff import diff

    old = compile_policy(MONTHLY.replace("$EXAMPLES", "").replace("per quarter", "per month"), file="a.sla")
    new = compile_policy(MONTHLY.replace("$EXAMPLES", ""), file="b.sla")
    (change,) = [c for c in diff(old, new).changes if c.key.section == "cap"]
    assert change.kind == "reduction"
    (back,) = [c for c in diff(new, old).changes if c.key.section == "cap"]
    assert back.kind == "improvement"


def test_a_span_shorter_than_the_window_is_e0722() -> None:
    source = QUARTERLY.replace("$EXAMPLES", "").replace("10 service_days per year", "10 service_days per month")
    (diag,) = [d for d in check(source, file="t.sla") if d.code == "E0722"]
    assert "shorter than the calendar quarter window" in diag.message
    assert "per quarter" in (diag.hint or "")
    assert compile_source(QUARTERLY.replace("$EXAMPLES", ""), file="t.sla").ok  # per year: accepted


TICKETS = (
    "\n"
    + header("k", 'en "K"')
    + """  calendar always {
    hours mon-sun 00:00-24:00
  }
  priority p1 { name en "P1" }
  tier t { name en "T"
    respond p1 within 30min during always }
  credit late { per missed response 40 USD }
  cap 100 USD per quarter
  $EXAMPLES
}
"""
)


def test_earlier_months_missed_responses_count_against_the_quarter() -> None:
    # January: 2 responses after 1 h (target 30 min) → 2 × 40 = 80 USD (20 left of the quarter's 100).
    # February: 1 late → 40, limited to 20 (nothing left). March: 1 late → 40, but 100 − 100 = 0 is owed.
    source = TICKETS.replace(
        "$EXAMPLES",
        """
  example "the quarter's cap, used up by earlier months" {
    tier t
    fee 1000 USD
    period 2026-03
    repeat 2 ticket p1 opened 2026-01-06T10:00Z responded 2026-01-06T11:00Z
    ticket p1 opened 2026-02-06T10:00Z responded 2026-02-06T11:00Z
    ticket p1 opened 2026-03-06T10:00Z responded 2026-03-06T11:00Z
    expect breaches 1
    expect credit 0 USD
  }
""",
    )
    (result,) = run(source)
    assert result.ok, result.checks
    assert (result.report["cap"]["used_before"], result.report["cap"]["remaining"]) == ("100.00", "0.00")


def test_w0808_counts_every_window_of_a_longer_span() -> None:
    # The worst band pays 25 % of the monthly fee: a cap of 50 % per month can never bind (W0808),
    # per year it can (12 months × 25 % = 300 % > 50 %).
    month = MONTHLY.replace("$EXAMPLES", "").replace("60% of monthly_fee per quarter", "50% of monthly_fee per month")
    assert "W0808" in [d.code for d in check(month, file="t.sla")]
    year = month.replace("per month", "per year")
    assert "W0808" not in [d.code for d in check(year, file="t.sla")]


def test_example_result_says_what_the_earlier_months_used() -> None:
    from slac.render import render_markdown

    policy = compile_policy(MONTHLY.replace("$EXAMPLES", THIRD_MONTH), file="t.sla")
    en = render_markdown(policy, "en")
    # 600 − 500 = 100 (THIRD_MONTH); the implicit service's line has no empty scope name before it
    assert "$500.00 of it was owed for January 2026, February 2026, so no more than \\$100.00" in en
    assert "- Uptime 98.92%, downtime credit \\$250.00" in en
    zh = render_markdown(policy, "zh")
    assert "其中 US\\$500.00 已就 2026年1月、2026年2月给予，本期至多给予 US\\$100.00" in zh


TWO_SERVICES = (
    "\n"
    + header("s", 'en "S" zh "S"', languages="en zh")
    + """  calendar always { hours mon-sun 00:00-24:00 }
  service api { name en "API" zh "API" }
  service web { name en "Web" zh "Web" }
  availability { window calendar month }
  tier t { name en "T" zh "T"
    uptime 99.9% for api
    uptime 99.9% for web }
  credit c {
    when uptime below 99.9% 10% of monthly_fee
    when uptime below 99% 25% of monthly_fee
  }
  cap 40% of monthly_fee per month
  $EXAMPLES
}
"""
)


def test_w0808_adds_up_every_service_under_a_cap_on_the_fee() -> None:
    # Each service pays at most 25 % of the monthly fee: one service alone could never reach a cap of
    # 40 %, two can (50 %), so no warning; and the example shows it binds: both services 8 h down in
    # March (1 − 8/744 = 98.92 % < 99 %) → 250 + 250 = 500 USD, capped at 40 % of 1000 = 400 USD.
    both_down = """
  example en "both services down" zh "两项服务均停机" {
    tier t
    fee 1000 USD
    period 2026-03
    outage 2026-03-05T00:00Z for 8h service api
    outage 2026-03-05T00:00Z for 8h service web
    expect credit 400 USD
  }
"""
    source = TWO_SERVICES.replace("$EXAMPLES", both_down)
    assert "W0808" not in [d.code for d in check(source, file="t.sla")]
    (result,) = run(source)
    assert result.ok, result.checks
    one = source.replace('  service web { name en "Web" zh "Web" }\n', "").replace("    uptime 99.9% for web ", "")
    one = one.replace("    outage 2026-03-05T00:00Z for 8h service web\n", "").replace(
        "expect credit 400", "expect credit 250"
    )
    assert "W0808" in [d.code for d in check(one, file="t.sla")]  # 25 % can never reach 40 %
    (alone,) = run(one)
    assert alone.ok, alone.checks
