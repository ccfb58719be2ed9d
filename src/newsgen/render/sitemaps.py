"""Sitemaps for search engines: `sitemap.xml` (an index), one sitemap per year, a Google News
sitemap and `robots.txt`.

Every HTML page the build writes (404.html aside) is listed exactly once: an article in the
year it was published, a listing page in the year of its newest article, and pages with no
date (the tag index, the archive index, a site's own static pages) in `sitemap-pages.xml`.
`<lastmod>` is the content's date, never the build time, so a rebuild of unchanged content
writes byte-identical sitemaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Iterator

from newsgen.index.site import newest_time
from newsgen.model import Listing, Site
from newsgen.model import Article, KeptPage, Page
from newsgen.render.jobs import RenderContext, render_always, render_declared
from newsgen.urls import page_url_for_path, sitemap_url, term_index_url

MAX_URLS = 50_000
"""The sitemaps.org limit of URLs in one sitemap file."""
MAX_BYTES = 50_000_000
"""Just under the sitemaps.org limit of 50 MiB (52,428,800 bytes) for one uncompressed file."""
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000
UNDATED = "pages"
NOT_LISTED = {"404.html"}


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    """Site URL (`2022/08/10/slug/`); templates make it absolute."""
    lastmod: datetime | None
    alternates: tuple[tuple[str, str], ...] = ()
    """(language, site URL) of each version of the page in the site's languages, itself included
    (an article's translations), for `xhtml:link` alternates; empty when it has none."""


@dataclass(frozen=True)
class Sitemap:
    """One sitemap file of the index: a year (or part of one), or the undated pages."""

    path: str
    entries: tuple[SitemapEntry, ...]

    @property
    def lastmod(self) -> datetime | None:
        return max((e.lastmod for e in self.entries if e.lastmod is not None), default=None)

    @property
    def has_alternates(self) -> bool:
        """Whether an entry names versions in other languages (the file then declares `xmlns:xhtml`)."""
        return any(e.alternates for e in self.entries)


def _listing_dates(listing: Listing, page_size: int, modified: dict[str, datetime],
                   years: dict[str, str]) -> Iterator[tuple[str, datetime | None, str]]:
    for page in listing.pages(page_size):
        if page.articles:
            yield page.url, max([modified[a.url] for a in page.articles]), years[page.articles[0].url]
        else:
            yield page.url, None, UNDATED


def content_dates(site: Site) -> dict[str, tuple[datetime | None, str]]:
    """Site URL -> (content date, sitemap group) for every page of the core site, every language's.
    The group is a year (`2022`) or `pages` for pages with no date of their own."""
    dates: dict[str, tuple[datetime | None, str]] = {}
    for tree in site.language_sites:
        dates.update(_tree_dates(tree))
    return dates


def _tree_dates(site: Site) -> dict[str, tuple[datetime | None, str]]:
    """content_dates of one language's pages."""
    config, home = site.config, site.home
    dates: dict[str, tuple[datetime | None, str]] = {}
    zone = config.zone
    # each article once, not once a listing
    modified = {article.url: article.modified for article in site.articles}
    years = {article.url: f"{article.published.astimezone(zone).year:04d}" for article in site.articles}
    for url, lastmod in modified.items():
        dates[url] = (lastmod, years[url])
    listings = [(site.front, config.page_size)]
    for kind in ("tag", "section", "author"):
        kind_listings = site.terms(kind)
        if kind_listings:
            dates[home + term_index_url(kind)] = (max((modified[a.url] for l in kind_listings for a in l.articles),
                                                      default=None), UNDATED)
        listings += [(listing, config.archive_page_size) for listing in kind_listings]
    listings += [(archive.listing, config.archive_page_size) for archive in site.archives]
    for listing, size in listings:
        for url, lastmod, group in _listing_dates(listing, size, modified, years):
            dates[url] = (lastmod, group)
    dates[home + "archive/"] = (newest_time(site.articles), UNDATED)
    return dates


def _group_order(group: str) -> tuple[int, str]:
    return (1, group) if group == UNDATED else (0, f"{9999 - int(group):04d}")


def _chunks(entries: list[SitemapEntry], size: int) -> list[list[SitemapEntry]]:
    return [entries[i:i + size] for i in range(0, len(entries), size)] or [[]]


def render_group(ctx: RenderContext, group: str, entries: list[SitemapEntry],
                 max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> list[tuple[Sitemap, Page | KeptPage]]:
    """One group's sitemap file, or numbered parts (`sitemap-2022-1.xml`, ...) when it holds more
    than max_urls URLs or max_bytes bytes."""
    size = min(max_urls, len(entries)) or 1
    while True:
        chunks = _chunks(entries, size)
        names = [sitemap_url(group)] if len(chunks) == 1 else [
            sitemap_url(f"{group}-{number}") for number in range(1, len(chunks) + 1)]
        rendered = []
        for name, chunk in zip(names, chunks):
            sitemap = Sitemap(name, tuple(chunk))
            listed = "\n".join(f"{entry.url} {entry.lastmod}" + (f" {entry.alternates}" if entry.alternates else "")
                               for entry in chunk)
            rendered.append((sitemap, render_declared(ctx, "sitemap.xml", name, name, {"sitemap_entries": listed},
                                                      lambda sitemap=sitemap: {"sitemap": sitemap})))
        # a kept file was within the limits when it was written from the same entries
        if size == 1 or all(isinstance(page, KeptPage) or len(page.content) <= max_bytes for _, page in rendered):
            return rendered
        size = max(1, size // 2)


def news_articles(site: Site, now: datetime) -> list[Article]:
    """Articles published in the 2 days up to the build time, newest first, at most 1,000."""
    recent = [a for a in site.every_article if a.published <= now and now - a.published < NEWS_WINDOW]  # no overflow at year 1
    return recent[:NEWS_LIMIT]


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code (`en`, `pt`), except for `zh-cn` and `zh-tw`."""
    tag = language.lower()
    if tag in ("zh-cn", "zh-tw"):
        return tag
    if tag in ("zh-hans", "zh-sg"):
        return "zh-cn"
    if tag in ("zh-hant", "zh-hk"):
        return "zh-tw"
    return tag.split("-")[0]


def render_sitemaps(site: Site, ctx: RenderContext, html_urls: Iterable[str], robots: bool = True,
                    max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> Iterator[Page | KeptPage]:
    """The sitemap files for the given HTML pages (site URLs, in build order), the sitemap index,
    news-sitemap.xml when articles are recent, and robots.txt unless the site brings its own."""
    dates = content_dates(site)
    groups: dict[str, list[SitemapEntry]] = {}
    for url in html_urls:
        lastmod, group = dates.get(url, (None, UNDATED))
        alternates = tuple((t.language, t.url) for t in site.translations.get(url, ()))
        groups.setdefault(group, []).append(SitemapEntry(url, lastmod, alternates))
    sitemaps = []
    for group in sorted(groups, key=_group_order):
        for sitemap, page in render_group(ctx, group, groups[group], max_urls, max_bytes):
            sitemaps.append(sitemap)
            yield page
    yield render_always(ctx, "sitemap-index.xml", "sitemap.xml", "sitemap.xml", sitemaps=sitemaps)

    news = news_articles(site, ctx.now)
    if news:
        languages = {article.url: news_language(tree.config.language) for tree in site.other_languages
                     for article in tree.articles}
        yield render_always(ctx, "news-sitemap.xml", "news-sitemap.xml", "news-sitemap.xml",
                            articles=news, news_language=news_language(site.config.language),
                            article_languages=languages)
    if robots:
        yield render_always(ctx, "robots.txt", "robots.txt", "robots.txt", news_sitemap=bool(news))


def with_sitemaps(pages: Iterable[Page | KeptPage], site: Site, ctx: RenderContext) -> Iterator[Page | KeptPage]:
    """Pass every page through, noting the HTML ones, then add the sitemaps that list them."""
    html_urls = []
    has_robots = False
    for page in pages:
        if page.path.endswith(".html") and page.path not in NOT_LISTED:
            html_urls.append(page_url_for_path(page.path))
        has_robots = has_robots or page.path == "robots.txt"
        yield page
    yield from render_sitemaps(site, ctx, html_urls, robots=not has_robots)
