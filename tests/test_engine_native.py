"""`--engine duckdb` reading tickets itself: the engine chosen without --engine, progress stages, the id check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slac.plan import inputs as plan_inputs
from slac.plan import native
from slac.runtime import engines, load_policy
from slac.runtime.engines import Inputs, choose_engine, evaluate_files
from slac.runtime.inputs import EventError
from tests.runtime_fixtures import policy_text, random_events
from tests.test_engine_duckdb_parquet import _inputs, _natively, _same

ROOT = Path(__file__).resolve().parent.parent


def _month(tmp: Path, tickets: int = 1200, incidents: int = 30) -> tuple[Any, Inputs]:
    policy = load_policy(policy_text("websoft9"))
    events = random_events(policy, "2025-03", seed=31, tickets=tickets, incidents=incidents)
    return policy, _inputs(events, tmp, policy)


def test_numpy_unless_the_parquet_tickets_are_many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, inputs = _month(tmp_path)
    assert choose_engine(policy, inputs) == "numpy"  # 1,200 rows < DUCKDB_FROM_ROWS
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1200)
    assert choose_engine(policy, inputs) == "duckdb"
    csv = Inputs(inputs.customers, inputs.incidents, str(tmp_path / "tickets.csv"))
    size = Path(csv.tickets or "").stat().st_size
    monkeypatch.setattr(engines, "DUCKDB_FROM_BYTES", size + 1)
    assert choose_engine(policy, csv) == "numpy"
    monkeypatch.setattr(engines, "DUCKDB_FROM_BYTES", size)
    assert choose_engine(policy, csv) == "duckdb"
    jsonl = tmp_path / "tickets.jsonl"
    jsonl.write_text('{"id": "t1"}\n', encoding="utf-8")
    monkeypatch.setattr(engines, "DUCKDB_FROM_BYTES", jsonl.stat().st_size)
    assert choose_engine(policy, Inputs(inputs.customers, inputs.incidents, str(jsonl))) == "duckdb"
    other = tmp_path / "tickets.txt"
    other.write_text('{"id": "t1"}\n', encoding="utf-8")
    assert choose_engine(policy, Inputs(inputs.customers, inputs.incidents, str(other))) == "numpy"
    from tests.tickets_random import zones_clock_policy

    # duckdb measures ticket clocks, but from the runtime readers' tables: no reason to choose it
    assert choose_engine(load_policy(zones_clock_policy()), inputs) == "numpy"
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1201)
    assert choose_engine(policy, inputs) == "numpy"


def test_without_engine_the_chosen_one_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, inputs = _month(tmp_path)
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1)
    ran: list[str] = []
    real = native.read_natively
    monkeypatch.setattr(native, "read_natively", lambda *a, **k: ran.append("duckdb") or real(*a, **k))
    report = evaluate_files(policy, inputs, period="2025-03", engine=None)
    assert ran == ["duckdb"]
    assert json.dumps(report, sort_keys=True) == _same(policy, inputs, "2025-03")


def _cli(policy_path: Path, inputs: Inputs, out: Path, *extra: str) -> Any:
    from click.testing import CliRunner

    from slac.cli import main

    args = ["evaluate", str(policy_path), "--period", "2025-03", "-o", str(out), *extra]
    for name in ("customers", "tickets", "incidents"):
        args += [f"--{name}", getattr(inputs, name)]
    return CliRunner().invoke(main, args)


def test_the_cli_writes_the_numpy_bytes_and_shows_the_stages_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slac.cli import evaluate as cli_eval

    policy, inputs = _month(tmp_path)
    contract = ROOT / "contracts" / "websoft9.sla"
    numpy = _cli(contract, inputs, tmp_path / "numpy.json", "--engine", "numpy")
    assert numpy.exit_code == 0, numpy.output
    monkeypatch.setattr(engines, "DUCKDB_FROM_ROWS", 1)
    quiet = _cli(contract, inputs, tmp_path / "chosen.json")  # not a terminal: no bar, no stages
    assert quiet.exit_code == 0, quiet.output
    assert "evaluating" not in quiet.output
    assert (tmp_path / "chosen.json").read_bytes() == (tmp_path / "numpy.json").read_bytes()
    monkeypatch.setattr(cli_eval, "show_progress", lambda: True)
    shown = _cli(contract, inputs, tmp_path / "shown.json", "--engine", "duckdb")
    assert shown.exit_code == 0, shown.output
    for text in ("evaluating: DuckDB checks the tickets", "evaluating: DuckDB measures", "evaluating: the report"):
        assert text in shown.output
    assert (tmp_path / "shown.json").read_bytes() == (tmp_path / "numpy.json").read_bytes()


def test_the_help_says_which_engine_runs_by_default() -> None:
    from click.testing import CliRunner

    from slac.cli import main

    text = " ".join(CliRunner().invoke(main, ["evaluate", "--help"]).output.split())
    assert (
        "duckdb for more tickets than numpy holds: a Parquet file of over 10,000,000 rows or a CSV or JSON Lines file over 2 GiB"
        in text
    )
    from slac import limits

    assert engines.DUCKDB_FROM_ROWS == limits.MAX_ROWS_PER_FILE + 1 and f"{limits.MAX_ROWS_PER_FILE:,}" == "10,000,000"
    assert engines.DUCKDB_FROM_BYTES == limits.MAX_EVENT_FILE_BYTES + 1 == 2 * 1024**3 + 1


def test_ids_whose_hashes_meet_are_counted_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, inputs = _month(tmp_path)
    real = plan_inputs.tickets_problems_sql
    # Hash only the first character: the hashes meet although the ids are distinct (t0, t1, …).
    monkeypatch.setattr(
        plan_inputs,
        "tickets_problems_sql",
        lambda p, extra=(): real(p, extra).replace("hash(t.id)", "hash(left(t.id, 1))"),
    )
    asked: list[int] = []
    exact = native._distinct_ids
    monkeypatch.setattr(native, "_distinct_ids", lambda con, n: asked.append(n) or exact(con, n))
    assert _natively(policy, inputs, "2025-03")
    assert asked == [1200]
    _same(policy, inputs, "2025-03")


def test_the_report_assembled_in_blocks_of_customers_is_the_same_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slac.plan import report_stream
    from slac.render.report import json_chunks
    from slac.runtime import report_text

    policy = load_policy(policy_text("acme-crm"))  # excludes causes and planned maintenance
    inputs = _inputs(random_events(policy, "2026-03", seed=31, tickets=3000, incidents=400), tmp_path, policy)
    whole = b"".join(json_chunks(evaluate_files(policy, inputs, period="2026-03", for_json=True)))
    numpy = json.loads(whole)  # own incidents counted and not, platform incidents, in every block
    assert numpy["platform_incidents"] and all(c["downtime"]["incidents"] for c in numpy["customers"][:14])
    assert sum(bool(c["downtime"]["excluded"]) for c in numpy["customers"]) > 5
    monkeypatch.setattr(report_stream, "BLOCK", 7)  # blocks of 7 customers (the last one shorter)
    monkeypatch.setattr(report_stream, "WORKER_BLOCKS", 10**9)  # each written here (tests/test_report_worker.py)
    made: list[tuple[int, int]] = []
    written = report_text.block_text
    monkeypatch.setattr(report_text, "block_text", lambda p, cols: made.append((-1, len(cols.ids))) or written(p, cols))
    real = report_stream._assemble
    monkeypatch.setattr(
        report_stream,
        "_assemble",
        lambda p, f, per, a, d, lo, hi, *r: made.append((lo, hi)) or real(p, f, per, a, d, lo, hi, *r),
    )
    report = evaluate_files(policy, inputs, period="2026-03", engine="duckdb", for_json=True)
    assert isinstance(report["customers"], report_stream.Streamed) and made == [(0, 0)]  # the header only
    assert b"".join(json_chunks(report)) == whole  # the blocks are made as the writer reaches them
    n = len(numpy["customers"])
    assert n > 14 and len(report["customers"]) == (n + 6) // 7
    blocks = [(lo, min(lo + 7, n)) for lo in range(0, n, 7)]
    assert made[1:] == [(-1, hi - lo) for lo, hi in blocks]  # each block's text by `report_text`
    listed = evaluate_files(policy, inputs, period="2026-03", engine="duckdb")  # not for JSON: a list
    assert type(listed["customers"]) is list and len(listed["customers"]) == n


# ---- CSV tickets read by DuckDB (streamed into Parquet text, typed and checked in SQL) -------------


@pytest.mark.parametrize(
    ("name", "period"), [("websoft9", "2025-03"), ("zones", "2025-03"), ("zones", "2025-10"), ("acme-crm", "2026-03")]
)
def test_csv_tickets_read_by_duckdb_give_the_numpy_report(name: str, period: str, tmp_path: Path) -> None:
    from tests.runtime_fixtures import zones_policy_text
    from tests.test_engine_duckdb import write_events

    policy = load_policy(zones_policy_text() if name == "zones" else policy_text(name))
    inputs = write_events(random_events(policy, period, seed=17, tickets=2000, incidents=40), tmp_path, policy)
    assert _natively(policy, inputs, period)
    report = json.loads(_same(policy, inputs, period))
    breaches = [b for c in report["customers"] for b in c["breaches"]]
    assert len(breaches) > 20 and all(b["row"] >= 2 for b in breaches)  # CSV lines: the header is line 1


def _csv(tmp: Path) -> tuple[Any, Inputs, list[str]]:
    from tests.test_engine_duckdb import write_events

    policy = load_policy(policy_text("websoft9"))
    inputs = write_events(random_events(policy, "2025-03", seed=9, tickets=300, incidents=10), tmp, policy)
    return policy, inputs, Path(inputs.tickets).read_text(encoding="utf-8").splitlines()


def _edit(lines: list[str], line: int, column: str, value: str) -> list[str]:
    """The CSV lines with one cell changed (line numbers as a person sees them: the header is line 1)."""
    header = lines[0].split(",")
    fields = lines[line - 1].split(",")
    fields[header.index(column)] = value
    return [*lines[: line - 1], ",".join(fields), *lines[line:]]


def _left_to_the_runtime(policy: Any, inputs: Inputs) -> None:
    """The file is not read natively, and duckdb gives numpy's report, or its error word for word."""
    assert not _natively(policy, inputs, "2025-03")
    try:
        want = json.dumps(evaluate_files(policy, inputs, period="2025-03"), sort_keys=True)
    except EventError as numpy_error:
        with pytest.raises(EventError) as duck_error:
            evaluate_files(policy, inputs, period="2025-03", engine="duckdb")
        assert str(duck_error.value) == str(numpy_error)
        return
    assert json.dumps(evaluate_files(policy, inputs, period="2025-03", engine="duckdb"), sort_keys=True) == want


