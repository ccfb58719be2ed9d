"""The build: is there anything to do? Then the stages that do it (stages.py).

    scan_sources            content/   find the article files, key each one's bytes
    load_articles           content/   parse the files the article store lacks
    index_site              index/     listings, archives, calendars, related stories
    render_site, feeds...   render/    page jobs; unchanged ones are kept (incremental/)
    write_site              write/     stage the new site, index it for search, swap it in

A build with nothing to do stops after the scan: when every input is as in the previous build
into the same output folder (incremental/detector.py), its output and report stand. That check
is this module; it loads nothing that parses, renders or writes pages (no Markdown engine, Jinja,
Babel or Pillow), so that `newsgen build` with nothing to do costs a scan of the site's files.
"""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import Executor
from dataclasses import replace
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Callable

from newsgen.config import SiteConfig, reference_time
from newsgen.content.scan import PageSource, SourceScan, StaticFiles, find_static_files, read_page_sources, scan_sources
from newsgen.errors import NewsgenError
from newsgen.incremental.detector import BuildInputs, build_digest
from newsgen.incremental.keys import cache_dir, manifest_path, render_key
from newsgen.incremental.stats import file_stats_path, read_known_files, save_known_files
from newsgen.index.redirects import HISTORY_FILE
from newsgen.model import BuildReport, KeptBetweenBuilds
from newsgen.pictures.paths import bundle_stats
from newsgen.render.theme_sources import SITE_TRANSLATIONS, builtin_templates_dir, builtin_translations_dir
from newsgen.write.publish import Manifest, check_output_folder, make_output_parent, read_manifest

Progress = Callable[[str, int, "int | None"], None]
"""Called as progress(stage, done, expected) while a build runs; expected may be None."""


def build(config: SiteConfig, now: datetime | None = None, executor: Executor | None = None,
          progress: Progress | None = None, *, clean: bool = False, record_urls: bool = False,
          kept: KeptBetweenBuilds | None = None,
          retire: Callable[[Path], None] | None = None) -> BuildReport:
    """Build the site into config.output_path as it stands at `now` (the build time; default
    SOURCE_DATE_EPOCH, else the clock). Raises NewsgenError on any input problem, leaving the
    previous output untouched. Parsed articles and what the previous build wrote are kept in
    `.newsgen-cache/`; clean=True ignores them (and rewrites them). The site's URL history
    (newsgen-urls.txt) is read always and, with record_urls=True (`newsgen build`), written back
    after a successful build when it changed. `kept`, given by a caller that builds again
    and again in one process (`newsgen serve`), keeps the parsed articles and the site's index
    between builds (see KeptBetweenBuilds); `retire`, given by such a caller, receives the folder holding the
    previous site once the new one is in place, to remove after telling its readers (see
    write_site; by default it is removed at once)."""
    started = time.perf_counter()
    now = now or reference_time()
    if progress:
        progress("load", 0, None)
    manifest, complete = _previous_output(config, clean)
    scan = _scan(config, clean)
    page_sources = read_page_sources(config)
    static = find_static_files(config)
    history_path = config.site_dir / HISTORY_FILE
    history_bytes = _read_history(history_path)
    frame_digest = _frame_digest(config, scan, page_sources, static)
    sources_digest = _inputs_digest(config, frame_digest, scan)
    inputs = build_digest(sources_digest, history_bytes)
    if complete and (report := _unchanged_build(manifest, inputs, now, config, started)) is not None:
        return report

    from newsgen.stages import run_stages  # the parsing, rendering and writing stages, loaded only when needed
    return run_stages(config, now, started, executor, progress, manifest=manifest, scan=scan, page_sources=page_sources,
                      static=static, history_bytes=history_bytes, sources_digest=sources_digest,
                      frame_digest=frame_digest, clean=clean,
                      record_urls=record_urls, kept=kept, retire=retire)


def check_chosen_output(config: SiteConfig) -> None:
    """Refuse an output folder, as the user chose it (`-o`, `output_dir`), that is, or lies inside,
    the site's cache folder (build() accepts one there: the preview server builds into it)."""
    check_output_folder(config.output_path, (), {"cache": cache_dir(config)}, recorded=True)


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
    root = os.path.join(str(config.output_path), "")
    present = {path: digest for path, digest in manifest.digests.items() if os.path.isfile(root + path)}
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


def _frame_digest(config: SiteConfig, scan: SourceScan, page_sources: list[PageSource], static: StaticFiles) -> str:
    """Every input of the pages but the article files and the clock, as one digest: newsgen, every
    template and translation catalogue, the settings as pages see them (not where the site is
    written, nor by how many processes), each page file's bytes, and the name, size, times and
    inode of each static file and of each picture beside an article."""
    theme = [config.templates_path, builtin_templates_dir(), config.site_dir / SITE_TRANSLATIONS, builtin_translations_dir()]
    digest = hashlib.blake2b(render_key(theme).encode(), digest_size=16)
    digest.update(repr(config.as_pages_see_it()).encode("utf-8", "surrogateescape"))
    for page in page_sources:
        digest.update(f"{page.shown}\0{len(page.data)}\0".encode("utf-8", "surrogateescape") + page.data)
    for folder in (config.templates_path, config.static_path):  # where each is, if a link leads out of the site
        digest.update(f"{config.linked_away(folder)}\n".encode("utf-8", "surrogateescape"))
    for stats in chain(static.stats(), bundle_stats(scan.items)):
        digest.update(f"{stats}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _inputs_digest(config: SiteConfig, frame_digest: str, scan: SourceScan) -> str:
    """Every input of the build but the clock, as one digest: the frame (_frame_digest), the
    whole settings (with the site's folder as a full path, however it was spelled) and each
    article file's cache key."""
    digest = hashlib.blake2b(frame_digest.encode(), digest_size=16)
    digest.update(repr(replace(config, site_dir=config.site_dir.resolve())).encode("utf-8", "surrogateescape"))
    for (_, shown), (key, failed) in zip(scan.items, scan.keys):
        digest.update(f"{shown}\0{key or failed}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _read_history(path: Path) -> bytes | None:
    """The URL history file's bytes; None when the site has none."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NewsgenError(f"{HISTORY_FILE}: cannot read: {exc.strerror}") from None


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
