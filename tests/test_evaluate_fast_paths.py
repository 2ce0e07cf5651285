"""The fast paths of `slac evaluate` (issue 11/15 speed) against the plain ones they replace.

Each fast path is checked against an independent way to the same answer: the streamed JSON against
one `orjson.dumps` of `evaluate()`'s dict, the numpy-made ISO texts against `datetime.isoformat`,
the readers' buffer shortcuts against inputs that need the slow checks. Sizes are above
`columns.SMALL` so that the vectorised branches run.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from pathlib import Path

import numpy as np
import orjson
import pytest

from slac.fileio import atomic_write
from slac.render.report import json_chunks
from slac.runtime import columns, load_policy
from slac.runtime.breaches import json_strings
from slac.runtime.calendar import from_us, iso_arrow, iso_many
from slac.runtime.columns import SMALL, codes, remember_codes, truthy
from slac.runtime.evaluate import evaluate, evaluate_for_json
from slac.runtime.inputs import EventError, read_customers, read_tickets

from .runtime_fixtures import objects, policy_text, random_events, zones_policy_text

OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def _month(policy_json: str, period: str, seed: int, tickets: int = 30_000) -> tuple[object, object]:
    policy = load_policy(policy_json)
    events = random_events(policy, period, seed=seed, customers=300, tickets=tickets, incidents=400)
    ids = [f"t{i}" for i in range(tickets)]
    # ids orjson must escape or writes as UTF-8, among plain ones
    ids[3], ids[10], ids[11], ids[12] = 'q"uote', "back\\slash", "tab\there", "工单-é"
    t = dataclasses.replace(events.tickets, id=objects(ids))
    return policy, dataclasses.replace(events, tickets=t)


@pytest.mark.parametrize(("which", "period", "seed"), [("zones", "2026-03", 1), ("websoft9", "2025-03", 2)])
def test_streamed_json_report_is_orjson_of_the_dict(which: str, period: str, seed: int) -> None:
    text = zones_policy_text() if which == "zones" else policy_text("websoft9")
    policy, events = _month(text, period, seed)
    report = evaluate(policy, events, period=period)
    breaches = sum(len(c["breaches"]) for c in report["customers"])
    assert breaches >= SMALL  # the numpy texts, not the small-input path
    whole = orjson.dumps(report, option=OPTIONS)
    assert b"".join(json_chunks(report)) == whole  # the dict path, in pieces
    assert b"".join(json_chunks(evaluate_for_json(policy, events, period=period))) == whole


def test_breach_times_are_isoformat() -> None:
    """The dict path's timestamps (numpy-made above SMALL) against datetime.isoformat, breach by breach."""
    policy, events = _month(zones_policy_text(), "2026-03", 3)
    report = evaluate(policy, events, period="2026-03")
    t = events.tickets
    where = {ident: k for k, ident in enumerate(t.id.tolist())}
    seen = 0
    for c in report["customers"]:
        for b in c["breaches"]:
            k = where[b["id"]]
            assert b["opened"] == from_us(int(t.opened[k]), policy.zone).isoformat()
            if b["response"] is not None:
                assert b["response"] == from_us(int(t.responded[k]), policy.zone).isoformat()
            seen += 1
    assert seen >= SMALL


@pytest.mark.parametrize(
    "zone", ["America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/St_Johns", "UTC", "Europe/Dublin"]
)
def test_iso_many_and_iso_arrow_are_isoformat(zone: str) -> None:
    rng = np.random.default_rng(7)
    z = zoneinfo.ZoneInfo(zone)
    start = 1_774_000_000_000_000  # March 2026, around the DST changes of the northern zones
    us = rng.integers(start - 40 * 86_400_000_000, start + 240 * 86_400_000_000, 6000)
    us[::2] = us[::2] // 1_000_000 * 1_000_000  # whole seconds: no fraction written
    expected = [from_us(int(u), z).isoformat() for u in us.tolist()]
    assert iso_many(us, z) == expected
    assert iso_arrow(us, z, '"').to_pylist() == [f'"{e}"' for e in expected]


def test_json_strings_are_orjson() -> None:
    plain = ["a", "工单", "x y"]
    assert json_strings(plain) == [orjson.dumps(v).decode() for v in plain]
    odd = ["a", 'b"c', "d\\e", "\x00\x1f\x7f", "\u2028"]
    assert json_strings(odd) == [orjson.dumps(v).decode() for v in odd]


def test_json_chunks_of_small_reports() -> None:
    for report in ({}, {"a": [], "customers": []}, {"customers": [{}], "z": {"k": [1, {"é": None}]}}):
        assert b"".join(json_chunks(report)) == orjson.dumps(report, option=OPTIONS)


# ---- readers -------------------------------------------------------------------------------------


