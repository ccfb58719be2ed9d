"""The stages of a build that has something to do (build.py decides whether it has): load the
articles, index the site, render the pages that changed, write the site and its search index.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from newsgen.cluster import shares_files
from newsgen.config import SiteConfig
from newsgen.content.autotag import caseless_notice
from newsgen.content.load import load_articles
from newsgen.content.pages import parse_pages
from newsgen.content.scan import PageSource, SourceScan, StaticFiles
from newsgen.incremental.detector import BuildInputs, ChangeDetector, Fingerprints, build_digest, previous_page_keys
from newsgen.incremental.keys import cache_dir, package_fingerprint, reach_path
from newsgen.incremental.reach import (PageReach, SourceTable, decode_reach, reach_digest, settled_pages,
                                       source_table, write_reach)
from newsgen.incremental.store import open_store
from newsgen.index.redirects import HISTORY_FILE, format_url_history, next_url_history, parse_url_history, published_urls
from newsgen.index.related import cached_related
from newsgen.index.site import index_site, with_bodies
from newsgen.model import BuildReport, KeptBetweenBuilds, KeptIndex, KeptPage, LoadedContent, Page, Site
from newsgen.pictures.stage import PictureStage, picture_pages, prepare_pictures
from newsgen.render.environment import make_environment, read_theme_files
from newsgen.render.feeds import render_feeds
from newsgen.render.jobs import ArticleBodies, PageCosts, RenderContext
from newsgen.render.redirects import redirects_written, render_redirects
from newsgen.render.site import BODY_DERIVED_INPUTS, render_site, render_takedowns, theme_assets
from newsgen.render.sitemaps import NEWS_WINDOW, news_articles, with_sitemaps
from newsgen.shipping import FolderShipping, Shipping, ship
from newsgen.write.publish import Manifest, write_atomic, write_site
from newsgen.write.search import (SEARCH_BODIES_FILE, IndexingAhead, SearchOutcome, SearchPlan, children_cpu_seconds,
                                  index_ahead, index_search, plan_search, read_body_digests, save_body_digests)

if TYPE_CHECKING:
    from newsgen.build import Progress


def run_stages(config: SiteConfig, now: datetime, started: float, executor: Executor | None,
               progress: Progress | None, *, manifest: Manifest, scan: SourceScan, page_sources: list[PageSource],
               static: StaticFiles, history_bytes: bytes | None, sources_digest: str, frame_digest: str, clean: bool,
               record_urls: bool, kept: KeptBetweenBuilds | None,
               retire: Callable[[Path], None] | None) -> BuildReport:
    """build() past its first check, with what that check read: the previous output's manifest,
    the scan of the article files, the page files, the static files, the URL history file's bytes,
    the digest of every source and that of every source but the article files (the frame). See
    build() for the rest."""
    output = config.output_path
    history_path = config.site_dir / HISTORY_FILE
    inputs = build_digest(sources_digest, history_bytes)
    rebuild = not clean and bool(manifest.extra.get("pages"))
    store = open_store(config)
    reach: _ReachMap | None = None
    try:
        with _collector_for_builds(), _worker_pool(config, executor, on_demand=rebuild) as pool:
            history = parse_url_history(history_bytes.decode("utf-8", "replace"), HISTORY_FILE) if history_bytes else {}
            loaded = load_articles(config, now, pool, store, trust=not clean, scan=scan,
                                   remembered=kept.parses if kept is not None else None)
            files = loaded.files
            pictures = prepare_pictures(loaded.articles, config, files.files, static.names, cache_dir(config), pool)
            loaded = replace(loaded, articles=pictures.articles, warnings=loaded.warnings + pictures.warnings)
            gc.freeze()
            previous_reach = _previous_reach(config, manifest) if rebuild else None
            index_frame = build_digest(frame_digest, history_bytes)
            table = source_table(previous_reach, index_frame, loaded.articles, files.keys)
            _say(progress, "index")
            site = _indexed_site(loaded, config, table, previous_reach, kept, index_frame, manifest, clean) or index_site(
                loaded.articles, config, relate=cached_related(cache_dir(config), trust=not clean),
                pages=parse_pages(page_sources, config), static_files=static.names, history=history)
            gc.freeze()
            next_history, gone = next_url_history(history, published_urls(site),
                                                  [shown for _, shown in scan.items] + [p.shown for p in page_sources])
            history_update = _history_update(history_bytes, next_history) if record_urls else None
            recorded_inputs = inputs if history_update is None else build_digest(sources_digest, history_update)
            shipping: Shipping | None = None
            theme = None
            if pool is not None and not shares_files(pool):
                shipping, theme = pool, ship(read_theme_files(config), pool)  # type: ignore[assignment]
            elif pool is not None:
                shipping = FolderShipping(cache_dir(config) / "shipped")
            previous_keys = previous_page_keys(manifest.extra.get("pages"), manifest.digests)
            detector = ChangeDetector(_code_and_settings(config), Fingerprints(files.keys), previous_keys,
                                      settled_pages(previous_reach, table, previous_keys),
                                      untracked=BODY_DERIVED_INPUTS,
                                      mapped=previous_reach.pages.keys() if previous_reach else frozenset(),
                                      positions=table.position)
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

            # as the next build will read it: with the URL history this build records (it makes the same pages)
            reach = _ReachMap(reach_path(config),
                              index_frame if history_update is None else build_digest(frame_digest, history_update),
                              table, detector, previous_reach)
            ahead = index_ahead([(tree.config, plan) for tree, plan in zip(site.language_sites, search_plans)],
                                cache_dir(config) / "search", bodies) if rebuild else None
            try:
                written = write_site(
                    _reporting(pages, progress, _expected_pages(site)), output, manifest,
                    finish=_search_indexer(list(zip(site.language_sites, search_plans)), bodies, clean, manifest.trusted,
                                           searched, ahead,
                                           own_pool=pool if executor is None else None, costs=ctx.costs),
                    extra=lambda digests: {"pages": detector.state(digests),
                                           "reach": reach.encode(digests),
                                           "build": {**BuildInputs(recorded_inputs, now, _next_change(site, loaded, now)).saved(),
                                                     "findings": findings()}},
                    retire=retire, finish_keeps=frozenset().union(*(plan.shard_folders for plan in search_plans)))
            finally:
                if shipping is not None:
                    shipping.remove()
                if ahead is not None:
                    ahead.abandon()  # a build that failed before the search step: its runs are not wanted
        reach.save()
        store.prune(files.keys.values())
        if kept is not None and reach.digest is not None and history_update is None:
            kept.index = KeptIndex(site, config, index_frame, reach.digest)
    finally:
        store.close()  # a process that builds again and again (`newsgen serve`) keeps no file open
        if reach is not None:
            reach.discard()  # the map a failed build wrote beside its place
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
                    live_trusted: bool, outcomes: list[SearchOutcome], ahead: IndexingAhead | None,
                    own_pool: Executor | None, costs: PageCosts) -> Callable[[Path, dict[str, str]], None] | None:
    """The writer's last step before the swap: the search index of each language (index_search,
    with its language's Site's configuration) into the staged site, each outcome appended to
    `outcomes`; unchanged shards are linked from the live site when the writer trusts it (and not
    with `--clean`), and the shards indexed `ahead` while the pages were rendered are waited for
    and taken from the cache. The build's own worker pool, idle once every page is written, is
    shut down first, so its processes' memory is not held beside Pagefind's. None with search off
    or no articles to index."""
    plans = [(tree, plan) for tree, plan in plans if plan.shards]
    if not plans:
        return None
    config = plans[0][0].config
    live = config.output_path if live_trusted and not clean else None
    every_key = frozenset(key for _, plan in plans for key in plan.keys)

    def finish(folder: Path, digests: dict[str, str]) -> None:
        if own_pool is not None:
            own_pool.shutdown()
        if ahead is not None:
            ahead.finish()
        for number, (tree, plan) in enumerate(plans):
            started = _cpu_seconds()
            outcome = index_search(folder, plan, cache_dir(config) / "search", tree.config, bodies,
                                   fresh=clean and number == 0, live=live, also_used=every_key)
            seconds = _cpu_seconds() - started
            if ahead is not None:  # its shards were found in the cache: they count as indexed by this build
                early = len(ahead.indexed & set(plan.keys))
                outcome = replace(outcome, indexed=outcome.indexed + early, reused=outcome.reused - early)
                seconds += ahead.cpu_seconds if number == 0 else 0.0
            outcomes.append(outcome)
            costs.add("search index", seconds, outcome.indexed)

    return finish


def _cpu_seconds() -> float:
    """CPU time of this process and of its child processes that have ended (Pagefind)."""
    return time.process_time() + children_cpu_seconds()


def _previous_reach(config: SiteConfig, manifest: Manifest) -> PageReach | None:
    """The map of the pages' reach that the previous build into this output saved (see
    incremental/reach.py), when its bytes are those its manifest names."""
    recorded = manifest.extra.get("reach")
    if not manifest.trusted or not isinstance(recorded, str):
        return None
    try:
        data = reach_path(config).read_bytes()
    except OSError:
        return None
    return decode_reach(data) if reach_digest(data) == recorded else None


def _indexed_site(loaded: LoadedContent, config: SiteConfig, table: SourceTable, previous_reach: PageReach | None,
                  kept: KeptBetweenBuilds | None, frame: str, manifest: Manifest, clean: bool) -> Site | None:
    """The site's index taken from the previous build in this process (`kept`), when this build's
    articles are that build's with some changed in their text alone: the same frame (every input
    but the article files and the clock), the same settings, the previous build's map of reach
    still the output's, and the table of sources finding the same structure (incremental/reach.py).
    Then the index is the same but for those articles' body fields (with_bodies). None when it
    must be made afresh; the kept index is let go either way, so that it is not held beside the
    new one."""
    previous = kept.index if kept is not None else None
    if kept is not None:
        kept.index = None
    if (previous is None or previous_reach is None or clean or not table.same_structure or previous.frame != frame
            or previous.config != config or previous.reach != manifest.extra.get("reach")):
        return None
    changed = {previous_reach.sources[position] for position in table.changed}
    return with_bodies(previous.site, {article.source: article for article in loaded.articles if article.source in changed})


class _ReachMap:
    """The map of the pages' reach this build saves for the next (incremental/reach.py): written
    beside its place for the manifest, which records its digest, and put in place once the site
    is. A map that could not be written is not the one the manifest names, and the next build
    keys every page, so a failure to write it is not an error."""

    def __init__(self, path: Path, frame: str, table: SourceTable, detector: ChangeDetector,
                 previous: PageReach | None):
        self.path, self.frame, self.table, self.detector, self.previous = path, frame, table, detector, previous
        self.written = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        self.digest: str | None = None
        """The digest of the map written, which the manifest records; None until then, or if it was not."""

    def encode(self, pages: dict[str, str]) -> str | None:
        try:
            self.written.parent.mkdir(parents=True, exist_ok=True)
            with open(self.written, "wb") as out:
                self.digest = write_reach(out, self.frame, self.table, self.detector.reached, self.detector.recorded,
                                          self.previous, pages)
        except OSError:
            self.discard()
        return self.digest

    def save(self) -> None:
        try:
            os.replace(self.written, self.path)
        except OSError:
            self.digest = None
            self.discard()

    def discard(self) -> None:
        with suppress(OSError):
            os.unlink(self.written)


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


def _history_update(previous: bytes | None, history: dict[str, tuple[str, ...]]) -> bytes | None:
    """The URL history file's new bytes, or None when it stays as it is (or stays absent, empty)."""
    text = format_url_history(history).encode("utf-8")
    if text == previous or (previous is None and not history):
        return None
    return text


