"""The one change detector: which pages need rendering again, and whether a build has anything
to do at all.

Every page job declares its inputs: the records in its template's context (its article and the
neighbours, related stories and calendar day it shows, or the page of a listing, the listing's
outline, the site's outline, a feed's articles...), the template files themselves, the settings
and newsgen's own code. Of a record, only the attributes its templates name count
(`{{ listing.title }}` makes the page depend on the listing's title, not on its count). A page's
key is a digest of all of them; a page whose key equals the one recorded for it by the previous
build into the same output folder is kept as it is, without rendering. Nothing is traced while a
template renders: what a template can read is found by reading its source
(render/environment.py, TemplateReads).

Articles are fingerprinted by their record without the body, plus the cache key of the parse
that gave the body (the file's bytes and everything that shaped its parse). A page job that shows
one article with its body (an article page) counts that article's parse key alone: the other
articles it shows (neighbours, related stories, the teasers of a listing) reach its template as
the main process holds them, without a body, so an edit of an article's text alone renders its
own page again, and the pages showing it only if its record (headline, summary, word count...)
changed too.

Each page's key also names the articles it reaches (the articles whose records or bodies went
into it; see Reach), and the build keeps that map beside the output (incremental/reach.py). When
nothing but the text of some articles changed (every record as before but for the fields made from
the body), a page that reaches none of them is settled: its key is the one recorded, and it is
neither keyed nor rendered.

The build as a whole is checked first: when newsgen, the templates, the settings, every article
file and every static file are as in the previous build, and the clock has not passed a moment
that changes the site (a future article coming due, an article leaving the news sitemap), the
previous build's output and report stand.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from itertools import chain
from collections.abc import Callable, Container, Iterable, Mapping
from typing import Any

from newsgen.config import SiteConfig
from newsgen.incremental.reach import entry
from newsgen.model import Article, replaced

_PLAIN = (str, int, float, bool, type(None), bytes)
_PLAIN_TYPES = frozenset(_PLAIN)
_FIELDS: dict[type, tuple[str, ...]] = {}
MEMO_LIMIT = 50_000
"""Values a memo of fingerprints keeps before it starts afresh. Each entry holds its value (so that
no other object takes its id), and most values are made for one page (its listing page, its
links, its lists of stories): kept for the whole build they held about 17 MB at 10,000 articles,
ten times that at 100,000. Starting afresh costs working out again the fingerprints of the few
values many pages share."""


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Fingerprints:
    """Stable text fingerprints of the records of one build, each worked out once per object."""

    def __init__(self, body_keys: Mapping[str, str], with_bodies: bool = True,
                 records: dict[int, tuple[Article, str]] | None = None):
        self.body_keys = body_keys
        """Each article's parse cache key, by source: it decides the body the record leaves out."""
        self.with_bodies = with_bodies
        """Whether an article's fingerprint holds its parse key (else its record without the body alone)."""
        self._known: dict[int, tuple[Any, str]] = {}
        self.records = {} if records is None else records
        """A digest of each article's record without its body, by id: shared by the Fingerprints
        of one build (writing a record out is the dear part of an article's fingerprint)."""

    def of(self, value: Any) -> str:
        kind = type(value)
        if kind in _PLAIN_TYPES:
            return repr(value)
        known = self._known.get(id(value))
        if known is not None:
            return known[1]
        if kind is Article:
            record = self.records.get(id(value))
            if record is None:
                bare = replaced(value, body_html="") if value.body_html else value
                record = self.records[id(value)] = (value, _hash(repr(bare)))  # holding the value keeps its id unique
            carried = self.with_bodies or value.body_html  # a record that carries its body counts it
            body_key = self.body_keys.get(value.source, "") if carried else "-"
            return self._remember(value, _hash(f"article:{body_key}:{record[1]}"))
        if kind is tuple or kind is list:
            of, known = self.of, self._known
            text = "[" + ",".join([known[id(v)][1] if id(v) in known else of(v) for v in value]) + "]"
        elif kind is set or kind is frozenset:
            text = "{" + ",".join(sorted(self.of(v) for v in value)) + "}"
        elif isinstance(value, Mapping):
            text = "{" + ",".join(f"{self.of(k)}:{self.of(v)}" for k, v in sorted(value.items(), key=repr)) + "}"
        elif kind is SiteConfig:
            text = repr(value.as_pages_see_it())
        elif dataclasses.is_dataclass(value):
            names = _FIELDS.get(kind)
            if names is None:
                names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
            text = kind.__name__ + "(" + ",".join([self.of(getattr(value, name)) for name in names]) + ")"
        elif hasattr(value, "__self__") and hasattr(value, "__name__"):  # a bound method: its object
            text = f"{self.of(value.__self__)}.{value.__name__}"
        else:
            text = repr(value)
        return self._remember(value, _hash(text) if len(text) > 64 else text)

    def _remember(self, value: Any, fingerprint: str) -> str:
        """Keep the value's fingerprint in the memo (emptied first when it holds MEMO_LIMIT values)."""
        if len(self._known) >= MEMO_LIMIT:
            self._known.clear()
        self._known[id(value)] = (value, fingerprint)  # holding the value keeps its id unique
        return fingerprint


