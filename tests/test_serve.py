"""`slac serve` without a browser: the desk's answers, its guards, atomic and conflict-checked saves."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import pytest

from slac.serve.desk import Desk, DeskError, digest
from slac.serve.http import DeskServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "websoft9.sla"
    shutil.copy(ROOT / "contracts" / "websoft9.sla", path)
    return path


@pytest.fixture
def server(contract: Path) -> Iterator[DeskServer]:
    s = DeskServer(Desk([contract]), 0)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    yield s
    s.shutdown()
    s.server_close()


def call(server: DeskServer, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    h = {"Content-Type": "application/json", "X-Slac-Desk": "1"} if body is not None else {}
    h.update(headers or {})
    request = urllib.request.Request(server.url.rstrip("/") + path, data=data, headers=h)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_bound_to_loopback_only(server: DeskServer) -> None:
    assert server.server_address[0] == "127.0.0.1"


def test_refresh_reports_what_the_driver_finds(server: DeskServer, contract: Path) -> None:
    text = contract.read_text(encoding="utf-8")
    status, answer = call(server, "/api/refresh", {"name": contract.name, "text": text, "edition": "zh"})
    assert status == 200 and answer["diagnostics"] == [] and answer["ok"]
    assert answer["edition"] == "zh" and "服务等级协议" in answer["preview"]
    assert answer["diff"]["verdict"] == "unchanged"
    # every example of the contract is listed, each with its checks
    assert len(answer["examples"]) == text.count('\n  example "')
    typo = text.replace("respond high   within 3h  during always", "respond hihg   within 3h  during always")
    status, answer = call(server, "/api/refresh", {"name": contract.name, "text": typo})
    (d,) = answer["diagnostics"]
    assert d["code"] == "E0303" and d["hint"] == "did you mean `high`?" and answer["preview"] is None


def test_guards(server: DeskServer, contract: Path) -> None:
    body = {"name": contract.name, "text": "x"}
    # a page on another site cannot post: no desk header, or a foreign Host
    assert call(server, "/api/refresh", body, {"X-Slac-Desk": "0"})[0] == 403
    assert call(server, "/api/refresh", body, {"Host": "evil.example"})[0] == 403
    assert call(server, "/api/files", None, {"Host": "evil.example"})[0] == 403
    # only the files the desk opened
    assert call(server, "/api/file?name=..%2F..%2Fetc%2Fpasswd")[0] == 404
    assert call(server, "/api/save", {"name": "other.sla", "text": "x", "base": ""})[0] == 404
    assert call(server, "/static/../desk.py")[0] == 404


def test_save_is_refused_when_the_file_changed_on_disk(contract: Path) -> None:
    desk = Desk([contract])
    opened = desk.open(contract.name)
    assert opened["base"] == digest(contract.read_text(encoding="utf-8"))
    contract.write_text(opened["text"] + "# theirs\n", encoding="utf-8")
    with pytest.raises(DeskError, match="changed on disk") as info:
        desk.save(contract.name, opened["text"] + "# mine\n", opened["base"])
    assert info.value.status == 409 and contract.read_text(encoding="utf-8").endswith("# theirs\n")
    saved = desk.save(contract.name, opened["text"] + "# mine\n", opened["base"], force=True)
    assert contract.read_text(encoding="utf-8").endswith("# mine\n")
    assert saved["base"] == digest(contract.read_text(encoding="utf-8"))
    # no temporary file is left beside it
    assert sorted(p.name for p in contract.parent.iterdir()) == [contract.name]


def test_cli_refuses_a_missing_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    result = CliRunner().invoke(main, ["serve", str(tmp_path / "none.sla"), "--port", "0"])
    assert result.exit_code == 2 and "no such file" in result.output


def test_slac_serve_starts_on_loopback_and_answers(contract: Path) -> None:
    import re
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "slac", "serve", str(contract), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.match(r"slac desk on (http://127\.0\.0\.1:(\d+)/) \(1 contract\)", line)
        assert m, line
        with urllib.request.urlopen(m.group(1) + "api/files", timeout=30) as response:
            assert json.loads(response.read()) == {"files": [contract.name]}
        with urllib.request.urlopen(m.group(1), timeout=30) as response:
            page = response.read().decode("utf-8")
        assert "<textarea" in page and "http" not in page.replace("http-equiv", "")  # nothing from outside
    finally:
        proc.terminate()
        proc.wait(timeout=10)
