"""`slac diff` on a cap no credit can reach: no change for the customer, only where that is proved.

A cap limits nothing when it is at least the most that all credits together can come to in any one measurement window. Each expected
value below is worked out from the contract's own bands by hand: nimbus-cloud's one credit pays at most 100 % of a
scope's service charges and its cap is 100 % of them, per scope; with two services measured as a whole and a cap on
the monthly fee, each service is a scope, so the bands' largest share counts twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import slac
from slac.change.diff import Strings, diff

ROOT = Path(__file__).resolve().parent.parent
SOURCE = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
NIMBUS = SOURCE[: SOURCE.index("\n  example ") + 1] + "}\n"  # its examples expect the cap it has
CAP = "  cap 100% of service_charges per month\n"
NO_CAP = NIMBUS.replace(CAP, "")


def cap_change(old: str, new: str) -> tuple[str, str, str]:
    """(kind, English reason, Chinese reason) of the cap's change."""
    result = diff(slac.compile_policy(old, file="old.sla"), slac.compile_policy(new, file="new.sla"))
    [cap] = [c for c in result.changes if c.term == "cap"]
    return cap.kind, cap.reason(Strings("en")), cap.reason(Strings("zh"))


def test_a_cap_added_at_the_largest_band_is_no_change() -> None:
    assert CAP in NIMBUS
    kind, en, zh = cap_change(NO_CAP, NIMBUS)
    assert kind == "neutral"
    assert en == (
        "the cap is at least 100% of the service charges, the most that all credits together can come to in any one "
        "measurement window, so it can never limit a credit"
    )
    assert zh == "上限不低于任一计量周期内全部补偿合计可能达到的最高额（服务费用的 100%），不会限制任何补偿"


def test_removing_it_is_no_change_either() -> None:
    kind, en, zh = cap_change(NIMBUS, NO_CAP)
    assert kind == "neutral"
    assert en.startswith("the removed cap was at least 100% of the service charges")
    assert zh.startswith("原上限不低于")


def test_a_cap_below_the_credits_added_up_still_binds() -> None:
    # A cap below one band is E0609; beside a second credit of up to 20 %, a scope can be owed 100 % + 20 % = 120 %.
    second = "  credit extra {\n    when uptime below 99.0% 20% of service_charges\n  }\n"
    kind, en, _zh = cap_change(NIMBUS.replace(CAP, second), NIMBUS.replace(CAP, second + CAP))
    assert (kind, en) == ("reduction", "credits are now capped")


def test_two_unreachable_caps_are_no_change() -> None:
    # The cap may not be above the whole service charges (E0606), so the credit is lowered below both caps.
    credit = NIMBUS.replace("at or below 95.0%  100% of service_charges", "at or below 95.0%  80% of service_charges")
    old = credit.replace(CAP, "  cap 90% of service_charges per month\n")
    kind, en, zh = cap_change(old, credit)
    assert kind == "neutral"
    assert en == (
        "the old and the new cap are each at least the most that all credits under that version can come to in any "
        "one measurement window, so neither can limit a credit"
    )
    assert zh == "新旧上限均不低于各自版本下任一计量周期内全部补偿合计可能达到的最高额，因此均不会限制任何补偿"
    # Lowered to 85 %: still above the 80 % the credit pays at most, no change for the customer.
    assert cap_change(old, credit.replace(CAP, "  cap 85% of service_charges per month\n"))[0] == "neutral"


def _whole(largest: str) -> str:
    """nimbus-cloud with both services measured as a whole (two scopes), its credit and cap on the monthly fee,
    and `largest` the share paid at or below 95 %."""
    text = NIMBUS
    for line in ("    measured per region        # each region's uptime and charges stand on their own\n",
                 "    measured per region\n"):  # fmt: skip
        assert line in text
        text = text.replace(line, "")
    text = text.replace("100% of service_charges\n", f"{largest} of service_charges\n", 1)
    return text.replace("of service_charges", "of monthly_fee")


@pytest.mark.parametrize(
    ("largest", "kind"),
    [
        ("50%", "neutral"),  # two services × 50 % = 100 %: the cap of 100 % is never exceeded
        ("60%", "reduction"),  # two services × 60 % = 120 % > 100 %
    ],
)
def test_a_cap_on_the_total_counts_every_service(largest: str, kind: str) -> None:
    new = _whole(largest)
    assert "cap 100% of monthly_fee per month" in new and f"95.0%  {largest} of monthly_fee" in new
    assert cap_change(new.replace("  cap 100% of monthly_fee per month\n", ""), new)[0] == kind


def test_a_cap_on_the_total_with_services_per_region_can_bind() -> None:
    # Regions come from the data: there is no limit to how many scopes add up under a cap on the total.
    whole = _whole("50%")
    per_region = whole.replace('    name     en "Compute" zh "计算服务"\n',
                               '    name     en "Compute" zh "计算服务"\n    measured per region\n')  # fmt: skip
    assert per_region != whole
    assert cap_change(per_region.replace("  cap 100% of monthly_fee per month\n", ""), per_region)[0] == "reduction"


def test_a_per_miss_credit_under_the_cap_can_bind() -> None:
    # The catalogue's shop: the premium tier also earns 2 % per missed response, and misses have no limit.
    case = ROOT / "tests/cases/diff/cap-added"
    old, new = ((case / f).read_text(encoding="utf-8") for f in ("old.sla", "new.sla"))
    assert "per missed response" in new and "cap 100% of monthly_fee per month" in new
    assert cap_change(old, new)[0] == "reduction"
    without = "  credit missed_response {\n    applies premium\n    per missed response 2% of monthly_fee\n  }\n"
    assert without in new
    # Without it the largest band, 100 % of the monthly fee below 95 %, is the most: the cap cannot bind.
    assert cap_change(old.replace(without, ""), new.replace(without, ""))[0] == "neutral"


def test_a_cap_over_a_longer_span_is_not_proved() -> None:
    # Over a year the earlier windows, each rounded, count against the cap: slac does not prove it unreachable.
    yearly = NIMBUS.replace(CAP, "  cap 100% of service_charges per year\n")
    assert cap_change(NO_CAP, yearly)[0] == "reduction"
