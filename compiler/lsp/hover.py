"""Hover text: what a statement means, in the editor's language (en or zh), and what it compiles to.

The value shown is read from the policy the driver built (through `PolicyView` for the typed parts,
the statement's own policy entry, found by its contract line, for the rest), so the hover says what
the runtime will use, not a second reading of the source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .. import nodes as n
from .analysis import UNDECLARED, Analysis, Name
from .names import describe

# What each statement means, in English and Chinese. `{…}` fields are filled from the statement.
MEANINGS: dict[type[n.Node], tuple[str, str]] = {
    n.Title: ("The contract's title, one text per language.", "合同标题，每种语言一段文字。"),
    n.Version: ("The contract's version (shown in the document).", "合同版本号（显示在文件中）。"),
    n.Effective: ("The date the contract takes effect.", "合同生效日期。"),
    n.Languages: (
        "The languages every text is written in; the first is the original.",
        "所有文字使用的语言；第一个为原文语言。",
    ),
    n.Timezone: ("The contract's time zone (IANA name).", "合同的时区（IANA 名称）。"),
    n.Currency: ("The currency of fees and credits.", "费用和补偿的币种。"),
    n.Billing: ("The billing period; credits are computed per period.", "计费周期；补偿按周期计算。"),
    n.Define: ("A defined term of the contract.", "合同的定义术语。"),
    n.Clause: ("A general clause, rendered as written.", "一般条款，按原文呈现。"),
    n.Exclude: (
        "An exclusion: a cause for which downtime or a missed response does not count.",
        "除外情形：由此原因造成的停机或响应超时不计入。",
    ),
    n.Calendar: (
        "A calendar of open hours that response times count in.",
        "服务时间日历，响应时限按其中的服务时间计算。",
    ),
    n.Hours: ("Open hours of the calendar on these days.", "日历在这些日子的服务时间。"),
    n.Holidays: (
        "Public holidays (and make-up working days) that close the calendar.",
        "使日历关闭的法定节假日（及调休工作日）。",
    ),
    n.Availability: ("How availability is measured.", "可用性的计量方式。"),
    n.Window: ("The measurement window of uptime.", "可用性的计量窗口。"),
    n.Monitor: ("How often availability is probed.", "可用性探测的频率。"),
    n.StatusPage: ("Where incidents and maintenance are announced.", "公布故障和维护的状态页面。"),
    n.MinimumOutage: ("An outage shorter than this does not count as downtime.", "短于此时长的中断不计为停机。"),
    n.MaintenanceNotice: (
        "Planned maintenance is excluded only when announced this long ahead.",
        "计划内维护须至少提前这么久公告才可除外。",
    ),
    n.Excludes: ("The exclusions that keep downtime from counting.", "使停机不计入的除外情形。"),
    n.Objective: ("A service objective (reported, not credited).", "服务目标（仅报告，不涉及补偿）。"),
    n.Channel: ("A support channel.", "支持渠道。"),
    n.Priority: ("A ticket priority.", "工单优先级。"),
    n.RequiresOutage: ("Only a ticket about an outage can have this priority.", "只有关于停机的工单才能使用此优先级。"),
    n.Downgrade: (
        "A ticket of this priority without an outage is handled as the named priority.",
        "没有停机的此优先级工单按所指优先级处理。",
    ),
    n.ResponseMeans: ("What counts as a response to a ticket.", "何为对工单的响应。"),
    n.Tier: (
        "A service tier (plan) with its own uptime and response targets.",
        "服务等级（套餐），有自己的可用性和响应目标。",
    ),
    n.Support: ("The channels this tier's customers may use.", "此等级客户可使用的支持渠道。"),
    n.Uptime: ("The uptime this tier promises per period.", "此等级每周期承诺的可用性。"),
    n.Respond: ("A response target for tickets of one priority.", "某一优先级工单的响应时限。"),
    n.Live: ("Live support sessions and their length.", "实时支持会话及其时长。"),
    n.Credit: ("A service credit owed when a target is missed.", "未达目标时应付的服务补偿。"),
    n.Applies: ("The tiers this credit applies to.", "此补偿适用的服务等级。"),
    n.Band: ("A credit band: below this uptime, this credit.", "补偿档位：可用性低于此值时，给予此补偿。"),
    n.PerMiss: ("A credit for each missed response target.", "每次响应超时的补偿。"),
    n.Cap: ("The most credit owed per period.", "每周期补偿的上限。"),
    n.Payout: ("How credits are paid.", "补偿的支付方式。"),
    n.Claim: ("How and when credits are claimed.", "申请补偿的方式和期限。"),
    n.ThirdParty: ("Service levels of third parties, linked.", "第三方服务等级协议的链接。"),
    n.Example: (
        "A worked example: events of one period and what the evaluator must find.",
        "示例：一个周期的事件以及评估器必须得出的结果。",
    ),
    n.ExpectUptime: ("The uptime the evaluator must find for this example.", "评估器对本示例必须得出的可用性。"),
    n.ExpectCredit: ("The credit the evaluator must find for this example.", "评估器对本示例必须得出的补偿金额。"),
    n.ExpectBreaches: (
        "The number of missed response targets the evaluator must find.",
        "评估器必须得出的响应超时次数。",
    ),
    n.Outage: ("An outage in the example's period.", "示例周期内的一次停机。"),
    n.Ticket: ("A ticket in the example's period.", "示例周期内的一张工单。"),
    n.Repeat: ("The event, repeated this many times.", "重复此事件若干次。"),
    n.Fee: ("The monthly fee in the example.", "示例中的月费。"),
    n.Period: ("The period the example is evaluated for.", "示例评估的周期。"),
    # issue 12: ticket clocks
    n.Resolve: ("A resolution target for tickets of one priority.", "某一优先级工单的解决时限。"),
    n.Update: (
        "An update interval: the longest gap between updates of a ticket of one priority.",
        "更新间隔：某一优先级工单两次进展更新之间的最长间隔。",
    ),
    n.TicketClock: (
        "The ticket clock: statuses that stop every target, and when a ticket is at risk.",
        "工单计时：停止所有时限计时的状态，以及工单何时有超时风险。",
    ),
    n.PauseWhen: ("Statuses during which no target's time runs.", "处于这些状态时，任何时限都不计时。"),
    n.WarnAt: (
        "A ticket is at risk once this share of a target's time is used.",
        "时限用去此比例后，工单即有超时风险。",
    ),
    n.ExpectMissedResolutions: ("The number of missed resolution targets.", "未达到的解决时限个数。"),
    n.ExpectMissedUpdates: ("The number of missed updates.", "更新超时的次数。"),
    n.DisplayName: ("The name shown in the document, one text per language.", "文件中显示的名称，每种语言一段文字。"),
    n.Features: ("What this tier includes, as the document shows it.", "此等级包含的内容，按文件所示。"),
    n.Url: ("Where this channel is reached.", "此渠道的访问地址。"),
    n.Aim: ("The availability aim as written (e.g. 24x7x365).", "可用性目标的书面表述（如 24x7x365）。"),
    n.Target: (
        "A target of the objective: the measure stays below this value in each period.",
        "服务目标的指标：该度量在每个周期内低于此值。",
    ),
    n.Link: ("A link to a third party's service level agreement.", "指向第三方服务等级协议的链接。"),
    n.ExampleTier: ("The tier the example is evaluated for.", "示例所适用的服务等级。"),
    n.Locale: ("The locale of one language's edition (dates, numbers).", "某一语言版本的区域格式（日期、数字）。"),
    n.Publish: ("The front matter of the published document (a docs site).", "发布文件（文档站点）的页首信息。"),
    n.PublishTitle: ("The title of the published page, per language.", "发布页面的标题，按语言分别设置。"),
    n.PublishSlug: ("The address (slug) of the published page.", "发布页面的地址（slug）。"),
    n.PublishPosition: ("The page's position in the docs site's sidebar.", "页面在文档站点侧栏中的位置。"),
    # language v2
    n.Service: (
        "A service whose uptime is measured, and credited, on its own.",
        "单独计量可用性、单独计算补偿的服务。",
    ),
    n.MeasuredPerRegion: (
        "Each region of this service is measured on its own: its uptime and charges stand alone.",
        "此服务按区域分别计量：各区域的可用性和费用各自独立计算。",
    ),
    n.ErrorRate: (
        "An interval in which the share of failed requests exceeds this rate counts as downtime.",
        "失败请求所占比例超过此值的区间计为停机时间。",
    ),
    n.WholeMinutes: ("Downtime is counted in whole minutes.", "停机时间按整分钟计算。"),
    n.ServiceUptime: (
        "The uptime this tier promises for one service per period.",
        "此等级就某项服务每周期承诺的可用性。",
    ),
    n.Condition: (
        "A condition the customer must meet to receive a credit that requires it.",
        "客户获得以此为前提的服务补偿所须满足的条件。",
    ),
    n.Requires: (
        "The credit is owed only while the customer meets this condition.",
        "仅在客户满足此条件时才给予此补偿。",
    ),
    n.Description: ("What this priority means, one text per language.", "此优先级的含义，每种语言一段文字。"),
    n.MinimumCredit: ("A credit smaller than this amount per period is not paid.", "每周期低于此金额的补偿不予支付。"),
    n.Terminate: (
        "The customer may terminate when uptime stays below this level for this many consecutive periods.",
        "可用性连续达到规定周期数低于此水平的，客户有权终止协议。",
    ),
    n.Maintenance: (
        "Planned maintenance is excluded only when announced this long ahead and, with a limit, up to that "
        "much per period.",
        "计划维护须至少提前这么久通知方可除外；设有上限的，每周期以上限为限。",
    ),
    n.Charges: (
        "What the customer paid in the example's period for a service (in a region).",
        "示例周期内客户为某项服务（在某一区域）支付的费用。",
    ),
    n.Requests: (
        "Requests to a service in the example: from a time, for a duration, with this share failing.",
        "示例中对某项服务的请求：自某一时刻起持续一段时间，其中失败请求所占的比例。",
    ),
    n.ConditionUnmet: (
        "In this example the customer does not meet the named condition.",
        "本示例中客户未满足所指条件。",
    ),
    n.ExpectScopeUptime: (
        "The uptime the evaluator must find for one service (in one region).",
        "评估器对某项服务（某一区域）必须得出的可用性。",
    ),
    n.ExpectClaimBy: (
        "The last day to claim the credit, as the evaluator must find it.",
        "评估器必须得出的补偿申请截止日。",
    ),
    n.ExpectTermination: (
        "The evaluator must find that the customer may terminate.",
        "评估器必须得出客户有权终止协议。",
    ),
}

KINDS = {
    "tier": ("service tier", "服务等级"),
    "priority": ("priority", "优先级"),
    "calendar": ("calendar", "日历"),
    "channel": ("support channel", "支持渠道"),
    "credit": ("credit", "补偿"),
    "objective": ("objective", "服务目标"),
    "term": ("defined term", "定义术语"),
    "clause": ("clause", "条款"),
    "exclusion": ("exclusion", "除外情形"),
    "service": ("service", "服务"),
    "condition": ("condition", "条件"),
    "region": ("region", "区域"),
}


def hover(analysis: Analysis, line: int, column: int, lang: str = "en") -> str | None:
    """Markdown for the cursor's name or statement, or None when there is nothing to say."""
    zh = lang.startswith("zh")
    name = analysis.name_at(line, column)
    statement = analysis.statement_at(line, column)
    parts: list[str] = []
    if name is not None:
        parts.append(_name(analysis, name, zh))
    if statement is not None:
        meaning = MEANINGS.get(type(statement))
        if meaning:
            parts.append(meaning[1] if zh else meaning[0])
        value = compiled_value(analysis, statement, zh)
        if value:
            parts.append(value)
    return "\n\n".join(parts) or None


