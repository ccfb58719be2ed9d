"""Small stand-ins for the big records, shipped to worker processes with page jobs.

A page rendered in a worker gets `site` as a SiteOutline and its listing as a ListingOutline:
everything but the full lists of articles, of which only the length is there. A page's own
articles (a ListingPage, an article and its neighbours) travel whole, without bodies. The same
outlines are used when a build runs without workers, so a template behaves the same either way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .config import SiteConfig
from .errors import NewsgenError
from .index import Archive, Listing, Site
from .model import Term


class ArticleCount:
    """A listing's `articles` in an outline: its length only."""

    def __init__(self, count: int):
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        raise NewsgenError("only the number of articles of a listing or site is available here; "
                           "use page.articles for the articles of this page")

    def __repr__(self) -> str:
        return f"ArticleCount({self.count})"


@dataclass(frozen=True)
class ListingOutline:
    """A Listing without its articles (their number is kept)."""

    url: str
    title: str
    count: int
    term: Term | None
    articles: ArticleCount


@dataclass(frozen=True)
class SiteOutline:
    """What pages rendered in workers can read of `site`."""

    config: SiteConfig
    articles: ArticleCount
    tags: tuple[ListingOutline, ...]
    sections: tuple[ListingOutline, ...]
    authors: tuple[ListingOutline, ...]


def outline_listing(listing: Listing) -> ListingOutline:
    return ListingOutline(listing.url, listing.title, listing.count, listing.term, ArticleCount(listing.count))


def outline_archive(archive: Archive) -> Archive:
    """The archive with its listing outlined (its children and neighbours are small already)."""
    return dataclasses.replace(archive, listing=outline_listing(archive.listing))  # type: ignore[arg-type]


def outline_site(site: Site) -> SiteOutline:
    def outlines(listings: tuple[Listing, ...]) -> tuple[ListingOutline, ...]:
        return tuple(outline_listing(listing) for listing in listings)

    return SiteOutline(site.config, ArticleCount(len(site.articles)), outlines(site.tags),
                       outlines(site.sections), outlines(site.authors))
