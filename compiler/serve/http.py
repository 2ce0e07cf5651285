"""The desk's web server: standard library `ThreadingHTTPServer`, bound to 127.0.0.1 only.

Routes: `GET /` the page, `GET /static/NAME` its assets (from the package, nothing from outside), `GET /fonts.css` the
package's CJK serif subset to the contracts' characters,
`GET /api/files`, `GET /api/file?name=`, `POST /api/refresh`, `POST /api/save`.

A page on another site cannot drive the desk: requests must name this host in `Host` (no DNS
rebinding), and `POST`s must be JSON with the `X-Slac-Desk` header, which a cross-site form or a
simple cross-origin request cannot send.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .desk import Desk, DeskError

STATIC = {"index.html": "text/html", "desk.js": "text/javascript", "desk.css": "text/css"}
MAX_BODY = 1024 * 1024  # a contract is at most 256 KiB; JSON escaping can double it
EDITIONS = {"zh", "en", "bilingual"}


class DeskServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, desk: Desk, port: int = 0) -> None:
        self.desk = desk
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class Handler(BaseHTTPRequestHandler):
    server: DeskServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # the terminal shows the URL, not every keystroke

    def _host_ok(self) -> bool:
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-src 'self' blob:; connect-src 'self'",
        )
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json")

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._guarded(self._get)

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        self._guarded(self._post)

    def _guarded(self, handle: Any) -> None:
        """A bug in the desk answers 500 with one line, never a traceback on the page or the terminal."""
        try:
            handle()
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - the last line of defence of a long-running server
            import sys

            print(f"slac serve: internal error on {self.command} {self.path}: {exc!r}", file=sys.stderr)
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"internal error: {exc}"})

    def _get(self) -> None:
        if not self._host_ok():
            return self._json(HTTPStatus.FORBIDDEN, {"error": "this desk answers only on 127.0.0.1"})
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        try:
            if url.path in ("/", "/index.html"):
                return self._static("index.html")
            if url.path == "/fonts.css":
                return self._send(HTTPStatus.OK, self.server.desk.fonts_css().encode("utf-8"), "text/css")
            if url.path.startswith("/static/"):
                return self._static(url.path.removeprefix("/static/"))
            if url.path == "/api/files":
                return self._json(HTTPStatus.OK, {"files": self.server.desk.names()})
            if url.path == "/api/file":
                return self._json(HTTPStatus.OK, self.server.desk.open(query.get("name", [""])[0]))
        except DeskError as exc:
            return self._json(exc.status, {"error": str(exc)})
        self._json(HTTPStatus.NOT_FOUND, {"error": "no such page"})

    def _static(self, name: str) -> None:
        if name not in STATIC:
            return self._json(HTTPStatus.NOT_FOUND, {"error": "no such asset"})
        body = resources.files("slac.serve").joinpath("static", name).read_bytes()
        self._send(HTTPStatus.OK, body, STATIC[name])

    def _post(self) -> None:
        if not self._host_ok() or self.headers.get("X-Slac-Desk") != "1":
            return self._json(HTTPStatus.FORBIDDEN, {"error": "requests come from the desk's own page only"})
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send JSON"})
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            return self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "the request is too large"})
        try:
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            if not isinstance(body, dict) or not isinstance(body.get("name"), str):
                raise DeskError("name the contract")
            text = body.get("text")
            if not isinstance(text, str):
                raise DeskError("send the contract's text")
            desk = self.server.desk
            if self.path == "/api/refresh":
                edition = str(body.get("edition")) if body.get("edition") in EDITIONS else "bilingual"
                return self._json(HTTPStatus.OK, desk.refresh(body["name"], text, edition))
            if self.path == "/api/save":
                saved = desk.save(body["name"], text, str(body.get("base", "")), force=body.get("force") is True)
                return self._json(HTTPStatus.OK, saved)
        except (ValueError, UnicodeDecodeError):
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "the request is not JSON"})
        except DeskError as exc:
            return self._json(exc.status, {"error": str(exc)})
        self._json(HTTPStatus.NOT_FOUND, {"error": "no such action"})