def _name(analysis: Analysis, name: Name, zh: bool) -> str:
    kind = KINDS.get(name.kind, (name.kind, name.kind))[1 if zh else 0]
    uses = analysis.uses_of(name.kind, name.value)
    if name.kind in UNDECLARED:  # a region: named where it is used
        if zh:
            return f"{kind} `{name.value}`，在示例中出现 {uses} 次"
        return f"{kind} `{name.value}`, named {uses} time{'s' if uses != 1 else ''} in the examples"
    decl = analysis.declaration(name.kind, name.value)
    if decl is None:
        return f"{kind} `{name.value}`：未声明" if zh else f"{kind} `{name.value}`: not declared"
    if zh:
        head = f"{kind} `{name.value}`，声明于第 {decl.span.line} 行，使用 {uses} 次"
    else:
        head = f"{kind} `{name.value}`, declared on line {decl.span.line}, used {uses} time{'s' if uses != 1 else ''}"
    texts = describe(analysis, name.kind, name.value, zh)
    return head + (f"\n\n{texts}" if texts else "")


def compiled_value(analysis: Analysis, statement: n.Node, zh: bool) -> str | None:
    """What the statement compiles to in the policy ("10min → 600 s of open time in `always`")."""
    policy = analysis.compiled.policy
    if policy is None:
        return None
    from ..policy.view import PolicyView

    view = PolicyView.of(policy)
    line = statement.span.line
    if isinstance(statement, n.Respond):
        for tier in view.tiers.values():
            for r in tier.responses:
                if r.line == line and r.within_seconds is not None:  # business days (issue 12): no seconds
                    seconds = _num(r.within_seconds)
                    if zh:
                        return f"{statement.within.raw} → `{r.calendar}` 中 {seconds} 秒的服务时间"
                    return f"{statement.within.raw} → {seconds} s of open time in `{r.calendar}`"
    if isinstance(statement, n.Uptime):
        owner = next((d for d in analysis.declarations if d.kind == "tier" and d.block and _holds(d.block, line)), None)
        promised = view.tiers.get(owner.value) if owner else None
        if promised is not None and promised.uptime is not None:
            tid, up = promised.id, promised.uptime
            return f"`{tid}` 的可用性 → {up}%" if zh else f"uptime of `{tid}` → {up} %"
    entry = next(_entries_on_line(policy, line), None)
    if entry is None:
        return None
    values = ", ".join(
        f"`{k}` = {_show(v)}" for k, v in entry.items() if k != "line" and not isinstance(v, dict | list)
    )
    if not values:
        return None
    return f"策略值：{values}" if zh else f"policy: {values}"


def _holds(span: Any, line: int) -> bool:
    return bool(span.line <= line <= span.end_line)


def _entries_on_line(value: Any, line: int) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        if value.get("line") == line:
            yield value
        for v in value.values():
            yield from _entries_on_line(v, line)
    elif isinstance(value, list):
        for v in value:
            yield from _entries_on_line(v, line)


def _num(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _show(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "none"}[value]
    if isinstance(value, int | float):
        return _num(value)
    return f"`{value}`"
