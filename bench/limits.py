"""Worst cases inside the limits: how long `slac check` takes on the largest inputs slac accepts.

Run: .venv/bin/python bench/limits.py
Each case is timed in process (median of 3, warm) and printed as a ratio against the
baseline measured in the same run: `slac check` of the bundled websoft9.sla.
- one-letter names just under MAX_TOKENS (the most work per byte that is still parsed),
  and at MAX_SOURCE_BYTES (refused by the token count before parsing);
- a contract at MAX_SOURCE_BYTES of long texts (few tokens, much text);
- examples with MAX_TOTAL_EXAMPLE_EVENTS events, all run through the evaluator;
- a contract one byte over MAX_SOURCE_BYTES (refused before parsing);
- unknown names among 1,500 declared ones of MAX_NAME_CHARS letters ("did you mean", bounded by
  SUGGESTION_BUDGET; was 63 s for 84 KB before the budget).
"""

from __future__ import annotations

import random
import statistics
import string
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")


def median_s(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fill(body: str) -> str:
    """The bundled contract with `body` before its closing brace."""
    return BASE.rstrip().removesuffix("}") + body + "}\n"


def cases() -> dict[str, str]:
    from slac import limits

    room = limits.MAX_SOURCE_BYTES - len(fill("").encode("utf-8")) - 64
    names = "  availability {\n    excludes " + " ".join(["a"] * (room // 2 - 20)) + "\n  }\n"
    words = limits.MAX_TOKENS - 600  # the contract's own tokens and the block's
    under = "  availability {\n    excludes " + " ".join(["a"] * words) + "\n  }\n"
    text = ("x" * 9 + " ") * (limits.MAX_TEXT_CHARS // 10 - 1)  # words: one 20,000-letter run is E0216
    clause = f'  clause c{{}} {{ zh "{text}" en "{text}" }}\n'
    clauses = "".join(clause.replace("{}", str(i)) for i in range(room // len(clause.encode())))
    event = "ticket normal opened 2025-03-04T09:00+08:00 responded 2025-03-04T12:00+08:00"
    per, count = limits.MAX_EXAMPLE_EVENTS, limits.MAX_TOTAL_EXAMPLE_EVENTS // limits.MAX_EXAMPLE_EVENTS - 1
    examples = "".join(
        f'  example "e{i}" {{\n    tier premium\n    fee 200 CNY\n    repeat {per} {event}\n'
        f"    expect breaches {per}\n    expect credit 200 CNY\n  }}\n"
        for i in range(count)
    )
    # Unknown names, each asking "did you mean" among ~2,000 declared ones of the longest length.
    rnd = random.Random(0)

    def word() -> str:
        return "c" + "".join(rnd.choices(string.ascii_lowercase, k=limits.MAX_NAME_CHARS - 1))

    channels = "".join(f'  channel {word()} {{ name zh "x" en "x" }}\n' for _ in range(1_500))
    refs = "".join(f"    support {' '.join(word() for _ in range(20))}\n" for _ in range(60))
    unknown = channels + '  tier zz {\n    name zh "Z" en "Z"\n' + refs + "  }\n"
    return {
        "unknown names among 1,500 declared": fill(unknown),
        "one-letter names under the token limit": fill(under),
        "one-letter names at the size limit": fill(names),
        "long texts at the size limit": fill(clauses),
        f"examples with {count * per + 5:,} events": fill(examples),
        "one byte over the size limit": BASE + "#" * (limits.MAX_SOURCE_BYTES - len(BASE.encode()) + 1),
    }


def main() -> None:
    import slac

    slac.check(BASE, file="warm.sla")  # parser tables loaded, evaluator imported
    baseline = median_s(lambda: slac.check(BASE, file="websoft9.sla"), 5)
    print(f"baseline: slac.check(websoft9.sla), {len(BASE.encode()):,} bytes: {baseline * 1000:.1f} ms")
    for name, source in cases().items():
        elapsed = median_s(lambda source=source: slac.check(source, file="big.sla"))  # type: ignore[misc]
        codes = sorted({d.code for d in slac.check(source, file="big.sla") if d.severity == "error"})
        print(
            f"{name:38} {len(source.encode()):>9,} bytes  {elapsed:6.2f} s  "
            f"{elapsed / baseline:7.1f}× baseline  errors: {', '.join(codes) or 'none'}"
        )


if __name__ == "__main__":
    main()
