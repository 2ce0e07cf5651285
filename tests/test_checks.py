"""Semantic checks, one group of tests per check module, on a small valid contract mutated per test."""

from __future__ import annotations

import re

import pytest

import slac
from slac.checks import CHECKS
from slac.driver import analyse
from slac.errors import Diagnostic

from .conftest import CONTRACTS

SKELETON = """sla demo {
  title     en "Service Level Agreement" zh "服务等级协议"
  version   "1.0"
  effective 2025-01-01
  languages en zh
  timezone  "UTC"
  currency  USD
  billing   monthly

  calendar always {
    hours mon-sun 00:00-24:00
  }
  calendar business {
    hours    mon-fri 09:00-17:00
    timezone "America/New_York"
    holidays "US"
  }

  availability {
    window      calendar month
    status_page "https://status.example.com"
    excludes    maintenance
  }

  objective latency {
    name en "Latency" zh "延迟"
    p95 below 300ms per month
  }

  channel email { name en "Email" zh "电子邮件" }
  channel portal {
    name en "Portal" zh "门户"
    url  "https://support.example.com"
  }

  priority urgent {
    name en "Urgent" zh "紧急"
    requires outage
    downgrade normal
  }
  priority normal { name en "Normal" zh "普通" }

  response means acknowledgement

  tier basic {
    name    en "Basic" zh "基础版"
    support email
    uptime  99.5%
    live max 10min per session during business
    respond normal within 8h during business
  }
  tier pro {
    name     en "Pro" zh "专业版"
    features en "Everything" zh "全部功能"
    support  email portal
    uptime   99.9%
    live unlimited during business
    respond urgent within 1h during always
    respond normal within 4h during business
  }

  credit downtime {
    applies pro
    when uptime below target 10% of monthly_fee
    when uptime below 99.0%  25% of monthly_fee
  }
  credit missed_response {
    per missed response 5% of monthly_fee
  }
  cap 50% of monthly_fee per month
  payout credit next_invoice
  claim within 30d via portal

  exclude maintenance { en "Planned maintenance" zh "计划内维护" }
  define service { en "The service." zh "服务。" }

  third_party {
    link en "Cloud SLA" zh "云 SLA" "https://cloud.example.com/sla"
  }

  example "a bad month" {
    tier pro
    fee 100 USD
    period 2025-03
    outage 2025-03-10T00:00Z for 2h
    ticket urgent opened 2025-03-11T00:00Z responded 2025-03-11T02:00Z outage
    expect credit 15 USD
  }
}
"""


def mutate(*edits: tuple[str, str], source: str = SKELETON) -> str:
    """The skeleton with each `old` replaced by `new` (each `old` must occur exactly once)."""
    for old, new in edits:
        assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times in the skeleton"
        source = source.replace(old, new)
    return source


def diagnostics(source: str) -> list[Diagnostic]:
    # The semantic checks alone: a mutation here often changes what the example block would
    # compute, and running examples (E0712) is tested with the evaluator elsewhere.
    return analyse(source, file="t.sla", examples=False)[1]


def codes(source: str) -> list[str]:
    return [d.code for d in diagnostics(source)]


def at(source: str, needle: str, nth: int = 0, *, skip: str = "") -> tuple[int, int]:
    """1-based (line, column) of the `nth` whole-word occurrence of `needle`, moved past `skip`."""
    hits = [m.start() for m in re.finditer(r"(?<![A-Za-z0-9_])" + re.escape(needle) + r"(?![A-Za-z0-9_])", source)]
    index = hits[nth] + len(skip)
    line = source.count("\n", 0, index) + 1
    column = index - (source.rfind("\n", 0, index) + 1) + 1
    return line, column


def only(source: str, code: str) -> Diagnostic:
    """The single diagnostic of the source, which must have `code`."""
    found = diagnostics(source)
    assert [d.code for d in found] == [code], [(d.code, d.message) for d in found]
    return found[0]


def pos(d: Diagnostic, index: int = 0) -> tuple[int, int]:
    s = d.spans[index]
    return s.line, s.column


# ---- the framework and the normative contracts ------------------------------------------------


