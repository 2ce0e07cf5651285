"""`slac init NAME [--languages zh,en] [--template saas|cloud|support]`: write a starter contract."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from ._io import Exit, fail, report, write


@click.command(name="init")
@click.argument("name")
@click.option(
    "--template",
    type=click.Choice(["saas", "cloud", "support"]),
    default="saas",
    show_default=True,
    help="saas: plans with uptime credits; cloud: zh original, CN holidays; support: response credits.",
)
@click.option("--languages", metavar="LANG,LANG", help="The contract's languages, the original first (zh, en).")
@click.option("--force", is_flag=True, help="Overwrite NAME.sla when it exists.")
def init_cmd(name: str, template: str, languages: str | None, force: bool) -> None:
    """Write NAME.sla, a bilingual starter contract that checks, tests and renders as written."""
    from ..driver import compile_source
    from ..fmt import format_source
    from ..starters import DEFAULT_LANGUAGES, LANGUAGES, starter

    path = Path(name if name.endswith(".sla") else f"{name}.sla")
    if path.name.startswith(".") or not path.stem.strip():  # `init ""` would write a hidden `.sla`
        raise click.BadParameter("name the contract, e.g. `my-service`", param_hint="NAME")
    ident = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", ident):
        raise click.BadParameter("start the name with a letter, e.g. `my-service`", param_hint="NAME")
    langs: tuple[str, ...] = DEFAULT_LANGUAGES[template]
    if languages is not None:
        langs = tuple(dict.fromkeys(lang.strip() for lang in languages.split(",") if lang.strip()))
        if not langs or any(lang not in LANGUAGES for lang in langs):
            raise click.BadParameter(f"choose from {', '.join(LANGUAGES)}, e.g. zh,en", param_hint="--languages")
    if path.exists() and not force:
        fail(f"{path}: already exists; choose another NAME or pass --force")
    text = format_source(starter(template, ident, langs), file=str(path))
    compiled = compile_source(text, file=str(path))
    if not compiled.ok:  # a starter that does not check is a slac bug; write nothing
        report(compiled.diagnostics, {str(path): text})
        fail(f"the {template} starter does not check in {','.join(langs)}; please report this", Exit.CONTRACT)
    write(path, text)
    click.echo(f"wrote {path} ({template}, {' '.join(langs)}); next: slac test {path} && slac serve {path}", err=True)
    sys.exit(Exit.OK)
