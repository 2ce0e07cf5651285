"""`publish { … }` (issue 14): a contract sets its docs-site front matter per language; the CLI's
flags override it; a bad slug or position is a contract error; a contract without it compiles to
the same policy as before (no `publish` key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import slac
from slac.cli import main
from slac.errors import SlaError
from slac.render import front_matter, render_markdown

from .conftest import ROOT

SOURCE = (ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8")
# The original page is published at /legal/sla as the fifth page of its sidebar.
PUBLISH = """  publish {
    title    zh "服务等级协议（SLA）" en "Service Level Agreement (SLA)"
    slug     "/legal/sla"
    position 5
  }
"""


def _with(block: str) -> str:
    return SOURCE.replace("  billing   monthly\n", "  billing   monthly\n" + block, 1)


def test_publish_sets_title_slug_and_position_per_edition() -> None:
    policy = slac.compile_policy(_with(PUBLISH), file="websoft9.sla")
    assert front_matter(policy, "zh") == {"title": "服务等级协议（SLA）", "slug": "/legal/sla", "sidebar_position": 5}
    assert front_matter(policy, "en") == {
        "title": "Service Level Agreement (SLA)",
        "slug": "/legal/sla/en",
        "sidebar_position": 5,
    }
    assert front_matter(policy, "bilingual")["slug"] == "/legal/sla/bilingual"
    md = render_markdown(policy, "zh")
    assert md.startswith('---\ntitle: "服务等级协议（SLA）"\nslug: "/legal/sla"\nsidebar_position: 5\n---\n')


def test_per_language_slugs_and_positions() -> None:
    block = PUBLISH.replace('slug     "/legal/sla"', 'slug     zh "/legal/sla" en "/en/legal/sla"').replace(
        "position 5", "position zh 5 en 7"
    )
    policy = slac.compile_policy(_with(block), file="websoft9.sla")
    assert front_matter(policy, "zh")["slug"] == "/legal/sla"
    assert front_matter(policy, "en") == {
        "title": "Service Level Agreement (SLA)",
        "slug": "/en/legal/sla",
        "sidebar_position": 7,
    }


def test_cli_flags_override_the_contract(tmp_path: Path) -> None:
    contract = tmp_path / "websoft9.sla"
    contract.write_text(_with(PUBLISH), encoding="utf-8")
    args = ["render", str(contract), "--lang", "zh", "--format", "md", "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "--slug", "/x", "--sidebar-position", "2", "--title", "T"])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "out" / "websoft9.zh.md").read_text(encoding="utf-8")
    assert md.startswith('---\ntitle: "T"\nslug: "/x"\nsidebar_position: 2\n---\n')


def test_a_contract_without_publish_keeps_its_policy() -> None:
    policy = slac.compile_policy(SOURCE, file="websoft9.sla")
    assert "publish" not in policy
    assert front_matter(policy, "zh") == {"title": "服务等级协议", "slug": "/websoft9", "sidebar_position": 1}


@pytest.mark.parametrize(
    ("block", "code"),
    [
        (PUBLISH.replace('"/legal/sla"', '"legal sla"'), "E0407"),
        (PUBLISH.replace("position 5", "position fr 5"), "E0402"),
        (PUBLISH.replace("position 5", "position zh 5 zh 6"), "E0403"),
        (PUBLISH.replace(' en "Service Level Agreement (SLA)"', ""), "E0401"),
        (PUBLISH + PUBLISH, "E0702"),
    ],
)
def test_bad_publish_blocks_are_contract_errors(block: str, code: str) -> None:
    with pytest.raises(SlaError) as err:
        slac.compile_policy(_with(block), file="websoft9.sla")
    assert code in {d.code for d in err.value.diagnostics}, [d.code for d in err.value.diagnostics]


def test_fmt_keeps_the_block(tmp_path: Path) -> None:
    contract = tmp_path / "websoft9.sla"
    contract.write_text(_with(PUBLISH), encoding="utf-8")
    result = CliRunner().invoke(main, ["fmt", str(contract)])
    assert result.exit_code == 0, result.output
    formatted = contract.read_text(encoding="utf-8")
    assert 'slug     "/legal/sla"' in formatted or 'slug "/legal/sla"' in formatted
    assert slac.compile_policy(formatted, file="websoft9.sla")["publish"]["position"] == 5


# -- `locale en "en-GB"`: the contract chooses the regional form of an edition (default en-US) ------

ACME = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8")


def _acme_with(line: str) -> str:
    head, sep, rest = ACME.partition("  languages en zh\n")
    assert sep
    return head + sep + line + rest


def test_locale_en_gb_writes_british_dates() -> None:
    policy = slac.compile_policy(_acme_with('  locale en "en-GB"\n'), file="acme-crm.sla")
    assert policy["locales"] == {"en": "en-GB"}
    md = render_markdown(policy, "en")
    assert "Version 3.0.0, effective 1 January 2026" in md
    assert "An interruption from 10 June 2026, 02:00 (UTC)" in md
    # The default stays en-US, and a contract without `locale` has no `locales` in its policy.
    plain = slac.compile_policy(ACME, file="acme-crm.sla")
    assert "locales" not in plain
    assert "Version 3.0.0, effective January 1, 2026" in render_markdown(plain, "en")


@pytest.mark.parametrize(
    ("line", "code"),
    [('  locale en "fr-FR"\n', "E0408"), ('  locale en "xx-??"\n', "E0408"), ('  locale fr "fr-FR"\n', "E0402")],
)
def test_bad_locales_are_contract_errors(line: str, code: str) -> None:
    with pytest.raises(SlaError) as err:
        slac.compile_policy(_acme_with(line), file="acme-crm.sla")
    assert code in {d.code for d in err.value.diagnostics}


def test_diff_names_a_change_of_the_published_page_as_neutral() -> None:
    """Moving the page or renaming it changes no service level, but the changelog says so."""
    from slac.change.diff import diff

    old = slac.compile_policy(_with(PUBLISH), file="websoft9.sla")
    new = slac.compile_policy(_with(PUBLISH.replace('"/legal/sla"', '"/legal/service-levels"')), file="websoft9.sla")
    changes = {c.term: c.kind for c in diff(old, new).changes}
    assert changes == {"publish:slug": "neutral"}
    without = diff(old, slac.compile_policy(SOURCE, file="websoft9.sla")).changes
    # (the examples move up by the block's lines: neutral changes of their own)
    removed = {c.term: c.kind for c in without if c.term.startswith("publish:")}
    assert removed == {"publish:title": "neutral", "publish:slug": "neutral", "publish:position": "neutral"}
