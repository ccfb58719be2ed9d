"""The views templates get of the indexed site: small records made for rendering.

Every page template gets `site` as a SiteOutline: the site's structure with counts and a few
newest articles per listing, but never the full list of articles (a page that could read every
article would change with every article, and no rebuild could be small). Its parts are
separate records, so a page depends only on the parts its templates name (see
`render/environment.py`, TemplateReads). A listing page gets its listing as a ListingOutline and
its own articles in `page`. Article records in views carry no body; an article page gets its
own article with its body.

Outlines travel to worker processes once per build, as a file (see ShippedOnce).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from typing import Any, Mapping

from dateutil import tz
from jinja2.exceptions import TemplateRuntimeError

from newsgen.config import SiteConfig
from newsgen.model import Archive, Article, DatePrecision, DayOfYear, Listing, MonthCalendar, Period, Site, Takedown, Term
from newsgen.render.workers import ShippedOnce

HEAD_SIZE = 10
"""How many of a listing's newest articles its outline carries (`listing.head`)."""


def _not_offered(what: str) -> TemplateRuntimeError:
    instead = ("page.articles (the articles of this page), site.article_count, or the newest articles of a "
               f"listing (site.tags[0].head, at most {HEAD_SIZE})") if what == "site" else (
               f"page.articles (the articles of this page), listing.head (its {HEAD_SIZE} newest), listing.newest "
               "or listing.count")
    return TemplateRuntimeError(
        f"{what}.articles is not available to templates, whatever the size of the site: a page that reads every "
        f"article would be rendered again whenever any article changes. Use {instead}")


@dataclass(frozen=True)
class ListingOutline:
    """A tag, section, author, period or the front page as other pages show it."""

    url: str
    title: str
    count: int
    term: Term | None
    head: tuple[Article, ...]
    """Its newest articles, at most HEAD_SIZE, without bodies."""

    @property
    def newest(self) -> Article | None:
        return self.head[0] if self.head else None

    @property
    def articles(self) -> Any:
        raise _not_offered("listing")


@dataclass(frozen=True)
class ListingName:
    """A listing as its numbered pages show it: no count and no newest stories, which change with
    every article added to it."""

    url: str
    title: str
    term: Term | None

    @property
    def articles(self) -> Any:
        raise _not_offered("listing")


@dataclass(frozen=True)
class Navigation:
    """What the site-wide menu shows: which index pages exist. Every page shows it, so it holds
    nothing that an ordinary new article changes (no counts, no newest stories)."""

    sections: bool
    tags: bool
    authors: bool
    on_this_day: bool
    search: bool
    pages: tuple[tuple[str, str], ...]
    """(title, url) of the site's pages that have `menu`, in `menu` order (then by URL)."""


@dataclass(frozen=True)
class DayLookup:
    """`site.day_of_year(moment)`: the on-this-day entry of a moment's calendar day in the site's zone."""

    on_this_day: Mapping[str, DayOfYear]
    timezone: str

    def __call__(self, moment: datetime) -> DayOfYear | None:
        zone = tz.gettz(self.timezone) or dt_timezone.utc
        return self.on_this_day.get(f"{moment.astimezone(zone):%m-%d}")


@dataclass(frozen=True)
class SiteOutline(ShippedOnce):
    """`site` in templates. Each field is one part: a page depends on the parts its templates use."""

    config: SiteConfig
    navigation: Navigation
    article_count: int
    tags: tuple[ListingOutline, ...]
    sections: tuple[ListingOutline, ...]
    authors: tuple[ListingOutline, ...]
    years: tuple[Archive, ...]
    """Year archives, newest first, their listings outlined."""
    calendars: Mapping[Period, MonthCalendar]
    on_this_day: Mapping[str, DayOfYear]
    """`MM-DD` -> that calendar day across the years, its listing outlined (counts only)."""
    day_of_year: DayLookup

    @property
    def articles(self) -> Any:
        raise _not_offered("site")


@dataclass(frozen=True)
class TakedownNotice:
    """What the notice at the URL of an article taken down shows: no body, summary or image."""

    title: str
    url: str
    published: datetime
    precision: DatePrecision
    takedown: Takedown

    @staticmethod
    def of(article: Article) -> "TakedownNotice":
        assert article.takedown is not None
        return TakedownNotice(article.title, article.url, article.published, article.precision, article.takedown)


@dataclass(frozen=True)
class FrontRail:
    """The browsing box beside the newest front page: sections, topics and years with their
    counts. Numbered front pages have none, so an added article leaves them as they are."""

    sections: tuple[ListingOutline, ...]
    tags: tuple[ListingOutline, ...]
    years: tuple[Archive, ...]


def outline_listing(listing: Listing) -> ListingOutline:
    return ListingOutline(listing.url, listing.title, listing.count, listing.term, tuple(listing.articles[:HEAD_SIZE]))


def name_listing(listing: Listing) -> ListingName:
    return ListingName(listing.url, listing.title, listing.term)


def _bare_outline(listing: Listing) -> ListingOutline:
    """The count only: what a link to the listing shows."""
    return ListingOutline(listing.url, listing.title, listing.count, listing.term, ())


def outline_archive(archive: Archive) -> Archive:
    """The archive with its listing outlined (its children and neighbours are small already)."""
    return dataclasses.replace(archive, listing=outline_listing(archive.listing))  # type: ignore[arg-type]


def outline_site(site: Site) -> SiteOutline:
    def outlines(listings: tuple[Listing, ...]) -> tuple[ListingOutline, ...]:
        return tuple(outline_listing(listing) for listing in listings)

    config = site.config
    on_this_day = {key: dataclasses.replace(day, listing=_bare_outline(day.listing))
                   for key, day in site.on_this_day.items()}
    menu = sorted((page for page in site.pages if page.menu is not None), key=lambda page: (page.menu, page.url))
    navigation = Navigation(bool(site.sections), bool(site.tags), bool(site.authors), bool(site.on_this_day),
                            config.search, tuple((page.title, page.url) for page in menu))
    return SiteOutline(config, navigation, len(site.articles), outlines(site.tags), outlines(site.sections),
                       outlines(site.authors), tuple(outline_archive(year) for year in site.years),
                       dict(site.calendars), on_this_day, DayLookup(on_this_day, config.timezone))


def front_rail(outline: SiteOutline) -> FrontRail:
    return FrontRail(outline.sections, outline.tags, outline.years)


def section_nearby(article: Article, section: Listing | None, position: int, count: int = 5) -> tuple[Article, ...]:
    """The stories of the article's section nearest to it in time, newest first, without it:
    up to `count` of them, as many newer as older where the section allows. Depends on the
    stories around the article only, so an added story changes the block of its neighbours alone."""
    if section is None:
        return ()
    articles = section.articles
    start = max(0, min(position - count // 2, len(articles) - count - 1))
    return tuple(other for other in articles[start:start + count + 1] if other.url != article.url)[:count]