BAD_CELLS = [
    (5, "customer", "nobody"),
    (6, "id", ""),
    (7, "priority", "P9"),
    (8, "opened_at", "2025-03-04 09:00"),  # no UTC offset
    (9, "opened_at", "2025-02-30T09:00Z"),  # no such day
    (10, "responded_at", "2025-01-01T00:00Z"),  # before the opening
    (11, "outage", "maybe"),
    (12, "cause", "weather"),
    (13, "opened_at", "1899-12-31T23:00Z"),  # outside the years slac computes with
    (14, "responded_at", "soon"),
]


@pytest.mark.parametrize(("line", "column", "value"), BAD_CELLS, ids=[f"{c}={v!r}" for _, c, v in BAD_CELLS])
def test_a_bad_csv_row_is_named_as_the_numpy_engine_names_it(
    line: int, column: str, value: str, tmp_path: Path
) -> None:
    policy, inputs, lines = _csv(tmp_path)
    Path(inputs.tickets).write_text("\n".join(_edit(lines, line, column, value)) + "\n", encoding="utf-8")
    assert not _natively(policy, inputs, "2025-03")
    with pytest.raises(EventError) as numpy_error:
        evaluate_files(policy, inputs, period="2025-03")
    with pytest.raises(EventError) as duck_error:
        evaluate_files(policy, inputs, period="2025-03", engine="duckdb")
    assert str(duck_error.value) == str(numpy_error.value)
    assert (duck_error.value.row, duck_error.value.column) == (line, column)


