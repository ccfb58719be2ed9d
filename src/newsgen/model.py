"""The records that flow between stages. Complete and immutable; no I/O here."""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterator, Literal, Mapping, TypeVar

from newsgen.errors import SourceError
from newsgen.urls import page_url, period_url

if TYPE_CHECKING:
    from newsgen.config import SiteConfig

DatePrecision = Literal["month", "day", "time"]
R = TypeVar("R")


def pickled_by_fields(cls: type[R]) -> type[R]:
    """Pickle a frozen slotted dataclass as its constructor's arguments. (The `__getstate__`
    that dataclasses gives slotted classes calls `fields()` for every object: it made pickling
    the records sent to worker processes a third of a cold build.)"""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    values = operator.attrgetter(*names)
    if len(names) == 1:
        cls.__reduce__ = lambda self: (cls, (values(self),))  # type: ignore[method-assign,assignment]
    else:
        cls.__reduce__ = lambda self: (cls, values(self))  # type: ignore[method-assign,assignment]
    return cls


def replaced(record: R, **changes: Any) -> R:
    """dataclasses.replace for a frozen slotted dataclass without `__post_init__`, at a third of
    its cost: the new record's slots are copied from the old one's, then `changes` set, without
    calling `__init__` (for the stages that touch every article of the site on every build)."""
    cls = type(record)
    slots = _SLOTS.get(cls)
    if slots is None:
        slots = _SLOTS[cls] = {f.name: getattr(cls, f.name) for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    new = object.__new__(cls)
    for slot in slots.values():
        slot.__set__(new, slot.__get__(record))
    for name, value in changes.items():
        if name not in slots:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        slots[name].__set__(new, value)
    return new


_SLOTS: dict[type, dict[str, Any]] = {}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Term:
    """A tag, section or author: a display name and the slug its page lives under."""

    kind: Literal["tag", "section", "author"]
    name: str
    slug: str
    url: str

    def __repr__(self) -> str:
        """The text dataclasses write, made directly: records are fingerprinted by their repr, and
        the dataclasses' guard against recursion made a record's terms most of its cost."""
        return f"Term(kind={self.kind!r}, name={self.name!r}, slug={self.slug!r}, url={self.url!r})"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Correction:
    """A dated note on an article: a correction or an update."""

    date: datetime
    text: str


class FrozenMapping(Mapping[str, Any]):
    """A read-only mapping that can be hashed, pickled and compared, with a repr that lists its
    items in key order (the change detector fingerprints records by their repr). Lists and sets
    inside become tuples and mappings inside become FrozenMappings."""

    __slots__ = ("_items", "_lookup")

    def __init__(self, items: Mapping[Any, Any] | tuple[tuple[str, Any], ...] = ()):
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items = tuple(sorted(((str(key), _frozen(value)) for key, value in pairs), key=lambda pair: pair[0]))
        self._lookup = dict(self._items)

    def __getitem__(self, key: str) -> Any:
        return self._lookup[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lookup)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        return f"FrozenMapping({dict(self._items)!r})"

    def __reduce__(self):
        return (FrozenMapping, (self._items,))


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return FrozenMapping(value)
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, (set, frozenset)):  # YAML's `!!set`: in a stable order, as the repr must be
        return tuple(sorted((_frozen(item) for item in value), key=repr))
    return value


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Takedown:
    """Why and when an article was taken down: its page becomes a notice, and it leaves every list."""

    date: datetime
    reason: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PictureFile:
    """One resized copy of a picture, as published."""

    url: str
    """Site-relative URL, like `images/harbour.960w.webp`."""
    width: int
    mime: str
    """`image/webp`, or the picture's own type (`image/jpeg`, `image/png`)."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Picture:
    """A picture as the theme shows it: where its file is, its size, and its resized copies."""

    src: str
    """Site-relative URL of the file for `src` (the largest copy in the picture's own format, or the
    file as published); for a remote picture, its URL as written."""
    width: int | None = None
    """Of `src`, in pixels; None when unknown (a remote picture, an SVG, a file that could not be read)."""
    height: int | None = None
    files: tuple[PictureFile, ...] = ()
    """Resized copies, narrowest first within each type; empty for a picture published as it is."""

    @property
    def remote(self) -> bool:
        return "://" in self.src or self.src.startswith("//")

    def srcset(self, mime: str) -> tuple[PictureFile, ...]:
        """The copies of one type."""
        return tuple(f for f in self.files if f.mime == mime)

    @property
    def mime(self) -> str:
        """The type of `src`'s copies (the picture's own format); empty without copies."""
        own = [f.mime for f in self.files if f.mime != "image/webp"]
        return own[0] if own else ("image/webp" if self.files else "")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as every later stage sees it."""

    source: str
    """The file it came from, as shown in messages (relative to the site folder); for a record of a
    bulk export, `file:line`."""
    title: str
    slug: str
    published: datetime
    """Timezone-aware; in the site's zone when the source gave no zone."""
    precision: DatePrecision
    """How much of `published` the source gave: a month, a day, or a time of day."""
    updated: datetime | None
    tags: tuple[Term, ...]
    section: Term | None
    authors: tuple[Term, ...]
    summary: str
    """Plain text: the author's summary, or the first paragraph."""
    body_html: str
    url: str
    """Site-relative URL of the article's page, like `2022/08/10/slug/`."""
    word_count: int
    image: str | None = None
    corrections: tuple[Correction, ...] = ()
    draft: bool = False
    aliases: tuple[str, ...] = ()
    """Old site URLs of the article (`aliases:`), each published as a redirect to `url`."""
    record_id: str | None = None
    """The `id` of its record, for an article of a bulk export that gives one."""
    takedown: Takedown | None = None
    """Set for an article taken down (`takedown:`): only a notice is published at its URL."""

    @property
    def identity(self) -> str:
        """What names the article from build to build: its file, or for an export record with an
        `id`, the file and the id (`content/wire.jsonl#A-123`); a record without one, its line."""
        if self.record_id is None:
            return self.source
        return f"{self.source.rpartition(':')[0] or self.source}#{self.record_id}"
    extra: FrozenMapping = FrozenMapping()
    """The site's own fields, from the `extra:` mapping of the front matter (`article.extra.desk`)."""
    slug_derived: bool = False
    """True when the slug comes from the title or the headline derived from the text; False when
    the source chose it (`slug:`, or a file name like `2020-09-17-wildfire-smoke.md`). Two articles
    whose derived slugs give one URL are both published (content/collect.py); chosen ones are an error."""
    url_line: int = 0
    """The line of the header key its URL came from: `slug`, else `title`, else `date`; 0 when the
    source already names the line (a record of a bulk export) or no key gave it."""
    image_alt: str = ""
    """The lead picture's text alternative (`image_alt:`); empty: the theme uses the title."""
    image_caption: str = ""
    image_credit: str = ""
    image_line: int = 0
    """The line of the `image:` key (for messages about a missing picture)."""
    body_images: tuple[tuple[str, int], ...] = ()
    """(src as written, line) of each local picture of the body (`![](harbour.jpg)`, `<img src>`)."""
    picture: Picture | None = None
    """The lead picture as published, set by the picture stage (pictures/) from `image`; None
    before it, and for an article without one or whose file is missing."""
    body_pictures: tuple[tuple[str, Picture], ...] = ()
    """(src as written, picture) of each body picture found, set by the picture stage."""
    lang: str = ""
    """BCP 47 language tag of the article (`lang:`); empty: the site's `language`."""
    translation_key: str = ""
    """Names the story the article tells (`translation_key:`): articles in other languages with
    the same key are its translations. Empty: none."""

    @property
    def url_source(self) -> str:
        """The source as errors about the article's URL name it: `content/x.md:3`."""
        return f"{self.source}:{self.url_line}" if self.url_line else self.source

    @property
    def reading_minutes(self) -> int:
        """Reading time at 230 words a minute, at least one minute."""
        return max(1, round(self.word_count / 230))

    @property
    def modified(self) -> datetime:
        """The last time the content changed: the latest of updated (else published) and
        the corrections' dates."""
        latest = self.updated or self.published
        if not self.corrections:
            return latest
        return max([latest, *(c.date for c in self.corrections)])