_NOTHING: frozenset[str] = frozenset()
REACH_MEMO_LIMIT = 5_000
"""Values a Reach keeps before it starts afresh: most are made for one page (its page of a
listing, holding up to a page's worth of sources), and the few many pages share (the site's
outline) are quick to walk again."""


class Reach:
    """The sources of the articles a value holds, found as Fingerprints.of walks it: an article's
    fingerprint (its record, and its body's key) is the only part of a page key an article's
    text can change. None when the value holds something the walk does not know, whose
    fingerprint could hold an article's text (its repr): a page with such an input is always keyed."""

    def __init__(self) -> None:
        self._known: dict[Any, tuple[Any, frozenset[str] | None]] = {}

    def of(self, value: Any) -> frozenset[str] | None:
        kind = type(value)
        if kind in _PLAIN_TYPES or kind is SiteConfig:
            return _NOTHING
        if kind is Article:
            return frozenset([value.source])
        known = self._known.get(id(value))
        if known is not None:
            return known[1]
        if kind is tuple or kind is list or kind is set or kind is frozenset:
            reached = self._of_parts(value)
        elif isinstance(value, Mapping):
            reached = self._of_parts(chain.from_iterable(value.items()))
        elif isinstance(value, Article):
            reached = frozenset([value.source])
        elif dataclasses.is_dataclass(value):
            reached = self._of_parts([getattr(value, f.name) for f in dataclasses.fields(value)])
        elif hasattr(value, "__self__") and hasattr(value, "__name__"):  # a bound method: its object
            reached = self.of(value.__self__)
        else:
            reached = None
        self._remember(id(value), value, reached)
        return reached

    def of_attributes(self, value: Any, read: frozenset[str]) -> frozenset[str] | None:
        """The sources the attributes `read` of `value` hold (as ChangeDetector reads them)."""
        memo = (id(value), read)
        known = self._known.get(memo)  # type: ignore[call-overload]
        if known is None:
            known = self._remember(memo, value, self._of_parts([attribute(value, part) for part in read]))
        return known[1]

    def _of_parts(self, parts: Iterable[Any]) -> frozenset[str] | None:
        sources: set[str] = set()
        for part in parts:
            if type(part) is Article:
                sources.add(part.source)
                continue
            found = self.of(part)
            if found is None:
                return None
            sources |= found
        return frozenset(sources)

    def _remember(self, memo: Any, value: Any, reached: frozenset[str] | None) -> tuple[Any, frozenset[str] | None]:
        if len(self._known) >= REACH_MEMO_LIMIT:
            self._known.clear()
        known = self._known[memo] = (value, reached)  # holding the value keeps its id unique
        return known


