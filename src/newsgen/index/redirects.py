"""Redirects: old URLs that lead readers to the current URL of an article or page.

An article or page lists its old paths in `aliases:`; each becomes a redirect. An alias that is
already another output file (an article, a page, a listing page, a static file, a file newsgen
writes) or another file's alias is an error naming both.

The site's URL history (`newsgen-urls.txt` at the site root, one `source<TAB>/url/` line per URL
ever published, sorted) is an input of the build like the articles: every earlier URL of an
article or page that is still published redirects to its current URL, unless a page or an alias
now holds it. `newsgen build` writes the history back after a successful build (stages.py),
adding the current URLs and dropping the sources whose file is gone.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from newsgen.errors import BuildFailed, describe
from newsgen.model import Listing, Redirect, Site
from newsgen.urls import alias_url, output_path, slugify, term_url

HISTORY_FILE = "newsgen-urls.txt"
HISTORY_HEADER = ("# Every URL newsgen build has published, one 'source<TAB>URL' a line. Commit this file: the\n"
                  "# earlier URLs of an article or page redirect to its current one, in every build.\n")

UrlHistory = Mapping[str, tuple[str, ...]]
"""Source (an Article's identity, a page's source) -> the site URLs it was published at, sorted."""

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


def parse_url_history(text: str, shown: str) -> dict[str, tuple[str, ...]]:
    """The history file's entries; BuildFailed naming every line that is not `source<TAB>/url`."""
    history: dict[str, set[str]] = {}
    errors = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        source, tab, url = line.partition("\t")
        site_url = alias_url(url) if tab and source else None
        if site_url is None:
            errors.append(f"{shown}:{number}: expected 'source<TAB>/url/', not {describe(line)}")
            continue
        history.setdefault(source, set()).add(site_url)
    if errors:
        raise BuildFailed(errors)
    return {source: tuple(sorted(urls)) for source, urls in history.items()}


def format_url_history(history: UrlHistory) -> str:
    lines = sorted(f"{source}\t/{url}\n" for source, urls in history.items() for url in urls)
    return HISTORY_HEADER + "".join(lines)


def moved_redirects(history: UrlHistory, current: Iterable[tuple[str, str, str]],
                    claimed: Iterable[str]) -> tuple[list[Redirect], list[str]]:
    """A redirect from each earlier URL of every (identity, source, url) still published to its
    URL, unless an output file (`claimed`, output paths) or an earlier redirect holds it; and a
    line for each URL that changed since the history was written."""
    taken = set(claimed)
    redirects, changes = [], []
    for identity, source, url in sorted(current):
        known = history.get(identity, ())
        for old in known:
            path = output_path(old)
            if old == url or path in taken:
                continue
            taken.add(path)
            redirects.append(Redirect(old, url, source))
            if url not in known:
                changes.append(f"{source}: URL changed from /{old} to /{url}; /{old} now redirects there")
    return redirects, changes


def term_redirects(listings: Iterable[Listing], page_size: int, claimed: Iterable[str]) -> list[Redirect]:
    """With `slug_script: ascii`, a redirect from the URL each tag, section or author listing has
    with `unicode` slugs (`tags/αθηνα/`, and its numbered pages) to its URL, where the two differ,
    unless an output file (`claimed`, output paths) holds it: listings of names in other scripts
    keep the URLs they had before slugs were transliterated."""
    taken = set(claimed)
    redirects = []
    for listing in listings:
        term = listing.term
        if term is None:
            continue
        home = listing.url[:len(listing.url) - len(term_url(term.kind, term.slug))]  # a language's prefix
        old = home + term_url(term.kind, slugify(term.name, term.kind, "unicode"))
        if old == listing.url:
            continue
        for page in listing.pages(page_size):
            url = old + page.url[len(listing.url):]
            if output_path(url) not in taken:
                taken.add(output_path(url))
                redirects.append(Redirect(url, page.url, f"the {term.kind} {term.name}"))
    return redirects


def published_urls(site: Site) -> list[tuple[str, str]]:
    """(identity, URL) of every article and page this build publishes, taken-down ones included."""
    return [(a.identity, a.url) for a in (*site.every_article, *site.takedowns)] + [(p.source, p.url) for p in site.pages]


def next_url_history(history: UrlHistory, current: Iterable[tuple[str, str]],
                     files: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """The history after this build: every (identity, url) published now added, and the sources
    whose file is not among `files` (as shown) dropped, with a line naming each of their URLs that
    nothing publishes any more (a file renamed with its URL unchanged loses none)."""
    updated = {identity: set(urls) for identity, urls in history.items()}
    published = set()
    for identity, url in current:
        updated.setdefault(identity, set()).add(url)
        published.add(url)
    present = set(files)
    gone = []
    for identity in sorted(updated):
        if _file_of(identity) not in present:
            urls = updated.pop(identity) - published
            gone += [f"{identity}: deleted; its URL /{url} is no longer published (no redirect)" for url in sorted(urls)]
    return {identity: tuple(sorted(urls)) for identity, urls in updated.items()}, gone


def _file_of(identity: str) -> str:
    """The file of an identity: `content/a.md`, `content/w.jsonl#id` or `content/w.jsonl:12`."""
    file = identity.partition("#")[0]
    head, _, line = file.rpartition(":")
    return head if head and line.isdigit() else file
