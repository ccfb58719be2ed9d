"""Article records built in memory, for tests of the index stage."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from newsgen.model import Article, Term

EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)


def make_article(slug: str, day: int | datetime = 0, tags: tuple[str, ...] = (), precision: str = "day") -> Article:
    """An article `day` days after 1 January 2020 (or at a given datetime), with the given tag names."""
    published = day if isinstance(day, datetime) else EPOCH + timedelta(days=day)
    terms = tuple(Term("tag", name, name.lower(), f"tags/{name.lower()}/") for name in tags)
    return Article(source=f"content/{slug}.md", title=slug.title(), slug=slug, published=published,
                   precision=precision, updated=None, tags=terms, section=None, authors=(), summary="",
                   body_html="", url=f"{slug}/", word_count=1)
