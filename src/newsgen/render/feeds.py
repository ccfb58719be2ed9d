"""Atom 1.0 feeds (and RSS 2.0 when `feed_rss` is on) for the site and each tag, section and author.

Every URL in a feed is absolute under base_url; entry ids are tag URIs, so they stay the same
from build to build; a feed's `<updated>` is its newest entry's, never the build time, so an
unchanged site gives byte-identical feeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Iterator
from urllib.parse import urljoin

from newsgen.config import SiteConfig
from newsgen.index.site import newest_time
from newsgen.model import Listing, Site
from newsgen.model import Article, KeptPage, Page, Term
from newsgen.render.jobs import DeclaredJob, RenderContext, render_declared_jobs, with_body
from newsgen.urls import absolute_url, feed_url, tag_uri

TEMPLATES = {"atom": "atom.xml", "rss": "rss.xml"}
FEED_NAMES = 20
"""The most tags a feed entry lists as categories, and the most authors it names (the article's
first ones): an article's entry is repeated in the feed of each of its tags and authors, so its
feeds would grow with the square of their number."""
NO_CONTENT_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)
"""The `<updated>` of a feed with no entries: a fixed date, so even an empty site rebuilds identically."""
_START_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_LINK_ATTRIBUTE = re.compile(r"""(\s(?:href|src|poster)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_SRCSET = re.compile(r"""(\ssrcset\s*=\s*)(["'])(.*?)\2""", re.I | re.S)


@dataclass(frozen=True)
class FeedEntry:
    """One article as a feed shows it. Text fields are plain text; content is HTML or None."""

    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    authors: tuple[tuple[str, str], ...]
    """(name, absolute URL of the author's page)."""
    categories: tuple[Term, ...]
    summary: str
    content: str | None
    """The full body with absolute links, when `feed_full_content` is on."""
    language: str = ""
    """The article's `lang:` when it differs from the site's `language` (the feed's), else empty."""


@dataclass(frozen=True)
class Feed:
    """A feed as the templates see it; `updated` is the newest entry's updated-or-published time."""

    title: str
    subtitle: str
    """The site's description for the site's feed; for the feed of a tag, section or author, an
    English sentence naming it (the built-in templates word it in the feed's language from kind
    and subject, `_feeds.xml`)."""
    id: str
    self_url: str
    page_url: str
    updated: datetime
    language: str
    publisher: str
    entries: tuple[FeedEntry, ...]
    kind: str = ""
    """"tag", "section" or "author" for the feed of one; empty for the site's feed."""
    subject: str = ""
    """The name of the tag, section or author (the listing's title); empty for the site's feed."""


def absolutize_links(fragment: str, page_url: str) -> str:
    """HTML with every relative href, src, poster and srcset URL resolved against page_url.
    Only attributes inside tags change: escaped markup in code samples is left alone."""

    def join(match: re.Match) -> str:
        return f"{match.group(1)}{match.group(2)}{urljoin(page_url, match.group(3).strip())}{match.group(2)}"

    def join_srcset(match: re.Match) -> str:
        candidates = []
        for candidate in match.group(3).split(","):
            parts = candidate.split()
            if parts:
                candidates.append(" ".join([urljoin(page_url, parts[0]), *parts[1:]]))
        return f"{match.group(1)}{match.group(2)}{', '.join(candidates)}{match.group(2)}"

    def resolve_tag(match: re.Match) -> str:
        return _SRCSET.sub(join_srcset, _LINK_ATTRIBUTE.sub(join, match.group(0)))

    return _START_TAG.sub(resolve_tag, fragment)


def feed_entry(article: Article, config: SiteConfig, ctx: RenderContext | None = None) -> FeedEntry:
    """One entry; with `feed_full_content`, the body comes from the build's article store."""
    url = absolute_url(config.base_url, article.url)
    content = None
    if config.feed_full_content:
        if ctx is not None:
            article = with_body(ctx, article)
        content = absolutize_links(article.body_html, url)
    return FeedEntry(
        id=tag_uri(config.base_url, article.published, article.url),
        title=article.title,
        url=url,
        published=article.published,
        updated=article.modified,
        authors=tuple((a.name, absolute_url(config.base_url, a.url)) for a in article.authors[:FEED_NAMES]),
        categories=article.tags[:FEED_NAMES],
        summary=article.summary,
        content=content,
        language=article.lang if article.lang and article.lang.lower() != config.language.lower() else "",
    )


def make_feed(listing: Listing, config: SiteConfig, flavour: str, subtitle: str,
              ctx: RenderContext | None = None, kind: str | None = None) -> Feed:
    """The feed of a listing: its newest `feed_limit` articles, newest first."""
    articles = listing.articles[: config.feed_limit]
    title = config.title if listing.term is None else f"{listing.title} · {config.title}"
    self_url = absolute_url(config.base_url, feed_url(listing.url, flavour))
    return Feed(
        title=title,
        subtitle=subtitle,
        id=self_url,
        self_url=self_url,
        page_url=absolute_url(config.base_url, listing.url),
        updated=newest_time(articles) or NO_CONTENT_DATE,
        language=config.language,
        publisher=config.publisher_name,
        entries=tuple(feed_entry(a, config, ctx) for a in articles),
        kind=kind or "",
        subject=listing.title if kind else "",
    )


def rfc822(moment: datetime) -> str:
    """An RSS 2.0 date: `Wed, 10 Aug 2022 14:30:00 +0200`."""
    return format_datetime(moment)


def _subtitle(listing: Listing, kind: str | None, config: SiteConfig) -> str:
    if kind is None:
        return config.description
    what = {"tag": "on the topic", "section": "in the section", "author": "by"}[kind]
    return f"The latest articles {what} {listing.title} on {config.title}."


def render_feeds(site: Site, ctx: RenderContext) -> Iterator[Page | KeptPage]:
    """feed.xml for the site and for every tag, section and author (plus rss.xml when asked); on a
    multilingual site, for each language under its prefix (`es/feed.xml`), in its language."""
    multilingual = bool(site.other_languages)

    def jobs() -> Iterator[DeclaredJob]:
        for tree in site.language_sites:
            config = tree.config
            flavours = ("atom", "rss") if config.feed_rss else ("atom",)
            listings: list[tuple[Listing, str | None]] = [(tree.front, None)]
            for kind in ("tag", "section", "author"):
                listings += [(listing, kind) for listing in tree.terms(kind)]
            language = {"config": config} if multilingual else {}
            for listing, kind in listings:
                subtitle = _subtitle(listing, kind, config)
                for flavour in flavours:
                    url = feed_url(listing.url, flavour)
                    inputs = {"feed_articles": tuple(listing.articles[:config.feed_limit]), "feed_title": listing.title,
                              "feed_url": listing.url, "subtitle": subtitle, "feed_kind": kind, **language}
                    yield DeclaredJob(TEMPLATES[flavour], url, url, inputs,
                                      lambda listing=listing, flavour=flavour, subtitle=subtitle, config=config, kind=kind: {
                                          "feed": make_feed(listing, config, flavour, subtitle, ctx, kind), "rfc822": rfc822,
                                          **({"config": config} if multilingual else {})})

    return render_declared_jobs(ctx, jobs())

