"""Load every article file the scan found (scan.py) into Article records, collecting every error:
each file's parse is taken from the article store when it holds one for the file's key, else
parsed (in worker processes when the build has them) and stored."""

from __future__ import annotations

import dataclasses
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from newsgen.cluster import shares_files
from newsgen.incremental.store import ArticleStore
from newsgen.content.collect import (build_item_articles, distinct_derived_urls, distinct_urls_across_files,
                                     read_source_items)
from newsgen.config import SiteConfig
from newsgen.errors import BuildFailed, SourceError, display_path
from newsgen.content.layouts import Neighbours, place_file, resolve_layout
from newsgen.content.scan import ARTICLE_SUFFIXES, SourceScan, neighbours_on_disk, scan_sources
from newsgen.model import Article, ArticleFiles, FileResult, LoadedContent, replaced
from newsgen.urls import url_collisions

PARALLEL_THRESHOLD = 64


def parse_article_file(path: Path, config: SiteConfig, shown: str | None = None,
                       neighbours: Neighbours | None = None, data: bytes | None = None) -> FileResult:
    """Read, decode and parse one file into its articles (many for a bulk export). Pure apart from
    reading the file; safe in a worker process. `shown` is the path as messages show it, if the
    caller has it (display_path resolves the path: two system calls per file). `neighbours` is
    what the scan found about the file's neighbours; without it they are looked up on disk.
    With `data` (the file's bytes), `shown` and `neighbours`, it reads nothing from disk."""
    shown = shown or display_path(path, config.site_dir)
    placement = place_file(path, config.content_path, config.content_layout, ARTICLE_SUFFIXES)
    if not placement.read:
        return FileResult(None, notices=(f"{shown}: {placement.notice}",))
    if neighbours is None:
        neighbours = neighbours_on_disk(path, config)
    read = read_source_items(path, config.content_path, config, shown, placement, neighbours, data)
    built, errors, warnings = build_item_articles(read, config)
    articles = tuple(article for _, article in built)
    return FileResult(articles[0] if articles else None, tuple(errors), read.warnings + tuple(warnings), articles,
                      read.notices)


def _batches(items: list, executor: Executor | None) -> list[list]:
    if executor is None or len(items) < PARALLEL_THRESHOLD:
        return [items]
    size = max(16, len(items) // 64)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _collect(results: list[FileResult], notices: list[str], config: SiteConfig, now: datetime,
             files: ArticleFiles) -> LoadedContent:
    file_errors = [e for r in results for e in r.errors]
    loaded = LoadedContent([], warnings=notices + [w for r in results for w in r.warnings], files_read=len(results),
                           notices=[n for r in results for n in r.notices],
                           skipped_invalid=[str(e) for e in file_errors] if config.skip_invalid else [], files=files)
    articles = [a for result in results for a in result.articles]
    if config.content_layout != "newsgen":  # another generator's tree builds as it is (collect.py)
        articles, url_warnings = distinct_urls_across_files(articles, config)
    else:
        articles, url_warnings = distinct_derived_urls(articles, config)
    loaded.warnings += url_warnings
    for article in articles:
        if article.draft and not config.drafts:
            loaded.skipped_drafts += 1
            loaded.left_out.append(f"{article.source}: draft, dated {_utc(article)}; left out (--drafts builds it)")
        elif article.published > now and not config.future:
            loaded.skipped_future += 1
            loaded.left_out.append(f"{article.source}: future article, dated {_utc(article)}; "
                                   "it appears in the first build from then on")
            if loaded.next_publication is None or article.published < loaded.next_publication:
                loaded.next_publication = article.published
        else:
            loaded.articles.append(article)
    errors = [] if config.skip_invalid else [str(e) for e in file_errors]
    errors += url_collisions((a.url, a.url_source) for a in loaded.articles)
    if errors:
        raise BuildFailed(errors, loaded.warnings)
    return loaded


def _utc(article: Article) -> str:
    return article.published.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class CachedResult:
    """A loader result as the parent keeps it: the articles without their bodies, and the cache
    key under which the whole record (bodies included) is stored."""

    result: FileResult
    key: str


def without_body(result: FileResult) -> FileResult:
    if not result.articles and result.article is None:
        return result
    bare = tuple(replaced(article, body_html="") for article in result.articles)
    if bare:
        first = bare[0]
    else:
        first = replaced(result.article, body_html="") if result.article is not None else None
    return dataclasses.replace(result, article=first, articles=bare)


def parse_file_again(path: Path, config: SiteConfig) -> FileResult:
    """parse_article_file for a file whose cache entry is gone (the content layout resolved first,
    the file's neighbours looked up on disk)."""
    layout = resolve_layout(config.content_path, config.content_layout)
    return parse_article_file(path, dataclasses.replace(config, content_layout=layout))


