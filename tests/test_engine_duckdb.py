"""`--engine duckdb`: ticket_results from SQL equal the numpy engine's, and the report is byte-identical."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from slac.plan.results import sql_ticket_results
from slac.runtime import load_policy
from slac.runtime.calendar import OutsideSpan, from_us
from slac.runtime.engines import Inputs, evaluate_files
from slac.runtime.evaluate import Period, ticket_results
from slac.runtime.events import MISSING, Events
from slac.runtime.inputs import EventError
from tests.runtime_fixtures import policy_text, random_events, zones_policy_text

ROOT = Path(__file__).resolve().parent.parent
WEBSOFT9 = ROOT / "contracts" / "events" / "websoft9-2025-03"


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, ensure_ascii=False)


def _both(policy: Any, inputs: Inputs, period: str, as_of: datetime | None = None) -> tuple[str, str]:
    numpy = evaluate_files(policy, inputs, period=period, as_of=as_of)
    duck = evaluate_files(policy, inputs, period=period, as_of=as_of, engine="duckdb")
    return _canonical(numpy), _canonical(duck)


def _iso(us: int) -> str:
    return "" if us == MISSING else from_us(us, UTC).isoformat()


def write_events(events: Events, folder: Path, policy: Any) -> Inputs:
    """The event tables as the CSV files a user hands `slac evaluate` (UTC offsets, µs kept).

    A cause the policy does not define (random_events writes zones.sla's) becomes one it does,
    chosen by the cause's name so the same cause stays the same.
    """
    c, t, i = events.customers, events.tickets, events.incidents
    known = sorted(e["id"] for e in policy.raw["exclusions"])

    def cause(name: str | None) -> str:
        if not name:
            return ""
        return name if name in known else known[sum(map(ord, name)) % len(known)]

    lines = ["customer,tier,monthly_fee"] + [f"{a},{b},{f}" for a, b, f in zip(c.id, c.tier, c.fee, strict=True)]
    (folder / "customers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["id,customer,priority,opened_at,responded_at,outage,cause"]
    for k in range(len(t.id)):
        lines.append(
            f"{t.id[k]},{t.customer[k]},{t.priority[k]},{_iso(int(t.opened[k]))},{_iso(int(t.responded[k]))},"
            f"{'true' if t.outage[k] else 'false'},{cause(t.cause[k])}"
        )
    (folder / "tickets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["id,start,end,cause,announced_at,customers"]
    for k in range(len(i.id)):
        listed = ";".join(i.customers[k] or ())
        lines.append(
            f"{i.id[k]},{_iso(int(i.start[k]))},{_iso(int(i.end[k]))},{cause(i.cause[k])},"
            f"{_iso(int(i.announced[k]))},{listed}"
        )
    (folder / "incidents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Inputs(*(str(folder / f"{n}.csv") for n in ("customers", "incidents", "tickets")))


def _websoft9() -> tuple[Any, Inputs]:
    inputs = Inputs(*(str(WEBSOFT9 / f"{n}.csv") for n in ("customers", "incidents", "tickets")))
    return load_policy(policy_text("websoft9")), inputs


@pytest.mark.parametrize("as_of", [None, datetime(2025, 3, 12, 9, 30, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)])
def test_the_bundled_websoft9_month_is_byte_identical(as_of: datetime | None) -> None:
    policy, inputs = _websoft9()
    numpy, duck = _both(policy, inputs, "2025-03", as_of)
    assert duck == numpy
    assert json.loads(numpy)["customers"]  # a real report, with customers in it


def _assert_same_results(policy: Any, events: Events, period: str, as_of_us: int | None = None) -> Any:
    per = Period.month(policy, period)
    as_of_us = per.end if as_of_us is None else as_of_us
    ids = events.customers.id.tolist()
    tiers = np.array([list(policy.tiers).index(t) for t in events.customers.tier.tolist()], dtype=np.int64)
    want = ticket_results(policy, events.tickets, {c: k for k, c in enumerate(ids)}, tiers, per, as_of_us)
    got = sql_ticket_results(policy, events, per, as_of_us)
    for name in ("index", "customer", "effective", "deadline", "state", "excluded", "line"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
    return want


@pytest.mark.parametrize("period", ["2025-03", "2025-10", "2025-11", "2026-02"])
@pytest.mark.parametrize("seed", [1, 2])
def test_random_tickets_in_three_zones_equal_the_numpy_results(period: str, seed: int) -> None:
    # zones.sla: Shanghai, Berlin and New York calendars with holidays, make-up days and DST changes.
    policy = load_policy(zones_policy_text())
    events = random_events(policy, period, seed=seed, tickets=3000, incidents=50)
    per = Period.month(policy, period)
    want = _assert_same_results(policy, events, period)
    # Every state occurs, so the comparison is not of empty columns.
    assert set(want.state.tolist()) == {0, 1, 2, 3}
    _assert_same_results(policy, events, period, (per.start + per.end) // 2)


@pytest.mark.parametrize(("name", "period"), [("websoft9", "2025-03"), ("acme-crm", "2026-03")])
def test_random_corpora_from_files_give_byte_identical_reports(name: str, period: str, tmp_path: Path) -> None:
    policy = load_policy(policy_text(name))
    events = random_events(policy, period, seed=15, tickets=2000, incidents=80)
    inputs = write_events(events, tmp_path, policy)
    numpy, duck = _both(policy, inputs, period)
    assert duck == numpy
    assert any(c["breaches"] for c in json.loads(numpy)["customers"])


@pytest.mark.parametrize("period", ["2025-03", "2025-11"])
def test_three_zones_from_files_give_byte_identical_reports(period: str, tmp_path: Path) -> None:
    policy = load_policy(zones_policy_text())
    inputs = write_events(random_events(policy, period, seed=7, tickets=1500, incidents=60), tmp_path, policy)
    numpy, duck = _both(policy, inputs, period, datetime(2025, 11, 20, tzinfo=UTC))
    assert duck == numpy


def test_a_bad_row_is_named_as_the_numpy_engine_names_it(tmp_path: Path) -> None:
    policy, inputs = _websoft9()
    text = Path(inputs.tickets).read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    fields = text[3].split(",")
    fields[header.index("opened_at")] = "2025-03-04 09:00"  # no UTC offset
    text[3] = ",".join(fields)
    bad = tmp_path / "tickets.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    broken = Inputs(customers=inputs.customers, incidents=inputs.incidents, tickets=str(bad))
    with pytest.raises(EventError) as numpy_error:
        evaluate_files(policy, broken, period="2025-03")
    with pytest.raises(EventError) as duck_error:
        evaluate_files(policy, broken, period="2025-03", engine="duckdb")
    assert str(duck_error.value) == str(numpy_error.value)
    assert (duck_error.value.row, duck_error.value.column) == (4, "opened_at")
    assert "has no UTC offset" in str(duck_error.value)


def test_a_deadline_past_the_holiday_data_is_refused_as_numpy_refuses_it(tmp_path: Path) -> None:
    policy = load_policy(zones_policy_text())  # holidays for 2024–2026
    events = random_events(policy, "2026-12", seed=3, tickets=400, incidents=5)
    inputs = write_events(events, tmp_path, policy)
    with pytest.raises(OutsideSpan) as numpy_error:
        evaluate_files(policy, inputs, period="2026-12")
    with pytest.raises(OutsideSpan) as duck_error:
        evaluate_files(policy, inputs, period="2026-12", engine="duckdb")
    assert str(duck_error.value) == str(numpy_error.value)


# Language v2 (tests/test_engine_v2.py), ticket clocks (tests/test_engine_clocks.py) and the two
# together (tests/test_engine_v2_clocks.py) are evaluated: the duckdb engine refuses no term of the language.


def test_slac_evaluate_engine_duckdb_prints_the_numpy_report(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    args = ["evaluate", str(ROOT / "contracts" / "websoft9.sla"), "--period", "2025-03"]
    for name in ("customers", "tickets", "incidents"):
        args += [f"--{name}", str(WEBSOFT9 / f"{name}.csv")]
    outputs = {}
    for engine in ("numpy", "duckdb"):
        result = CliRunner().invoke(main, [*args, "--engine", engine, "-o", str(tmp_path / f"{engine}.json")])
        assert result.exit_code == 0, result.output
        outputs[engine] = (tmp_path / f"{engine}.json").read_bytes()
    assert outputs["duckdb"] == outputs["numpy"]
    result = CliRunner().invoke(main, [*args, "--engine", "pandas"])
    assert result.exit_code == 2 and "unknown engine 'pandas'; choose one of numpy, duckdb" in result.output


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
def test_a_folder_given_as_an_event_file_is_named_as_one(tmp_path: Path, engine: str) -> None:
    """The duckdb engine said it 'cannot write its temporary files in /tmp: [Errno 21] Is a directory'
    (found by a tester); both engines now say what the numpy engine's reader says."""
    from .conftest import ROOT

    events = ROOT / "contracts" / "events" / "websoft9-2025-03"
    folder = tmp_path / "tickets.csv"
    folder.mkdir()
    inputs = Inputs(
        customers=str(events / "customers.csv"), incidents=str(events / "incidents.csv"), tickets=str(folder)
    )
    with pytest.raises(EventError) as caught:
        evaluate_files(load_policy(policy_text("websoft9")), inputs, period="2025-03", engine=engine)
    assert str(caught.value) == f"{folder}: is a directory, not an event file"


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
def test_a_deadline_in_the_last_days_of_the_last_year_is_computed(tmp_path: Path, engine: str) -> None:
    """A 2 h target (premium, normal, around the clock) of a ticket opened on 2199-12-27 was refused as
    'falls after 2199-12-31, more than 3,660 days later or past 2199' (found by a tester): the quick
    refusal counted only whole weeks before the cap. Answered at 11:00, an hour after its opening: met."""
    from .conftest import ROOT

    events = ROOT / "contracts" / "events" / "websoft9-2025-03"
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "id,customer,priority,opened_at,responded_at,outage\nT2,beta,normal,2199-12-27T10:00Z,2199-12-27T11:00Z,\n",
        encoding="utf-8",
    )
    inputs = Inputs(
        customers=str(events / "customers.csv"), incidents=str(events / "incidents.csv"), tickets=str(tickets)
    )
    report = evaluate_files(load_policy(policy_text("websoft9")), inputs, period="2199-12", engine=engine)
    beta = next(c for c in report["customers"] if c["customer"] == "beta")
    assert (beta["tickets"]["measured"], beta["tickets"]["met"]) == (1, 1)
