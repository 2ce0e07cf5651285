"""Packaging: `import slac` stays light, and a built wheel works outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import ROOT


def test_import_slac_is_light() -> None:
    code = "import sys, slac; print(' '.join(m for m in ('lark', 'jinja2', 'weasyprint', 'jsonschema', 'holidays', 'babel', 'fontTools', 'markupsafe', 'slac.render') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to copy the tracked tree")
def test_wheel_installs_and_runs_outside_the_repo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    [wheel] = dist.glob("slac-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(ROOT / "contracts" / "websoft9.sla", work / "websoft9.sla")
    slac_bin = env_dir / "bin" / "slac"
    check = subprocess.run([str(slac_bin), "check", "websoft9.sla"], cwd=work, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    comp = subprocess.run(
        [str(slac_bin), "compile", "websoft9.sla", "-o", "p.json"], cwd=work, capture_output=True, text=True
    )
    assert comp.returncode == 0, comp.stderr
    # Templates, catalogues, CSS and the CJK font come from the installed distributions.
    rendered = subprocess.run(
        [str(slac_bin), "render", "websoft9.sla", "--lang", "zh,bilingual", "--format", "md,pdf", "-o", "out"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert (work / "out" / "websoft9.zh.md").read_text(encoding="utf-8").startswith('---\ntitle: "服务等级协议"')
    assert (work / "out" / "websoft9.bilingual.pdf").read_bytes().startswith(b"%PDF-")
    # The installed package, not the checkout, answered: its grammar and schema came from the wheel.
    where = subprocess.run(
        [str(py), "-c", "import slac, sys; print(slac.__file__)"], cwd=work, capture_output=True, text=True, check=True
    )
    assert str(env_dir) in where.stdout
