"""The document's v2 sentences say only what applies: the lawyers' findings on nimbus-cloud, as tests.

Each test builds a small contract that differs in one respect (services per region or not, a tier with a
general uptime or only per-service ones, a sole-remedy clause or none) and reads the sentence it must
produce, in both languages; the goldens show the whole nimbus-cloud document.
"""

from __future__ import annotations

import re

import pytest

from slac import compile_policy
from slac.render import render_markdown

from .conftest import ROOT

HEAD = """sla t {
  title     en "T" zh "T"
  version   "1.0.0"
  effective 2026-01-01
  timezone  "UTC"
  languages en zh
  currency  USD
  billing   monthly
"""

STORAGE_PER_REGION = """  service storage {
    name en "Storage" zh "存储服务"
    measured per region
  }
"""
COMPUTE = """  service compute {
    name en "Compute" zh "计算服务"
  }
"""
SOLE_REMEDY = """  clause sole_remedy {
    title en "Sole remedy" zh "唯一补救"
    en "Service credits are the customer's sole remedy."
    zh "服务补偿是客户唯一的补救。"
  }
"""


def contract(*parts: str, uptime: str = "uptime 99.9% for storage", more: str = "") -> str:
    return (
        HEAD
        + "".join(parts)
        + "  availability {\n    window calendar month\n  }\n"
        + f'  tier standard {{\n    name en "Standard" zh "标准版"\n    {uptime}\n  }}\n'
        + "  condition paid_up {\n"
        + '    en "the customer has paid every invoice"\n'
        + '    zh "客户已支付全部账单"\n'
        + "  }\n"
        + "  credit downtime {\n    requires paid_up\n    when uptime below target 10% of service_charges\n  }\n"
        + "  terminate when uptime below 99% for 3 consecutive months\n"
        + more
        + "}\n"
    )


def doc(source: str, lang: str) -> str:
    return render_markdown(compile_policy(source, file="t.sla"), lang)


