"""Issue 15: work done in background threads gives exactly what the plain path gives.

- `read_ahead.prefetch` (which `slac evaluate` starts before it loads the policy) parses CSV files
  in a thread; `open_source` takes a clean parse, and reads the file again itself on any problem,
  so every message is the plain read's.
- `BreachColumns.prepare` makes the breaches' JSON text in a thread while the report is assembled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from slac.runtime import read_ahead, readers
from slac.runtime.evaluate import evaluate_for_json
from slac.runtime.inputs import EventError, prefetch_events, read_events
from slac.runtime.report_json import json_chunks

from .test_inputs import POLICY, write


def _tables(events: object) -> list[object]:
    out = []
    for part in ("customers", "tickets", "incidents"):
        table = getattr(events, part)
        for name in table.__dataclass_fields__:
            value = getattr(table, name)
            out.append(value.tolist() if hasattr(value, "tolist") else value)
    return out


def _read(paths: dict[str, Path]) -> object:
    return read_events(POLICY, customers=paths["customers"], tickets=paths["tickets"], incidents=paths["incidents"])


def _ahead(paths: dict[str, Path]) -> object:
    forget = prefetch_events(**{k: str(v) for k, v in paths.items()})
    try:
        return _read({k: Path(str(v)) for k, v in paths.items()})
    finally:
        forget()


def test_prefetched_files_are_taken_and_give_the_same_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = write(tmp_path)
    plain = _tables(_read(paths))
    calls: list[str] = []
    real = readers._read_csv

    def counted(path: str, times: tuple[str, ...] = ()) -> object:
        calls.append(path)
        return real(path, times)

    monkeypatch.setattr(readers, "_read_csv", counted)  # a read by open_source
    monkeypatch.setattr(read_ahead, "_read_csv", counted)  # a read by the thread
    ahead = _tables(_ahead(paths))
    assert ahead == plain
    assert sorted(calls) == sorted(str(p) for p in paths.values())  # each parsed once, by the thread
    assert not readers.AHEAD  # taken, then forgotten


BAD = {
    "a NUL byte": {"tickets": "id,customer,priority,opened_at,responded_at\nt1,c1,urgent,2026-06-10T02:00Z,\x00\n"},
    "a short row": {"tickets": "id,customer,priority,opened_at,responded_at\nt1,c1\n"},
    "a long cell": {"tickets": f"id,customer,priority,opened_at,responded_at\n{'t' * 2_000_000},c1,urgent,x,\n"},
    "a missing column": {"incidents": "id,start\ni1,2026-06-10T02:00Z\n"},
    "not UTF-8": {"customers": "customer,tier,monthly_fee\nc\xe91,starter,500\n"},
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_prefetched_file_gives_the_plain_message(tmp_path: Path, case: str) -> None:
    texts = dict(BAD[case])
    paths = write(tmp_path, **{k: v for k, v in texts.items() if k != "customers"})
    if "customers" in texts:  # bytes that are not UTF-8
        paths["customers"].write_bytes(texts["customers"].encode("latin-1"))
    with pytest.raises(EventError) as plain:
        _read(paths)
    with pytest.raises(EventError) as ahead:
        _ahead(paths)
    assert str(ahead.value) == str(plain.value)
    assert not readers.AHEAD


def test_a_missing_file_and_forget(tmp_path: Path) -> None:
    paths = write(tmp_path)
    gone = tmp_path / "none.csv"
    with pytest.raises(EventError) as plain:
        read_events(POLICY, customers=paths["customers"], tickets=gone, incidents=paths["incidents"])
    forget = prefetch_events(customers=str(paths["customers"]), tickets=str(gone), incidents=str(paths["incidents"]))
    with pytest.raises(EventError) as ahead:
        read_events(POLICY, customers=paths["customers"], tickets=gone, incidents=paths["incidents"])
    assert str(ahead.value) == str(plain.value) == f"{gone}: no such file"
    forget()
    assert not readers.AHEAD
    forget = prefetch_events(customers=str(paths["customers"]), tickets=None, incidents=str(paths["incidents"]))
    assert set(readers.AHEAD) == {str(paths["customers"]), str(paths["incidents"])}
    forget()  # untaken parses are dropped
    assert not readers.AHEAD


def test_prepared_breach_text_is_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from slac.runtime import breaches
    from slac.runtime.breaches import BreachColumns

    from .runtime_fixtures import zones_policy_text
    from .test_evaluate_fast_paths import _month

    policy, events = _month(zones_policy_text(), "2026-03", 5, tickets=8_000)
    prepared = b"".join(json_chunks(evaluate_for_json(policy, events, period="2026-03")))
    monkeypatch.setattr(BreachColumns, "prepare", lambda self, indent: None)  # made when the writer asks
    assert b"".join(json_chunks(evaluate_for_json(policy, events, period="2026-03"))) == prepared
    assert b'"breaches": [\n' in prepared

    def broken(cols: object, indent: str) -> object:
        raise RuntimeError("made in the thread")

    monkeypatch.undo()
    monkeypatch.setattr(breaches, "_json_rows", broken)
    with pytest.raises(RuntimeError, match="made in the thread"):  # a failure in the thread reaches the writer
        b"".join(json_chunks(evaluate_for_json(policy, events, period="2026-03")))


TICKETS_HEAD = "id,customer,priority,opened_at,responded_at,resolved_at\n"
# Cells each of which the typed parse must leave to the text path (or refuse alike), with the rest of a good row.
ODD_TIMES = {
    "white space around a time": "t1,c1,urgent, 2026-06-10T02:00Z ,2026-06-10T03:00Z,\n",
    "nanoseconds": "t1,c1,urgent,2026-06-10T02:00:00.123456789Z,2026-06-10T03:00Z,\n",
    "a quoted empty resolution": 't1,c1,urgent,2026-06-10T02:00Z,2026-06-10T03:00Z,""\n',
}
BAD_TIMES = {
    "a year past slac's": "t1,c1,urgent,2300-06-10T02:00Z,,\n",
    "an empty opening": "t1,c1,urgent,,2026-06-10T03:00Z,\n",
    "a time without an offset": "t1,c1,urgent,2026-06-10T02:00,,\n",
    "a lowercase z": "t1,c1,urgent,2026-06-10T02:00z,2026-06-10T03:00Z,\n",
    "NULL as a time": "t1,c1,urgent,NULL,,\n",
    # quoted as written: the message shows the file's text of both cells, not Arrow's
    "a response before the opening": "t1,c1,urgent,2026-06-10T10:00+08:00,2026-06-10T01:59:59.5Z,\n",
    "a resolution before the opening": "t1,c1,urgent,2026-06-10T02:00Z,,2026-06-10T01:00+00:00\n",
}


def test_time_columns_are_parsed_as_utc_in_the_thread(tmp_path: Path) -> None:
    rows = "t1,c1,urgent,2026-06-10T10:00+08:00,2026-06-10T03:00:00.25Z,\nt2,c2,normal,2026-06-11T00:00Z,,2026-06-12T00:00Z\n"
    paths = write(tmp_path, tickets=TICKETS_HEAD + rows)
    plain = _tables(_read(paths))
    forget = prefetch_events(**{k: str(v) for k, v in paths.items()})
    src = readers.prefetched(str(paths["tickets"]))
    forget()
    assert src is not None
    assert {k[1] for k in src.cache if k[0] == read_ahead.UTC_KEY} == {"opened_at", "responded_at", "resolved_at"}
    assert str(src.table.schema.field("opened_at").type) == "timestamp[us, tz=UTC]"
    assert str(src.table.schema.field("id").type) == "string"
    assert _tables(_ahead(paths)) == plain
    ev = _ahead(paths)
    # 10:00+08:00 = 02:00Z on 2026-06-10: 1_781_056_800 s since the epoch (2026-06-10T00:00Z is 1_781_049_600)
    assert ev.tickets.opened.tolist()[0] == (1_781_049_600 + 2 * 3600) * 1_000_000  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", list(ODD_TIMES))
def test_times_the_typed_parse_refuses_are_read_as_text_alike(tmp_path: Path, case: str) -> None:
    paths = write(tmp_path, tickets=TICKETS_HEAD + ODD_TIMES[case])
    plain = _tables(_read(paths))
    forget = prefetch_events(**{k: str(v) for k, v in paths.items()})
    src = readers.prefetched(str(paths["tickets"]))
    forget()
    assert src is not None and not any(k[0] == read_ahead.UTC_KEY for k in src.cache)  # the text parse
    assert _tables(_ahead(paths)) == plain


@pytest.mark.parametrize("case", list(BAD_TIMES))
def test_a_bad_time_gives_the_plain_message(tmp_path: Path, case: str) -> None:
    paths = write(tmp_path, tickets=TICKETS_HEAD + BAD_TIMES[case])
    with pytest.raises(EventError) as plain:
        _read(paths)
    with pytest.raises(EventError) as ahead:
        _ahead(paths)
    assert str(ahead.value) == str(plain.value)
    assert "tickets.csv, line 2, column `" in str(plain.value)
    if "before the opening" in case:
        assert "2026-06-10T" in str(plain.value) and "+0" in str(plain.value)  # the cells as written
