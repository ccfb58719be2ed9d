"""The build: config -> load -> index -> render -> write, read top to bottom."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from newsgen.render.article_pages import ArticleSource
from newsgen.incremental.keys import cache_dir, render_key
from newsgen.incremental.store import open_store
from newsgen.index.related import cached_related
from newsgen.config import SiteConfig, settings_text
from newsgen.render.feeds import render_feeds
from newsgen.index.site import index_site
from newsgen.content.load import SourceScan, load_article_records, scan_sources, walk_files
from newsgen.incremental.detector import load_page_memo, memo_state, reads_the_clock
from newsgen.model import KeptPage, Page
from newsgen.render.environment import builtin_templates_dir, make_environment, render_site
from newsgen.write.search import index_search
from newsgen.render.sitemaps import NEWS_WINDOW, news_articles, with_sitemaps
from newsgen.write.publish import Manifest, check_output_folder, make_output_parent, read_manifest, write_site


@dataclass(frozen=True)
class BuildReport:
    articles: int
    pages_written: int
    seconds: float
    output_dir: Path
    warnings: tuple[str, ...] = field(default=())
    skipped_drafts: int = 0
    skipped_future: int = 0
    # --- imports (issue 6) ---
    files_read: int = 0
    notices: tuple[str, ...] = field(default=())
    """Files passed over on purpose (another generator's pages), one line each."""
    skipped_invalid: tuple[str, ...] = field(default=())
    """`path:line: message` of each invalid article left out under `skip_invalid`."""
    pages_unchanged: int = 0
    """Output files whose bytes were the same in the previous output (kept as they were)."""
    pages_deleted: int = 0
    """Output files removed because no page produces them any more."""
    nothing_changed: bool = False
    """No input changed since the previous build into this output: nothing was indexed or rendered."""


Progress = Callable[[str, int, "int | None"], None]
"""Called as progress(stage, done, expected) while a build runs; expected may be None."""


def site_static_files(static_dir: Path, follow_symlinks: bool = False, notices: list[str] | None = None,
                      site_dir: Path | None = None) -> Iterator[Page]:
    """The site's own `static/` folder, copied to the output root as it is."""
    if not static_dir.is_dir():
        return
    for path in walk_files(static_dir, follow_symlinks, notices if notices is not None else [], site_dir):
        yield Page(path.relative_to(static_dir).as_posix(), path.read_bytes())


def default_executor(config: SiteConfig) -> Executor | None:
    """One worker process per core, all started now, while this process is still small (a
    worker started later would be forked from a process holding the whole site)."""
    workers = config.workers or os.cpu_count() or 1
    if workers <= 1:
        return None
    pool = ProcessPoolExecutor(max_workers=workers)
    for started in [pool.submit(os.getpid) for _ in range(workers)]:
        started.result()
    return pool


def build(config: SiteConfig, executor: Executor | None = None, progress: Progress | None = None, *,
          clean: bool = False) -> BuildReport:
    """Build the whole site into config.output_path. Raises NewsgenError on any input problem,
    leaving the previous output untouched. `progress`, if given, hears of each stage and page.
    Parsed articles and the output's manifest are kept in `.newsgen-cache/`; clean=True ignores
    them (and rewrites them)."""
    started = time.perf_counter()
    output = config.output_path
    if progress:
        progress("load", 0, None)
    check_output_folder(output, [config.site_dir, config.content_path, config.templates_path,
                                 config.static_path], config.content_path)
    make_output_parent(output)
    store = open_store(config)
    manifest = read_manifest(manifest_path(config), output)
    if clean:
        manifest = Manifest(manifest.path, {})
    root = str(output)
    present = {path: digest for path, digest in manifest.digests.items() if os.path.isfile(os.path.join(root, path))}
    if len(present) < len(manifest.digests):  # removed by hand since: rendered again, not kept
        manifest = dataclasses.replace(manifest, digests=present, extra={**manifest.extra, "whole": None})
    scan = scan_sources(config)
    templates_key = render_key(config, [config.templates_path, builtin_templates_dir()])
    inputs = _whole_inputs(config, scan, templates_key)
    if not clean and (report := _unchanged_build(config, manifest, inputs, started)) is not None:
        return report
    owned = executor is None
    pool = default_executor(config) if owned else executor
    with pool if owned and pool is not None else nullcontext():
        loaded, files = load_article_records(config, pool, store, trust=not clean, scan=scan)
        if progress:
            progress("index", 0, None)
        site = index_site(loaded.articles, config, relate=cached_related(cache_dir(config), trust=not clean))
        env = make_environment(config)
        memo = load_page_memo(config, site, files.keys, manifest.extra if manifest.trusted else {}, manifest.digests,
                              templates_key)
        env.extend(newsgen_memo=memo, newsgen_executor=pool, newsgen_shipped=[],
                   newsgen_ship_dir=cache_dir(config) / "shipped" if pool is not None else None,
                   newsgen_articles=ArticleSource(store, files.keys, files.files))
        static_notices: list[str] = []
        pages = with_sitemaps(_all_pages(render_site(site, env), render_feeds(site, env),
                                         site_static_files(config.static_path, config.follow_symlinks, static_notices,
                                                           config.site_dir)), site, env)
        if progress:
            pages = _reporting(pages, progress, _expected_pages(site))
        search = functools.partial(index_search, cache_dir=cache_dir(config) / "search")
        try:
            written = write_site(pages, output, manifest, finish=search if config.search else None,
                                 extra=lambda digests: {**memo_state(memo, digests),
                                                        "whole": _whole_state(inputs, config, site, loaded, memo)})
        finally:
            for path in env.newsgen_shipped:  # type: ignore[attr-defined]
                path.unlink(missing_ok=True)
    store.prune(files.keys.values())
    return BuildReport(
        articles=len(site.articles),
        pages_written=written.pages_written,
        seconds=time.perf_counter() - started,
        output_dir=output,
        warnings=tuple(loaded.warnings) + site.notices + tuple(static_notices),
        skipped_drafts=loaded.skipped_drafts,
        skipped_future=loaded.skipped_future,
        files_read=loaded.files_read,
        notices=tuple(loaded.notices),
        skipped_invalid=tuple(loaded.skipped_invalid),
        pages_unchanged=written.pages_unchanged,
        pages_deleted=written.pages_deleted,
    )


def _whole_inputs(config: SiteConfig, scan: SourceScan, templates_key: str) -> str:
    """A hash of every input of the build but the clock: newsgen and the templates, the config,
    each article file's cache key, and the name, size, times and inode of each file in `static/`."""
    digest = hashlib.blake2b(templates_key.encode(), digest_size=16)
    digest.update(settings_text(config).encode())
    for (_, shown), (key, failed) in zip(scan.items, scan.keys):
        digest.update(f"{shown}\0{key or failed}\n".encode("utf-8", "surrogateescape"))
    for path in walk_files(config.static_path, config.follow_symlinks, [], config.site_dir) if config.static_path.is_dir() else ():
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _whole_state(inputs: str, config: SiteConfig, site, loaded, memo) -> dict:
    """What the next build needs to see that nothing changed, and to report as this one did.
    The output depends on the clock through future articles (they appear when their time comes)
    and the news sitemap (an article leaves it two days after its date): such a build stays
    valid from this build's time until the first of those moments. A page that shows the build
    time itself makes it valid at this build's time only."""
    traces = [trace for _, trace in memo.recorded.values()]
    moments = [article.published + NEWS_WINDOW for article in news_articles(site)]
    if loaded.next_publication is not None:
        moments.append(loaded.next_publication)
    exact = reads_the_clock(traces)
    return {"inputs": inputs, "from": config.now.isoformat(), "exact": exact,
            "until": min(moments).isoformat() if moments else None, "articles": len(site.articles),
            "warnings": list(loaded.warnings) + list(site.notices), "skipped_drafts": loaded.skipped_drafts,
            "skipped_future": loaded.skipped_future, "files_read": loaded.files_read, "notices": list(loaded.notices),
            "skipped_invalid": list(loaded.skipped_invalid)}


def _valid_now(state: dict, now: datetime) -> bool:
    """Whether a build at `now` gives what the build that left `state` gave (see _whole_state)."""
    since = datetime.fromisoformat(state["from"])
    if state["exact"]:
        return now == since
    until = state["until"]
    return since <= now and (until is None or now < datetime.fromisoformat(until))


def _unchanged_build(config: SiteConfig, manifest: Manifest, inputs: str, started: float) -> BuildReport | None:
    """The report of a build with nothing to do: every input as in the previous build (see
    _whole_state), and every file that build wrote still in the output (`manifest` lists only
    those). None otherwise."""
    state = manifest.extra.get("whole") if manifest.trusted else None
    if not isinstance(state, dict) or state.get("inputs") != inputs:
        return None
    output = config.output_path
    try:
        if not _valid_now(state, config.now):
            return None
        return BuildReport(
            articles=int(state["articles"]), pages_written=0, seconds=time.perf_counter() - started,
            output_dir=output, warnings=tuple(map(str, state["warnings"])),
            skipped_drafts=int(state["skipped_drafts"]), skipped_future=int(state["skipped_future"]),
            files_read=int(state["files_read"]), notices=tuple(map(str, state["notices"])),
            skipped_invalid=tuple(map(str, state["skipped_invalid"])), pages_unchanged=len(manifest.digests),
            nothing_changed=True)
    except (KeyError, TypeError, ValueError):
        return None


def manifest_path(config: SiteConfig) -> Path:
    """The manifest of this output folder, in the site's cache."""
    name = hashlib.sha1(str(config.output_path.resolve()).encode()).hexdigest()[:16]
    return cache_dir(config) / "outputs" / f"{name}.json"


def _all_pages(*streams: Iterator[Page | KeptPage]) -> Iterator[Page | KeptPage]:
    for stream in streams:
        yield from stream


def _reporting(pages: Iterator[Page], progress: Progress, expected: int) -> Iterator[Page]:
    done = 0
    for done, page in enumerate(pages, 1):
        progress("write", done, max(expected, done))
        yield page
    progress("write", done, done)


def _expected_pages(site) -> int:
    """About how many pages render_site yields (for a progress bar, not a promise)."""
    config = site.config
    listings = [len(l.pages(config.archive_page_size)) for l in site.tags + site.sections + site.authors]
    archives = [len(a.listing.pages(config.archive_page_size)) for a in site.archives]
    return len(site.articles) + len(site.front.pages(config.page_size)) + sum(listings) + sum(archives) + 8
