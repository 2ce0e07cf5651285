"""The ticket row checks are declared once (slac.runtime.ticket_rules): every rule is reached by the
runtime's readers with its own column and words, and the SQL conditions derived from the rules
(slac.plan.inputs.row_conditions, run by DuckDB's and Spark's check passes) refuse exactly the record
the runtime's reader refuses, and nothing of a good file."""

from __future__ import annotations

from pathlib import Path

import pytest

from slac.plan.inputs import row_conditions, tickets_problems_sql
from slac.plan.native_text import csv_to_text_parquet, text_tickets_view
from slac.plan.spark_checks import problems_sql
from slac.runtime import load_policy
from slac.runtime.inputs import EventError, read_customers, read_tickets
from slac.runtime.inputs_tickets import read_ticket_events
from slac.runtime.ticket_rules import (
    FLAG,
    TICKET_EVENT_RULES,
    TICKET_RULES,
    UNIQUE,
    Rule,
)

from .tickets_fixtures import harbor_text

CUSTOMERS = "customer,tier,monthly_fee\nacme,business,9100\nbeta,enterprise,500\n"
HEADER = "id,customer,priority,opened_at,responded_at,outage,cause,resolved_at"
GOOD = [
    "T1,acme,p2,2026-04-07T10:00+08:00,2026-04-07T10:30+08:00,false,,2026-04-10T10:00+08:00",
    "T2,beta,p1,2026-04-08T09:00Z,2026-04-08T09:10Z,true,scheduled_maintenance,",
    "T3,acme,p1,2026-04-09T09:00Z,,,,",
]
# One bad cell of T2 (line 3) per case: (rule, column, value); a rule may have several cases.
CASES = [
    ("required", "id", ""),
    ("unique", "id", "T1"),
    ("required", "customer", ""),
    ("known", "customer", "nobody"),
    ("required", "priority", ""),
    ("known", "priority", "P9"),
    ("time", "opened_at", ""),  # required
    ("time", "opened_at", "2026-04-08 09:00"),  # no offset
    ("time", "opened_at", "1899-12-31T23:00Z"),  # outside the years
    ("time", "responded_at", "soon"),
    ("time", "responded_at", "2300-01-01T00:00Z"),
    ("before", "responded_at", "2026-04-08T08:59Z"),
    ("time", "resolved_at", "2026-02-30T09:00Z"),  # no such day
    ("time", "resolved_at", "1800-01-01T00:00Z"),
    ("before", "resolved_at", "2026-04-08T08:00Z"),
    ("flag", "outage", "maybe"),
    ("known", "cause", "weather"),
]


def _policy_and_customers(tmp_path: Path) -> tuple[object, object]:
    policy = load_policy(harbor_text())
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    return policy, read_customers(tmp_path / "customers.csv", policy.raw)


def _tickets_file(tmp_path: Path, column: str | None = None, value: str = "") -> Path:
    rows = [line.split(",") for line in GOOD]
    if column is not None:
        rows[1][HEADER.split(",").index(column)] = value
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


