"""Which pages show which articles, kept from one build to the next, so that a rebuild after an
edit of some articles' text finds the pages to check without working out every page's key.

A page's key is made from its inputs (incremental/detector.py). Two builds into the same output
folder with the same *structure* (every input of the build but the article files and the clock,
and each article's record less the fields made from its body, its *shape*) give every page the
same inputs except the articles themselves: the site's index, listings, outlines and links are
made from the structure alone. So when the structure is as in the previous build, a page keeps
its previous key unless it reaches (ChangeDetector.reach) an article whose file's parse changed;
such a page is keyed as usual, and every other one is settled: kept without a key worked out or
a job looked at.

The map holds each article's parse key and shape, so that a build finds whether the structure
is the same by working out the shapes of the articles whose parse changed only (a record is
made from its parse and, for its pictures, from files the rest of the structure covers). It is
saved as JSON beside the output's manifest, which records the digest of its bytes: a map that is
not the one the manifest names (a build killed between the two writes, a file changed by hand)
is not used, and every page is keyed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, BinaryIO, Container, Iterable, Mapping

from newsgen.model import BODY_FIELDS, Article

_STRUCTURE_FIELDS = tuple(field.name for field in dataclasses.fields(Article) if field.name not in BODY_FIELDS)
_SHORT_KEY = 16
"""Hex digits kept of each article's parse key (64 bits)."""
_CHUNK = 4096
"""Pages of the map written at a time."""


@dataclass(frozen=True)
class PageReach:
    """The map a build saved: the rest of its structure (`frame`), each article's source, parse
    key and shape (shortened), and for each page it tracked the articles it reaches, as their
    positions in `sources` written as text (`"3,17,240"`; None: any article)."""

    frame: str
    sources: tuple[str, ...]
    keys: tuple[str, ...]
    shapes: tuple[str, ...]
    pages: dict[str, str | None]


@dataclass(frozen=True)
class SourceTable:
    """This build's articles as its map lists them: the previous map's order, new articles after
    it (so that an addition moves no entry), or sorted afresh when an article is gone."""

    sources: list[str]
    keys: list[str]
    shapes: list[str]
    position: dict[str, int]
    same_structure: bool
    """Whether the structure is the previous map's."""
    changed: frozenset[int]
    """Positions, in the previous map, of the articles whose parse changed."""
    moved: list[int] | None
    """Each position of the previous map in this table (-1: gone); None when they are the same."""


def source_table(previous: PageReach | None, frame: str, articles: Iterable[Article],
                 parse_keys: Mapping[str, str]) -> SourceTable:
    """The table of this build's articles, with the shape of each: the previous map's for an
    article whose parse key is as it was, when the frame is too (its record is then the same)."""
    reuse = previous is not None and previous.frame == frame
    known = {source: (position, key, shape) for position, (source, key, shape)
             in enumerate(zip(previous.sources, previous.keys, previous.shapes))} if reuse else {}  # type: ignore[union-attr]
    same = reuse
    changed: set[int] = set()
    found: dict[str, tuple[str, str]] = {}
    for article in articles:
        key = _short(parse_keys.get(article.source))
        old = known.get(article.source)
        if old is not None and old[1] == key:
            found[article.source] = (key, old[2])
            continue
        shape = _shape(article)
        found[article.source] = (key, shape)
        if old is None or old[2] != shape:
            same = False
        if old is not None:
            changed.add(old[0])
    if len(found) != len(known):
        same = False
    kept = previous is not None and all(source in found for source in previous.sources)
    order = list(previous.sources) + sorted(set(found).difference(previous.sources)) if kept else sorted(found)  # type: ignore[union-attr]
    position = {source: number for number, source in enumerate(order)}
    moved = None if kept or previous is None else [position.get(source, -1) for source in previous.sources]
    return SourceTable(order, [found[source][0] for source in order], [found[source][1] for source in order],
                       position, same, frozenset(changed), moved)