def _next_change(site: Site, loaded: LoadedContent, now: datetime) -> datetime | None:
    """The first moment after `now` at which this site changes by itself: a future article comes
    due, or an article leaves the news sitemap."""
    moments = [article.published + NEWS_WINDOW for article in news_articles(site, now)
               if article.published < datetime.max.replace(tzinfo=timezone.utc) - NEWS_WINDOW]  # else: after 9999
    if loaded.next_publication is not None:
        moments.append(loaded.next_publication)
    return min(moments, default=None)


def _code_and_settings(config: SiteConfig) -> str:
    """What every page of the build depends on: newsgen and its libraries, and the settings as
    pages see them (SiteConfig.as_pages_see_it)."""
    return hashlib.blake2b(f"{package_fingerprint()}\n{config.as_pages_see_it()!r}".encode("utf-8", "surrogateescape"),
                           digest_size=16).hexdigest()


YOUNGEST_COLLECTED_AFTER = 10_000
"""Allocations (less deallocations) of tracked objects between two runs of the cyclic garbage
collector over the youngest objects during a build (Python's default is 700)."""


@contextmanager
def _collector_for_builds() -> Iterator[None]:
    """Python's cyclic garbage collector tuned for a build, and restored after it. A build keeps
    its records, the site's index and the page keys to its end, and makes few reference cycles;
    with Python's default settings the collector would walk those objects again and again (a
    fifth of the main process's time in a cold build of 10,000 articles). The records and the index are
    frozen once made (gc.freeze: kept out of every later collection; they are freed as usual
    when no longer referenced), and the youngest objects are collected less often. Worker
    processes started during the build inherit both. Unfrozen at the end, so a process that
    builds again and again (`newsgen serve`) collects the cycles of its earlier builds."""
    threshold = gc.get_threshold()
    gc.set_threshold(YOUNGEST_COLLECTED_AFTER, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@contextmanager
def _worker_pool(config: SiteConfig, executor: Executor | None, *, on_demand: bool) -> Iterator[Executor | None]:
    """The executor given, else one worker process per core (`workers`), shut down at the end.
    For a cold build they are all started before the build reads anything, while this process
    is still small (a worker started later is forked from a process holding the whole site);
    for a rebuild (on_demand) the pool starts with the first job given to it: most rebuilds
    parse and render so little that every step runs here (see run_batches and its
    STARTING_BATCHES), and starting the workers would cost more than their work."""
    if executor is not None:
        yield executor
        return
    workers = config.workers or os.cpu_count() or 1
    if workers <= 1:
        yield None
        return
    if on_demand:
        pool: Executor = PoolOnDemand(workers)
        try:
            yield pool
        finally:
            pool.shutdown()
        return
    with ProcessPoolExecutor(max_workers=workers) as started_pool:
        for started in [started_pool.submit(os.getpid) for _ in range(workers)]:
            started.result()
        yield started_pool


class PoolOnDemand(Executor):
    """A pool of `workers` processes that starts when the first job is submitted. Everything this
    process holds then is frozen for the collector first (gc.freeze), so that a collection in a
    worker never writes to the pages it shares with this process."""

    def __init__(self, workers: int):
        self._max_workers = workers  # read by the steps that size their batches to the pool (run_ordered)
        self._pool: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        """Whether the workers run (render.workers.run_batches keeps more work here until then)."""
        return self._pool is not None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if self._pool is None:
            gc.freeze()
            self._pool = ProcessPoolExecutor(max_workers=self._max_workers)
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait, cancel_futures=cancel_futures)


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
