"""Which pages need rendering again: every page remembers what its template read.

Rendering a page records a trace: for each record in the template's context (the site, a
listing, a page of a listing, the config...), which attributes the template read, and for a
sequence whether it only asked for its length. The page's key is a hash of the template, the
plain values and articles in its context, and the fingerprints of exactly what the trace read.
On the next build the previous trace is evaluated against the new records: if the key is the
same, the template would read the same values and produce the same bytes, so the page is kept
without rendering it. This is how a one-article edit re-renders only the pages that show it.

Articles are fingerprinted by their cache key (their source bytes and everything that shaped
the parse) plus the tags, section and authors the index gave them, never by their body.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, Iterable

from newsgen.config import SiteConfig, settings_text
from newsgen.model import Site
from newsgen.model import Article

Trace = tuple[tuple[str, str, str], ...]
"""(context name, attribute or "", mode): mode "len" when only the length was used, else "all"."""

_PLAIN = (str, int, float, bool, type(None), bytes)


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Fingerprints:
    """Stable text fingerprints of the records of one build (memoized per object)."""

    def __init__(self, article_digests: dict[str, str]):
        self.articles = article_digests
        self._memo: dict[int, tuple[Any, str]] = {}
        self.shared_reads: dict[tuple[int, tuple[str, str, str]], tuple[Any, str]] = {}
        """page_key's text for one read of a shared record (see SHARED_RECORDS)."""

    def of(self, value: Any) -> str:
        kind = type(value)
        if kind in _PLAIN_TYPES:
            return repr(value)
        if kind is Article:
            return self.articles.get(value.source) or "article:" + _hash(repr(value))
        known = self._memo.get(id(value))
        if known is not None:
            return known[1]
        if kind is tuple or kind is list:
            text = "[" + ",".join([self.of(v) for v in value]) + "]"
        elif kind is set or kind is frozenset:
            text = "{" + ",".join(sorted(self.of(v) for v in value)) + "}"
        elif kind is dict:
            text = "{" + ",".join(f"{self.of(k)}:{self.of(v)}" for k, v in sorted(value.items(), key=repr)) + "}"
        elif dataclasses.is_dataclass(value):
            names = _FIELDS.get(kind)
            if names is None:
                names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
            text = kind.__name__ + "(" + ",".join([self.of(getattr(value, name)) for name in names]) + ")"
        elif isinstance(value, _PLAIN):
            text = repr(value)
        elif hasattr(value, "__self__") and hasattr(value, "__name__"):  # a bound method: its object
            text = f"{self.of(value.__self__)}.{value.__name__}"
        else:
            text = repr(value)
        fingerprint = _hash(text) if len(text) > 64 else text
        self._memo[id(value)] = (value, fingerprint)  # holding the value keeps its id unique
        return fingerprint


_PLAIN_TYPES = frozenset(_PLAIN)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _traced(value: Any) -> bool:
    return not isinstance(value, (_PLAIN, Article))


class TraceRecorder:
    """Wraps a render context so that every attribute a template reads is noted."""

    def __init__(self) -> None:
        self.reads: dict[tuple[str, str], str] = {}

    def note(self, name: str, attribute: str, mode: str) -> None:
        if self.reads.get((name, attribute)) != "all":
            self.reads[(name, attribute)] = mode

    def wrap(self, context: dict[str, Any]) -> dict[str, Any]:
        return {name: self._wrap(name, "", value) if _traced(value) else value for name, value in context.items()}

    def _wrap(self, name: str, attribute: str, value: Any) -> Any:
        if isinstance(value, (tuple, list)):
            return _TracedSequence(value, self, name, attribute)
        if attribute:
            self.note(name, attribute, "all")
            return value
        return _TracedRecord(value, self, name)

    def trace(self) -> Trace:
        return tuple(sorted((name, attribute, mode) for (name, attribute), mode in self.reads.items()))


_active: list[TraceRecorder] = []


class recording:
    """`with recording(recorder):` sends reads of global records (like `config`) to recorder."""

    def __init__(self, recorder: TraceRecorder):
        self.recorder = recorder

    def __enter__(self) -> TraceRecorder:
        _active.append(self.recorder)
        return self.recorder

    def __exit__(self, *exc: object) -> None:
        _active.pop()


