"""The build: config -> load -> index -> render -> write, read top to bottom."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from jinja2 import Environment

from .article_pages import ArticleSource
from .cache import cache_dir, open_store, render_key
from .config import SiteConfig
from .index import Site, index_site
from .loader import ArticleFiles, load_article_records
from .memo import Fingerprints, MemoEntry, PageMemo
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
    workers = config.workers or os.cpu_count() or 1
    return ProcessPoolExecutor(max_workers=workers) if workers > 1 else None


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
        memo = _page_memo(config, env, site, files, manifest)
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


def _page_memo(config: SiteConfig, env: Environment, site: Site, files: ArticleFiles, manifest: Manifest) -> PageMemo:
    """Page keys of the previous build, usable when newsgen and the templates are the same."""
    key = render_key(config, [config.templates_path, builtin_templates_dir()])
    digests = {}
    for article in site.articles:
        names = "|".join(t.name for t in (*article.tags, *article.authors, *([article.section] if article.section else [])))
        digests[article.source] = files.keys.get(article.source, "") + ":" + names
    previous = {}
    state = manifest.extra
    traces: list[tuple] = []
    if manifest.trusted and state.get("render_key") == key:
        traces = [tuple(tuple(step) for step in trace) for trace in state.get("traces", [])]
        for path, (page_key, trace_number) in state.get("pages", {}).items():
            previous[path] = MemoEntry(page_key, traces[trace_number], manifest.digests.get(path, ""))
    inputs = build_inputs(config, site, digests, key, reads_the_clock(traces))
    return PageMemo(Fingerprints(digests), previous, key, inputs, same_inputs=bool(previous) and state.get("inputs") == inputs)


_CLOCKLESS = {"listings", "listing", "page", "archive", "article", "newer", "older", "kind", "page_url"}


def reads_the_clock(traces: list[tuple]) -> bool:
    """Whether any page may have read the build time (config.now), directly or as part of a
    whole record holding the config."""
    return any(attribute in ("", "now", "config") and name not in _CLOCKLESS
               for trace in traces for name, attribute, _ in trace)


def build_inputs(config: SiteConfig, site: Site, digests: dict[str, str], key: str, with_clock: bool) -> str:
    """A hash of everything pages are made from: when it equals the previous build's, every page
    rendered through the memo would come out the same (the build still runs whole)."""
    digest = hashlib.blake2b(key.encode(), digest_size=16)
    digest.update(repr([(f.name, getattr(config, f.name)) for f in dataclasses.fields(config) if f.name != "now"]).encode())
    if with_clock:
        digest.update(repr(config.now).encode())
    for article in site.articles:
        digest.update(f"{article.source}\0{digests[article.source]}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def memo_state(memo: PageMemo, digests: dict[str, str]) -> dict:
    """What the manifest keeps for the next build's memo: each page's key and trace."""
    traces: dict[tuple, int] = {}
    pages = {}
    for path, (page_key, trace) in memo.recorded.items():
        if path in digests:
            pages[path] = [page_key, traces.setdefault(trace, len(traces))]
    return {"render_key": memo.render_key, "inputs": memo.inputs, "traces": [list(t) for t in traces], "pages": pages}


def _all_pages(*streams: Iterator[Page | KeptPage]) -> Iterator[Page | KeptPage]:
    for stream in streams:
        yield from stream
