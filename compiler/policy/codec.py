"""The policy's encoding: format version, canonical JSON, content hash, decimals, money and units.

A leaf of the package (stdlib only): the builder, the loader, the runtime, render and change all
write and read numbers through these functions, so a value means the same thing everywhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

# 1.1: language v2 (services, windows, formulas, …); 1.2: ticket clocks (resolution, updates, pauses, business
# days). A 1.0 or 1.1 policy still loads: every 1.2 key is optional.
FORMAT_VERSION = "1.2"
FORMAT_MAJOR, FORMAT_MINOR = (int(part) for part in FORMAT_VERSION.split("."))

# Weekday names as the policy writes them, Monday first (the index is the weekday number).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

US = 1_000_000  # microseconds per second: the runtime's unit of time

# The quantities a formula amount may name, as the policy's formula text writes them.
FORMULA_QUANTITIES = ("monthly_fee", "window_fee", "service_charges", "downtime", "window", "uptime", "target")


def uses_charges(amount: Mapping[str, Any]) -> bool:
    """Whether an amount is a share of `service_charges` or a formula naming them."""
    return amount.get("basis") == "service_charges" or "service_charges" in amount.get("text", "")


def formula_in_words(text: str, word: Callable[[str], str]) -> str:
    """A formula's text for readers: each quantity replaced by `word(name)` in one pass (so `window` is not
    replaced inside what `window_fee` became), `*` and `/` written × and ÷. The document and the
    changelog both word formulas this way, each with its own words."""
    import re

    pattern = re.compile(r"\b(" + "|".join(FORMULA_QUANTITIES) + r")\b")
    return pattern.sub(lambda m: word(m.group(1)), text).replace("*", "×").replace("/", "÷")


# ISO 4217 minor units for the currencies a contract is likely to use; anything
# else gets 2, which is what most currencies have.
MINOR_DIGITS: dict[str, int] = {
    "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2, "CZK": 2,
    "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "INR": 2, "ISK": 0,
    "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2,
    "OMR": 3, "PHP": 2, "PLN": 2, "RUB": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3,
    "TRY": 2, "TWD": 2, "UGX": 0, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip


def content_hash(policy: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the policy without its `content_hash` field.

    Canonical here means sorted keys, no insignificant whitespace and UTF-8 text, so a
    runtime in any language can recompute it; a loader refuses a policy whose recorded
    hash differs (it was edited after compiling).
    """
    body = {key: value for key, value in policy.items() if key != "content_hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_json(policy: Mapping[str, Any]) -> str:
    """The canonical text of a policy: sorted keys, UTF-8 kept, two-space indent, final newline."""
    return json.dumps(dict(policy), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def minor_digits(currency: str) -> int:
    """Decimal places of a currency's minor unit (2 when the table does not know it)."""
    return MINOR_DIGITS.get(currency, 2)


def decimal_str(value: Decimal) -> str:
    """A decimal as a plain string without exponent or trailing zeros: 99.90 → "99.9", 100 → "100"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def money_str(amount: Decimal, currency: str) -> str:
    """Money with its currency's minor digits ("50.00"); more precise amounts are kept exactly.

    Remembered by value (issue 15: a report writes each customer's fee, subtotal and limit): equal
    amounts give equal text, except a negative zero ("-0.00"), which is never remembered.
    """
    key = (amount, currency)
    text = _MONEY.get(key)
    if text is not None and not amount.is_signed():
        return text
    exp = Decimal(1).scaleb(-minor_digits(currency))
    quantized = amount.quantize(exp)
    text = format(quantized, "f") if quantized == amount else decimal_str(amount)
    if not amount.is_signed():
        if len(_MONEY) >= 65_536:
            _MONEY.clear()
        _MONEY[key] = text
    return text


_MONEY: dict[tuple[Decimal, str], str] = {}


def seconds_of_ms(milliseconds: int) -> int | float:
    """Milliseconds as policy seconds: an int when whole (300 ms → 0.3 is the only place a float appears)."""
    whole, rest = divmod(milliseconds, 1000)
    return whole if rest == 0 else milliseconds / 1000


def us_of_seconds(seconds: int | float) -> int:
    """Seconds from a policy (an int, or a float only for millisecond durations) as whole µs."""
    if isinstance(seconds, int):
        return seconds * US
    return round(Decimal(repr(seconds)) * US)


def seconds_of_us(us: int) -> int | float:
    """Whole µs as report seconds: an int when whole."""
    whole, rest = divmod(int(us), US)
    return whole if rest == 0 else int(us) / US


def format_parts(version: str) -> tuple[int, int] | None:
    """(major, minor) of a `MAJOR.MINOR` format version, or None when it is not one (≤ 6 digits each)."""
    major, dot, minor = version.partition(".")
    # At most 6 digits each: a 5000-digit version once failed int() with a traceback.
    if not (dot and major.isdigit() and minor.isdigit() and len(major) <= 6 and len(minor) <= 6):
        return None
    return int(major), int(minor)