class _TracedRecord:
    __slots__ = ("_ng_value", "_ng_recorder", "_ng_name")

    def __init__(self, value: Any, recorder: TraceRecorder | None, name: str):
        self._ng_value, self._ng_recorder, self._ng_name = value, recorder, name

    def _ng_target(self) -> TraceRecorder:
        return self._ng_recorder or (_active[-1] if _active else _NOWHERE)

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._ng_value, attribute)
        return self._ng_target()._wrap(self._ng_name, attribute, value)

    def _ng_whole(self) -> Any:
        self._ng_target().note(self._ng_name, "", "all")
        return self._ng_value

    def __str__(self) -> str:
        return str(self._ng_whole())

    def __eq__(self, other: object) -> bool:
        return self._ng_whole() == (other._ng_whole() if isinstance(other, _TracedRecord) else other)

    def __hash__(self) -> int:
        return hash(self._ng_whole())

    def __bool__(self) -> bool:
        return bool(self._ng_whole())

    def __iter__(self):
        return iter(self._ng_whole())

    def __len__(self) -> int:
        return len(self._ng_whole())

    def __getitem__(self, key: Any) -> Any:
        return self._ng_whole()[key]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ng_whole()(*args, **kwargs)


class _TracedSequence:
    """A tuple or list that notes whether a template only asked for its length."""

    __slots__ = ("_ng_items", "_ng_recorder", "_ng_key")

    def __init__(self, items: tuple | list, recorder: TraceRecorder, name: str, attribute: str):
        self._ng_items, self._ng_recorder, self._ng_key = items, recorder, (name, attribute)

    def __len__(self) -> int:
        self._ng_recorder.note(*self._ng_key, "len")
        return len(self._ng_items)

    def __bool__(self) -> bool:
        return self.__len__() > 0

    def _ng_all(self) -> tuple | list:
        self._ng_recorder.note(*self._ng_key, "all")
        return self._ng_items

    def __iter__(self):
        return iter(self._ng_all())

    def __reversed__(self):
        return reversed(self._ng_all())

    def __getitem__(self, key: Any) -> Any:
        return self._ng_all()[key]

    def __contains__(self, item: object) -> bool:
        return item in self._ng_all()

    def __eq__(self, other: object) -> bool:
        return self._ng_all() == other

    def __hash__(self) -> int:
        return hash(self._ng_all())

    def __str__(self) -> str:
        return str(self._ng_all())

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._ng_all(), attribute)


_NOWHERE = TraceRecorder()


def whole_trace(context: dict[str, Any]) -> Trace:
    """The trace of a page that reads each of its context's records whole."""
    return tuple(sorted((name, "", "all") for name, value in context.items() if _traced(value)))


def traced_global(name: str, value: Any) -> Any:
    """A Jinja global whose reads are noted by the recorder of the page being rendered
    (globals reach imported macros too, which never see the page's own context)."""
    return _TracedRecord(value, None, name)


_MISSING = object()


def page_key(prints: Fingerprints, template: str, context: dict[str, Any], trace: Trace) -> str | None:
    """The hash of everything the trace says the page read; None if the context no longer has it."""
    parts = [template]
    for name in sorted(context):
        value = context[name]
        if not _traced(value):
            parts.append(f"{name}={prints.of(value)}")
    shared = prints.shared_reads
    for step in trace:
        name, attribute, mode = step
        value = context.get(name, _MISSING)
        if name in SHARED_RECORDS and (known := shared.get((id(value), step))) is not None:
            parts.append(known[1])  # the config and the site outline are the same for every page
            continue
        record = value
        if attribute and value is not _MISSING:
            value = getattr(value, attribute, _MISSING)
        if value is _MISSING:
            return None
        part = f"{name}.{attribute}:{mode}=" + (str(len(value)) if mode == "len" else prints.of(value))
        if name in SHARED_RECORDS:
            shared[(id(record), step)] = (record, part)  # holding the record keeps its id unique
        parts.append(part)
    return _hash("\n".join(parts))


SHARED_RECORDS = frozenset({"config", "site"})
"""Context records that every page of a build shares: their reads are worked out once."""


@dataclasses.dataclass(frozen=True)
class MemoEntry:
    """What the manifest keeps per output file: its render key, the trace behind it, its hash."""

    key: str | None
    trace: Trace | None
    digest: str


