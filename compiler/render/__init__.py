"""Renderer: policy → the SLA as a legal document, per language and bilingual, in Markdown, HTML and PDF.

    policy ──model.build_document──▶ DocModel per language (same clause numbers in every language)
           ──edition───────────────▶ one language, or all of them clause by clause (bilingual)
           ──templates/*.j2────────▶ Markdown (front matter) / standalone HTML (print CSS)
           ──pdf.html_to_pdf───────▶ PDF (WeasyPrint, CJK font pre-subset, fetches nothing outside)

Jinja2 and Babel load only when this package is imported; WeasyPrint only when a PDF is made.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .doc import Block, DocModel, Para
from .markup import md_block, md_escape, safe_url
from .model import build_document

__all__ = [
    "BILINGUAL",
    "FORMATS",
    "editions",
    "example_results",
    "load",
    "render",
    "render_markdown",
    "render_html",
    "render_pdf",
    "RenderError",
]

BILINGUAL = "bilingual"
FORMATS = ("md", "html", "pdf")
SUFFIX = {"md": ".md", "html": ".html", "pdf": ".pdf"}


class RenderError(ValueError):
    """The policy cannot be rendered as asked (an unknown edition, a language without strings)."""


@dataclass(frozen=True)
class Part:
    lang: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class EditionClause:
    number: str
    heading: str
    parts: tuple[Part, ...]
    anchor: str


@dataclass(frozen=True)
class EditionSection:
    number: str
    heading: str
    intro: tuple[Part, ...]
    clauses: tuple[EditionClause, ...]
    anchor: str


@dataclass(frozen=True)
class Edition:
    """One or more language documents zipped clause by clause (their structure is identical)."""

    name: str
    langs: tuple[str, ...]
    bilingual: bool
    title: str
    contents: str
    meta: tuple[Part, ...]
    sections: tuple[EditionSection, ...]


def _joined(texts: list[str]) -> str:
    # A heading identical in both languages (`第三方 SLA` vs `Third-party SLAs` differ; a user title
    # shared by both does not) is printed once.
    return " / ".join(dict.fromkeys(t for t in texts if t))


def editions(policy: dict[str, Any]) -> list[str]:
    """The editions a policy can be rendered in: each declared language, then `bilingual`."""
    langs = list(policy["languages"])
    return [*langs, BILINGUAL] if len(langs) > 1 else langs


def load(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """The policy to render, from a compiled policy: a `slac compile` JSON file's path, its text,
    its dict or a loaded `slac.runtime.Policy`. Checked by `slac.runtime.load_policy`, so a policy
    that is invalid, of another format or edited after compiling raises `PolicyError`; a `.sla`
    contract is compiled with `slac.compile_policy` (errors raise `SlaError`)."""
    from slac.runtime import Policy, load_policy

    if isinstance(source, Policy):
        return source.raw
    if isinstance(source, os.PathLike | str) and str(source).endswith(".sla"):
        from slac.driver import compile_policy
        from slac.fileio import read_source

        path = Path(source)  # read with the contract guards (size, a device such as /dev/zero, UTF-8)
        return compile_policy(read_source(path), file=path.name)
    return load_policy(Path(source) if isinstance(source, os.PathLike) else source).raw


def example_results(policy: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The evaluator's report entry of each worked example, by example index."""
    if not policy["examples"]:
        return {}
    from slac.runtime import load_policy
    from slac.runtime.examples import run_examples

    return {r.index: r.report for r in run_examples(load_policy(policy))}


def _edition(policy: dict[str, Any], name: str, results: dict[int, Any] | None) -> Edition:
    from .strings import MissingLanguage

    if results is None:
        results = example_results(policy)
    langs = list(policy["languages"]) if name == BILINGUAL else [name]
    if name not in editions(policy):
        raise RenderError(f"no edition '{name}': this contract has {', '.join(editions(policy))}")
    try:
        docs: list[DocModel] = [build_document(policy, lang, results=results) for lang in langs]
    except MissingLanguage as exc:
        raise RenderError(str(exc)) from None
    first = docs[0]
    sections = []
    for i, section in enumerate(first.sections):
        per_lang = [d.sections[i] for d in docs]
        clauses = tuple(
            EditionClause(
                number=clause.number,
                heading=_joined([s.clauses[j].heading for s in per_lang]),
                parts=tuple(Part(d.lang, s.clauses[j].blocks) for d, s in zip(docs, per_lang, strict=True)),
                anchor=clause.anchor,
            )
            for j, clause in enumerate(section.clauses)
        )
        sections.append(
            EditionSection(
                number=section.number,
                heading=_joined([s.heading for s in per_lang]),
                intro=tuple(Part(d.lang, s.intro) for d, s in zip(docs, per_lang, strict=True) if s.intro),
                clauses=clauses,
                anchor=section.anchor,
            )
        )
    return Edition(
        name=name,
        langs=tuple(langs),
        bilingual=len(docs) > 1,
        title=_joined([d.title for d in docs]),
        contents=_joined([d.labels["contents"] for d in docs]),
        meta=tuple(Part(d.lang, d.meta) for d in docs),
        sections=tuple(sections),
    )


