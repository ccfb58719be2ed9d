"""Redirects: old URLs that lead readers to the current URL of an article or page.

An article or page lists its old paths in `aliases:`; each becomes a redirect. An alias that is
already another output file (an article, a page, a listing page, a static file, a file newsgen
writes) or another file's alias is an error naming both.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from newsgen.errors import BuildFailed
from newsgen.model import Redirect
from newsgen.urls import output_path

GENERATED_FILES = ("404.html", "feed.xml", "rss.xml", "sitemap.xml", "news-sitemap.xml", "robots.txt", "_redirects")
"""Files at the output root that newsgen writes besides the pages."""


def alias_redirects(owners: Iterable[tuple[str, str, tuple[str, ...]]], claimed: Mapping[str, str]) -> list[Redirect]:
    """A redirect per alias of each (source, url, aliases), by source path. `claimed` names what
    each output path already holds (a file as shown, or `the tag index page`)."""
    errors = []
    taken: dict[str, str] = {}
    redirects = []
    for source, url, aliases in sorted(owners):
        for alias in aliases:
            path = output_path(alias)
            if path in claimed:
                errors.append(f"{source}: alias /{alias} is already {claimed[path]}; remove it from 'aliases'")
            elif path in taken:
                errors.append(f"{source}: alias /{alias} is also an alias in {taken[path]}; keep it in one file")
            else:
                taken[path] = source
                redirects.append(Redirect(alias, url, source))
    if errors:
        raise BuildFailed(errors)
    return redirects