def _refused_in_sql(tmp_path: Path, policy: object, path: Path) -> tuple[list[int], list[int], bool]:
    """(0-based records DuckDB's check pass refuses, those Spark's conditions refuse, whether an id repeats)."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.register("customers", pa.table({"customer": ["acme", "beta"]}))
    names = csv_to_text_parquet(str(path), str(tmp_path / "text.parquet"))
    assert names is not None
    text_tickets_view(con, str(tmp_path / "text.parquet"), names)
    where = tickets_problems_sql(policy, ("t.doubt",), where_only=True)
    duck = con.execute(
        f'SELECT t."row" FROM tickets t LEFT JOIN customers c ON c.customer = t.customer WHERE {where} ORDER BY 1'
    ).fetchall()
    # Spark's query over a `tickets_read` of the same values; its reading flags stand for DuckDB's `doubt`.
    con.execute(
        "CREATE VIEW tickets_read AS SELECT *, FALSE AS f_cell, doubt AS f_opened, doubt AS f_responded, "
        "doubt AS f_resolved, doubt AS f_outage FROM tickets"
    )
    spark = con.execute(f'SELECT "row" FROM ({problems_sql(policy)}) WHERE bad ORDER BY 1').fetchall()
    n, ids = con.execute("SELECT count(id), count(DISTINCT id) FROM tickets").fetchall()[0]
    return [r[0] for r in duck], [r[0] for r in spark], ids < n


def test_every_rule_of_the_tickets_file_has_a_case() -> None:
    assert {(r.rule, r.column) for r in TICKET_RULES} == {(rule, column) for rule, column, _ in CASES}


def test_a_good_file_is_refused_nowhere(tmp_path: Path) -> None:
    policy, customers = _policy_and_customers(tmp_path)
    path = _tickets_file(tmp_path)
    tickets = read_tickets(path, policy.raw, customers=customers)
    assert tickets.id.tolist() == ["T1", "T2", "T3"]
    assert _refused_in_sql(tmp_path, policy, path) == ([], [], False)


@pytest.mark.parametrize(("rule", "column", "value"), CASES, ids=[f"{r}:{c}={v!r}" for r, c, v in CASES])
def test_the_runtime_and_the_sql_refuse_the_same_record(tmp_path: Path, rule: str, column: str, value: str) -> None:
    policy, customers = _policy_and_customers(tmp_path)
    path = _tickets_file(tmp_path, column, value)
    with pytest.raises(EventError) as refused:
        read_tickets(path, policy.raw, customers=customers)
    assert (refused.value.row, refused.value.column) == (3, column)  # T2 is on line 3
    declared = next(r for r in TICKET_RULES if (r.rule, r.column) == (rule, column))
    if declared.message:  # the rule's own words, filled in
        assert declared.message.split("{")[0] in refused.value.message and declared.hint in refused.value.message
    duck, spark, repeated = _refused_in_sql(tmp_path, policy, path)
    if rule == UNIQUE:  # counted, not a condition of a record
        assert (duck, spark, repeated) == ([], [], True)
    else:
        # The form of a time or a flag is the engine's reading (`doubt`): flagged as well, on the same record.
        assert duck == spark == [1] and not repeated


def test_sql_checks_each_rule_on_values_read_as_a_condition_of_its_own(tmp_path: Path) -> None:
    """One condition per rule but the engine's reading (time form, flag) and the repeated id (counted),
    and one more for the range of a required time: 3 + 3 + 3 (times) + 1 + 2 (before) = 12."""
    policy, _ = _policy_and_customers(tmp_path)
    conditions = row_conditions(policy)
    assert len(conditions) == len([r for r in TICKET_RULES if r.rule not in (UNIQUE, FLAG)]) + 1 == 12
    assert all(c in tickets_problems_sql(policy) and c in problems_sql(policy) for c in conditions)


EVENT_CASES = [
    ("required", "ticket", ",2026-04-08T10:00+08:00,update"),
    ("known", "ticket", "T9,2026-04-08T10:00+08:00,update"),
    ("time", "at", "T1,,update"),
    ("required", "event", "T1,2026-04-08T10:00+08:00,"),
    ("form", "event", "T1,2026-04-08T10:00+08:00,reply"),
    ("opening", "at", "T1,2026-04-07T09:00+08:00,update"),
    ("after_resolution", "at", "T1,2026-04-11T09:00+08:00,status:open"),
]


def test_every_rule_of_the_ticket_events_file_has_a_case() -> None:
    assert {(r.rule, r.column) for r in TICKET_EVENT_RULES} == {(rule, column) for rule, column, _ in EVENT_CASES}


@pytest.mark.parametrize(("rule", "column", "line"), EVENT_CASES, ids=[f"{r}:{c}" for r, c, _ in EVENT_CASES])
def test_each_ticket_event_rule_names_its_column_in_its_words(
    tmp_path: Path, rule: str, column: str, line: str
) -> None:
    policy, customers = _policy_and_customers(tmp_path)
    tickets = read_tickets(_tickets_file(tmp_path), policy.raw, customers=customers)
    path = tmp_path / "events.csv"
    path.write_text(f"ticket,at,event\nT1,2026-04-08T09:00+08:00,update\n{line}\n", encoding="utf-8")
    with pytest.raises(EventError) as refused:
        read_ticket_events(path, tickets=tickets)
    assert (refused.value.row, refused.value.column) == (3, column)
    declared: Rule = next(r for r in TICKET_EVENT_RULES if (r.rule, r.column) == (rule, column))
    words = refused.value.message
    if declared.message:
        assert declared.message.split("{")[0] in words and words.endswith(declared.hint)
    else:  # the shared reader's words
        assert words == f"`{column}` is empty; every record needs one"


def test_the_words_are_those_the_readers_always_used(tmp_path: Path) -> None:
    """Pinned whole (written by hand, not taken from the rules): the rules' words are the readers' old ones."""
    policy, customers = _policy_and_customers(tmp_path)
    with pytest.raises(EventError) as refused:
        read_tickets(_tickets_file(tmp_path, "responded_at", "2026-04-08T08:59Z"), policy.raw, customers=customers)
    assert refused.value.message == (
        "the response ('2026-04-08T08:59Z') is before the opening ('2026-04-08T09:00Z'); "
        "check both timestamps and their offsets"
    )
    tickets = read_tickets(_tickets_file(tmp_path), policy.raw, customers=customers)
    path = tmp_path / "events.csv"
    path.write_text("ticket,at,event\nT1,2026-04-11T09:00+08:00,status:open\n", encoding="utf-8")
    with pytest.raises(EventError) as refused:
        read_ticket_events(path, tickets=tickets)
    assert refused.value.message == (
        "a status change ('status:open' at '2026-04-11T09:00+08:00') after the ticket's resolution "
        f"(2026-04-10T02:00:00+00:00 in {tmp_path / 'tickets.csv'}, row 2); a reopened ticket has no "
        "resolved_at until it is resolved again: clear it or drop the event"
    )