def front_matter(
    policy: dict[str, Any],
    edition: str,
    *,
    title: str | None = None,
    slug: str | None = None,
    sidebar_position: int | None = None,
) -> dict[str, Any]:
    """Docusaurus-style front matter: the CLI's values, else the contract's `publish` block, else
    defaults. The original edition gets the bare slug, others `slug/edition` (`/acme-crm/zh`, not `/acme-crm-zh`,
    which would be the slug of a contract named acme_crm_zh) unless `publish` names
    a slug for that language."""
    publish = policy.get("publish") or {}
    original = policy["languages"][0]
    langs = policy["languages"] if edition == BILINGUAL else [edition]
    own_slug = (publish.get("slugs") or {}).get(edition)
    if slug is None and own_slug:
        chosen = own_slug
    else:
        base = slug or publish.get("slug") or (publish.get("slugs") or {}).get(original)
        base = base or "/" + policy["contract"]["id"].replace("_", "-")
        chosen = base if edition == original else f"{base.rstrip('/')}/{edition}"
    if title is None:
        texts = publish.get("title") or policy.get("title") or {}
        title = _joined([texts.get(lang, "") for lang in langs]) or policy["contract"]["id"]
    if sidebar_position is None:
        by_lang = publish.get("positions") or {}
        sidebar_position = by_lang.get(langs[0], publish.get("position"))
    return {
        "title": title,
        "slug": chosen,
        "sidebar_position": 1 if sidebar_position is None else sidebar_position,
    }


def _load_template(name: str) -> str:
    return resources.files("slac.templates").joinpath(name).read_text(encoding="utf-8")


def _md_finalize(value: Any) -> Any:
    # Everything printed with {{ }} in a Markdown template is escaped unless already rendered.
    if isinstance(value, Markup) or isinstance(value, int | float):
        return value
    return md_escape(str(value))


@functools.cache
def _env(kind: str) -> jinja2.Environment:
    common: dict[str, Any] = {
        "loader": jinja2.FunctionLoader(_load_template),
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
        "trim_blocks": False,
    }
    if kind == "md":
        env = jinja2.Environment(autoescape=False, finalize=_md_finalize, **common)
        env.filters["md_block"] = md_block
        env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
        # Front matter values are JSON strings (valid YAML); tojson's HTML-escaping is not wanted here.
        env.filters["tojson"] = lambda v: Markup(json.dumps(v, ensure_ascii=False))
    else:
        env = jinja2.Environment(autoescape=True, **common)
        env.filters["safe_url"] = safe_url
        env.filters["breakable"] = breakable
    return env


# A run of Latin letters, digits or signs this long cannot be narrower than itself in a cell; a
# break opportunity every _CHUNK characters keeps any table inside the page (issue 13.15).
_LONG_WORD = re.compile(r"[^\s\u2e80-\uffff]{20,}")
_CHUNK = 12


def breakable(text: str) -> Markup:
    """`text` HTML-escaped, with <wbr> inside every word of 20 characters or more."""
    escaped = str(Markup.escape(text))
    out, last = [], 0
    for m in _LONG_WORD.finditer(str(text)):
        word = m.group(0)
        out.append(str(Markup.escape(str(text)[last : m.start()])))
        out.append("<wbr>".join(str(Markup.escape(word[i : i + _CHUNK])) for i in range(0, len(word), _CHUNK)))
        last = m.end()
    if not out:
        return Markup(escaped)
    out.append(str(Markup.escape(str(text)[last:])))
    return Markup("".join(out))


def render_markdown(
    policy: dict[str, Any], edition: str, *, results: dict[int, Any] | None = None, **front: Any
) -> str:
    """One edition as Markdown with front matter (title, slug, sidebar_position)."""
    ed = _edition(policy, edition, results)
    text = _env("md").get_template("document.md.j2").render(edition=ed, front=front_matter(policy, edition, **front))
    return text.rstrip("\n") + "\n"


