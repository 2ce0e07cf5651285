"""slac — SLA-as-code contract compiler.

The pipeline; data flows one way, each stage callable alone::

    driver.compile_source (the one compile path every command and API function uses):
    source text ──screen──────▶ refused when over a size limit (limits.py) or hiding characters
                ──syntax──────▶ Lark parse tree (LALR, positions kept; lark only in syntax and to_ast)
                ──to_ast/─────▶ typed AST (nodes.Document, frozen dataclasses) + value errors
                ──checks/─────▶ diagnostics (sizes first, then one check per module, listed in CHECKS)
                ──policy/build▶ policy dict (policy/{codec,schema}: canonical JSON, hash, the shipped schema)
                ──examples────▶ the evaluator's result per `example`, then checks.examples_hold (E0712)

    policy JSON ──policy/load (runtime.load_policy)▶ checked policy (version, schema, hash, references)
                  └─policy/view─▶ runtime/ (deadlines, evaluate → report)
                               ─▶ render/ (Markdown / HTML / PDF per edition, reports)
                               ─▶ change/ (diff: classified changes, impact figures)
    cli/ ── thin commands over driver and the loader; cli/_io: exit codes, I/O, load_input

Later stages never see parse trees. Importing `slac` is light: Lark, Jinja2, WeasyPrint,
numpy and jsonschema load only inside the stage that uses them.

Public API (keyword-only options)::

    parse(source, file=...)           -> nodes.Document
    check(source, file=...)           -> list[Diagnostic]          (never raises for contract errors)
    compile_policy(source, file=...)  -> dict                      (raises SlaError)
    policy_json(policy)               -> str                       (canonical, byte-stable)
    load_policy(path_or_dict)         -> runtime.Policy            (raises runtime.PolicyError)
    evaluate(policy, period=..., customers=..., tickets=..., incidents=..., as_of=None) -> report dict
    render(policy, edition=..., fmt="md"|"html"|"pdf")            -> str | bytes
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Diagnostic, SlaError, Span

if TYPE_CHECKING:  # pragma: no cover
    from .nodes import Document

__all__ = [
    "Diagnostic",
    "SlaError",
    "Span",
    "parse",
    "check",
    "compile_policy",
    "policy_json",
    "load_policy",
    "evaluate",
    "render",
    "__version__",
]

__version__ = "0.1.0"


def parse(source: str, *, file: str = "<string>") -> Document:
    """Source text → typed AST; raises `SlaError` on syntax or value errors."""
    from .driver import parse as _parse

    return _parse(source, file=file)


def check(source: str, *, file: str = "<string>") -> list[Diagnostic]:
    """Every diagnostic for a contract (syntax, values, semantics), sorted by position."""
    from .driver import check as _check

    return _check(source, file=file)


def compile_policy(source: str, *, file: str = "<string>", **options: Any) -> dict[str, Any]:
    """Source text → validated policy dict; raises `SlaError` when the contract has errors."""
    from .driver import compile_policy as _compile

    return _compile(source, file=file, **options)


def policy_json(policy: dict[str, Any]) -> str:
    """The canonical JSON text of a policy: sorted keys, UTF-8, a final newline."""
    from .policy import to_json

    return to_json(policy)


def load_policy(source: Any, **options: Any) -> Any:
    """A compiled policy (path, JSON text or dict) → `runtime.Policy`; raises `runtime.PolicyError`."""
    from .runtime import load_policy as _load

    return _load(source, **options)


def evaluate(policy: Any, *, period: str, customers: Any, tickets: Any, incidents: Any, as_of: Any = None) -> Any:
    """The report of one period over event files (CSV, JSON Lines or Parquet); see `runtime.evaluate`."""
    from .runtime import Policy
    from .runtime import load_policy as _load
    from .runtime.evaluate import evaluate as _evaluate
    from .runtime.inputs import read_events

    loaded = policy if isinstance(policy, Policy) else _load(policy)
    events = read_events(loaded, customers=customers, tickets=tickets, incidents=incidents)
    return _evaluate(loaded, events, period=period, as_of=as_of)


def render(policy: dict[str, Any], *, edition: str, fmt: str = "md", **front: Any) -> str | bytes:
    """One edition (`zh`, `en`, `bilingual`, …) of the legal document as Markdown, HTML or PDF."""
    from .render import example_results
    from .render import render as _render

    return _render(policy, edition=edition, fmt=fmt, results=example_results(policy), **front)
