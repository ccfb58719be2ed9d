"""Which pages show which articles, kept from one build to the next, so that a rebuild after an
edit of some articles' text finds the pages to check without working out every page's key.

A page's key is made from its inputs (incremental/detector.py). Two builds into the same output
folder with the same *structure* (everything a build is made from but the clock, with each
article's record less the fields made from its body) give every page the same inputs except the
articles themselves: the site's index, listings, outlines and links are made from the structure
alone. So when the structure is as in the previous build, a page keeps its previous key unless it
reaches (ChangeDetector.reach) an article whose file's parse changed; such a page is keyed as
usual, and every other one is settled: kept without a key worked out or a job looked at.

The map is saved as JSON beside the output's manifest, which records the digest of its bytes: a
map that is not the one the manifest names (a build killed between the two writes, a file
changed by hand) is not used, and every page is keyed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Container, Iterable, Mapping

from newsgen.model import Article

BODY_FIELDS = frozenset({"summary", "word_count", "body_html", "body_images"})
"""The fields of a record made from the article's body: what an edit of the text alone changes.
No step before rendering reads them (the index, the outlines and the page jobs read the others);
the templates read them through the records, which the pages' keys and reach hold."""
_STRUCTURE_FIELDS = tuple(field.name for field in dataclasses.fields(Article) if field.name not in BODY_FIELDS)
_SHORT_KEY = 16
"""Hex digits kept of each article's parse key (64 bits)."""


@dataclass(frozen=True)
class PageReach:
    """The map a build saved: its structure, each article's parse key (shortened), and for each
    page it tracked the articles it reaches, as their positions in `sources` written as text
    (`"3,17,240"`; None: any article)."""

    structure: str
    sources: tuple[str, ...]
    keys: tuple[str, ...]
    pages: dict[str, str | None]


def positions(parse_keys: Mapping[str, str]) -> dict[str, int]:
    """Each article's position in the map's table of sources (sorted)."""
    return {source: number for number, source in enumerate(sorted(parse_keys))}


def entry(found: frozenset[str] | None, position: Mapping[str, int]) -> str | None:
    """What the map holds for a page that reaches the articles `found` (None: any article)."""
    if found is None or not found <= position.keys():
        return None
    return ",".join(map(str, sorted([position[source] for source in found])))


def records_digest(articles: Iterable[Article]) -> str:
    """A digest of each record less its BODY_FIELDS."""
    digest = hashlib.blake2b(digest_size=16)
    for article in articles:
        digest.update(repr(tuple([getattr(article, name) for name in _STRUCTURE_FIELDS]))
                      .encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def structure_digest(frame: str, records: str) -> str:
    """The structure: `frame` (every input of the build but the article files and the clock)
    and the records_digest of its articles."""
    return hashlib.blake2b(f"{frame}\0{records}".encode(), digest_size=16).hexdigest()


def settled_pages(previous: PageReach | None, structure: str, parse_keys: Mapping[str, str],
                  page_keys: Mapping[str, str]) -> dict[str, str]:
    """The pages of `page_keys` (the previous build's, by path) whose key this build would work
    out as it stands: with the structure as it was, those that reach no article whose parse key
    changed. Empty without a previous map, or with another structure."""
    if previous is None or previous.structure != structure:
        return {}
    changed = {str(number) for number, (source, key) in enumerate(zip(previous.sources, previous.keys))
               if _short(parse_keys.get(source)) != key}
    settled: dict[str, str] = {}
    for path, key in page_keys.items():
        text = previous.pages.get(path)
        if text is not None and (not text or changed.isdisjoint(text.split(","))):
            settled[path] = key
    return settled


def encode_reach(structure: str, parse_keys: Mapping[str, str], reached: Mapping[str, str | None],
                 tracked: Container[str], previous: PageReach | None, written: Iterable[str]) -> bytes:
    """The map to save for the pages `written`: the entry of each page in `reached` (see entry),
    and for the other `tracked` pages (settled, or keyed as before) the previous map's, moved to
    this build's table of sources."""
    sources = sorted(parse_keys)
    moved = _moved(previous.sources, sources) if previous is not None else None
    pages: dict[str, str | None] = {}
    for path in written:
        if path in reached:
            pages[path] = reached[path]
        elif path in tracked and previous is not None and path in previous.pages:
            text = previous.pages[path]
            pages[path] = text if moved is None or not text else _move(text, moved)
    data = {"structure": structure, "sources": sources, "keys": [_short(parse_keys[source]) for source in sources],
            "pages": pages}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def _moved(before: tuple[str, ...], sources: list[str]) -> list[int] | None:
    """Each position of `before` in the new table `sources` (-1: gone), or None when the tables
    are the same. Both are sorted, so an entry's positions stay in order."""
    if before == tuple(sources):
        return None
    position = {source: number for number, source in enumerate(sources)}
    return [position.get(source, -1) for source in before]


def _move(text: str | None, moved: list[int]) -> str | None:
    """An entry of the previous map in the new table; None (any article) when one is gone."""
    if text is None:
        return None
    numbers = [int(number) for number in text.split(",")]
    if max(numbers) >= len(moved) or any(moved[number] < 0 for number in numbers):
        return None
    return ",".join(str(moved[number]) for number in numbers)


_ENTRY = re.compile(r"(?:0|[1-9][0-9]*)(?:,(?:0|[1-9][0-9]*))*|")


def decode_reach(data: bytes) -> PageReach | None:
    """The map in `data`, or None when it is not one."""
    try:
        found: Any = json.loads(data)
        sources, keys, pages = found["sources"], found["keys"], found["pages"]
        if not (isinstance(found["structure"], str) and isinstance(sources, list) and isinstance(keys, list)
                and len(sources) == len(keys) and isinstance(pages, dict)
                and all(isinstance(item, str) for item in sources + keys)
                and all(text is None or (type(text) is str and _ENTRY.fullmatch(text)) for text in pages.values())):
            return None
        return PageReach(found["structure"], tuple(sources), tuple(keys), pages)
    except (ValueError, TypeError, KeyError):
        return None


def reach_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _short(key: str | None) -> str:
    return (key or "")[:_SHORT_KEY]