def test_skeleton_is_clean() -> None:
    assert diagnostics(SKELETON) == []


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: p.name)
def test_bundled_contracts_have_no_diagnostics(path) -> None:
    assert slac.check(path.read_text(encoding="utf-8"), file=str(path)) == []


def test_every_check_module_is_listed() -> None:
    from pathlib import Path

    import slac.checks as pkg

    # `expectations` is the post-policy stage (E0712): it needs the evaluator's results, so the driver calls it.
    modules = {p.stem for p in Path(pkg.__file__).parent.glob("*.py")} - {"__init__", "context", "expectations"}
    assert {c.__module__.rsplit(".", 1)[-1] for c in CHECKS} == modules
    assert pkg.examples_hold.__module__ == pkg.unevaluable.__module__ == "slac.checks.expectations"


def test_diagnostics_are_collected_not_first_only() -> None:
    src = mutate(("support email\n", "support mail\n"), ('timezone  "UTC"', 'timezone  "Mars/Base"'))
    assert sorted(codes(src)) == ["E0306", "E0501"]


# ---- structure -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ['version   "1.0"\n', "currency  USD\n", 'timezone  "UTC"\n', "effective 2025-01-01\n"]
)
def test_missing_required_statement(line: str) -> None:
    src = mutate((line, "\n"))
    d = only(src, "E0701")
    assert pos(d) == at(src, "demo")
    assert f"`{line.split()[0]}`" in d.message


def test_duplicate_contract_statement_points_at_second_with_first() -> None:
    src = mutate(("  billing   monthly\n", "  billing   monthly\n  billing   monthly\n"))
    d = only(src, "E0702")
    assert pos(d) == at(src, "billing", 1)
    assert pos(d, 1) == at(src, "billing", 0)
    assert d.labels == ("first given here",)


def test_duplicate_uptime_in_tier() -> None:
    src = mutate(("uptime   99.9%\n", "uptime   99.9%\n    uptime 99.95%\n"))
    d = only(src, "E0702")
    assert pos(d) == at(src, "uptime 99.95%")
    assert "tier `pro`" in d.message


def test_duplicate_respond_for_one_priority() -> None:
    src = mutate(
        (
            "respond urgent within 1h during always\n",
            "respond urgent within 1h during always\n    respond urgent within 2h during always\n",
        )
    )
    d = only(src, "E0702")
    assert pos(d) == at(src, "urgent within 2h")


def test_two_per_miss_amounts_in_one_credit() -> None:
    src = mutate(
        (
            "per missed response 5% of monthly_fee\n",
            "per missed response 5% of monthly_fee\n    per missed response 3% of monthly_fee\n",
        )
    )
    d = only(src, "E0702")
    assert pos(d) == at(src, "per missed response 3%")
    assert "credit `missed_response`" in d.message


def test_calendar_two_timezones() -> None:
    src = mutate(('timezone "America/New_York"\n', 'timezone "America/New_York"\n    timezone "UTC"\n'))
    assert codes(src) == ["E0702"]


@pytest.mark.parametrize(
    ("old", "new", "word", "hint"),
    [
        ("billing   monthly", "billing   monthy", "monthy", "did you mean `monthly`?"),
        (
            "response means acknowledgement",
            "response means acknowledgment",
            "acknowledgment",
            "did you mean `acknowledgement`?",
        ),
        ("payout credit next_invoice", "payout cash next_invoice", "cash", "use one of"),
        ("payout credit next_invoice", "payout credit next_invoce", "next_invoce", "did you mean `next_invoice`?"),
        (
            "cap 50% of monthly_fee per month",
            "cap 50% of monthly_fees per month",
            "monthly_fees",
            "did you mean `monthly_fee`?",
        ),
        ("cap 50% of monthly_fee per month", "cap 50% of monthly_fee per week", "week", "use one of `month`"),
        ("window      calendar month", "window      calendar week", "calendar week", "did you mean `calendar"),
        ("p95 below 300ms", "p95x below 300ms", "p95x", "did you mean `p95`?"),
    ],
)
def test_unknown_words(old: str, new: str, word: str, hint: str) -> None:
    src = mutate((old, new))
    d = only(src, "E0703")
    assert pos(d) == at(src, word)
    assert d.hint is not None and hint in d.hint


