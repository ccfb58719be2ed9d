"""The build, stage by stage: config -> load -> index -> render -> write.

    scan_sources            content/   find the article files, key each one's bytes
    load_articles           content/   parse the files the article store lacks
    index_site              index/     listings, archives, calendars, related stories
    render_site, feeds...   render/    page jobs; unchanged ones are kept (incremental/)
    write_site              write/     stage the new site, index it for search, swap it in

A build with nothing to do stops after the scan: when every input is as in the previous build
into the same output folder (incremental/detector.py), its output and report stand.
"""

from __future__ import annotations

import hashlib
import os
import resource
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any, Callable, Iterator

from newsgen.cluster import shares_files
from newsgen.config import SiteConfig, reference_time
from newsgen.errors import NewsgenError
from newsgen.content.autotag import caseless_notice
from newsgen.content.load import SourceScan, StaticFiles, find_static_files, load_articles, scan_sources
from newsgen.content.pages import PageSource, parse_pages, read_page_sources
from newsgen.incremental.detector import BuildInputs, ChangeDetector, Fingerprints, previous_page_keys
from newsgen.incremental.keys import cache_dir, manifest_path, package_fingerprint, render_key
from newsgen.incremental.stats import file_stats_path, read_known_files, save_known_files
from newsgen.incremental.store import open_store
from newsgen.index.redirects import HISTORY_FILE, format_url_history, next_url_history, parse_url_history, published_urls
from newsgen.index.related import cached_related
from newsgen.index.site import index_site
from newsgen.model import BuildReport, FileResult, KeptPage, LoadedContent, Page, Site
from newsgen.pictures.paths import bundle_stats
from newsgen.pictures.stage import PictureStage, picture_pages, prepare_pictures
from newsgen.render.environment import builtin_templates_dir, make_environment, read_theme_files
from newsgen.render.translations import SITE_FOLDER as SITE_TRANSLATIONS, builtin_translations_dir
from newsgen.render.feeds import render_feeds
from newsgen.render.jobs import ArticleBodies, PageCosts, RenderContext
from newsgen.render.redirects import redirects_written, render_redirects
from newsgen.render.site import render_site, render_takedowns, theme_assets
from newsgen.render.sitemaps import NEWS_WINDOW, news_articles, with_sitemaps
from newsgen.shipping import FolderShipping, Shipping, ship
from newsgen.write.publish import (Manifest, check_output_folder, make_output_parent, read_manifest, write_atomic,
                                   write_site)
from newsgen.write.search import (SEARCH_BODIES_FILE, SearchOutcome, SearchPlan, index_search, plan_search,
                                  read_body_digests, save_body_digests)

Progress = Callable[[str, int, "int | None"], None]
"""Called as progress(stage, done, expected) while a build runs; expected may be None."""