class PageMemo:
    """The previous build's page keys and traces, and the new ones this build records."""

    def __init__(self, prints: Fingerprints, previous: dict[str, MemoEntry] | None, render_key: str = "",
                 inputs: str = "", same_inputs: bool = False):
        self.prints = prints
        self.render_key = render_key
        """newsgen's code and the templates: page keys from another render_key are not reused."""
        self.inputs = inputs
        """A hash of all the build's inputs (see build.build_inputs)."""
        self.same_inputs = same_inputs
        """True when inputs equal the previous build's: every remembered page is unchanged."""
        self.previous = previous or {}
        self.recorded: dict[str, tuple[str, Trace]] = {}

    def unchanged(self, path: str, template: str, context: dict[str, Any]) -> bool:
        """True when the page at path would render to the same bytes as last time."""
        entry = self.previous.get(path)
        if entry is None or entry.key is None or entry.trace is None:
            return False
        if not self.same_inputs and page_key(self.prints, template, context, entry.trace) != entry.key:
            return False
        self.recorded[path] = (entry.key, entry.trace)
        return True

    def record(self, path: str, template: str, context: dict[str, Any], trace: Trace) -> None:
        key = page_key(self.prints, template, context, trace)
        if key is not None:
            self.recorded[path] = (key, trace)

    def entries(self, digests: Iterable[tuple[str, str]]) -> dict[str, MemoEntry]:
        """The manifest entries for this build's output files, given each file's content hash."""
        result = {}
        for path, digest in digests:
            key, trace = self.recorded.get(path, (None, None))
            result[path] = MemoEntry(key, trace, digest)
        return result


def load_page_memo(config: SiteConfig, site: Site, keys: dict[str, str], state: dict[str, Any],
                   digests: dict[str, str], key: str) -> PageMemo:
    """The memo for this build: the previous build's page keys and traces (`state`, as saved by
    memo_state; usable only if newsgen and the templates are the same, i.e. `key`), and
    fingerprints of this build's articles (their cache `keys` by source, and their terms)."""
    prints = {}
    for article in site.articles:
        names = "|".join(t.name for t in (*article.tags, *article.authors, *([article.section] if article.section else [])))
        prints[article.source] = keys.get(article.source, "") + ":" + names
    previous = {}
    traces: list[tuple] = []
    if state.get("render_key") == key:
        traces = [tuple(tuple(step) for step in trace) for trace in state.get("traces", [])]
        for path, (page_key, trace_number) in state.get("pages", {}).items():
            if path in digests:  # a file missing from the output is rendered again
                previous[path] = MemoEntry(page_key, traces[trace_number], digests[path])
    inputs = build_inputs(config, site, prints, key, reads_the_clock(traces))
    return PageMemo(Fingerprints(prints), previous, key, inputs, same_inputs=bool(previous) and state.get("inputs") == inputs)


_CLOCKLESS = {"listings", "listing", "page", "archive", "article", "newer", "older", "kind", "page_url", "feed_articles",
              "related", "article_day", "period_day", "period_calendars", "day_of_year"}
"""Context names whose values hold no config (articles, listings, calendar days): reading them
whole does not read the build time."""


def reads_the_clock(traces: list[tuple]) -> bool:
    """Whether any page may have read the build time (config.now), directly or as part of a
    whole record holding the config."""
    return any(attribute in ("", "now", "config") and name not in _CLOCKLESS
               for trace in traces for name, attribute, _ in trace)


def build_inputs(config: SiteConfig, site: Site, digests: dict[str, str], key: str, with_clock: bool) -> str:
    """A hash of everything pages are made from: when it equals the previous build's, every page
    rendered through the memo would come out the same (the build still runs whole)."""
    digest = hashlib.blake2b(key.encode(), digest_size=16)
    digest.update(settings_text(config).encode())
    if with_clock:
        digest.update(repr(config.now).encode())
    for article in site.articles:
        digest.update(f"{article.source}\0{digests[article.source]}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def memo_state(memo: PageMemo, digests: dict[str, str]) -> dict:
    """What the manifest keeps for the next build's memo: each page's key and trace."""
    traces: dict[tuple, int] = {}
    pages = {}
    for path, (page_key, trace) in memo.recorded.items():
        if path in digests:
            pages[path] = [page_key, traces.setdefault(trace, len(traces))]
    return {"render_key": memo.render_key, "inputs": memo.inputs, "traces": [list(t) for t in traces], "pages": pages}