def entry(found: frozenset[str] | None, position: Mapping[str, int]) -> str | None:
    """What the map holds for a page that reaches the articles `found` (None: any article)."""
    if found is None or not found <= position.keys():
        return None
    return ",".join(map(str, sorted([position[source] for source in found])))


def _shape(article: Article) -> str:
    """A digest of the record less its BODY_FIELDS."""
    text = repr(tuple([getattr(article, name) for name in _STRUCTURE_FIELDS]))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def settled_pages(previous: PageReach | None, table: SourceTable, page_keys: Mapping[str, str]) -> dict[str, str]:
    """The pages of `page_keys` (the previous build's, by path) whose key this build would work
    out as it stands: with the structure as it was, those that reach no article whose parse key
    changed. Empty without a previous map, or with another structure."""
    if previous is None or not table.same_structure:
        return {}
    changed = {str(number) for number in table.changed}
    settled: dict[str, str] = {}
    for path, key in page_keys.items():
        text = previous.pages.get(path)
        if text is not None and (not text or changed.isdisjoint(text.split(","))):
            settled[path] = key
    return settled


def write_reach(out: BinaryIO, frame: str, table: SourceTable, reached: Mapping[str, str | None],
                tracked: Container[str], previous: PageReach | None, written: Iterable[str]) -> str:
    """Write the map for the pages `written` to `out` and return the digest of its bytes: the
    entry of each page in `reached` (see entry), and for the other `tracked` pages (settled, or
    keyed as before) the previous map's, moved to this build's table. Written a few thousand
    pages at a time, so that the map is never held whole (tens of megabytes at 100,000 articles)."""
    digest = hashlib.blake2b(digest_size=16)

    def put(text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(data)
        out.write(data)

    def dumped(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    put(f'{{"frame":{dumped(frame)},"sources":{dumped(table.sources)},"keys":{dumped(table.keys)},'
        f'"shapes":{dumped(table.shapes)},"pages":{{')
    chunk: dict[str, str | None] = {}
    first = True
    for path in written:
        if path in reached:
            chunk[path] = reached[path]
        elif path in tracked and previous is not None and path in previous.pages:
            text = previous.pages[path]
            chunk[path] = text if table.moved is None or not text else _move(text, table.moved)
        if len(chunk) == _CHUNK:
            put(("" if first else ",") + dumped(chunk)[1:-1])
            first, chunk = False, {}
    if chunk:
        put(("" if first else ",") + dumped(chunk)[1:-1])
    put("}}")
    return digest.hexdigest()


def _move(text: str, moved: list[int]) -> str | None:
    """An entry of the previous map in the new table; None (any article) when one is gone."""
    numbers = [int(number) for number in text.split(",")]
    if max(numbers) >= len(moved) or any(moved[number] < 0 for number in numbers):
        return None
    return ",".join(str(moved[number]) for number in numbers)


_ENTRY = re.compile(r"(?:0|[1-9][0-9]*)(?:,(?:0|[1-9][0-9]*))*|")


def decode_reach(data: bytes) -> PageReach | None:
    """The map in `data`, or None when it is not one."""
    try:
        found: Any = json.loads(data)
        sources, keys, shapes, pages = found["sources"], found["keys"], found["shapes"], found["pages"]
        if not (isinstance(found["frame"], str) and isinstance(sources, list) and isinstance(keys, list)
                and isinstance(shapes, list) and len(sources) == len(keys) == len(shapes) == len(set(sources))
                and isinstance(pages, dict)
                and all(isinstance(item, str) for item in sources + keys + shapes)
                and all(text is None or (type(text) is str and _ENTRY.fullmatch(text)) for text in pages.values())):
            return None
        return PageReach(found["frame"], tuple(sources), tuple(keys), tuple(shapes), pages)
    except (ValueError, TypeError, KeyError):
        return None


def reach_digest(data: bytes) -> str:
    """The digest write_reach returns for the map it wrote as `data`."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _short(key: str | None) -> str:
    return (key or "")[:_SHORT_KEY]
