"""How a run of the duckdb engine stops. Ctrl-C: any command ends with `slac: interrupted` and exit
130, with no output file written, also when DuckDB took the signal in the middle of a query (it raises
its own error then, which must not be worded as a failure nor fallen back from). A DuckDB error is
either the engine's own failure, worded with what to do, or a file it cannot read, left to the
runtime's readers (`duck.unless_readers_word_it`)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.test_engine_native import _cli, _month

ROOT = Path(__file__).resolve().parent.parent
ENDLESS = "SELECT count(*), count(*), 0 FROM range(10000000000) t(i) WHERE hash(i) % 7 = 1"
LONG = "SELECT count(*), count(*), 0 FROM range(500000000) t(i) WHERE hash(i) % 7 = 1"  # seconds, not for ever


def test_a_duckdb_query_interrupted_stops_the_cli_with_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import duckdb

    from slac.plan import inputs as plan_inputs
    from slac.plan import native

    policy, inputs = _month(tmp_path)
    real = native.session
    monkeypatch.setattr(plan_inputs, "tickets_problems_sql", lambda *a, **k: ENDLESS)

    ended = threading.Event()

    def interrupted_session() -> Any:
        context = real()
        con = context.__enter__()

        def interrupt() -> None:  # until the run ends: one interrupt before the query starts is lost
            while not ended.wait(0.1):
                try:
                    con.interrupt()  # DuckDB raises InterruptException, a duckdb.Error
                except duckdb.Error:  # the session has closed it
                    return

        threading.Thread(target=interrupt, daemon=True).start()
        return _Entered(context, con)

    monkeypatch.setattr(native, "session", interrupted_session)
    out = tmp_path / "report.json"
    try:
        result = _cli(ROOT / "contracts" / "websoft9.sla", inputs, out, "--engine", "duckdb")
    finally:
        ended.set()
    assert result.exit_code == 130, result.output
    assert result.output.strip().endswith("slac: interrupted")
    assert not out.exists()


class _Entered:
    def __init__(self, context: Any, con: Any) -> None:
        self._context, self._con = context, con

    def __enter__(self) -> Any:
        return self._con

    def __exit__(self, *exc: Any) -> Any:
        return self._context.__exit__(*exc)


def test_ctrl_c_during_a_duckdb_query_is_130_without_a_traceback(tmp_path: Path) -> None:
    """A real SIGINT during a DuckDB query (taken by DuckDB's own handler: `RuntimeError: Query interrupted`)."""
    policy, inputs = _month(tmp_path)
    out = tmp_path / "report.json"
    args = ["evaluate", str(ROOT / "contracts" / "websoft9.sla"), "--period", "2025-03", "-o", str(out)]
    args += ["--engine", "duckdb", "--customers", inputs.customers, "--tickets", str(inputs.tickets)]
    args += ["--incidents", str(inputs.incidents)]
    child = textwrap.dedent(f"""
        import os, signal, sys, threading
        from slac.plan import inputs
        def long(*a, **k):  # one SIGINT 0.5 s after the query is made: DuckDB takes it mid-query, or
            # (it looks for it between its tasks) lets it pass and Python raises it after: 130 either way
            threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
            return {LONG!r}
        inputs.tickets_problems_sql = long
        sys.argv = ["slac", *{args!r}]
        from slac.cli import main
        main()
    """)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "slac: interrupted"
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("slac-")]  # its spill folders are gone


def test_ctrl_c_while_the_command_line_loads_is_130_without_a_traceback() -> None:
    """The `slac` command and `python -m slac` load the command line inside `__main__.run`: a Ctrl-C
    during its imports (here: the import of slac.cli raises it) ends as during a command."""
    from slac.cli._io import Exit

    child = textwrap.dedent("""
        import sys
        class Interrupts:  # Ctrl-C while slac.cli is being imported
            def find_spec(self, name, path=None, target=None):
                if name == "slac.cli":
                    raise KeyboardInterrupt
        sys.meta_path.insert(0, Interrupts())
        from slac.__main__ import run
        run()
    """)
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert done.returncode == Exit.INTERRUPTED == 130, done.stderr
    assert done.stderr == "\nslac: interrupted\n"
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"slac": "slac.__main__:run"}  # the installed command runs it too


def test_the_pre_2_0_interrupt_is_ctrl_c_too() -> None:
    import duckdb

    from slac.plan.duck import stop_if_interrupted

    stop_if_interrupted(RuntimeError("out of memory"))  # not an interrupt: returns
    with pytest.raises(KeyboardInterrupt):
        stop_if_interrupted(RuntimeError("Query interrupted"))
    if hasattr(duckdb, "InterruptException"):
        with pytest.raises(KeyboardInterrupt):
            stop_if_interrupted(duckdb.InterruptException("INTERRUPT Error: Interrupted!"))


def test_what_a_duckdb_error_means_is_decided_in_one_place(tmp_path: Path) -> None:
    """A spill that cannot be written is an error naming TMPDIR, not a fall-back to the numpy read (which
    would reread the files, or refuse them past its row limit); a file DuckDB cannot read is left to the
    runtime's readers, which name its file, row and column."""
    import duckdb

    from slac.plan.duck import SPILL_PREFIX, unless_readers_word_it
    from slac.runtime.engines import UsageError

    blocked = tmp_path / f"{SPILL_PREFIX}x"
    blocked.write_text("not a folder", encoding="utf-8")
    with duckdb.connect() as con:
        con.execute("SET memory_limit = '20MB'")
        con.execute("SET threads = 1")
        con.execute(f"SET temp_directory = '{blocked / 'spill'}'")
        with pytest.raises(duckdb.Error) as spill:  # a sort past 20 MB must spill
            con.execute("SELECT i, md5(i::VARCHAR) AS m FROM range(3000000) t(i) ORDER BY m").fetchall()
        text = tmp_path / "in-memory" / "tickets.parquet"  # "memory" in its path: still a file to word
        text.parent.mkdir()
        text.write_text("id,opened\n", encoding="utf-8")
        with pytest.raises(duckdb.Error) as unreadable:
            con.execute(f"SELECT * FROM read_parquet('{text}')").fetchall()  # not a Parquet file
        con.execute("SET memory_limit = '10MB'")
        with pytest.raises(duckdb.Error) as memory:  # one list of 20M values cannot be spilled
            con.execute("SELECT list(i) FROM range(20000000) t(i)").fetchall()
    with pytest.raises(UsageError) as refused:
        unless_readers_word_it(spill.value)
    assert "cannot write its temporary files" in str(refused.value) and "TMPDIR" in str(refused.value)
    assert unless_readers_word_it(unreadable.value) is None  # the runtime's readers word it
    with pytest.raises(UsageError, match="the duckdb engine ran out of memory: Out of Memory Error: .*--engine numpy"):
        unless_readers_word_it(memory.value)


def test_the_background_thread_gives_results_and_errors_in_turn() -> None:
    from slac.runtime.columns import in_background

    first, second = in_background(sum, [1, 2, 3]), in_background(int, "not a number")
    assert first.result(timeout=30) == 6
    with pytest.raises(ValueError):
        second.result(timeout=30)
