"""Policy → document model: numbered sections and clauses of text, lists and tables in one language.

The structure (which sections, clauses, rows and numbers exist) depends only on the policy, never on
the language, so every edition of a contract has the same clause numbering and two editions can be
zipped clause by clause into a bilingual one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from .formats import REFERENCE_MONTH_SECONDS, Formatter
from .strings import Catalogue, load


@dataclass(frozen=True)
class Link:
    """A hyperlink inside a paragraph; both parts are user text and escaped on output."""

    text: str
    url: str
    kind: ClassVar[str] = "link"


Inline = str | Link


@dataclass(frozen=True)
class Para:
    parts: tuple[Inline, ...]
    kind: ClassVar[str] = "para"

    @property
    def plain(self) -> str:
        return "".join(p if isinstance(p, str) else f"{p.text} ({p.url})" for p in self.parts)


@dataclass(frozen=True)
class Items:
    items: tuple[Para, ...]
    kind: ClassVar[str] = "items"


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[Para, ...], ...]
    kind: ClassVar[str] = "table"


Block = Para | Items | Table


@dataclass(frozen=True)
class Clause:
    number: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    number: str
    key: str
    heading: str
    intro: tuple[Block, ...]
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Document:
    lang: str
    original: str
    contract_id: str
    title: str
    meta: tuple[Para, ...]
    sections: tuple[Section, ...]
    labels: dict[str, str] = field(default_factory=dict)


_MARK = re.compile("\x00(\\d+)\x00")


class _Builder:
    def __init__(self, policy: dict[str, Any], lang: str, results: dict[int, Any] | None) -> None:
        self.p = policy
        self.lang = lang
        self.c: Catalogue = load(lang)
        self.f = Formatter(self.c)
        self.results = results or {}
        self.tiers = {t["id"]: t for t in policy["tiers"]}
        self.priorities = {p["id"]: p for p in policy["priorities"]}
        self.channels = {c["id"]: c for c in policy["channels"]}
        self.calendars = {c["id"]: c for c in policy["calendars"]}
        self.numbers: dict[str, str] = {}

    # -- text helpers -------------------------------------------------------------------------
    def text(self, texts: dict[str, str] | None, fallback: str = "") -> str:
        if not texts:
            return fallback
        # The checks guarantee every declared language; the original is the safe fallback.
        return texts.get(self.lang) or texts[self.p["languages"][0]]

    def t(self, key: str, **values: object) -> str:
        return self.c.t(key, **values)

    def para(self, key: str, **values: Inline) -> Para:
        """A catalogue sentence whose placeholders may be links."""
        links = {k: v for k, v in values.items() if isinstance(v, Link)}
        plain = {k: v for k, v in values.items() if not isinstance(v, Link)}
        order = list(links)
        text = self.c.t(key, **plain, **{k: f"\x00{i}\x00" for i, k in enumerate(order)})
        parts: list[Inline] = []
        for i, piece in enumerate(_MARK.split(text)):
            if i % 2:
                parts.append(links[order[int(piece)]])
            elif piece:
                parts.append(piece)
        return Para(tuple(parts))

    def user(self, text: str) -> tuple[Para, ...]:
        """User text: one paragraph per source line."""
        return tuple(Para((line.strip(),)) for line in text.split("\n") if line.strip())

    def name(self, thing: dict[str, Any] | None, ident: str) -> str:
        return self.text(thing.get("name") if thing else None, ident)

    def tier_name(self, ident: str) -> str:
        return self.name(self.tiers.get(ident), ident)

    def priority_name(self, ident: str) -> str:
        return self.name(self.priorities.get(ident), ident)

    def calendar_label(self, ident: str) -> str:
        cal = self.calendars.get(ident)
        if cal and cal["always_open"]:
            return self.t("calendar.always_open")
        key = f"calendar.names.{ident}"
        return self.t(key) if self.c.has(key) else self.t("calendar.named", name=ident)

    def amount(self, amount: dict[str, Any]) -> str:
        if "share" in amount:
            basis = amount["basis"]
            key = f"basis.{basis}"
            return self.t(
                "amount.share", share=self.f.percent(amount["share"]), basis=self.t(key) if self.c.has(key) else basis
            )
        return self.f.money(amount["money"], amount["currency"])

    def word(self, group: str, value: str) -> str:
        key = f"{group}.{value}"
        return self.t(key) if self.c.has(key) else value.replace("_", " ")

    def known(self, group: str, ident: str, fallback: str) -> str:
        key = f"{group}.{ident}"
        return self.t(key) if self.c.has(key) else fallback

    # -- sections -----------------------------------------------------------------------------
    def build(self) -> Document:
        plan = [
            ("definitions", self.definitions),
            ("scope", self.scope),
            ("standards", self.standards),
            ("compensation", self.compensation),
            ("limitations", self.limitations),
            ("general", self.general),
            ("third_party", self.third_party),
            ("examples", self.examples),
        ]
        # Number first (cross-references need the numbers), then build each section. Whether a
        # section exists never depends on a number, so the probe may run with placeholders.
        self.numbers = {key: "0" for key, _ in plan}
        present = [(key, fn) for key, fn in plan if fn(probe=True)]
        self.numbers = {key: str(i) for i, (key, _) in enumerate(present, 1)}
        sections = []
        for i, (key, fn) in enumerate(present, 1):
            intro, clauses = fn()
            numbered = tuple(
                Clause(number=f"{i}.{j}", heading=heading, blocks=blocks)
                for j, (heading, blocks) in enumerate(clauses, 1)
            )
            sections.append(Section(str(i), key, self.t(f"section.{key}"), tuple(intro), numbered))
        contract = self.p["contract"]
        meta = []
        facts = []
        if contract.get("version"):
            facts.append(self.t("meta.version", version=contract["version"]))
        if contract.get("effective"):
            facts.append(self.t("meta.effective", date=self.f.date(contract["effective"])))
        if facts:
            meta.append(Para((self.t("meta.separator").join(facts),)))
        original = self.p["languages"][0]
        meta.append(self.para("meta.original", language=self.language_name(original)))
        return Document(
            lang=self.lang,
            original=original,
            contract_id=contract["id"],
            title=self.text(self.p.get("title"), contract["id"]),
            meta=tuple(meta),
            sections=tuple(sections),
            labels={k: self.t(f"label.{k}") for k in ("contents", "not_measured")},
        )

    def language_name(self, code: str) -> str:
        from babel import Locale

        try:
            return str(Locale.parse(code).get_display_name(self.c.locale))
        except (ValueError, LookupError):
            return code

    def definitions(self, probe: bool = False) -> Any:
        if probe:
            return bool(self.p["definitions"])
        return [], [("", self.user(self.text(d["text"]))) for d in self.p["definitions"]]

    def scope(self, probe: bool = False) -> Any:
        tiers = self.p["tiers"]
        if probe:
            return bool(tiers)
        with_features = any(t["features"] for t in tiers)
        with_support = any(t["support"] for t in tiers)
        intro: list[Block] = [self.para("scope.intro", count=self.f.number(len(tiers)))]
        if with_features or with_support:
            head = [self.t("scope.col_tier")]
            if with_features:
                head.append(self.t("scope.col_features"))
            if with_support:
                head.append(self.t("scope.col_support"))
            rows = []
            for t in tiers:
                row = [Para((self.tier_name(t["id"]),))]
                if with_features:
                    row.append(Para((self.text(t["features"], "—"),)))
                if with_support:
                    names = [self.name(self.channels.get(c), c) for c in t["support"]]
                    row.append(Para((self.f.items(names) or "—",)))
                rows.append(tuple(row))
            intro.append(Table(tuple(head), tuple(rows)))
        else:
            intro.append(Items(tuple(Para((self.tier_name(t["id"]),)) for t in tiers)))
        return intro, []

    # -- service standards --------------------------------------------------------------------
    def standards(self, probe: bool = False) -> Any:
        parts = [
            self.availability_clause(),
            self.measurement_clause(),
            self.objectives_clause(),
            self.hours_clause(),
            self.channels_clause(),
            self.live_clause(),
            self.priorities_clause(),
            self.responses_clause(),
        ]
        clauses = [c for c in parts if c is not None]
        if probe:
            return bool(clauses)
        return [], clauses

    def availability_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        av = self.p["availability"]
        with_uptime = [t for t in self.p["tiers"] if t["uptime"] is not None]
        blocks: list[Block] = []
        if av and av["aim"]:
            hours, days, *year = av["aim"].split("x")
            key = "availability.aim_year" if year else "availability.aim"
            blocks.append(
                self.para(
                    key,
                    hours=self.f.number(int(hours)),
                    days=self.f.number(int(days)),
                    year=self.f.number(int(year[0])) if year else "",
                )
            )
            if not with_uptime:
                blocks.append(self.para("availability.aim_not_commitment"))
        if with_uptime:
            blocks.append(self.para("availability.uptime_intro"))
            rows = []
            for t in with_uptime:
                allowed = (Decimal(100) - Decimal(t["uptime"])) * REFERENCE_MONTH_SECONDS / 100
                rows.append(
                    (
                        Para((self.tier_name(t["id"]),)),
                        Para((self.f.percent(t["uptime"]),)),
                        Para((self.f.duration(allowed),)),
                    )
                )
            head = (
                self.t("availability.col_tier"),
                self.t("availability.col_uptime"),
                self.t("availability.col_allowed"),
            )
            blocks.append(Table(head, tuple(rows)))
            blocks.append(self.para("availability.allowed_note"))
        if not blocks:
            return None
        return self.t("clause.availability"), tuple(blocks)

    def measurement_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        av = self.p["availability"]
        if not av:
            return None
        has_uptime = any(t["uptime"] is not None for t in self.p["tiers"])
        blocks: list[Block] = []
        if has_uptime or av["monitor_interval_seconds"] is not None or av["status_page"]:
            blocks.append(
                self.para(
                    "measurement.window", window=self.word("window", av["window"]), timezone=self.p["timezone"] or "UTC"
                )
            )
        if has_uptime:
            blocks.append(self.para("measurement.formula"))
        if av["monitor_interval_seconds"] is not None:
            blocks.append(self.para("measurement.monitor", interval=self.f.duration(av["monitor_interval_seconds"])))
        if av["status_page"]:
            blocks.append(self.para("measurement.status_page", link=Link(av["status_page"], av["status_page"])))
        if av["minimum_outage_seconds"] is not None:
            blocks.append(
                self.para("measurement.minimum_outage", duration=self.f.duration(av["minimum_outage_seconds"]))
            )
        if av["maintenance_notice_seconds"] is not None:
            blocks.append(
                self.para("measurement.maintenance_notice", duration=self.f.duration(av["maintenance_notice_seconds"]))
            )
        if av["excludes"]:
            refs = [self.exclusion_ref(x) for x in av["excludes"]]
            blocks.append(Para((self.c.plural("measurement.excludes", len(refs), clauses=self.f.items(refs)),)))
        if has_uptime:
            blocks.append(self.para("measurement.union"))
        if not blocks:
            return None
        return self.t("clause.measurement"), tuple(blocks)

    def exclusion_ref(self, ident: str) -> str:
        ids = [x["id"] for x in self.p["exclusions"]]
        return f"{self.numbers['limitations']}.{ids.index(ident) + 1}" if ident in ids else ident

    def objectives_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        objectives = self.p["objectives"]
        if not objectives:
            return None
        rows = []
        for o in objectives:
            for target in o["targets"]:
                threshold = target["threshold"]
                limit = (
                    self.f.duration(threshold["seconds"])
                    if "seconds" in threshold
                    else self.f.percent(threshold["percent"])
                )
                metric = target["metric"]
                measure = (
                    self.t("objective.ratio")
                    if metric == "ratio"
                    else self.t("objective.percentile", p=self.f.number(Decimal(metric[1:])))
                )
                rows.append(
                    (
                        Para((self.name(o, o["id"]),)),
                        Para((self.t("objective.below", measure=measure, limit=limit),)),
                        Para((self.word("per", target["per"]),)),
                    )
                )
        head = (self.t("objective.col_objective"), self.t("objective.col_target"), self.t("objective.col_period"))
        return self.t("clause.objectives"), (self.para("objective.intro"), Table(head, tuple(rows)))

    def used_calendars(self) -> list[str]:
        used = {r["calendar"] for t in self.p["tiers"] for r in t["responses"]}
        used |= {t["live"]["calendar"] for t in self.p["tiers"] if t["live"]}
        return [c["id"] for c in self.p["calendars"] if c["id"] in used]

    def hours_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        used = self.used_calendars()
        if not used:
            return None
        items = []
        for ident in used:
            cal = self.calendars[ident]
            zone = cal["timezone"] or self.p["timezone"] or "UTC"
            if cal["always_open"]:
                text = self.t("hours.always", label=self.calendar_label(ident))
            else:
                text = self.t(
                    "hours.weekly",
                    label=self.calendar_label(ident),
                    hours=self.f.weekly_hours(cal["hours"]),
                    timezone=zone,
                )
                if cal["holidays"]:
                    key = "hours.holidays_workdays" if cal["holidays"]["workdays"] else "hours.holidays"
                    text += self.t(key, region=self.f.region(cal["holidays"]["region"]))
                else:
                    text += self.t("hours.end")
            items.append(Para((text,)))
        return self.t("clause.hours"), (self.para("hours.intro"), Items(tuple(items)))

    def channels_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        channels = self.p["channels"]
        if not channels:
            return None
        items = []
        for ch in channels:
            name = self.name(ch, ch["id"])
            if ch["url"]:
                items.append(self.para("channels.with_url", name=name, link=Link(ch["url"], ch["url"])))
            else:
                items.append(Para((name,)))
        return self.t("clause.channels"), (self.para("channels.intro"), Items(tuple(items)))

    def live_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        tiers = [t for t in self.p["tiers"] if t["live"]]
        if not tiers:
            return None
        rows = []
        for t in tiers:
            live = t["live"]
            limit = (
                self.t("live.unlimited")
                if live["max_session_seconds"] is None
                else self.t("live.max", duration=self.f.duration(live["max_session_seconds"]))
            )
            rows.append(
                (Para((self.tier_name(t["id"]),)), Para((limit,)), Para((self.calendar_label(live["calendar"]),)))
            )
        head = (self.t("live.col_tier"), self.t("live.col_limit"), self.t("live.col_hours"))
        return self.t("clause.live"), (self.para("live.intro"), Table(head, tuple(rows)))

    def priorities_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        priorities = self.p["priorities"]
        if not priorities:
            return None
        items = []
        for p in priorities:
            name = self.priority_name(p["id"])
            if p["requires_outage"] and p["downgrade"]:
                items.append(
                    self.para("priorities.requires_downgrade", name=name, downgrade=self.priority_name(p["downgrade"]))
                )
            elif p["requires_outage"]:
                items.append(self.para("priorities.requires", name=name))
            else:
                items.append(Para((name,)))
        return self.t("clause.priorities"), (self.para("priorities.intro"), Items(tuple(items)))

    def responses_clause(self) -> tuple[str, tuple[Block, ...]] | None:
        tiers = [t for t in self.p["tiers"] if t["responses"]]
        if not tiers:
            return None
        measured = {r["priority"] for t in tiers for r in t["responses"]}
        priorities = [p["id"] for p in self.p["priorities"] if p["id"] in measured]
        calendars = {r["calendar"] for t in tiers for r in t["responses"]}
        single = len(calendars) == 1
        rows = []
        gaps = False
        for t in tiers:
            targets = {r["priority"]: r for r in t["responses"]}
            row = [Para((self.tier_name(t["id"]),))]
            for pr in priorities:
                r = targets.get(pr)
                if r is None:
                    gaps = True
                    row.append(Para(("—",)))
                elif single:
                    row.append(Para((self.f.duration(r["within_seconds"]),)))
                else:
                    row.append(
                        Para(
                            (
                                self.t(
                                    "responses.cell",
                                    duration=self.f.duration(r["within_seconds"]),
                                    hours=self.calendar_label(r["calendar"]),
                                ),
                            )
                        )
                    )
            rows.append(tuple(row))
        head = (self.t("responses.col_tier"), *(self.priority_name(p) for p in priorities))
        blocks: list[Block] = [self.para("responses.intro"), Table(head, tuple(rows))]
        if single:
            blocks.append(self.para("responses.single_calendar", hours=self.calendar_label(calendars.pop())))
        else:
            blocks.append(self.para("responses.calendars"))
        if gaps:
            blocks.append(self.para("responses.not_measured"))
        if self.p["response_means"]:
            blocks.append(
                self.para(f"responses.means.{self.p['response_means']}")
                if self.c.has(f"responses.means.{self.p['response_means']}")
                else self.para("responses.means_other", means=self.p["response_means"].replace("_", " "))
            )
        blocks.append(self.para("responses.clock"))
        blocks.append(self.para("responses.no_response"))
        return self.t("clause.responses"), tuple(blocks)

    # -- compensation -------------------------------------------------------------------------
    def compensation(self, probe: bool = False) -> Any:
        p = self.p
        if probe:
            return bool(p["credits"] or p["cap"] or p["payout"] or p["claim"])
        clauses: list[tuple[str, tuple[Block, ...]]] = []
        all_tiers = [t["id"] for t in p["tiers"]]
        for credit in p["credits"]:
            blocks: list[Block] = []
            applies = credit["applies"]
            tiers_text = self.f.items([self.tier_name(t) for t in applies])
            if credit["per_miss"]:
                blocks.append(self.para("credit.per_miss", amount=self.amount(credit["per_miss"]["amount"])))
            if credit["bands"]:
                blocks.append(self.para("credit.bands_intro"))
                rows = []
                for band in credit["bands"]:
                    threshold = (
                        self.t("credit.below_target")
                        if band["threshold"] == "target"
                        else self.t("credit.below", percent=self.f.percent(band["threshold"]))
                    )
                    rows.append((Para((threshold,)), Para((self.amount(band["amount"]),))))
                blocks.append(Table((self.t("credit.col_uptime"), self.t("credit.col_credit")), tuple(rows)))
                blocks.append(self.para("credit.single_band"))
                if any(b["threshold"] == "target" for b in credit["bands"]):
                    blocks.append(self.para("credit.target_means", clause=self.numbers["standards"] + ".1"))
            if sorted(applies) == sorted(all_tiers):
                blocks.append(self.para("credit.applies_all"))
            else:
                blocks.append(self.para("credit.applies", tiers=tiers_text))
            if credit["per_miss"] and p["exclusions"]:
                blocks.append(self.para("credit.excluded_tickets", section=self.numbers["limitations"]))
            clauses.append((self.known("credit.names", credit["id"], self.t("credit.heading")), tuple(blocks)))
        if p["cap"]:
            cap = p["cap"]
            clauses.append(
                (
                    self.t("clause.cap"),
                    (self.para("cap.text", amount=self.amount(cap["amount"]), per=self.word("per", cap["per"])),),
                )
            )
        if p["payout"]:
            pay = p["payout"]
            key = "payout.text_when" if pay["when"] else "payout.text"
            clauses.append(
                (
                    self.t("clause.payout"),
                    (
                        self.para(
                            key,
                            form=self.word("payout.form", pay["form"]),
                            when=self.word("payout.when", pay["when"] or ""),
                        ),
                    ),
                )
            )
        if p["claim"]:
            clauses.append((self.t("clause.claim"), self.claim_blocks(p["claim"])))
        return [], clauses

    def claim_blocks(self, claim: dict[str, Any]) -> tuple[Block, ...]:
        via = claim["via"]
        values: dict[str, Inline] = {}
        if via is None:
            key = "claim.required"
        elif "channel" in via:
            ch = self.channels.get(via["channel"])
            values["channel"] = self.name(ch, via["channel"])
            if ch and ch["url"]:
                key = "claim.via_channel_url"
                values["link"] = Link(ch["url"], ch["url"])
            else:
                key = "claim.via_channel"
        else:
            key = "claim.via_address"
            address = via["address"]
            values["link"] = Link(address, f"mailto:{address}" if "@" in address and ":" not in address else address)
        if not claim["required"]:
            key = "claim.optional"
        blocks: list[Block] = [self.para(key, **values)]
        if claim["within_seconds"] is not None:
            blocks.append(self.para("claim.within", duration=self.f.duration(claim["within_seconds"])))
        blocks.append(self.para("claim.unclaimed" if claim["required"] else "claim.automatic"))
        return tuple(blocks)

    # -- limitations, clauses, third parties ------------------------------------------------------
    def limitations(self, probe: bool = False) -> Any:
        if probe:
            return bool(self.p["exclusions"])
        return [self.para("limitations.intro")], [("", self.user(self.text(x["text"]))) for x in self.p["exclusions"]]

    def general(self, probe: bool = False) -> Any:
        if probe:
            return bool(self.p["clauses"])
        # A clause the catalogue has no heading for is a numbered paragraph: its id is not prose.
        return [], [
            (self.known("clause.names", c["id"], ""), self.user(self.text(c["text"]))) for c in self.p["clauses"]
        ]

    def third_party(self, probe: bool = False) -> Any:
        links = self.p["third_party"]
        if probe:
            return bool(links)
        items = Items(tuple(Para((Link(self.text(x["name"]), x["url"]),)) for x in links))
        return [self.para("third_party.intro"), items, self.para("third_party.disclaimer")], []

    # -- worked examples ------------------------------------------------------------------------
    def examples(self, probe: bool = False) -> Any:
        examples = self.p["examples"]
        if probe:
            return bool(examples)
        key = "examples.intro_computed" if self.results else "examples.intro"
        return [self.para(key)], [(ex["title"], self.example_blocks(i, ex)) for i, ex in enumerate(examples)]

    def example_blocks(self, index: int, ex: dict[str, Any]) -> tuple[Block, ...]:
        facts: list[Para] = []
        if ex["tier"]:
            facts.append(self.para("examples.tier", tier=self.tier_name(ex["tier"])))
        if ex["fee"]:
            facts.append(self.para("examples.fee", fee=self.f.money(ex["fee"]["amount"], ex["fee"]["currency"])))
        if ex["period"]:
            year, month = ex["period"].split("-")
            facts.append(self.para("examples.period", period=self.period(int(year), int(month))))
        for ev in ex["events"]:
            facts.append(self.event(ev))
        blocks: list[Block] = [self.para("examples.given"), Items(tuple(facts))]
        expect = ex["expect"]
        expected = []
        if "uptime" in expect:
            expected.append(self.para("examples.expect_uptime", uptime=self.f.percent(expect["uptime"]["percent"])))
        if "breaches" in expect:
            n = expect["breaches"]["count"]
            expected.append(Para((self.c.plural("examples.expect_breaches", n, n=self.f.number(n)),)))
        if "credit" in expect:
            expected.append(
                self.para(
                    "examples.expect_credit",
                    credit=self.f.money(expect["credit"]["amount"], expect["credit"]["currency"]),
                )
            )
        if expected:
            blocks += [self.para("examples.expected"), Items(tuple(expected))]
        result = self.results.get(index)
        if result is not None:
            blocks += self.result_blocks(result)
        return tuple(blocks)

    def period(self, year: int, month: int) -> str:
        import datetime as dt

        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", dt.date(year, month, 1), locale=self.f.locale)

    def event(self, ev: dict[str, Any]) -> Para:
        times = self.c.plural("examples.times", ev["repeat"], n=self.f.number(ev["repeat"])) if ev["repeat"] > 1 else ""
        if ev["kind"] == "ticket":
            key = "examples.ticket" if ev["responded"] else "examples.ticket_open"
            text = self.t(
                key,
                priority=self.priority_name(ev["priority"]),
                opened=self.f.timestamp(ev["opened"]),
                responded=self.f.timestamp(ev["responded"]) if ev["responded"] else "",
            )
            if ev["outage"]:
                text += self.t("examples.reports_outage")
        else:
            text = self.t(
                "examples.outage", start=self.f.timestamp(ev["start"]), duration=self.f.duration(ev["duration_seconds"])
            )
            if ev["announced"]:
                text += self.t("examples.announced", at=self.f.timestamp(ev["announced"]))
        if ev["cause"]:
            text += self.t("examples.cause", clause=self.exclusion_ref(ev["cause"]))
        return Para((text + times,))

    def result_blocks(self, entry: dict[str, Any]) -> list[Block]:
        """The evaluator's report entry for the example, read as a reader would check it."""
        currency = entry["currency"]
        lines: list[Para] = []
        uptime = entry["uptime"]
        if (
            uptime["target"] is not None
            or entry["downtime"]["counted_seconds"]
            or any(c["kind"] == "band" for c in entry["credits"])
        ):
            if uptime["target"] is not None:
                key = "examples.result_uptime_met" if uptime["met"] else "examples.result_uptime_missed"
                lines.append(
                    self.para(key, uptime=self.f.percent(uptime["display"]), target=self.f.percent(uptime["target"]))
                )
            else:
                lines.append(self.para("examples.result_uptime", uptime=self.f.percent(uptime["display"])))
        if entry["tickets"]["measured"]:
            n = len(entry["breaches"])
            lines.append(Para((self.c.plural("examples.expect_breaches", n, n=self.f.number(n)),)))
            groups: dict[tuple[Any, ...], int] = {}
            for b in entry["breaches"]:
                group = (b["effective_priority"], b["deadline"], b["response"], b["lateness_seconds"])
                groups[group] = groups.get(group, 0) + 1
            for (priority, deadline, response, lateness), count in groups.items():
                values = {
                    "n": self.f.number(count),
                    "priority": self.priority_name(priority),
                    "deadline": self.f.timestamp(deadline),
                }
                if response:
                    text = self.c.plural(
                        "examples.result_breach",
                        count,
                        response=self.f.timestamp(response),
                        late=self.f.duration(lateness),
                        **values,
                    )
                else:
                    text = self.c.plural("examples.result_breach_open", count, **values)
                lines.append(Para((text,)))
        for credit in entry["credits"]:
            name = self.known("credit.names", credit["credit"], self.t("credit.heading"))
            amount = self.f.money(credit["amount"], currency)
            if credit["kind"] == "band":
                threshold = (
                    self.t("credit.below_target")
                    if credit["threshold_is_target"]
                    else self.t("credit.below", percent=self.f.percent(credit["threshold"]))
                )
                share = (
                    self.amount(credit["band"])
                    if "share" in credit["band"]
                    else self.f.money(credit["band"]["money"], currency)
                )
                lines.append(
                    self.para("examples.result_band", credit=name, threshold=threshold, share=share, amount=amount)
                )
            else:
                lines.append(
                    self.para(
                        "examples.result_per_miss",
                        credit=name,
                        count=self.f.number(credit["count"]),
                        each=self.f.money(credit["each_amount"], currency),
                        amount=amount,
                    )
                )
        if entry["cap"] and entry["cap"]["applied"]:
            lines.append(self.para("examples.result_cap", limit=self.f.money(entry["cap"]["limit"], currency)))
        lines.append(self.para("examples.expect_credit", credit=self.f.money(entry["total"], currency)))
        claim = entry.get("claim")
        if claim and claim["required"] and claim["deadline"] and Decimal(entry["total"]) > 0:
            lines.append(self.para("examples.result_claim_by", deadline=self.f.timestamp(claim["deadline"])))
        return [self.para("examples.computed"), Items(tuple(lines))]


def build_document(policy: dict[str, Any], lang: str, *, results: dict[int, Any] | None = None) -> Document:
    """The document model of `policy` in `lang` (results: computed example results by index)."""
    return _Builder(policy, lang, results).build()
