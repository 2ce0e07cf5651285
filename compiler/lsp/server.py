"""`slac lsp`: the language server (pygls ≥ 2, stdio). Each feature asks `analysis`/`hover`, then translates.

Positions: the analysis speaks 1-based lines and columns in code points; LSP speaks 0-based lines and
UTF-16 code units. Contracts are mostly BMP text (Chinese included), where the two agree; a character
outside the BMP before the cursor on its line is counted as two units here, as LSP wants.
"""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..errors import Diagnostic, Span
from .analysis import UNDECLARED, Analysis, Name, completions
from .hover import KINDS, hover
from .incremental import Pieces
from .names import describe, display_names

SYMBOL_KIND = {
    "tier": t.SymbolKind.Class,
    "priority": t.SymbolKind.EnumMember,
    "calendar": t.SymbolKind.Event,
    "channel": t.SymbolKind.Interface,
    "credit": t.SymbolKind.Function,
    "objective": t.SymbolKind.Property,
    "term": t.SymbolKind.String,
    "clause": t.SymbolKind.String,
    "exclusion": t.SymbolKind.Constant,
    "service": t.SymbolKind.Module,
    "condition": t.SymbolKind.Boolean,
}
COMPLETION_KIND = {
    "keyword": t.CompletionItemKind.Keyword,
    **dict.fromkeys(SYMBOL_KIND, t.CompletionItemKind.Value),
    "region": t.CompletionItemKind.Value,
}


class SlaServer(LanguageServer):
    """Keeps the last analysis of each open document (also the last one that parsed, for names)."""

    def __init__(self) -> None:
        super().__init__("slac", __version__)
        self.analyses: dict[str, Analysis] = {}
        self.parsed: dict[str, Analysis] = {}
        self.pieces: dict[str, Pieces] = {}  # each document's statements, to parse only what a change touched
        self.lang = "en"

    def analyse(self, uri: str) -> Analysis:
        document = self.workspace.get_text_document(uri)
        file = document.path or uri
        pieces = self.pieces.get(uri)
        if pieces is None or pieces.file != file:
            pieces = self.pieces[uri] = Pieces(file)
        analysis = Analysis.of(document.source, file, pieces=pieces)
        self.analyses[uri] = analysis
        if analysis.compiled.doc is not None:
            self.parsed[uri] = analysis
        return analysis

    def names(self, uri: str) -> Analysis:
        """The latest analysis whose text parsed (names survive a syntax error being typed)."""
        return self.parsed.get(uri) or self.analyses.get(uri) or self.analyse(uri)


def _col16(text: str, column: int) -> int:
    before = text[: column - 1]
    return len(before) + sum(1 for ch in before if ord(ch) > 0xFFFF)


def _line_text(source: str, line: int) -> str:
    lines = source.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else ""


def to_range(source: str, span: Span) -> t.Range:
    start = t.Position(span.line - 1, _col16(_line_text(source, span.line), span.column))
    end = t.Position(span.end_line - 1, _col16(_line_text(source, span.end_line), span.end_column))
    return t.Range(start, end)


def from_position(source: str, position: t.Position) -> tuple[int, int]:
    """An LSP position → the analysis's 1-based line and column (code points)."""
    text = _line_text(source, position.line + 1)
    units, column = 0, 0
    while column < len(text) and units < position.character:
        units += 2 if ord(text[column]) > 0xFFFF else 1
        column += 1
    return position.line + 1, column + 1


def to_lsp(source: str, d: Diagnostic) -> t.Diagnostic:
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    related = [
        t.DiagnosticRelatedInformation(t.Location("", to_range(source, s)), label)
        for s, label in zip(d.spans[1:], d.labels, strict=False)
    ]
    return t.Diagnostic(
        range=to_range(source, d.span),
        message=message,
        severity=t.DiagnosticSeverity.Error if d.severity == "error" else t.DiagnosticSeverity.Warning,
        code=d.code,
        source="slac",
        related_information=related or None,
    )


server = SlaServer()


def publish(ls: SlaServer, uri: str) -> None:
    analysis = ls.analyse(uri)
    diagnostics = [to_lsp(analysis.source, d) for d in analysis.diagnostics]
    for d in diagnostics:  # related spans are in the same document
        for r in d.related_information or ():
            r.location.uri = uri
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))


@server.feature(t.INITIALIZE)
def initialize(ls: SlaServer, params: t.InitializeParams) -> None:
    ls.lang = "zh" if (params.locale or "en").lower().startswith("zh") else "en"


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: SlaServer, params: t.DidOpenTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: SlaServer, params: t.DidChangeTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: SlaServer, params: t.DidSaveTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: SlaServer, params: t.DidCloseTextDocumentParams) -> None:
    ls.analyses.pop(params.text_document.uri, None)
    ls.parsed.pop(params.text_document.uri, None)
    ls.pieces.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(t.TEXT_DOCUMENT_HOVER)
