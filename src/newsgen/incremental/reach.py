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
    page it tracked the articles it reaches, as positions in `sources` (None: any article)."""

    structure: str
    sources: tuple[str, ...]
    keys: tuple[str, ...]
    pages: dict[str, list[int] | None]


def structure_digest(frame: str, articles: Iterable[Article]) -> str:
    """A digest of `frame` (every input of the build but the article files and the clock) and
    of each record less its BODY_FIELDS."""
    digest = hashlib.blake2b(frame.encode(), digest_size=16)
    for article in articles:
        digest.update(repr(tuple([getattr(article, name) for name in _STRUCTURE_FIELDS]))
                      .encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def settled_pages(previous: PageReach | None, structure: str, parse_keys: Mapping[str, str],
                  page_keys: Mapping[str, str]) -> dict[str, str]:
    """The pages of `page_keys` (the previous build's, by path) whose key this build would work
    out as it stands: with the structure as it was, those that reach no article whose parse key
    changed. Empty without a previous map, or with another structure."""
    if previous is None or previous.structure != structure:
        return {}
    changed = {position for position, (source, key) in enumerate(zip(previous.sources, previous.keys))
               if _short(parse_keys.get(source)) != key}
    settled: dict[str, str] = {}
    for path, key in page_keys.items():
        entry = previous.pages.get(path)
        if entry is not None and changed.isdisjoint(entry):
            settled[path] = key
    return settled


def encode_reach(structure: str, parse_keys: Mapping[str, str], reached: Mapping[str, frozenset[str] | None],
                 tracked: Container[str], previous: PageReach | None, written: Iterable[str]) -> bytes:
    """The map to save for the pages `written`: what each page in `reached` reaches, and for
    the other `tracked` pages (settled, or keyed as before) what the previous map said."""
    sources = sorted(parse_keys)
    position = {source: number for number, source in enumerate(sources)}
    moved = _moved(previous.sources, position) if previous is not None else None
    pages: dict[str, list[int] | None] = {}
    for path in written:
        if path in reached:
            found = reached[path]
            pages[path] = (None if found is None or not found <= position.keys()
                           else sorted(position[source] for source in found))
        elif path in tracked and previous is not None and path in previous.pages:
            entry = previous.pages[path]
            if moved is None or entry is None:
                pages[path] = entry
            else:
                now = [moved[number] for number in entry]
                pages[path] = None if -1 in now else now
    data = {"structure": structure, "sources": sources, "keys": [_short(parse_keys[source]) for source in sources],
            "pages": pages}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def _moved(before: tuple[str, ...], position: Mapping[str, int]) -> list[int] | None:
    """Each position of `before` in the new table (-1: gone), or None when the tables are the
    same. Both are sorted, so an entry's positions stay in order."""
    if len(before) == len(position) and all(position.get(source) == number for number, source in enumerate(before)):
        return None
    return [position.get(source, -1) for source in before]


def decode_reach(data: bytes) -> PageReach | None:
    """The map in `data`, or None when it is not one."""
    try:
        found: Any = json.loads(data)
        sources, keys, pages = found["sources"], found["keys"], found["pages"]
        if not (isinstance(found["structure"], str) and isinstance(sources, list) and isinstance(keys, list)
                and len(sources) == len(keys) and isinstance(pages, dict)
                and all(isinstance(item, str) for item in sources + keys)
                and all(entry is None or (isinstance(entry, list) and all(type(n) is int and 0 <= n < len(sources)
                                                                            for n in entry))
                        for entry in pages.values())):
            return None
        return PageReach(found["structure"], tuple(sources), tuple(keys), pages)
    except (ValueError, TypeError, KeyError):
        return None


def reach_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _short(key: str | None) -> str:
    return (key or "")[:_SHORT_KEY]
