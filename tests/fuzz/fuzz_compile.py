"""Coverage-guided fuzzing of the whole compiler (check with its examples run by the evaluator, then compile) with atheris; not run by pytest.

Install the extra and run a campaign (seeds: the bundled contracts and the bad cases)::

    .venv/bin/pip install -e '.[fuzz]'
    mkdir -p /tmp/slac-corpus
    .venv/bin/python tests/fuzz/fuzz_compile.py -runs=100000 -timeout=1 -max_len=16384 \\
        -dict=tests/fuzz/sla.dict -rss_limit_mb=2048 -artifact_prefix=/tmp/slac-crash- /tmp/slac-corpus contracts tests/cases/bad

Any exception other than `SlaError` from compile (or any exception at all from check),
and any input taking over a second (`-timeout=1`), is a crash: libFuzzer writes the
input to `/tmp/slac-crash-*`. Each one becomes a case under `tests/cases/bad/`.
"""

from __future__ import annotations

import sys

import atheris

# The stages import each other lazily; import them all here so that every one is instrumented.
with atheris.instrument_imports(include=["slac", "lark"]):
    import lark  # noqa: F401

    import slac
    import slac.checks
    import slac.driver
    import slac.policy
    import slac.runtime.calendar
    import slac.runtime.evaluate
    import slac.runtime.examples
    import slac.screen
    import slac.syntax
    import slac.to_ast  # noqa: F401
    from slac.errors import SlaError, format_text


def test_one_input(data: bytes) -> None:
    try:
        # As `slac check FILE` reads it: strict UTF-8 (other bytes are refused before any parsing).
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    diagnostics = slac.check(source, file="fuzz.sla")
    format_text(diagnostics, {"fuzz.sla": source}).encode("utf-8")
    if any(d.severity == "error" for d in diagnostics):
        return
    try:
        slac.compile_policy(source, file="fuzz.sla")
    except SlaError:
        pass  # only when the policy stage finds what the checks did not; still a diagnostic


def main() -> None:
    # Warm the parser (its tables load from the disk cache) before libFuzzer starts timing inputs.
    slac.check("sla x {}\n", file="warm.sla")
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