def on_hover(ls: SlaServer, params: t.HoverParams) -> t.Hover | None:
    analysis = ls.names(params.text_document.uri)
    line, column = from_position(analysis.source, params.position)
    text = hover(analysis, line, column, ls.lang)
    if text is None:
        return None
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=text))


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" "]))
def on_completion(ls: SlaServer, params: t.CompletionParams) -> t.CompletionList:
    uri = params.text_document.uri
    current = ls.workspace.get_text_document(uri).source
    # The names come from the last text that parsed; the cursor's context from the text as it is now.
    line, column = from_position(current, params.position)
    analysis = ls.names(uri)
    items = [
        completion_item(analysis, label, kind, ls.lang) for label, kind in completions(analysis, line, column, current)
    ]
    return t.CompletionList(is_incomplete=False, items=items)


def completion_item(analysis: Analysis, label: str, kind: str, lang: str) -> t.CompletionItem:
    """A name comes with its display names in `detail` (`service · Compute / 计算服务`) and all its texts
    (name, description, definition) as documentation; a keyword with its kind only."""
    zh = lang.startswith("zh")
    detail = KINDS.get(kind, (kind, kind))[1 if zh else 0]
    documentation = None
    if kind != "keyword":
        shown = display_names(analysis, kind, label)
        detail += f" · {' / '.join(shown)}" if shown else ""
        texts = describe(analysis, kind, label, zh)
        documentation = t.MarkupContent(kind=t.MarkupKind.Markdown, value=texts) if texts else None
    return t.CompletionItem(
        label=label,
        kind=COMPLETION_KIND.get(kind, t.CompletionItemKind.Text),
        detail=detail,
        documentation=documentation,
    )


def _name_under(ls: SlaServer, uri: str, position: t.Position) -> tuple[Analysis, Name | None]:
    analysis = ls.names(uri)
    line, column = from_position(analysis.source, position)
    return analysis, analysis.name_at(line, column)


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: SlaServer, params: t.DefinitionParams) -> t.Location | None:
    analysis, name = _name_under(ls, params.text_document.uri, params.position)
    decl = analysis.declaration(name.kind, name.value) if name else None
    if decl is None:
        return None
    return t.Location(params.text_document.uri, to_range(analysis.source, decl.span))


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
def on_references(ls: SlaServer, params: t.ReferenceParams) -> list[t.Location]:
    analysis, name = _name_under(ls, params.text_document.uri, params.position)
    if name is None:
        return []
    found = analysis.occurrences(name.kind, name.value)
    if not params.context.include_declaration:
        found = [f for f in found if f.block is None]
    return [t.Location(params.text_document.uri, to_range(analysis.source, f.span)) for f in found]


@server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
def on_prepare_rename(ls: SlaServer, params: t.PrepareRenameParams) -> t.Range | None:
    analysis, name = _name_under(ls, params.text_document.uri, params.position)
    return to_range(analysis.source, name.span) if name else None


@server.feature(t.TEXT_DOCUMENT_RENAME, t.RenameOptions(prepare_provider=True))
def on_rename(ls: SlaServer, params: t.RenameParams) -> t.WorkspaceEdit | None:
    from ..syntax import keywords

    analysis, name = _name_under(ls, params.text_document.uri, params.position)
    if name is None:
        return None
    new = params.new_name
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,63}", new) or new in keywords():
        raise ValueError(f"`{new}` is not a name: lower-case letters, digits and `_`, not a keyword")
    if analysis.declaration(name.kind, new) is not None:
        raise ValueError(f"a {name.kind} `{new}` is already declared")
    if name.kind in UNDECLARED and new in analysis.names_of(name.kind):  # two regions would become one
        raise ValueError(f"a {name.kind} `{new}` is already named in the examples")
    edits = [t.TextEdit(to_range(analysis.source, o.span), new) for o in analysis.occurrences(name.kind, name.value)]
    return t.WorkspaceEdit(changes={params.text_document.uri: edits})


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def on_formatting(ls: SlaServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
    from ..errors import SlaError
    from ..fmt import FormatError, format_source

    document = ls.workspace.get_text_document(params.text_document.uri)
    try:
        formatted = format_source(document.source, file=document.path or params.text_document.uri)
    except (SlaError, FormatError):
        return None  # the diagnostics already say why
    if formatted == document.source:
        return []
    lines = document.source.split("\n")
    whole = t.Range(t.Position(0, 0), t.Position(len(lines), 0))
    return [t.TextEdit(whole, formatted)]


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_symbols(ls: SlaServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    analysis = ls.names(params.text_document.uri)
    symbols = []
    for d in analysis.declarations:
        assert d.block is not None
        symbols.append(
            t.DocumentSymbol(
                name=d.value,
                detail=d.kind,
                kind=SYMBOL_KIND.get(d.kind, t.SymbolKind.Variable),
                range=to_range(analysis.source, d.block),
                selection_range=to_range(analysis.source, d.span),
            )
        )
    return symbols


def run(**kwargs: Any) -> None:
    server.start_io(**kwargs)
