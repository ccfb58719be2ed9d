"""Date navigation, computed in the index stage: a calendar for each month that has articles,
and "on this day" listings (`on-this-day/MM-DD/`) that gather one calendar day across the years.

Both use the article's date in the site's zone, like the year / month / day archives; an
article dated only to a month appears in its month's count but on no day.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from types import MappingProxyType

from newsgen.model import Archive, Article, CalendarDay, DayOfYear, Listing, MonthCalendar, Period, day_label
from newsgen.urls import on_this_day_url

WEEK = calendar.Calendar(firstweekday=calendar.MONDAY)


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


def on_this_day(articles: Sequence[Article], zone: tzinfo, root: str = "") -> Mapping[str, DayOfYear]:
    """One DayOfYear per `MM-DD` that has articles, in calendar order; articles newest first; its
    pages under `root`, a language's prefix."""
    groups: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:  # already newest first
        if article.precision == "month":
            continue
        local = article.published.astimezone(zone)
        groups[(local.month, local.day)].append(article)
    keys = sorted(groups)
    days = {}
    for position, (month, day) in enumerate(keys):
        url = root + on_this_day_url(month, day)
        listing = Listing(url, f"On this day: {day_label(month, day)}", tuple(groups[(month, day)]))
        before = keys[position - 1] if position > 0 else None
        after = keys[position + 1] if position + 1 < len(keys) else None
        days[f"{month:02d}-{day:02d}"] = DayOfYear(
            month, day, listing,
            previous=(root + on_this_day_url(*before), day_label(*before)) if before else None,
            next=(root + on_this_day_url(*after), day_label(*after)) if after else None,
        )
    return MappingProxyType(days)
