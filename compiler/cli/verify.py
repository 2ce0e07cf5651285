"""`slac verify DOC.pdf [CONTRACT.sla|POLICY.json]`: the PDF carries the policy it was rendered from.

The PDF edition embeds its policy (PDF/A-3 associated file, `NAME.policy.json`). Verifying reads
that attachment through the one loader (`slac.policy.load`, which checks its content hash), renders
the same edition from it again and compares the text of every page, so an edited attachment or an
edited text layer is refused; given a contract or a policy, the embedded policy must be exactly
that one (same content hash).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import click

from ._io import Exit, fail


def _pdf(path: str) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        data = Path(path).read_bytes()
        return PdfReader(io.BytesIO(data))
    except (OSError, PyPdfError, ValueError) as exc:
        fail(f"{path}: cannot read the PDF: {exc}")


def _embedded(path: str, reader: Any) -> tuple[str, bytes]:
    try:
        files = {name: bodies for name, bodies in reader.attachments.items() if name.endswith(".policy.json")}
    except Exception as exc:  # pypdf raises many kinds on a damaged name tree
        fail(f"{path}: cannot read the PDF's attachments: {exc}")
    if len(files) != 1 or len(next(iter(files.values()))) != 1:
        fail(f"{path}: no single embedded policy (NAME.policy.json); render the PDF with slac render or slac build")
    name, bodies = next(iter(files.items()))
    return name, bodies[0]


def _texts(reader: Any) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def _edition(reader: Any) -> str:
    info = reader.metadata or {}
    edition = info.get("/slacedition")  # WeasyPrint drops the "-" of <meta name="slac-edition">
    return str(edition) if edition else ""


def _expected(source: str, path: str) -> str:
    """The content hash of the contract or policy the document is checked against."""
    from ..policy import PolicyError, load

    if source.endswith(".sla"):
        from ._io import compile_file

        compiled = compile_file(source)
        if compiled.policy is None or not compiled.ok:
            fail(f"{source}: the contract does not compile; run slac check {source}", Exit.CONTRACT)
        return str(compiled.policy["content_hash"])
    try:
        return str(load(Path(source)).raw["content_hash"])
    except PolicyError as exc:
        fail(f"{source}: {exc}")
    except OSError as exc:
        fail(f"{source}: cannot read: {exc}")
    raise AssertionError("unreachable")  # pragma: no cover


@click.command(name="verify")
@click.argument("document", metavar="DOC.pdf", type=click.Path(dir_okay=False))
@click.argument("source", metavar="[CONTRACT.sla|POLICY.json]", required=False, type=click.Path(dir_okay=False))
def verify_cmd(document: str, source: str | None) -> None:
    """Check that a PDF carries its policy unchanged and shows exactly that policy's text.

    Exit 0 when it does (and, given CONTRACT.sla or POLICY.json, when the embedded policy is that
    one); 1 when the attachment, the text or the source differs; 2 when the PDF cannot be read.
    """
    from ..policy import PolicyError, load
    from ..render import render_pdf

    reader = _pdf(document)
    name, body = _embedded(document, reader)
    try:
        policy = dict(load(body.decode("utf-8")).raw)
    except (PolicyError, UnicodeDecodeError) as exc:
        click.echo(f"slac: {document}: the embedded {name} was edited or is damaged: {exc}", err=True)
        sys.exit(Exit.CONTRACT)
    edition = _edition(reader)
    try:
        again = render_pdf(policy, edition)
    except Exception as exc:  # an edition the policy lacks, a renderer refusing the text
        click.echo(f"slac: {document}: cannot render edition {edition!r} of the embedded policy: {exc}", err=True)
        sys.exit(Exit.CONTRACT)
    from pypdf import PdfReader

    if _texts(reader) != _texts(PdfReader(io.BytesIO(again))):
        click.echo(f"slac: {document}: the text does not match the embedded policy (edited after rendering)", err=True)
        sys.exit(Exit.CONTRACT)
    if source is not None and _expected(source, document) != policy["content_hash"]:
        click.echo(f"slac: {document}: rendered from another policy than {source}", err=True)
        sys.exit(Exit.CONTRACT)
    click.echo(f"{document}: verified: {name} ({policy['content_hash'][:12]}), edition {edition}", err=True)