WHOLE = "*"
"""In PageInputs.reads: the value may be read whole (as the attribute set), or any name may be
(as the name)."""
_EVERY = frozenset([WHOLE])


@dataclasses.dataclass(frozen=True)
class PageInputs:
    """What one page is made from, as its job declares it."""

    template: str
    inputs: Mapping[str, Any]
    """The template's context, or, for a page whose context is costly to make, the values it is
    made from."""
    reads: Mapping[str, frozenset[str]] | None = None
    """For each input, the attributes its templates read of it, or WHOLE; an input its templates
    never name is no input. None: every input counts whole."""
    templates: str = ""
    """A digest of the template files the template can load."""
    body: str | None = None
    """None: the page may show the body of any article among its inputs. Else the page shows the
    body of this article alone (a source), the others without theirs; "" for none."""


def attribute(value: Any, name: str) -> Any:
    """value.name as a template finds it (an attribute, else an item), or a marker saying it has none."""
    try:
        return getattr(value, name)
    except Exception as exc:  # an absent attribute, or a property refusing to be read
        try:
            return value[name]
        except Exception:
            return f"<no {name}: {type(exc).__name__}>"


class ChangeDetector:
    """Page keys of the previous build into this output folder, and the ones this build records."""

    def __init__(self, code_and_settings: str, fingerprints: Fingerprints, previous: Mapping[str, str],
                 settled: Mapping[str, str] | None = None, untracked: frozenset[str] = frozenset(),
                 mapped: Container[str] = frozenset(), positions: Mapping[str, int] | None = None):
        self.base = code_and_settings
        """A digest of newsgen's code and libraries and the site's settings."""
        self.fingerprints = fingerprints
        self.bodiless = Fingerprints(fingerprints.body_keys, with_bodies=False, records=fingerprints.records)
        """Fingerprints for the pages that show no article's body but their own article's."""
        self.previous = previous
        self.settled = settled or {}
        """Pages whose key is known to be as recorded without working it out (see incremental/reach.py)."""
        self.untracked = untracked
        """Names of page inputs that may change with an article's text outside any article's
        record (the search index's shards): a page with such an input is always keyed."""
        self.recorded: dict[str, str] = {}
        self.mapped = mapped
        """The pages whose reach the previous build's map holds."""
        self.positions = positions or {}
        """Each article's position in the map's table (incremental/reach.py, positions)."""
        self.reached: dict[str, str | None] = {}
        """The articles each page keyed by this build reaches (see Reach), as the map holds them
        (incremental/reach.py, entry), for the pages whose key changed or whose reach the previous
        map lacks; a page whose key is as before reaches what it reached (the key holds each
        article's record, its source included)."""
        self._reach = Reach()
        self._shown: dict[tuple[str, int, frozenset[str], Callable[[Any], str]], tuple[Any, str]] = {}

    def key(self, page: PageInputs) -> str:
        of = self.fingerprints.of if page.body is None else self.bodiless.of
        reads = page.reads
        every = reads is None or WHOLE in reads
        parts = [self.base, page.template, page.templates]
        if page.body is not None:
            parts.append(f"body of {page.body!r}: {self.fingerprints.body_keys.get(page.body, '') if page.body else ''}")
        for name in sorted(page.inputs):
            value = page.inputs[name]
            read = _EVERY if every else reads.get(name)  # type: ignore[union-attr]
            if read is None:
                parts.append(f"{name}: not read")
            elif WHOLE in read or type(value) in _PLAIN_TYPES or type(value) is Article:
                parts.append(f"{name}={of(value)}")
            else:
                parts.append(self._attributes(name, value, read, of))
        return _hash("\n".join(parts))

    def _attributes(self, name: str, value: Any, read: frozenset[str], of: Callable[[Any], str]) -> str:
        """The fingerprints of the attributes `read` of `value`, given as `name`: worked out once
        for a value many pages show (the site's outline, a calendar day), in a memo of MEMO_LIMIT values."""
        memo = (name, id(value), read, of)
        known = self._shown.get(memo)
        if known is None:
            if len(self._shown) >= MEMO_LIMIT:
                self._shown.clear()
            known = self._shown[memo] = (value, "\n".join(
                [f"{name}.{part}={of(attribute(value, part))}" for part in sorted(read)]))
        return known[1]

    def settle(self, path: str) -> bool:
        """Record the page's key as the previous build's when it is settled (and say so)."""
        key = self.settled.get(path)
        if key is None:
            return False
        self.recorded[path] = key
        return True

    def unchanged_page(self, path: str, page: PageInputs) -> bool:
        """unchanged() for the page's key, recording the articles the page reaches when the
        previous map does not hold them (see `reached`)."""
        same = self.unchanged(path, self.key(page))
        if not same or path not in self.mapped:
            self.reached[path] = entry(self.reach(page), self.positions)
        return same

    def reach(self, page: PageInputs) -> frozenset[str] | None:
        """The sources of the articles the page's key reaches: those of its inputs as key() reads
        them, and the article whose body it shows; None when it cannot be told (see Reach)."""
        reads = page.reads
        every = reads is None or WHOLE in reads
        sources: set[str] = {page.body} if page.body else set()
        for name, value in page.inputs.items():
            read = _EVERY if every else reads.get(name)  # type: ignore[union-attr]
            if read is None:
                continue
            if name in self.untracked:
                return None
            if WHOLE in read or type(value) in _PLAIN_TYPES or type(value) is Article:
                found = self._reach.of(value)
            else:
                found = self._reach.of_attributes(value, read)
            if found is None:
                return None
            sources |= found
        return frozenset(sources)

    def unchanged(self, path: str, key: str) -> bool:
        """Record the page's key; True when the previous build wrote the same page from the same inputs."""
        self.recorded[path] = key
        return self.previous.get(path) == key

    def state(self, written: Iterable[str]) -> dict[str, str]:
        """What the next build compares with: the key of every page this build left in the output."""
        return {path: self.recorded[path] for path in written if path in self.recorded}