def test_a_duplicate_csv_id_is_named_with_its_first_line(tmp_path: Path) -> None:
    policy, inputs, lines = _csv(tmp_path)
    first = lines[3].split(",")[0]
    Path(inputs.tickets).write_text("\n".join(_edit(lines, 20, "id", first)) + "\n", encoding="utf-8")
    with pytest.raises(EventError) as duck_error:
        evaluate_files(policy, inputs, period="2025-03", engine="duckdb")
    assert "first used on line 4" in str(duck_error.value) and duck_error.value.row == 20


@pytest.mark.parametrize(
    "change",
    ["padded", "upper case flag", "quoted line break", "empty line", "offset without colon"],
)
def test_csv_forms_sql_does_not_vouch_for_are_left_to_the_runtime(change: str, tmp_path: Path) -> None:
    policy, inputs, lines = _csv(tmp_path)
    if change == "padded":
        lines = _edit(lines, 5, "customer", f" {lines[4].split(',')[1]} ")  # the runtime trims it
    elif change == "upper case flag":
        lines = _edit(lines, 5, "outage", "TRUE")
    elif change == "quoted line break":
        lines = _edit(lines, 5, "cause", '"customer\ncaused"')  # then an unknown cause, on line 5
    elif change == "empty line":
        lines = [*lines[:10], "", *lines[10:]]
    else:
        lines = _edit(lines, 5, "opened_at", lines[4].split(",")[3].replace("+00:00", "+0000"))
    Path(inputs.tickets).write_text("\n".join(lines) + "\n", encoding="utf-8")
    _left_to_the_runtime(policy, inputs)


