"""Load every article file under the content folder into Article records, collecting every error."""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .collect import build_item_articles, distinct_urls_across_files, read_source_items
from .config import SiteConfig
from .errors import BuildFailed, SourceError, display_path
from .formats.exports import EXPORT_SUFFIXES
from .layouts import place_file, resolve_layout
from .model import Article
from .urls import url_collisions

ARTICLE_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".txt", ".text", ""}
SKIPPED_SUFFIXES = {".rst": "reStructuredText is not supported; convert it to Markdown"}
PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class FileResult:
    """What parsing one file gave: an article, or errors; and any warnings."""

    article: Article | None
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[str, ...] = ()
    articles: tuple[Article, ...] = ()
    """Every article of the file: one, or one per record of a bulk export (issue 6)."""
    notices: tuple[str, ...] = ()
    """Files passed over on purpose: another generator's pages (see layouts.py)."""


@dataclass
class LoadedContent:
    articles: list[Article]
    warnings: list[str] = field(default_factory=list)
    files_read: int = 0
    skipped_drafts: int = 0
    skipped_future: int = 0
    notices: list[str] = field(default_factory=list)
    skipped_invalid: list[str] = field(default_factory=list)
    """Errors of the articles left out because `skip_invalid` is on."""


def find_article_files(content_dir: Path, layout: str = "auto", follow_symlinks: bool = False,
                       site_dir: Path | None = None) -> tuple[list[Path], list[str]]:
    """Article files under content_dir in a stable order, and notices for files passed over.

    Hidden files and folders are skipped; symbolic links that lead outside the folder are not
    followed unless follow_symlinks (and a folder reached twice through links is read once).
    """
    layout = resolve_layout(content_dir, layout)
    found: list[Path] = []
    notices: list[str] = []
    for path in walk_files(content_dir, follow_symlinks, notices, site_dir):
        suffix = path.suffix.lower()
        if suffix in SKIPPED_SUFFIXES:
            notices.append(f"{display_path(path, site_dir)}: skipped: {SKIPPED_SUFFIXES[suffix]}")
        elif suffix in EXPORT_SUFFIXES:
            found.append(path)
        else:
            placement = place_file(path, content_dir, layout, ARTICLE_SUFFIXES)
            if placement.read or placement.notice:  # a notice: the loader says why it is skipped
                found.append(path)
    return found, notices


def _link_path(link: Path, site_dir: Path | None) -> str:
    """A link as the user named it (display_path would show where it leads)."""
    return f"{display_path(link.parent, site_dir)}/{link.name}"


def walk_files(folder: Path, follow_symlinks: bool, notices: list[str], site_dir: Path | None = None) -> Iterator[Path]:
    """Every non-hidden file under folder, sorted; links leading outside it are skipped with a
    notice unless follow_symlinks. Used for the content and static folders."""
    root = folder.resolve()
    seen = {root}
    for current, dirs, files in os.walk(folder, followlinks=follow_symlinks):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            path = Path(current, name)
            if path.is_symlink():
                target = path.resolve()
                if not follow_symlinks and not target.is_relative_to(root):
                    notices.append(f"{_link_path(path, site_dir)}: skipped: a symbolic link to a folder outside "
                                   f"{display_path(folder, site_dir)} (set follow_symlinks: true to read it)")
                if not follow_symlinks or target in seen:
                    continue
                seen.add(target)
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = Path(current, name)
            if name.startswith("."):
                continue
            if path.is_symlink() and not follow_symlinks and not path.resolve().is_relative_to(root):
                notices.append(f"{_link_path(path, site_dir)}: skipped: a symbolic link to a file outside "
                               f"{display_path(folder, site_dir)} (set follow_symlinks: true to read it)")
                continue
            if path.is_file():
                yield path


def parse_article_file(path: Path, config: SiteConfig) -> FileResult:
    """Read, decode and parse one file into its articles (many for a bulk export). Pure apart from
    reading the file; safe in a worker process."""
    shown = display_path(path, config.site_dir)
    placement = place_file(path, config.content_path, config.content_layout, ARTICLE_SUFFIXES)
    if not placement.read:
        return FileResult(None, notices=(f"{shown}: {placement.notice}",))
    read = read_source_items(path, config.content_path, config, shown, placement)
    built, errors = build_item_articles(read, config)
    articles = tuple(article for _, article in built)
    return FileResult(articles[0] if articles else None, tuple(errors), read.warnings, articles, read.notices)


def _parse_batch(paths: list[Path], config: SiteConfig) -> list[FileResult]:
    return [parse_article_file(path, config) for path in paths]


def load_articles(config: SiteConfig, executor: Executor | None = None) -> LoadedContent:
    """Every publishable article under the content folder. Raises BuildFailed listing every error."""
    content_dir = config.content_path
    if not content_dir.is_dir():
        raise BuildFailed([f"{display_path(content_dir)}: content folder not found"])
    config = dataclasses.replace(config, content_layout=resolve_layout(content_dir, config.content_layout))
    paths, notices = find_article_files(content_dir, config.content_layout, config.follow_symlinks, config.site_dir)
    if executor is not None and len(paths) >= PARALLEL_THRESHOLD:
        size = max(16, len(paths) // 64)
        batches = [paths[i:i + size] for i in range(0, len(paths), size)]
        results = [r for batch in executor.map(_parse_batch, batches, [config] * len(batches)) for r in batch]
    else:
        results = _parse_batch(paths, config)

    file_errors = [e for r in results for e in r.errors]
    loaded = LoadedContent([], warnings=notices + [w for r in results for w in r.warnings], files_read=len(paths),
                           notices=[n for r in results for n in r.notices],
                           skipped_invalid=[str(e) for e in file_errors] if config.skip_invalid else [])
    articles = [a for result in results for a in result.articles]
    if config.content_layout != "newsgen":  # another generator's tree builds as it is (collect.py)
        articles, url_warnings = distinct_urls_across_files(articles, config)
        loaded.warnings += url_warnings
    for article in articles:
        if article.draft and not config.drafts:
            loaded.skipped_drafts += 1
        elif article.published > config.now and not config.future:
            loaded.skipped_future += 1
        else:
            loaded.articles.append(article)
    errors = [] if config.skip_invalid else [str(e) for e in file_errors]
    errors += url_collisions((a.url, a.source) for a in loaded.articles)
    if errors:
        raise BuildFailed(errors, loaded.warnings)
    return loaded
