"""The uptime texts made in integers (issue 15) equal the Decimal rounding they replace, digit for digit."""

from __future__ import annotations

import random

import pytest

from slac.policy.codec import decimal_str
from slac.runtime.entries import percent_text, ratio_text
from slac.runtime.numbers import round_ratio

MONTH = 30 * 86_400 * 1_000_000  # µs in June


@pytest.mark.parametrize(
    ("num", "den", "places", "text"),
    [
        (1, 8, 2, "0.12"),  # 0.125: the tie goes to the even 2
        (3, 8, 2, "0.38"),  # 0.375: the tie goes to the even 8
        (5, 8, 1, "0.6"),  # 0.625 is 6.25 tenths: below the half, down to 0.6
        (200, 3, 3, "66.667"),  # 66.666… rounds up
        (100, 3, 0, "33"),
        (0, 7, 3, "0.000"),
        (700, 7, 2, "100.00"),
    ],
)
def test_ratio_text_by_hand(num: int, den: int, places: int, text: str) -> None:
    assert ratio_text(num, den, places) == text


def test_percent_text_by_hand() -> None:
    assert percent_text(MONTH, MONTH) == "100"
    assert percent_text(0, MONTH) == "0"
    assert percent_text(1, 2) == "50"
    assert percent_text(1, 3) == "33.333333333"  # 100/3, the tenth digit 3 rounds down
    assert percent_text(2, 3) == "66.666666667"  # 200/3, the tenth digit 6 rounds up
    # 43 minutes down in June: (2592000 - 2580) / 2592000 × 100 = 99.900462962|96… → 99.900462963
    assert percent_text(MONTH - 2580 * 1_000_000, MONTH) == "99.900462963"


def test_the_texts_equal_the_decimal_rounding() -> None:
    rng = random.Random(15)
    for den in (MONTH, 31 * 86_400 * 1_000_000, 7, 1, 365 * 86_400 * 1_000_000):
        for _ in range(3000):
            up = rng.choice([0, den, den - 1, den // 2, rng.randrange(0, den + 1), max(0, den - rng.randrange(10**8))])
            for places in (0, 1, 2, 3, 9):
                assert ratio_text(up * 100, den, places) == format(round_ratio(up * 100, den, places), "f")
            assert percent_text(up, den) == decimal_str(round_ratio(up * 100, den, 9))
    assert percent_text(-1, 10) == decimal_str(round_ratio(-100, 10, 9))  # never an uptime, still the same text


def test_remembered_money_text_keeps_the_sign_of_zero_and_the_exact_digits() -> None:
    from decimal import Decimal

    from slac.policy.codec import money_str

    assert money_str(Decimal("0"), "USD") == "0.00"
    assert money_str(Decimal("-0"), "USD") == "-0.00"  # equal to 0, yet its own text
    assert money_str(Decimal("0"), "USD") == "0.00"
    assert money_str(Decimal("50"), "USD") == "50.00"
    assert money_str(Decimal("50.000"), "USD") == "50.00"  # equal value, equal text
    assert money_str(Decimal("50"), "JPY") == "50"  # the currency is part of what is remembered
    assert money_str(Decimal("1") / 8, "USD") == "0.125"  # more precise than cents: kept exactly
    assert money_str(Decimal("0.1250"), "USD") == "0.125"
