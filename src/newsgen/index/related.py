"""Related stories: for each article, a few others that share its rarer tags and are close in time.

The work is about linear in the number of articles: each tag keeps its articles in time
order, and an article only looks at the WINDOW articles on either side of it in each of its
tags' lists. So a tag carried by half the archive adds at most 2 x WINDOW candidates, like a
rare one; no pair of articles is compared unless they share a tag and are near in time.

A shared tag weighs its inverse document frequency, log(1 + N / articles with the tag), so a
rare tag counts for more than a common one; the sum is divided by (1 + years apart), so of
two stories sharing the same tags the nearer in time wins.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from datetime import datetime, timedelta, timezone
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from newsgen.incremental.codec import InvalidEntry, seal, unseal
from newsgen.incremental.keys import package_fingerprint
from newsgen.model import Article
from newsgen.write.publish import write_atomic

WINDOW = 12
"""Neighbours in time taken from each side of an article in each of its tags' lists."""
DAYS_PER_YEAR = 365.25
MICROSECOND = timedelta(microseconds=1)


def relate_articles(articles: Sequence[Article], count: int) -> Mapping[str, tuple[Article, ...]]:
    """Map each article's URL to up to `count` related articles, best first.

    `articles` must be in time order (as Site.articles is: newest first). Articles with no
    tag in common with any other get no entry.
    """
    if count <= 0:
        return MappingProxyType({})
    members: dict[str, list[int]] = defaultdict(list)
    tag_sets = [frozenset(tag.slug for tag in article.tags) for article in articles]
    for position, slugs in enumerate(tag_sets):
        for slug in slugs:
            members[slug].append(position)  # ascending positions: time order
    total = len(articles)
    weight = {slug: math.log(1 + total / len(positions)) for slug, positions in members.items()}
    # An article pair's shared tags are one set intersection, as long as the smaller set (not
    # the site's tag list: an import may have tens of thousands); their summed weight (added in
    # slug order, as documented) is computed once per distinct set.
    sums: dict[frozenset[str], float] = {}

    def summed(shared: frozenset[str]) -> float:
        value = sums.get(shared)
        if value is None:
            value = sums[shared] = sum(weight[slug] for slug in sorted(shared))
        return value

    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    micros = [(article.published - epoch) // MICROSECOND for article in articles]  # exact, and fast to compare
    slugs_of = [article.slug for article in articles]
    related: dict[str, tuple[Article, ...]] = {}
    for position, article in enumerate(articles):
        candidates: set[int] = set()
        for slug in tag_sets[position]:
            positions = members[slug]
            at = bisect_left(positions, position)
            candidates.update(positions[max(0, at - WINDOW):at + WINDOW + 1])
        candidates.discard(position)
        here, tags = micros[position], tag_sets[position]
        ranked = [(-((sums[shared] if shared in sums else summed(shared)) / (1 + years)), years, slugs_of[other], other)
                  for other in candidates
                  for shared in (tags & tag_sets[other],)
                  for years in (abs(here - micros[other]) / 1_000_000 / 86400 / DAYS_PER_YEAR,)]
        best = heapq.nsmallest(count, ranked)
        if best:
            related[article.url] = tuple(articles[other] for *_, other in best)
    return MappingProxyType(related)


def related_inputs(articles: Sequence[Article], count: int) -> str:
    """A digest of everything relate_articles reads: equal digests, equal results."""
    digest = hashlib.blake2b(f"{count}".encode(), digest_size=16)
    for article in articles:
        digest.update(f"{article.url}\0{article.slug}\0{article.published.isoformat()}\0"
                      f"{'|'.join(sorted(tag.slug for tag in article.tags))}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def cached_related(folder: Path, trust: bool = True) -> Callable[[Sequence[Article], int], Mapping[str, tuple[Article, ...]]]:
    """relate_articles, whose result is kept in folder/related.json (article URLs, see
    incremental/codec.py) under a digest of what it reads (each article's URL, slug, date and
    tags): an edit to a body or a title reuses it, an added article or a changed tag computes it
    again. A file that is missing, damaged, of another version or naming an article the site does
    not have is computed again, and so is any with trust=False (`--clean`). The articles of a
    language under its prefix (`home`, like `es/`) keep theirs in related-es.json."""
    def relate(articles: Sequence[Article], count: int, home: str = "") -> Mapping[str, tuple[Article, ...]]:
        key = package_fingerprint() + related_inputs(articles, count)
        path = folder / (f"related-{home.strip('/')}.json" if home else "related.json")
        if trust:
            try:
                return _stored_related(path.read_bytes(), key, articles)
            except (OSError, InvalidEntry):
                pass
        related = relate_articles(articles, count)
        try:
            write_atomic(path, seal("related", {"key": key, "related": {url: [a.url for a in others]
                                                                        for url, others in related.items()}}))
        except OSError:
            pass
        return related

    return relate


def _stored_related(data: bytes, key: str, articles: Sequence[Article]) -> Mapping[str, tuple[Article, ...]]:
    """The related stories kept in data, if it was written for key; else InvalidEntry."""
    stored = unseal("related", data)
    if type(stored) is not dict or stored.keys() != {"key", "related"} or stored["key"] != key:
        raise InvalidEntry("related stories of other articles")
    urls = stored["related"]
    by_url = {article.url: article for article in articles}
    if type(urls) is not dict or not all(url in by_url and type(others) is list and all(
            type(other) is str and other in by_url for other in others) for url, others in urls.items()):
        raise InvalidEntry("related stories naming articles the site does not have")
    return MappingProxyType({url: tuple(by_url[other] for other in others) for url, others in urls.items()})
