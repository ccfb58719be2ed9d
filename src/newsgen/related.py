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

import heapq
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .model import Article

WINDOW = 12
"""Neighbours in time taken from each side of an article in each of its tags' lists."""
DAYS_PER_YEAR = 365.25


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

    related: dict[str, tuple[Article, ...]] = {}
    for position, article in enumerate(articles):
        candidates: set[int] = set()
        for slug in tag_sets[position]:
            positions = members[slug]
            at = bisect_left(positions, position)
            candidates.update(positions[max(0, at - WINDOW):at + WINDOW + 1])
        candidates.discard(position)
        ranked = heapq.nsmallest(count, (_rank(article, articles[other], tag_sets[position] & tag_sets[other],
                                               weight, other) for other in candidates))
        if ranked:
            related[article.url] = tuple(articles[other] for *_, other in ranked)
    return MappingProxyType(related)


def _rank(article: Article, other: Article, shared: frozenset[str], weight: dict[str, float],
          position: int) -> tuple[float, float, str, int]:
    """A sort key, smallest first: best score, then nearest in time, then slug."""
    years = abs((article.published - other.published).total_seconds()) / 86400 / DAYS_PER_YEAR
    score = sum(weight[slug] for slug in sorted(shared)) / (1 + years)
    return (-score, years, other.slug, position)
