"""Numbers, percentages, money, durations, dates and hours formatted per language with Babel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from babel import Locale
from babel.dates import format_date, get_day_names
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent, parse_pattern

from ..policy.codec import DAYS
from .strings import Catalogue, cjk_fill

# A month for the "allowed downtime" figure: the reference month of 30 days.
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))
# Parsed once: Babel would parse the pattern text again on every call. Every decimal the
# contract wrote is kept (no rounding to Babel's default three places).
_DECIMAL = parse_pattern("#,##0.##########")
_PERCENT = parse_pattern("#,##0.##########%")


class Formatter:
    """Formats values for one catalogue's locale; every method returns plain text."""

    def __init__(self, catalogue: Catalogue, timezone: str = "UTC", locale: str | None = None) -> None:
        self.c = catalogue
        # The contract's `locale en "en-GB"` when it gives one, else the catalogue's (en: en-US).
        self.locale = Locale.parse((locale or catalogue.locale).replace("-", "_"))
        self.timezone = timezone  # the contract's zone: a moment in its offset is written in its name

    def zone(self, name: str) -> str:
        """A time zone's name for a reader (`北京时间`, `China Standard Time`, `Berlin time`): the
        catalogue's own wording first, else CLDR's through Babel — the standard name for a zone
        without daylight saving time, and for a zone with it the local time of its city (`Berlin
        time`, `柏林当地时间`), since a generic name such as "Central European Time" reads as the
        winter offset alone — else the identifier."""
        key = f"zone.names.{name}"
        if self.c.has(key):
            return self.c.t(key)
        from babel.dates import get_timezone, get_timezone_location, get_timezone_name

        try:
            tz = get_timezone(name)
            winter, summer = (dt.datetime(2025, m, 1, tzinfo=tz).utcoffset() for m in (1, 7))
            if winter == summer:
                return str(get_timezone_name(tz, "long", zone_variant="standard", locale=self.locale))
            return self.c.t("zone.local", city=get_timezone_location(tz, locale=self.locale, return_city=True))
        except LookupError:
            return name

    def number(self, value: Decimal | int) -> str:
        return format_decimal(value, format=_DECIMAL, locale=self.locale)

    def percent(self, share: str | Decimal) -> str:
        return format_percent(Decimal(share) / 100, format=_PERCENT, locale=self.locale)

    def money(self, amount: str | Decimal, currency: str) -> str:
        return format_currency(Decimal(amount), currency, locale=self.locale)

    def date(self, iso: str) -> str:
        return format_date(dt.date.fromisoformat(iso), format="long", locale=self.locale)

    def timestamp(self, iso: str) -> str:
        """A moment as written in the contract, in its own UTC offset."""
        moment = dt.datetime.fromisoformat(iso)
        offset = moment.strftime("%z")
        zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
        named = self.timezone not in ("UTC", "Etc/UTC")
        if named and moment.utcoffset() is not None and moment.utcoffset() == self._offset(moment):
            zone = self.zone(self.timezone)  # the zone the text names, not a bare offset
        return self.c.t(
            "timestamp",
            date=self.date(moment.date().isoformat()),
            # Seconds only when the moment has them: back-to-back blips would otherwise read as one.
            time=moment.strftime("%H:%M:%S" if moment.second else "%H:%M"),
            zone=zone,
        )

    def _offset(self, moment: dt.datetime) -> dt.timedelta | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return moment.astimezone(ZoneInfo(self.timezone)).utcoffset()
        except (ZoneInfoNotFoundError, ValueError):
            return None

    def every(self, seconds: float | Decimal) -> str:
        """`every minute` / `每分钟` for one whole unit, else `every 5 minutes` / `每 5 分钟`."""
        for unit, size in (*_UNITS, ("second", 1)):
            if Decimal(str(seconds)) == size:
                return self.c.t(f"units.every_one.{unit}")
        return self.c.t("units.every", duration=self.duration(seconds))

    def duration(self, seconds: float | Decimal) -> str:
        """`43 minutes 12 seconds` / `43 分钟 12 秒`: exact, largest units first, zero parts left out."""
        rest = Decimal(str(seconds))
        if rest == 0:
            return self.c.plural("units.second", 0, n=self.number(0))
        parts = []
        # Whole days read as days from four days up (30 days); shorter spans keep hours, as
        # contracts write them (72 hours, not 3 days).
        units = _UNITS if rest >= 4 * 86400 and rest % 86400 == 0 else _UNITS[1:]
        for unit, size in units:
            whole = int(rest // size)
            if whole:
                parts.append(self.c.plural(f"units.{unit}", whole, n=self.number(whole)))
                rest -= whole * size
        if rest:
            if rest < 1 and not parts:
                ms = (rest * 1000).normalize()
                parts.append(self.c.plural("units.millisecond", ms, n=self.number(ms)))
            else:
                sec = rest.normalize()
                parts.append(self.c.plural("units.second", sec, n=self.number(sec)))
        return self.c.t("units.join").join(parts)

    def short_duration(self, seconds: float | int) -> str:
        """`1 h 30 min` / `1 小时 30 分钟`, the evaluation report's style: whole units down to seconds.

        From a minute up, seconds are rounded (the exact figure is in the JSON report); below a
        minute a fraction of a second is kept, so half a second late never reads as on time.
        Digits are written plainly (no grouping), as the JSON report writes them.
        """
        micros = round(float(seconds) * 1_000_000)
        if micros >= 60_000_000:
            micros = round(micros, -6)
        whole, frac = divmod(micros, 1_000_000)
        days, rest = divmod(whole, 86_400)
        hours, rest = divmod(rest, 3_600)
        minutes, secs = divmod(rest, 60)
        units = ((days, "day"), (hours, "hour"), (minutes, "minute"))
        parts = [self.c.t(f"units.short.{unit}", n=str(v)) for v, unit in units if v]
        if secs or frac or not parts:
            value = str(secs) if not frac else f"{secs}.{frac:06d}".rstrip("0")
            parts.append(self.c.t("units.short.second", n=value))
        return self.c.t("units.join").join(parts)

    def items(self, values: list[str]) -> str:
        """`a, b and c` / `a、b 和 c`."""
        return self._list(values, "standard")

    def alternatives(self, values: list[str]) -> str:
        return self._list(values, "or")

    def _list(self, values: list[str], style: Literal["standard", "or"]) -> str:
        if not values:
            return ""
        if not self.c.cjk_spacing:
            return format_list(values, style=style, locale=self.locale)
        # Babel's patterns, filled with the catalogue's Chinese spacing: `5.3 和 5.4`, not `5.3和5.4`.
        patterns = self.locale.list_patterns[style]

        def fill(pattern: str, first: str, second: str) -> str:
            return cjk_fill(pattern.replace("{0}", "{a}").replace("{1}", "{b}"), {"a": first, "b": second})

        if len(values) == 1:
            return values[0]
        if len(values) == 2:
            return fill(patterns["2"], values[0], values[1])
        text = fill(patterns["start"], values[0], values[1])
        for value in values[2:-1]:
            text = fill(patterns["middle"], text, value)
        return fill(patterns["end"], text, values[-1])

    def day(self, day: str) -> str:
        return str(get_day_names("wide", locale=self.locale)[DAYS.index(day)])

    def clock(self, minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    def region(self, code: str) -> str:
        country, _, subdivision = code.partition("-")
        key = f"region.names.{country}"
        name = self.c.t(key) if self.c.has(key) else self.locale.territories.get(country, country)
        return self.c.t("calendar.region", name=name, code=code)

    def weekly_hours(self, hours: list[dict]) -> str:
        """Weekly hours as day ranges sharing the same times: `Monday to Friday, 08:00–18:00`."""
        by_day: dict[str, list[tuple[int, int]]] = {}
        for h in hours:
            by_day.setdefault(h["day"], []).append((h["start"], h["end"]))
        groups: list[tuple[list[str], list[tuple[int, int]]]] = []
        for day in DAYS:
            spans = by_day.get(day)
            if spans is None:
                continue
            previous = groups[-1] if groups else None
            if previous and previous[1] == spans and DAYS.index(previous[0][-1]) == DAYS.index(day) - 1:
                previous[0].append(day)
            else:
                groups.append(([day], spans))
        out = []
        for days, spans in groups:
            if len(days) == 1:
                when = self.day(days[0])
            elif len(days) == 2:
                when = self.items([self.day(days[0]), self.day(days[1])])
            else:
                when = self.c.t("hours.day_range", first=self.day(days[0]), last=self.day(days[-1]))
            times = self.items([f"{self.clock(s)}–{self.clock(e)}" for s, e in spans])
            out.append(self.c.t("hours.days_times", days=when, times=times))
        return self.c.t("hours.separator").join(out)
