"""Small stand-ins for the big records, shipped to worker processes with page jobs.

A page rendered in a worker gets `site` as a SiteOutline and its listing as a ListingOutline:
everything but the full lists of articles, of which only the length is there. A page's own
articles (a ListingPage, an article and its neighbours) travel whole, without bodies. The same
outlines are used when a build runs without workers, so a template behaves the same either way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from typing import Any, Mapping

from dateutil import tz

from newsgen.config import SiteConfig
from newsgen.errors import NewsgenError
from newsgen.model import Archive, Listing, Period, Site
from newsgen.model import Article, Term
from newsgen.render.workers import ShippedOnce


HEAD_SIZE = 10
"""How many of a listing's newest articles an outline carries (`listing.articles[:6]`)."""


@dataclass(frozen=True)
class ArticleCount:
    """A listing's `articles` in an outline: its length, and its newest HEAD_SIZE articles
    (without bodies) for a slice like `articles[:6]`."""

    count: int
    head: tuple[Article, ...] = ()

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice) and index.step in (None, 1) and (index.start or 0) >= 0 \
                and index.stop is not None and 0 <= index.stop <= len(self.head):
            return self.head[index]
        if isinstance(index, int) and 0 <= index < len(self.head):
            return self.head[index]
        if isinstance(index, slice) and self.count <= len(self.head):
            return self.head[index]
        raise NewsgenError(f"only the newest {HEAD_SIZE} articles of a listing or site are available here; "
                           "use page.articles for the articles of this page")

    def __iter__(self):
        if self.count <= len(self.head):
            return iter(self.head)
        raise NewsgenError("only the number of articles of a listing or site is available here; "
                           "use page.articles for the articles of this page")


def _count(articles: Any) -> ArticleCount:
    return ArticleCount(len(articles), tuple(articles[:HEAD_SIZE]))


@dataclass(frozen=True)
class ListingOutline:
    """A Listing without its articles (their number is kept)."""

    url: str
    title: str
    count: int
    term: Term | None
    articles: ArticleCount
    newest: Article | None = None
    """The newest article (without its body)."""


@dataclass(frozen=True)
class SiteOutline(ShippedOnce):
    """What pages rendered in workers can read of `site`."""

    config: SiteConfig
    articles: ArticleCount
    tags: tuple[ListingOutline, ...]
    sections: tuple[ListingOutline, ...]
    authors: tuple[ListingOutline, ...]
    # --- search (issue 4): calendars and on-this-day, with their listings outlined ---
    years: tuple[Archive, ...] = ()
    calendars: Mapping[Period, Any] = dataclasses.field(default_factory=dict)
    on_this_day: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    day_of_year: "DayLookup | None" = None
    """site.day_of_year(moment), as Site.day_of_year: a record, not a method, so that a page's
    memo key depends on the calendar days and the zone only (a method would drag in config.now)."""


@dataclass(frozen=True)
class DayLookup:
    """The on-this-day listing for a moment's calendar day in the site's zone."""

    on_this_day: Mapping[str, Any]
    timezone: str

    def __call__(self, moment: datetime) -> Any:
        return self.on_this_day.get(f"{moment.astimezone(_zone(self.timezone)):%m-%d}")


def _zone(name: str) -> Any:
    return tz.gettz(name) or dt_timezone.utc


def outline_listing(listing: Listing) -> ListingOutline:
    return ListingOutline(listing.url, listing.title, listing.count, listing.term, _count(listing.articles),
                          listing.articles[0] if listing.articles else None)


def _bare_outline(listing: Listing) -> ListingOutline:
    """An outline with the count only (no articles): what a link to the listing shows. Every page
    that links an on-this-day day then depends on counts, not on which articles those days hold."""
    return ListingOutline(listing.url, listing.title, listing.count, listing.term, ArticleCount(listing.count))


def outline_archive(archive: Archive) -> Archive:
    """The archive with its listing outlined (its children and neighbours are small already)."""
    return dataclasses.replace(archive, listing=outline_listing(archive.listing))  # type: ignore[arg-type]


def outline_site(site: Site) -> SiteOutline:
    def outlines(listings: tuple[Listing, ...]) -> tuple[ListingOutline, ...]:
        return tuple(outline_listing(listing) for listing in listings)

    on_this_day = {key: dataclasses.replace(day, listing=_bare_outline(day.listing))
                   for key, day in site.on_this_day.items()}
    return SiteOutline(site.config, _count(site.articles), outlines(site.tags),
                       outlines(site.sections), outlines(site.authors),
                       tuple(outline_archive(year) for year in site.years), dict(site.calendars), on_this_day,
                       DayLookup(on_this_day, site.config.timezone))