def previous_page_keys(saved: Any, present: Container[str]) -> dict[str, str]:
    """The page keys a previous build saved (see ChangeDetector.state), for the pages whose files
    are still in the output (a file removed by hand is rendered again)."""
    if not isinstance(saved, dict):
        return {}
    return {path: key for path, key in saved.items() if isinstance(key, str) and path in present}


def build_digest(sources_digest: str, history: bytes | None) -> str:
    """Everything a whole build is made from but the clock, as one digest: its sources and the
    site's URL history file's bytes (None: it has none)."""
    return hashlib.blake2b(sources_digest.encode() + b"\0" + (history or b""), digest_size=16).hexdigest()


@dataclasses.dataclass(frozen=True)
class BuildInputs:
    """Everything a whole build is made from but the clock, as one digest, and the span of time
    in which its output stays the same."""

    digest: str
    since: datetime
    """The build time of the build that recorded it."""
    until: datetime | None
    """The first moment after `since` at which the site changes by itself, if any."""

    def holds_at(self, digest: str, now: datetime) -> bool:
        """Whether a build with inputs `digest` at `now` would give this build's output."""
        return digest == self.digest and self.since <= now and (self.until is None or now < self.until)

    def saved(self) -> dict[str, Any]:
        return {"digest": self.digest, "since": self.since.isoformat(),
                "until": self.until.isoformat() if self.until else None}

    @staticmethod
    def from_saved(data: Any) -> "BuildInputs | None":
        try:
            return BuildInputs(str(data["digest"]), datetime.fromisoformat(data["since"]),
                               datetime.fromisoformat(data["until"]) if data["until"] else None)
        except (KeyError, TypeError, ValueError):
            return None
