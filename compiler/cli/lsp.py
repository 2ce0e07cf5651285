"""`slac lsp`: the language server over stdio, for any editor that speaks LSP (editors/vscode starts it)."""

from __future__ import annotations

import click

from ._io import fail


@click.command(name="lsp")
@click.option("--stdio", is_flag=True, default=True, hidden=True, help="Speak LSP over stdin/stdout (the default).")
def lsp_cmd(stdio: bool) -> None:
    """Run the slac language server over stdio (diagnostics, hover, completion, rename, formatting)."""
    try:
        from ..lsp.server import run
    except ImportError as exc:  # pygls is the optional extra slac[lsp]
        fail(f"the language server needs pygls: pip install 'slac[lsp]' ({exc})")
    run()