def test_objective_threshold_kind() -> None:
    src = mutate(("p95 below 300ms", "p95 below 30%"))
    d = only(src, "E0710")
    assert pos(d) == at(src, "30%")


def test_example_needs_tier_fee_and_expect() -> None:
    src = mutate(("    tier pro\n    fee 100 USD\n", ""), ("    expect credit 15 USD\n", ""))
    assert sorted(codes(src)) == ["E0704", "E0704", "E0705"]


# ---- names -----------------------------------------------------------------------------------------


def test_duplicate_tier() -> None:
    src = mutate(
        ("tier pro {", "tier basic {"), ("applies pro", "applies basic"), ("    tier pro\n", "    tier basic\n")
    )
    found = [d for d in diagnostics(src) if d.code == "E0301"]
    assert len(found) == 1
    assert pos(found[0]) == at(src, "basic {", 1)
    assert pos(found[0], 1) == at(src, "basic {", 0)


def test_duplicate_example_title() -> None:
    block = SKELETON[SKELETON.index('  example "a bad month"') : SKELETON.rindex("}")]
    src = SKELETON[: SKELETON.rindex("}")] + block + "}\n"
    d = only(src, "E0301")
    assert pos(d) == at(src, '"a bad month"', 1)


@pytest.mark.parametrize(
    ("old", "new", "code", "word", "hint"),
    [
        ("support email\n", "support emial\n", "E0306", "emial", "did you mean `email`?"),
        ("respond normal within 8h", "respond norml within 8h", "E0303", "norml", "did you mean `normal`?"),
        (
            "within 8h during business",
            "within 8h during office",
            "E0304",
            "office",
            "the calendars are `always` and `business`",
        ),
        (
            "live max 10min per session during business",
            "live max 10min per session during busines",
            "E0304",
            "busines",
            "did you mean `business`?",
        ),
        ("downgrade normal", "downgrade low", "E0303", "low", "the priorities are `urgent` and `normal`"),
        ("applies pro", "applies prof", "E0302", "prof", "did you mean `pro`?"),
        ("excludes    maintenance", "excludes    maintenence", "E0305", "maintenence", "did you mean `maintenance`?"),
        ("    tier pro\n", "    tier premium\n", "E0302", "premium", "the tiers are `basic` and `pro`"),
        ("ticket urgent opened", "ticket urgnt opened", "E0303", "urgnt", "did you mean `urgent`?"),
        ("claim within 30d via portal", "claim within 30d via portl", "E0306", "portl", "did you mean `portal`?"),
        ("for 2h\n", "for 2h cause maintainance\n", "E0305", "maintainance", "did you mean `maintenance`?"),
    ],
)
def test_unknown_references(old: str, new: str, code: str, word: str, hint: str) -> None:
    src = mutate((old, new))
    d = only(src, code)
    assert pos(d) == at(src, word)
    assert d.hint is not None and hint in d.hint


def test_language_listed_twice() -> None:
    src = mutate(("languages en zh", "languages en zh en"))
    d = only(src, "E0307")
    assert pos(d) == at(src, "languages en zh en", skip="languages en zh ")


def test_name_listed_twice_in_support() -> None:
    src = mutate(("support  email portal", "support  email portal email"))
    assert codes(src) == ["E0308"]


# ---- texts and urls ------------------------------------------------------------------------------------


def test_missing_translation_names_block_and_language() -> None:
    src = mutate(('name     en "Pro" zh "专业版"', 'name     zh "专业版"'))
    d = only(src, "E0401")
    assert d.message == "tier `pro` has no `en` name"
    assert pos(d) == at(src, 'zh "专业版"')


def test_text_in_undeclared_language() -> None:
    src = mutate(
        ('define service { en "The service." zh "服务。" }', 'define service { en "The service." zh "服务。" eb "x" }')
    )
    d = only(src, "E0402")
    assert pos(d) == at(src, "eb ")
    assert d.hint == "did you mean `en`?"


def test_same_language_twice() -> None:
    src = mutate(
        (
            'title     en "Service Level Agreement" zh "服务等级协议"',
            'title     en "Service Level Agreement" zh "服务等级协议" en "SLA"',
        )
    )
    d = only(src, "E0403")
    assert pos(d) == at(src, 'en "SLA"')


