"""What the template filters and globals read of the page being rendered besides the values its
templates name: where the page is (links from it are relative to its URL) and its language.

A link made while `recording_links()` is active is also appended to its list, as (target, href):
a teaser rendered once for many pages (render/teasers.py) is reused only on pages from which
every link it made comes out the same.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from newsgen.urls import relative_url, root_relative_url

_recording: ContextVar[list[tuple[str, str]] | None] = ContextVar("newsgen_links", default=None)


def link_from(here: str | None, base_path: str, target: str) -> str:
    """The href of the site URL target on the page at `here`: relative, or under the base path for
    pages (like 404.html) served at any depth (here is None)."""
    return root_relative_url(base_path, target) if here is None else relative_url(here, target)


def page_link(context: Any, target: str) -> str:
    """The href of target on the page whose template context is `context`."""
    href = link_from(context.get("page_url"), context["config"].base_path, target)
    made = _recording.get()
    if made is not None:
        made.append((target, href))
    return href


@contextmanager
def recording_links() -> Iterator[list[tuple[str, str]]]:
    """The links page_link makes in the block, in order."""
    made: list[tuple[str, str]] = []
    token = _recording.set(made)
    try:
        yield made
    finally:
        _recording.reset(token)


def page_language(context: Any) -> str:
    """The language of the page being rendered: its article's `lang:`, else the site's `language`."""
    article = context.get("article")
    return getattr(article, "lang", "") or context["config"].language