def _files(tmp_path: Path, rows: list[str]) -> tuple[Path, Path]:
    customers = tmp_path / "customers.csv"
    customers.write_text("customer,tier,monthly_fee\nc1,standard,100\n", encoding="utf-8")
    tickets = tmp_path / "tickets.csv"
    head = "id,customer,priority,opened_at,responded_at\n"
    tickets.write_text(head + "".join(r + "\n" for r in rows), encoding="utf-8")
    return customers, tickets


def _row(ident: str, prio: str = "normal") -> str:
    return f"{ident},c1,{prio},2025-03-03T09:00:00+08:00,2025-03-03T09:10:00+08:00"


def _read(tmp_path: Path, rows: list[str]) -> object:
    policy = load_policy(policy_text("websoft9")).raw
    customers, tickets = _files(tmp_path, rows)
    return read_tickets(tickets, policy, customers=read_customers(customers, policy))


def test_long_ids_repeated_far_apart_are_found(tmp_path: Path) -> None:
    """Ids longer than 8 characters are hashed from their words: a repeat is still named with its line."""
    rows = [_row(f"TICKET-2026-{i:07d}") for i in range(3000)]
    rows[2500] = _row("TICKET-2026-0000042")
    with pytest.raises(EventError) as err:
        _read(tmp_path, rows)
    assert err.value.row == 2502 and err.value.column == "id"  # header on line 1, so row k is line k + 2
    assert "first used on line 44" in str(err.value)
    rows[2500] = _row("TICKET-2026-9999999")
    assert len(_read(tmp_path, rows).id) == 3000


def test_padded_values_are_trimmed_in_big_files(tmp_path: Path) -> None:
    rows = [_row(f"t{i}") for i in range(3000)]
    rows[1700] = _row(" t1700\u3000", prio=" high")  # an ideographic space (U+3000) too: Unicode trim
    t = _read(tmp_path, rows)
    assert t.id[1700] == "t1700" and t.priority[1700] == "high"


def test_nul_and_unknown_names_in_big_files(tmp_path: Path) -> None:
    rows = [_row(f"t{i}") for i in range(3000)]
    rows[2999] = _row("t2999", prio="highest")
    with pytest.raises(EventError) as err:
        _read(tmp_path, rows)
    assert (err.value.row, err.value.column) == (3001, "priority") and "'highest'" in str(err.value)
    rows[2999] = _row("t\x002999")
    with pytest.raises(EventError) as err:
        _read(tmp_path, rows)
    assert err.value.row == 3001 and "NUL" in str(err.value)


def test_remembered_codes_are_the_codes(tmp_path: Path) -> None:
    t = _read(tmp_path, [_row(f"t{i}", prio=("normal", "high")[i % 2]) for i in range(5000)])
    names = ["low", "high", "normal"]
    fresh = objects(t.priority.tolist())  # the same values, not remembered
    assert codes(t.priority, names, "priority").tolist() == codes(fresh, names, "priority").tolist()
    with pytest.raises(ValueError, match="read-only"):
        t.priority[0] = "high"  # a write would make the remembered codes wrong
    values = objects(["b", "a", None, "b"] * 2000)
    remember_codes(values, ["a", "b", None], np.array([1, 0, 2, 1] * 2000))
    assert codes(values, ["b", "c"], "x", unknown_ok=True).tolist() == [0, -1, -1, 0] * 2000
    with pytest.raises(ValueError, match="unknown x 'a'"):
        codes(values, ["b"], "x")


def test_truthy_by_remembered_codes_is_astype_bool(tmp_path: Path) -> None:
    # The reader's cause column (coded): every third ticket has a cause, the others none.
    customers, tickets = _files(tmp_path, [])
    rows = [f"{_row(f't{i}')},{'force_majeure' if i % 3 == 0 else ''}" for i in range(5000)]
    tickets.write_text("id,customer,priority,opened_at,responded_at,cause\n" + "\n".join(rows) + "\n", encoding="utf-8")
    policy = load_policy(policy_text("websoft9")).raw
    t = read_tickets(tickets, policy, customers=read_customers(customers, policy))
    expected = [i % 3 == 0 for i in range(5000)]
    assert columns._CODED.get(t.cause) is not None  # the reader remembered the codes: the fast branch
    assert truthy(t.cause).tolist() == expected
    assert truthy(objects(t.cause.tolist())).tolist() == expected  # not remembered: astype(bool)
    values = objects(["", None, "x", "y"] * 10)
    remember_codes(values, ["y", "", None, "x"], np.array([1, 2, 3, 0] * 10))
    assert truthy(values).tolist() == [False, False, True, True] * 10


def test_atomic_write_in_pieces(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    atomic_write(target, iter([b"{", b"}\n"]))
    assert target.read_bytes() == b"{}\n"

    def failing():  # noqa: ANN202
        yield b"half"
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        atomic_write(target, failing())
    assert target.read_bytes() == b"{}\n" and [p.name for p in tmp_path.iterdir()] == ["out.json"]