def test_empty_text() -> None:
    src = mutate(('zh "计划内维护"', 'zh ""'))
    d = only(src, "E0404")
    assert pos(d) == at(src, 'zh ""')


def test_block_without_name() -> None:
    src = mutate(('priority normal { name en "Normal" zh "普通" }', "priority normal { }"))
    d = only(src, "E0405")
    assert pos(d) == at(src, "normal { }")


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ('"https://support.example.com"', '"http://support.example.com"', "https://support.example.com"),
        ('"https://status.example.com"', '"status.example.com"', "https://status.example.com"),
        ('"https://support.example.com"', '"help@example.com"', "mailto:help@example.com"),
    ],
)
def test_urls(old: str, new: str, hint: str) -> None:
    src = mutate((old, new))
    d = only(src, "E0406")
    assert pos(d) == at(src, new)
    assert d.hint is not None and hint in d.hint


# ---- time zones and holiday regions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ('timezone  "UTC"', 'timezone  "asia/shanghai"', '"Asia/Shanghai"'),
        ('timezone "America/New_York"', 'timezone "America/NewYork"', '"America/New_York"'),
        ('timezone  "UTC"', 'timezone  "Mars/Olympus"', "IANA"),
        # tzdata lists the machine's own zone: a contract evaluated elsewhere would mean other times.
        ('timezone  "UTC"', 'timezone  "localtime"', "IANA name of the zone"),
        ('timezone  "UTC"', 'timezone  "Factory"', "IANA name of the zone"),
    ],
)
def test_unknown_time_zone(old: str, new: str, hint: str) -> None:
    src = mutate((old, new))
    d = only(src, "E0501")
    assert pos(d) == at(src, new.split(None, 1)[1])
    assert d.hint is not None and hint in d.hint


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ('"us"', '"US"'),
        ('"United States"', '"US"'),
        ('"China"', '"CN"'),
        ('"US-XX"', "subdivisions"),
        ('"ZZ"', "ISO 3166"),
    ],
)
def test_unknown_holiday_region(region: str, hint: str) -> None:
    src = mutate(('holidays "US"', f"holidays {region}"))
    d = only(src, "E0502")
    assert pos(d) == at(src, region)
    assert d.hint is not None and hint in d.hint


def test_holiday_subdivision_is_accepted() -> None:
    assert diagnostics(mutate(('holidays "US"', 'holidays "US-NY"'))) == []


# ---- calendar hours ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "code", "needle"),
    [
        ("mon-fri 09:00-09:00", "E0503", "09:00-09:00"),
        ("mon-fri 22:00-06:00", "E0504", "22:00-06:00"),
        ("mon-fri 24:00-24:00", "E0505", "24:00-24:00"),
    ],
)
def test_bad_ranges(hours: str, code: str, needle: str) -> None:
    src = mutate(("mon-fri 09:00-17:00", hours))
    d = only(src, code)
    assert pos(d) == at(src, needle)


def test_inverted_range_hint_splits_over_midnight() -> None:
    d = only(mutate(("mon-fri 09:00-17:00", "fri 22:00-06:00")), "E0504")
    assert d.hint is not None and "`hours fri 22:00-24:00` and `hours sat 00:00-06:00`" in d.hint


def test_overlapping_hours_name_the_day_and_both_ranges() -> None:
    src = mutate(("hours    mon-fri 09:00-17:00\n", "hours    mon-fri 09:00-17:00\n    hours    fri,sat 16:00-18:00\n"))
    d = only(src, "E0506")
    assert "`fri`" in d.message
    assert pos(d) == at(src, "16:00-18:00")
    assert pos(d, 1) == at(src, "09:00-17:00")


def test_touching_hours_do_not_overlap() -> None:
    src = mutate(("hours    mon-fri 09:00-17:00\n", "hours    mon-fri 09:00-12:00\n    hours    mon-fri 12:00-17:00\n"))
    assert diagnostics(src) == []


def test_calendar_without_hours() -> None:
    src = mutate(("    hours    mon-fri 09:00-17:00\n", ""))
    d = only(src, "E0507")
    assert pos(d) == at(src, "business {")


# ---- priority downgrades ------------------------------------------------------------------------------------


