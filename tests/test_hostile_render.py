"""Any contract text renders as that text: escaped in Markdown and HTML (never markup, never a template), and no fetch from the PDF."""

from __future__ import annotations

import re
import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from slac import compile_policy
from slac.render import render_html, render_markdown

from .conftest import ROOT

WEBSOFT9 = ROOT / "contracts" / "websoft9.sla"
SOURCE = WEBSOFT9.read_text(encoding="utf-8")
DEFINE = (
    '"“you”, “your”, “yourself”, “user” and “customer” mean a user of this website and/or a customer of the Services."'
)
TIER = 'en "Standard Support"'
LINK = '"https://aws.amazon.com/cn/legal/service-level-agreements/"'


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _contract(text: str, *, link: str | None = None) -> str:
    assert SOURCE.count(DEFINE) == 1 and SOURCE.count(TIER) == 1 and SOURCE.count(LINK) == 1
    source = SOURCE.replace(DEFINE, _literal(text)).replace(TIER, f"en {_literal(text)}")
    return source.replace(LINK, f'"{link}"') if link else source


class _Page(HTMLParser):
    """The text a reader sees, and every element and attribute of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        if tag in ("style", "script", "title"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def baseline() -> tuple[_Page, _Page]:
    """Tags and attributes of the plain websoft9 pages: a hostile text must add none."""
    policy = compile_policy(SOURCE, file="websoft9.sla")
    md = render_markdown(policy, "en")
    return _page(render_html(policy, "en")), _page(_md_html(md))


def _md_html(md: str) -> str:
    body = md.split("---\n", 2)[2]  # after the front matter
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(body)


# Printable text with everything that means something to HTML, Markdown, MDX or Jinja.
_MARKUP = st.sampled_from(list("<>&\"'`*_[]()#|{}%!\\-+=~$:;/.") + ["{{", "}}", "{%", "%}", "<!--", "-->", "](", "\\n"])
_TEXT = st.lists(
    st.one_of(_MARKUP, st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=4)),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT.filter(lambda t: t.strip()))
def test_any_text_renders_as_itself(baseline, text: str) -> None:
    policy = compile_policy(_contract(text), file="hostile.sla")
    want = _squash(text)
    html_base, md_base = baseline
    html = _page(render_html(policy, "en"))
    md = _page(_md_html(render_markdown(policy, "en")))
    for page, base in ((html, html_base), (md, md_base)):
        seen = _squash("".join(page.text))
        assert seen.count(want) >= 2, (text, want)  # the definition and the tier name, as written
        assert page.tags <= base.tags | {"br", "wbr"}, (
            page.tags - base.tags
        )  # no element from the text (<wbr>: ours, in long words)
        assert page.attributes <= base.attributes, page.attributes - base.attributes


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "{{ 7*7 }} {% for x in range(10**9) %}{% endfor %}",
        "[x](javascript:alert(1)) ![y](https://127.0.0.1:9/t.png)",
        "| a | b |\n|---|---|",
        "<!-- hidden --> &amp; &#60;b&#62;",
        "{props.secret} <Component />",
    ],
)
def test_known_payloads_stay_text(baseline, text: str) -> None:
    policy = compile_policy(_contract(text), file="hostile.sla")
    raw_html = render_html(policy, "en")
    md = render_markdown(policy, "en")
    for page, base in ((_page(raw_html), baseline[0]), (_page(_md_html(md)), baseline[1])):
        assert _squash(text) in _squash("".join(page.text))
        assert page.tags <= base.tags | {"br", "wbr"} and page.attributes <= base.attributes


class _Listener:
    """A local TCP listener that counts connections."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]

    def connections(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


def test_pdf_fetches_nothing_a_contract_points_at(tmp_path: Path) -> None:
    """Links, and markup in texts, aimed at a local listener and a local file: the PDF asks for neither."""
    from slac.render import render_pdf

    listener = _Listener()
    try:
        secret = tmp_path / "secret.png"
        secret.write_bytes(b"\x89PNG\r\n\x1a\n")
        web = f"https://127.0.0.1:{listener.port}"
        text = f'<img src="{web}/img.png"> <link rel=stylesheet href="{secret.as_uri()}"> url({web}/bg.png)'
        source = _contract(text, link=f"{web}/sla").replace('"https://www.websoft9.com/ticket"', f'"{web}/ticket"')
        policy = compile_policy(source, file="hostile.sla")
        pdf = render_pdf(policy, "en")
        assert pdf.startswith(b"%PDF")
        assert listener.connections() == 0
        import io

        import pypdf

        text_of_pdf = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert f"127.0.0.1:{listener.port}/img.png" in text_of_pdf  # printed as text, never requested
    finally:
        listener.sock.close()


def test_links_keep_only_safe_schemes() -> None:
    """Second line of defence behind E0406: the renderer itself never makes a script or file link."""
    from slac.render.markup import safe_url

    assert safe_url("javascript:alert(1)") is None
    assert safe_url("file:///etc/passwd") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url('https://a.example/"><script>') == "https://a.example/%22%3E%3Cscript%3E"
