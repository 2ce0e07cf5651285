"""The editor's desk without HTTP: the open contracts, one refresh per keystroke pause, and safe saving.

A refresh runs the one driver (`slac.driver.compile_source`) on the text being edited and answers with
what the page shows: the diagnostics (positions, message, hint), each example's checks (expected vs
actual), the document from the one renderer (`slac.render.render`) in the chosen edition, and the
diff against the saved version with the reduction gate's verdict (`slac.change.diff`). Only the files
named when the desk was opened can be read or written; a save is atomic (`fileio.atomic_write`) and is
refused when the file changed on disk since the page loaded it, unless the editor says to overwrite.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Diagnostic
from ..fileio import InputError, atomic_write, read_source


class DeskError(Exception):
    """A request the desk refuses; `status` is the HTTP status the page gets."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# The Chinese of the page itself (static/index.html), for the font subset.
UI_TEXT = "中文双语"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Saved:
    """The saved version of a contract as the desk last read it, and its policy (None: it has errors)."""

    text: str
    policy: dict[str, Any] | None


class Desk:
    def __init__(self, paths: list[Path]) -> None:
        self.paths = {p.name: p for p in paths}
        if len(self.paths) != len(paths):
            raise DeskError("two contracts have the same file name; open them from separate desks")
        self._saved: dict[str, Saved] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return sorted(self.paths)

    def _path(self, name: str) -> Path:
        try:
            return self.paths[name]
        except KeyError:
            raise DeskError(f"{name}: not one of the contracts this desk opened", 404) from None

    def _read(self, name: str) -> str:
        try:
            return read_source(self._path(name))
        except InputError as exc:
            raise DeskError(str(exc), 409) from None

    def _saved_version(self, name: str, text: str) -> Saved:
        """The saved text's policy, compiled once per saved text (the diff's left side)."""
        with self._lock:
            saved = self._saved.get(name)
        if saved is None or saved.text != text:
            from ..driver import compile_source

            compiled = compile_source(text, file=str(self._path(name)), examples=False, validate_schema=False)
            saved = Saved(text, compiled.policy if compiled.ok else None)
            with self._lock:
                self._saved[name] = saved
        return saved

    def fonts_css(self) -> str:
        """`@font-face` rules for the package's CJK serif, subset to the page's and the contracts' characters.

        The page's own words in Chinese are in `UI_TEXT`; a character typed later that is in neither
        falls back to the system's fonts.
        """
        from ..render.fonts import embedded_faces

        texts = [UI_TEXT]
        for name in self.names():
            try:
                texts.append(self._read(name))
            except DeskError:
                pass
        return embedded_faces("".join(texts))

    def open(self, name: str) -> dict[str, Any]:
        text = self._read(name)
        return {"name": name, "text": text, "base": digest(text)}

    def refresh(self, name: str, text: str, edition: str = "bilingual") -> dict[str, Any]:
        from ..driver import compile_source

        started = time.perf_counter()
        # The policy is shown, never written: its schema validation is left to `slac compile` (as in check).
        compiled = compile_source(text, file=str(self._path(name)), validate_schema=False)
        answer: dict[str, Any] = {
            "diagnostics": [diagnostic_json(d) for d in compiled.diagnostics],
            "examples": examples_json(compiled),
            "ok": compiled.ok,
            "failure": compiled.failure,
            "editions": [],
            "preview": None,
            "diff": None,
        }
        if compiled.policy is not None:
            answer.update(self._preview(compiled, edition))
            answer["diff"] = self._diff(name, compiled.policy)
        answer["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return answer

    def _preview(self, compiled: Any, edition: str) -> dict[str, Any]:
        from ..render import RenderError, editions, render

        assert compiled.policy is not None
        available = editions(compiled.policy)
        chosen = edition if edition in available else available[-1]
        try:
            html = render(compiled.policy, edition=chosen, fmt="html", results=compiled.reports)
        except RenderError as exc:
            return {"editions": available, "preview": None, "preview_error": str(exc)}
        return {"editions": available, "edition": chosen, "preview": html}

    def _diff(self, name: str, policy: dict[str, Any]) -> dict[str, Any]:
        from ..change.diff import diff

        try:
            saved = self._saved_version(name, self._read(name))
        except DeskError as exc:
            return {"verdict": "unavailable", "reason": str(exc), "changes": []}
        if saved.policy is None:
            return {"verdict": "unavailable", "reason": "the saved version does not compile", "changes": []}
        result = diff(saved.policy, policy)
        data = result.to_json()
        verdict = "reduction" if result.reductions else ("unchanged" if not result.changes else "no reduction")
        return {"verdict": verdict, "summary": data["summary"], "changes": data["changes"]}

    def save(self, name: str, text: str, base: str, *, force: bool = False) -> dict[str, Any]:
        """Write `text` atomically, unless the file on disk is no longer the version `base` names."""
        path = self._path(name)
        with self._lock:
            try:
                current = read_source(path)
            except InputError:
                current = None  # gone or unreadable: writing it back is what the editor asks
            if current is not None and digest(current) != base and not force:
                raise DeskError(
                    f"{name} changed on disk since this page loaded it; reload it, or save again to overwrite", 409
                )
            try:
                atomic_write(path, text)
            except OSError as exc:
                raise DeskError(f"{path}: cannot write: {exc.strerror or exc}", 500) from None
        return {"name": name, "base": digest(text)}


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    s = d.span
    return {
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
    }


def examples_json(compiled: Any) -> list[dict[str, Any]]:
    out = []
    for r in compiled.results:
        checks = [
            {"kind": c.kind, "line": c.line, "expected": c.expected, "actual": c.actual, "ok": c.ok} for c in r.checks
        ]
        out.append(
            {
                "title": r.title,
                "line": r.line,
                "ok": all(c["ok"] for c in checks),
                "checks": checks,
            }
        )
    return out