def build(config: SiteConfig, now: datetime | None = None, executor: Executor | None = None,
          progress: Progress | None = None, *, clean: bool = False, record_urls: bool = False,
          remembered: dict[str, FileResult] | None = None,
          retire: Callable[[Path], None] | None = None) -> BuildReport:
    """Build the site into config.output_path as it stands at `now` (the build time; default
    SOURCE_DATE_EPOCH, else the clock). Raises NewsgenError on any input problem, leaving the
    previous output untouched. Parsed articles and what the previous build wrote are kept in
    `.newsgen-cache/`; clean=True ignores them (and rewrites them). The site's URL history
    (newsgen-urls.txt) is read always and, with record_urls=True (`newsgen build`), written back
    after a successful build when it changed. `remembered`, given by a caller that builds
    again and again in one process (`newsgen serve`), keeps the parsed articles between builds
    (see load_articles); `retire`, given by such a caller, receives the folder holding the
    previous site once the new one is in place, to remove after telling its readers (see
    write_site; by default it is removed at once)."""
    started = time.perf_counter()
    now = now or reference_time()
    output = config.output_path
    _say(progress, "load")
    manifest, complete = _previous_output(config, clean)
    scan = _scan(config, clean)
    page_sources = read_page_sources(config)
    static = find_static_files(config)
    history_path = config.site_dir / HISTORY_FILE
    history_bytes = _read_history(history_path)
    sources_digest = _inputs_digest(config, scan, page_sources, static)
    inputs = _with_history(sources_digest, history_bytes)
    if complete and (report := _unchanged_build(manifest, inputs, now, config, started)) is not None:
        return report

    with _worker_pool(config, executor) as pool:
        store = open_store(config)
        history = parse_url_history(history_bytes.decode("utf-8", "replace"), HISTORY_FILE) if history_bytes else {}
        loaded = load_articles(config, now, pool, store, trust=not clean, scan=scan, remembered=remembered)
        files = loaded.files
        pictures = prepare_pictures(loaded.articles, config, files.files, static.names, cache_dir(config), pool)
        loaded = replace(loaded, articles=pictures.articles, warnings=loaded.warnings + pictures.warnings)
        _say(progress, "index")
        site = index_site(loaded.articles, config, relate=cached_related(cache_dir(config), trust=not clean),
                          pages=parse_pages(page_sources, config), static_files=static.names,
                          history=history)
        next_history, gone = next_url_history(history, published_urls(site),
                                              [shown for _, shown in scan.items] + [p.shown for p in page_sources])
        history_update = _history_update(history_bytes, next_history) if record_urls else None
        recorded_inputs = inputs if history_update is None else _with_history(sources_digest, history_update)
        shipping: Shipping | None = None
        theme = None
        if pool is not None and not shares_files(pool):
            shipping, theme = pool, ship(read_theme_files(config), pool)  # type: ignore[assignment]
        elif pool is not None:
            shipping = FolderShipping(cache_dir(config) / "shipped")
        detector = ChangeDetector(_code_and_settings(config), Fingerprints(files.keys),
                                  previous_page_keys(manifest.extra.get("pages"), manifest.digests))
        bodies = ArticleBodies(store, files.keys, files.files)
        digests_path = cache_dir(config) / SEARCH_BODIES_FILE
        known_bodies = {} if clean or not config.search else read_body_digests(digests_path)
        search_plans = [plan_search(tree.articles, tree.config, bodies, known_bodies, tree.home)
                        for tree in site.language_sites] if config.search else []
        ctx = RenderContext(config, now, make_environment(config, theme), detector, pool, bodies, shipping, theme,
                            {plan_site.config.language: plan.keys for plan_site, plan in zip(site.language_sites, search_plans)})
        static_notices: list[str] = []
        searched: list[SearchOutcome] = []
        pages = _site_pages(site, ctx, static, static_notices, pictures)

        def findings() -> dict[str, Any]:  # complete once the pages are consumed (static notices)
            return _findings(loaded, site, static_notices, config)

        try:
            written = write_site(
                _reporting(pages, progress, _expected_pages(site)), output, manifest,
                finish=_search_indexer(list(zip(site.language_sites, search_plans)), bodies, clean, manifest.trusted,
                                       searched,
                                       own_pool=pool if executor is None else None, costs=ctx.costs),
                extra=lambda digests: {"pages": detector.state(digests),
                                       "build": {**BuildInputs(recorded_inputs, now, _next_change(site, loaded, now)).saved(),
                                                 "findings": findings()}},
                retire=retire)
        finally:
            if shipping is not None:
                shipping.remove()
    store.prune(files.keys.values())
    if search_plans:
        save_body_digests(digests_path, {name: digest for plan in search_plans for name, digest in plan.body_digests.items()})
    if history_update is not None:
        write_atomic(history_path, history_update)
    found = findings()  # a URL changes or goes once: not said again by a build with nothing to do
    search_warnings = tuple(chain.from_iterable(outcome.warnings for outcome in searched))
    found.update(warnings=found["warnings"] + tuple(gone) + search_warnings,
                 notices=found["notices"] + site.url_changes)
    return BuildReport(**found, pages_written=written.pages_written, pages_unchanged=written.pages_unchanged,
                       pages_deleted=written.pages_deleted, pictures_resized=pictures.resized,
                       seconds=time.perf_counter() - started, output_dir=output,
                       search_shards_indexed=sum(outcome.indexed for outcome in searched),
                       search_shards_reused=sum(outcome.reused for outcome in searched),
                       page_costs=ctx.costs.table())


def _search_indexer(plans: list[tuple[Site, SearchPlan]], bodies: ArticleBodies, clean: bool,
                    live_trusted: bool, outcomes: list[SearchOutcome],
                    own_pool: Executor | None, costs: PageCosts) -> Callable[[Path, dict[str, str]], None] | None:
    """The writer's last step before the swap: the search index of each language (index_search,
    with its language's Site's configuration) into the staged site, each outcome appended to
    `outcomes`; unchanged shards are linked from the live site when the writer trusts it (and not
    with `--clean`). The build's own worker pool, idle once every page is written, is shut down
    first, so its processes' memory is not held beside Pagefind's. None with search off or no
    articles to index."""
    plans = [(tree, plan) for tree, plan in plans if plan.shards]
    if not plans:
        return None
    config = plans[0][0].config
    live = config.output_path if live_trusted and not clean else None
    every_key = frozenset(key for _, plan in plans for key in plan.keys)

    def finish(folder: Path, digests: dict[str, str]) -> None:
        if own_pool is not None:
            own_pool.shutdown()
        for number, (tree, plan) in enumerate(plans):
            started = _cpu_seconds()
            outcomes.append(index_search(folder, plan, cache_dir(config) / "search", tree.config, bodies,
                                         fresh=clean and number == 0, live=live, also_used=every_key))
            costs.add("search index", _cpu_seconds() - started, outcomes[-1].indexed)

    return finish


