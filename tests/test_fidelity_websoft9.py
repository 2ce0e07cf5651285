"""Fidelity of the rendered websoft9 SLA to the original (issue 14): every term of the original,
written as a pattern per language, is looked up in the zh and in the en Markdown edition."""

from __future__ import annotations

import re

import pytest

from slac import compile_policy
from slac.render import render_markdown

from .conftest import ROOT

# (what the original says, zh pattern, en pattern). The patterns are the original's wording as the
# document must carry it; `\s*` where a table or list puts spacing of its own.
TERMS = [
    ("provider defined", r"“Websoft9” 是指注册于中国的长沙网久软件有限公司", r"“Websoft9” mean Changsha Wangjiu Software Co\., Ltd\."),
    ("customer defined", r"“客户” 是指本网站的用户和/或服务的客户", r"“customer” mean a user of this website and/or a customer"),
    ("service defined", r"“Websoft9 多应用托管平台”", r"“Websoft9 Multi-Application Hosting Platform”"),
    ("amendment promise", r"不会以实质性降低服务水平的方式修改您的 SLA 条款；如果您续订服务", r"in a way that materially reduces the service level; if you renew"),
    ("availability scope", r"不保证合作伙伴云提供商的服务可用性", r"in no case do we guarantee the service availability of partner cloud providers"),
    ("availability aim", r"每天 24 小时、每周 7 天、每年 365 天可用", r"24 hours a day, 7 days a week, 365 days a year"),
    ("live: standard", r"\| 标准支持 \| 每次最长 20 分钟 \| 工作时间 \|", r"\| Standard Support \| up to 20 minutes per session \| business hours \|"),
    ("live: advanced", r"\| 高级支持 \| 每次最长 30 分钟 \| 工作时间 \|", r"\| Advanced Support \| up to 30 minutes per session \| business hours \|"),
    ("live: premium", r"\| 尊享支持 \| 不限时长 \| 延长服务时间 \|", r"\| Premium Support \| unlimited \| extended hours \|"),
    ("business hours", r"星期一至星期五 08:00–18:00（北京时间），但国务院办公厅公布的节假日安排中的放假日除外", r"Monday to Friday, 08:00–18:00, China Standard Time, except public holidays in China"),
    ("extended hours", r"星期一至星期日 08:00–22:00（北京时间）", r"Monday to Sunday, 08:00–22:00, China Standard Time"),
    ("targets: standard", r"\| 标准支持 \| 12 小时 \| 3 小时 \|", r"\| Standard Support \| 12 hours \| 3 hours \|"),
    ("targets: advanced", r"\| 高级支持 \| 6 小时 \| 30 分钟 \|", r"\| Advanced Support \| 6 hours \| 30 minutes \|"),
    ("targets: premium", r"\| 尊享支持 \| 2 小时 \| 10 分钟 \|", r"\| Premium Support \| 2 hours \| 10 minutes \|"),
    ("response is not resolution", r"已确认工单并开始处理，并不表示问题已经解决", r"acknowledged the ticket and started work on it; it does not mean that the problem has been resolved"),
    ("downgrade rule", r"工单须涉及导致客户的基础设施或服务不可用或无法访问的事件；不符合的，自提交时起按“普通优先”工单处理", r"must relate to an event that makes the customer's infrastructure or service unavailable or inaccessible; a ticket that does not is treated as a Normal priority ticket from its opening"),
    ("escalation", r"创建一个工单，其中包含实时沟通记录，并由我们的高级工程师通过我们的工单系统进行跟进", r"creates a ticket containing the live communication record, and our senior engineers follow it up"),
    ("claim via the portal", r"仅在客户通过工单系统（\[https://www\.websoft9\.com/ticket\]", r"only if the customer claims them through the Ticket system \(\[https://www\.websoft9\.com/ticket\]"),
    ("voucher, next billing cycle", r"以代金券的形式提供，并计入下一期账单", r"given in the form of vouchers and are applied to the next invoice"),
    ("sole compensation", r"全部及唯一补偿", r"entire and sole compensation"),
    ("5 % per request", r"每有一张工单响应超时，客户有权获得金额为月服务费的 5% 的服务补偿", r"For each ticket whose response target is missed, the customer is entitled to a service credit of 5% of the monthly fee"),
    ("cap", r"每一自然月的全部服务补偿合并计算，总额不超过月服务费的 100%", r"may not exceed 100% of the monthly fee in total"),
    ("exclusions lead-in", r"下列情形不适用本 SLA，亦不适用 SLA 补偿政策", r"This SLA and its service credit policy do not apply to the following"),
    ("exclusion: planned", r"\*\*5\.1\*\* Websoft9 计划内停机", r"\*\*5\.1\*\* Planned downtime by Websoft9"),
    ("exclusion: emergency", r"\*\*5\.2\*\* 紧急维护", r"\*\*5\.2\*\* Emergency maintenance"),
    ("exclusion: force majeure", r"\*\*5\.3\*\* 不可抗力事件", r"\*\*5\.3\*\* Force majeure events"),
    ("exclusion: customer environment", r"非标准环境、个性化代码或其他对平台的错误设置", r"non-standard environment, custom code or other misconfiguration of the platform"),
    ("exclusion: cloud", r"\*\*5\.5\*\* 云基础设施故障导致未能达到服务标准", r"\*\*5\.5\*\* Failure to meet the service standard caused by a cloud infrastructure failure"),
    ("Azure", r"\[Azure SLA\]\(https://www\.azure\.cn/en-us/support/sla/summary/\)", r"\[Azure SLA\]\(https://www\.azure\.cn/en-us/support/sla/summary/\)"),
    ("AWS", r"\[AWS SLA\]\(https://aws\.amazon\.com/cn/legal/service-level-agreements/\)", r"\[AWS SLA\]\(https://aws\.amazon\.com/cn/legal/service-level-agreements/\)"),
    ("Alibaba", r"\[阿里云 SLA\]\(https://help\.aliyun\.com/zh/ecs/support/the-agreement/\)", r"\[Alibaba Cloud SLA\]\(https://help\.aliyun\.com/zh/ecs/support/the-agreement/\)"),
    ("Huawei", r"\[华为云 SLA\]\(https://www\.huaweicloud\.com/declaration/sla\.html\)", r"\[Huawei Cloud SLA\]\(https://www\.huaweicloud\.com/declaration/sla\.html\)"),
    ("Tencent", r"\[腾讯云 SLA\]\(https://www\.huaweicloud\.com/declaration/sla\.html\)", r"\[Tencent Cloud SLA\]\(https://www\.huaweicloud\.com/declaration/sla\.html\)"),
]  # fmt: skip


@pytest.fixture(scope="module")
def editions() -> dict[str, str]:
    path = ROOT / "contracts" / "websoft9.sla"
    policy = compile_policy(path.read_text(encoding="utf-8"), file=path.name)
    return {lang: render_markdown(policy, lang) for lang in ("zh", "en")}


@pytest.mark.parametrize(("term", "zh", "en"), TERMS, ids=[t[0] for t in TERMS])
def test_every_term_of_the_original_is_in_both_editions(editions: dict[str, str], term: str, zh: str, en: str) -> None:
    for lang, pattern in (("zh", zh), ("en", en)):
        assert re.search(pattern, editions[lang]), f"{lang}: the original's {term!r} is missing"


def test_no_undefined_party_term_and_no_software_talk(editions: dict[str, str]) -> None:
    for word in ("服务提供方", "服务提供商", "构建", "测试"):
        assert word not in editions["zh"], word
    for word in ("the provider", "The provider", "build", "test of the contract"):
        assert word not in editions["en"], word