def render_html(
    policy: dict[str, Any],
    edition: str,
    *,
    results: dict[int, Any] | None = None,
    embed_font: bool = True,
    **front: Any,
) -> str:
    """One edition as a standalone HTML page: print CSS inlined, no external resources.

    With `embed_font` the page carries the document's subset of the CJK serif as WOFF2 `data:`
    URLs (a few hundred KB), so Chinese shows on a reader without CJK fonts; the PDF path turns it
    off and hands WeasyPrint the subset itself.
    """
    from slac import __version__

    ed = _edition(policy, edition, results)
    css = Markup(_load_template("print.css"))  # our own stylesheet, not user text
    text = (
        _env("html")
        .get_template("document.html.j2")
        .render(
            edition=ed,
            front=front_matter(policy, edition, **front),
            css=css,
            version=__version__,
            running=_running(policy, ed),
        )
    )
    text = text.rstrip("\n") + "\n"
    if embed_font:
        from .fonts import EMBEDDED_FONTS_ID, embedded_faces

        # The subset covers every character of the page as rendered; the rules go last in <head>
        # so the page's text, not the font blob, is what a reader of the source sees first.
        faces = f'<style id="{EMBEDDED_FONTS_ID}">\n{embedded_faces(text)}</style>\n'
        text = text.replace("</head>", faces + "</head>", 1)
    return text


def _css_string(text: str) -> str:
    """`text` as a CSS string literal (our catalogue's words; quotes, backslashes, breaks escaped)."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\{ord(c):x} " for c in text) + '"'


def _running(policy: dict[str, Any], ed: Edition) -> dict[str, Any]:
    """The running footer: the edition's facts line (version, effective date) and "page n of N"
    as CSS content in the edition's first language."""
    from .strings import load as catalogue

    c = catalogue(ed.langs[0])
    meta = ed.meta[0].blocks if ed.meta else ()
    first = meta[0] if len(meta) > 1 else None  # the version line, when there is one
    facts = first.plain if isinstance(first, Para) else ""
    pieces = []
    for chunk in re.split(r"({page}|{pages})", c.get("label.page", "{page} / {pages}")):
        if chunk in ("{page}", "{pages}"):
            pieces.append(f"counter({chunk[1:-1]})")
        elif chunk:
            pieces.append(_css_string(chunk))
    return {"text": facts, "page": Markup(" ".join(pieces))}


def render_pdf(policy: dict[str, Any], edition: str, *, results: dict[int, Any] | None = None, **front: Any) -> bytes:
    """One edition as PDF, through WeasyPrint from the HTML edition."""
    from ..policy import to_json
    from .pdf import html_to_pdf

    html = render_html(policy, edition, results=results, embed_font=False, **front)
    _refuse_missing_glyphs(html)
    # The policy, byte for byte as `slac build` writes NAME.policy.json, rides along (PDF/A-3).
    return html_to_pdf(html, attachment=(attachment_name(policy), to_json(policy).encode("utf-8")))


def _refuse_missing_glyphs(html: str) -> None:
    """A character the embedded serif cannot draw (CJK Extension B such as 𠀀, emoji) would come from
    whatever font the machine has, or show as a box: refused, naming it and where it stands."""
    from .fonts import font_glyphs

    have = font_glyphs()
    body = html[html.find("<body>") :]
    for i, c in enumerate(body):
        if ord(c) > 0x7E and not c.isspace() and ord(c) not in have and c not in "\u200b\u200c\u200d\ufeff":
            from html import unescape

            before = " ".join(unescape(re.sub(r"<[^>]*>", " ", body[:i])).split())[-30:]
            raise RenderError(
                f"character U+{ord(c):04X} {c!r} after “{before.strip()}” is not in the embedded font "
                "(Noto Serif SC); a PDF would depend on the reader's fonts. Write it another way or leave it out."
            )


def attachment_name(policy: dict[str, Any]) -> str:
    """The embedded policy's file name: the contract's id as `slac build` names its policy file."""
    return policy["contract"]["id"].replace("_", "-") + ".policy.json"


def render(
    policy: dict[str, Any], *, edition: str, fmt: str, results: dict[int, Any] | None = None, **front: Any
) -> str | bytes:
    """Render one edition in one format (`md`, `html` or `pdf`)."""
    if fmt == "md":
        return render_markdown(policy, edition, results=results, **front)
    if fmt == "html":
        return render_html(policy, edition, results=results, **front)
    if fmt == "pdf":
        return render_pdf(policy, edition, results=results, **front)
    raise RenderError(f"no format '{fmt}': use one of {', '.join(FORMATS)}")