BODY_FIELDS = frozenset({"summary", "word_count", "body_html", "body_images"})
"""The fields of an Article made from the article's body: what an edit of the text alone changes.
No step before rendering reads them (the index, the outlines and the page jobs read the others);
the templates read them through the records, which the pages' keys and reach hold."""


@dataclass(frozen=True)
class FileResult:
    """What parsing one file gave: an article, or errors; and any warnings. The article store
    keeps it, and render workers read article bodies from it."""

    article: Article | None
    """The first of `articles`, or None."""
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[str, ...] = ()
    articles: tuple[Article, ...] = ()
    """Every article of the file: one, or one per record of a bulk export."""
    notices: tuple[str, ...] = ()
    """Files passed over on purpose: another generator's pages (see content/layouts.py)."""


@dataclass(frozen=True)
class ArticleFiles:
    """For each loaded article, by its source: its cache key and its file."""

    keys: dict[str, str]
    files: dict[str, str]


@dataclass
class LoadedContent:
    """The content stage's result: the articles to publish and what was found on the way."""

    articles: list[Article]
    warnings: list[str] = field(default_factory=list)
    files_read: int = 0
    skipped_drafts: int = 0
    skipped_future: int = 0
    notices: list[str] = field(default_factory=list)
    skipped_invalid: list[str] = field(default_factory=list)
    """Errors of the articles left out because `skip_invalid` is on."""
    left_out: list[str] = field(default_factory=list)
    """One line for each draft and future article left out, with its date, in file order."""
    next_publication: datetime | None = None
    """The earliest date of the articles left out as future ones: when the site next changes by itself."""
    files: ArticleFiles = field(default_factory=lambda: ArticleFiles({}, {}))
    """Where each article's whole record is (the key of its parse in the store) and its file."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SitePage:
    """A page outside the news, like `pages/about.md`: published at its own URL, in the sitemap
    and (with `menu`) in the site navigation; never in feeds, listings, search or related stories."""

    source: str
    """The file it came from, as shown in messages (`pages/about.md`)."""
    title: str
    url: str
    """Site-relative URL, like `about/`."""
    summary: str
    """Plain text for the meta description: the page's `summary`, else its first paragraph."""
    body_html: str
    menu: int | None = None
    """Its place in the site navigation (lowest first); None: not in the navigation."""
    aliases: tuple[str, ...] = ()
    """Old site URLs of the page (`aliases:`), each published as a redirect to `url`."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Redirect:
    """An old URL that sends readers on to the current URL of an article, a page or a listing."""

    url: str
    """The old site URL (`2019/old-slug/`, `old/page.html`)."""
    target: str
    """The site URL it leads to."""
    source: str
    """The file of the article or page it leads to, or the listing (`the tag Αθήνα`)."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Page:
    """One output file: its path inside the output folder, and its bytes."""

    path: str
    content: bytes
    source: str = ""
    """The site's file copied as it is (a `static/` file), as messages show it; empty for a page newsgen makes."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class KeptPage:
    """An output file whose inputs are the same as in the previous build: the writer keeps the
    file it wrote then, without rendering or writing it again."""

    path: str


MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"]


@dataclass(frozen=True)
class CalendarDay:
    """One day in a month's calendar: its archive page and count when it has articles."""

    day: int
    url: str | None
    count: int