def _cpu_seconds() -> float:
    """CPU time of this process and of its child processes that have ended (Pagefind)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def check_chosen_output(config: SiteConfig) -> None:
    """Refuse an output folder, as the user chose it (`-o`, `output_dir`), that is, or lies inside,
    the site's cache folder (build() accepts one there: the preview server builds into it)."""
    check_output_folder(config.output_path, (), {"cache": cache_dir(config)}, recorded=True)


def _findings(loaded: LoadedContent, site: Site, static_notices: list[str], config: SiteConfig) -> dict[str, Any]:
    """What a build found in its input, as its report states it: assembled here only, so that a
    build with nothing to do reports exactly what the build it stands on reported."""
    return {"articles": len(site.every_article), "warnings": tuple(loaded.warnings) + site.notices + tuple(static_notices),
            "skipped_drafts": loaded.skipped_drafts, "skipped_future": loaded.skipped_future,
            "left_out": tuple(loaded.left_out),
            "files_read": loaded.files_read,
            "notices": tuple(loaded.notices) + caseless_notice(site.every_article, config),
            "skipped_invalid": tuple(loaded.skipped_invalid)}


def _site_pages(site: Site, ctx: RenderContext, static: StaticFiles, static_notices: list[str],
                pictures: PictureStage) -> Iterator[Page | KeptPage]:
    """Every file of the output: pages, theme files, feeds, the site's static files, the pictures
    (of article folders, and resized) and the sitemaps listing them; then the notices of articles taken down and the redirects, which no
    sitemap lists."""
    listed = chain(render_site(site, ctx), theme_assets(ctx.config, static_notices), render_feeds(site, ctx),
                   static.pages(static_notices, redirects_written(site)), picture_pages(pictures))
    return chain(with_sitemaps(listed, site, ctx), render_takedowns(site, ctx), render_redirects(site, ctx))


def _previous_output(config: SiteConfig, clean: bool) -> tuple[Manifest, bool]:
    """Check the output folder (see check_output_folder) and read what the previous build left in
    it, as its manifest says (nothing with clean=True), less the files removed by hand since
    (they are rendered again); and whether none were."""
    output = config.output_path
    manifest = read_manifest(manifest_path(config), output)
    check_output_folder(output, [config.site_dir, config.content_path, config.templates_path, config.static_path,
                                 config.pages_path],
                        {"content": config.content_path, "templates": config.templates_path,
                         "static": config.static_path, "pages": config.pages_path}, manifest.root is not None)
    make_output_parent(output)
    if clean:
        return Manifest(manifest.path, {}), False
    root = str(config.output_path)
    present = {path: digest for path, digest in manifest.digests.items() if os.path.isfile(os.path.join(root, path))}
    return replace(manifest, digests=present), len(present) == len(manifest.digests)


def _scan(config: SiteConfig, clean: bool) -> SourceScan:
    """scan_sources, reading only the article files whose stats changed since the previous scan
    (every file with clean=True), and recording what it found for the next."""
    path = file_stats_path(config)
    known = None if clean else read_known_files(path)
    scan = scan_sources(config, known)
    if known is None or scan.files_hashed or scan.known.files != known.files:
        save_known_files(path, scan.known)
    return scan


