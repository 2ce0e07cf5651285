"""What the event-file and policy fuzzers run, shared by the atheris harnesses and the hypothesis tests.

`read_event_file(kind, suffix, data)` writes `data` to a file and reads it as `slac evaluate`
does (customers, tickets or incidents of the websoft9 policy); `load_policy_text(text)` loads
policy JSON through the one loader, then again with its `content_hash` recomputed (so that a
mutated policy gets past the hash to the schema, the reference checks and an evaluation).

The only exceptions allowed out are the refusals the CLI turns into exit 2 (`EventError`,
`PolicyError`, and the `ValueError` of an evaluation the CLI reports as "cannot evaluate");
anything else is a finding.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "contracts" / "events" / "websoft9-2025-03"
KINDS = ("customers", "tickets", "incidents")
SUFFIXES = (".csv", ".jsonl", ".parquet")
# Columns the readers know, so that generated files often have the right header.
COLUMNS = {
    "customers": ("customer", "tier", "monthly_fee", "currency"),
    "tickets": ("id", "customer", "priority", "opened_at", "responded_at", "outage", "cause"),
    "incidents": ("id", "start", "end", "cause", "announced_at", "customers"),
}


@functools.cache
def policy() -> Any:
    """The websoft9 policy as the runtime loads it (compiled once)."""
    import slac
    from slac.runtime import load_policy

    source = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")
    return load_policy(slac.policy_json(slac.compile_policy(source, file="websoft9.sla")))


@functools.cache
def customers() -> Any:
    from slac.runtime.inputs import read_customers

    return read_customers(EVENTS / "customers.csv", policy().raw)


@functools.cache
def _scratch() -> Path:
    # tmpfs when there is one: a campaign writes a file per input
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="slac-fuzz-", dir=base))


def read_event_file(kind: str, suffix: str, data: bytes) -> None:
    """Read `data` as the `kind` file; EventError is the expected refusal."""
    import sys

    from slac.runtime.inputs import EventError, read_customers, read_incidents, read_tickets

    path = _scratch() / f"{kind}{suffix}"
    path.write_bytes(data)
    raw = policy().raw
    # An exception inside a callback that Python only prints ("Exception ignored in …") is a
    # traceback on the user's terminal too: it counts as a finding.
    unraisable: list[BaseException | None] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda info: unraisable.append(info.exc_value)
    try:
        if kind == "customers":
            read_customers(path, raw)
        elif kind == "tickets":
            read_tickets(path, raw, customers=customers())
        else:
            read_incidents(path, raw, customers=customers())
    except EventError as exc:
        str(exc).encode("utf-8")  # the message must be printable
    finally:
        sys.unraisablehook = previous
    if unraisable:
        raise AssertionError(f"an exception was printed instead of raised: {unraisable[0]!r}")


def load_policy_text(text: str) -> None:
    """Load `text` as a policy; then, when it is a JSON object, rehashed, and evaluate a month with it."""
    from slac.policy.codec import content_hash
    from slac.runtime import PolicyError, load_policy

    try:
        load_policy(text if text.lstrip()[:1] in ("{", "[") else "\n" + text)
    except PolicyError as exc:
        str(exc).encode("utf-8")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return
    if not isinstance(raw, dict):
        return
    try:
        raw["content_hash"] = content_hash(raw)
        loaded = load_policy(raw)
    except PolicyError as exc:
        str(exc).encode("utf-8")
        return
    except (TypeError, AttributeError, KeyError, ValueError, RecursionError):
        # content_hash() of a dict the loader would refuse anyway (not a policy's shape): the
        # refusal is tested by the first load above, which hashes after its own checks.
        return
    evaluate(loaded)


def evaluate(loaded: Any) -> None:
    """A month of the sample events under a policy that loaded; ValueError is "cannot evaluate"."""
    from slac.runtime.evaluate import evaluate as run
    from slac.runtime.inputs import EventError, read_events

    try:
        events = read_events(
            loaded,
            customers=EVENTS / "customers.csv",
            tickets=EVENTS / "tickets.csv",
            incidents=EVENTS / "incidents.csv",
        )
        run(loaded, events, period="2025-03")
    except (EventError, ValueError):
        pass


def parquet_bytes(columns: dict[str, Any]) -> bytes:
    """A Parquet file of the given Arrow arrays (equal lengths), as bytes."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()
