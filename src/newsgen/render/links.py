"""What the template filters and globals read of the page being rendered besides the values its
templates name: where the page is (links from it are relative to its URL) and its language.

Inside `marking_links(marks)`, page_link returns marks.mark(target), a placeholder, instead of an
href: a teaser rendered once for many pages (render/teasers.py) gets each page's links put in.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator, Protocol

from newsgen.urls import relative_url, root_relative_url


class LinkMarks(Protocol):
    def mark(self, target: str) -> str: ...


_marking: ContextVar[LinkMarks | None] = ContextVar("newsgen_link_marks", default=None)


def link_from(here: str | None, base_path: str, target: str) -> str:
    """The href of the site URL target on the page at `here`: relative, or under the base path for
    pages (like 404.html) served at any depth (here is None)."""
    return root_relative_url(base_path, target) if here is None else relative_url(here, target)


def page_link(context: Any, target: str) -> str:
    """The href of target on the page whose template context is `context`."""
    marks = _marking.get()
    if marks is not None:
        return marks.mark(target)
    return link_from(context.get("page_url"), context["config"].base_path, target)


@contextmanager
def marking_links(marks: LinkMarks) -> Iterator[None]:
    """page_link gives marks.mark(target) in the block."""
    token = _marking.set(marks)
    try:
        yield
    finally:
        _marking.reset(token)


def page_language(context: Any) -> str:
    """The language of the page being rendered: its article's `lang:`, else the site's `language`."""
    article = context.get("article")
    return getattr(article, "lang", "") or context["config"].language