def paragraph(text: str, start: str) -> str:
    found = [p.strip() for p in text.split("\n\n") if p.startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


def test_termination_per_region_names_the_service_and_region_the_notice_and_the_effect() -> None:
    en = doc(contract(STORAGE_PER_REGION), "en")
    right = paragraph(en, "If the monthly uptime of")
    assert right == (
        "If the monthly uptime of a service in a region is below 99% in each of three consecutive calendar months, "
        "the Customer may, by written notice to the Provider, terminate its subscription to that service in that "
        "region."
    )
    # What ends is the subscription to the service (not "this agreement", which is the SLA itself).
    assert "terminate this agreement" not in en
    effect = paragraph(en, "The termination takes effect")
    assert "applies to that service in that region only" in effect
    assert "subscriptions to other services and regions, and this agreement as it applies to them, are not" in effect
    # Earlier credits survive; with no form-of-credits clause nothing more is promised of them ("payable").
    assert paragraph(en, "The termination does not affect") == (
        "The termination does not affect service credits for the calendar months before it."
    )
    zh = doc(contract(STORAGE_PER_REGION), "zh")
    assert "连续三个自然月均低于 99% 的，客户有权书面通知服务提供方，终止其在该区域对该项服务的订购。" in zh
    assert "仅及于该区域内的该项服务；客户对其他服务和区域的订购以及本协议对其的适用不受影响。" in zh
    assert "终止本协议" not in zh and "仍应支付" not in zh


def test_credits_before_a_termination_are_claimed_and_given_as_the_contract_says() -> None:
    more = "  payout credit next_invoice\n  claim within 2 billing cycles\n"
    en = doc(contract(STORAGE_PER_REGION, more=more), "en")
    # Clauses: 4.1 credit, 4.2 form of credits, 4.3 termination, 4.4 claiming credits.
    assert paragraph(en, "The termination does not affect") == (
        "The termination does not affect service credits for the calendar months before it: the Customer may "
        "still claim them under clause [4.4](#claim), and they are given as set out in clause [4.2](#payout)."
    )
    zh = doc(contract(STORAGE_PER_REGION, more=more), "zh")
    assert (
        "终止前各自然月的服务补偿不受终止影响，客户仍可依第 [4.4](#claim) 条申请，并按第 [4.2](#payout) 条规定给予。"
        in zh
    )


def test_termination_of_a_service_not_measured_per_region_names_no_region() -> None:
    en = doc(contract(COMPUTE, uptime="uptime 99.9% for compute"), "en")
    right = paragraph(en, "If the monthly uptime of")
    assert "terminate its subscription to that service." in right and "region" not in right
    assert "region" not in paragraph(en, "The termination takes effect")
    zh = doc(contract(COMPUTE, uptime="uptime 99.9% for compute"), "zh")
    assert "终止其对该项服务的订购" in zh and "在该区域对该项服务" not in zh


def test_termination_without_services_is_of_the_agreement() -> None:
    en = doc(contract(uptime="uptime 99.9%").replace("10% of service_charges", "10% of monthly_fee"), "en")
    assert paragraph(en, "If the monthly uptime is below") == (
        "If the monthly uptime is below 99% in each of three consecutive calendar months, "
        "the Customer may, by written notice to the Provider, terminate its subscription to the Services."
    )


def test_a_sole_remedy_clause_does_not_take_the_termination_right_away() -> None:
    en = doc(contract(STORAGE_PER_REGION, more=SOLE_REMEDY), "en")
    note = paragraph(en, "This right is in addition to service credits")
    number = re.search(r"clause \[([\d.]+)\]\(#sole-remedy\) does not limit it\.", note)
    assert number is not None, note
    # the number it cites is the sole-remedy clause's own heading
    assert f"### {number.group(1)} Sole remedy {{#sole-remedy}}" in en
    zh = doc(contract(STORAGE_PER_REGION, more=SOLE_REMEDY), "zh")
    assert f"该终止权是服务补偿之外的权利，不受第 [{number.group(1)}](#sole-remedy) 条的限制。" in zh
    # The sole-remedy sentence carries the exception itself, the parties' words after it ("Service" lower-cased
    # at the join, as it is no name): 4.2 is the termination clause.
    assert (
        "\nExcept for the right to terminate in clause [4.2](#termination), service credits are the customer's " in en
    )
    assert "\n除第 [4.2](#termination) 条规定的终止权外，服务补偿是客户唯一的补救。" in zh
    # Without a termination right the parties' sentence stands as written.
    alone = doc(
        contract(STORAGE_PER_REGION, more=SOLE_REMEDY).replace(
            "  terminate when uptime below 99% for 3 consecutive months\n", ""
        ),
        "en",
    )
    assert "\nService credits are the customer's sole remedy." in alone and "Except for" not in alone
    # without such a clause, the right is still stated as beside the credits, and no clause is cited
    plain = doc(contract(STORAGE_PER_REGION), "en")
    assert paragraph(plain, "This right is in addition") == "This right is in addition to service credits."


def test_per_service_commitments_only_claim_no_general_commitment_of_the_tier() -> None:
    en = doc(contract(STORAGE_PER_REGION), "en")
    assert "general one" not in en and "the tier's commitment" not in en
    assert "The Provider commits to the following monthly uptime for each service:" in en
    assert "| below the service's commitment |" in en
    assert "The commitment for a service is the uptime stated for that service in clause [3.1](#availability)." in en
    zh = doc(contract(STORAGE_PER_REGION), "zh")
    assert "一般承诺" not in zh and "该级别的承诺" not in zh
    assert "| 低于该服务的可用率承诺 |" in zh


def test_a_tier_with_a_general_uptime_and_an_exception_says_both() -> None:
    source = contract(STORAGE_PER_REGION, uptime="uptime 99.5%\n    uptime 99.9% for storage")
    en = doc(source, "en")
    assert "For the following services the commitment differs from the tier's general one:" in en
    assert "or, where none is stated for it, the uptime stated for the tier." in en


def test_the_condition_is_for_the_window_the_credit_is_for_and_adds_no_test_date() -> None:
    # `slac evaluate` reads one true/false per customer for the period evaluated, and the contract's condition
    # names no date: the document adds none ("at the end of that calendar month" was the renderer's own term).
    en = doc(contract(STORAGE_PER_REGION), "en")
    assert (
        "This credit is owed for a calendar month only if the following condition is met for that calendar month: "
        "the customer has paid every invoice." in en
    )
    assert "at the end of" not in en
    zh = doc(contract(STORAGE_PER_REGION), "zh")
    assert "就某一自然月而言，仅在该自然月满足以下条件的情况下，方给予本条规定的服务补偿：客户已支付全部账单。" in zh
    assert "结束时" not in zh
    quarterly = contract(STORAGE_PER_REGION).replace("window calendar month", "window calendar quarter")
    quarterly = quarterly.replace("billing   monthly", "billing   quarterly")
    assert "is met for that calendar quarter" in doc(quarterly, "en")


def test_a_single_tier_is_not_said_to_be_every_tier() -> None:
    assert "This credit applies to every tier." not in doc(contract(STORAGE_PER_REGION), "en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nimbus_example_with_an_unmet_condition_states_it_as_a_fact_and_links_the_credit(lang: str) -> None:
    source = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    text = doc(source, lang)
    # The credit's clause is 4.1; “Downtime” (1.3) comes first and keeps `downtime`, the credit is named by its section.
    assert "### 4.1 " in text and "{#compensation-downtime}" in text
    facts = text.split("an account with an overdue invoice" if lang == "en" else "存在逾期账单的账户")[1]
    facts = facts.split("\n\n", 2)[2]  # Facts: … (the first list after the heading)
    assert "[4.1](#compensation-downtime)" in facts.split("\n\n")[0]


def test_the_monthly_fee_is_defined_where_credits_are_shares_of_it() -> None:
    acme = doc((ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8"), "en")
    assert "The “monthly fee” is the fee payable by the Customer for its tier" in acme
    # nimbus credits are shares of the charges per service and region: no monthly fee to define
    assert "monthly fee”" not in doc((ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8"), "en")


def test_the_maintenance_notice_sentence_keeps_how_the_exclusion_says_it_is_announced() -> None:
    # acme-crm's exclusion 5.1 says "announced at least 72 hours in advance on the status page": the measurement
    # sentence refers to it rather than dropping the channel.
    acme = doc((ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8"), "en")
    assert "Planned maintenance described in clause [5.1](#planned-maintenance) counts as downtime unless" in acme
    assert "Planned maintenance counts as downtime unless it was announced at least" not in acme


@pytest.mark.parametrize(
    ("window", "en", "zh"),
    [("quarter", "quarterly uptime", "季度可用率"), ("year", "annual uptime", "年度可用率")],
)
def test_a_contract_measured_per_quarter_or_year_does_not_say_monthly(window: str, en: str, zh: str) -> None:
    source = contract(uptime="uptime 99.9%").replace("10% of service_charges", "10% of window_fee")
    source = source.replace("window calendar month", f"window calendar {window}")
    source = source.replace("billing   monthly", "billing   " + {"quarter": "quarterly", "year": "annually"}[window])
    source = source.replace("  terminate when uptime below 99% for 3 consecutive months\n", "")
    english = doc(source, "en")
    assert "monthly" not in english.lower() and "30-day month" not in english
    assert f"If the {en} falls below the commitment" in english
    chinese = doc(source, "zh")
    assert "月度可用率" not in chinese and zh in chinese


def test_the_allowed_downtime_of_a_quarter_is_for_ninety_days() -> None:
    source = contract(uptime="uptime 99.99%").replace("window calendar month", "window calendar quarter")
    source = source.replace("billing   monthly", "billing   quarterly").replace(
        "10% of service_charges", "10% of window_fee"
    )
    source = source.replace("  terminate when uptime below 99% for 3 consecutive months\n", "")
    # 0.01 % of 90 days = 0.0001 × 7 776 000 s = 777.6 s → 12 minutes 57 seconds (rounded down)
    assert "| Standard | 99.99% | 12 minutes 57 seconds |" in doc(source, "en")


def test_a_formula_names_each_quantity_once() -> None:
    slack = doc((ROOT / "examples" / "public" / "slack.sla").read_text(encoding="utf-8"), "en")
    assert (
        "an amount equal to 10 × the fee for the calendar quarter × the downtime ÷ the length of the calendar quarter"
        in slack  # measured per calendar quarter: the window is named, not "the measurement window"
    )


def test_the_generated_definition_of_the_services_names_them() -> None:
    nimbus = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    assert "means the services described in this agreement, namely Compute and Object Storage." in doc(nimbus, "en")
    assert "“服务”是指本协议所述的服务，即计算服务和对象存储。" in doc(nimbus, "zh")


P1 = (
    '  calendar always {\n    name en "around the clock" zh "全天候"\n    hours mon-sun 00:00-24:00\n  }\n'
    '  priority p1 {\n    name en "P1" zh "P1"\n  }\n'
)


def per_miss_contract(amount: str, *parts: str, target: str = "respond p1 within 1h") -> str:
    """A contract with a band credit on one scope's charges and a credit per missed response or resolution."""
    clock = f"uptime 99.9% for storage\n    {target} during always"
    missed = "resolution" if target.startswith("resolve") else "response"
    credit = f"  credit late {{\n    per missed {missed} {amount}\n  }}\n"
    return contract(*(parts or (STORAGE_PER_REGION,)), P1, uptime=clock, more=credit)


@pytest.mark.parametrize("target", ["respond p1 within 1h", "resolve p1 within 4h"])
def test_a_credit_per_miss_on_service_charges_is_a_share_of_every_scopes_charges_defined_once(target: str) -> None:
    """A missed target belongs to no one scope: `slac evaluate` pays a per-miss line on the customer's charges
    for all its scopes, so the document must not call them the Applicable Charges (one scope's)."""
    source = per_miss_contract("5% of service_charges", target=target)
    en, zh = doc(source, "en"), doc(source, "zh")
    assert "service credit of 5% of the Total Charges." in en
    missed, miss = (
        ("resolution target", "解决超时") if target.startswith("resolve") else ("response target", "响应超时")
    )
    assert paragraph(en, f"For a missed {missed},") == (
        f"For a missed {missed}, the “Total Charges” are the charges the Customer paid for all services under this"
        " agreement in all regions for the calendar month in which the ticket concerned was first opened."
    )
    assert "金额为账户费用总额的 5% 的服务补偿" in zh
    assert paragraph(zh, f"就某一工单的{miss}而言") == (
        f"就某一工单的{miss}而言，“账户费用总额”是指客户就该工单最初提交时所在的自然月，为本协议项下全部服务在全部"
        "区域支付的费用总额。"
    )
    # the band credit keeps one scope's charges, and its own definition
    assert "10% of the Applicable Charges" in en and "(the “Applicable Charges”)" in en
    assert "Total Charges" not in doc(per_miss_contract("5% of monthly_fee", target=target), "en")


def test_the_total_charges_of_services_not_measured_per_region_name_no_region() -> None:
    source = per_miss_contract("5% of service_charges", STORAGE_PER_REGION.replace("    measured per region\n", ""))
    en, zh = doc(source, "en"), doc(source, "zh")
    assert "the charges the Customer paid for all services under this agreement for the calendar month in which" in en
    assert "是指客户就该工单最初提交时所在的自然月，为本协议项下全部服务支付的费用总额。" in zh
    assert "all regions" not in en and "全部区域" not in zh


def test_two_per_miss_credits_on_the_charges_define_the_total_charges_once_for_both_misses() -> None:
    source = (
        per_miss_contract("5% of service_charges")
        .replace("during always\n", "during always\n    resolve p1 within 4h during always\n", 1)
        .replace(
            "  terminate when",
            "  credit late_again {\n    per missed resolution 1% of service_charges\n  }\n  terminate when",
        )
    )
    en, zh = doc(source, "en"), doc(source, "zh")
    assert en.count("the “Total Charges” are") == 1 and "service credit of 1% of the Total Charges." in en
    assert "For a missed resolution target or missed response target, the “Total Charges” are" in en
    assert "就某一工单的解决超时或响应超时而言，“账户费用总额”" in zh


def test_a_per_miss_formula_on_the_charges_names_the_total_charges() -> None:
    source = per_miss_contract("min(5% * service_charges, 0.1 * monthly_fee)")
    en, zh = doc(source, "en"), doc(source, "zh")
    assert "an amount equal to min(5% × the Total Charges, 0.1 × the monthly fee)." in en
    assert en.count("the “Total Charges” are") == 1
    # The Chinese sentence already says 金额为…的服务补偿: the formula stands alone in it, not as a second
    # 相当于…的金额 (the Chinese review's must-fix); in a band's table cell it keeps those words.
    assert "客户有权获得金额为 min(5% × 账户费用总额, 0.1 × 月费)的服务补偿。" in zh
    assert "相当于" not in zh


def test_a_cap_per_scope_says_it_does_not_limit_the_credits_for_missed_tickets() -> None:
    """The evaluator limits each scope's sum by a cap on `service_charges` and adds the per-miss lines
    after it (a ticket belongs to no scope): the cap clause must say those credits are not limited."""
    cap = "  cap 100% of service_charges per month\n"
    capped = per_miss_contract("5% of service_charges").replace("  terminate when", cap + "  terminate when")
    en, zh = doc(capped, "en"), doc(capped, "zh")
    assert (
        "Service credits for missed response targets are not attributable to any single service or region and are"
        " not subject to this limit." in en
    )
    assert "因响应超时给予的服务补偿不归属于任何单项服务或区域，不受本条上限限制。" in zh
    # no per-miss credit: nothing to say; a cap on the monthly fee limits the total, per-miss lines included
    bands_only = contract(STORAGE_PER_REGION, more=cap)
    assert "not subject to this limit" not in doc(bands_only, "en")
    on_fee = capped.replace(cap, "  cap 100% of monthly_fee per month\n")
    assert "not subject to this limit" not in doc(on_fee, "en")


def test_charges_per_service_name_a_region_only_where_a_service_is_measured_per_region() -> None:
    """The Applicable Charges of a contract whose services are not measured per region were "for each
    service in each region" (a new user's Atlassian SLA): the region sentence is for per-region services."""
    en = doc(contract(COMPUTE, uptime="uptime 99.9% for compute"), "en")
    assert paragraph(en, "The service credit is calculated") == (
        "The service credit is calculated separately for each service, as a share of the charges the Customer "
        "paid for that service for the calendar month concerned (the “Applicable Charges”)."
    )
    zh = doc(contract(COMPUTE, uptime="uptime 99.9% for compute"), "zh")
    assert "服务补偿按各项服务分别计算，计算基数为客户就该项服务在相关自然月支付的费用（以下简称“服务费用”）。" in zh
    assert "每一区域" not in zh
    regions = doc(contract(STORAGE_PER_REGION), "en")
    assert "for each service in each region, as a share of the charges" in regions


def test_joined_interruptions_are_not_also_said_to_be_counted_once() -> None:
    """With whole minutes, the measurement clause says that overlapping interruptions are joined into one;
    it used to add "Overlapping interruptions are counted once." as well, a second rule for the same thing."""
    whole = contract(COMPUTE, uptime="uptime 99.9%\n    uptime 99.9% for compute").replace(
        "    window calendar month\n", "    window calendar month\n    downtime counted in whole minutes\n"
    )
    for lang, joined, once in (
        ("en", "are joined into one interruption", "counted once"),
        ("zh", "合并为一次中断", "只计算一次"),
    ):
        text = doc(whole, lang)
        assert joined in text and once not in text, lang


def test_an_uptime_rounded_onto_its_threshold_is_shown_with_the_decimals_that_tell_it_apart() -> None:
    """June has 43,200 minutes: 44 down are 99.8981 % (a credit), 43 down 99.9005 % (none); both were shown
    as "99.9%" beside opposite results. By hand, the decimals needed: 99.898 % and 99.9005 % (rounded: 99.90046…)."""
    shown = {}
    for minutes, credit in ((44, "30"), (43, "0")):
        example = (
            f'  example en "{minutes} minutes" zh "{minutes} 分钟" {{\n    tier standard\n    period 2026-06\n'
            f"    charges compute 300 USD\n    outage 2026-06-10T08:00Z for {minutes}min service compute\n"
            f"    expect credit {credit} USD\n  }}\n"
        )
        en = doc(contract(COMPUTE, uptime="uptime 99.9% for compute", more=example), "en")
        shown[minutes] = paragraph(en, "- Compute: uptime").split("\n")[0]
    assert shown == {44: "- Compute: uptime 99.898%, credit \\$30.00", 43: "- Compute: uptime 99.9005%, credit \\$0.00"}


def test_a_v2_examples_result_states_its_missed_responses() -> None:
    """A late response was in the example's facts and its `expect breaches 1` passed, but its result said
    nothing of it (language v2 listed only scopes and credits). Business P1: 30 minutes; 09:45 is 15 late."""
    harbor = (ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8")
    late = harbor.replace(
        "responded 2026-05-20T09:20+08:00 updated 2026-05-20T10:15+08:00",
        "responded 2026-05-20T09:45+08:00 updated 2026-05-20T10:15+08:00",
    ).replace(
        "    expect breaches 0\n    expect missed updates 1", "    expect breaches 1\n    expect missed updates 1"
    )
    assert late.count("expect breaches 1") == 1
    en = render_markdown(compile_policy(late, file="h.sla"), "en")
    assert "- Missed response targets: 1\n" in en
    assert "was responded to on May 20, 2026, 09:45 (China Standard Time), 15 minutes after that" in en
    zh = render_markdown(compile_policy(late, file="h.sla"), "zh")
    assert "- 响应超时：1 次\n" in zh
    # With no late response, nothing is said of responses.
    assert "Missed response targets" not in render_markdown(compile_policy(harbor, file="h.sla"), "en")


def test_a_service_the_examples_customer_does_not_use_is_not_in_its_result() -> None:
    example = (
        '  example en "storage down" zh "存储停机" {\n    tier standard\n    period 2026-06\n'
        "    charges storage eu 300 USD\n    outage 2026-06-10T08:00Z for 2h service storage region eu\n"
        "    expect credit 30 USD\n  }\n"
    )
    en = doc(contract(STORAGE_PER_REGION, COMPUTE, more=example), "en")
    result = en[en.index("Result:") :]
    assert "Storage (eu): uptime" in result and "Compute" not in result
