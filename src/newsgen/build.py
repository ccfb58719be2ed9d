"""The build: config -> load -> index -> render -> write, read top to bottom."""

from __future__ import annotations

import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .config import SiteConfig
from .index import index_site
from .loader import load_articles, walk_files
from .model import Page
from .render import make_environment, render_site
from .writer import check_output_folder, write_site


@dataclass(frozen=True)
class BuildReport:
    articles: int
    pages_written: int
    seconds: float
    output_dir: Path
    warnings: tuple[str, ...] = field(default=())
    skipped_drafts: int = 0
    skipped_future: int = 0


def site_static_files(static_dir: Path, follow_symlinks: bool = False, notices: list[str] | None = None,
                      site_dir: Path | None = None) -> Iterator[Page]:
    """The site's own `static/` folder, copied to the output root as it is."""
    if not static_dir.is_dir():
        return
    for path in walk_files(static_dir, follow_symlinks, notices if notices is not None else [], site_dir):
        yield Page(path.relative_to(static_dir).as_posix(), path.read_bytes())


def default_executor(config: SiteConfig) -> Executor | None:
    workers = config.workers or os.cpu_count() or 1
    return ProcessPoolExecutor(max_workers=workers) if workers > 1 else None


def build(config: SiteConfig, executor: Executor | None = None) -> BuildReport:
    """Build the whole site into config.output_path. Raises NewsgenError on any input problem,
    leaving the previous output untouched."""
    started = time.perf_counter()
    check_output_folder(config.output_path, [config.site_dir, config.content_path])
    owned = executor is None
    pool = default_executor(config) if owned else executor
    with pool if owned and pool is not None else nullcontext():
        loaded = load_articles(config, pool)
    site = index_site(loaded.articles, config)
    env = make_environment(config)
    static_notices: list[str] = []
    pages = _all_pages(render_site(site, env), site_static_files(config.static_path, config.follow_symlinks, static_notices,
                                                                    config.site_dir))
    written = write_site(pages, config.output_path)
    return BuildReport(
        articles=len(site.articles),
        pages_written=written.pages_written,
        seconds=time.perf_counter() - started,
        output_dir=config.output_path,
        warnings=tuple(loaded.warnings) + site.notices + tuple(static_notices),
        skipped_drafts=loaded.skipped_drafts,
        skipped_future=loaded.skipped_future,
    )


def _all_pages(*streams: Iterator[Page]) -> Iterator[Page]:
    for stream in streams:
        yield from stream
