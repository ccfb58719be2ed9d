"""The records that flow between stages. Complete and immutable; no I/O here."""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeVar

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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Term:
    """A tag, section or author: a display name and the slug its page lives under."""

    kind: Literal["tag", "section", "author"]
    name: str
    slug: str
    url: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Correction:
    """A dated note on an article: a correction or an update."""

    date: datetime
    text: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """One news article, as every later stage sees it."""

    source: str
    """The file it came from, as shown in messages (relative to the site folder); for a record of a
    bulk export, `file:line` (issue 6)."""
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

    @property
    def reading_minutes(self) -> int:
        """Reading time at 230 words a minute, at least one minute."""
        return max(1, round(self.word_count / 230))

    @property
    def modified(self) -> datetime:
        """The last time the content changed: the latest of updated (else published) and
        the corrections' dates."""
        latest = self.updated or self.published
        return max([latest, *(c.date for c in self.corrections)])


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Page:
    """One output file: its path inside the output folder, and its bytes."""

    path: str
    content: bytes


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class KeptPage:
    """An output file whose inputs are the same as in the previous build: the writer keeps the
    file it wrote then, without rendering or writing it again."""

    path: str
