"""The build: config -> load -> index -> render -> write, read top to bottom."""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .article_pages import ArticleSource
from .cache import cache_dir, open_store, render_key
from .config import SiteConfig
from .index import index_site
from .loader import load_article_records
from .memo import load_page_memo, memo_state
from .model import KeptPage, Page
from .render import builtin_templates_dir, make_environment, render_site
from .writer import Manifest, check_output_folder, read_manifest, write_site


@dataclass(frozen=True)
class BuildReport:
    articles: int
    pages_written: int
    seconds: float
    output_dir: Path
    warnings: tuple[str, ...] = field(default=())
    skipped_drafts: int = 0
    skipped_future: int = 0
    pages_unchanged: int = 0
    """Output files left as they were: their bytes did not change."""
    pages_deleted: int = 0
    """Output files removed because no page produces them any more."""


def site_static_files(static_dir: Path) -> Iterator[Page]:
    """The site's own `static/` folder, copied to the output root as it is."""
    if not static_dir.is_dir():
        return
    for folder, dirs, files in os.walk(static_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder, name)
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


def build(config: SiteConfig, executor: Executor | None = None, *, clean: bool = False) -> BuildReport:
    """Build the whole site into config.output_path. Raises NewsgenError on any input problem,
    leaving the previous output untouched. Parsed articles and the output's manifest are kept in
    `.newsgen-cache/`; clean=True ignores them (and rewrites them)."""
    started = time.perf_counter()
    output = config.output_path
    check_output_folder(output, [config.site_dir, config.content_path])
    store = open_store(config)
    manifest = read_manifest(manifest_path(config), output)
    if clean:
        manifest = Manifest(manifest.path, {})
    owned = executor is None
    pool = default_executor(config) if owned else executor
    with pool if owned and pool is not None else nullcontext():
        loaded, files = load_article_records(config, pool, store, trust=not clean)
        site = index_site(loaded.articles, config)
        env = make_environment(config)
        memo = load_page_memo(config, site, files.keys, manifest.extra if manifest.trusted else {}, manifest.digests,
                              render_key(config, [config.templates_path, builtin_templates_dir()]))
        env.extend(newsgen_memo=memo, newsgen_executor=pool,
                   newsgen_articles=ArticleSource(store, files.keys, files.files))
        pages = _all_pages(render_site(site, env), site_static_files(config.static_path))
        written = write_site(pages, output, manifest, extra=lambda digests: memo_state(memo, digests))
    store.prune(files.keys.values())
    return BuildReport(
        articles=len(site.articles),
        pages_written=written.pages_written,
        seconds=time.perf_counter() - started,
        output_dir=output,
        warnings=tuple(loaded.warnings) + site.notices,
        skipped_drafts=loaded.skipped_drafts,
        skipped_future=loaded.skipped_future,
        pages_unchanged=written.pages_unchanged,
        pages_deleted=written.pages_deleted,
    )


def manifest_path(config: SiteConfig) -> Path:
    """The manifest of this output folder, in the site's cache."""
    name = hashlib.sha1(str(config.output_path.resolve()).encode()).hexdigest()[:16]
    return cache_dir(config) / "outputs" / f"{name}.json"


def _all_pages(*streams: Iterator[Page | KeptPage]) -> Iterator[Page | KeptPage]:
    for stream in streams:
        yield from stream
