"""Service standards: availability, measurement, objectives, hours, channels, live, priorities, responses."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...runtime.rules import allowed_downtime
from ..doc import Block, DocLink, Items, Para, Table
from . import tickets, v2
from .terms import placed

if TYPE_CHECKING:  # pragma: no cover
    from ..model import DocBuilder


_KEYS = (
    "availability",
    "measurement",
    "objectives",
    "hours",
    "channels",
    "live",
    "priorities",
    "responses",
    "ticket_clock",
)


def standards(b: DocBuilder, probe: bool = False) -> Any:
    parts = [
        availability_clause(b),
        measurement_clause(b),
        objectives_clause(b),
        hours_clause(b),
        channels_clause(b),
        live_clause(b),
        priorities_clause(b),
        responses_clause(b),
    ]
    clauses: list[Any] = []
    priorities: str | None = None  # the downgrade rule of the clock clause cites the priorities clause
    for key, part in zip(_KEYS[:-1], parts, strict=True):
        if part is not None:
            clauses.append((*part, key))
            if key == "priorities":
                priorities = f"{b.numbers['standards']}.{len(clauses)}"
        if key == "responses":  # the clock clause cites the targets clause by its number
            targets = f"{b.numbers['standards']}.{len(clauses)}"
            part = tickets.clock_clause(b, targets, priorities)  # issue 12: what starts, stops and pauses
            clauses += placed(b, key)
            if part is not None:
                clauses.append((*part, "ticket_clock"))
            clauses += placed(b, "ticket_clock")
        else:
            clauses += placed(b, key)
    if probe:
        return bool(clauses)
    return [], clauses


def availability_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    av = b.p["availability"]
    with_uptime = [t for t in b.p["tiers"] if t["uptime"] is not None]
    blocks: list[Block] = []
    if av and av["aim"]:
        hours, days, *year = av["aim"].split("x")
        key = "availability.aim_year" if year else "availability.aim"
        blocks.append(
            b.para(
                key,
                hours=b.f.number(int(hours)),
                days=b.f.number(int(days)),
                year=b.f.number(int(year[0])) if year else "",
            )
        )
        if not with_uptime:
            blocks.append(b.para("availability.aim_not_commitment"))
            if av["excludes"] and not measured(b):
                # No measurement clause to carry the exclusions: they qualify the aim itself.
                blocks.append(b.para("availability.aim_excludes", clauses=b.exclusion_links(av["excludes"])))
    if with_uptime:
        blocks.append(b.para("availability.uptime_intro"))
        rows = []
        rounded = False
        for t in with_uptime:
            # in the reference span the table names: a 30-day month, a 90-day quarter or a 365-day year
            exact = allowed_downtime(t["uptime"]) * {"quarter": 90, "year": 365}.get(b.window, 30) / 30
            allowed = int(exact)  # whole seconds, rounded down: never more than the contract allows
            rounded = rounded or allowed != exact
            rows.append(
                (
                    Para((b.tier_name(t["id"]),)),
                    Para((b.f.percent(t["uptime"]),)),
                    Para((b.f.duration(allowed),)),
                )
            )
        head = (
            b.t("availability.col_tier"),
            b.t("availability.col_uptime"),
            b.t("availability.col_allowed"),
        )
        blocks.append(Table(head, tuple(rows)))
        blocks.append(b.para("availability.allowed_note"))
        if rounded:
            blocks.append(b.para("availability.allowed_rounded"))
    blocks += v2.service_uptime_blocks(b)  # `uptime P for SERVICE` (language v2)
    if not blocks:
        return None
    return b.t("clause.availability"), tuple(blocks)


def measured(b: DocBuilder) -> bool:
    """Whether the contract states how availability is measured (what a measurement clause says)."""
    av = b.p["availability"]
    if not av:
        return False
    has_uptime = any(t["uptime"] is not None for t in b.p["tiers"])
    keys = ("monitor_interval_seconds", "minimum_outage_seconds", "maintenance_notice_seconds")
    return has_uptime or bool(av["status_page"]) or any(av[k] is not None for k in keys)


def measurement_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    av = b.p["availability"]
    if not av:
        return None
    has_uptime = any(t["uptime"] is not None for t in b.p["tiers"])
    blocks: list[Block] = []
    if has_uptime or av["monitor_interval_seconds"] is not None or av["status_page"]:
        blocks.append(
            b.para(
                "measurement.window", window=b.word("window", av["window"]), timezone=b.f.zone(b.p["timezone"] or "UTC")
            )
        )
    if has_uptime:
        blocks.append(b.para("measurement.formula"))
    if av["monitor_interval_seconds"] is not None:
        blocks.append(b.para("measurement.monitor", every=b.f.every(av["monitor_interval_seconds"])))
    if av["status_page"]:
        blocks.append(b.para("measurement.status_page", link=DocLink(av["status_page"], av["status_page"])))
    if av["minimum_outage_seconds"] is not None:
        blocks.append(b.para("measurement.minimum_outage", duration=b.f.duration(av["minimum_outage_seconds"])))
    if av["maintenance_notice_seconds"] is not None:
        duration = b.f.duration(av["maintenance_notice_seconds"])
        if any(x["id"] == "planned_maintenance" for x in b.p["exclusions"]):  # how it is announced is said there
            clause = b.exclusion_links(["planned_maintenance"])[0]
            blocks.append(b.para("measurement.maintenance_notice_clause", duration=duration, clause=clause))
        else:
            blocks.append(b.para("measurement.maintenance_notice", duration=duration))
    extra = v2.measurement_blocks(b)  # regions, error rates, whole minutes, maintenance (language v2)
    if av["excludes"] and (blocks or extra):
        refs = b.exclusion_links(av["excludes"])
        blocks.append(b.plural_para("measurement.excludes", len(refs), clauses=refs))
    blocks += extra
    if has_uptime and not v2.says_merged(b):
        blocks.append(b.para("measurement.union"))
    if not blocks:
        return None
    return b.t("clause.measurement"), tuple(blocks)


def objectives_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    objectives = b.p["objectives"]
    if not objectives:
        return None
    rows = []
    for o in objectives:
        for target in o["targets"]:
            threshold = target["threshold"]
            limit = b.f.duration(threshold["seconds"]) if "seconds" in threshold else b.f.percent(threshold["percent"])
            metric = target["metric"]
            measure = (
                b.t("objective.ratio")
                if metric == "ratio"
                else b.t("objective.percentile", p=b.f.number(Decimal(metric[1:])))
            )
            name = b.name(o, o["id"])
            target_text = (
                b.t("objective.below_only", limit=limit)
                if measure.casefold() in name.casefold()
                else b.t("objective.below", measure=measure, limit=limit)
            )
            rows.append(
                (
                    Para((name,)),
                    Para((target_text,)),
                    Para((b.word("per", target["per"]),)),
                )
            )
    head = (b.t("objective.col_objective"), b.t("objective.col_target"), b.t("objective.col_period"))
    return b.t("clause.objectives"), (b.para("objective.intro"), Table(head, tuple(rows)))


def used_calendars(b: DocBuilder) -> list[str]:
    used = {r["calendar"] for t in b.p["tiers"] for r in t["responses"]}
    used |= {r["calendar"] for t in b.p["tiers"] for kind in ("resolutions", "updates") for r in t.get(kind, ())}
    used |= {t["live"]["calendar"] for t in b.p["tiers"] if t["live"]}
    return [c["id"] for c in b.p["calendars"] if c["id"] in used]


def hours_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    used = used_calendars(b)
    if not used:
        return None
    items = []
    for ident in used:
        cal = b.calendars[ident]
        zone = cal["timezone"] or b.p["timezone"] or "UTC"
        if cal["always_open"]:
            text = b.t("hours.always", label=b.calendar_label(ident))
        else:
            text = b.t(
                "hours.weekly",
                label=b.calendar_label(ident),
                hours=b.f.weekly_hours(cal["hours"]),
                timezone=b.f.zone(zone),
            )
            if cal["holidays"]:
                key = "hours.holidays_workdays" if cal["holidays"]["workdays"] else "hours.holidays"
                region_key = f"{key}_{cal['holidays']['region'].lower()}"  # 调休 as the State Council names it
                key = region_key if b.c.has(region_key) else key
                text += b.t(key, region=b.f.region(cal["holidays"]["region"]))
            else:  # holidays come only from the contract: without them a holiday is a day like any other
                text += b.t("hours.no_holidays")
        items.append(Para((text,)))
    return b.t("clause.hours"), (b.para("hours.intro"), Items(tuple(items)))


def channels_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    channels = b.p["channels"]
    if not channels:
        return None
    items = []
    for ch in channels:
        name = b.name(ch, ch["id"])
        if ch["url"]:
            items.append(b.para("channels.with_url", name=name, link=DocLink(ch["url"], ch["url"])))
        else:
            items.append(Para((name,)))
    return b.t("clause.channels"), (b.para("channels.intro"), Items(tuple(items)))


def live_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    tiers = [t for t in b.p["tiers"] if t["live"]]
    if not tiers:
        return None
    rows = []
    for t in tiers:
        live = t["live"]
        limit = (
            b.t("live.unlimited")
            if live["max_session_seconds"] is None
            else b.t("live.max", duration=b.f.duration(live["max_session_seconds"]))
        )
        rows.append((Para((b.tier_name(t["id"]),)), Para((limit,)), Para((b.calendar_label(live["calendar"]),))))
    head = (b.t("live.col_tier"), b.t("live.col_limit"), b.t("live.col_hours"))
    return b.t("clause.live"), (b.para("live.intro"), Table(head, tuple(rows)))


def priorities_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    priorities = b.p["priorities"]
    if not priorities:
        return None
    items = []
    for p in priorities:
        name = b.priority_name(p["id"])
        description = b.text(p.get("description")).rstrip(".。")
        if description:  # the parties' own words state what the priority covers (and what it requires)
            items.append(_described(b, p, name, description))
        elif p["requires_outage"] and p["downgrade"]:
            items.append(b.para("priorities.requires_downgrade", name=name, downgrade=b.priority_name(p["downgrade"])))
        elif p["requires_outage"]:
            items.append(b.para("priorities.requires", name=name))
        else:
            items.append(Para((name,)))
    return b.t("clause.priorities"), (b.para("priorities.intro"), Items(tuple(items)))


def _described(b: DocBuilder, p: dict[str, Any], name: str, description: str) -> Para:
    """`P1 Critical: <description>.` and, with `requires outage`, what happens to a ticket that does not meet it."""
    if p["requires_outage"] and p["downgrade"]:
        return b.para(
            "priorities.described_downgrade",
            name=name,
            description=description,
            downgrade=b.priority_name(p["downgrade"]),
        )
    key = "priorities.described_requires" if p["requires_outage"] else "priorities.described"
    return b.para(key, name=name, description=description)


def responses_clause(b: DocBuilder) -> tuple[str, tuple[Block, ...]] | None:
    if tickets.applies(b):  # resolution or update targets (issue 12): one table of every ticket target
        return tickets.targets_clause(b)
    tiers = [t for t in b.p["tiers"] if t["responses"]]
    if not tiers:
        return None
    measured = {r["priority"] for t in tiers for r in t["responses"]}
    priorities = [p["id"] for p in b.p["priorities"] if p["id"] in measured]
    calendars = {r["calendar"] for t in tiers for r in t["responses"]}
    single = len(calendars) == 1
    rows = []
    gaps = False
    for t in tiers:
        targets = {r["priority"]: r for r in t["responses"]}
        row = [Para((b.tier_name(t["id"]),))]
        for pr in priorities:
            r = targets.get(pr)
            if r is None:
                gaps = True
                row.append(Para(("—",)))
            elif single:
                row.append(Para((b.f.duration(r["within_seconds"]),)))
            else:
                row.append(
                    Para(
                        (
                            b.t(
                                "responses.cell",
                                duration=b.f.duration(r["within_seconds"]),
                                hours=b.calendar_label(r["calendar"]),
                            ),
                        )
                    )
                )
        rows.append(tuple(row))
    head = (b.t("responses.col_tier"), *(b.priority_name(p) for p in priorities))
    blocks: list[Block] = [b.para("responses.intro"), Table(head, tuple(rows))]
    if single:
        blocks.append(b.para("responses.single_calendar", hours=b.calendar_label(next(iter(calendars)))))
    else:
        blocks.append(b.para("responses.calendars"))
    if gaps:
        blocks.append(b.para("responses.not_measured"))
    if b.p["response_means"]:
        blocks.append(
            b.para(f"responses.means.{b.p['response_means']}")
            if b.c.has(f"responses.means.{b.p['response_means']}")
            else b.para("responses.means_other", means=b.p["response_means"].replace("_", " "))
        )
    always = all(b.calendars[c]["always_open"] for c in calendars if c in b.calendars)
    # Met when the open time to the first response is at most the target, so a deadline at a closing is
    # met by a response at or before the next opening (runtime/evaluate.py; review 6, V4 / M3).
    blocks.append(b.para("responses.clock_always" if always else "responses.clock"))
    blocks.append(b.para("responses.no_response_always" if always else "responses.no_response"))
    return b.t("clause.responses"), tuple(blocks)
