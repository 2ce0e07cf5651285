"""Every anchor of a document is unique, the same in every edition, and every cross-reference reaches the clause it
names, also where a definition shares its id with an exclusion or a generated clause (each kind of declaration has
its own namespace, so `define scheduled_maintenance` and `exclude scheduled_maintenance` may both exist)."""

from __future__ import annotations

import re

import pytest

from slac import compile_policy
from slac.render import editions, render_html, render_markdown
from slac.render.doc import clause_anchors

from .conftest import ROOT

DEFINES = """  define scheduled_maintenance {
    en "“Scheduled maintenance” means maintenance announced in advance."
    zh "“计划维护”是指事先通知的维护。"
  }
  define termination {
    en "“Termination” means the end of the agreement."
    zh "“终止”是指协议的终止。"
  }

  calendar always {"""


def _clashing() -> dict:
    source = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    assert "  calendar always {" in source
    return compile_policy(source.replace("  calendar always {", DEFINES, 1), file="clash.sla")


def _clause_at(md: str, anchor: str) -> str:
    """The number of the clause that carries `anchor` (`### 4.5 … {#a}` or `<a id="a"></a>**1.4**`)."""
    heading = re.search(rf"^### (\S+) .* \{{#{anchor}\}}$", md, re.M)
    para = re.search(rf'<a id="{anchor}"></a>\*\*(\S+)\*\*', md)
    found = [m.group(1) for m in (heading, para) if m]
    assert len(found) == 1, (anchor, found)
    return found[0]


@pytest.mark.parametrize("edition", ["en", "zh", "bilingual"])
def test_a_reference_reaches_the_clause_it_numbers_where_ids_are_shared(edition: str) -> None:
    policy = _clashing()
    md = render_markdown(policy, edition)
    refs = re.findall(r"\[(\d+\.\d+)\]\(#([a-z0-9-]+)\)", md)
    # 3.1 cites exclusion 5.1 (scheduled maintenance), the examples cite 4.1 (the credit) and 4.5 (termination),
    # while definitions 1.4 and 1.5 are “Scheduled maintenance” and “Termination”.
    assert ("5.1", "limitations-scheduled-maintenance") in refs
    assert ("4.5", "compensation-termination") in refs
    assert ("4.1", "compensation-downtime") in refs
    for number, anchor in refs:
        assert _clause_at(md, anchor) == number, (number, anchor)
    assert _clause_at(md, "scheduled-maintenance") == "1.4" and _clause_at(md, "termination") == "1.5"


def test_no_two_elements_share_an_id_and_every_edition_has_the_same() -> None:
    policy = _clashing()
    seen = []
    for edition in editions(policy):
        page = render_html(policy, edition)
        ids = re.findall(r' id="([^"]+)"', page)
        assert len(ids) == len(set(ids)), edition
        assert not set(re.findall(r'href="#([^"]+)"', page)) - set(ids), edition
        seen.append(sorted(ids))
    assert all(s == seen[0] for s in seen)


def test_the_first_clause_keeps_its_id_and_a_later_one_is_named_by_its_section() -> None:
    sections: list[tuple[str, list[str | None]]] = [
        ("definitions", ["downtime", "compensation_downtime"]),
        ("compensation", ["downtime", "cap"]),
        ("limitations", ["cap", "examples"]),
        ("examples", [None, None]),
    ]
    assert clause_anchors(sections) == [
        ["downtime", "compensation-downtime"],
        ["compensation-downtime-2", "cap"],  # its section's name is a defined term's id already
        ["limitations-cap", "limitations-examples"],  # `examples` is a section's anchor
        ["examples-1", "examples-2"],
    ]
