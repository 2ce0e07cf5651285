"""Issue 12, the front end of ticket clocks: harbor-desk.sla parses as written, every new term reaches the AST
(with its position), the checks (E0730, E0731, E0308, W0810, W0811), and the policy in format 1.2; 1.0 and 1.1
policies still load. The examples run on the ticket-clock runtime (merged from i12r)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

import slac
from slac import nodes as n
from slac import policy as pol
from slac.driver import compile_source

from .conftest import ROOT

HARBOR = ROOT / "contracts" / "harbor-desk.sla"
NORMATIVE = Path("/work/shared/contracts/harbor-desk.sla")
# SHA-256 of the normative contract as issued (sha256sum /work/shared/contracts/harbor-desk.sla).
NORMATIVE_SHA256 = "9214475ce4c873e42378737a3cc96adfb275db2d24b38f12e3c4de3992eb5c87"
GOLDEN = ROOT / "tests" / "golden" / "policy" / "harbor-desk.json"
SOURCE = HARBOR.read_text(encoding="utf-8")


def harbor_policy() -> dict[str, Any]:
    compiled = compile_source(SOURCE, file="contracts/harbor-desk.sla", examples=False)
    assert compiled.ok and not compiled.diagnostics, (compiled.diagnostics, compiled.failure)
    assert compiled.policy is not None
    return compiled.policy


def without_examples(source: str) -> str:
    return source[: source.index("  example ")] + "}\n"


# ---- the contract as written ---------------------------------------------------------------------


def test_harbor_desk_is_the_normative_contract_byte_for_byte() -> None:
    data = HARBOR.read_bytes()
    assert hashlib.sha256(data).hexdigest() == NORMATIVE_SHA256
    if NORMATIVE.exists():  # the shared copy, where it can be seen
        assert data == NORMATIVE.read_bytes()


def test_every_new_term_reaches_the_ast_with_its_position() -> None:
    doc = slac.parse(SOURCE, file="h.sla")
    clock = doc.sla.first(n.TicketClock)
    assert clock is not None and clock.span.line == 50
    pause = clock.first(n.PauseWhen)
    assert pause is not None and [s.value for s in pause.statuses] == ["pending_customer", "on_hold"]
    # `    pause when status pending_customer on_hold`: `pending_customer` starts in column 23.
    assert (pause.statuses[0].span.line, pause.statuses[0].span.column) == (51, 23)
    warn = clock.first(n.WarnAt)
    assert warn is not None and str(warn.percent.value) == "75" and warn.span.line == 52
    business = doc.sla.all(n.Tier)[0]
    (update,) = business.all(n.Update)
    assert (update.priority.value, update.every.raw, update.during.value, update.span.line) == (
        "p1",
        "1h",
        "always",
        59,
    )
    resolves = business.all(n.Resolve)
    assert [(r.priority.value, r.within.raw, r.during.value) for r in resolves] == [
        ("p1", "4h", "always"),
        ("p2", "18h", "office"),
    ]
    late = doc.sla.all(n.Credit)[1]
    miss = late.first(n.PerMiss)
    assert miss is not None and miss.target == "resolution" and isinstance(miss.amount, n.ServiceDays)
    examples = doc.sla.all(n.Example)
    paused = examples[2].all(n.Ticket)[0]
    assert [(p.at.raw, p.duration.raw) for p in paused.pauses] == [("2026-04-08T09:00+08:00", "24h")]
    assert paused.resolved is not None and paused.resolved.raw == "2026-04-10T09:30+08:00"
    updated = examples[3].all(n.Ticket)[0]
    assert [u.raw for u in updated.updates] == ["2026-05-20T10:15+08:00", "2026-05-20T11:30+08:00"]
    assert updated.outage
    assert examples[1].first(n.ExpectMissedResolutions).value.value == 20  # type: ignore[union-attr]
    assert examples[3].first(n.ExpectMissedUpdates).value.value == 1  # type: ignore[union-attr]


def test_business_days_in_every_target() -> None:
    source = SOURCE.replace("respond p2 within 4h    during office", "respond p2 within 1 business_day during office")
    source = source.replace("resolve p2 within 18h   during office", "resolve p2 within 3 business_days during office")
    source = source.replace("update  p1 every 1h     during always", "update  p1 every 2 business_days during office")
    doc = slac.parse(source, file="h.sla")
    tier = doc.sla.all(n.Tier)[0]
    respond = tier.all(n.Respond)[1]
    assert isinstance(respond.within, n.BusinessDays) and respond.within.count.value == 1
    assert respond.within.raw == "1 business_day"
    policy = compile_source(without_examples(source), file="h.sla").policy
    assert policy is not None
    business = policy["tiers"][0]
    assert business["responses"][1] == {"priority": "p2", "business_days": 1, "calendar": "office", "line": 61}
    assert business["resolutions"][1] == {"priority": "p2", "business_days": 3, "calendar": "office", "line": 62}
    assert business["updates"] == [{"priority": "p1", "business_days": 2, "calendar": "office", "line": 59}]


def test_a_number_without_unit_suggests_business_days() -> None:
    bad = SOURCE.replace("resolve p2 within 18h", "resolve p2 within 2 days")
    (diag,) = slac.check(bad, file="h.sla")
    assert diag.code == "E0101" and diag.hint is not None and "`2 business_days`" in diag.hint


# ---- the policy (format 1.2) ---------------------------------------------------------------------


def test_policy_golden(golden) -> None:
    golden(GOLDEN, pol.to_json(harbor_policy()))


def test_policy_has_the_issue_12_shape() -> None:
    policy = harbor_policy()
    assert policy["format_version"] == "1.2"
    assert policy["ticket_clock"] == {"line": 50, "pause": ["pending_customer", "on_hold"], "warn_percent": "75"}
    business, enterprise = policy["tiers"]
    # 4h = 14 400 s, 18h = 64 800 s, 1h = 3 600 s; 2h = 7 200 s, 9h = 32 400 s, 30min = 1 800 s.
    assert business["resolutions"] == [
        {"priority": "p1", "calendar": "always", "line": 60, "within_seconds": 14_400},
        {"priority": "p2", "calendar": "office", "line": 62, "within_seconds": 64_800},
    ]
    assert business["updates"] == [{"priority": "p1", "calendar": "always", "line": 59, "every_seconds": 3_600}]
    assert [r["within_seconds"] for r in enterprise["resolutions"]] == [7_200, 32_400]
    assert enterprise["updates"][0]["every_seconds"] == 1_800
    assert business["responses"][0] == {"priority": "p1", "within_seconds": 1_800, "calendar": "always", "line": 58}
    downtime, late = policy["credits"]
    assert downtime["per_miss"] is None
    assert late["per_miss"] == {"amount": {"service_days": "1"}, "line": 80, "target": "resolution"}
    paused = policy["examples"][2]["events"][0]
    assert paused["pauses"] == [{"at": "2026-04-08T09:00:00+08:00", "duration_seconds": 86_400}]
    assert paused["resolved"] == "2026-04-10T09:30:00+08:00" and "updates" not in paused
    updated = policy["examples"][3]["events"][0]
    assert updated["updates"] == ["2026-05-20T10:15:00+08:00", "2026-05-20T11:30:00+08:00"]
    assert "pauses" not in updated
    expect = policy["examples"][3]["expect"]
    assert expect["missed_updates"] == {"count": 1, "line": 129}
    assert expect["missed_resolutions"] == {"count": 0, "line": 130}
    assert policy["examples"][1]["expect"]["missed_resolutions"] == {"count": 20, "line": 111}


def test_a_contract_without_the_terms_has_none_of_the_keys() -> None:
    policy = slac.compile_policy((ROOT / "contracts" / "websoft9.sla").read_text(encoding="utf-8"), file="w.sla")
    assert "ticket_clock" not in policy
    assert all("resolutions" not in t and "updates" not in t for t in policy["tiers"])
    assert all("target" not in (c["per_miss"] or {}) for c in policy["credits"])
    events = [e for ex in policy["examples"] for e in ex["events"] if e["kind"] == "ticket"]
    assert events and all({"updates", "pauses", "resolved"}.isdisjoint(e) for e in events)


def test_the_view_has_typed_ticket_fields_and_defaults() -> None:
    view = pol.load(harbor_policy())
    assert view.ticket_clock is not None
    assert view.ticket_clock.pause == ("pending_customer", "on_hold") and view.ticket_clock.warn_percent == "75"
    business = view.tiers["business"]
    assert [(r.priority, r.within_seconds, r.business_days) for r in business.resolutions] == [
        ("p1", 14_400, None),
        ("p2", 64_800, None),
    ]
    assert [(u.priority, u.every_seconds, u.calendar) for u in business.updates] == [("p1", 3_600, "always")]
    old = pol.load(slac.compile_policy((ROOT / "contracts" / "acme-crm.sla").read_text(encoding="utf-8"), file="a"))
    assert old.ticket_clock is None
    assert all(t.resolutions == () and t.updates == () for t in old.tiers.values())


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_older_policies_still_load(version: str) -> None:
    raw = json.loads((ROOT / "tests" / "golden" / "policy" / "websoft9.json").read_text(encoding="utf-8"))
    raw["format_version"] = version
    raw["content_hash"] = pol.content_hash(raw)
    view = pol.load(raw)
    assert view.format_version == version and view.ticket_clock is None
    assert all(r.business_days is None and r.within_seconds for t in view.tiers.values() for r in t.responses)


def test_the_schema_refuses_a_target_with_both_or_neither_length() -> None:
    policy = harbor_policy()
    both = json.loads(json.dumps(policy))
    both["tiers"][0]["resolutions"][0]["business_days"] = 2
    neither = json.loads(json.dumps(policy))
    del neither["tiers"][0]["updates"][0]["every_seconds"]
    wrong = json.loads(json.dumps(policy))
    wrong["credits"][1]["per_miss"]["target"] = "response"
    for bad in (both, neither, wrong):
        bad["content_hash"] = pol.content_hash(bad)
        with pytest.raises(pol.PolicyError):
            pol.load(bad)


# ---- checks ------------------------------------------------------------------------------------------

BASE = without_examples(SOURCE)


@pytest.mark.parametrize(
    "old,new,code,words",
    [
        ("warn at 75%", "warn at 100%", "E0731", "`warn at 100%`"),
        ("warn at 75%", "warn at 0%", "E0731", "`warn at 0%`"),
        ("status pending_customer on_hold", "status on_hold pending_customer on_hold", "E0308", "`on_hold`"),
        ("resolve p1 within 2h    during always", "resolve p1 within 10min during always", "E0730", "sooner"),
        ("update  p1 every 30min  during always", "update  p1 every 3h during always", "W0810", "every 3h"),
        ("resolve p2 within 18h   during office", "resolve p2 within 2d during office", "W0811", "48 open hours"),
        ("respond p2 within 4h    during office", "respond p2 within 1d during office", "W0811", "24 open hours"),
        ("resolve p2 within 18h   during office", "resolve p2 within 1d12h during office", "W0811", "36 open hours"),
        ("resolve p2 within 18h   during office", "resolve p2 within 18h during offic", "E0304", "`offic`"),
        ("resolve p1 within 4h ", "resolve p3 within 4h ", "E0303", "`p3`"),
        ("warn at 75%", "warn at 75%\n    warn at 50%", "E0702", "`warn at` twice"),
    ],
)
def test_checks_of_ticket_clocks(old: str, new: str, code: str, words: str) -> None:
    assert old in BASE
    found = [d for d in slac.check(BASE.replace(old, new, 1), file="h.sla") if d.code == code]
    assert len(found) == 1 and words in found[0].message, found
    assert found[0].hint


def test_the_days_trap_says_what_it_counts_and_what_to_write() -> None:
    (diag,) = slac.check(BASE.replace("resolve p2 within 18h", "resolve p2 within 2d"), file="h.sla")
    # office is open 09:00–18:00 on weekdays: 2d = 48 open hours, more than five of its 9-hour days.
    assert diag.severity == "warning"
    assert diag.message == "`2d during office` counts 48 open hours of `office`, not two working days"
    assert diag.hint is not None and "`2 business_days`" in diag.hint
    assert (diag.span.line, diag.span.column) == (62, 23)


def test_no_days_trap_around_the_clock_nor_for_business_days() -> None:
    around = BASE.replace("resolve p1 within 4h    during always", "resolve p1 within 1d during always")
    working = BASE.replace("resolve p2 within 18h   during office", "resolve p2 within 2 business_days during office")
    assert slac.check(around, file="h.sla") == [] and slac.check(working, file="h.sla") == []


def test_targets_measured_differently_are_not_compared() -> None:
    # 20min around the clock against the 30min response would be E0730; 20min during office is another measure.
    other = BASE.replace("resolve p1 within 4h    during always", "resolve p1 within 20min during office")
    assert [d.code for d in slac.check(other, file="h.sla")] == []


def test_an_unknown_status_is_fine() -> None:
    assert slac.check(BASE.replace("on_hold", "waiting_on_vendor"), file="h.sla") == []


# ---- examples (the runtime's part) -----------------------------------------------------------------


def test_harbor_desk_compiles_everything_before_its_examples() -> None:
    compiled = compile_source(SOURCE, file="contracts/harbor-desk.sla", examples=False)
    assert compiled.ok and compiled.diagnostics == []


def test_business_days_with_examples_never_give_a_traceback() -> None:
    # The ticket-clock evaluator counts business days: p2's responses after 30 min meet 1 business_day.
    source = SOURCE.replace("respond p2 within 4h    during office", "respond p2 within 1 business_day during office")
    assert slac.check(source, file="h.sla") == []


def test_harbor_desk_examples_hold() -> None:
    compiled = compile_source(SOURCE, file="contracts/harbor-desk.sla")
    assert compiled.ok, compiled.diagnostics
    assert len(compiled.results) == 4


# ---- fmt -----------------------------------------------------------------------------------------------


def test_fmt_golden_idempotent_comments_and_policy_kept(golden) -> None:
    from slac.fmt import format_source

    formatted = format_source(SOURCE, file="h.sla")
    golden(ROOT / "tests" / "golden" / "fmt" / "harbor-desk.sla", formatted)
    assert format_source(formatted, file="h.sla") == formatted
    comments = [line.split("#", 1)[1] for line in SOURCE.splitlines() if "#" in line]
    assert [line.split("#", 1)[1] for line in formatted.splitlines() if "#" in line] == comments
    # The tier tables are as the contract writes them: respond, update and resolve in one table.
    assert "    update  p1 every 1h     during always\n    resolve p1 within 4h    during always\n" in formatted

    def policy(text: str) -> dict[str, Any]:
        compiled = compile_source(text, file="h.sla", examples=False).policy
        assert compiled is not None
        return {k: v for k, v in compiled.items() if k not in ("content_hash", "contract")}

    assert policy(formatted) == policy(SOURCE)


def test_fmt_lays_out_a_scrambled_ticket_clock_canonically() -> None:
    from slac.fmt import format_source

    messy = BASE.replace("    update  p1 every 1h     during always", "  update p1   every   1h during    always")
    messy = messy.replace("respond p2 within 4h    during office", "respond p2 within 1   business_day during office")
    messy = messy.replace("    warn at 75%  ", "        warn   at 75%  ")
    out = format_source(messy, file="h.sla")
    # `within 1 business_day` (21 characters) is the widest cell of the column: `every 1h` is padded to it.
    assert "    update  p1 every 1h" + " " * 14 + "during always\n" in out
    assert "    respond p2 within 1 business_day during office\n" in out
    assert "\n    warn at 75%  " in out
    assert format_source(out, file="h.sla") == out


@pytest.mark.parametrize(
    "old,new,words",
    [
        ("resolve p1 within 2h    during always", "resolve p1 within 5h during always", "within 5h, slower than"),
        ("update  p1 every 30min  during always", "update  p1 every 90min during always", "every 90min, slower"),
    ],
)
def test_a_higher_tier_promising_slower_tickets_is_a_warning(old: str, new: str, words: str) -> None:
    # enterprise (declared after business) against business: p1 resolved within 4h, updated every 1h.
    (diag,) = slac.check(BASE.replace(old, new), file="h.sla")
    assert diag.code == "W0812" and words in diag.message and diag.severity == "warning"


@pytest.mark.parametrize(
    "old,new,words",
    [
        ("resolved 2026-04-10T09:30+08:00", "resolved 2026-04-06T09:30+08:00", "resolved before it is opened"),
        ("updated 2026-05-20T10:15+08:00", "updated 2026-05-19T10:15+08:00", "updated before it is opened"),
        ("updated 2026-05-20T11:30+08:00", "updated 2026-05-20T12:30+08:00", "updated after it is resolved"),
        ("paused 2026-04-08T09:00+08:00", "paused 2026-04-11T09:00+08:00", "paused after it is resolved"),
    ],
)
def test_example_ticket_events_fall_between_opening_and_resolution(old: str, new: str, words: str) -> None:
    found = [d for d in slac.check(SOURCE.replace(old, new, 1), file="h.sla") if d.code == "E0709"]
    # Resolved before the opening also puts the ticket's later pause after its resolution: two errors there.
    assert [d.message for d in found if d.message == f"this ticket is {words}"] == [f"this ticket is {words}"]


def test_business_days_are_bounded_by_the_deadline_horizon() -> None:
    # limits.MAX_DEADLINE_DAYS is 3,660: one more is refused where it is written.
    (diag,) = slac.check(BASE.replace("resolve p2 within 18h", "resolve p2 within 3661 business_days"), file="h.sla")
    assert diag.code == "E0213" and "3661 business_days" in diag.message and diag.span.line == 62
    # `office` is open 5 days a week: 3,660 business days end about 5,124 days on, past the horizon (E0227);
    # 2,600 end about 3,640 days on, inside it.
    (diag,) = slac.check(BASE.replace("resolve p2 within 18h", "resolve p2 within 3660 business_days"), file="h.sla")
    assert diag.code == "E0227" and "about 5,124 days" in diag.message and diag.span.line == 62
    assert slac.check(BASE.replace("resolve p2 within 18h", "resolve p2 within 2600 business_days"), file="h.sla") == []


def test_the_language_server_follows_priorities_and_calendars_into_ticket_targets() -> None:
    from slac.lsp.analysis import Analysis

    analysis = Analysis.of(SOURCE, "harbor-desk.sla", examples=False)
    # p1 is named by `respond`, `update` and `resolve` in both tiers (lines 58–60 and 67–69), office by p2's targets.
    lines = {o.span.line for o in analysis.occurrences("priority", "p1")}
    assert {58, 59, 60, 67, 68, 69} <= lines
    office = {o.span.line for o in analysis.occurrences("calendar", "office")}
    assert {61, 62, 70, 71} <= office


@pytest.mark.parametrize(
    "field,value,words",
    [("calendar", "nights", "measures resolutions in unknown calendar `nights`"), ("priority", "p9", "`p9`")],
)
def test_the_loader_refuses_a_resolution_pointing_at_nothing(field: str, value: str, words: str) -> None:
    raw = json.loads(json.dumps(harbor_policy()))
    raw["tiers"][0]["resolutions"][0][field] = value
    raw["content_hash"] = pol.content_hash(raw)
    with pytest.raises(pol.PolicyError, match=words):
        pol.load(raw)
