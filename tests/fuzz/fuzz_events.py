"""Coverage-guided fuzzing of the event-file readers (CSV, JSON Lines, Parquet) with atheris; not run by pytest.

The first byte of an input chooses the file (customers, tickets, incidents) and its format; for
CSV and JSON Lines the rest is the file's bytes, for Parquet it is decoded into typed columns
(text, large text, dictionary-encoded text, binary, integers, floats, booleans, timestamps of
every unit with and without a zone) so that the typed paths are reached too. Seeds: the sample
month under contracts/events/. A campaign::

    .venv/bin/pip install -e '.[test,fuzz]'
    mkdir -p /tmp/slac-events-corpus
    .venv/bin/python tests/fuzz/fuzz_events.py -runs=100000 -timeout=1 -max_len=4096 \\
        -rss_limit_mb=2048 -artifact_prefix=/tmp/slac-events-crash- /tmp/slac-events-corpus tests/fuzz/seeds/events

Any exception other than `EventError`, and any input taking over a second, is a crash (the
input is written to /tmp/slac-events-crash-*); each one becomes a case in
tests/test_reliability_events.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["slac"]):
    import slac.runtime.inputs
    import slac.runtime.readers  # noqa: F401

from tests.fuzz.targets import COLUMNS, KINDS, SUFFIXES, customers, parquet_bytes, policy, read_event_file  # noqa: E402


def _parquet(fdp: atheris.FuzzedDataProvider, kind: str) -> bytes | None:
    import pyarrow as pa

    rows = fdp.ConsumeIntInRange(0, 6)
    names = [*COLUMNS[kind], "extra"]
    columns: dict[str, pa.Array] = {}
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        name = names[fdp.ConsumeIntInRange(0, len(names) - 1)]
        choice = fdp.ConsumeIntInRange(0, 9)
        try:
            if choice <= 3:
                values = [fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40)) for _ in range(rows)]
                kinds = (pa.string(), pa.large_string(), pa.string(), pa.binary())
                array = pa.array(values, kinds[choice] if choice != 3 else pa.string())
                if choice == 2:
                    array = array.dictionary_encode()
                elif choice == 3:
                    array = pa.array([fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 20)) for _ in range(rows)], pa.binary())
            elif choice <= 7:
                unit = ("s", "ms", "us", "ns")[choice - 4]
                zone = "UTC" if fdp.ConsumeBool() else None
                values = [fdp.ConsumeIntInRange(-(2**62), 2**62) if fdp.ConsumeBool() else None for _ in range(rows)]
                if unit == "s":
                    values = [None if v is None else v // 2**22 for v in values]  # Parquet stores s as ms
                array = pa.array(values, pa.timestamp(unit, tz=zone))
            elif choice == 8:
                array = pa.array([fdp.ConsumeRegularFloat() for _ in range(rows)], pa.float64())
            else:
                array = pa.array([fdp.ConsumeBool() for _ in range(rows)], pa.bool_())
        except (pa.ArrowException, OverflowError, ValueError):
            return None
        columns[name] = array
    if not columns:
        return None
    try:
        return parquet_bytes(columns)
    except pa.ArrowException:
        return None


def test_one_input(data: bytes) -> None:
    if not data:
        return
    kind = KINDS[data[0] % 3]
    suffix = SUFFIXES[(data[0] // 3) % 3]
    if suffix == ".parquet":
        built = _parquet(atheris.FuzzedDataProvider(data[1:]), kind)
        if built is None:
            return
        read_event_file(kind, suffix, built)
    else:
        read_event_file(kind, suffix, data[1:])


def main() -> None:
    policy(), customers()  # compile the policy and read the customers before libFuzzer starts timing
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
