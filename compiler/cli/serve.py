"""`slac serve [FILE…] [--port N]`: the editor's desk on http://127.0.0.1:N/ (local only)."""

from __future__ import annotations

from pathlib import Path

import click

from ._io import fail, read


@click.command(name="serve")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port.")
@click.option("--open/--no-open", "open_browser", default=False, help="Open the page in the default browser.")
def serve_cmd(files: tuple[str, ...], port: int, open_browser: bool) -> None:
    """Edit contracts beside their live bilingual preview (diagnostics, examples, diff, save).

    Without FILE, the *.sla files of the current directory. The page is served on 127.0.0.1 only.
    """
    from ..serve.desk import Desk, DeskError
    from ..serve.http import DeskServer

    paths = [Path(f) for f in files] or sorted(Path(".").glob("*.sla"))
    if not paths:
        fail("no contract to edit: name a FILE.sla, or run slac serve in a folder with .sla files")
    for p in paths:
        read(str(p))  # exit 2 now, naming the file, rather than an error page later
    try:
        server = DeskServer(Desk(paths), port)
    except DeskError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; choose another --port")
    click.echo(f"slac desk on {server.url} ({len(paths)} contract{'s' if len(paths) != 1 else ''}); Ctrl+C stops it")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