@pytest.mark.parametrize(
    ("line", "column", "value"), [*BAD_CELLS, (20, "id", "DUP")], ids=[*(f"{c}={v!r}" for _, c, v in BAD_CELLS), "dup"]
)
def test_a_bad_row_of_a_csv_too_big_for_numpy_is_named_as_numpy_names_it(
    line: int, column: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slac import limits

    policy, inputs, lines = _csv(tmp_path)
    if value == "DUP":
        value = lines[3].split(",")[0]  # the id of line 4
    Path(inputs.tickets).write_text("\n".join(_edit(lines, line, column, value)) + "\n", encoding="utf-8")
    with pytest.raises(EventError) as numpy_error:
        evaluate_files(policy, inputs, period="2025-03")
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", 100)  # the file's 300 rows are too many for the runtime now
    with pytest.raises(EventError, match="more than 100 rows"):
        evaluate_files(policy, inputs, period="2025-03")
    with pytest.raises(EventError) as duck_error:
        evaluate_files(policy, inputs, period="2025-03", engine="duckdb")
    assert str(duck_error.value) == str(numpy_error.value)
    assert (duck_error.value.file, duck_error.value.row, duck_error.value.column) == (inputs.tickets, line, column)


def test_a_csv_too_big_for_numpy_is_evaluated_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from slac import limits

    policy, inputs, _ = _csv(tmp_path)
    want = json.dumps(evaluate_files(policy, inputs, period="2025-03"), sort_keys=True)
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", 100)
    assert json.dumps(evaluate_files(policy, inputs, period="2025-03", engine="duckdb"), sort_keys=True) == want


# ---- JSON Lines tickets read by DuckDB -----------------------------------------------------------------


def _jsonl(tmp: Path, edit: Any = None) -> tuple[Any, Inputs]:
    """The random month's tickets as JSON Lines (every value a string, an empty cell left out)."""
    policy, inputs, lines = _csv(tmp)
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    if edit is not None:
        edit(rows)
    text = "\n".join(json.dumps({k: v for k, v in r.items() if v != ""}, ensure_ascii=False) for r in rows)
    (tmp / "tickets.jsonl").write_text(text + "\n", encoding="utf-8")
    return policy, Inputs(inputs.customers, inputs.incidents, str(tmp / "tickets.jsonl"))


def test_jsonl_tickets_read_by_duckdb_give_the_numpy_report(tmp_path: Path) -> None:
    policy, inputs = _jsonl(tmp_path)
    assert _natively(policy, inputs, "2025-03")
    report = json.loads(_same(policy, inputs, "2025-03"))
    # Breach rows are JSON Lines line numbers (from 1), equal to numpy's in the byte-identical report.
    rows = [b["row"] for c in report["customers"] for b in c["breaches"]]
    assert rows and 1 <= min(rows) and max(rows) <= 300


@pytest.mark.parametrize(
    "change",
    ["unknown customer", "no offset", "a number", "a list", "a blank line", "a null id"],
)
def test_jsonl_problems_are_named_as_the_numpy_engine_names_them(change: str, tmp_path: Path) -> None:
    def edit(rows: list[dict[str, Any]]) -> None:
        if change == "unknown customer":
            rows[6]["customer"] = "nobody"
        elif change == "no offset":
            rows[6]["opened_at"] = "2025-03-04 09:00"
        elif change == "a number":
            rows[6]["id"] = 12  # JSON number: read as text "12" by the runtime, left to it
        elif change == "a list":
            rows[6]["cause"] = ["x"]
        elif change == "a null id":
            rows[6]["id"] = None

    policy, inputs = _jsonl(tmp_path, edit)
    if change == "a blank line":
        text = Path(inputs.tickets).read_text(encoding="utf-8").splitlines()
        Path(inputs.tickets).write_text("\n".join([*text[:5], "  ", *text[5:]]) + "\n", encoding="utf-8")
    _left_to_the_runtime(policy, inputs)
