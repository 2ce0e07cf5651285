"""`slac lsp` end to end (pytest-lsp starts `python -m slac lsp` and speaks LSP to it over stdio)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types as t  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parent.parent
ACME = (ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8")
URI = (ROOT / "contracts" / "acme-crm.sla").as_uri()
LINES = ACME.split("\n")


def where(needle: str, nth: int = 0, offset: int = 0) -> t.Position:
    """The position of the `nth` occurrence of `needle` in the acme contract (plus `offset` characters)."""
    found = [(i, line.index(needle)) for i, line in enumerate(LINES) if needle in line]
    line, col = found[nth]
    return t.Position(line, col + offset)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "slac", "lsp"]))
async def client(lsp_client: LanguageClient):
    params = t.InitializeParams(capabilities=client_capabilities("visual_studio_code"), locale="en")
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def open_doc(client: LanguageClient, text: str, version: int = 1) -> None:
    client.text_document_did_open(t.DidOpenTextDocumentParams(t.TextDocumentItem(URI, "sla", version, text)))


def change(client: LanguageClient, text: str, version: int) -> None:
    client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(version=version, uri=URI),
            [t.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_diagnostics_on_open_and_on_change(client: LanguageClient) -> None:
    open_doc(client, ACME)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[URI]) == []
    typo = ACME.replace("respond high", "respond hihg", 1)
    change(client, typo, 2)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (diag,) = list(client.diagnostics[URI])
    assert diag.code == "E0303" and "`hihg`" in diag.message and "did you mean `high`?" in diag.message
    row = next(i for i, ln in enumerate(typo.split("\n")) if "respond hihg" in ln)
    pos = t.Position(row, typo.split("\n")[row].index("hihg"))
    # The underline covers exactly the four characters of `hihg`.
    assert (diag.range.start, diag.range.end) == (pos, t.Position(pos.line, pos.character + 4))


async def test_hover_says_what_a_response_target_compiles_to(client: LanguageClient) -> None:
    open_doc(client, ACME)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    line = next(ln for ln in LINES if ln.strip().startswith("respond") and "during" in ln)
    words = line.split()  # respond PRIORITY within DURATION during CALENDAR
    duration, calendar = words[3], words[5]
    pos = where(line.strip(), offset=1)
    result = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), pos))
    assert result is not None
    text = result.contents.value
    # The seconds are computed from the source's duration: e.g. 1h = 3600 s, 30min = 1800 s.
    seconds = _seconds(duration)
    assert f"{duration} → {seconds} s of open time in `{calendar}`" in text
    assert "response target" in text.lower()


def _seconds(raw: str) -> int:
    import re

    unit = {"d": 86400, "h": 3600, "min": 60, "s": 1}
    return sum(int(v) * unit[u] for v, u in re.findall(r"(\d+)(min|d|h|s)", raw))


async def test_completion_offers_block_keywords_and_declared_names(client: LanguageClient) -> None:
    tier_line = where("tier starter {").line
    text = "\n".join(LINES[: tier_line + 1] + ["    ", "    respond "] + LINES[tier_line + 1 :])
    open_doc(client, ACME)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    change(client, text, 2)  # being typed: does not parse, the names of the last text that did are kept
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[URI])  # the half-typed statement is an error
    at_start = await client.text_document_completion_async(
        t.CompletionParams(t.TextDocumentIdentifier(URI), t.Position(tier_line + 1, 4))
    )
    labels = {i.label for i in at_start.items}
    assert {"uptime", "respond", "support", "name"} <= labels and "hours" not in labels
    after_respond = await client.text_document_completion_async(
        t.CompletionParams(t.TextDocumentIdentifier(URI), t.Position(tier_line + 2, len("    respond ")))
    )
    priorities = {ln.split()[1] for ln in LINES if ln.strip().startswith("priority ")}
    assert {i.label for i in after_respond.items} == priorities


async def test_definition_references_and_rename(client: LanguageClient) -> None:
    open_doc(client, ACME)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    use = where("respond high", offset=len("respond "))
    doc = t.TextDocumentIdentifier(URI)
    definition = await client.text_document_definition_async(t.DefinitionParams(doc, use))
    decl = where("priority high", offset=len("priority "))
    assert definition.range.start == decl
    refs = await client.text_document_references_async(
        t.ReferenceParams(text_document=doc, position=use, context=t.ReferenceContext(include_declaration=True))
    )
    # Every `high` the priority appears as: its declaration, `downgrade high`, each `respond`/`ticket high`.
    forms = (["priority", "high"], ["downgrade", "high"], ["respond", "high"], ["ticket", "high"])
    expected = sum(ln.split()[:2] in forms for ln in LINES)
    assert len(refs) == expected and expected > 2
    edit = await client.text_document_rename_async(t.RenameParams(doc, use, "critical"))
    edits = edit.changes[URI]
    assert len(edits) == expected and {e.new_text for e in edits} == {"critical"}


async def test_formatting_and_symbols(client: LanguageClient) -> None:
    messy = ACME.replace("respond high", "respond    high", 1)
    open_doc(client, messy)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    edits = await client.text_document_formatting_async(
        t.DocumentFormattingParams(t.TextDocumentIdentifier(URI), t.FormattingOptions(tab_size=2, insert_spaces=True))
    )
    from slac.fmt import format_source

    assert len(edits) == 1 and edits[0].new_text == format_source(messy)
    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(t.TextDocumentIdentifier(URI)))
    tiers = [s.name for s in symbols if s.detail == "tier"]
    assert tiers == [ln.split()[1] for ln in LINES if ln.strip().startswith("tier ") and ln.strip().endswith("{")]


async def test_rename_refuses_a_name_already_declared(client: LanguageClient) -> None:
    from pygls.exceptions import JsonRpcException

    open_doc(client, ACME)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    use = where("respond high", offset=len("respond "))
    with pytest.raises(JsonRpcException, match="already declared"):
        await client.text_document_rename_async(t.RenameParams(t.TextDocumentIdentifier(URI), use, "urgent"))


async def test_diagnostics_after_edits_are_those_of_a_full_compile(client: LanguageClient) -> None:
    from slac.driver import compile_source
    from slac.lsp.server import to_lsp

    # A typo, then a new line above it (the statements below move down), then the typo fixed.
    typo = ACME.replace("respond high", "respond hihg", 1)
    first_tier = typo.index("  tier ")
    versions = [ACME, typo, typo[:first_tier] + "\n" + typo[first_tier:], ACME[:first_tier] + "\n" + ACME[first_tier:]]
    open_doc(client, versions[0])
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    for version, text in enumerate(versions[1:], 2):
        change(client, text, version)
        await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        full = compile_source(text, file=str(ROOT / "contracts" / "acme-crm.sla"), validate_schema=False)
        expected = [to_lsp(text, d) for d in full.diagnostics]
        got = list(client.diagnostics[URI])
        assert [(d.code, d.range, d.message) for d in got] == [(d.code, d.range, d.message) for d in expected]
        assert bool(got) == (text.count("hihg") == 1)


async def test_hover_and_completion_of_a_service_with_its_names(client: LanguageClient) -> None:
    nimbus = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    lines = nimbus.split("\n")
    open_doc(client, nimbus)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    row = next(i for i, ln in enumerate(lines) if "uptime 99.9%  for object_storage" in ln)
    pos = t.Position(row, lines[row].index("object_storage") + 2)
    result = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(URI), pos))
    assert result is not None and "service `object_storage`" in result.contents.value
    assert "name: **en** Object Storage · **zh** 对象存储" in result.contents.value  # from `name en "…" zh "…"`
    period = next(i for i, ln in enumerate(lines) if ln.strip() == "period 2026-05")
    typed = "    charges "
    change(client, "\n".join(lines[: period + 1] + [typed] + lines[period + 1 :]), 2)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    items = await client.text_document_completion_async(
        t.CompletionParams(t.TextDocumentIdentifier(URI), t.Position(period + 1, len(typed)))
    )
    by_label = {i.label: i for i in items.items}
    assert set(by_label) == {"compute", "object_storage"}
    assert by_label["compute"].detail == "service · Compute / 计算服务"


async def test_rename_of_a_region_renames_every_use_and_refuses_another_region(client: LanguageClient) -> None:
    from pygls.exceptions import JsonRpcException

    nimbus = (ROOT / "contracts" / "nimbus-cloud.sla").read_text(encoding="utf-8")
    lines = nimbus.split("\n")
    open_doc(client, nimbus)
    await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    row = next(i for i, ln in enumerate(lines) if "charges compute eu_west" in ln)
    pos = t.Position(row, lines[row].index("eu_west"))
    doc = t.TextDocumentIdentifier(URI)
    edit = await client.text_document_rename_async(t.RenameParams(doc, pos, "ap_south"))
    # Every `eu_west` outside comments is a use of the region (the contract's comments do not name it).
    uses = sum(ln.split("#")[0].split().count("eu_west") for ln in lines)
    assert len(edit.changes[URI]) == uses and uses >= 3
    with pytest.raises(JsonRpcException, match="already named"):
        await client.text_document_rename_async(t.RenameParams(doc, pos, "us_east"))
