"""Date navigation, computed in the index stage: a calendar for each month that has articles,
and "on this day" listings (`on-this-day/MM-DD/`) that gather one calendar day across the years.

Both use the article's date in the site's zone, like the year / month / day archives; an
article dated only to a month appears in its month's count but on no day.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from types import MappingProxyType

from .index import MONTH_NAMES, Archive, Listing, Period
from .model import Article
from .urls import on_this_day_url

WEEK = calendar.Calendar(firstweekday=calendar.MONDAY)


@dataclass(frozen=True)
class CalendarDay:
    """One day in a month's calendar: its archive page and count when it has articles."""

    day: int
    url: str | None
    count: int


@dataclass(frozen=True)
class MonthCalendar:
    """A month as weeks from Monday to Sunday; None fills the days of other months."""

    period: Period
    count: int
    weeks: tuple[tuple[CalendarDay | None, ...], ...]


@dataclass(frozen=True)
class DayOfYear:
    """The articles of one calendar day (10 August) in every year, newest first."""

    month: int
    day: int
    listing: Listing
    previous: tuple[str, str] | None
    """(url, label) of the nearest earlier calendar day that has articles."""
    next: tuple[str, str] | None

    @property
    def label(self) -> str:
        return day_label(self.month, self.day)


def day_label(month: int, day: int) -> str:
    return f"{day} {MONTH_NAMES[month - 1]}"


def month_calendars(archives: Iterable[Archive]) -> Mapping[Period, MonthCalendar]:
    """A calendar for every month archive, keyed by the month's Period."""
    calendars = {}
    for archive in archives:
        period = archive.period
        if period.level != "month":
            continue
        days = {child.day: (child.url, count) for child, count in archive.children}
        weeks = tuple(
            tuple(None if day == 0 else CalendarDay(day, *days.get(day, (None, 0))) for day in week)
            for week in WEEK.monthdayscalendar(period.year, period.month)
        )
        calendars[period] = MonthCalendar(period, archive.listing.count, weeks)
    return MappingProxyType(calendars)


def on_this_day(articles: Sequence[Article], zone: tzinfo) -> Mapping[str, DayOfYear]:
    """One DayOfYear per `MM-DD` that has articles, in calendar order; articles newest first."""
    groups: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:  # already newest first
        if article.precision == "month":
            continue
        local = article.published.astimezone(zone)
        groups[(local.month, local.day)].append(article)
    keys = sorted(groups)
    days = {}
    for position, (month, day) in enumerate(keys):
        url = on_this_day_url(month, day)
        listing = Listing(url, f"On this day: {day_label(month, day)}", tuple(groups[(month, day)]))
        before = keys[position - 1] if position > 0 else None
        after = keys[position + 1] if position + 1 < len(keys) else None
        days[f"{month:02d}-{day:02d}"] = DayOfYear(
            month, day, listing,
            previous=(on_this_day_url(*before), day_label(*before)) if before else None,
            next=(on_this_day_url(*after), day_label(*after)) if after else None,
        )
    return MappingProxyType(days)