def _parse_and_store(items: list[tuple[str, str, Neighbours, str]], config: SiteConfig,
                     store: ArticleStore | None) -> list[CachedResult]:
    """Worker side, on this machine: parse each file; with a store, store the whole record and
    return it without its bodies."""
    # Without follow_symlinks no file is reached through a linked folder, so the scan's
    # shown path is what display_path would give (with it, a file's source is its target's).
    parsed = [CachedResult(parse_article_file(Path(path), config, None if config.follow_symlinks else shown,
                                              neighbours), key)
              for path, shown, neighbours, key in items]
    return _store_parsed(parsed, store)


def _with_bytes(items: list[tuple[str, str, Neighbours, str]]) -> list[tuple[str, str, Neighbours, str, bytes | str]]:
    """The items with each file's bytes, for workers that do not see the site folder, or why the
    file cannot be read."""
    out: list[tuple[str, str, Neighbours, str, bytes | str]] = []
    for path, shown, neighbours, key in items:
        try:
            out.append((path, shown, neighbours, key, Path(path).read_bytes()))
        except OSError as exc:
            out.append((path, shown, neighbours, key, f"cannot read: {exc.strerror}"))
    return out


def _parse_sent(items: list[tuple[str, str, Neighbours, str, bytes | str]], config: SiteConfig) -> list[CachedResult]:
    """Worker side, on any machine: parse each file from the bytes sent with it."""
    return [CachedResult(parse_article_file(Path(path), config, shown, neighbours, data) if isinstance(data, bytes)
                         else FileResult(None, (SourceError(shown, 0, data),)), key)
            for path, shown, neighbours, key, data in items]


def _store_parsed(parsed: list[CachedResult], store: ArticleStore | None) -> list[CachedResult]:
    """With a store: each whole record stored, and returned without its bodies."""
    if store is None:
        return parsed
    fresh = {record.key: (record.result, without_body(record.result)) for record in parsed if not record.result.errors}
    store.put_many(fresh)
    return [CachedResult(fresh[record.key][1] if record.key in fresh else without_body(record.result), record.key)
            for record in parsed]


def load_articles(config: SiteConfig, now: datetime, executor: Executor | None = None,
                  store: ArticleStore | None = None, *, trust: bool = True, scan: SourceScan | None = None,
                  remembered: dict[str, FileResult] | None = None) -> LoadedContent:
    """Every article under the content folder published by `now`. Raises BuildFailed listing
    every error. With a store, files whose parse it holds are not parsed again, and articles come
    without their bodies (the worker that renders an article's page fetches its body from the
    store); trust=False (`--clean`) parses every file again and replaces its entry. Without one,
    every file is parsed and articles carry their bodies. `scan` is scan_sources(config), if the
    caller has it already. `remembered` holds the stubs of the previous build by cache key, for a
    caller that builds again and again in one process (`newsgen serve`): those are not read from
    the store again, and it is left holding this build's (a key names one parse, so an entry
    never goes stale)."""
    scan = scan or scan_sources(config)
    config, items, notices = scan.config, scan.items, scan.notices
    records: list[CachedResult | None] = [CachedResult(failed, key) if failed else CachedResult(FileResult(None), key)
                                          for key, failed in scan.keys]
    keep = remembered if trust and store is not None else None
    wanted = [r.key for r in records if r.key]
    cached = {key: keep[key] for key in wanted if key in keep} if keep is not None else {}
    if trust and store is not None:
        cached.update(store.get_many([key for key in wanted if key not in cached], stubs=True))
    missing = []
    for number, record in enumerate(records):
        if record is not None and record.key:
            if record.key in cached:
                records[number] = CachedResult(cached[record.key], record.key)
            else:
                missing.append((number, record.key))
                records[number] = None
    batches = _batches([(*items[number], scan.neighbours[number], key) for number, key in missing], executor)
    if executor is not None and len(batches) > 1 and not shares_files(executor):
        chunks = (_store_parsed(results, store) for results in
                  executor.map(_parse_sent, map(_with_bytes, batches), *zip(*[(config,)] * len(batches))))
    elif executor is not None and len(batches) > 1:
        chunks = executor.map(_parse_and_store, batches, *zip(*[(config, store)] * len(batches)))
    else:
        chunks = (_parse_and_store(batch, config, store) for batch in batches)
    for (number, _), record in zip(missing, (record for chunk in chunks for record in chunk)):
        records[number] = record
    done = [r for r in records if r is not None]
    if keep is not None:
        keep.clear()
        keep.update((r.key, r.result) for r in done if r.key and not r.result.errors)
    found = [(article.source, r.key, path) for r, (path, _) in zip(done, items) for article in r.result.articles]
    files = ArticleFiles({source: key for source, key, _ in found}, {source: path for source, _, path in found})
    return _collect([r.result for r in done], notices, config, now, files)
