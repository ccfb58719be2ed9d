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
from datetime import datetime
from typing import Any, Mapping

from jinja2.exceptions import TemplateRuntimeError

from newsgen.config import SiteConfig, zone_named
from newsgen.model import (Archive, Article, DatePrecision, DayOfYear, Listing, ListingPage, MonthCalendar, Period,
                           Site, Takedown, Term, Translation)
from newsgen.render.translations import language_name
from newsgen.shipping import ShippedOnce
from newsgen.urls import page_url

HEAD_SIZE = 10
"""How many of a listing's newest articles its outline carries (`listing.head`)."""
PAGE_REACH = 2
"""How many numbered pages on each side of a listing page its page links name."""


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
class Shelf:
    """The browsing box beside the front page and the tag, section and author pages: sections
    and years by name, without counts, so an article changes it only when it opens a section or
    a year."""

    sections: tuple[tuple[str, str], ...]
    """(name, url) of every section, by name."""
    years: tuple[tuple[str, str], ...]
    """(label, url) of every year with articles, newest first."""


@dataclass(frozen=True)
class DayLookup:
    """`site.day_of_year(moment)`: the on-this-day entry of a moment's calendar day in the site's zone."""

    on_this_day: Mapping[str, DayOfYear]
    timezone: str

    def __call__(self, moment: datetime) -> DayOfYear | None:
        local = moment.astimezone(zone_named(self.timezone))
        return self.on_this_day.get("%02d-%02d" % (local.month, local.day))


@dataclass(frozen=True)
class LanguageLink:
    """One language of a multilingual site, as the masthead's language menu and an article's
    language switcher name it."""

    language: str
    """Its tag (`es`), for `hreflang` and `lang`."""
    name: str
    """Its name in itself (`Español`)."""
    url: str
    """Its front page (`es/`), or on a switcher the story's version in it."""
    title: str = ""
    """On a switcher: the headline of the story's version in that language."""


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
    shelf: Shelf
    languages: tuple[LanguageLink, ...] = ()
    """On a multilingual site, each language and its front page, in `languages` order; empty otherwise."""

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
class PageLinks:
    """The links between the pages of a listing as one page shows them: the numbered pages
    within PAGE_REACH of it, and the newest and oldest pages when they are not among those.
    A numbered page's links depend on how many pages there are only near the newest page, so an
    added article leaves the others as they are."""

    current: int | None
    """This page's number; None on the newest page (the listing's own URL)."""
    newest_url: str | None
    """The listing's own URL; None on the newest page."""
    newer: tuple[tuple[int, str], ...]
    """(number, url) of the numbered pages newer than this one, newest first."""
    older: tuple[tuple[int, str], ...]
    """(number, url) of the pages older than this one, newest first."""
    oldest_url: str | None
    """Page 1, when it is not among `older` and this is not it."""


def page_links(page: ListingPage, listing_url: str, total: int, reach: int = PAGE_REACH) -> PageLinks:
    """The links between the `total` pages of a listing as `page` shows them."""
    newest = page.url == listing_url
    numbers_newer = () if newest else range(min(page.number + reach, total - 1), page.number, -1)
    numbers_older = range(page.number - 1, max(0, page.number - reach - 1), -1)
    return PageLinks(
        None if newest else page.number, None if newest else listing_url,
        tuple((n, page_url(listing_url, n)) for n in numbers_newer),
        tuple((n, page_url(listing_url, n)) for n in numbers_older),
        page_url(listing_url, 1) if page.number - reach > 1 else None)


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


def outline_site(site: Site, whole: Site | None = None) -> SiteOutline:
    """The outline of one language's Site; `whole` is the site's default-language Site, which
    holds the pages and the other languages (None: `site` is it)."""
    whole = whole or site

    def outlines(listings: tuple[Listing, ...]) -> tuple[ListingOutline, ...]:
        return tuple(outline_listing(listing) for listing in listings)

    config = site.config
    on_this_day = {key: dataclasses.replace(day, listing=_bare_outline(day.listing))
                   for key, day in site.on_this_day.items()}
    menu = sorted((page for page in whole.pages if page.menu is not None), key=lambda page: (page.menu, page.url))
    navigation = Navigation(bool(site.sections), bool(site.tags), bool(site.authors), bool(site.on_this_day),
                            config.search, tuple((page.title, page.url) for page in menu))
    shelf = Shelf(tuple((section.title, section.url) for section in site.sections),
                  tuple((year.period.label, year.period.url) for year in site.years))
    return SiteOutline(config, navigation, len(site.articles), outlines(site.tags), outlines(site.sections),
                       outlines(site.authors), tuple(outline_archive(year) for year in site.years),
                       dict(site.calendars), on_this_day, DayLookup(on_this_day, config.timezone), shelf,
                       tuple(LanguageLink(tree.config.language, language_name(tree.config.language), tree.home)
                             for tree in whole.language_sites) if whole.other_languages else ())


def translation_links(translations: tuple[Translation, ...]) -> tuple[LanguageLink, ...]:
    """The versions of an article's story as its language switcher and `hreflang` links name them."""
    return tuple(LanguageLink(t.language, language_name(t.language), t.url, t.title) for t in translations)


def section_nearby(article: Article, section: Listing | None, position: int, count: int = 5) -> tuple[Article, ...]:
    """The stories of the article's section nearest to it in time, newest first, without it:
    up to `count` of them, as many newer as older where the section allows. Depends on the
    stories around the article only, so an added story changes the block of its neighbours alone."""
    if section is None:
        return ()
    articles = section.articles
    start = max(0, min(position - count // 2, len(articles) - count - 1))
    return tuple(other for other in articles[start:start + count + 1] if other.url != article.url)[:count]


def further_reading(related: tuple[Article, ...], nearby: tuple[Article, ...]) -> tuple[Article, ...]:
    """One list of stories to read next: the related stories, best first, then the stories of the
    article's section nearest to it in time that are not among them."""
    shown = {story.url for story in related}
    return related + tuple(story for story in nearby if story.url not in shown)
