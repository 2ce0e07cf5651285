"""Coverage-guided fuzzing of the one policy loader (and an evaluation with what it accepts) with atheris.

Each input is policy JSON text: loaded as it is, then (when it is a JSON object) with its
`content_hash` recomputed, so that mutations get past the hash into the schema, the reference
and zone checks and a month of the sample events. Seeds: the compiled bundled contracts
(`python tests/fuzz/fuzz_policy.py --seeds DIR` writes them). A campaign::

    .venv/bin/pip install -e '.[test,fuzz]'
    mkdir -p /tmp/slac-policy-corpus /tmp/slac-policy-seeds
    .venv/bin/python tests/fuzz/fuzz_policy.py --seeds /tmp/slac-policy-seeds
    .venv/bin/python tests/fuzz/fuzz_policy.py -runs=100000 -timeout=1 -max_len=65536 -dict=tests/fuzz/policy.dict \\
        -rss_limit_mb=2048 -artifact_prefix=/tmp/slac-policy-crash- /tmp/slac-policy-corpus /tmp/slac-policy-seeds

Any exception other than `PolicyError` (or an evaluation's `ValueError`, which the CLI reports
as "cannot evaluate", exit 2), and any input over a second, is a crash.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["slac"]):
    import slac.policy.load
    import slac.runtime.evaluate
    import slac.runtime.policy  # noqa: F401

from tests.fuzz.targets import ROOT, load_policy_text, policy  # noqa: E402


def test_one_input(data: bytes) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    load_policy_text(text)


def write_seeds(directory: Path) -> None:
    import slac

    directory.mkdir(parents=True, exist_ok=True)
    for contract in sorted((ROOT / "contracts").glob("*.sla")):
        source = contract.read_text(encoding="utf-8")
        text = slac.policy_json(slac.compile_policy(source, file=contract.name))
        (directory / f"{contract.stem}.json").write_text(text, encoding="utf-8")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        write_seeds(Path(sys.argv[2]))
        return
    policy()  # warm the loader, the schema and the evaluator before libFuzzer starts timing
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
