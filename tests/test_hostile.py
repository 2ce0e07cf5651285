"""Hostile contract text: hidden characters refused, addresses restricted, markup and templates kept as data."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slac
from slac import limits
from slac.errors import format_text

from .test_checks import SKELETON, codes, diagnostics, mutate, only


def _at(source: str, needle: str) -> tuple[int, int]:
    index = source.index(needle)
    return source.count("\n", 0, index) + 1, index - (source.rfind("\n", 0, index) + 1) + 1


# ---- bidi controls and invisible characters ----------------------------------------------------------

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("ch", BIDI, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(
    "where",
    ['"The service."', "# comment", "define service"],
    ids=["text", "comment", "name"],
)
def test_bidi_controls_are_errors_everywhere(ch: str, where: str) -> None:
    source = SKELETON.replace("calendar always {", "calendar always { # comment")
    target = where if where != "define service" else "service"
    hostile = source.replace(target, target[:4] + ch + target[4:], 1)
    d = only(hostile, "E0132")
    assert f"U+{ord(ch):04X}" in d.message
    assert (d.span.line, d.span.column) == _at(hostile, ch)


def test_trojan_source_in_a_clause_is_refused() -> None:
    # Displays as "… pays 50 % credit" in a bidi-aware viewer, says something else.
    trojan = '"The provider pays \u202e%05\u202c credit."'
    found = diagnostics(mutate(('"The service."', trojan)))
    assert [d.code for d in found] == ["E0132", "E0132"]
    assert "RIGHT-TO-LEFT OVERRIDE" in found[0].message and "POP DIRECTIONAL FORMATTING" in found[1].message


@pytest.mark.parametrize("ch", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200f"])
def test_invisible_character_in_a_name_is_an_error(ch: str) -> None:
    hostile = mutate(("applies pro", f"applies p{ch}ro"))
    d = only(hostile, "E0133")
    assert f"U+{ord(ch):04X}" in d.message
    assert (d.span.line, d.span.column) == _at(hostile, ch)


@pytest.mark.parametrize("ch", ["\u200b", "\u200d", "\u00ad"])
def test_invisible_character_in_a_text_is_a_warning_that_names_it(ch: str) -> None:
    hostile = mutate(('"The service."', f'"The ser{ch}vice."'))
    d = only(hostile, "W0806")
    assert d.severity == "warning" and f"U+{ord(ch):04X}" in d.message
    # A warning: the contract still compiles, and the character is kept as written.
    policy = slac.compile_policy(hostile, file="t.sla")
    [service] = [x for x in policy["definitions"] if x["id"] == "service"]
    assert service["text"]["en"] == f"The ser{ch}vice."


def test_a_leading_bom_in_a_file_is_dropped_but_a_later_one_is_refused(tmp_path) -> None:
    from click.testing import CliRunner

    from slac.cli import main

    path = tmp_path / "bom.sla"
    path.write_bytes(b"\xef\xbb\xbf" + SKELETON.encode("utf-8"))
    assert CliRunner().invoke(main, ["check", str(path)]).exit_code == 0
    assert codes(mutate(("version   ", "version \ufeff  "))) == ["E0133"]


@pytest.mark.parametrize(
    ("ch", "label"),
    [
        ("\x00", "NUL"),
        ("\x1b", "U+001B"),  # an ANSI escape would reach the terminal through the diagnostic excerpt
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
        ("\u2028", "LINE SEPARATOR"),
        ("\u2029", "PARAGRAPH SEPARATOR"),
        ("\r", "CARRIAGE RETURN"),
        ("\ud800", "lone surrogate"),  # only through the API: files are decoded strictly
        ("\uffff", "non-character"),
    ],
)
def test_control_characters_are_errors(ch: str, label: str) -> None:
    hostile = mutate(('"The service."', f'"The {ch}service."'))
    d = only(hostile, "E0131")
    assert label in d.message
    # The excerpt never prints the character itself.
    text = format_text([d], {"t.sla": hostile})
    assert ch not in text
    text.encode("utf-8")


def test_crlf_line_ends_are_not_control_characters() -> None:
    assert "E0131" not in codes(SKELETON.replace("\n", "\r\n"))


def test_a_file_full_of_nul_bytes_gives_a_bounded_report() -> None:
    found = diagnostics("\x00" * 100_000)
    assert len(found) == limits.MAX_CHARACTER_REPORTS and {d.code for d in found} == {"E0131"}


# ---- addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "hint"),
    [
        ("http://support.example.com", "https://support.example.com"),
        ("file:///etc/passwd", "https://"),
        ("javascript:alert(1)", "https://"),
        ("data:text/html,<script>alert(1)</script>", "percent-encode"),
        ("//support.example.com", "https://"),
        ("/support", "https://"),
        ("https://support.example.com@evil.example", "user@"),
        ('https://support.example.com/\\" onmouseover=\\"alert(1)', "percent-encode"),
        ("https://support.example.com/<script>", "percent-encode"),
        ("https://exаmple.com", "xn--"),  # a Cyrillic а: a look-alike host
        ("https://", "https://"),
        ("mailto:", "mailto:name@example.com"),
    ],
)
def test_channel_urls_refused(address: str, hint: str) -> None:
    d = only(mutate(('"https://support.example.com"', f'"{address}"')), "E0406")
    assert d.hint is not None and hint in d.hint


@pytest.mark.parametrize(
    "address",
    ["https://support.example.com", "https://support.example.com:8443/a?b=c#d", "mailto:help@example.com"],
)
def test_channel_urls_accepted(address: str) -> None:
    assert "E0406" not in codes(mutate(('"https://support.example.com"', f'"{address}"')))


@pytest.mark.parametrize(
    ("old", "what"),
    [('"https://status.example.com"', "status_page"), ('"https://cloud.example.com/sla"', "link")],
)
def test_mailto_only_for_channels(old: str, what: str) -> None:
    d = only(mutate((old, '"mailto:help@example.com"')), "E0406")
    assert "is not an https:// address" in d.message and what in d.message


# ---- markup and templates stay data ------------------------------------------------------------------

MARKUP = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    "{{ config.__class__.__init__.__globals__ }}",
    "{% include '/etc/passwd' %}{# #}",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "[terms](javascript:alert(1)) ![x](file:///etc/passwd) <https://evil.example>",
    "# Heading\n---\n*bold* _it_ `code` \\",
    "&amp; &lt;b&gt; &#x3C;",
    '"quoted" \\ back\\slash',
]


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@pytest.mark.parametrize("text", MARKUP)
def test_markup_in_texts_round_trips_byte_for_byte(text: str) -> None:
    source = mutate(
        ('"The service."', _literal(text)),
        ('name en "Urgent"', f"name en {_literal(text)}"),
        ('en "Cloud SLA"', f"en {_literal(text)}"),
    )
    policy = json.loads(slac.policy_json(slac.compile_policy(source, file="t.sla")))
    assert [d["text"]["en"] for d in policy["definitions"] if d["id"] == "service"] == [text]
    assert [p["name"]["en"] for p in policy["priorities"] if p["id"] == "urgent"] == [text]
    assert [link["name"]["en"] for link in policy["third_party"]] == [text]


_PROSE = st.text(st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=80)


@given(_PROSE.filter(lambda t: t.strip()))
def test_any_printable_text_round_trips(text: str) -> None:
    source = mutate(('"The service."', _literal(text)))
    policy = slac.compile_policy(source, file="t.sla")
    assert [d["text"]["en"] for d in policy["definitions"] if d["id"] == "service"] == [text]