def _inputs_digest(config: SiteConfig, scan: SourceScan, page_sources: list[PageSource], static: StaticFiles) -> str:
    """Every input of the build but the clock, as one digest: newsgen, every template and translation
    catalogue, the settings, each article file's cache key, each page file's bytes, and the name, size,
    times and inode of each static file."""
    theme = [config.templates_path, builtin_templates_dir(), config.site_dir / SITE_TRANSLATIONS, builtin_translations_dir()]
    digest = hashlib.blake2b(render_key(theme).encode(), digest_size=16)
    digest.update(repr(config).encode("utf-8", "surrogateescape"))
    for (_, shown), (key, failed) in zip(scan.items, scan.keys):
        digest.update(f"{shown}\0{key or failed}\n".encode("utf-8", "surrogateescape"))
    for page in page_sources:
        digest.update(f"{page.shown}\0{len(page.data)}\0".encode("utf-8", "surrogateescape") + page.data)
    for folder in (config.templates_path, config.static_path):  # where each is, if a link leads out of the site
        digest.update(f"{config.linked_away(folder)}\n".encode("utf-8", "surrogateescape"))
    for stats in chain(static.stats(), bundle_stats(path for path, _ in scan.items)):
        digest.update(f"{stats}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _read_history(path: Path) -> bytes | None:
    """The URL history file's bytes; None when the site has none."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NewsgenError(f"{HISTORY_FILE}: cannot read: {exc.strerror}") from None


def _with_history(sources_digest: str, history: bytes | None) -> str:
    """The build's inputs: its sources and the site's URL history."""
    return hashlib.blake2b(sources_digest.encode() + b"\0" + (history or b""), digest_size=16).hexdigest()


def _history_update(previous: bytes | None, history: dict[str, tuple[str, ...]]) -> bytes | None:
    """The URL history file's new bytes, or None when it stays as it is (or stays absent, empty)."""
    text = format_url_history(history).encode("utf-8")
    if text == previous or (previous is None and not history):
        return None
    return text


def _unchanged_build(manifest: Manifest, inputs: str, now: datetime, config: SiteConfig,
                     started: float) -> BuildReport | None:
    """The report of a build with nothing to do, or None."""
    saved = manifest.extra.get("build")
    previous = BuildInputs.from_saved(saved) if manifest.trusted else None
    if previous is None or not previous.holds_at(inputs, now):
        return None
    try:
        findings = saved["findings"]
        return BuildReport(
            articles=int(findings["articles"]), warnings=tuple(map(str, findings["warnings"])),
            skipped_drafts=int(findings["skipped_drafts"]), skipped_future=int(findings["skipped_future"]),
            left_out=tuple(map(str, findings["left_out"])),
            files_read=int(findings["files_read"]), notices=tuple(map(str, findings["notices"])),
            skipped_invalid=tuple(map(str, findings["skipped_invalid"])), pages_written=0,
            pages_unchanged=len(manifest.digests), seconds=time.perf_counter() - started,
            output_dir=config.output_path, nothing_changed=True)
    except (KeyError, TypeError, ValueError):
        return None


def _next_change(site: Site, loaded: LoadedContent, now: datetime) -> datetime | None:
    """The first moment after `now` at which this site changes by itself: a future article comes
    due, or an article leaves the news sitemap."""
    moments = [article.published + NEWS_WINDOW for article in news_articles(site, now)
               if article.published < datetime.max.replace(tzinfo=timezone.utc) - NEWS_WINDOW]  # else: after 9999
    if loaded.next_publication is not None:
        moments.append(loaded.next_publication)
    return min(moments, default=None)


def _code_and_settings(config: SiteConfig) -> str:
    """What every page of the build depends on: newsgen and its libraries, and the settings."""
    where_it_runs = replace(config, workers=0, scheduler="")  # the same pages however many workers run them
    return hashlib.blake2b(f"{package_fingerprint()}\n{where_it_runs!r}".encode("utf-8", "surrogateescape"),
                           digest_size=16).hexdigest()


@contextmanager
def _worker_pool(config: SiteConfig, executor: Executor | None) -> Iterator[Executor | None]:
    """The executor given, else one worker process per core (`workers`), all started before the
    build reads anything, while this process is still small (a worker started later would be
    forked from a process holding the whole site), and shut down at the end."""
    if executor is not None:
        yield executor
        return
    workers = config.workers or os.cpu_count() or 1
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for started in [pool.submit(os.getpid) for _ in range(workers)]:
            started.result()
        yield pool


def _say(progress: Progress | None, stage: str) -> None:
    if progress:
        progress(stage, 0, None)


def _reporting(pages: Iterator[Page | KeptPage], progress: Progress | None,
               expected: int) -> Iterator[Page | KeptPage]:
    """Report each page written against the estimate while below it; past it, the count alone
    (no total is shown that the count would pass, nor a full bar before the last page)."""
    if progress is None:
        yield from pages
        return
    done = 0
    for done, page in enumerate(pages, 1):
        progress("write", done, expected if done < expected else None)
        yield page
    progress("write", done, done)


def _expected_pages(site: Site) -> int:
    """About how many pages a build writes (for a progress bar, not a promise): the static files
    are not counted."""
    return sum(_expected_tree_pages(tree) for tree in site.language_sites) + 8


def _expected_tree_pages(site: Site) -> int:
    config = site.config
    terms = site.tags + site.sections + site.authors
    listings = [len(l.pages(config.archive_page_size)) for l in terms]
    archives = [len(a.listing.pages(config.archive_page_size)) for a in site.archives]
    feeds = (1 + len(terms)) * (2 if config.feed_rss else 1)
    return (len(site.articles) + len(site.front.pages(config.page_size)) + sum(listings) + sum(archives) + feeds
            + len(site.on_this_day))