def test_downgrade_to_itself() -> None:
    src = mutate(("downgrade normal", "downgrade urgent"))
    d = only(src, "E0310")
    assert pos(d) == at(src, "downgrade urgent", skip="downgrade ")


def test_downgrade_cycle_is_named() -> None:
    src = mutate(
        (
            'priority normal { name en "Normal" zh "普通" }',
            'priority normal {\n    name en "Normal" zh "普通"\n    requires outage\n    downgrade urgent\n  }',
        )
    )
    d = only(src, "E0311")
    assert d.message == "priorities downgrade in a cycle: `urgent` → `normal` → `urgent`"
    assert pos(d) == at(src, "downgrade normal", skip="downgrade ")


def test_downgrade_without_requires_outage_warns() -> None:
    src = mutate(("    requires outage\n", ""))
    d = only(src, "W0801")
    assert d.severity == "warning"
    assert pos(d) == at(src, "downgrade normal")


def test_requires_outage_without_downgrade() -> None:
    src = mutate(("    downgrade normal\n", ""))
    d = only(src, "E0706")
    assert pos(d) == at(src, "requires outage")


# ---- credit bands ------------------------------------------------------------------------------------------------


def test_two_bands_same_threshold() -> None:
    src = mutate(
        (
            "when uptime below 99.0%  25% of monthly_fee\n",
            "when uptime below 99.0%  25% of monthly_fee\n    when uptime below 99.0%  50% of monthly_fee\n",
        )
    )
    d = only(src, "E0601")
    assert pos(d) == at(src, "99.0%", 1)
    assert pos(d, 1) == at(src, "99.0%", 0)


def test_less_credit_for_worse_service() -> None:
    src = mutate(("below 99.0%  25% of monthly_fee", "below 99.0%  5% of monthly_fee"))
    d = only(src, "E0602")
    assert pos(d) == at(src, "5% of monthly_fee")
    assert pos(d, 1) == at(src, "10% of monthly_fee")


def test_below_target_for_tier_without_uptime() -> None:
    src = mutate(("    uptime   99.9%\n", ""))
    found = diagnostics(src)
    e0603 = [d for d in found if d.code == "E0603"]
    assert len(e0603) == 1 and "tier `pro`" in e0603[0].message
    assert pos(e0603[0]) == at(src, "applies pro", skip="applies ")


def test_tier_target_at_or_below_fixed_threshold() -> None:
    src = mutate(("uptime   99.9%", "uptime   99.0%"), ("uptime  99.5%", "uptime  98.5%"))
    d = only(src, "E0604")
    assert pos(d) == at(src, "99.0%  25%")
    assert pos(d, 1) == at(src, "99.0%")


def test_credit_that_pays_nothing() -> None:
    src = mutate(("    per missed response 5% of monthly_fee\n", ""))
    d = only(src, "E0605")
    assert pos(d) == at(src, "missed_response")


def test_mixed_bases_are_not_compared() -> None:
    src = mutate(("below 99.0%  25% of monthly_fee", "below 99.0%  5 USD"))
    assert diagnostics(src) == []


# ---- percentages and money -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("uptime   99.9%", "uptime   199.9%", "199.9%"),
        ("below 99.0%  25%", "below 99.0%  125%", "125%"),
        ("cap 50% of", "cap 150% of", "150%"),
        ("per missed response 5%", "per missed response 105%", "105%"),
    ],
)
def test_share_over_100(old: str, new: str, needle: str) -> None:
    src = mutate((old, new))
    assert "E0606" in codes(src)
    d = next(d for d in diagnostics(src) if d.code == "E0606")
    assert pos(d) == at(src, needle)


def test_zero_uptime() -> None:
    src = mutate(("uptime  99.5%", "uptime  0%"))
    assert "E0607" in codes(src)


def test_currency_mismatch() -> None:
    src = mutate(("fee 100 USD", "fee 100 EUR"))
    d = only(src, "E0608")
    assert pos(d) == at(src, "100 EUR")
    assert d.hint is not None and "100 USD" in d.hint


def test_cap_below_a_single_credit() -> None:
    src = mutate(("cap 50% of", "cap 20% of"))
    d = only(src, "E0609")
    assert pos(d) == at(src, "20% of")
    assert pos(d, 1) == at(src, "25% of")


