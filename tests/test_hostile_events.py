"""Malformed event files through `slac evaluate`: exit 2 naming file, row and column, nothing written, memory bounded."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from slac import limits
from slac.cli import main

from .conftest import ROOT

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
CUSTOMERS = "customer,tier,monthly_fee\nacme,standard,1000\nbeta,premium,200\n"
TICKETS = (
    "id,customer,priority,opened_at,responded_at,outage\n"
    "T1,acme,high,2025-03-03T09:00+08:00,2025-03-03T12:30+08:00,true\n"
    "T2,beta,normal,2025-03-04T09:00+08:00,,\n"
)
INCIDENTS = "id,start,end,cause,customers\nI1,2025-03-05T01:00Z,2025-03-05T02:00Z,,\n"
OLD_REPORT = "old report\n"


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compiled websoft9 policy (compiling once keeps each case fast)."""
    path = tmp_path_factory.mktemp("policy") / "websoft9.json"
    result = CliRunner().invoke(main, ["compile", str(WEBSOFT9), "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _evaluate(policy: Path, tmp: Path, *options: str, **files: bytes | Path) -> tuple[int, str, Path]:
    """Evaluate with the good inputs, some replaced by `files` (bytes, or a path used as it is), and `options`."""
    paths: dict[str, Path] = {}
    for name, text in (("customers", CUSTOMERS), ("tickets", TICKETS), ("incidents", INCIDENTS)):
        given = files.get(name)
        if isinstance(given, Path):
            paths[name] = given
            continue
        path = tmp / f"{name}.csv"
        path.write_bytes(given if given is not None else text.encode("utf-8"))
        paths[name] = path
    out = tmp / "report.json"
    out.write_text(OLD_REPORT, encoding="utf-8")
    args = ["evaluate", str(policy), "--period", "2025-03", "-o", str(out), *options]
    for name, path in paths.items():
        args += [f"--{name}", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr, out


def _tickets(*rows: str) -> bytes:
    return ("id,customer,priority,opened_at,responded_at,outage\n" + "".join(r + "\n" for r in rows)).encode("utf-8")


def _incidents(*rows: str) -> bytes:
    return ("id,start,end,cause,customers\n" + "".join(r + "\n" for r in rows)).encode("utf-8")


OK_TICKET = "T1,acme,high,2025-03-03T09:00+08:00,2025-03-03T12:30+08:00,true"

# (case id, which file, its bytes, the row it names (None: the file as a whole), the column it names, words in the message)
CASES: list[tuple[str, str, bytes, int | None, str | None, str]] = [
    (
        "latin1-byte",
        "customers",
        b"customer,tier,monthly_fee\nacme,standard,1000\nb\xe9ta,premium,200\n",
        3,
        None,
        "UTF-8",
    ),
    ("utf16-file", "customers", CUSTOMERS.encode("utf-16"), None, None, "UTF-8"),
    ("nul-byte", "tickets", _tickets(OK_TICKET, "T\x002,beta,normal,2025-03-04T09:00+08:00,,"), 3, "id", "NUL"),
    ("semicolons", "customers", CUSTOMERS.replace(",", ";").encode(), 1, "customer", "missing column"),
    ("tabs", "incidents", INCIDENTS.replace(",", "\t").encode(), 1, None, "missing column"),
    ("empty-file", "tickets", b"", None, None, "header"),
    ("unclosed-quote", "tickets", _tickets(OK_TICKET, 'T2,beta,normal,"2025-03-04T09:00+08:00,,'), None, None, ""),
    ("too-few-fields", "tickets", _tickets(OK_TICKET, "T2,beta,normal"), 3, None, ""),
    ("too-many-fields", "tickets", _tickets(OK_TICKET, "T2,beta,normal,2025-03-04T09:00+08:00,,,x,y"), 3, None, ""),
    ("no-offset", "tickets", _tickets(OK_TICKET, "T2,beta,normal,2025-03-04T09:00,,"), 3, "opened_at", "offset"),
    ("huge-year", "tickets", _tickets(OK_TICKET, "T2,beta,normal,99999-03-04T09:00Z,,"), 3, "opened_at", ""),
    ("year-zero", "tickets", _tickets(OK_TICKET, "T2,beta,normal,0000-03-04T09:00Z,,"), 3, "opened_at", ""),
    ("huge-offset", "tickets", _tickets(OK_TICKET, "T2,beta,normal,2025-03-04T09:00+99:00,,"), 3, "opened_at", ""),
    ("epoch-number", "tickets", _tickets(OK_TICKET, "T2,beta,normal,1741050000,,"), 3, "opened_at", ""),
    (
        "response-first",
        "tickets",
        _tickets("T1,acme,high,2025-03-03T09:00+08:00,2025-03-03T08:00+08:00,true"),
        2,
        "responded_at",
        "",
    ),
    ("duplicate-id", "tickets", _tickets(OK_TICKET, OK_TICKET), 3, "id", "T1"),
    ("unknown-customer", "tickets", _tickets("T1,nobody,high,2025-03-03T09:00+08:00,,true"), 2, "customer", "nobody"),
    (
        "unknown-priority",
        "tickets",
        _tickets("T1,acme,urgentest,2025-03-03T09:00+08:00,,true"),
        2,
        "priority",
        "urgentest",
    ),
    ("bad-flag", "tickets", _tickets("T1,acme,high,2025-03-03T09:00+08:00,,maybe"), 2, "outage", "maybe"),
    ("unknown-tier", "customers", b"customer,tier,monthly_fee\nacme,platinum,1000\n", 2, "tier", "platinum"),
    ("negative-fee", "customers", b"customer,tier,monthly_fee\nacme,standard,-1000\n", 2, "monthly_fee", ""),
    ("thousands-separator", "customers", b'customer,tier,monthly_fee\nacme,standard,"1,000"\n', 2, "monthly_fee", ""),
    ("nan-fee", "customers", b"customer,tier,monthly_fee\nacme,standard,NaN\n", 2, "monthly_fee", ""),
    (
        "huge-fee",
        "customers",
        b"customer,tier,monthly_fee\nacme,standard,1" + b"0" * 400 + b"\nbeta,premium,1\n",
        2,
        "monthly_fee",
        "",
    ),
    ("end-before-start", "incidents", _incidents("I1,2025-03-05T02:00Z,2025-03-05T01:00Z,,"), 2, "end", ""),
    ("unknown-cause", "incidents", _incidents("I1,2025-03-05T01:00Z,2025-03-05T02:00Z,meteor,"), 2, "cause", "meteor"),
    (
        "unknown-listed-customer",
        "incidents",
        _incidents("I1,2025-03-05T01:00Z,2025-03-05T02:00Z,,acme;ghost"),
        2,
        "customers",
        "ghost",
    ),
    (
        "duplicate-incident",
        "incidents",
        _incidents("I1,2025-03-05T01:00Z,2025-03-05T02:00Z,,", "I1,2025-03-06T01:00Z,2025-03-06T02:00Z,,"),
        3,
        "id",
        "I1",
    ),
    (
        "currency-mismatch",
        "customers",
        b"customer,tier,monthly_fee,currency\nacme,standard,1000,USD\n",
        2,
        "currency",
        "USD",
    ),
]


@pytest.mark.parametrize(("case", "which", "data", "row", "column", "words"), CASES, ids=[c[0] for c in CASES])
def test_malformed_event_file(
    policy: Path, tmp_path: Path, case: str, which: str, data: bytes, row: int | None, column: str | None, words: str
) -> None:
    code, err, out = _evaluate(policy, tmp_path, **{which: data})
    assert code == 2, err
    assert f"{which}.csv" in err, err
    if row is not None:
        assert f"line {row}" in err or f"row {row}" in err, err
    if column is not None:
        assert f"`{column}`" in err, err
    assert words in err, err
    assert "Traceback" not in err
    assert out.read_text(encoding="utf-8") == OLD_REPORT  # nothing written


def test_a_bom_at_the_start_of_a_csv_is_read_as_excel_writes_it(policy: Path, tmp_path: Path) -> None:
    code, err, out = _evaluate(policy, tmp_path, customers=b"\xef\xbb\xbf" + CUSTOMERS.encode("utf-8"))
    assert code == 0, err
    assert '"customer"' in out.read_text(encoding="utf-8") or "acme" in out.read_text(encoding="utf-8")


def test_truncated_parquet(policy: Path, tmp_path: Path) -> None:
    path = tmp_path / "tickets.parquet"
    table = pa.table(
        {k: [v] for k, v in zip(TICKETS.splitlines()[0].split(","), TICKETS.splitlines()[1].split(","), strict=True)}
    )
    pq.write_table(table, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    code, err, out = _evaluate(policy, tmp_path, tickets=path)
    assert code == 2 and "tickets.parquet" in err and "Parquet" in err, err
    assert out.read_text(encoding="utf-8") == OLD_REPORT


def test_unknown_extension_and_missing_file(policy: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "tickets.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    code, err, _ = _evaluate(policy, tmp_path, tickets=xlsx)
    assert code == 2 and "tickets.xlsx" in err and ".csv" in err, err
    code, err, _ = _evaluate(policy, tmp_path, tickets=tmp_path / "nope.csv")
    assert code == 2 and "nope.csv" in err, err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_that_never_ends_is_refused(policy: Path, tmp_path: Path) -> None:
    link = tmp_path / "tickets.csv"
    link.symlink_to("/dev/zero")
    code, err, out = _evaluate(policy, tmp_path, tickets=link)
    assert code == 2 and "tickets.csv" in err and "not a regular file" in err, err
    assert out.read_text(encoding="utf-8") == OLD_REPORT


def test_rows_over_the_limit(policy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS_PER_FILE", 3)
    rows = [f"T{i},acme,normal,2025-03-03T09:00+08:00,," for i in range(4)]
    code, err, out = _evaluate(policy, tmp_path, tickets=_tickets(*rows))
    assert code == 2 and "tickets.csv" in err and "3" in err and "rows" in err, err
    assert out.read_text(encoding="utf-8") == OLD_REPORT
    code, err, _ = _evaluate(policy, tmp_path, tickets=_tickets(*rows[:3]))
    assert code == 0, err


def test_a_cell_over_the_limit(policy: Path, tmp_path: Path) -> None:
    huge = "x" * (limits.MAX_FIELD_CHARS + 1)
    code, err, out = _evaluate(policy, tmp_path, tickets=_tickets(f"{huge},acme,normal,2025-03-03T09:00+08:00,,"))
    assert code == 2 and "tickets.csv" in err and "`id`" in err, err
    assert len(err) < 2_000  # the cell is not echoed whole
    assert out.read_text(encoding="utf-8") == OLD_REPORT


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
def test_a_cell_longer_than_a_read_block_is_named_at_its_cell(policy: Path, tmp_path: Path, engine: str) -> None:
    """A 5 MB cell outgrows pyarrow's read blocks: 'not a readable CSV file: straddling object straddles two
    block boundaries' named no row or column (found by a tester)."""
    rows = ["T1,acme,normal,2025-03-03T09:00+08:00,,", f"T2,acme,normal,2025-03-03T09:00+08:00,,{'x' * 5_000_000}"]
    code, err, out = _evaluate(policy, tmp_path, "--engine", engine, tickets=_tickets(*rows))
    assert code == 2 and "tickets.csv, line 3, column `outage`: a value of 5,000,000 characters" in err, err
    assert out.read_text(encoding="utf-8") == OLD_REPORT


# A header of 10^7 columns (about 90 MB) is refused from the first blocks of its header.
_RSS = textwrap.dedent(
    """
    import resource, sys
    from click.testing import CliRunner
    from slac.cli import main

    result = CliRunner().invoke(main, sys.argv[1:])
    sys.stderr.write(result.stderr)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        sys.stderr.write(f"EXCEPTION {result.exception!r}")
    # VmHWM is this program's own peak; ru_maxrss would carry over the peak of the process that
    # forked it (Linux keeps it across exec), i.e. pytest's own size late in a full run.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"\\nMAXRSS_KB {peak}\\n")
    sys.exit(result.exit_code)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_ten_million_columns_in_bounded_memory(policy: Path, tmp_path: Path) -> None:
    wide = tmp_path / "tickets.csv"
    with wide.open("w", encoding="utf-8") as fh:
        fh.write("id,customer,priority,opened_at,responded_at")
        for start in range(0, 10_000_000, 100_000):  # in chunks: the test itself stays small
            fh.write("".join(f",c{i}" for i in range(start, start + 100_000)))
        fh.write("\nT1,acme,normal,2025-03-03T09:00+08:00,\n")
    assert wide.stat().st_size > 80_000_000
    paths = {}
    for name, text in (("customers", CUSTOMERS), ("incidents", INCIDENTS)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    out = tmp_path / "report.json"
    args = ["evaluate", str(policy), "--period", "2025-03", "-o", str(out), "--tickets", str(wide)]
    args += ["--customers", str(paths["customers"]), "--incidents", str(paths["incidents"])]
    proc = subprocess.run([sys.executable, "-c", _RSS, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "tickets.csv, line 1" in proc.stderr and f"more than {limits.MAX_COLUMNS:,} columns" in proc.stderr
    peak_mb = int(proc.stderr.rsplit("MAXRSS_KB ", 1)[1]) / 1024
    # The interpreter with pyarrow and the policy take about 150 MB; the 90 MB header is never loaded whole.
    assert peak_mb < 400, peak_mb
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "0001-01"],  # once an OverflowError traceback
        ["--period", "9999-12"],
        ["--period", "2025-03", "--as-of", "9999-12-31T00:00Z"],
        ["--period", "2025-03", "--as-of", "0001-01-01T00:00Z"],
    ],
    ids=["period-year-1", "period-year-9999", "as-of-9999", "as-of-year-1"],
)
def test_evaluation_outside_the_years(policy: Path, tmp_path: Path, args: list[str]) -> None:
    paths = {}
    for name, text in (("customers", CUSTOMERS), ("tickets", TICKETS), ("incidents", INCIDENTS)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    out = tmp_path / "report.json"
    cli = ["evaluate", str(policy), *args, "-o", str(out)] + [x for k, v in paths.items() for x in (f"--{k}", str(v))]
    result = CliRunner().invoke(main, cli)
    assert result.exit_code == 2, result.output
    assert f"{limits.MIN_YEAR}–{limits.MAX_YEAR}" in result.stderr
    assert not out.exists()


def test_an_event_file_over_the_size_limit(policy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_EVENT_FILE_BYTES", len(TICKETS.encode()) - 1)
    code, err, out = _evaluate(policy, tmp_path)
    assert code == 2 and "tickets.csv" in err and "GiB" in err, err
    assert out.read_text(encoding="utf-8") == OLD_REPORT


def test_a_parquet_file_with_too_many_columns(policy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_COLUMNS", 8)
    header, row = TICKETS.splitlines()[0].split(","), TICKETS.splitlines()[1].split(",")
    columns = {k: [v] for k, v in zip(header, row, strict=True)} | {f"extra{i}": ["x"] for i in range(3)}
    path = tmp_path / "tickets.parquet"
    pq.write_table(pa.table(columns), path)
    code, err, out = _evaluate(policy, tmp_path, tickets=path)
    assert code == 2 and "tickets.parquet" in err and "9 columns" in err and "at most 8" in err, err
    assert out.read_text(encoding="utf-8") == OLD_REPORT