@dataclass(frozen=True)
class MonthCalendar:
    """A month as weeks from Monday to Sunday; None fills the days of other months."""

    period: Period
    count: int
    weeks: tuple[tuple[CalendarDay | None, ...], ...]


@dataclass(frozen=True)
class DayOfYear:
    """The articles of one calendar day (10 August) in every year, newest first."""

    month: int
    day: int
    listing: Listing
    previous: tuple[str, str] | None
    """(url, label) of the nearest earlier calendar day that has articles."""
    next: tuple[str, str] | None

    @property
    def label(self) -> str:
        """`10 August`, in English; a template reads it in the page's language (render/environment.py)."""
        return day_label(self.month, self.day)


def day_label(month: int, day: int) -> str:
    return f"{day} {MONTH_NAMES[month - 1]}"


@dataclass(frozen=True)
class ListingPage:
    """One page of a listing. Pages are numbered from the oldest, so a numbered page keeps its
    articles when new ones arrive; the newest page lives at the listing's own URL."""

    url: str
    number: int
    """From 1, the oldest page; the newest page's number is the listing's number of pages."""
    articles: tuple[Article, ...]
    newer_url: str | None
    older_url: str | None


@dataclass(frozen=True)
class Listing:
    """Articles under one heading, newest first: the front page, a tag, a section, an author, a period."""

    url: str
    title: str
    articles: tuple[Article, ...]
    term: Term | None = None

    @property
    def count(self) -> int:
        return len(self.articles)

    def pages(self, page_size: int) -> list[ListingPage]:
        """Full chunks of page_size counted from the oldest article live at `page/N/`; the
        listing's own URL shows every newer article (page_size to 2 * page_size - 1 of them),
        so no article is on two pages and a numbered page keeps its articles."""
        count = len(self.articles)
        numbered = max(0, count // page_size - 1)
        total = numbered + 1
        pages = []
        for number in range(1, total):
            end = count - (number - 1) * page_size
            chunk = self.articles[end - page_size:end]
            newer = page_url(self.url, number + 1 if number + 1 < total else None)
            older = page_url(self.url, number - 1) if number > 1 else None
            pages.append(ListingPage(page_url(self.url, number), number, chunk, newer, older))
        older = page_url(self.url, total - 1) if total > 1 else None
        pages.append(ListingPage(self.url, total, self.articles[:count - numbered * page_size], None, older))
        return pages


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None
    day: int | None = None
    root: str = ""
    """The URL prefix of the language tree the period's archive is in (`es/`); `""` at the site root."""

    @property
    def url(self) -> str:
        return self.root + period_url(self.year, self.month, self.day)

    @property
    def label(self) -> str:
        """`2022`, `August 2022`, `10 August 2022`, in English; a template reads it, and
        `short_label`, in the page's language (render/environment.py)."""
        if self.month is None:
            return f"{self.year}"
        if self.day is None:
            return f"{MONTH_NAMES[self.month - 1]} {self.year}"
        return f"{self.day} {MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def parents(self) -> tuple["Period", ...]:
        """The longer periods that hold this one: a day's year and month; a month's year."""
        if self.month is None:
            return ()
        if self.day is None:
            return (Period(self.year, root=self.root),)
        return (Period(self.year, root=self.root), Period(self.year, self.month, root=self.root))

    @property
    def short_label(self) -> str:
        """The label inside its parent period: `2022`, `August`, `10`."""
        if self.month is None:
            return str(self.year)
        return MONTH_NAMES[self.month - 1] if self.day is None else str(self.day)

    @property
    def level(self) -> str:
        return "year" if self.month is None else "month" if self.day is None else "day"


@dataclass(frozen=True)
class Archive:
    """A year, month or day: its articles, the shorter periods inside it that have articles,
    and the neighbouring periods of the same length that have articles."""

    period: Period
    listing: Listing
    children: tuple[tuple[Period, int], ...]
    previous: Period | None
    next: Period | None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Translation:
    """One language version of a story (articles linked by `translation_key:`), as its pages and
    the sitemap announce it."""

    language: str
    """The configured language it is in (`es`), as `hreflang` names it."""
    url: str
    title: str


@dataclass(frozen=True)
class Site:
    """One language's tree of pages (the whole site, on a single-language site). The site's
    default language's Site holds what every language shares (pages, takedowns, redirects) and
    the other languages' Sites in `other_languages`."""

    config: SiteConfig
    """The site's configuration, with `language` set to this tree's language."""
    articles: tuple[Article, ...]
    """Every published article, newest first; ties broken by slug, then source path (taken-down
    articles are not among them)."""
    front: Listing
    tags: tuple[Listing, ...]
    sections: tuple[Listing, ...]
    authors: tuple[Listing, ...]
    archives: tuple[Archive, ...]
    """Years, months and days, newest first within each level."""
    notices: tuple[str, ...] = ()
    pages: tuple[SitePage, ...] = ()
    """The site's pages (`pages/`), by source path."""
    takedowns: tuple[Article, ...] = ()
    """The articles taken down, by URL: a notice stands at each one's URL, and nothing else shows them."""
    redirects: tuple[Redirect, ...] = ()
    """Old URLs leading to current ones, by old URL."""
    url_changes: tuple[str, ...] = ()
    """A line for each old URL that redirects to a URL the site's URL history does not hold yet:
    an article or page whose URL changed since the history was written."""
    # Related stories and date navigation.
    related: Mapping[str, tuple[Article, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Article URL -> related articles, best first (see related.py)."""
    calendars: Mapping[Period, MonthCalendar] = field(default_factory=lambda: MappingProxyType({}))
    """Month Period -> its calendar (see dates.py)."""
    on_this_day: Mapping[str, DayOfYear] = field(default_factory=lambda: MappingProxyType({}))
    """`MM-DD` -> that calendar day's articles across the years, in calendar order."""
    # Multilingual sites.
    home: str = ""
    """The URL of this language's front page, the prefix of its pages (`es/`); `""`: the site root."""
    other_languages: tuple["Site", ...] = ()
    """On a multilingual site's default-language Site: the other languages' Sites, in `languages` order."""
    translations: Mapping[str, tuple[Translation, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """Page URL -> every language version of the page (itself included), in `languages` order:
    the versions of an article's story (only articles that have another version are here), and
    each language's front page. Held by the default-language Site."""

    @property
    def language_sites(self) -> tuple["Site", ...]:
        """This Site and its other languages' Sites: every tree of pages."""
        return (self, *self.other_languages)

    @property
    def every_article(self) -> tuple[Article, ...]:
        """The published articles of every language, newest first (as `articles` sorts them)."""
        if not self.other_languages:
            return self.articles
        every = [article for tree in self.language_sites for article in tree.articles]
        return tuple(sorted(every, key=lambda a: (-a.published.timestamp(), a.slug, a.source)))

    @property
    def years(self) -> tuple[Archive, ...]:
        return tuple(a for a in self.archives if a.period.level == "year")

    def terms(self, kind: str) -> tuple[Listing, ...]:
        return {"tag": self.tags, "section": self.sections, "author": self.authors}[kind]


@dataclass(frozen=True)
class KeptIndex:
    """A site's index as a build made it, kept for the next build in the same process."""

    site: Site
    config: SiteConfig
    frame: str
    """The digest of every input of the build but the article files and the clock, URL history included."""
    reach: str
    """The digest of the map of the pages' reach that the build saved (incremental/reach.py)."""


@dataclass
class KeptBetweenBuilds:
    """What a process that builds again and again (`newsgen serve`) keeps from one build to the
    next: the parsed articles by cache key (see load_articles), and the last build's index of
    the site, which a build whose articles changed in their text alone updates instead of
    indexing the site again (see stages.py)."""

    parses: dict[str, FileResult] = field(default_factory=dict)
    index: KeptIndex | None = None


@dataclass(frozen=True)
class PageCost:
    """The pages of one kind a build rendered (`article pages`, `listing pages`, `feeds`...) and
    the CPU time they took, in every process."""

    kind: str
    pages: int
    cpu_seconds: float


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the command line and the preview server."""

    articles: int
    pages_written: int
    seconds: float
    output_dir: Path
    warnings: tuple[str, ...] = ()
    skipped_drafts: int = 0
    skipped_future: int = 0
    left_out: tuple[str, ...] = ()
    """`path: draft, dated ...` or `path: future article, dated ...` for each article left out."""
    files_read: int = 0
    notices: tuple[str, ...] = ()
    """Files passed over on purpose (another generator's pages), one line each."""
    skipped_invalid: tuple[str, ...] = ()
    """`path:line: message` of each invalid article left out under `skip_invalid`."""
    pages_unchanged: int = 0
    """Output files whose bytes were the same in the previous output (kept as they were)."""
    pages_deleted: int = 0
    pictures_resized: int = 0
    """Pictures resized by this build; the others' copies came from the picture cache."""
    """Output files removed because no page produces them any more."""
    nothing_changed: bool = False
    """No input changed since the previous build into this output: nothing was read, indexed or rendered."""
    search_shards_indexed: int = 0
    """Shards of the search index that Pagefind indexed in this build."""
    search_shards_reused: int = 0
    """Shards of the search index copied from the search cache, every byte checked."""
    page_costs: tuple["PageCost", ...] = ()
    """CPU time spent rendering, by kind of page, for the pages this build rendered."""