# ---- tier ordering (warnings) -----------------------------------------------------------------------------------------


def test_later_tier_with_lower_uptime_warns() -> None:
    src = mutate(("uptime   99.9%", "uptime   99.4%"), ("below 99.0%", "below 98.0%"))
    d = only(src, "W0802")
    assert d.severity == "warning" and "`basic`" in d.message and "`pro`" in d.message
    assert pos(d) == at(src, "99.4%")


def test_a_lower_tier_over_100_percent_is_one_error_not_a_warning_on_the_next_tier() -> None:
    """`uptime 150%` is E0606; the tier above it used to be told to promise at least 150 % as well (W0802)."""
    src = mutate(("uptime  99.5%", "uptime  150%"))
    assert "E0606" in codes(src)
    assert "W0802" not in codes(src)


def test_later_tier_with_slower_response_warns() -> None:
    src = mutate(("respond normal within 4h during business", "respond normal within 12h during business"))
    d = only(src, "W0803")
    assert pos(d) == at(src, "12h")


def test_response_on_a_more_open_calendar_is_not_compared() -> None:
    src = mutate(("respond normal within 4h during business", "respond normal within 12h during always"))
    assert diagnostics(src) == []


def test_later_tier_with_shorter_live_limit_warns() -> None:
    src = mutate(("live unlimited during business", "live max 5min per session during business"))
    d = only(src, "W0804")
    assert pos(d) == at(src, "5min")


def test_later_tier_not_measuring_a_priority_warns() -> None:
    src = mutate(("    respond normal within 4h during business\n", ""))
    d = only(src, "W0805")
    assert pos(d) == at(src, "pro {")


# ---- examples -----------------------------------------------------------------------------------------------------------


def test_repeat_zero() -> None:
    src = mutate(("    outage 2025-03-10T00:00Z for 2h\n", "    repeat 0 outage 2025-03-10T00:00Z for 2h\n"))
    d = only(src, "E0707")
    assert pos(d) == at(src, "0 outage")


def test_event_outside_the_period() -> None:
    src = mutate(("outage 2025-03-10T00:00Z", "outage 2025-04-10T00:00Z"))
    d = only(src, "E0708")
    assert pos(d) == at(src, "2025-04-10T00:00Z")
    assert pos(d, 1) == at(src, "period 2025-03")


def test_event_month_is_taken_in_the_contract_time_zone() -> None:
    # 2025-03-31T23:00-05:00 is April 1st in UTC.
    src = mutate(("outage 2025-03-10T00:00Z", "outage 2025-03-31T23:00-05:00"))
    assert codes(src) == ["E0708"]


def test_events_without_period_share_the_first_events_month() -> None:
    src = mutate(
        ("    period 2025-03\n", ""),
        (
            "opened 2025-03-11T00:00Z responded 2025-03-11T02:00Z",
            "opened 2025-05-11T00:00Z responded 2025-05-11T02:00Z",
        ),
    )
    d = only(src, "E0708")
    assert pos(d) == at(src, "2025-05-11T00:00Z")


def test_response_before_opening() -> None:
    src = mutate(("responded 2025-03-11T02:00Z", "responded 2025-03-10T02:00Z"))
    d = only(src, "E0709")
    assert pos(d) == at(src, "2025-03-10T02:00Z")


def test_an_example_titled_in_one_text_among_examples_titled_in_each_language_warns() -> None:
    """The Chinese edition showed a new example's English title (a new user's Atlassian SLA); a contract
    titling every example in one text (acme-crm, websoft9) is not warned."""
    from slac.driver import compile_source

    from .conftest import ROOT

    acme = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8")
    assert not [d for d in compile_source(acme, file="a.sla").diagnostics if d.code == "W0409"]
    plain = 'example "the free plan earns no credit"'
    assert acme.count(plain) == 1
    mixed = acme.replace('example "the guide\'s month: 718.5 of 720 hours up"',
                         'example en "the guide\'s month: 718.5 of 720 hours up" zh "指南中的月份"')  # fmt: skip
    found = [d for d in compile_source(mixed, file="a.sla").diagnostics if d.code == "W0409"]
    assert len(found) == 3 and all(d.severity == "warning" for d in found)
    assert any('"the free plan earns no credit"' in d.message for d in found)
