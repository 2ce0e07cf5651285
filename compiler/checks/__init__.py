"""Semantic checks: one check per module, all listed in `CHECKS`, run in that order.

Each check is a function `check(ctx: Context) -> Iterable[Diagnostic]`. Checks
never raise for a bad contract and never stop at the first problem; `run`
collects everything and sorts it by position.

Diagnostic codes (stable). The E01xx and E02xx codes come from the stages
before the checks: a contract with any of them is not checked further.

source screen (E013x, W0806; `screen.py`, before parsing; limits in `limits.py`)
    E0130  a source over MAX_SOURCE_BYTES, MAX_LINES or MAX_TOKENS
    E0131  a control character, lone surrogate, non-character or line/paragraph separator
    E0132  a bidirectional embedding, override or isolate control, anywhere
    E0133  an invisible formatting character (zero-width space, joiner, soft hyphen …) outside a text
    W0806  an invisible formatting character inside a text or comment (warning naming the code point)
    E0140  more than MAX_DIAGNOSTICS problems: the rest are counted, not shown
syntax (E01xx; `syntax.py`, messages of E0110–E0122 in grammar/syntax_errors.toml)
    E0101  an unexpected token     E0102  the file ends early     E0103  a text without closing quote
    E0104  an unknown statement
    E0110–E0122  known mistakes: calendar of a target, money without currency, commas in a list,
           hours without minutes or days, band symbols, unquoted zone, dates, texts without language,
           upper-case names, missing braces, spaced durations, no `sla NAME {`
values (E02xx; `to_ast/values.py`)
    E0201  an unknown escape in a text     E0202  an impossible date or month
    E0203  an invalid timestamp            E0204  a timestamp without UTC offset
    E0205  an impossible clock time        E0206  a text line that belongs to no statement
    E0207  a text block without text       E0208  an unknown weekday
    E0209  an option given twice (`claim`, `ticket`, `outage`)
    E0210  a text over MAX_TEXT_CHARS      E0211  a name over MAX_NAME_CHARS
    E0212  an amount or percentage out of range (MAX_DIGITS, MAX_DECIMALS, MAX_PERCENT)
    E0213  a duration over MAX_DURATION_MS
    E0214  `repeat` over MAX_REPEAT, another whole number over MAX_COUNT
    E0215  a date, timestamp or period outside MIN_YEAR–MAX_YEAR
    E0218  an amount that is a number and a word other than `service_day(s)`
    E0219  a formula naming a quantity the language does not have
    E0224  a count that must be at least 1 is 0 (`terminate … for 0 consecutive months`, `within 0 billing cycles`)
    E0225  a target, update interval, live session, claim period or probe interval of no time; an
           error-rate interval under a minute (`durations.py`)
    E0226  over MAX_PERIODS consecutive months to terminate or billing cycles to claim
    E0227  a target or update interval whose deadline would fall over MAX_DEADLINE_DAYS after its start
           (from its calendar's open time in a week)
sizes (E022x; the first check, run even on a contract with value errors; the others never run
       on a contract with errors so far)
    E0220  over MAX_STATEMENTS statements     E0221  over MAX_TIERS tiers or MAX_EXAMPLES examples
    E0222  an example with over MAX_EXAMPLE_EVENTS events (`repeat` counted out), or examples
           with over MAX_TOTAL_EXAMPLE_EVENTS in all
    E0216  a word (no space, hyphen or CJK character) over MAX_UNBROKEN_CHARS, or words of over
           LONG_RUN_CHARS together over MAX_LONG_RUN_CHARS (the PDF lays them out letter by letter)
    E0223  calendars with holidays × materialised years over MAX_HOLIDAY_CALENDAR_YEARS (policy stage)

structure (E07xx)
    E0701  a required statement is missing (title, version, effective, languages, timezone, currency)
    E0702  a statement given more than once where one is allowed (the first is a secondary span)
    E0703  a word the language does not know (billing, response means, window, metric, per, payout, basis)
    E0704  an example without `tier` or `fee`
    E0705  an example without any `expect`
    E0710  an objective threshold of the wrong kind (percentile with a %, ratio with a duration)
    E0711  an objective without a target
names (E03xx)
    E0301  a tier, priority, calendar, exclusion, channel, define, clause, credit, objective or example title declared twice
    E0302  unknown tier            E0303  unknown priority        E0304  unknown calendar
    E0305  unknown exclusion       E0306  unknown channel
    E0307  a language listed twice in `languages`
    E0308  a name listed twice in one list (`support`, `applies`, `excludes`)
texts (E04xx)
    E0401  a text missing a declared language
    E0402  a text in a language the contract does not declare
    E0403  a text list giving one language twice
    E0404  an empty text
    E0405  a tier, channel, priority or objective without `name`
    W0409  an example titled in one text in a contract of several languages (warning)
urls (E04xx)
    E0406  a `url`, `status_page` or link that is not `https://…` (a channel may also be `mailto:…`),
           or that has user information before the host or characters RFC 3986 does not allow
zones (E05xx)
    E0501  a time zone unknown to `zoneinfo`
regions (E05xx)
    E0502  a holiday region unknown to the `holidays` package
hours (E05xx)
    E0503  an empty range     E0504  a range that ends before it starts     E0505  `24:00` as a start
    E0506  two ranges overlapping on one weekday     E0507  a calendar without `hours`
downgrade (E03xx, E07xx, W08xx)
    E0310  a priority downgrading to itself     E0311  a downgrade cycle
    E0706  `requires outage` without `downgrade`
    W0801  `downgrade` without `requires outage` (warning: the downgrade never applies)
bands (E06xx)
    E0601  two bands of one credit on the same threshold
    E0602  a band paying less for worse service
    E0603  `below target` for a tier without `uptime`
    E0604  a tier's uptime target at or below a fixed band threshold of a credit with a `below target` band
    E0605  a credit with neither bands nor per-miss lines
percentages (E06xx)
    E0606  a share over 100 %     E0607  an uptime target or band threshold of 0 %
money (E06xx)
    E0608  money in a currency other than the contract's     E0609  a cap below a single credit
ordering (W08xx, warnings)
    W0802  a later tier with lower (or no) uptime     W0803  a later tier with a slower response target
    W0804  a later tier with a shorter (or no) live-session limit
    W0805  a later tier without a target for a priority an earlier tier measures
scopes (language v2: E032x, E0608, E0703, E072x, W0807)
    E0320  an unknown service        E0322  an unknown condition
    E0321  a region given for a service not measured per region, or missing for one that is
    E0323  requests for a service without an error-rate rule
    E0324  a condition named like a column of the customers file
    E0720  `maintenance notice` in `availability` without an exclusion `planned_maintenance`
    E0721  a window that is not the billing period (`calendar quarter` needs `billing quarterly`)
    E0722  a cap over a span shorter than the window (`per month` over a quarterly window)
    W0807  a maintenance-like exclusion without `maintenance notice` in a contract that announces maintenance
formulas (language v2: E061x, W0808)
    E0610  a formula that does not come out as money (the unit check says why)
    E0611  a formula that more downtime could make smaller
    E0612  a formula dividing by something that is zero whatever the data (`/ 0`, `/ (window - window)`)
    W0808  a cap that no credit can reach
tickets (language v2, issue 12: E073x, E0308, W081x)
    E0730  a resolution target shorter than the response target of the same priority (same calendar and unit)
    E0731  `warn at` outside (0 %, 100 %)
    E0308  a status listed twice in `pause when status`
    E0709  an example ticket updated, paused or resolved before it is opened, or updated or paused after it is resolved
    W0810  an update interval longer than the resolution target (updates fall due only on late tickets)
    W0811  a duration in days (`2d`) during a calendar that is not open around the clock: it counts open hours
    W0812  a later tier with a longer resolution target or update interval (same calendar and unit) than an earlier one
examples (E07xx)
    E0707  `repeat` less than once     E0708  an event outside the example's month
    E0709  a ticket responded to before it was opened
expectations (E07xx; the post-policy stage: `examples_hold` and `unevaluable`, called by the driver
              after the policy is built and its examples are run, not listed in CHECKS)
    E0712  an `expect` that the evaluator does not confirm, or examples that cannot be evaluated
publish (E04xx, E07xx)
    E0407  a `publish` slug that is not a site path (`/legal/sla`)
    E0402/E0403/E0702  a position for an undeclared language or given twice; a second block or statement
    E0408  a `locale` that is not a CLDR locale of its language (`locale en "en-GB"`)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import Diagnostic, has_errors
from ..nodes import Document
from . import (
    bands,
    downgrade,
    durations,
    examples,
    formulas,
    hours,
    money,
    names,
    ordering,
    percentages,
    publish,
    regions,
    scopes,
    sizes,
    structure,
    texts,
    tickets,
    urls,
    words,
    zones,
)
from .context import Context
from .expectations import examples_hold, unevaluable

__all__ = ["CHECKS", "Check", "examples_hold", "run", "unevaluable"]

Check = Callable[[Context], Iterable[Diagnostic]]

# In the order the checks run: sizes first (a gate, see `run`), then structure (the others rely on it less).
CHECKS: tuple[Check, ...] = (
    sizes.check,
    structure.check,
    names.check,
    texts.check,
    urls.check,
    zones.check,
    regions.check,
    hours.check,
    downgrade.check,
    bands.check,
    percentages.check,
    money.check,
    ordering.check,
    examples.check,
    words.check,  # issue 13: words too long for a line (E0216)
    publish.check,
    publish.locales,
    scopes.check,
    formulas.check,
    tickets.check,  # issue 12: ticket clocks
    durations.check,
)


def run(doc: Document, *, values_ok: bool = True) -> list[Diagnostic]:
    """All diagnostics of all checks for one document, sorted by position.

    The sizes check always runs; the semantic checks after it only when it found no error and
    the document's values converted cleanly (`values_ok`): on placeholders they would only report noise.
    """
    ctx = Context.of(doc)
    found: list[Diagnostic] = list(sizes.check(ctx))
    if not values_ok or has_errors(found):
        return sorted(set(found), key=Diagnostic.sort_key)
    for check in CHECKS[1:]:
        found.extend(check(ctx))
    return sorted(set(found), key=Diagnostic.sort_key)
