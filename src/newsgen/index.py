"""Index articles into the site's structure: listings by tag, section, author and date, in one pass."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from .config import SiteConfig
from .errors import BuildFailed
from .model import Article, Term
from .related import relate_articles
from .urls import page_url, period_url, term_index_url

if TYPE_CHECKING:
    from .dates import DayOfYear, MonthCalendar

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"]


@dataclass(frozen=True)
class ListingPage:
    """One page of a listing. Pages are numbered from the oldest, so a numbered page keeps its
    articles when new ones arrive; the newest page lives at the listing's own URL."""

    url: str
    number: int
    total: int
    articles: tuple[Article, ...]
    newer_url: str | None
    older_url: str | None


@dataclass(frozen=True)
class Listing:
    """Articles under one heading, newest first: the front page, a tag, a section, an author, a period."""

    url: str
    title: str
    articles: tuple[Article, ...]
    term: Term | None = None

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def newest(self) -> Article:
        return self.articles[0]

    def pages(self, page_size: int) -> list[ListingPage]:
        """Full chunks of page_size counted from the oldest article live at `page/N/`; the
        listing's own URL shows every newer article (page_size to 2 * page_size - 1 of them),
        so no article is on two pages and a numbered page keeps its articles."""
        count = len(self.articles)
        numbered = max(0, count // page_size - 1)
        total = numbered + 1
        pages = []
        for number in range(1, total):
            end = count - (number - 1) * page_size
            chunk = self.articles[end - page_size:end]
            newer = page_url(self.url, number + 1 if number + 1 < total else None)
            older = page_url(self.url, number - 1) if number > 1 else None
            pages.append(ListingPage(page_url(self.url, number), number, total, chunk, newer, older))
        older = page_url(self.url, total - 1) if total > 1 else None
        pages.append(ListingPage(self.url, total, total, self.articles[:count - numbered * page_size], None, older))
        return pages


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None
    day: int | None = None

    @property
    def url(self) -> str:
        return period_url(self.year, self.month, self.day)

    @property
    def label(self) -> str:
        if self.month is None:
            return f"{self.year}"
        if self.day is None:
            return f"{MONTH_NAMES[self.month - 1]} {self.year}"
        return f"{self.day} {MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def parents(self) -> tuple["Period", ...]:
        """The longer periods that hold this one: a day's year and month; a month's year."""
        if self.month is None:
            return ()
        if self.day is None:
            return (Period(self.year),)
        return (Period(self.year), Period(self.year, self.month))

    @property
    def short_label(self) -> str:
        """The label inside its parent period: `2022`, `August`, `10`."""
        if self.month is None:
            return str(self.year)
        return MONTH_NAMES[self.month - 1] if self.day is None else str(self.day)

    @property
    def level(self) -> str:
        return "year" if self.month is None else "month" if self.day is None else "day"


@dataclass(frozen=True)
class Archive:
    """A year, month or day: its articles, the shorter periods inside it that have articles,
    and the neighbouring periods of the same length that have articles."""

    period: Period
    listing: Listing
    children: tuple[tuple[Period, int], ...]
    previous: Period | None
    next: Period | None


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    articles: tuple[Article, ...]
    """Every article, newest first; ties broken by slug, then source path."""
    front: Listing
    tags: tuple[Listing, ...]
    sections: tuple[Listing, ...]
    authors: tuple[Listing, ...]
    archives: tuple[Archive, ...]
    """Years, months and days, newest first within each level."""
    notices: tuple[str, ...] = ()
    # Finding things (issue 7): related stories and date navigation.
    related: Mapping[str, tuple[Article, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Article URL -> related articles, best first (see related.py)."""
    calendars: Mapping[Period, "MonthCalendar"] = field(default_factory=lambda: MappingProxyType({}))
    """Month Period -> its calendar (see dates.py)."""
    on_this_day: Mapping[str, "DayOfYear"] = field(default_factory=lambda: MappingProxyType({}))
    """`MM-DD` -> that calendar day's articles across the years, in calendar order."""

    def day_of_year(self, moment: datetime) -> "DayOfYear | None":
        """The on-this-day listing for a moment's calendar day in the site's zone."""
        return self.on_this_day.get(f"{moment.astimezone(self.config.zone):%m-%d}")

    @property
    def years(self) -> tuple[Archive, ...]:
        return tuple(a for a in self.archives if a.period.level == "year")

    def terms(self, kind: str) -> tuple[Listing, ...]:
        return {"tag": self.tags, "section": self.sections, "author": self.authors}[kind]


def sort_newest_first(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (-a.published.timestamp(), a.slug, a.source))


def _canonical_terms(articles: list[Article], kind: str) -> tuple[dict[str, Term], list[str]]:
    """One Term per slug; its name is the most used spelling (ties: alphabetical)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    sample: dict[str, Term] = {}
    for article in articles:
        for term in _terms_of(article, kind):
            spellings[term.slug][term.name] += 1
            sample.setdefault(term.slug, term)
    canonical = {}
    notices = []
    for slug, counter in spellings.items():
        name = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0][0]
        canonical[slug] = dataclasses.replace(sample[slug], name=name)
        variants = sorted(n for n in counter if n != name)
        if any(n.casefold() != name.casefold() for n in variants):  # case alone is not worth a notice
            notices.append(f"{kind} '{name}' also spelled {', '.join(repr(v) for v in variants)}: shown as one {kind} at {canonical[slug].url}")
    return canonical, notices


def _terms_of(article: Article, kind: str) -> tuple[Term, ...]:
    if kind == "tag":
        return article.tags
    if kind == "author":
        return article.authors
    return (article.section,) if article.section else ()


def _with_canonical_terms(article: Article, terms: dict[str, dict[str, Term]]) -> Article:
    tags = tuple(terms["tag"][t.slug] for t in article.tags)
    authors = tuple(terms["author"][t.slug] for t in article.authors)
    section = terms["section"][article.section.slug] if article.section else None
    if tags == article.tags and authors == article.authors and section == article.section:
        return article
    return dataclasses.replace(article, tags=tags, authors=authors, section=section)


def _check_url_collisions(articles: list[Article]) -> None:
    by_url: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        by_url[article.url].append(article.source)
    clashes = [(url, sources) for url, sources in by_url.items() if len(sources) > 1]
    if clashes:
        raise BuildFailed([
            f"{sources[0]}: URL /{url} is also claimed by {', '.join(sorted(sources[1:]))}; "
            "give one of them a different 'slug' or 'date'"
            for url, sources in sorted(clashes)
        ])


def _check_reserved_urls(articles: tuple[Article, ...], reserved: dict[str, str]) -> None:
    """An article whose URL is also a listing page (`tags/`, `archive/`, `2022/08/`...) would be
    overwritten by it, or overwrite it: an error naming the file, never a silent replacement."""
    clashes = [a for a in articles if a.url in reserved]
    if clashes:
        raise BuildFailed([
            f"{a.source}: URL /{a.url} is already the {reserved[a.url]}; give the article a different "
            "'slug', or change 'permalink'"
            for a in sorted(clashes, key=lambda a: a.source)
        ])


def _listing_urls(listings: tuple[Listing, ...], page_size: int, what: str) -> dict[str, str]:
    return {page.url: f"{what} '{listing.title}'" for listing in listings for page in listing.pages(page_size)}


def _archives(articles: list[Article], config: SiteConfig) -> list[Archive]:
    zone = config.zone
    groups: dict[Period, list[Article]] = defaultdict(list)
    for article in articles:  # already newest first, so each group is too
        local = article.published.astimezone(zone)
        groups[Period(local.year)].append(article)
        groups[Period(local.year, local.month)].append(article)
        if article.precision != "month":
            groups[Period(local.year, local.month, local.day)].append(article)
    by_level: dict[str, list[Period]] = defaultdict(list)
    children: dict[Period, list[tuple[Period, int]]] = defaultdict(list)
    for period in sorted(groups, key=lambda p: (p.year, p.month or 0, p.day or 0), reverse=True):
        by_level[period.level].append(period)
        if period.month is not None:
            parent = Period(period.year) if period.day is None else Period(period.year, period.month)
            children[parent].append((period, len(groups[period])))
    archives = []
    for level in ("year", "month", "day"):
        periods = by_level[level]
        for position, period in enumerate(periods):
            archives.append(Archive(
                period=period,
                listing=Listing(period.url, period.label, tuple(groups[period])),
                children=tuple(sorted(children[period], key=lambda c: (c[0].month or 0, c[0].day or 0))),
                previous=periods[position + 1] if position + 1 < len(periods) else None,
                next=periods[position - 1] if position > 0 else None,
            ))
    return archives


Relate = Callable[[Sequence[Article], int], Mapping[str, tuple[Article, ...]]]


def index_site(articles: list[Article], config: SiteConfig, relate: Relate = relate_articles) -> Site:
    """Group articles by tag, section, author, year, month and day; newest first everywhere.
    `relate` finds related stories (build.py passes one that keeps its result in the cache)."""
    _check_url_collisions(articles)
    terms: dict[str, dict[str, Term]] = {}
    notices: list[str] = []
    for kind in ("tag", "section", "author"):
        terms[kind], kind_notices = _canonical_terms(articles, kind)
        notices += kind_notices
    ordered = sort_newest_first([_with_canonical_terms(a, terms) for a in articles])

    members: dict[str, dict[str, list[Article]]] = {k: defaultdict(list) for k in terms}
    for article in ordered:
        for kind in terms:
            for term in _terms_of(article, kind):
                members[kind][term.slug].append(article)

    def listings(kind: str) -> tuple[Listing, ...]:
        return tuple(
            Listing(term.url, term.name, tuple(members[kind][slug]), term)
            for slug, term in sorted(terms[kind].items(), key=lambda item: (item[1].name.casefold(), item[0]))
        )

    from .dates import month_calendars, on_this_day  # dates.py builds on this module's records

    archives = tuple(_archives(ordered, config))
    site = Site(
        config=config,
        articles=tuple(ordered),
        front=Listing("", config.title, tuple(ordered)),
        tags=listings("tag"),
        sections=listings("section"),
        authors=listings("author"),
        archives=archives,
        notices=tuple(notices),
        related=relate(ordered, config.related_count),
        calendars=month_calendars(archives),
        on_this_day=on_this_day(ordered, config.zone),
    )
    reserved = {"archive/": "archive index page", **_listing_urls((site.front,), config.page_size, "front page")}
    for kind in terms:
        if site.terms(kind):
            reserved[term_index_url(kind)] = f"{kind} index page"
        reserved.update(_listing_urls(site.terms(kind), config.archive_page_size, f"page of the {kind}"))
    reserved.update(_listing_urls(tuple(a.listing for a in site.archives), config.archive_page_size, "archive page"))
    _check_reserved_urls(site.articles, reserved)
    return site


def newest_time(articles: tuple[Article, ...]) -> datetime | None:
    """The latest modification among articles: a listing's content date."""
    return max((a.modified for a in articles), default=None)


__all__ = ["Archive", "Listing", "ListingPage", "Period", "Site", "index_site", "newest_time", "term_index_url"]
