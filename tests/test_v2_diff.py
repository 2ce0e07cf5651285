"""`slac diff` on the terms of language v2: each change classified with its direction for the customer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import slac
from slac.change.diff import diff

ROOT = Path(__file__).resolve().parent.parent


def _without_examples(text: str) -> str:
    return text[: text.index("\n  example ") + 1] + "}\n"


BASE = _without_examples((ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8"))


def kinds(old: str, new: str) -> dict[str, str]:
    a = slac.compile_policy(old, file="old.sla")
    b = slac.compile_policy(new, file="new.sla")
    return {c.term: c.kind for c in diff(a, b).changes}


@pytest.mark.parametrize(
    ("old", "new", "term", "kind"),
    [
        (
            "error_rate above 5% per 5min",
            "error_rate above 10% per 5min",
            "service:object_storage/error_rate",
            "reduction",
        ),
        (
            "error_rate above 5% per 5min",
            "error_rate above 2% per 5min",
            "service:object_storage/error_rate",
            "improvement",
        ),
        ("minimum     outage 1min", "minimum     outage 3min", "availability:minimum_outage", "reduction"),
        ("limit 8h per year", "limit 4h per year", "exclusion:scheduled_maintenance/maintenance_limit", "improvement"),
        ("limit 8h per year", "limit 12h per year", "exclusion:scheduled_maintenance/maintenance_limit", "reduction"),
        ("minimum credit 1 USD per month", "minimum credit 5 USD per month", "minimum_credit:amount", "reduction"),
        ("for 3 consecutive months", "for 2 consecutive months", "termination:months", "improvement"),
        ("below 99.0% for 3", "below 99.5% for 3", "termination:below", "improvement"),
        ("within 2 billing cycles", "within 1 billing cycle", "claim:within", "reduction"),
        ("    downtime    counted in whole minutes\n", "", "availability:whole_minutes", "improvement"),
    ],
)
def test_direction_of_each_new_term(old: str, new: str, term: str, kind: str) -> None:
    assert old in BASE
    found = kinds(BASE, BASE.replace(old, new))
    assert found.get(term) == kind, found


def test_termination_removed_is_a_reduction() -> None:
    found = kinds(BASE, BASE.replace("  terminate when uptime below 99.0% for 3 consecutive months\n", ""))
    assert found["termination:below"] == "reduction"


def test_same_contract_has_no_changes() -> None:
    assert kinds(BASE, BASE) == {}


def test_a_band_below_the_services_commitment_paying_less_is_a_reduction_for_each_service() -> None:
    """nimbus-cloud's tier has no general uptime, only one per service (99.99 % compute, 99.9 % storage),
    so `below target` means another threshold for each. Such a band paying 5 % instead of 10 % used to
    be no change at all (the target was read as the tier's uptime: none, so the band was left out),
    and `slac diff` let the release pass."""
    band = "when uptime below target       10% of service_charges"
    assert band in BASE
    found = kinds(BASE, BASE.replace(band, band.replace("10%", "5%")))
    assert found == {
        "credit:downtime/bands:standard:compute": "reduction",
        "credit:downtime/bands:standard:object_storage": "reduction",
    }
    # A tier with one uptime for every service compares its bands once, as before.
    same = BASE.replace("    uptime 99.99% for compute\n    uptime 99.9%  for object_storage\n", "    uptime 99.9%\n")
    assert same != BASE
    assert kinds(same, same.replace(band, band.replace("10%", "5%"))) == {"credit:downtime/bands:standard": "reduction"}


def test_slac_diff_of_contracts_with_services_gives_each_services_figures(tmp_path: Path) -> None:
    """A contract with services gets reference-month figures per service (they used to be skipped with a
    note, and before that ended in a traceback), and the gate exits 1 on the reduction.

    By hand: January 2026 has 44,640 minutes; just below 99 % is 447 + 1 = 448 minutes down (98.9964 %),
    which the band `below 99.0%` pays 30 % (then 20 %) of the service's charges, the reference fee 1000."""
    from click.testing import CliRunner

    from slac.cli import main

    old, new = tmp_path / "old.sla", tmp_path / "new.sla"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(BASE.replace("below 99.0%        30%", "below 99.0%        20%"), encoding="utf-8")
    out = CliRunner().invoke(main, ["diff", str(old), str(new), "--lang", "en"])
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output and "note" not in out.stderr
    assert "30% of the service charges → 20% of the service charges" in out.stdout
    for service in ("Compute", "Object Storage"):
        assert (
            f"  - Standard, {service} uptime 98.9964% (just below 99%): "
            "credit for the reference month: 300.00 USD → 200.00 USD"
        ) in out.stdout
    assert "a month in which that service alone is just below it" in out.stdout
    assert "Every reference customer meets each condition on which a credit depends." in out.stdout
    assert "For every priority" not in out.stdout  # nimbus-cloud has no priorities: no reference tickets


def test_a_lower_commitment_for_one_service_is_a_reduction() -> None:
    """`uptime 99.99% for compute` lowered to 99.95 % promises more downtime for Compute: a term of its own
    (it was no change at all), and the band below that commitment pays over less of the range."""
    found = kinds(BASE, BASE.replace("uptime 99.99% for compute", "uptime 99.95% for compute"))
    assert found == {
        "tier:standard/uptime:compute": "reduction",
        "credit:downtime/bands:standard:compute": "reduction",
    }
    raised = kinds(BASE, BASE.replace("uptime 99.9%  for object_storage", "uptime 99.95% for object_storage"))
    assert raised["tier:standard/uptime:object_storage"] == "improvement"
    # Dropped, with no general uptime of the tier to fall back on: no commitment for the service any more.
    dropped = kinds(BASE, BASE.replace("    uptime 99.9%  for object_storage\n", ""))
    assert dropped["tier:standard/uptime:object_storage"] == "reduction"


def test_a_credit_that_requires_a_condition_pays_less_often_and_the_conditions_text_is_legal_text() -> None:
    """`requires good_standing` added: the credit is owed only when the customer meets it, a reduction;
    removed, an improvement. A new wording of the condition in the contract's language may change what
    it asks: a reduction to read (both were no change at all)."""
    assert "    requires good_standing\n" in BASE
    without = BASE.replace("    requires good_standing\n", "")
    assert kinds(without, BASE) == {"credit:downtime/requires:good_standing": "reduction"}
    assert kinds(BASE, without) == {"credit:downtime/requires:good_standing": "improvement"}
    text = "the customer's account has no invoice more than 30 days overdue"
    assert text in BASE
    assert kinds(BASE, BASE.replace(text, "the customer has paid every invoice")) == {
        "condition:good_standing/text": "reduction"
    }


HARBOR = _without_examples((ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8"))


def changes(old: str, new: str, lang: str = "en") -> dict[str, tuple[str, bool, str, str]]:
    """term → (kind, ambiguous, reason, detail) in one language."""
    from slac.change.strings import Strings

    s = Strings(lang)
    a = slac.compile_policy(old, file="old.sla")
    b = slac.compile_policy(new, file="new.sla")
    return {c.term: (c.kind, c.ambiguous, c.reason(s), c.detail(s)) for c in diff(a, b).changes}


def edited(base: str, old: str, new: str) -> str:
    assert base.count(old) == 1, old
    return base.replace(old, new)


def test_a_band_that_no_longer_includes_its_threshold_pays_less_at_exactly_that_uptime() -> None:
    """`at or below 95.0%` pays 100 % at exactly 95 %; `below 95.0%` leaves that uptime to the 30 % band.
    The one uptime where they differ is named, and the direction is exact (it was no change at all)."""
    inclusive = "when uptime at or below 95.0%  100%"
    strict = edited(BASE, inclusive, "when uptime below 95.0%        100%")
    forward, back = changes(BASE, strict), changes(strict, BASE)
    for service in ("compute", "object_storage"):
        term = f"credit:downtime/bands:standard:{service}"
        kind, ambiguous, reason, detail = forward[term]
        assert (kind, ambiguous) == ("reduction", False), forward[term]
        assert detail == "uptime of exactly 95%: 100% of the service charges → 30% of the service charges"
        assert back[term][:2] == ("improvement", False)


def test_a_band_paying_more_between_its_thresholds_is_an_exact_improvement() -> None:
    band = "when uptime below 99.0%        30% of service_charges"
    more = edited(BASE, band, band.replace("30%", "60%"))
    kind, ambiguous, _reason, detail = changes(BASE, more)["credit:downtime/bands:standard:compute"]
    assert (kind, ambiguous) == ("improvement", False)
    assert detail.startswith("uptime above 95% and below 99%: 30% of the service charges → 60%")


def test_a_formula_is_compared_over_sample_months() -> None:
    """harbor-desk's credit is a formula. Doubled it pays more in every month slac tries, which samples do
    not prove for every month: a reduction to read (ambiguous). Halved it pays less in a real month: a
    reduction, proven by that month."""
    formula = "10 * window_fee * downtime / window"
    doubled = edited(HARBOR, formula, formula.replace("10 *", "20 *"))
    kind, ambiguous, reason, _detail = changes(HARBOR, doubled)["credit:downtime/bands:business"]
    assert (kind, ambiguous) == ("reduction", True)
    assert reason.startswith(
        "the new credit is at least as large in every sample billing period slac computed, and larger in some"
    )
    kind, ambiguous, reason, _detail = changes(doubled, HARBOR)["credit:downtime/bands:business"]
    assert (kind, ambiguous, reason) == (
        "reduction",
        False,
        "the new credit is smaller in some of the sample billing periods slac computed",
    )


def test_a_formula_owed_where_no_credit_was_is_an_improvement() -> None:
    """Lowering the business tier's uptime from 99.5 % back to 99.9 % makes the formula owed between the
    two: a credit is never negative, so it cannot pay less there than no credit did."""
    lower = edited(HARBOR, "uptime 99.9%", "uptime 99.5%")
    found = changes(lower, HARBOR)
    assert found["credit:downtime/bands:business"][:2] == ("improvement", False), found
    assert found["credit:downtime/bands:business"][3] == (
        "uptime from 99.5% to below 99.9%: no credit → 10 × the fee for the calendar quarter × the downtime ÷ "
        "the length of the calendar quarter"
    )
    # The formula in the document's words for the contract's window, not its source text.
    assert (
        "10 × 该自然季度的服务费 × 停机时间 ÷ 该自然季度的时长"
        in changes(lower, HARBOR, "zh")["credit:downtime/bands:business"][3]
    )
    assert changes(HARBOR, lower)["credit:downtime/bands:business"][:2] == ("reduction", False)


def test_the_allowed_downtime_is_stated_for_the_contracts_own_window() -> None:
    """harbor-desk measures a calendar quarter: the allowed downtime is per 90-day quarter, not per month."""
    _kind, _a, _r, detail = changes(HARBOR, edited(HARBOR, "uptime 99.9%", "uptime 99.5%"))["tier:business/uptime"]
    assert detail == "99.9% → 99.5%; allowed downtime per 90-day quarter: 2 h 9 min 36 s → 10 h 48 min"
    _kind, _a, _r, detail = changes(HARBOR, edited(HARBOR, "uptime 99.9%", "uptime 99.5%"), "zh")[
        "tier:business/uptime"
    ]
    assert "季度" in detail and "月" not in detail


def test_service_days_per_missed_resolution_read_in_the_singular_and_plural() -> None:
    two = edited(HARBOR, "per missed resolution 1 service_day", "per missed resolution 2 service_days")
    kind, ambiguous, _reason, detail = changes(HARBOR, two)["credit:late_resolution/per_miss"]
    assert (kind, ambiguous, detail) == ("improvement", False, "1 day of service → 2 days of service")


@pytest.mark.parametrize(
    ("base", "old", "new", "forward", "ambiguous"),
    [
        # Two billing periods last 59 to 62 days: 365 days is longer in every month, 31 days shorter.
        (BASE, "within 2 billing cycles", "within 365d", "improvement", False),
        (BASE, "within 2 billing cycles", "within 31d", "reduction", False),
        # 60 days is longer than two billing periods from February, shorter from July: neither is proven.
        (BASE, "within 2 billing cycles", "within 60d", "reduction", True),
        (HARBOR, "claim within 30d", "claim within 1 billing cycle", "improvement", False),
    ],
)
def test_a_claim_deadline_in_billing_periods_is_ranked_against_one_in_days(
    base: str, old: str, new: str, forward: str, ambiguous: bool
) -> None:
    other = edited(base, old, new)
    assert changes(base, other)["claim:within"][:2] == (forward, ambiguous)
    back = changes(other, base)["claim:within"][:2]
    assert back == (
        ("reduction", True) if ambiguous else ({"improvement": "reduction"}.get(forward, "improvement"), False)
    )


def test_a_longer_minimum_outage_says_shorter_interruptions_no_longer_count() -> None:
    longer = edited(BASE, "minimum     outage 1min", "minimum     outage 3min")
    assert (
        changes(BASE, longer)["availability:minimum_outage"][2]
        == "interruptions shorter than the new minimum no longer count as downtime"
    )
    assert changes(BASE, longer, "zh")["availability:minimum_outage"][2] == "短于新的最短时长的中断不再计为停机时间"
    assert (
        changes(longer, BASE)["availability:minimum_outage"][2]
        == "interruptions from the new minimum up to the old one now count as downtime"
    )


def test_a_quarterly_contract_gets_figures_for_its_reference_quarter(tmp_path: Path) -> None:
    """harbor-desk bills by the quarter: the figures are for the quarter it takes effect in, with the
    reference fee as the fee for that quarter (they used to be skipped: "it evaluates calendar months").

    By hand: 2026-Q1 has 90 days = 129,600 minutes; just below 99.9 % is 129.6 → 130 + 1 = 131 minutes
    down (uptime 99.8989 %), which the formula pays 10 × 1000 × 131 / 129,600 = 10.108 → 10.11 CNY;
    at 99.5 % that uptime earns nothing."""
    from click.testing import CliRunner

    from slac.cli import main

    old, new = tmp_path / "old.sla", tmp_path / "new.sla"
    old.write_text(HARBOR, encoding="utf-8")
    new.write_text(edited(HARBOR, "uptime 99.9%", "uptime 99.5%"), encoding="utf-8")
    out = CliRunner().invoke(main, ["diff", str(old), str(new), "--lang", "en", "--reference-fee", "1000"])
    assert out.exit_code == 1, out.output
    assert "Figures for the reference period 2026-Q1" in out.stdout
    assert "Business 1000.00 CNY, Enterprise 1000.00 CNY for the period" in out.stdout
    # Its tickets have resolution and update targets they never meet in the period: the notice says so,
    # and that every change's figures are those of all the changes together.
    assert "These tickets are neither updated nor resolved in the period." in out.stdout
    assert "with all changes in this notice applied together" in out.stdout
    line = "  - Business, uptime 99.8989% (just below 99.9%): service credit for the reference period: 10.11 CNY → 0.00 CNY"
    assert line in out.stdout
    zh = CliRunner().invoke(main, ["diff", str(old), str(new), "--lang", "zh", "--reference-fee", "1000"])
    assert "以下为参考期间 2026-Q1 的数字" in zh.stdout and "参考期间的服务补偿：10.11 CNY → 0.00 CNY" in zh.stdout
    # A month is not a period of a contract billing by the quarter: the user is told how to write one.
    month = CliRunner().invoke(main, ["diff", str(old), str(new), "--period", "2026-02"])
    assert month.exit_code == 2 and "write it like 2026-Q2" in month.stderr
    # As advised: a quarter (it was refused as "not a month").
    q2 = CliRunner().invoke(main, ["diff", str(old), str(new), "--period", "2026-Q2", "--reference-fee", "1000"])
    assert q2.exit_code == 1 and "Figures for the reference period 2026-Q2" in q2.stdout, q2.output


def test_figures_from_a_month_of_real_events_read_charges_and_requests(tmp_path: Path) -> None:
    """`--reference-events DIR` of a contract with services reads the directory's charges and request
    counts as `slac evaluate` does: each contract's total over the month is the evaluator's report's."""
    import json

    from click.testing import CliRunner

    from slac.cli import main

    events = ROOT / "contracts" / "events" / "nimbus-cloud-2026-05"
    band = "when uptime below target       10% of service_charges"
    old, new = tmp_path / "old.sla", tmp_path / "new.sla"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(edited(BASE, band, band.replace("10%", "5%")), encoding="utf-8")
    totals = []
    for contract in (old, new):
        args = ["evaluate", str(contract), "--period", "2026-05", "--format", "json"]
        args += [f"--{name}={events / f'{name}.csv'}" for name in ("customers", "incidents", "charges", "requests")]
        report = json.loads(CliRunner().invoke(main, args).stdout)
        totals.append(sum(Decimal(c["total"]) for c in report["customers"]))
    assert totals[0] > totals[1]
    out = CliRunner().invoke(
        main, ["diff", str(old), str(new), "--lang", "en", "--period", "2026-05", "--reference-events", str(events)]
    )
    assert out.exit_code == 1, out.output
    assert f"Standard customers (3): credit for the reference month: {totals[0]:.2f} USD → {totals[1]:.2f} USD" in (
        out.stdout
    )


ACME = _without_examples((ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8"))


def test_amounts_are_sampled_over_the_contracts_own_billing_periods() -> None:
    """In a monthly contract the window's fee is the monthly fee: the same in every period it can have
    (sample quarters and years used to find it 'less', a proven reduction). In harbor-desk's quarters,
    15 days of service are 15/92 to 15/90 of the fee: a cap of 20 % is higher in every quarter (it used
    to be 'more at some uptimes and less at others', from sample months the contract cannot have)."""
    per_miss = "per missed response 2% of monthly_fee"
    window = edited(ACME, per_miss, "per missed response 2% of window_fee")
    for a, b in ((ACME, window), (window, ACME)):
        found = changes(a, b)
        (term,) = (t for t in found if t.endswith("/per_miss"))
        kind, ambiguous, reason, _detail = found[term]
        assert (kind, ambiguous) == ("reduction", True)
        assert reason.startswith("the new amount equals the old amount in every sample billing period slac computed")
    cap = edited(HARBOR, "cap 15 service_days per quarter", "cap 20% of window_fee per quarter")
    kind, ambiguous, reason, _detail = changes(HARBOR, cap)["cap"]
    assert (kind, ambiguous) == ("reduction", True)
    assert reason.startswith(
        "the new amount is at least as high in every sample billing period slac computed, and higher"
    )
    kind, ambiguous, reason, _detail = changes(cap, HARBOR)["cap"]
    assert (kind, ambiguous, reason) == (
        "reduction",
        False,
        "the new amount is lower in some of the sample billing periods slac computed",
    )


def test_amounts_in_another_currency_are_not_ranked() -> None:
    """A contract now in yen: 1 USD → 100 JPY of minimum credit used to be 'a smaller minimum credit'
    (an improvement, 100 against 1.00), and money per miss compared as bare numbers."""
    yen = BASE.replace("USD", "JPY").replace("minimum credit 1 JPY per month", "minimum credit 100 JPY per month")
    found = changes(BASE, yen)
    assert found["minimum_credit:amount"][:3] == (
        "reduction",
        True,
        "the contract's currency changed, so the old and new credits cannot be compared; counted as a reduction unless proven otherwise",
    )
    assert found["minimum_credit:amount"][3] == "1.00 USD → 100 JPY"
    money = edited(HARBOR, "per missed resolution 1 service_day", "per missed resolution 50 CNY")
    in_usd = money.replace("CNY", "USD")
    assert changes(money, in_usd)["credit:late_resolution/per_miss"][:2] == ("reduction", True)


def test_a_services_commitment_states_its_allowed_downtime() -> None:
    found = changes(BASE, edited(BASE, "uptime 99.99% for compute", "uptime 99.95% for compute"))
    detail = found["tier:standard/uptime:compute"][3]
    assert detail == "99.99% → 99.95%; allowed downtime per 30-day month: 4 min 19.2 s → 21 min 36 s"


def test_a_moved_example_is_no_change_and_a_changed_one_says_what_changed() -> None:
    """Examples carry the lines of their events: a comment added above them made every example 'changed',
    shown as `… → …`. Now only a real change is listed, with the part of the example it is in."""
    full = (ROOT / "contracts" / "harbor-desk.sla").read_text(encoding="utf-8")
    first = full.index("\n  example ") + 1
    moved = full[:first] + "  # the examples below are computed by hand\n" + full[first:]
    assert changes(full, moved) == {}
    expect = "expect credit 41.21 CNY"
    assert full.count(expect) == 1
    edited_expect = full.replace(expect, "expect credit 41.21 CNY\n    expect breaches 0")
    (term,) = changes(full, edited_expect)
    assert term.startswith("example:")
    assert changes(full, edited_expect)[term][:2] == ("neutral", False)
    assert changes(full, edited_expect)[term][3] == "changed: expected results"
    assert changes(full, edited_expect, "zh")[term][3] == "变更：预期结果"


def test_a_service_added_is_an_ambiguous_reduction_and_one_removed_a_reduction() -> None:
    """Adding a service ended in a traceback (a kind `unranked` the changelog does not order), for a v2
    contract and for a v1 contract taking up services alike."""
    dns = '  service dns {\n    name en "DNS" zh "域名解析"\n  }\n'
    anchor = "  availability {\n"
    added = BASE.replace(anchor, dns + anchor, 1)
    assert changes(BASE, added)["service:dns"][:2] == ("reduction", True)
    assert changes(added, BASE)["service:dns"][:2] == ("reduction", False)
    assert "divides downtime and charges anew" in changes(BASE, added)["service:dns"][2]
    acme_services = ACME.replace(anchor, dns + anchor, 1)
    assert acme_services != ACME
    assert changes(ACME, acme_services)["service:dns"][:2] == ("reduction", True)


def test_a_general_uptime_replaced_by_each_services_own_is_judged_per_service() -> None:
    """`uptime 99.9%` replaced by `uptime 99.99% for compute` and `uptime 99.9% for object_storage` lowers
    no service's commitment; it was 'uptime target removed', a reduction."""
    own = "    uptime 99.99% for compute\n    uptime 99.9%  for object_storage\n"
    general = BASE.replace(own, "    uptime 99.9%\n")
    assert general != BASE
    found = changes(general, BASE)
    assert "tier:standard/uptime" not in found
    assert found["tier:standard/uptime:compute"][:2] == ("improvement", False)
    assert "tier:standard/uptime:object_storage" not in found  # 99.9 % before and after
    back = changes(BASE, general)
    assert back["tier:standard/uptime:compute"][:2] == ("reduction", False)


def _without_storage(text: str) -> str:
    start = text.index("  service object_storage {")
    end = text.index("  }\n", start) + 4
    return (text[:start] + text[end:]).replace("    uptime 99.9%  for object_storage\n", "")


def test_a_service_removed_loses_every_band_and_its_figures_show_it(tmp_path: Path) -> None:
    """Object Storage removed: its bands were compared as if the new contract still paid them (only the
    band below its commitment changed), and the reference month probed only services both versions have,
    so the removal had no figures. By hand: January 2026, 44,640 minutes; just below 95 % is 2,233 minutes
    down, 100 % of the 1000 USD charges under the old contract, nothing under the new."""
    from click.testing import CliRunner

    from slac.cli import main

    removed = _without_storage(BASE)
    detail = changes(BASE, removed)["credit:downtime/bands:standard:object_storage"][3]
    assert detail.endswith("uptime at or below 95%: 100% of the service charges → no credit"), detail
    old, new = tmp_path / "old.sla", tmp_path / "new.sla"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(removed, encoding="utf-8")
    out = CliRunner().invoke(main, ["diff", str(old), str(new), "--lang", "en", "--reference-fee", "1000"])
    assert out.exit_code == 1, out.output
    assert (
        "  - Standard, Object Storage uptime 94.9977% (just below 95%): "
        "credit for the reference month: 1000.00 USD → 0.00 USD"
    ) in out.stdout
